/* peer-conn.h: one Gnutella overlay link over an SvStream (stream.h): the 0.6 handshake,
 * message framing, link compression both ways, and a bounded send queue with flow control.
 *
 * The adapter moves bytes and applies caps; every decision comes from the core: the handshake
 * machine (handshake.h) settles roles and compression, the framer (msg-header.h) refuses an
 * oversize length before reading the payload, the send queue (send-queue.h) sheds broadcast
 * traffic and asks for Bye 502. Nothing here routes: whole messages go to the owner through
 * callbacks, and the owner sends with sv_peer_conn_send().
 *
 * Closing: any error, timeout or protocol breach ends the link and reports it once through
 * callbacks.closed, always from an idle callback on the connection's main context (never from
 * inside sv_peer_conn_send() or another call of the owner's), so the owner may free the
 * connection inside the callback. After `closed` no other callback is made. */
#pragma once

#include <gio/gio.h>

#include "handshake.h"
#include "host-addr.h"
#include "msg-header.h"
#include "send-queue.h"

/* Caps and timeouts of one link (defaults in brackets). */
typedef struct {
  gint64 connect_timeout_us;     /* outgoing TCP connect [10 s] */
  gint64 handshake_timeout_us;   /* from connect/accept until ESTABLISHED [20 s]: a handshake
                                  * trickled one byte a second is dropped when this runs out */
  gint64 first_line_timeout_us;  /* incoming: from accept until the peer's first line is whole
                                  * [5 s]; the handshake deadline still bounds the rest */
  gsize read_buffer_bytes;       /* framing buffer: at most one whole message plus one read
                                  * [SV_MSG_MAX_QUERYHIT_BYTES + SV_MSG_HEADER_SIZE + 16 KiB] */
  SvSendQueueConfig send_queue;  /* watermarks (send-queue.h defaults) */
  guint inflate_max_ratio;       /* inflated:compressed bytes allowed over the link's life
                                  * beyond the first 64 KiB [SV_INFLATE_MAX_RATIO] */
  int deflate_level;             /* zlib level for our compressed stream [Z_BEST_SPEED] */
  SvHostAddr local;              /* outgoing: the source address to connect from (port ignored);
                                  * family 0 or another family than the peer's: the kernel picks
                                  * [unset]. A servent bound to one address speaks from it. */
} SvPeerConnConfig;

void sv_peer_conn_config_init (SvPeerConnConfig *config);

/* Why a link ended. */
typedef enum {
  SV_PEER_CONN_CLOSED_BY_US = 0,   /* sv_peer_conn_close() or our Bye was sent */
  SV_PEER_CONN_CLOSED_EOF,         /* the peer closed the socket */
  SV_PEER_CONN_CLOSED_IO_ERROR,    /* connect or socket error */
  SV_PEER_CONN_CLOSED_TIMEOUT,     /* connect or handshake did not finish in time */
  SV_PEER_CONN_CLOSED_REFUSED,     /* handshake ended with a non-200 code (either side) */
  SV_PEER_CONN_CLOSED_HANDSHAKE,   /* malformed handshake (SvHandshakeResult.verdict) */
  SV_PEER_CONN_CLOSED_OVERSIZE,    /* a message length over its type's cap (we sent Bye 400) */
  SV_PEER_CONN_CLOSED_INFLATE,     /* corrupt deflate stream or inflation past the ratio budget */
  SV_PEER_CONN_CLOSED_BYE,         /* the peer sent a Bye */
  SV_PEER_CONN_CLOSED_SEND_QUEUE,  /* the peer could not keep up: we sent Bye 502 */
  SV_PEER_CONN_N_CLOSE_REASONS,
} SvPeerConnCloseReason;

/* Returns: (transfer none) a stable token such as "eof", "timeout", "oversize". */
const char *sv_peer_conn_close_reason_name (SvPeerConnCloseReason reason);

typedef struct _SvPeerConn SvPeerConn;

typedef struct {
  /* The handshake finished with 200 on both sides; messages follow. @result stays valid while
   * the connection lives. */
  void (*established) (SvPeerConn *conn, const SvHandshakeResult *result, gpointer user_data);
  /* One whole message (the header decoded, its payload of hdr->length bytes, inflated). The
   * payload is only valid during the call. A Bye is reported here too, just before `closed`. */
  void (*message) (SvPeerConn *conn, const SvMsgHeader *hdr, const guint8 *payload,
                   gpointer user_data);
  /* The link ended. @result: (nullable) the handshake's result (X-Try-Ultrapeers of a 503, the
   * refusal code); @detail: (nullable) a short human text for logs. */
  void (*closed) (SvPeerConn *conn, SvPeerConnCloseReason reason, const SvHandshakeResult *result,
                  const char *detail, gpointer user_data);
} SvPeerConnCallbacks;

/* Connects to @addr and runs the handshake as the initiator. @config: (nullable) defaults.
 * @hs is copied. Callbacks run on the thread-default main context. Returns: (transfer full). */
SvPeerConn *sv_peer_conn_new_outgoing (const SvHostAddr *addr, const SvHandshakeConfig *hs,
                                       const SvPeerConnConfig *config,
                                       const SvPeerConnCallbacks *callbacks, gpointer user_data);

/* Takes an accepted connection whose first bytes @prefix (@prefix_len of them, possibly 0) were
 * already read by the listener, and answers the handshake. @conn: (transfer none) a reference
 * is taken. Returns: (transfer full). */
SvPeerConn *sv_peer_conn_new_incoming (GSocketConnection *conn, const guint8 *prefix,
                                       gsize prefix_len, const SvHandshakeConfig *hs,
                                       const SvPeerConnConfig *config,
                                       const SvPeerConnCallbacks *callbacks, gpointer user_data);

/* Closes the socket at once (no callback follows) and frees. NULL is ignored. */
void sv_peer_conn_free (SvPeerConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvPeerConn, sv_peer_conn_free)

/* A process-unique id (never 0, never reused), usable as the router's connection id. */
guint64 sv_peer_conn_id (const SvPeerConn *conn);

/* The peer's socket address (for an incoming link, its source port; the listening address is in
 * the handshake result). */
const SvHostAddr *sv_peer_conn_remote (const SvPeerConn *conn);
gboolean sv_peer_conn_is_outgoing (const SvPeerConn *conn);
gboolean sv_peer_conn_is_established (const SvPeerConn *conn);
/* Returns: (transfer none) the handshake result so far. */
const SvHandshakeResult *sv_peer_conn_handshake (const SvPeerConn *conn);
/* How far the peer has got in sending its handshake; SV_HANDSHAKE_PROGRESS_BLOCK on a link that
 * was established. Still valid in `closed`. */
SvHandshakeProgress sv_peer_conn_handshake_progress (const SvPeerConn *conn);

/* Queues one encoded message (header + payload) for an established link. @msg: (transfer none).
 * SV_SEND_KICK: the link is being closed with Bye 502 (closed follows later, from idle).
 * Sending on a link that is not established, or is closing, returns SV_SEND_DROPPED. */
SvSendVerdict sv_peer_conn_send (SvPeerConn *conn, GBytes *msg, SvSendClass klass, guint8 hops);

/* Sends Bye @code with @reason (nullable) after what is queued for control traffic, then closes
 * (a peer that does not read is cut after 2 s). closed follows with SV_PEER_CONN_CLOSED_BY_US.
 * On a link that is not established the socket is closed at once. */
void sv_peer_conn_bye (SvPeerConn *conn, guint16 code, const char *reason);

/* Closes without a Bye; closed follows (from idle) with SV_PEER_CONN_CLOSED_BY_US. */
void sv_peer_conn_close (SvPeerConn *conn);

typedef struct {
  gint64 created_us;             /* g_get_monotonic_time() at creation */
  gint64 established_us;         /* 0 until established */
  gint64 last_rx_us;             /* last byte received (created_us at first) */
  guint64 wire_bytes_in;         /* bytes read from the socket (compressed if deflated) */
  guint64 wire_bytes_out;
  guint64 bytes_in;              /* message bytes after inflation */
  guint64 bytes_out;             /* message bytes before deflation */
  guint64 msgs_in;
  guint64 msgs_out;
  gsize queued_bytes;            /* sv_send_queue_bytes() */
  gboolean flow_controlled;
  SvSendQueueStats queue;        /* shed messages per class */
  gsize memory_bytes;            /* buffers and zlib state held now (an estimate) */
} SvPeerConnStats;

void sv_peer_conn_get_stats (const SvPeerConn *conn, SvPeerConnStats *out);
