/* listener.c: the Gnutella port: TCP on every address (IPv6 sockets IPv6-only so 0.0.0.0 and
 * [::] share the port number), UDP on the same port, a sniff of each accepted connection's first
 * bytes (bounded in size and time), and dispatch by kind to the owner. */
#include "listener.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "admission.h"
#include "socket-addr.h"

typedef struct _Sniff Sniff;

typedef struct {
  SvListener *listener;
  GSocket *socket;
  GSource *source;
  gboolean udp;
} Bound;

struct _Sniff {
  SvListener *listener;
  GSocketConnection *conn;
  GSocket *socket;
  SvHostAddr remote;
  GSource *in_source;
  GSource *timer;
  guint8 buf[SV_SNIFF_BYTES];
  gsize len;
  gint64 since_us;         /* accepted at (monotonic) */
};

struct _SvListener {
  SvListenerCallbacks cb;
  gpointer user_data;
  GMainContext *context;
  gint64 sniff_timeout_us;
  guint16 port;
  GPtrArray *bound;        /* (element-type Bound) */
  GHashTable *sniffs;      /* (element-type Sniff) set */
  guint8 *dgram;           /* SV_UDP_MAX_DATAGRAM_BYTES */
  SvListenerStats stats;
};

static void
drop_source (GSource **s)
{
  if (*s != NULL)
    {
      g_source_destroy (*s);
      g_source_unref (*s);
      *s = NULL;
    }
}

static void
bound_free (gpointer data)
{
  Bound *b = data;

  drop_source (&b->source);
  if (b->socket != NULL)
    g_socket_close (b->socket, NULL);
  g_clear_object (&b->socket);
  g_free (b);
}

static void
sniff_free (gpointer data)
{
  Sniff *s = data;

  drop_source (&s->in_source);
  drop_source (&s->timer);
  g_clear_object (&s->socket);
  g_clear_object (&s->conn);
  g_free (s);
}

/* Closes the connection and forgets it. */
static void
sniff_close (Sniff *s)
{
  if (s->socket != NULL)
    g_socket_close (s->socket, NULL);
  g_hash_table_remove (s->listener->sniffs, s);
}

static void
sniff_dispatch (Sniff *s, SvGnetSniff kind)
{
  SvListener *l = s->listener;
  const SvListenerCallbacks *cb = &l->cb;

  /* Stop watching before the owner takes the socket. */
  drop_source (&s->in_source);
  drop_source (&s->timer);
  switch (kind)
    {
    case SV_GNET_SNIFF_GNUTELLA:
      if (cb->gnutella != NULL)
        {
          cb->gnutella (l, s->conn, &s->remote, s->buf, s->len, l->user_data);
          g_hash_table_remove (l->sniffs, s);
          return;
        }
      break;
    case SV_GNET_SNIFF_GET:
    case SV_GNET_SNIFF_HEAD:
    case SV_GNET_SNIFF_HTTP_OTHER:
      if (cb->http != NULL)
        {
          cb->http (l, s->conn, &s->remote, kind, s->buf, s->len, l->user_data);
          g_hash_table_remove (l->sniffs, s);
          return;
        }
      break;
    case SV_GNET_SNIFF_GIV:
      if (cb->giv != NULL)
        {
          cb->giv (l, s->conn, &s->remote, s->buf, s->len, l->user_data);
          g_hash_table_remove (l->sniffs, s);
          return;
        }
      break;
    default:
      break;
    }
  l->stats.sniff_unknown++;
  g_debug ("closing a connection that sent %s bytes", sv_gnet_sniff_name (kind));
  sniff_close (s);
}

static gboolean
on_sniff_in (GSocket *socket, GIOCondition cond, gpointer user_data)
{
  Sniff *s = user_data;
  g_autoptr (GError) error = NULL;
  gssize n = g_socket_receive (s->socket, (char *) s->buf + s->len, SV_SNIFF_BYTES - s->len, NULL,
                               &error);
  SvGnetSniff kind;

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      /* Closed or failed before saying anything classifiable. */
      s->listener->stats.sniff_unknown++;
      sniff_close (s);
      return G_SOURCE_REMOVE;
    }
  s->len += (gsize) n;
  kind = sv_gnet_sniff (s->buf, s->len);
  if (kind == SV_GNET_SNIFF_NEED_MORE && s->len < SV_SNIFF_BYTES)
    return G_SOURCE_CONTINUE;
  if (kind == SV_GNET_SNIFF_NEED_MORE)
    kind = SV_GNET_SNIFF_UNKNOWN;
  sniff_dispatch (s, kind);
  return G_SOURCE_REMOVE;
}

static gboolean
on_sniff_timeout (gpointer user_data)
{
  Sniff *s = user_data;

  s->listener->stats.sniff_timeouts++;
  sniff_close (s);
  return G_SOURCE_REMOVE;
}

/* A sniffed connection's progress is the bytes it sent. */
static void
describe_sniff (gconstpointer key, SvAdmissionEntry *out)
{
  const Sniff *s = key;

  *out = (SvAdmissionEntry) { s->remote, s->since_us, (guint) s->len };
}

/* Whether a connection from @remote may be sniffed: its address and network get a share of the
 * places, and when all are taken the one that has sent the fewest bytes for the longest is
 * closed to make room (core/admission.h). Returns: FALSE to refuse it. */
static gboolean
make_room (SvListener *l, const SvHostAddr *remote)
{
  static const SvAdmissionConfig ac = {
    .max = SV_LISTENER_MAX_SNIFFING,
    .per_addr = SV_LISTENER_SNIFFING_PER_ADDR,
    .per_net = SV_LISTENER_SNIFFING_PER_NET,
    .protect = SV_SNIFF_BYTES,
    .caps_from = SV_LISTENER_MAX_SNIFFING / 4,
  };
  gpointer victim = NULL;

  switch (sv_admission_decide_in (&ac, l->sniffs, describe_sniff, remote, &victim))
    {
    case SV_ADMISSION_OK:
      return TRUE;
    case SV_ADMISSION_EVICT:
      l->stats.sniff_evicted++;
      sniff_close (victim);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
accept_one (SvListener *l, GSocket *sock)
{
  g_autoptr (GSocketConnection) conn = g_socket_connection_factory_create_connection (sock);
  g_autoptr (GSocketAddress) sa = g_socket_get_remote_address (sock, NULL);
  SvHostAddr remote;
  Sniff *s;

  l->stats.accepted++;
  g_socket_set_blocking (sock, FALSE);
  sv_socket_addr_to_host (sa, &remote);
  if (!make_room (l, &remote)
      || (l->cb.accept != NULL && l->cb.accept (l, &remote, l->user_data) == SV_LISTENER_REJECT))
    {
      l->stats.rejected++;
      g_socket_close (sock, NULL);
      return;
    }
  s = g_new0 (Sniff, 1);
  s->since_us = g_get_monotonic_time ();
  s->listener = l;
  s->conn = g_steal_pointer (&conn);
  s->socket = g_object_ref (sock);
  s->remote = remote;
  g_hash_table_add (l->sniffs, s);
  s->in_source = g_socket_create_source (sock, G_IO_IN, NULL);
  g_source_set_callback (s->in_source, G_SOURCE_FUNC (on_sniff_in), s, NULL);
  g_source_attach (s->in_source, l->context);
  s->timer = g_timeout_source_new ((guint) MIN (l->sniff_timeout_us / 1000, (gint64) G_MAXUINT));
  g_source_set_callback (s->timer, on_sniff_timeout, s, NULL);
  g_source_attach (s->timer, l->context);
}

static gboolean
on_tcp_in (GSocket *socket, GIOCondition cond, gpointer user_data)
{
  Bound *b = user_data;

  for (int i = 0; i < SV_LISTENER_ACCEPTS_PER_WAKEUP; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) sock = g_socket_accept (b->socket, NULL, &error);

      if (sock == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("accept: %s", error->message);
          break;
        }
      accept_one (b->listener, sock);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_udp_in (GSocket *socket, GIOCondition cond, gpointer user_data)
{
  Bound *b = user_data;
  SvListener *l = b->listener;

  for (int i = 0; i < SV_LISTENER_DATAGRAMS_PER_WAKEUP; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocketAddress) from = NULL;
      gssize n = g_socket_receive_from (b->socket, &from, (char *) l->dgram,
                                        SV_UDP_MAX_DATAGRAM_BYTES, NULL, &error);
      SvHostAddr addr;

      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("udp receive: %s", error->message);
          break;
        }
      if (!sv_socket_addr_to_host (from, &addr))
        continue;
      l->stats.datagrams_in++;
      if (l->cb.datagram != NULL)
        l->cb.datagram (l, &addr, l->dgram, (gsize) n, l->user_data);
    }
  return G_SOURCE_CONTINUE;
}

static Bound *
bind_one (SvListener *l, const SvHostAddr *addr, gboolean udp, GError **error)
{
  SvHostAddr at = *addr;
  g_autoptr (GSocketAddress) sa = NULL;
  g_autoptr (GSocket) sock = NULL;
  Bound *b;

  at.port = l->port;
  sa = sv_socket_addr_from_host (&at);
  if (sa == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no address family");
      return NULL;
    }
  sock = g_socket_new (at.family == SV_HOST_ADDR_IPV6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4,
                       udp ? G_SOCKET_TYPE_DATAGRAM : G_SOCKET_TYPE_STREAM,
                       udp ? G_SOCKET_PROTOCOL_UDP : G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return NULL;
  if (at.family == SV_HOST_ADDR_IPV6
      && !g_socket_set_option (sock, IPPROTO_IPV6, IPV6_V6ONLY, 1, error))
    return NULL;
  /* TCP: SO_REUSEADDR for a quick restart; UDP: no reuse (GLib would set SO_REUSEPORT). */
  if (!g_socket_bind (sock, sa, !udp, error))
    return NULL;
  if (!udp)
    {
      g_socket_set_listen_backlog (sock, 128);
      if (!g_socket_listen (sock, error))
        return NULL;
    }
  if (l->port == 0)
    {
      g_autoptr (GSocketAddress) local = g_socket_get_local_address (sock, error);
      if (local == NULL)
        return NULL;
      l->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_socket_set_blocking (sock, FALSE);
  b = g_new0 (Bound, 1);
  b->listener = l;
  b->udp = udp;
  b->socket = g_steal_pointer (&sock);
  b->source = g_socket_create_source (b->socket, G_IO_IN, NULL);
  g_source_set_callback (b->source, udp ? G_SOURCE_FUNC (on_udp_in) : G_SOURCE_FUNC (on_tcp_in), b,
                         NULL);
  g_source_attach (b->source, l->context);
  return b;
}

SvListener *
sv_listener_new (const SvHostAddr *addrs, guint n_addrs, gint64 sniff_timeout_us,
                 const SvListenerCallbacks *callbacks, gpointer user_data, GError **error)
{
  SvListener *l = g_new0 (SvListener, 1);

  if (callbacks != NULL)
    l->cb = *callbacks;
  l->user_data = user_data;
  l->context = g_main_context_ref_thread_default ();
  l->sniff_timeout_us = sniff_timeout_us > 0 ? sniff_timeout_us : 5 * G_USEC_PER_SEC;
  l->bound = g_ptr_array_new_with_free_func (bound_free);
  l->sniffs = g_hash_table_new_full (NULL, NULL, sniff_free, NULL);
  l->dgram = g_malloc (SV_UDP_MAX_DATAGRAM_BYTES);
  if (n_addrs == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no address to listen on");
      sv_listener_free (l);
      return NULL;
    }
  /* TCP first (a port 0 is settled by the first bind), then UDP on the same number. */
  for (int udp = 0; udp < 2; udp++)
    for (guint i = 0; i < n_addrs; i++)
      {
        Bound *b;

        if (i == 0 && udp == 0)
          l->port = addrs[0].port;
        b = bind_one (l, &addrs[i], udp, error);
        if (b == NULL)
          {
            char text[SV_HOST_ADDR_STRLEN];
            SvHostAddr at = addrs[i];

            at.port = l->port;
            g_prefix_error (error, "%s %s: ", udp ? "UDP" : "TCP",
                            sv_host_addr_format (&at, TRUE, text));
            sv_listener_free (l);
            return NULL;
          }
        g_ptr_array_add (l->bound, b);
      }
  return l;
}

void
sv_listener_free (SvListener *listener)
{
  if (listener == NULL)
    return;
  g_hash_table_destroy (listener->sniffs);
  g_ptr_array_unref (listener->bound);
  g_main_context_unref (listener->context);
  g_free (listener->dgram);
  g_free (listener);
}

guint16
sv_listener_port (const SvListener *listener)
{
  return listener->port;
}

gboolean
sv_listener_send_datagram (SvListener *listener, const SvHostAddr *to, const guint8 *data,
                           gsize len)
{
  g_autoptr (GSocketAddress) sa = sv_socket_addr_from_host (to);

  if (sa == NULL || len > SV_UDP_MAX_DATAGRAM_BYTES)
    return FALSE;
  for (guint i = 0; i < listener->bound->len; i++)
    {
      Bound *b = g_ptr_array_index (listener->bound, i);
      g_autoptr (GError) error = NULL;

      if (!b->udp || g_socket_get_family (b->socket) != g_socket_address_get_family (sa))
        continue;
      if (g_socket_send_to (b->socket, sa, (const char *) data, len, NULL, &error) < 0)
        {
          g_debug ("udp send: %s", error->message);
          return FALSE;
        }
      listener->stats.datagrams_out++;
      return TRUE;
    }
  return FALSE;
}

void
sv_listener_get_stats (const SvListener *listener, SvListenerStats *out)
{
  *out = listener->stats;
}
