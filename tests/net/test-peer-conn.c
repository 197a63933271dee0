/* test-peer-conn.c: one Gnutella link over real loopback sockets: handshake with and without
 * compression, 500 messages each way in order, byte counters, Bye both ways, an oversize length,
 * a deflate bomb, a trickled or garbage handshake, a peer that never reads, connect failure. */
#include "net-util.h"
#include "peer-conn.h"
#include "msg-bye.h"

#include <string.h>
#include <zlib.h>

#define N_MSGS 500
#define TEST_TIMEOUT_MS 15000

typedef struct {
  SvPeerConn *conn;
  gboolean established;
  gboolean closed;
  SvPeerConnCloseReason reason;
  char *detail;
  guint n_msgs;
  gboolean in_order;
  guint n_byes;
  guint16 bye_code;
  gsize max_memory;
  SvPeerConnStats stats;     /* taken just before the link was freed in `closed` */
  gboolean deflate_in;
  gboolean deflate_out;
  guint sent;
} Side;

typedef struct {
  GSocketListener *listener;
  guint16 port;
  Side server;
  SvHandshakeConfig server_hs;
  SvPeerConnConfig server_cfg;
  const SvPeerConnCallbacks *cbs;
} Server;

static void
on_established (SvPeerConn *conn, const SvHandshakeResult *r, gpointer user_data)
{
  Side *s = user_data;
  s->established = TRUE;
  s->deflate_in = r->deflate_in;
  s->deflate_out = r->deflate_out;
  ck_assert (sv_peer_conn_is_established (conn));
}

static void
on_message (SvPeerConn *conn, const SvMsgHeader *hdr, const guint8 *payload, gpointer user_data)
{
  Side *s = user_data;
  SvPeerConnStats st;

  sv_peer_conn_get_stats (conn, &st);
  s->max_memory = MAX (s->max_memory, st.memory_bytes);
  if (hdr->type == SV_MSG_BYE)
    {
      g_autoptr (SvBye) bye = NULL;
      s->n_byes++;
      ck_assert_int_eq (sv_bye_decode (payload, hdr->length, &bye), SV_STATUS_OK);
      s->bye_code = bye->code;
      return;
    }
  if (hdr->type == SV_MSG_VENDOR && !net_test_msg_check (hdr, payload, s->n_msgs))
    s->in_order = FALSE;
  s->n_msgs++;
}

/* Frees the link inside `closed` (the owner is allowed to). */
static void
on_closed (SvPeerConn *conn, SvPeerConnCloseReason reason, const SvHandshakeResult *r,
           const char *detail, gpointer user_data)
{
  Side *s = user_data;

  ck_assert (!s->closed);
  ck_assert_ptr_eq (conn, s->conn);
  s->closed = TRUE;
  s->reason = reason;
  s->detail = g_strdup (detail);
  sv_peer_conn_get_stats (conn, &s->stats);
  sv_peer_conn_free (conn);
  s->conn = NULL;
}

static const SvPeerConnCallbacks side_cbs = { on_established, on_message, on_closed };

static void
side_init (Side *s)
{
  memset (s, 0, sizeof *s);
  s->in_order = TRUE;
}

static void
side_clear (Side *s)
{
  sv_peer_conn_free (s->conn);
  g_free (s->detail);
  s->conn = NULL;
}

static void
on_accepted (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Server *srv = user_data;
  g_autoptr (GSocketConnection) c = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), res,
                                                                     NULL, NULL);
  if (c == NULL)
    return;
  ck_assert_ptr_null (srv->server.conn);
  srv->server.conn = sv_peer_conn_new_incoming (c, NULL, 0, &srv->server_hs, &srv->server_cfg,
                                                srv->cbs, &srv->server);
  ck_assert (!sv_peer_conn_is_outgoing (srv->server.conn));
  ck_assert_uint_eq (sv_peer_conn_remote (srv->server.conn)->family, 4);
}

static void
server_start (Server *srv, gboolean deflate)
{
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) eff = NULL;

  memset (srv, 0, sizeof *srv);
  side_init (&srv->server);
  srv->server_hs = net_hs_config (TRUE, deflate);
  sv_peer_conn_config_init (&srv->server_cfg);
  srv->cbs = &side_cbs;
  srv->listener = g_socket_listener_new ();
  ck_assert (g_socket_listener_add_address (srv->listener, sa, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL, &eff, NULL));
  srv->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (eff));
  g_socket_listener_accept_async (srv->listener, NULL, on_accepted, srv);
}

static void
server_stop (Server *srv)
{
  g_socket_listener_close (srv->listener);
  g_clear_object (&srv->listener);
  side_clear (&srv->server);
  net_run_for (10);
}

static SvPeerConn *
client_connect (Server *srv, Side *client, gboolean deflate, const SvPeerConnConfig *cfg)
{
  SvHandshakeConfig hs = net_hs_config (FALSE, deflate);
  SvHostAddr to = net_loopback (4, srv->port);

  side_init (client);
  client->conn = sv_peer_conn_new_outgoing (&to, &hs, cfg, &side_cbs, client);
  ck_assert (sv_peer_conn_is_outgoing (client->conn));
  ck_assert (!sv_peer_conn_is_established (client->conn));
  ck_assert (sv_host_addr_equal (sv_peer_conn_remote (client->conn), &to));
  return client->conn;
}

/* Keeps both sides' queues topped up (never past 16 KiB queued) until N_MSGS each went. */
static gboolean
pump (gpointer user_data)
{
  Side **sides = user_data;

  for (int i = 0; i < 2; i++)
    {
      Side *s = sides[i];
      SvPeerConnStats st;

      if (s->conn == NULL || !sv_peer_conn_is_established (s->conn))
        continue;
      sv_peer_conn_get_stats (s->conn, &st);
      while (s->sent < N_MSGS && st.queued_bytes < 16384)
        {
          g_autoptr (GBytes) m = net_test_msg (s->sent, (s->sent * 37) % 3000);
          ck_assert_int_eq (sv_peer_conn_send (s->conn, m, SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
          s->sent++;
          sv_peer_conn_get_stats (s->conn, &st);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
run_pair (gboolean deflate)
{
  Server srv;
  Side client;
  Side *sides[2] = { &client, &srv.server };
  GSource *p;
  gboolean both = FALSE;
  SvPeerConnStats cs, ss;
  gsize payload_total = 0;

  server_start (&srv, deflate);
  client_connect (&srv, &client, deflate, NULL);
  ck_assert (net_run_until (&client.established, TEST_TIMEOUT_MS));
  ck_assert (net_run_until (&srv.server.established, TEST_TIMEOUT_MS));
  ck_assert_int_eq (client.deflate_in, deflate);
  ck_assert_int_eq (client.deflate_out, deflate);
  ck_assert_int_eq (srv.server.deflate_in, deflate);
  ck_assert_int_eq (srv.server.deflate_out, deflate);
  ck_assert_uint_ne (sv_peer_conn_id (client.conn), 0);
  ck_assert_uint_ne (sv_peer_conn_id (client.conn), sv_peer_conn_id (srv.server.conn));
  ck_assert_str_eq (sv_peer_conn_handshake (client.conn)->user_agent, "servent-test-up/0.1");
  ck_assert_str_eq (sv_peer_conn_handshake (srv.server.conn)->user_agent, "servent-test-leaf/0.1");

  p = g_timeout_source_new (1);
  g_source_set_callback (p, pump, sides, NULL);
  g_source_attach (p, NULL);
  for (gint64 end = g_get_monotonic_time () + TEST_TIMEOUT_MS * 1000;
       g_get_monotonic_time () < end && !both;)
    {
      g_main_context_iteration (NULL, TRUE);
      both = client.n_msgs == N_MSGS && srv.server.n_msgs == N_MSGS;
    }
  g_source_destroy (p);
  g_source_unref (p);
  ck_assert_uint_eq (client.n_msgs, N_MSGS);
  ck_assert_uint_eq (srv.server.n_msgs, N_MSGS);
  ck_assert (client.in_order);
  ck_assert (srv.server.in_order);

  for (guint i = 0; i < N_MSGS; i++)
    payload_total += SV_MSG_HEADER_SIZE + (i * 37) % 3000;
  sv_peer_conn_get_stats (client.conn, &cs);
  sv_peer_conn_get_stats (srv.server.conn, &ss);
  ck_assert_uint_eq (cs.msgs_out, N_MSGS);
  ck_assert_uint_eq (cs.msgs_in, N_MSGS);
  ck_assert_uint_eq (ss.msgs_in, N_MSGS);
  ck_assert_uint_eq (cs.bytes_out, payload_total);
  ck_assert_uint_eq (cs.bytes_in, payload_total);
  ck_assert_uint_eq (ss.bytes_in, payload_total);
  ck_assert_uint_eq (ss.bytes_out, payload_total);
  ck_assert_uint_eq (cs.queued_bytes, 0);
  ck_assert_int_gt (cs.established_us, 0);
  ck_assert_int_ge (cs.established_us, cs.created_us);
  /* What the socket carried: the handshake plus the stream, compressed or not. */
  ck_assert_uint_eq (cs.wire_bytes_out, ss.wire_bytes_in);
  ck_assert_uint_eq (ss.wire_bytes_out, cs.wire_bytes_in);
  if (deflate)
    {
      ck_assert_uint_lt (cs.wire_bytes_out, payload_total / 2);
      ck_assert_uint_lt (ss.wire_bytes_out, payload_total / 2);
      ck_assert_uint_gt (cs.memory_bytes, 40000);
    }
  else
    {
      ck_assert_uint_gt (cs.wire_bytes_out, payload_total);
      ck_assert_uint_lt (cs.wire_bytes_out, payload_total + 4096);
    }
  ck_assert_uint_lt (cs.memory_bytes, 400 * 1024);

  /* The client says Bye: the server sees the Bye message, then BYE; the client BY_US. */
  sv_peer_conn_bye (client.conn, SV_BYE_SHUTDOWN, "test over");
  ck_assert_int_eq (sv_peer_conn_send (client.conn, g_bytes_new_static ("x", 1), SV_SEND_ROUTED, 0),
                    SV_SEND_DROPPED);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert (net_run_until (&client.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (srv.server.n_byes, 1);
  ck_assert_uint_eq (srv.server.bye_code, 200);
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_BYE);
  ck_assert_int_eq (client.reason, SV_PEER_CONN_CLOSED_BY_US);
  ck_assert_ptr_null (client.conn);
  ck_assert_ptr_null (srv.server.conn);
  side_clear (&client);
  server_stop (&srv);
}

START_TEST (test_pair_plain)
{
  run_pair (FALSE);
}
END_TEST

START_TEST (test_pair_deflate)
{
  run_pair (TRUE);
}
END_TEST

/* --- Raw peers in a thread --- */

typedef struct {
  guint16 port;
  gboolean deflate;
  int rcvbuf;
  GByteArray *payload;       /* sent after the handshake */
  gint stop;                 /* atomic: the main thread asks the raw peer to stop */
  SvHandshakeState hs_state;
  GByteArray *got;           /* after the handshake, until EOF */
  const char *script;        /* sent raw instead of a handshake */
  guint trickle_ms;          /* > 0: the script one byte at a time */
} Raw;

static gpointer
raw_thread (gpointer data)
{
  Raw *r = data;
  SvHostAddr to = net_loopback (4, r->port);
  g_autoptr (GSocket) s = raw_connect (&to, r->rcvbuf);

  r->got = g_byte_array_new ();
  if (s == NULL)
    return NULL;
  if (r->script != NULL)
    {
      for (const char *c = r->script; *c != '\0' && !g_atomic_int_get (&r->stop); )
        {
          gsize n = r->trickle_ms > 0 ? 1 : strlen (c);
          if (!raw_send_all (s, (const guint8 *) c, n))
            break;
          c += n;
          if (r->trickle_ms > 0)
            g_usleep (r->trickle_ms * 1000);
        }
    }
  else
    {
      r->hs_state = raw_handshake (s, r->deflate, r->got);
      if (r->hs_state == SV_HANDSHAKE_ESTABLISHED && r->payload != NULL)
        raw_send_all (s, r->payload->data, r->payload->len);
    }
  if (r->rcvbuf > 0)
    {
      /* Never read: wait until told to stop. */
      while (!g_atomic_int_get (&r->stop))
        g_usleep (10000);
      return NULL;
    }
  {
    g_autoptr (GByteArray) rest = raw_read_all (s, 1u << 20);
    g_byte_array_append (r->got, rest->data, rest->len);
  }
  return NULL;
}

static GThread *
raw_start (Raw *r, Server *srv)
{
  r->port = srv->port;
  return g_thread_new ("raw", raw_thread, r);
}

static void
raw_clear (Raw *r, GThread *t)
{
  g_atomic_int_set (&r->stop, 1);
  if (t != NULL)
    g_thread_join (t);
  if (r->payload != NULL)
    g_byte_array_unref (r->payload);
  if (r->got != NULL)
    g_byte_array_unref (r->got);
}

/* A Query header announcing 70,000 bytes: the link gets Bye 400 and is closed as OVERSIZE
 * before any payload is read. */
START_TEST (test_oversize)
{
  Server srv;
  Raw r = { .deflate = FALSE };
  GThread *t;
  SvMsgHeader hdr = { .type = SV_MSG_QUERY, .ttl = 3, .length = 70000 };
  guint8 head[SV_MSG_HEADER_SIZE];
  SvMsgHeader bh;
  gsize total;

  server_start (&srv, FALSE);
  sv_msg_header_encode (&hdr, head);
  r.payload = g_byte_array_new ();
  g_byte_array_append (r.payload, head, sizeof head);
  g_byte_array_append (r.payload, (const guint8 *) "abc", 3);
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_OVERSIZE);
  ck_assert_uint_eq (srv.server.n_msgs, 0);
  g_thread_join (t);
  /* The raw peer read a Bye 400, then EOF. */
  ck_assert_int_eq (r.hs_state, SV_HANDSHAKE_ESTABLISHED);
  ck_assert_int_eq (sv_msg_header_frame (r.got->data, r.got->len, &bh, &total), SV_STATUS_OK);
  ck_assert_uint_eq (bh.type, SV_MSG_BYE);
  ck_assert_uint_eq (total, r.got->len);
  ck_assert_uint_eq (r.got->data[SV_MSG_HEADER_SIZE] | (r.got->data[SV_MSG_HEADER_SIZE + 1] << 8), 400);
  raw_clear (&r, NULL);
  server_stop (&srv);
}
END_TEST

/* The Bye 400 goes out compressed when the link deflates. */
START_TEST (test_oversize_deflated)
{
  Server srv;
  Raw r = { .deflate = TRUE };
  GThread *t;
  SvMsgHeader hdr = { .type = SV_MSG_PING, .ttl = 1, .length = 50000 };
  guint8 head[SV_MSG_HEADER_SIZE];
  guint8 z[256];
  uLongf zlen = sizeof z;
  g_autoptr (GByteArray) plain = NULL;
  SvMsgHeader bh;
  gsize total;

  server_start (&srv, TRUE);
  sv_msg_header_encode (&hdr, head);
  ck_assert_int_eq (compress (z, &zlen, head, sizeof head), Z_OK);
  r.payload = g_byte_array_new ();
  g_byte_array_append (r.payload, z, (guint) zlen - 4);   /* no Adler-32 trailer: stream goes on */
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_OVERSIZE);
  g_thread_join (t);
  plain = raw_inflate (r.got->data, r.got->len);
  ck_assert_int_eq (sv_msg_header_frame (plain->data, plain->len, &bh, &total), SV_STATUS_OK);
  ck_assert_uint_eq (bh.type, SV_MSG_BYE);
  ck_assert_uint_eq (plain->data[SV_MSG_HEADER_SIZE], 400 & 0xff);
  raw_clear (&r, NULL);
  server_stop (&srv);
}
END_TEST

/* A few KiB of deflate stream that inflates to 16 MiB of zeros (which frame as empty pings):
 * cut as INFLATE after bounded work, with bounded memory. */
START_TEST (test_deflate_bomb)
{
  Server srv;
  Raw r = { .deflate = TRUE };
  GThread *t;
  z_stream z = { 0 };
  g_autofree guint8 *zeros = g_malloc0 (1u << 20);
  g_autofree guint8 *out = g_malloc (1u << 20);

  ck_assert_int_eq (deflateInit (&z, 9), Z_OK);
  r.payload = g_byte_array_new ();
  for (int i = 0; i < 16; i++)
    {
      z.next_in = zeros;
      z.avail_in = 1u << 20;
      z.next_out = out;
      z.avail_out = 1u << 20;
      ck_assert_int_eq (deflate (&z, i == 15 ? Z_SYNC_FLUSH : Z_NO_FLUSH), Z_OK);
      g_byte_array_append (r.payload, out, (guint) ((1u << 20) - z.avail_out));
    }
  deflateEnd (&z);
  ck_assert_uint_lt (r.payload->len, 32 * 1024);

  server_start (&srv, TRUE);
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_INFLATE);
  ck_assert_uint_le (srv.server.stats.bytes_in,
                     SV_LINK_INFLATE_FREE_BYTES + SV_INFLATE_MAX_RATIO * (guint64) r.payload->len
                     + SV_LINK_READ_CHUNK_BYTES);
  ck_assert_uint_lt (srv.server.stats.bytes_in, 4u << 20);
  ck_assert_uint_lt (srv.server.max_memory, 512 * 1024);
  raw_clear (&r, t);
  server_stop (&srv);
}
END_TEST

/* A corrupt deflate stream is INFLATE too. */
START_TEST (test_deflate_corrupt)
{
  Server srv;
  Raw r = { .deflate = TRUE };
  GThread *t;

  r.payload = g_byte_array_new ();
  g_byte_array_append (r.payload, (const guint8 *) "\x78\x9c\xff\xff\xff\xff garbage", 14);
  server_start (&srv, TRUE);
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_INFLATE);
  raw_clear (&r, t);
  server_stop (&srv);
}
END_TEST

/* One byte every 200 ms against a 1 s handshake timeout. */
START_TEST (test_trickled_handshake)
{
  Server srv;
  Raw r = { .script = "GNUTELLA CONNECT/0.6\r\nUser-Agent: slow\r\n\r\n", .trickle_ms = 200 };
  GThread *t;
  gint64 t0 = g_get_monotonic_time ();

  server_start (&srv, FALSE);
  srv.server_cfg.handshake_timeout_us = G_USEC_PER_SEC;
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_TIMEOUT);
  ck_assert_int_ge (g_get_monotonic_time () - t0, 900 * 1000);
  ck_assert_int_lt (g_get_monotonic_time () - t0, 5 * G_USEC_PER_SEC);
  ck_assert (!srv.server.established);
  raw_clear (&r, t);
  server_stop (&srv);
}
END_TEST

/* Bytes that are no handshake. */
START_TEST (test_garbage_handshake)
{
  Server srv;
  Raw r = { .script = "HELLO\x01\x02\x03 this is not gnutella\r\n\r\n" };
  GThread *t;

  server_start (&srv, FALSE);
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert (srv.server.reason == SV_PEER_CONN_CLOSED_HANDSHAKE
             || srv.server.reason == SV_PEER_CONN_CLOSED_REFUSED);
  ck_assert (!srv.server.established);
  raw_clear (&r, t);
  server_stop (&srv);
}
END_TEST

/* An acceptor that is busy: 503 refused, seen by the outgoing side as REFUSED with the code. */
static void
on_refused_closed (SvPeerConn *conn, SvPeerConnCloseReason reason, const SvHandshakeResult *r,
                   const char *detail, gpointer user_data)
{
  Side *s = user_data;
  ck_assert_ptr_nonnull (r);
  s->bye_code = (guint16) r->code;
  on_closed (conn, reason, r, detail, user_data);
}

START_TEST (test_refused)
{
  Server srv;
  Side client;
  SvPeerConnCallbacks cbs = side_cbs;
  SvHandshakeConfig hs = net_hs_config (FALSE, FALSE);
  SvHostAddr to;

  server_start (&srv, FALSE);
  srv.server_hs.leaf_count = 300;   /* full of leaves */
  srv.server_hs.up_count = 32;
  to = net_loopback (4, srv.port);
  cbs.closed = on_refused_closed;
  side_init (&client);
  client.conn = sv_peer_conn_new_outgoing (&to, &hs, NULL, &cbs, &client);
  ck_assert (net_run_until (&client.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (client.reason, SV_PEER_CONN_CLOSED_REFUSED);
  ck_assert_uint_eq (client.bye_code, 503);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_REFUSED);
  side_clear (&client);
  server_stop (&srv);
}
END_TEST

/* The peer never reads while we send routed traffic: the queue reaches its hard cap, the send
 * is answered KICK (Bye 502) and the link closes as SEND_QUEUE within the 2 s linger. */
static gboolean
flood (gpointer user_data)
{
  Side *s = user_data;
  SvSendVerdict v = SV_SEND_QUEUED;

  if (s->conn == NULL || !sv_peer_conn_is_established (s->conn))
    return G_SOURCE_CONTINUE;
  for (int i = 0; i < 8 && v == SV_SEND_QUEUED; i++)
    {
      g_autoptr (GBytes) m = net_test_msg (s->sent, 1000);
      v = sv_peer_conn_send (s->conn, m, SV_SEND_ROUTED, 0);
      if (v == SV_SEND_KICK)
        s->n_byes++;
      s->sent++;
    }
  return v == SV_SEND_KICK ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

START_TEST (test_send_queue_full)
{
  Server srv;
  Raw r = { .deflate = FALSE, .rcvbuf = 4096 };
  GThread *t;
  GSource *f;
  gint64 t0;

  server_start (&srv, FALSE);
  srv.server_cfg.send_queue.low_watermark = 2048;
  srv.server_cfg.send_queue.high_watermark = 4096;
  srv.server_cfg.send_queue.hard_cap = 8192;
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.established, TEST_TIMEOUT_MS));
  f = g_timeout_source_new (1);
  g_source_set_callback (f, flood, &srv.server, NULL);
  g_source_attach (f, NULL);
  t0 = g_get_monotonic_time ();
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  g_source_destroy (f);
  g_source_unref (f);
  ck_assert_uint_eq (srv.server.n_byes, 1);
  ck_assert_int_eq (srv.server.reason, SV_PEER_CONN_CLOSED_SEND_QUEUE);
  ck_assert_int_lt (g_get_monotonic_time () - t0, 8 * G_USEC_PER_SEC);
  ck_assert_uint_le (srv.server.stats.queued_bytes, 0);
  raw_clear (&r, t);
  server_stop (&srv);
}
END_TEST

/* The owner frees the link inside `message` while more messages wait in the same read: no
 * further callback, nothing touched after the free (ASan run). */
static void
on_message_free (SvPeerConn *conn, const SvMsgHeader *hdr, const guint8 *payload,
                 gpointer user_data)
{
  Side *s = user_data;

  s->n_msgs++;
  if (s->n_msgs == 3)
    {
      sv_peer_conn_free (conn);
      s->conn = NULL;
      s->closed = TRUE;   /* ends the wait; `closed` itself must never come */
    }
}

START_TEST (test_free_inside_message)
{
  Server srv;
  Raw r = { .deflate = FALSE };
  GThread *t;
  static const SvPeerConnCallbacks free_cbs = { on_established, on_message_free, on_closed };

  server_start (&srv, FALSE);
  r.payload = g_byte_array_new ();
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr (GBytes) m = net_test_msg (i, 50);
      g_byte_array_append (r.payload, g_bytes_get_data (m, NULL), (guint) g_bytes_get_size (m));
    }
  srv.cbs = &free_cbs;
  t = raw_start (&r, &srv);
  ck_assert (net_run_until (&srv.server.closed, TEST_TIMEOUT_MS));
  net_run_for (100);
  ck_assert_uint_eq (srv.server.n_msgs, 3);
  raw_clear (&r, t);
  g_socket_listener_close (srv.listener);
  g_clear_object (&srv.listener);
  g_free (srv.server.detail);
}
END_TEST

/* Nobody listens: IO_ERROR from idle, never from inside the constructor. */
START_TEST (test_connect_refused)
{
  Server srv;
  Side client;
  guint16 port;

  server_start (&srv, FALSE);
  port = srv.port;
  server_stop (&srv);
  srv.port = port;
  client_connect (&srv, &client, FALSE, NULL);
  ck_assert (!client.closed);
  ck_assert (net_run_until (&client.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (client.reason, SV_PEER_CONN_CLOSED_IO_ERROR);
  side_clear (&client);
}
END_TEST

/* sv_peer_conn_close() and sv_peer_conn_free() before anything happened. */
START_TEST (test_close_and_free_early)
{
  Server srv;
  Side a, b;

  server_start (&srv, FALSE);
  client_connect (&srv, &a, FALSE, NULL);
  sv_peer_conn_close (a.conn);
  ck_assert (!a.closed);
  ck_assert (net_run_until (&a.closed, TEST_TIMEOUT_MS));
  ck_assert_int_eq (a.reason, SV_PEER_CONN_CLOSED_BY_US);
  client_connect (&srv, &b, FALSE, NULL);
  sv_peer_conn_free (b.conn);
  b.conn = NULL;
  net_run_for (200);
  ck_assert (!b.closed);
  side_clear (&a);
  side_clear (&b);
  server_stop (&srv);
}
END_TEST

START_TEST (test_reason_names)
{
  ck_assert_str_eq (sv_peer_conn_close_reason_name (SV_PEER_CONN_CLOSED_EOF), "eof");
  ck_assert_str_eq (sv_peer_conn_close_reason_name (SV_PEER_CONN_CLOSED_SEND_QUEUE), "send-queue");
  ck_assert_str_eq (sv_peer_conn_close_reason_name (SV_PEER_CONN_N_CLOSE_REASONS), "unknown");
  for (int i = 0; i < SV_PEER_CONN_N_CLOSE_REASONS; i++)
    ck_assert_str_ne (sv_peer_conn_close_reason_name (i), "unknown");
}
END_TEST

static Suite *
peer_conn_suite (void)
{
  Suite *s = suite_create ("peer-conn");
  TCase *tc = tcase_create ("loopback");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_reason_names);
  tcase_add_test (tc, test_pair_plain);
  tcase_add_test (tc, test_pair_deflate);
  tcase_add_test (tc, test_oversize);
  tcase_add_test (tc, test_oversize_deflated);
  tcase_add_test (tc, test_deflate_bomb);
  tcase_add_test (tc, test_deflate_corrupt);
  tcase_add_test (tc, test_trickled_handshake);
  tcase_add_test (tc, test_garbage_handshake);
  tcase_add_test (tc, test_refused);
  tcase_add_test (tc, test_send_queue_full);
  tcase_add_test (tc, test_free_inside_message);
  tcase_add_test (tc, test_connect_refused);
  tcase_add_test (tc, test_close_and_free_early);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (peer_conn_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
