/* test-listener.c: the Gnutella port over loopback: dispatch by the first bytes (Gnutella, GET,
 * HEAD, another method, GIV, unknown, TLS, silence), accept() refusals, UDP both ways on the TCP
 * port, IPv4 and IPv6 side by side, a port in use, and a whole link handed to a peer-conn. */
#include "listener.h"
#include "net-util.h"
#include "peer-conn.h"
#include "socket-addr.h"

#include <string.h>

#define WAIT_MS 10000

typedef struct {
  SvListener *l;
  gboolean got;              /* a dispatch happened */
  const char *kind;          /* "gnutella", "get", … */
  guint8 prefix[64];
  gsize prefix_len;
  SvHostAddr remote;
  SvListenerVerdict verdict;
  guint accepts;
  gboolean got_dgram;
  guint8 dgram[256];
  gsize dgram_len;
  SvHostAddr dgram_from;
  GSocketConnection *keep;   /* a gnutella connection taken by the test */
  /* peer-conn pair */
  SvPeerConn *incoming;
  gboolean in_established;
  gboolean out_established;
  guint in_msgs;
  guint out_msgs;
  gboolean in_closed;
  gboolean out_closed;
} Ctx;

static SvListenerVerdict
on_accept (SvListener *l, const SvHostAddr *remote, gpointer user_data)
{
  Ctx *c = user_data;
  c->accepts++;
  c->remote = *remote;
  if (c->verdict == SV_LISTENER_REJECT)
    c->got = TRUE;
  return c->verdict;
}

static void
record (Ctx *c, const char *kind, const SvHostAddr *remote, const guint8 *prefix, gsize len)
{
  ck_assert (!c->got);
  ck_assert_uint_le (len, SV_SNIFF_BYTES);
  ck_assert (sv_host_addr_same_ip (remote, &c->remote));
  c->got = TRUE;
  c->kind = kind;
  memcpy (c->prefix, prefix, len);
  c->prefix_len = len;
}

static void
on_gnutella (SvListener *l, GSocketConnection *conn, const SvHostAddr *remote,
             const guint8 *prefix, gsize prefix_len, gpointer user_data)
{
  Ctx *c = user_data;
  record (c, "gnutella", remote, prefix, prefix_len);
  c->keep = g_object_ref (conn);
}

static void
on_http (SvListener *l, GSocketConnection *conn, const SvHostAddr *remote, SvGnetSniff kind,
         const guint8 *prefix, gsize prefix_len, gpointer user_data)
{
  record (user_data, sv_gnet_sniff_name (kind), remote, prefix, prefix_len);
}

static void
on_giv (SvListener *l, GSocketConnection *conn, const SvHostAddr *remote, const guint8 *prefix,
        gsize prefix_len, gpointer user_data)
{
  record (user_data, "giv", remote, prefix, prefix_len);
}

static void
on_datagram (SvListener *l, const SvHostAddr *from, const guint8 *data, gsize len,
             gpointer user_data)
{
  Ctx *c = user_data;
  c->got_dgram = TRUE;
  c->dgram_len = MIN (len, sizeof c->dgram);
  memcpy (c->dgram, data, c->dgram_len);
  c->dgram_from = *from;
}

static const SvListenerCallbacks cbs = { on_accept, on_gnutella, on_http, on_giv, on_datagram };

static void
ctx_start (Ctx *c, gint64 sniff_timeout_us)
{
  SvHostAddr any = { .family = 4 };
  g_autoptr (GError) error = NULL;

  memset (c, 0, sizeof *c);
  c->l = sv_listener_new (&any, 1, sniff_timeout_us, &cbs, c, &error);
  ck_assert_msg (c->l != NULL, "listen: %s", error ? error->message : "?");
  ck_assert_uint_ne (sv_listener_port (c->l), 0);
}

static void
ctx_stop (Ctx *c)
{
  sv_peer_conn_free (c->incoming);
  g_clear_object (&c->keep);
  sv_listener_free (c->l);
  net_run_for (10);
}

/* Connects, sends @bytes, runs until a dispatch, returns the client socket (still open). */
static GSocket *
send_first_bytes (Ctx *c, const char *bytes, gsize len, guint wait_ms)
{
  SvHostAddr to = net_loopback (4, sv_listener_port (c->l));
  GSocket *s = raw_connect (&to, 0);

  ck_assert_ptr_nonnull (s);
  if (len > 0)
    ck_assert (raw_send_all (s, (const guint8 *) bytes, len));
  net_run_until (&c->got, wait_ms);
  return s;
}

/* The peer sees the listener close the connection (EOF or reset). */
static void
assert_closed_by_listener (GSocket *s)
{
  g_autoptr (GByteArray) rest = NULL;

  g_socket_set_timeout (s, 5);
  rest = raw_read_all (s, 4096);
  ck_assert_uint_eq (rest->len, 0);
}

#define CASE(text, kind) { text, sizeof (text) - 1, kind }

static const struct {
  const char *bytes;
  gsize len;
  const char *kind;          /* NULL: closed and counted as unknown */
} sniff_cases[] = {
  CASE ("GNUTELLA CONNECT/0.6\r\nUser-Agent: x\r\n\r\n", "gnutella"),
  CASE ("GET /uri-res/N2R?urn:sha1:ABC HTTP/1.1\r\n\r\n", "get"),
  CASE ("HEAD /get/1/a.txt HTTP/1.1\r\n\r\n", "head"),
  CASE ("POST /x HTTP/1.1\r\n\r\n", "http-other"),
  CASE ("GIV 0:0123456789abcdef0123456789abcdef/a.txt\n\n", "giv"),
  CASE ("\x00\x01\x02\x03 binary junk here", NULL),
  /* A TLS 1.2 ClientHello record header and the start of the handshake. */
  CASE ("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x12\x34\x56\x78\x9a\xbc", NULL),
};

START_TEST (test_sniff_dispatch)
{
  Ctx c;
  g_autoptr (GSocket) s = NULL;
  SvListenerStats st;
  gsize want;

  ctx_start (&c, 0);
  s = send_first_bytes (&c, sniff_cases[_i].bytes, sniff_cases[_i].len,
                        sniff_cases[_i].kind != NULL ? WAIT_MS : 100);
  ck_assert_uint_eq (c.accepts, 1);
  sv_listener_get_stats (c.l, &st);
  ck_assert_uint_eq (st.accepted, 1);
  if (sniff_cases[_i].kind != NULL)
    {
      ck_assert (c.got);
      ck_assert_str_eq (c.kind, sniff_cases[_i].kind);
      /* The prefix is what the peer sent, cut where the classification was settled. */
      want = MIN (sniff_cases[_i].len, (gsize) SV_SNIFF_BYTES);
      ck_assert_uint_ge (c.prefix_len, 4);
      ck_assert_uint_le (c.prefix_len, want);
      ck_assert_mem_eq (c.prefix, sniff_cases[_i].bytes, c.prefix_len);
      ck_assert_uint_eq (st.sniff_unknown, 0);
    }
  else
    {
      gboolean counted = FALSE;
      for (int i = 0; i < 200 && !counted; i++)
        {
          net_run_for (10);
          sv_listener_get_stats (c.l, &st);
          counted = st.sniff_unknown == 1;
        }
      ck_assert (counted);
      ck_assert (!c.got);
      assert_closed_by_listener (s);
    }
  ctx_stop (&c);
}
END_TEST

/* A connection that says nothing is closed when the sniff timeout runs out. */
START_TEST (test_sniff_silence)
{
  Ctx c;
  g_autoptr (GSocket) s = NULL;
  SvListenerStats st = { 0 };
  gint64 t0 = g_get_monotonic_time ();

  ctx_start (&c, 300 * 1000);
  s = send_first_bytes (&c, NULL, 0, 50);
  ck_assert (!c.got);
  for (int i = 0; i < 300 && st.sniff_timeouts == 0; i++)
    {
      net_run_for (10);
      sv_listener_get_stats (c.l, &st);
    }
  ck_assert_uint_eq (st.sniff_timeouts, 1);
  ck_assert_int_ge (g_get_monotonic_time () - t0, 250 * 1000);
  assert_closed_by_listener (s);
  ctx_stop (&c);
}
END_TEST

/* Two bytes, a pause, then the rest: still one Gnutella dispatch with the whole prefix. */
START_TEST (test_sniff_split)
{
  Ctx c;
  g_autoptr (GSocket) s = NULL;

  ctx_start (&c, 0);
  s = send_first_bytes (&c, "GN", 2, 200);
  ck_assert (!c.got);
  ck_assert (raw_send_all (s, (const guint8 *) "UTELLA CONNECT/0.6\r\n", 20));
  ck_assert (net_run_until (&c.got, WAIT_MS));
  ck_assert_str_eq (c.kind, "gnutella");
  ck_assert_uint_ge (c.prefix_len, 3);
  ck_assert_mem_eq (c.prefix, "GNUTELLA CONNECT/0.6", c.prefix_len);
  ctx_stop (&c);
}
END_TEST

START_TEST (test_accept_reject)
{
  Ctx c;
  g_autoptr (GSocket) s = NULL;
  SvListenerStats st;

  ctx_start (&c, 0);
  c.verdict = SV_LISTENER_REJECT;
  s = send_first_bytes (&c, "GNUTELLA CONNECT/0.6\r\n", 22, WAIT_MS);
  ck_assert_uint_eq (c.accepts, 1);
  ck_assert_ptr_null (c.kind);
  ck_assert_uint_eq (c.remote.family, 4);
  ck_assert_mem_eq (c.remote.ip, "\x7f\x00\x00\x01", 4);
  sv_listener_get_stats (c.l, &st);
  ck_assert_uint_eq (st.rejected, 1);
  assert_closed_by_listener (s);
  ctx_stop (&c);
}
END_TEST

/* A blocking socket connected to the listener from @src (a loopback address). */
static GSocket *
connect_from (Ctx *c, const char *src)
{
  g_autoptr (GInetAddress) ia = g_inet_address_new_from_string (src);
  g_autoptr (GSocketAddress) local = g_inet_socket_address_new (ia, 0);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) to = g_inet_socket_address_new (lo, sv_listener_port (c->l));
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

  ck_assert_ptr_nonnull (s);
  ck_assert (g_socket_bind (s, local, TRUE, NULL));
  ck_assert (g_socket_connect (s, to, NULL, NULL));
  return s;
}

/* Every sniffing place held by a silent connection: a newcomer that speaks takes the place of
 * the oldest silent one instead of being turned away; a burst from one address is capped once
 * the table fills up. */
START_TEST (test_silent_flood)
{
  Ctx c;
  GSocket *silent[SV_LISTENER_MAX_SNIFFING];
  g_autoptr (GSocket) newcomer = NULL;
  SvListenerStats st;
  guint8 b;

  ctx_start (&c, 60 * G_USEC_PER_SEC);
  for (guint i = 0; i < SV_LISTENER_MAX_SNIFFING; i++)
    {
      g_autofree char *src = g_strdup_printf ("127.9.%u.%u", i / 32, i % 32 + 1);
      silent[i] = connect_from (&c, src);
      if (i % 16 == 15)
        net_run_for (5);
    }
  for (int i = 0; i < 200 && c.accepts < SV_LISTENER_MAX_SNIFFING; i++)
    net_run_for (10);
  ck_assert_uint_eq (c.accepts, SV_LISTENER_MAX_SNIFFING);
  sv_listener_get_stats (c.l, &st);
  ck_assert_uint_eq (st.sniff_evicted, 0);

  newcomer = connect_from (&c, "127.10.0.1");
  ck_assert (raw_send_all (newcomer, (const guint8 *) "GNUTELLA CONNECT/0.6\r\n", 22));
  ck_assert (net_run_until (&c.got, WAIT_MS));
  ck_assert_str_eq (c.kind, "gnutella");
  sv_listener_get_stats (c.l, &st);
  ck_assert_uint_eq (st.sniff_evicted, 1);
  ck_assert_uint_eq (st.rejected, 0);
  /* The oldest silent connection gave its place up. */
  g_socket_set_timeout (silent[0], 5);
  ck_assert_int_le (g_socket_receive (silent[0], (char *) &b, 1, NULL, NULL), 0);

  /* Nine more from one address while the table is full: eight get places (the first the one the
   * newcomer left when it was handed over, seven taking old silent ones'), the ninth is refused. */
  GSocket *burst[9];
  for (guint i = 0; i < 9; i++)
    {
      burst[i] = connect_from (&c, "127.11.0.1");
      net_run_for (20);
    }
  net_run_for (50);
  sv_listener_get_stats (c.l, &st);
  ck_assert_uint_eq (st.rejected, 1);
  ck_assert_uint_eq (st.sniff_evicted, 1 + 7);

  for (guint i = 0; i < 9; i++)
    g_object_unref (burst[i]);
  for (guint i = 0; i < SV_LISTENER_MAX_SNIFFING; i++)
    g_object_unref (silent[i]);
  ctx_stop (&c);
}
END_TEST

/* UDP on the TCP port number, both ways. */
START_TEST (test_udp_both_ways)
{
  Ctx c;
  g_autoptr (GSocket) u = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                        G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) to = NULL;
  g_autoptr (GSocketAddress) mine = NULL;
  SvHostAddr me;
  SvListenerStats st;
  char back[64];
  gssize n;

  ctx_start (&c, 0);
  ck_assert (g_socket_bind (u, any, FALSE, NULL));
  mine = g_socket_get_local_address (u, NULL);
  sv_socket_addr_to_host (mine, &me);
  to = g_inet_socket_address_new (lo, sv_listener_port (c.l));
  ck_assert_int_eq (g_socket_send_to (u, to, "PING-UDP", 8, NULL, NULL), 8);
  ck_assert (net_run_until (&c.got_dgram, WAIT_MS));
  ck_assert_uint_eq (c.dgram_len, 8);
  ck_assert_mem_eq (c.dgram, "PING-UDP", 8);
  ck_assert (sv_host_addr_equal (&c.dgram_from, &me));

  ck_assert (sv_listener_send_datagram (c.l, &me, (const guint8 *) "PONG-UDP!", 9));
  g_socket_set_timeout (u, 5);
  n = g_socket_receive (u, back, sizeof back, NULL, NULL);
  ck_assert_int_eq (n, 9);
  ck_assert_mem_eq (back, "PONG-UDP!", 9);
  sv_listener_get_stats (c.l, &st);
  ck_assert_uint_eq (st.datagrams_in, 1);
  ck_assert_uint_eq (st.datagrams_out, 1);
  /* Over the cap, or to no family we listen on: refused. */
  {
    g_autofree guint8 *big = g_malloc0 (SV_UDP_MAX_DATAGRAM_BYTES + 1);
    SvHostAddr six = net_loopback (6, 6346);
    ck_assert (!sv_listener_send_datagram (c.l, &me, big, SV_UDP_MAX_DATAGRAM_BYTES + 1));
    ck_assert (!sv_listener_send_datagram (c.l, &six, big, 10));
  }
  ctx_stop (&c);
}
END_TEST

static gboolean
ipv6_available (void)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (lo, 0);

  return s != NULL && g_socket_bind (s, sa, FALSE, NULL);
}

/* 0.0.0.0 and [::] on one port; Gnutella and UDP over ::1 and 127.0.0.1. */
START_TEST (test_dual_stack)
{
  SvHostAddr addrs[2] = { { .family = 4 }, { .family = 6 } };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) s4 = NULL;
  g_autoptr (GSocket) s6 = NULL;
  SvHostAddr to;
  Ctx c;

  if (!ipv6_available ())
    {
      g_printerr ("test_dual_stack: no IPv6 loopback here, skipped\n");
      return;
    }
  memset (&c, 0, sizeof c);
  c.l = sv_listener_new (addrs, 2, 0, &cbs, &c, &error);
  ck_assert_msg (c.l != NULL, "listen: %s", error ? error->message : "?");

  to = net_loopback (6, sv_listener_port (c.l));
  s6 = raw_connect (&to, 0);
  ck_assert_ptr_nonnull (s6);
  ck_assert (raw_send_all (s6, (const guint8 *) "GNUTELLA CONNECT/0.6\r\n", 22));
  ck_assert (net_run_until (&c.got, WAIT_MS));
  ck_assert_str_eq (c.kind, "gnutella");
  ck_assert_uint_eq (c.remote.family, 6);
  g_clear_object (&c.keep);

  c.got = FALSE;
  c.kind = NULL;
  to = net_loopback (4, sv_listener_port (c.l));
  s4 = raw_connect (&to, 0);
  ck_assert_ptr_nonnull (s4);
  ck_assert (raw_send_all (s4, (const guint8 *) "GET / HTTP/1.0\r\n", 16));
  ck_assert (net_run_until (&c.got, WAIT_MS));
  ck_assert_str_eq (c.kind, "get");
  ck_assert_uint_eq (c.remote.family, 4);

  /* UDP over IPv6, answered from the IPv6 socket. */
  {
    g_autoptr (GSocket) u = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, NULL);
    g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
    g_autoptr (GSocketAddress) dst = g_inet_socket_address_new (lo, sv_listener_port (c.l));
    char back[16];

    ck_assert (g_socket_bind (u, any, FALSE, NULL));
    ck_assert_int_eq (g_socket_send_to (u, dst, "six", 3, NULL, NULL), 3);
    ck_assert (net_run_until (&c.got_dgram, WAIT_MS));
    ck_assert_uint_eq (c.dgram_from.family, 6);
    ck_assert (sv_listener_send_datagram (c.l, &c.dgram_from, (const guint8 *) "xis", 3));
    g_socket_set_timeout (u, 5);
    ck_assert_int_eq (g_socket_receive (u, back, sizeof back, NULL, NULL), 3);
    ck_assert_mem_eq (back, "xis", 3);
  }
  ctx_stop (&c);
}
END_TEST

START_TEST (test_port_in_use)
{
  Ctx c;
  SvHostAddr at = { .family = 4 };
  g_autoptr (GError) error = NULL;
  SvListener *second;

  ctx_start (&c, 0);
  at.port = sv_listener_port (c.l);
  second = sv_listener_new (&at, 1, 0, &cbs, NULL, &error);
  ck_assert_ptr_null (second);
  ck_assert_ptr_nonnull (error);
  ck_assert_ptr_nonnull (strstr (error->message, "TCP"));
  ctx_stop (&c);
}
END_TEST

/* --- A whole link: listener → incoming peer-conn (fed the sniffed prefix) ↔ outgoing --- */

static void
pc_established (SvPeerConn *conn, const SvHandshakeResult *r, gpointer user_data)
{
  Ctx *c = user_data;
  ck_assert (r->deflate_in && r->deflate_out);
  if (sv_peer_conn_is_outgoing (conn))
    c->out_established = TRUE;
  else
    c->in_established = TRUE;
}

static void
pc_message (SvPeerConn *conn, const SvMsgHeader *hdr, const guint8 *payload, gpointer user_data)
{
  Ctx *c = user_data;
  guint *n = sv_peer_conn_is_outgoing (conn) ? &c->out_msgs : &c->in_msgs;
  ck_assert (net_test_msg_check (hdr, payload, *n));
  (*n)++;
}

static void
pc_closed (SvPeerConn *conn, SvPeerConnCloseReason reason, const SvHandshakeResult *r,
           const char *detail, gpointer user_data)
{
  Ctx *c = user_data;
  if (sv_peer_conn_is_outgoing (conn))
    c->out_closed = TRUE;
  else
    {
      c->in_closed = TRUE;
      ck_assert_int_eq (reason, SV_PEER_CONN_CLOSED_EOF);
      ck_assert_ptr_eq (conn, c->incoming);
      sv_peer_conn_free (conn);
      c->incoming = NULL;
    }
}

static const SvPeerConnCallbacks pc_cbs = { pc_established, pc_message, pc_closed };

static void
on_gnutella_link (SvListener *l, GSocketConnection *conn, const SvHostAddr *remote,
                  const guint8 *prefix, gsize prefix_len, gpointer user_data)
{
  Ctx *c = user_data;
  SvHandshakeConfig hs = net_hs_config (TRUE, TRUE);

  ck_assert_uint_gt (prefix_len, 0);
  c->incoming = sv_peer_conn_new_incoming (conn, prefix, prefix_len, &hs, NULL, &pc_cbs, c);
}

START_TEST (test_link_through_listener)
{
  SvListenerCallbacks lcbs = { NULL, on_gnutella_link, NULL, NULL, NULL };
  SvHostAddr any = { .family = 4 };
  g_autoptr (GError) error = NULL;
  SvHandshakeConfig hs = net_hs_config (FALSE, TRUE);
  SvHostAddr to;
  SvPeerConn *out;
  Ctx c;

  memset (&c, 0, sizeof c);
  c.l = sv_listener_new (&any, 1, 0, &lcbs, &c, &error);
  ck_assert_ptr_nonnull (c.l);
  to = net_loopback (4, sv_listener_port (c.l));
  out = sv_peer_conn_new_outgoing (&to, &hs, NULL, &pc_cbs, &c);
  ck_assert (net_run_until (&c.out_established, WAIT_MS));
  ck_assert (net_run_until (&c.in_established, WAIT_MS));
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr (GBytes) m = net_test_msg (i, 100 + i);
      ck_assert_int_eq (sv_peer_conn_send (out, m, SV_SEND_CONTROL, 0), SV_SEND_QUEUED);
      ck_assert_int_eq (sv_peer_conn_send (c.incoming, m, SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
    }
  for (int i = 0; i < 500 && (c.in_msgs < 20 || c.out_msgs < 20); i++)
    net_run_for (10);
  ck_assert_uint_eq (c.in_msgs, 20);
  ck_assert_uint_eq (c.out_msgs, 20);
  /* The outgoing side goes away without a Bye: the incoming side sees EOF and frees itself. */
  sv_peer_conn_free (out);
  ck_assert (net_run_until (&c.in_closed, WAIT_MS));
  ck_assert (!c.out_closed);
  ctx_stop (&c);
}
END_TEST

static Suite *
listener_suite (void)
{
  Suite *s = suite_create ("listener");
  TCase *tc = tcase_create ("loopback");

  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_sniff_dispatch, 0, G_N_ELEMENTS (sniff_cases));
  tcase_add_test (tc, test_sniff_silence);
  tcase_add_test (tc, test_sniff_split);
  tcase_add_test (tc, test_accept_reject);
  tcase_add_test (tc, test_silent_flood);
  tcase_add_test (tc, test_udp_both_ways);
  tcase_add_test (tc, test_dual_stack);
  tcase_add_test (tc, test_port_in_use);
  tcase_add_test (tc, test_link_through_listener);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (listener_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
