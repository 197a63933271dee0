/* test-stream.c: SvStream over real loopback sockets: connect and echo both ways, the adopted
 * prefix first, large writes drained in order, the lingering close that delivers its last
 * bytes, deadlines, a refused connect, and the end reported exactly once even when the owner
 * frees the stream inside a callback. */
#include "check-util.h"
#include "net-util.h"
#include "stream.h"

#include <string.h>

#define TEST_TIMEOUT_MS 10000
#define OWNER_BYE (SV_STREAM_END_OWNER + 3)

typedef struct {
  SvStream *stream;
  gboolean connected;
  GByteArray *got;
  guint n_closed;
  guint code;
  char *detail;
  gboolean closed;
  gboolean free_in_input;      /* the owner frees the stream on its first input */
  gboolean freed;
  /* drained: write @to_send bytes of a counting pattern, in pieces */
  gsize to_send;
  gsize sent;
} Side;

static void
side_init (Side *s)
{
  memset (s, 0, sizeof *s);
  s->got = g_byte_array_new ();
}

static void
side_clear (Side *s)
{
  sv_stream_free (s->stream);
  g_byte_array_unref (s->got);
  g_free (s->detail);
}

static void
on_connected (SvStream *stream, gpointer user_data)
{
  Side *s = user_data;

  ck_assert_ptr_eq (stream, s->stream);
  s->connected = TRUE;
}

static gboolean
on_input (SvStream *stream, const guint8 *data, gsize len, gpointer user_data)
{
  Side *s = user_data;

  g_byte_array_append (s->got, data, (guint) len);
  if (s->free_in_input)
    {
      sv_stream_free (stream);
      s->stream = NULL;
      s->freed = TRUE;
      return FALSE;
    }
  return TRUE;
}

static void
on_drained (SvStream *stream, gpointer user_data)
{
  Side *s = user_data;
  gsize room;
  guint8 *out;
  gsize n;

  if (s->sent >= s->to_send)
    {
      sv_stream_want_write (stream, FALSE);
      return;
    }
  out = sv_stream_write_reserve (stream, 5000, &room);
  n = MIN (MIN (room, (gsize) 5000), s->to_send - s->sent);
  for (gsize i = 0; i < n; i++)
    out[i] = (guint8) ((s->sent + i) % 251);
  sv_stream_write_commit (stream, n);
  s->sent += n;
}

/* Frees the stream inside `closed` (the owner may). */
static void
on_closed (SvStream *stream, guint code, const char *detail, gpointer user_data)
{
  Side *s = user_data;

  ck_assert_ptr_eq (stream, s->stream);
  s->n_closed++;
  s->closed = TRUE;
  s->code = code;
  s->detail = g_strdup (detail);
  sv_stream_free (stream);
  s->stream = NULL;
}

static const SvStreamCallbacks cbs = { on_connected, on_input, on_drained, on_closed };

typedef struct {
  GSocketListener *listener;
  SvHostAddr addr;
  Side side;
  const guint8 *prefix;
  gsize prefix_len;
  gboolean accepted;
} Server;

static void
on_accepted (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Server *srv = user_data;
  g_autoptr (GSocketConnection) c = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source),
                                                                     res, NULL, NULL);

  if (c == NULL)
    return;
  srv->side.stream = sv_stream_adopt (c, srv->prefix, srv->prefix_len, &cbs, &srv->side);
  srv->accepted = TRUE;
}

static void
server_start (Server *srv)
{
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) eff = NULL;

  side_init (&srv->side);
  srv->listener = g_socket_listener_new ();
  ck_assert (g_socket_listener_add_address (srv->listener, sa, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL, &eff, NULL));
  srv->addr = net_loopback (SV_HOST_ADDR_IPV4,
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (eff)));
  g_socket_listener_accept_async (srv->listener, NULL, on_accepted, srv);
}

static void
server_stop (Server *srv)
{
  g_socket_listener_close (srv->listener);
  g_clear_object (&srv->listener);
  side_clear (&srv->side);
  net_run_for (10);
}

static void
assert_pattern (const GByteArray *got, gsize want)
{
  ck_assert_uint_eq (got->len, want);
  for (gsize i = 0; i < want; i++)
    ck_assert_msg (got->data[i] == (guint8) (i % 251), "byte %zu out of order", i);
}

START_TEST (test_both_ways_prefix_first_and_one_end_each)
{
  static const guint8 prefix[] = "GNUTELLA CONNECT";
  Server srv = { 0 };
  Side cl;
  SvStreamStats st;

  srv.prefix = prefix;
  srv.prefix_len = sizeof prefix - 1;
  server_start (&srv);
  side_init (&cl);
  cl.stream = sv_stream_connect (&srv.addr, NULL, 5 * G_USEC_PER_SEC, &cbs, &cl);
  ck_assert (net_run_until (&cl.connected, TEST_TIMEOUT_MS));
  ck_assert (net_run_until (&srv.accepted, TEST_TIMEOUT_MS));
  ck_assert (sv_host_addr_equal (sv_stream_remote (cl.stream), &srv.addr));

  /* Client to server: 1 MB through drained, in order, after the prefix. */
  cl.to_send = 1000000;
  sv_stream_want_write (cl.stream, TRUE);
  /* Server to client: a plain write. */
  sv_stream_write (srv.side.stream, (const guint8 *) "hello", 5);
  for (int i = 0; i < 2000 && (srv.side.got->len < srv.prefix_len + cl.to_send
                               || cl.got->len < 5); i++)
    net_run_for (5);
  ck_assert_uint_eq (srv.side.got->len, srv.prefix_len + cl.to_send);
  ck_assert_mem_eq (srv.side.got->data, prefix, srv.prefix_len);
  g_byte_array_remove_range (srv.side.got, 0, (guint) srv.prefix_len);
  assert_pattern (srv.side.got, cl.to_send);
  ck_assert_uint_eq (cl.got->len, 5);
  ck_assert_mem_eq (cl.got->data, "hello", 5);
  sv_stream_get_stats (cl.stream, &st);
  ck_assert_uint_eq (st.bytes_out, cl.to_send);
  ck_assert_uint_eq (st.bytes_in, 5);
  ck_assert_uint_eq (sv_stream_pending (cl.stream), 0);

  /* The client ends at once; the server sees EOF; each hears of its end exactly once. */
  sv_stream_close (cl.stream, OWNER_BYE, "done");
  sv_stream_close (cl.stream, OWNER_BYE + 1, "again");   /* ignored */
  ck_assert (sv_stream_is_closed (cl.stream));
  ck_assert (!cl.closed);   /* never from inside the owner's own call */
  ck_assert (net_run_until (&cl.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (cl.code, OWNER_BYE);
  ck_assert_str_eq (cl.detail, "done");
  ck_assert (net_run_until (&srv.side.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (srv.side.code, SV_STREAM_END_EOF);
  net_run_for (50);
  ck_assert_uint_eq (cl.n_closed, 1);
  ck_assert_uint_eq (srv.side.n_closed, 1);
  side_clear (&cl);
  server_stop (&srv);
}
END_TEST

/* A lingering close writes everything buffered (and what drained adds) before it ends, and the
 * owner's code stands when the peer's EOF comes. */
START_TEST (test_linger_delivers_last_bytes)
{
  Server srv = { 0 };
  Side cl;

  server_start (&srv);
  side_init (&cl);
  cl.stream = sv_stream_connect (&srv.addr, NULL, 0, &cbs, &cl);
  ck_assert (net_run_until (&srv.accepted, TEST_TIMEOUT_MS));
  srv.side.to_send = 300000;
  sv_stream_want_write (srv.side.stream, TRUE);
  sv_stream_close_after_flush (srv.side.stream, OWNER_BYE, "bye sent");
  ck_assert (sv_stream_is_lingering (srv.side.stream));
  ck_assert (net_run_until (&cl.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (cl.code, SV_STREAM_END_EOF);
  assert_pattern (cl.got, srv.side.to_send);
  ck_assert (net_run_until (&srv.side.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (srv.side.code, OWNER_BYE);
  ck_assert_str_eq (srv.side.detail, "bye sent");
  side_clear (&cl);
  server_stop (&srv);
}
END_TEST

/* A peer that never closes: the linger runs out and the owner's code ends it. */
START_TEST (test_linger_cut)
{
  Server srv = { 0 };
  g_autoptr (GSocket) raw = NULL;
  gint64 t0;

  server_start (&srv);
  raw = raw_connect (&srv.addr, 0);
  ck_assert_ptr_nonnull (raw);
  ck_assert (net_run_until (&srv.accepted, TEST_TIMEOUT_MS));
  sv_stream_write (srv.side.stream, (const guint8 *) "last", 4);
  t0 = g_get_monotonic_time ();
  sv_stream_close_after_flush (srv.side.stream, OWNER_BYE, "refused");
  ck_assert (net_run_until (&srv.side.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (srv.side.code, OWNER_BYE);
  ck_assert_int_ge (g_get_monotonic_time () - t0, SV_LINK_BYE_LINGER_US - 100000);
  {
    g_autoptr (GByteArray) got = raw_read_all (raw, 100);

    ck_assert_uint_eq (got->len, 4);
    ck_assert_mem_eq (got->data, "last", 4);
  }
  server_stop (&srv);
}
END_TEST

START_TEST (test_deadline_and_refused_connect)
{
  Server srv = { 0 };
  Side cl, nobody;
  g_autoptr (GSocket) raw = NULL;
  SvHostAddr closed_port;

  /* A deadline ends an idle adopted stream with its detail. */
  server_start (&srv);
  raw = raw_connect (&srv.addr, 0);
  ck_assert (net_run_until (&srv.accepted, TEST_TIMEOUT_MS));
  sv_stream_set_deadline (srv.side.stream, 200 * 1000, "handshake timed out");
  ck_assert (net_run_until (&srv.side.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (srv.side.code, SV_STREAM_END_TIMEOUT);
  ck_assert_str_eq (srv.side.detail, "handshake timed out");

  /* A cleared deadline does not fire. */
  side_init (&cl);
  cl.stream = sv_stream_connect (&srv.addr, NULL, 0, &cbs, &cl);
  ck_assert (net_run_until (&cl.connected, TEST_TIMEOUT_MS));
  sv_stream_set_deadline (cl.stream, 100 * 1000, "late");
  sv_stream_set_deadline (cl.stream, 0, NULL);
  net_run_for (300);
  ck_assert (!cl.closed);
  side_clear (&cl);

  /* Nothing listens: an I/O error, reported once. */
  closed_port = srv.addr;
  server_stop (&srv);
  side_init (&nobody);
  nobody.stream = sv_stream_connect (&closed_port, NULL, 5 * G_USEC_PER_SEC, &cbs, &nobody);
  ck_assert (net_run_until (&nobody.closed, TEST_TIMEOUT_MS));
  ck_assert_uint_eq (nobody.code, SV_STREAM_END_IO_ERROR);
  ck_assert_uint_eq (nobody.n_closed, 1);
  ck_assert (!nobody.connected);
  side_clear (&nobody);
}
END_TEST

/* The owner frees the stream inside input: no callback follows, nothing is touched after. */
START_TEST (test_free_inside_input)
{
  Server srv = { 0 };
  g_autoptr (GSocket) raw = NULL;

  server_start (&srv);
  srv.side.free_in_input = TRUE;
  raw = raw_connect (&srv.addr, 0);
  ck_assert (net_run_until (&srv.accepted, TEST_TIMEOUT_MS));
  ck_assert (raw_send_all (raw, (const guint8 *) "abc", 3));
  ck_assert (net_run_until (&srv.side.freed, TEST_TIMEOUT_MS));
  net_run_for (100);
  ck_assert_uint_eq (srv.side.n_closed, 0);
  ck_assert_uint_eq (srv.side.got->len, 3);
  {
    g_autoptr (GByteArray) got = raw_read_all (raw, 100);   /* the socket was closed */

    ck_assert_uint_eq (got->len, 0);
  }
  server_stop (&srv);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("stream");
  TCase *tc = tcase_create ("stream");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_both_ways_prefix_first_and_one_end_each);
  tcase_add_test (tc, test_linger_delivers_last_bytes);
  tcase_add_test (tc, test_linger_cut);
  tcase_add_test (tc, test_deadline_and_refused_connect);
  tcase_add_test (tc, test_free_inside_input);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
