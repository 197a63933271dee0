/* test-handshake.c: the 0.6 handshake state machine replayed against gtk-gnutella's captured
 * handshakes (both sides), role decisions, compression per direction, refusals, splits. */
#include "check-util.h"
#include "handshake.h"

#include <string.h>

#define PUSH_RUN "gtk-gnutella/run-3peers-push/handshakes.txt"
#define TLS_RUN "gtk-gnutella/run-tls-build/handshakes.txt"

/* The fixture block as a string with @from replaced by @to (which must occur). */
static char *
edited_block (const char *relpath, guint conn, guint step, const char *from, const char *to)
{
  g_autoptr (GBytes) b = sv_test_handshake_block (relpath, conn, step);
  gsize len;
  const char *data = g_bytes_get_data (b, &len);
  GString *s = g_string_new_len (data, (gssize) len);

  if (from != NULL)
    ck_assert_msg (g_string_replace (s, from, to, 1) == 1, "'%s' not in the block", from);
  return g_string_free (s, FALSE);
}

static SvHostAddr
host4 (guint8 a, guint8 b, guint8 c, guint8 d, guint16 port)
{
  SvHostAddr h = { .family = 4, .ip = { a, b, c, d }, .port = port };
  return h;
}

static const SvHostAddr try_list[] = {
  { .family = 4, .ip = { 192, 0, 2, 1 }, .port = 6346 },
  { .family = 4, .ip = { 192, 0, 2, 2 }, .port = 16346 },
  { .family = 6, .ip = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .port = 6348 },
};

static SvHandshakeConfig
config_for (SvHandshakeRole role)
{
  SvHandshakeConfig c = {
    .ultrapeer_capable = role == SV_HANDSHAKE_ROLE_ULTRAPEER,
    .force = SV_HANDSHAKE_FORCE_NONE,
    .leaf_count = 3, .leaf_target = 300,
    .up_count = 1, .up_target = role == SV_HANDSHAKE_ROLE_ULTRAPEER ? 32 : 4,
    .user_agent = "servent/0.1.0",
    .listen = host4 (127, 0, 0, 9, 6346),
    .remote = host4 (127, 0, 0, 1, 0),
    .deflate = TRUE,
    .qrp_version = SV_HANDSHAKE_VERSION (0, 2),
    .try_hosts = try_list,
    .n_try_hosts = G_N_ELEMENTS (try_list),
    .ultrapeer_needed = TRUE,
  };
  if (role == SV_HANDSHAKE_ROLE_LEAF)
    c.leaf_count = 0;
  for (int i = 0; i < SV_GUID_LEN; i++)
    c.guid.b[i] = (guint8) (0xa0 + i);
  return c;
}

/* Parses a block we produced. Returns: (transfer full). */
static SvHandshakeHeaders *
parse_output (GBytes *out)
{
  SvHandshakeHeaders *h = sv_handshake_headers_new ();
  gsize len, used;
  const guint8 *data;

  ck_assert (out != NULL);
  data = g_bytes_get_data (out, &len);
  ck_assert_int_eq (sv_handshake_headers_feed (h, data, len, &used), SV_STATUS_OK);
  ck_assert_uint_eq (used, len);
  return h;
}

static SvHandshakeState
feed_str (SvHandshake *hs, const char *s, gsize *consumed)
{
  gsize dummy;
  return sv_handshake_feed (hs, (const guint8 *) s, strlen (s), consumed ? consumed : &dummy);
}

static SvHandshakeState
feed_bytes (SvHandshake *hs, GBytes *b, gsize *consumed)
{
  gsize len, dummy;
  const guint8 *data = g_bytes_get_data (b, &len);
  return sv_handshake_feed (hs, data, len, consumed ? consumed : &dummy);
}

static void
assert_guid (const SvGuid *g, const char *hex)
{
  char buf[SV_GUID_HEX_LEN + 1];
  sv_guid_to_hex (g, buf);
  ck_assert_str_eq (buf, hex);
}

static void
assert_host (const SvHostAddr *h, const char *text)
{
  char buf[SV_HOST_ADDR_STRLEN];
  sv_host_addr_format (h, TRUE, buf);
  ck_assert_str_eq (buf, text);
}

/* --- Our acceptor meets gtk-gnutella's CONNECT --- */

START_TEST (test_accept_firewalled_leaf)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autoptr (GBytes) connect = sv_test_handshake_block (PUSH_RUN, 0, 1);
  g_autoptr (GBytes) final = sv_test_handshake_block (PUSH_RUN, 0, 3);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (SvHandshakeHeaders) rh = NULL;
  g_autoptr (GByteArray) tail = g_byte_array_new ();
  const SvHandshakeResult *r = sv_handshake_result (hs);
  gsize used;
  guint maj, min, code;
  const char *reason;

  ck_assert_ptr_null (sv_handshake_take_output (hs));
  ck_assert_int_eq (feed_bytes (hs, connect, &used), SV_HANDSHAKE_NEED_MORE);
  ck_assert_uint_eq (used, g_bytes_get_size (connect));
  reply = sv_handshake_take_output (hs);
  rh = parse_output (reply);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (rh),
                                                            &maj, &min, &code, &reason), SV_STATUS_OK);
  ck_assert_uint_eq (code, 200);
  ck_assert_str_eq (sv_handshake_headers_get (rh, "X-Ultrapeer"), "True");
  ck_assert_str_eq (sv_handshake_headers_get (rh, "X-Ultrapeer-Needed"), "True");
  ck_assert_str_eq (sv_handshake_headers_get (rh, "Content-Encoding"), "deflate");
  ck_assert_str_eq (sv_handshake_headers_get (rh, "Accept-Encoding"), "deflate");
  ck_assert_str_eq (sv_handshake_headers_get (rh, "X-Query-Routing"), "0.2");
  ck_assert_str_eq (sv_handshake_headers_get (rh, "Remote-IP"), "127.0.0.1");
  ck_assert_str_eq (sv_handshake_headers_get (rh, "Listen-IP"), "127.0.0.9:6346");
  ck_assert_str_eq (sv_handshake_headers_get (rh, "X-Ext-Probes"), "0.1");
  ck_assert_ptr_null (sv_handshake_headers_get (rh, "X-Try-Ultrapeers"));

  /* Step 3 followed by the first deflated bytes of the leaf's stream. */
  g_byte_array_append (tail, g_bytes_get_data (final, NULL), (guint) g_bytes_get_size (final));
  g_byte_array_append (tail, (const guint8 *) "\x78\x9c", 2);
  ck_assert_int_eq (sv_handshake_feed (hs, tail->data, tail->len, &used), SV_HANDSHAKE_ESTABLISHED);
  ck_assert_uint_eq (used, g_bytes_get_size (final));
  ck_assert_ptr_null (sv_handshake_take_output (hs));
  /* Nothing more is taken once established. */
  ck_assert_int_eq (sv_handshake_feed (hs, tail->data, tail->len, &used), SV_HANDSHAKE_ESTABLISHED);
  ck_assert_uint_eq (used, 0);

  ck_assert_int_eq (r->our_role, SV_HANDSHAKE_ROLE_ULTRAPEER);
  ck_assert_int_eq (r->peer_role, SV_HANDSHAKE_ROLE_LEAF);
  ck_assert (r->deflate_in);
  ck_assert (r->deflate_out);
  ck_assert (r->firewalled);
  ck_assert_uint_eq (r->listen.family, 0);
  ck_assert_str_eq (r->user_agent, "gtk-gnutella/1.2.3 (2024-03-03; Topless; Linux x86_64)");
  ck_assert (r->has_guid);
  assert_guid (&r->guid, "7a80310213277edcf7378b115cdf03f5");
  ck_assert_uint_eq (r->seen_as.family, 4);
  ck_assert_mem_eq (r->seen_as.ip, "\x7f\x00\x00\x01", 4);
  ck_assert_uint_eq (r->qrp_version, SV_HANDSHAKE_VERSION (0, 2));
  ck_assert_uint_eq (r->peer_version, SV_HANDSHAKE_VERSION (0, 6));
  ck_assert (r->up_query_routing);
  ck_assert (r->ggep);
  ck_assert (r->vendor_messages);
  ck_assert (r->bye_packet);
  ck_assert (r->pong_caching);
  ck_assert (r->dynamic_querying);
  ck_assert (!r->ext_probes);
  ck_assert (!r->tls_offered);
  ck_assert_uint_eq (r->degree, 32);
  ck_assert_uint_eq (r->max_ttl, 4);
  ck_assert (!r->peer_became_leaf);
}
END_TEST

START_TEST (test_accept_leaf_with_node_address)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autoptr (GBytes) connect = sv_test_handshake_block (PUSH_RUN, 1, 1);
  g_autoptr (GBytes) final = sv_test_handshake_block (PUSH_RUN, 1, 3);
  const SvHandshakeResult *r = sv_handshake_result (hs);

  ck_assert_int_eq (feed_bytes (hs, connect, NULL), SV_HANDSHAKE_NEED_MORE);
  ck_assert_int_eq (feed_bytes (hs, final, NULL), SV_HANDSHAKE_ESTABLISHED);
  ck_assert (!r->firewalled);
  assert_host (&r->listen, "127.0.0.3:16350");
  assert_guid (&r->guid, "af1b3102dc21e6c7a9343cc294c97d23");
}
END_TEST

/* Progress, as admission under a flood sees it: a byte at a time through gtk-gnutella's CONNECT. */
START_TEST (test_progress)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autoptr (GBytes) connect = sv_test_handshake_block (PUSH_RUN, 1, 1);
  gsize len;
  const guint8 *d = g_bytes_get_data (connect, &len);
  const guint8 *eol = memchr (d, '\n', len);
  const guint8 *eol2 = memchr (eol + 1, '\n', len - (gsize) (eol + 1 - d));
  SvHandshakeProgress last = SV_HANDSHAKE_PROGRESS_NONE;

  ck_assert_int_eq (sv_handshake_progress (hs), SV_HANDSHAKE_PROGRESS_NONE);
  for (gsize i = 0; i < len; i++)
    {
      gsize used;
      SvHandshakeProgress p;

      ck_assert_int_eq (sv_handshake_feed (hs, d + i, 1, &used), SV_HANDSHAKE_NEED_MORE);
      p = sv_handshake_progress (hs);
      ck_assert_int_ge (p, last);
      if (d + i < eol)
        ck_assert_int_eq (p, SV_HANDSHAKE_PROGRESS_NONE);
      else if (d + i < eol2)
        ck_assert_int_eq (p, SV_HANDSHAKE_PROGRESS_FIRST_LINE);
      else if (i + 1 < len)
        ck_assert_int_eq (p, SV_HANDSHAKE_PROGRESS_HEADERS);
      last = p;
    }
  ck_assert_int_eq (last, SV_HANDSHAKE_PROGRESS_BLOCK);
}
END_TEST

/* The TLS-capable leaf offers Upgrade: TLS/1.0 and no compression: it gets a plain link. */
START_TEST (test_accept_tls_offer_stays_plain)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autoptr (GBytes) connect = sv_test_handshake_block (TLS_RUN, 0, 1);
  g_autoptr (GBytes) final = sv_test_handshake_block (TLS_RUN, 0, 3);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (SvHandshakeHeaders) rh = NULL;
  const SvHandshakeResult *r = sv_handshake_result (hs);

  ck_assert_int_eq (feed_bytes (hs, connect, NULL), SV_HANDSHAKE_NEED_MORE);
  reply = sv_handshake_take_output (hs);
  rh = parse_output (reply);
  ck_assert_ptr_null (sv_handshake_headers_get (rh, "Upgrade"));
  ck_assert_ptr_null (sv_handshake_headers_get (rh, "Connection"));
  ck_assert_ptr_null (sv_handshake_headers_get (rh, "Content-Encoding"));
  ck_assert_str_eq (sv_handshake_headers_get (rh, "Accept-Encoding"), "deflate");
  ck_assert (r->tls_offered);
  ck_assert (!r->deflate_out);

  ck_assert_int_eq (feed_bytes (hs, final, NULL), SV_HANDSHAKE_ESTABLISHED);
  ck_assert (!r->deflate_in);
  assert_host (&r->listen, "127.0.0.1:16347");
}
END_TEST

/* --- Our initiator meets gtk-gnutella's 200 --- */

START_TEST (test_connect_as_leaf_to_gtkg)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  g_autoptr (GBytes) reply = sv_test_handshake_block (PUSH_RUN, 0, 2);
  g_autoptr (GBytes) gtkg_final = sv_test_handshake_block (PUSH_RUN, 0, 3);
  g_autoptr (GBytes) connect = sv_handshake_take_output (hs);
  g_autoptr (GBytes) final = NULL;
  g_autoptr (SvHandshakeHeaders) ch = parse_output (connect);
  const SvHandshakeResult *r = sv_handshake_result (hs);
  gsize used;

  ck_assert_str_eq (sv_handshake_headers_first_line (ch), "GNUTELLA CONNECT/0.6");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Ultrapeer"), "False");
  ck_assert_ptr_null (sv_handshake_headers_get (ch, "X-Ext-Probes"));
  ck_assert_ptr_null (sv_handshake_headers_get (ch, "Upgrade"));

  ck_assert_int_eq (feed_bytes (hs, reply, &used), SV_HANDSHAKE_ESTABLISHED);
  ck_assert_uint_eq (used, g_bytes_get_size (reply));
  /* Our final step is byte for byte what gtk-gnutella's leaf sent. */
  final = sv_handshake_take_output (hs);
  ck_assert (g_bytes_equal (final, gtkg_final));

  ck_assert_int_eq (r->our_role, SV_HANDSHAKE_ROLE_LEAF);
  ck_assert_int_eq (r->peer_role, SV_HANDSHAKE_ROLE_ULTRAPEER);
  ck_assert (r->ultrapeer_needed);
  ck_assert (!r->we_became_leaf);
  ck_assert (r->deflate_in);
  ck_assert (r->deflate_out);
  ck_assert (r->ext_probes);
  ck_assert (r->up_query_routing);
  ck_assert_uint_eq (r->degree, 17);
  ck_assert_uint_eq (r->max_ttl, 4);
  assert_guid (&r->guid, "00c23102f2a6f92f81d79880195fd7a4");
  ck_assert_uint_eq (r->seen_as.family, 4);
  ck_assert_mem_eq (r->seen_as.ip, "\x7f\x00\x00\x01", 4);
  ck_assert_uint_eq (r->listen.family, 0);
  ck_assert (!r->firewalled);
}
END_TEST

START_TEST (test_connect_tls_reply_without_content_encoding)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  g_autoptr (SvHandshake) hs = NULL;
  g_autoptr (SvHandshake) off = NULL;
  g_autoptr (GBytes) reply = sv_test_handshake_block (TLS_RUN, 0, 2);
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) out_off = NULL;
  const char *data;
  gsize len;

  hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  g_bytes_unref (sv_handshake_take_output (hs));
  ck_assert_int_eq (feed_bytes (hs, reply, NULL), SV_HANDSHAKE_ESTABLISHED);
  ck_assert (!sv_handshake_result (hs)->deflate_in);    /* they did not confirm */
  ck_assert (sv_handshake_result (hs)->deflate_out);    /* they accept it, we want it */
  out = sv_handshake_take_output (hs);
  data = g_bytes_get_data (out, &len);
  ck_assert_uint_eq (len, strlen ("GNUTELLA/0.6 200 OK\r\nContent-Encoding: deflate\r\n\r\n"));
  ck_assert (memcmp (data, "GNUTELLA/0.6 200 OK\r\nContent-Encoding: deflate\r\n\r\n", len) == 0);

  cfg.deflate = FALSE;
  off = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  {
    g_autoptr (GBytes) c = sv_handshake_take_output (off);
    g_autoptr (SvHandshakeHeaders) ch = parse_output (c);
    ck_assert_ptr_null (sv_handshake_headers_get (ch, "Accept-Encoding"));
  }
  ck_assert_int_eq (feed_bytes (off, reply, NULL), SV_HANDSHAKE_ESTABLISHED);
  ck_assert (!sv_handshake_result (off)->deflate_out);
  out_off = sv_handshake_take_output (off);
  data = g_bytes_get_data (out_off, &len);
  ck_assert_uint_eq (len, strlen ("GNUTELLA/0.6 200 OK\r\n\r\n"));
  ck_assert (memcmp (data, "GNUTELLA/0.6 200 OK\r\n\r\n", len) == 0);
}
END_TEST

/* --- Splits --- */

START_TEST (test_every_split_incoming)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (GBytes) connect = sv_test_handshake_block (PUSH_RUN, 0, 1);
  g_autoptr (GBytes) final = sv_test_handshake_block (PUSH_RUN, 0, 3);
  g_autoptr (GByteArray) all = g_byte_array_new ();
  g_autoptr (GBytes) whole_reply = NULL;

  g_byte_array_append (all, g_bytes_get_data (connect, NULL), (guint) g_bytes_get_size (connect));
  g_byte_array_append (all, g_bytes_get_data (final, NULL), (guint) g_bytes_get_size (final));
  g_byte_array_append (all, (const guint8 *) "ZZ", 2);

  for (gsize cut = 0; cut <= all->len; cut++)
    {
      g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
      g_autoptr (GBytes) reply = NULL;
      gsize a = 0, b = 0;
      SvHandshakeState st = sv_handshake_feed (hs, all->data, cut, &a);

      if (st == SV_HANDSHAKE_NEED_MORE)
        {
          ck_assert_uint_eq (a, cut);
          st = sv_handshake_feed (hs, all->data + cut, all->len - cut, &b);
        }
      ck_assert_int_eq (st, SV_HANDSHAKE_ESTABLISHED);
      ck_assert_uint_eq (a + b, all->len - 2);
      ck_assert (sv_handshake_result (hs)->deflate_in);
      ck_assert (sv_handshake_result (hs)->firewalled);
      reply = sv_handshake_take_output (hs);
      if (whole_reply == NULL)
        whole_reply = g_bytes_ref (reply);
      ck_assert (g_bytes_equal (reply, whole_reply));
    }
}
END_TEST

START_TEST (test_every_split_outgoing)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  g_autoptr (GBytes) reply = sv_test_handshake_block (PUSH_RUN, 1, 2);
  gsize len;
  const guint8 *data = g_bytes_get_data (reply, &len);

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
      gsize a = 0, b = 0;

      ck_assert_int_eq (sv_handshake_feed (hs, data, cut, &a),
                        cut == len ? SV_HANDSHAKE_ESTABLISHED : SV_HANDSHAKE_NEED_MORE);
      ck_assert_int_eq (sv_handshake_feed (hs, data + a, len - a, &b), SV_HANDSHAKE_ESTABLISHED);
      ck_assert_uint_eq (a + b, len);
      ck_assert_mem_eq (sv_handshake_result (hs)->seen_as.ip, "\x7f\x00\x00\x03", 4);
    }
}
END_TEST

/* --- Decisions --- */

START_TEST (test_leaf_to_leaf_refused_with_try_hosts)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autoptr (GBytes) connect = sv_test_handshake_block (PUSH_RUN, 1, 1);
  g_autoptr (GBytes) out = NULL;
  g_autoptr (SvHandshakeHeaders) oh = NULL;
  const SvHandshakeResult *r = sv_handshake_result (hs);
  SvHostAddr hosts[SV_HANDSHAKE_MAX_TRY_HOSTS];
  guint maj, min, code;
  const char *reason;

  ck_assert_int_eq (feed_bytes (hs, connect, NULL), SV_HANDSHAKE_REFUSED);
  ck_assert_uint_eq (r->code, 503);
  ck_assert (r->refused_by_us);
  out = sv_handshake_take_output (hs);
  oh = parse_output (out);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (oh),
                                                            &maj, &min, &code, &reason), SV_STATUS_OK);
  ck_assert_uint_eq (code, 503);
  ck_assert_uint_eq (sv_handshake_parse_try_hosts (sv_handshake_headers_get (oh, "X-Try-Ultrapeers"),
                                                   hosts, SV_HANDSHAKE_MAX_TRY_HOSTS), 3);
  assert_host (&hosts[0], "192.0.2.1:6346");
  assert_host (&hosts[1], "192.0.2.2:16346");
  assert_host (&hosts[2], "[2001:db8::1]:6348");
  /* Nothing more is read after a refusal. */
  ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\n\r\n", NULL), SV_HANDSHAKE_REFUSED);
}
END_TEST

/* A leaf with no ultrapeer to offer (auto role) becomes the ultrapeer of a leaf that asks. */
START_TEST (test_leaf_promotes_for_leaf)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  g_autoptr (SvHandshake) hs = NULL;
  g_autoptr (GBytes) connect = sv_test_handshake_block (PUSH_RUN, 1, 1);
  g_autofree char *up_connect = edited_block (PUSH_RUN, 1, 1, "X-Ultrapeer: False", "X-Ultrapeer: True");
  g_autoptr (GBytes) out = NULL;
  g_autoptr (SvHandshakeHeaders) oh = NULL;
  const SvHandshakeResult *r;
  guint maj, min, code;
  const char *reason;

  cfg.may_promote = TRUE;
  cfg.up_count = 0;
  hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  r = sv_handshake_result (hs);
  ck_assert_int_eq (feed_bytes (hs, connect, NULL), SV_HANDSHAKE_NEED_MORE);
  out = sv_handshake_take_output (hs);
  oh = parse_output (out);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (oh),
                                                            &maj, &min, &code, &reason), SV_STATUS_OK);
  ck_assert_uint_eq (code, 200);
  ck_assert_str_eq (sv_handshake_headers_get (oh, "X-Ultrapeer"), "True");
  ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\n\r\n", NULL), SV_HANDSHAKE_ESTABLISHED);
  ck_assert (r->we_promoted);
  ck_assert_int_eq (r->our_role, SV_HANDSHAKE_ROLE_ULTRAPEER);
  ck_assert_int_eq (r->peer_role, SV_HANDSHAKE_ROLE_LEAF);

  /* An ultrapeer asking is simply taken as ours: no promotion. */
  g_clear_pointer (&hs, sv_handshake_free);
  hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_NEED_MORE);
  ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\n\r\n", NULL), SV_HANDSHAKE_ESTABLISHED);
  ck_assert (!sv_handshake_result (hs)->we_promoted);
  ck_assert_int_eq (sv_handshake_result (hs)->our_role, SV_HANDSHAKE_ROLE_LEAF);

  /* Without leaf slots to give, the leaf is refused as before. */
  cfg.leaf_target = 0;
  g_clear_pointer (&hs, sv_handshake_free);
  hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  ck_assert_int_eq (feed_bytes (hs, connect, NULL), SV_HANDSHAKE_REFUSED);
  ck_assert (!sv_handshake_result (hs)->we_promoted);
}
END_TEST

/* A refusal sent before any byte is read (too many handshakes in progress). */
START_TEST (test_refusal_without_handshake)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (GBytes) out = sv_handshake_refusal (&cfg, 503, "Too Many Handshakes");
  g_autoptr (SvHandshakeHeaders) oh = parse_output (out);
  SvHostAddr hosts[SV_HANDSHAKE_MAX_TRY_HOSTS];
  guint maj, min, code;
  const char *reason;

  ck_assert_int_eq (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (oh),
                                                            &maj, &min, &code, &reason), SV_STATUS_OK);
  ck_assert_uint_eq (code, 503);
  ck_assert_str_eq (reason, "Too Many Handshakes");
  ck_assert_str_eq (sv_handshake_headers_get (oh, "User-Agent"), "servent/0.1.0");
  ck_assert_str_eq (sv_handshake_headers_get (oh, "Remote-IP"), "127.0.0.1");
  ck_assert_uint_eq (sv_handshake_parse_try_hosts (sv_handshake_headers_get (oh, "X-Try-Ultrapeers"),
                                                   hosts, SV_HANDSHAKE_MAX_TRY_HOSTS), 3);
}
END_TEST

/* X-Ultrapeer-Needed follows the configuration. */
START_TEST (test_ultrapeer_not_needed)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autofree char *up_connect = edited_block (PUSH_RUN, 1, 1, "X-Ultrapeer: False", "X-Ultrapeer: True");
  g_autoptr (SvHandshake) hs = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (SvHandshakeHeaders) oh = NULL;

  cfg.ultrapeer_needed = FALSE;
  hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_NEED_MORE);
  out = sv_handshake_take_output (hs);
  oh = parse_output (out);
  ck_assert_str_eq (sv_handshake_headers_get (oh, "X-Ultrapeer-Needed"), "False");
}
END_TEST

START_TEST (test_full_refused)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autofree char *up_connect = edited_block (PUSH_RUN, 1, 1, "X-Ultrapeer: False", "X-Ultrapeer: True");
  g_autoptr (GBytes) leaf_connect = sv_test_handshake_block (PUSH_RUN, 1, 1);

  /* Leaf slots full: a leaf is refused. */
  cfg.leaf_count = cfg.leaf_target;
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    ck_assert_int_eq (feed_bytes (hs, leaf_connect, NULL), SV_HANDSHAKE_REFUSED);
    ck_assert_uint_eq (sv_handshake_result (hs)->code, 503);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_ptr_nonnull (sv_handshake_headers_get (oh, "X-Try-Ultrapeers"));
  }
  /* Every slot full: an ultrapeer is refused too. */
  cfg.up_count = cfg.up_target;
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_REFUSED);
    ck_assert_uint_eq (sv_handshake_result (hs)->code, 503);
  }
  /* A leaf with all its ultrapeers refuses one more. */
  cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  cfg.up_count = cfg.up_target;
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_REFUSED);
  }
  /* A leaf with room accepts an ultrapeer. */
  cfg.up_count = 0;
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_NEED_MORE);
    ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\n\r\n", NULL), SV_HANDSHAKE_ESTABLISHED);
    ck_assert_int_eq (sv_handshake_result (hs)->peer_role, SV_HANDSHAKE_ROLE_ULTRAPEER);
    ck_assert_int_eq (sv_handshake_result (hs)->our_role, SV_HANDSHAKE_ROLE_LEAF);
  }
}
END_TEST

START_TEST (test_up_to_up_with_leaf_guidance)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autofree char *up_connect = edited_block (PUSH_RUN, 1, 1, "X-Ultrapeer: False", "X-Ultrapeer: True");

  /* Ultrapeer slots free: accepted as an ultrapeer. */
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_NEED_MORE);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_str_eq (sv_handshake_headers_get (oh, "X-Ultrapeer-Needed"), "True");
    ck_assert_ptr_null (sv_handshake_headers_get (oh, "X-Try-Ultrapeers"));
    ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\n\r\n", NULL), SV_HANDSHAKE_ESTABLISHED);
    ck_assert_int_eq (sv_handshake_result (hs)->peer_role, SV_HANDSHAKE_ROLE_ULTRAPEER);
  }
  /* Ultrapeer slots full, leaf slots free: guidance, and the peer takes it. */
  cfg.up_count = cfg.up_target;
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_NEED_MORE);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_str_eq (sv_handshake_headers_get (oh, "X-Ultrapeer-Needed"), "False");
    /* Where to go instead, for a peer that cannot become a leaf. */
    ck_assert_ptr_nonnull (sv_handshake_headers_get (oh, "X-Try-Ultrapeers"));
    ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\nx-ultrapeer: false\r\n\r\n", NULL),
                      SV_HANDSHAKE_ESTABLISHED);
    ck_assert_int_eq (sv_handshake_result (hs)->peer_role, SV_HANDSHAKE_ROLE_LEAF);
    ck_assert (sv_handshake_result (hs)->peer_became_leaf);
  }
  /* The peer ignores the guidance: no ultrapeer slot for it. */
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    ck_assert_int_eq (feed_str (hs, up_connect, NULL), SV_HANDSHAKE_NEED_MORE);
    ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\n\r\n", NULL), SV_HANDSHAKE_REFUSED);
    ck_assert (sv_handshake_result (hs)->refused_by_us);
  }
}
END_TEST

START_TEST (test_we_take_leaf_guidance)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autofree char *guided = edited_block (PUSH_RUN, 0, 2, "X-Ultrapeer-Needed: True",
                                          "X-Ultrapeer-Needed: False");

  cfg.leaf_count = 0;
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
    g_autoptr (GBytes) c = sv_handshake_take_output (hs);
    g_autoptr (SvHandshakeHeaders) ch = parse_output (c);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    const SvHandshakeResult *r = sv_handshake_result (hs);

    ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Ultrapeer"), "True");
    ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Ext-Probes"), "0.1");
    ck_assert_int_eq (feed_str (hs, guided, NULL), SV_HANDSHAKE_ESTABLISHED);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_str_eq (sv_handshake_headers_get (oh, "X-Ultrapeer"), "False");
    ck_assert (r->we_became_leaf);
    ck_assert (!r->ultrapeer_needed);
    ck_assert_int_eq (r->our_role, SV_HANDSHAKE_ROLE_LEAF);
  }
  /* Forced ultrapeer, or already serving leaves: we cannot follow the guidance, so we refuse
   * at step 3 (the peer would drop us anyway) and keep the hosts it offered. */
  for (int i = 0; i < 2; i++)
    {
      SvHandshakeConfig c2 = cfg;
      if (i == 0)
        c2.force = SV_HANDSHAKE_FORCE_ULTRAPEER;
      else
        c2.leaf_count = 5;
      g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &c2);
      g_autoptr (GBytes) out = NULL;
      g_bytes_unref (sv_handshake_take_output (hs));
      ck_assert_int_eq (feed_str (hs, guided, NULL), SV_HANDSHAKE_REFUSED);
      out = sv_handshake_take_output (hs);
      ck_assert (g_str_has_prefix (g_bytes_get_data (out, NULL), "GNUTELLA/0.6 503 "));
      ck_assert (sv_handshake_result (hs)->refused_by_us);
      ck_assert_int_eq (sv_handshake_result (hs)->code, SV_HANDSHAKE_CODE_BUSY);
      ck_assert (!sv_handshake_result (hs)->we_became_leaf);
      ck_assert_int_eq (sv_handshake_result (hs)->our_role, SV_HANDSHAKE_ROLE_ULTRAPEER);
    }
}
END_TEST

START_TEST (test_forced_leaf)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (SvHandshake) hs = NULL;
  g_autoptr (GBytes) c = NULL;
  g_autoptr (SvHandshakeHeaders) ch = NULL;

  cfg.force = SV_HANDSHAKE_FORCE_LEAF;
  hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  c = sv_handshake_take_output (hs);
  ch = parse_output (c);
  ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Ultrapeer"), "False");
  ck_assert_int_eq (sv_handshake_result (hs)->our_role, SV_HANDSHAKE_ROLE_LEAF);
}
END_TEST

START_TEST (test_refused_503_try_hosts)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  const SvHandshakeResult *r = sv_handshake_result (hs);
  g_autoptr (GString) many = g_string_new ("GNUTELLA/0.6 503 Full\r\nX-Try-Ultrapeers: ");

  g_bytes_unref (sv_handshake_take_output (hs));   /* our CONNECT */

  ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 503 Busy Now\r\n"
                                  "User-Agent: gtk-gnutella/1.2.3\r\n"
                                  "X-Try-Ultrapeers: 10.1.2.3:6346, [2001:db8::7]:6347, 10.9.9.9,\r\n"
                                  "  bogus, 300.1.1.1:5, 10.0.0.4:0, 10.0.0.5:99999, [::1\r\n"
                                  "\r\n", NULL), SV_HANDSHAKE_REFUSED);
  ck_assert_uint_eq (r->code, 503);
  ck_assert_str_eq (r->reason, "Busy Now");
  ck_assert (!r->refused_by_us);
  ck_assert_uint_eq (r->n_try_hosts, 3);
  assert_host (&r->try_hosts[0], "10.1.2.3:6346");
  assert_host (&r->try_hosts[1], "[2001:db8::7]:6347");
  assert_host (&r->try_hosts[2], "10.9.9.9:6346");
  ck_assert_ptr_null (sv_handshake_take_output (hs));

  /* More entries than the cap: the first SV_HANDSHAKE_MAX_TRY_HOSTS are kept. */
  for (guint i = 0; i < SV_HANDSHAKE_MAX_TRY_HOSTS + 5; i++)
    g_string_append_printf (many, "%s10.0.1.%u:%u", i ? "," : "", i + 1, 7000 + i);
  g_string_append (many, "\r\n\r\n");
  {
    g_autoptr (SvHandshake) h2 = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
    const SvHandshakeResult *r2 = sv_handshake_result (h2);
    ck_assert_int_eq (feed_str (h2, many->str, NULL), SV_HANDSHAKE_REFUSED);
    ck_assert_uint_eq (r2->n_try_hosts, SV_HANDSHAKE_MAX_TRY_HOSTS);
    assert_host (&r2->try_hosts[SV_HANDSHAKE_MAX_TRY_HOSTS - 1], "10.0.1.20:7019");
  }
}
END_TEST

START_TEST (test_missing_user_agent)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autofree char *anon = edited_block (PUSH_RUN, 1, 1,
                                        "User-Agent: gtk-gnutella/1.2.3 (2024-03-03; Topless; Linux x86_64)\r\n", "");
  g_autofree char *anon_reply = edited_block (PUSH_RUN, 1, 2,
                                              "User-Agent: gtk-gnutella/1.2.3 (2024-03-03; Topless; Linux x86_64)\r\n", "");
  guint maj, min, code;
  const char *reason;

  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    ck_assert_int_eq (feed_str (hs, anon, NULL), SV_HANDSHAKE_REFUSED);
    ck_assert_uint_eq (sv_handshake_result (hs)->code, SV_HANDSHAKE_CODE_NO_USER_AGENT);
    ck_assert (sv_handshake_result (hs)->refused_by_us);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_int_eq (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (oh),
                                                              &maj, &min, &code, &reason), SV_STATUS_OK);
    ck_assert_uint_eq (code, 403);
    ck_assert_str_eq (reason, "User-Agent Required");
  }
  cfg = config_for (SV_HANDSHAKE_ROLE_LEAF);
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    g_bytes_unref (sv_handshake_take_output (hs));
    ck_assert_int_eq (feed_str (hs, anon_reply, NULL), SV_HANDSHAKE_REFUSED);
    ck_assert_uint_eq (sv_handshake_result (hs)->code, SV_HANDSHAKE_CODE_NO_USER_AGENT);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_str_eq (sv_handshake_headers_first_line (oh), "GNUTELLA/0.6 403 User-Agent Required");
  }
}
END_TEST

START_TEST (test_versions)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autofree char *newer = edited_block (PUSH_RUN, 1, 1, "CONNECT/0.6", "CONNECT/0.7");
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autoptr (SvHandshake) old = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autoptr (SvHandshake) newer_reply = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  g_autoptr (GBytes) out = NULL;
  g_autoptr (SvHandshakeHeaders) oh = NULL;

  ck_assert_int_eq (feed_str (hs, newer, NULL), SV_HANDSHAKE_NEED_MORE);
  ck_assert_uint_eq (sv_handshake_result (hs)->peer_version, SV_HANDSHAKE_VERSION (0, 7));
  out = sv_handshake_take_output (hs);
  oh = parse_output (out);
  ck_assert_str_eq (sv_handshake_headers_first_line (oh), "GNUTELLA/0.6 200 OK");

  ck_assert_int_eq (feed_str (old, "GNUTELLA CONNECT/0.4\n\n", NULL), SV_HANDSHAKE_FAILED);
  ck_assert_int_eq (sv_handshake_result (old)->verdict, SV_STATUS_UNSUPPORTED);

  ck_assert_int_eq (feed_str (newer_reply, "GNUTELLA/0.7 200 OK\r\nUser-Agent: x\r\nX-Ultrapeer: True\r\n\r\n",
                              NULL), SV_HANDSHAKE_ESTABLISHED);
}
END_TEST

START_TEST (test_garbage_and_caps)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  static const guint8 tls_hello[] = { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01 };
  gsize used;

  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    ck_assert_int_eq (feed_str (hs, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", NULL), SV_HANDSHAKE_FAILED);
    ck_assert_int_eq (sv_handshake_result (hs)->verdict, SV_STATUS_BAD_SYNTAX);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_str_eq (sv_handshake_headers_first_line (oh), "GNUTELLA/0.6 400 Bad Request");
  }
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    ck_assert_int_eq (sv_handshake_feed (hs, tls_hello, sizeof tls_hello, &used), SV_HANDSHAKE_FAILED);
    ck_assert_int_eq (sv_handshake_result (hs)->verdict, SV_STATUS_BAD_SYNTAX);
  }
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
    g_bytes_unref (sv_handshake_take_output (hs));
    ck_assert_int_eq (feed_str (hs, "GNUTELLA OK\n\n", NULL), SV_HANDSHAKE_FAILED);
    ck_assert_int_eq (sv_handshake_result (hs)->verdict, SV_STATUS_BAD_SYNTAX);
    ck_assert_ptr_null (sv_handshake_take_output (hs));
  }
  /* Too many header lines: refused with 400 and the TOO_BIG verdict. */
  {
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    g_autoptr (GString) s = g_string_new ("GNUTELLA CONNECT/0.6\r\n");
    g_autoptr (GBytes) out = NULL;
    g_autoptr (SvHandshakeHeaders) oh = NULL;
    for (guint i = 0; i < SV_HANDSHAKE_MAX_HEADER_LINES + 1; i++)
      g_string_append_printf (s, "X-H%u: 1\r\n", i);
    ck_assert_int_eq (feed_str (hs, s->str, NULL), SV_HANDSHAKE_FAILED);
    ck_assert_int_eq (sv_handshake_result (hs)->verdict, SV_STATUS_TOO_BIG);
    out = sv_handshake_take_output (hs);
    oh = parse_output (out);
    ck_assert_str_eq (sv_handshake_headers_first_line (oh), "GNUTELLA/0.6 400 Headers Too Large");
  }
  /* A final step with an unknown Content-Encoding: a stream we cannot read. */
  {
    g_autofree char *connect = edited_block (PUSH_RUN, 1, 1, NULL, NULL);
    g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
    ck_assert_int_eq (feed_str (hs, connect, NULL), SV_HANDSHAKE_NEED_MORE);
    ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 200 OK\r\nContent-Encoding: gzip\r\n\r\n", NULL),
                      SV_HANDSHAKE_FAILED);
    ck_assert_int_eq (sv_handshake_result (hs)->verdict, SV_STATUS_UNSUPPORTED);
  }
}
END_TEST

START_TEST (test_non_200_final_closes)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (GBytes) connect = sv_test_handshake_block (PUSH_RUN, 0, 1);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  const SvHandshakeResult *r = sv_handshake_result (hs);

  ck_assert_int_eq (feed_bytes (hs, connect, NULL), SV_HANDSHAKE_NEED_MORE);
  g_bytes_unref (sv_handshake_take_output (hs));
  ck_assert_int_eq (feed_str (hs, "GNUTELLA/0.6 409 Already Connected\r\n\r\n", NULL), SV_HANDSHAKE_REFUSED);
  ck_assert_uint_eq (r->code, 409);
  ck_assert_str_eq (r->reason, "Already Connected");
  ck_assert (!r->refused_by_us);
  ck_assert_ptr_null (sv_handshake_take_output (hs));
}
END_TEST

/* The headers we send carry everything a modern servent advertises. */
START_TEST (test_our_headers)
{
  static const char *const wanted[] = {
    "User-Agent", "X-Ultrapeer", "X-Query-Routing", "X-Ultrapeer-Query-Routing", "Accept-Encoding",
    "Pong-Caching", "GGEP", "Vendor-Message", "Bye-Packet", "GUID", "Remote-IP", "Listen-IP",
    "X-Degree", "X-Max-TTL", "X-Dynamic-Querying", "X-Requeries", "X-Ext-Probes",
  };
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (SvHandshake) hs = NULL;
  g_autoptr (SvHandshake) fw = NULL;
  g_autoptr (GBytes) c = NULL;
  g_autoptr (GBytes) c2 = NULL;
  g_autoptr (SvHandshakeHeaders) ch = NULL;
  g_autoptr (SvHandshakeHeaders) ch2 = NULL;

  cfg.listen.family = 6;
  memcpy (cfg.listen.ip, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
  cfg.listen.port = 16346;
  hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  c = sv_handshake_take_output (hs);
  ch = parse_output (c);
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    ck_assert_msg (sv_handshake_headers_get (ch, wanted[i]) != NULL, "missing %s", wanted[i]);
  ck_assert_str_eq (sv_handshake_headers_get (ch, "User-Agent"), "servent/0.1.0");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Query-Routing"), "0.2");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Ultrapeer-Query-Routing"), "0.1");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "GGEP"), "0.5");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "Vendor-Message"), "0.2");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Requeries"), "False");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "GUID"), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "Listen-IP"), "[2001:db8::2]:16346");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Max-TTL"), "4");
  ck_assert_str_eq (sv_handshake_headers_get (ch, "X-Degree"), "32");
  ck_assert_ptr_null (sv_handshake_headers_get (ch, "Upgrade"));
  ck_assert_ptr_null (sv_handshake_headers_get (ch, "Content-Encoding"));

  cfg.listen.port = 0;
  fw = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  c2 = sv_handshake_take_output (fw);
  ch2 = parse_output (c2);
  ck_assert_ptr_null (sv_handshake_headers_get (ch2, "Listen-IP"));
  ck_assert_str_eq (sv_handshake_headers_get (ch2, "Node"), "");
}
END_TEST

/* The handshake reads its address headers with SV_HANDSHAKE_HOST_FLAGS. */
static gboolean
wire_host_parse (const char *text, gsize len, guint16 default_port, SvHostAddr *out)
{
  return sv_host_addr_parse_full (text, len, default_port, SV_HANDSHAKE_HOST_FLAGS, out) == SV_STATUS_OK;
}

START_TEST (test_host_parse)
{
  SvHostAddr h;

  ck_assert (wire_host_parse ("1.2.3.4:5", 9, 6346, &h));
  assert_host (&h, "1.2.3.4:5");
  ck_assert (wire_host_parse (" 1.2.3.4 ", 9, 6346, &h));
  assert_host (&h, "1.2.3.4:6346");
  ck_assert (wire_host_parse ("[::1]", 5, 6346, &h));
  assert_host (&h, "[::1]:6346");
  ck_assert (wire_host_parse ("2001:db8::1", 11, 0, &h));
  ck_assert_uint_eq (h.family, 6);
  ck_assert_uint_eq (h.port, 0);
  /* A firewalled peer's Listen-IP carries port 0; older servents pad dotted quads with zeros. */
  ck_assert (wire_host_parse ("127.0.0.0:0", 11, 6346, &h));
  ck_assert_uint_eq (h.port, 0);
  ck_assert (wire_host_parse ("010.001.002.003:6346", 20, 0, &h));
  assert_host (&h, "10.1.2.3:6346");
  /* Addresses we are handed elsewhere (seeds, pongs) stay strict. */
  ck_assert_int_eq (sv_host_addr_parse ("127.0.0.0:0", 11, 6346, &h), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_host_addr_parse ("010.001.002.003:6346", 20, 0, &h), SV_STATUS_BAD_SYNTAX);
  /* Text that is refused leaves no host behind. */
  memset (&h, 0, sizeof h);
  ck_assert (!wire_host_parse ("1.2.3", 5, 6346, &h));
  ck_assert_uint_eq (h.family, 0);
  ck_assert (!wire_host_parse ("1.2.3.4.5", 9, 6346, &h));
  ck_assert (!wire_host_parse ("256.2.3.4", 9, 6346, &h));
  ck_assert (!wire_host_parse ("1.2.3.4:65536", 13, 6346, &h));
  ck_assert (!wire_host_parse ("1.2.3.4:", 8, 6346, &h));
  ck_assert (!wire_host_parse ("[::1]x", 6, 6346, &h));
  ck_assert (!wire_host_parse ("[1.2.3.4]:5", 11, 6346, &h));
  ck_assert (!wire_host_parse ("host.example:6346", 17, 6346, &h));
  ck_assert (!wire_host_parse ("", 0, 6346, &h));
  ck_assert_uint_eq (h.family, 0);
}
END_TEST

/* Listen-IP with port 0 marks the peer firewalled; an X-Try-Ultrapeers entry with port 0 or a bad
 * address is skipped; a Remote-IP that does not parse leaves seen_as unset. */
START_TEST (test_host_headers_port_zero)
{
  SvHandshakeConfig cfg = config_for (SV_HANDSHAKE_ROLE_ULTRAPEER);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, &cfg);
  g_autofree char *connect = edited_block (PUSH_RUN, 1, 1, "Node: 127.0.0.3:16350\r\nRemote-IP: 127.0.0.1",
                                           "Listen-IP: 127.0.0.0:0\r\nRemote-IP: 1.2.3\r\n"
                                           "X-Try-Ultrapeers: 192.0.2.7:0, 300.1.1.1, 192.0.2.8");
  const SvHandshakeResult *r = sv_handshake_result (hs);
  SvHostAddr hosts[SV_HANDSHAKE_MAX_TRY_HOSTS];

  ck_assert_int_eq (feed_str (hs, connect, NULL), SV_HANDSHAKE_NEED_MORE);
  ck_assert (r->firewalled);
  assert_host (&r->listen, "127.0.0.0:0");
  ck_assert_uint_eq (r->seen_as.family, 0);
  ck_assert_uint_eq (r->n_try_hosts, 1);
  assert_host (&r->try_hosts[0], "192.0.2.8:6346");
  ck_assert_uint_eq (sv_handshake_parse_try_hosts ("010.0.0.1:6347,[::1]:0,[2001:db8::1]", hosts,
                                                   SV_HANDSHAKE_MAX_TRY_HOSTS), 2);
  assert_host (&hosts[0], "10.0.0.1:6347");
  assert_host (&hosts[1], "[2001:db8::1]:6346");
}
END_TEST

static Suite *
handshake_suite (void)
{
  Suite *s = suite_create ("handshake");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_accept_firewalled_leaf);
  tcase_add_test (tc, test_accept_leaf_with_node_address);
  tcase_add_test (tc, test_accept_tls_offer_stays_plain);
  tcase_add_test (tc, test_connect_as_leaf_to_gtkg);
  tcase_add_test (tc, test_connect_tls_reply_without_content_encoding);
  tcase_add_test (tc, test_every_split_incoming);
  tcase_add_test (tc, test_every_split_outgoing);
  tcase_add_test (tc, test_leaf_to_leaf_refused_with_try_hosts);
  tcase_add_test (tc, test_full_refused);
  tcase_add_test (tc, test_leaf_promotes_for_leaf);
  tcase_add_test (tc, test_refusal_without_handshake);
  tcase_add_test (tc, test_ultrapeer_not_needed);
  tcase_add_test (tc, test_up_to_up_with_leaf_guidance);
  tcase_add_test (tc, test_we_take_leaf_guidance);
  tcase_add_test (tc, test_forced_leaf);
  tcase_add_test (tc, test_refused_503_try_hosts);
  tcase_add_test (tc, test_missing_user_agent);
  tcase_add_test (tc, test_versions);
  tcase_add_test (tc, test_garbage_and_caps);
  tcase_add_test (tc, test_non_200_final_closes);
  tcase_add_test (tc, test_our_headers);
  tcase_add_test (tc, test_progress);
  tcase_add_test (tc, test_host_parse);
  tcase_add_test (tc, test_host_headers_port_zero);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sv_test_run (handshake_suite ());
}
