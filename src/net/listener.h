/* listener.h: the one Gnutella port: TCP (IPv4 and IPv6) and UDP on the same port number.
 *
 * Every accepted TCP connection takes one of SV_LISTENER_MAX_SNIFFING places (when all are held,
 * the one that has sent the fewest bytes for the longest gives its place up: core/admission.h),
 * is shown to the owner (`accept`: the per-IP throttle and ban list decide, see conn-policy.h);
 * then at most SV_SNIFF_BYTES are read, within a timeout,
 * and classified with sv_gnet_sniff(). The connection and the bytes read so far are handed to
 * the owner by kind (`gnutella`, `http` for GET / HEAD / other methods, `giv`); TLS, unknown
 * bytes and silence are closed here and counted. UDP datagrams (at most SV_UDP_MAX_DATAGRAM_BYTES)
 * go to `datagram`. No protocol decisions are taken here. */
#pragma once

#include <gio/gio.h>

#include "gnet-sniff.h"
#include "host-addr.h"

typedef enum {
  SV_LISTENER_ACCEPT = 0,        /* go on: sniff the first bytes */
  SV_LISTENER_REJECT,            /* close at once */
} SvListenerVerdict;

typedef struct _SvListener SvListener;

typedef struct {
  /* A TCP connection arrived from @remote. */
  SvListenerVerdict (*accept) (SvListener *listener, const SvHostAddr *remote, gpointer user_data);
  /* "GNUTELLA CONNECT/…": @conn (transfer none: take a reference to keep it), @prefix the bytes
   * already read. */
  void (*gnutella) (SvListener *listener, GSocketConnection *conn, const SvHostAddr *remote,
                    const guint8 *prefix, gsize prefix_len, gpointer user_data);
  /* GET / HEAD / another method (@kind tells which); same ownership as `gnutella`. */
  void (*http) (SvListener *listener, GSocketConnection *conn, const SvHostAddr *remote,
                SvGnetSniff kind, const guint8 *prefix, gsize prefix_len, gpointer user_data);
  /* "GIV …" (a push callback); same ownership. */
  void (*giv) (SvListener *listener, GSocketConnection *conn, const SvHostAddr *remote,
               const guint8 *prefix, gsize prefix_len, gpointer user_data);
  /* One UDP datagram from @from. @data is valid during the call. */
  void (*datagram) (SvListener *listener, const SvHostAddr *from, const guint8 *data, gsize len,
                    gpointer user_data);
} SvListenerCallbacks;

typedef struct {
  guint64 accepted;              /* TCP connections accepted by the socket */
  guint64 rejected;              /* closed because `accept` said so, or because their address
                                  * or network held its share of the sniffing places */
  guint64 sniff_evicted;         /* silent connections closed to make room for a newcomer */
  guint64 sniff_timeouts;        /* no classifiable bytes in time */
  guint64 sniff_unknown;         /* unknown first bytes, TLS, PUSH / QUEUE callbacks (not
                                  * served here), or EOF before a verdict */
  guint64 datagrams_in;
  guint64 datagrams_out;
} SvListenerStats;

/* Binds TCP and UDP on @addrs (@n_addrs of them; a port 0 picks a free port, the same for TCP
 * and UDP and for every address). Callbacks run on the thread-default main context.
 * @sniff_timeout_us: 0 means 5 s (a servent sends its first line at once). Returns: (transfer full) or NULL with @error set. */
SvListener *sv_listener_new (const SvHostAddr *addrs, guint n_addrs, gint64 sniff_timeout_us,
                             const SvListenerCallbacks *callbacks, gpointer user_data,
                             GError **error);
void sv_listener_free (SvListener *listener);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvListener, sv_listener_free)

/* The port actually bound. */
guint16 sv_listener_port (const SvListener *listener);

/* Sends one datagram from the UDP socket of the matching family. Returns: FALSE on error
 * (logged at debug level; UDP loss is normal). */
gboolean sv_listener_send_datagram (SvListener *listener, const SvHostAddr *to, const guint8 *data,
                                    gsize len);

void sv_listener_get_stats (const SvListener *listener, SvListenerStats *out);
