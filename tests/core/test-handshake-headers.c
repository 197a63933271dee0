/* test-handshake-headers.c: the 0.6 header block parser: real blocks, every split, folding,
 * duplicates, line ends, caps exceeded by one, garbage. */
#include "check-util.h"
#include "handshake-headers.h"

#include <string.h>

static SvStatus
feed_all (SvHandshakeHeaders *h, const char *s, gsize len, gsize *consumed)
{
  return sv_handshake_headers_feed (h, (const guint8 *) s, len, consumed);
}

static guint
count_crlf (const guint8 *buf, gsize len)
{
  guint n = 0;

  for (gsize i = 0; i + 1 < len; i++)
    n += buf[i] == '\r' && buf[i + 1] == '\n';
  return n;
}

START_TEST (test_captured_connect)
{
  g_autoptr (GBytes) block = sv_test_handshake_block ("gtk-gnutella/run-3peers-push/handshakes.txt", 1, 1);
  gsize len, used = 0;
  const guint8 *buf = g_bytes_get_data (block, &len);
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  guint maj = 9, min = 9, n = 0;
  gboolean b = TRUE;

  ck_assert_int_eq (sv_handshake_headers_feed (h, buf, len, &used), SV_STATUS_OK);
  ck_assert_uint_eq (used, len);
  ck_assert (sv_handshake_headers_is_complete (h));
  ck_assert_str_eq (sv_handshake_headers_first_line (h), "GNUTELLA CONNECT/0.6");
  ck_assert_int_eq (sv_handshake_headers_parse_request_line (sv_handshake_headers_first_line (h),
                                                             &maj, &min), SV_STATUS_OK);
  ck_assert_uint_eq (maj, 0);
  ck_assert_uint_eq (min, 6);
  /* Every header line of the capture is distinct: one entry per line. */
  ck_assert_uint_eq (sv_handshake_headers_count (h), count_crlf (buf, len) - 2);
  ck_assert_str_eq (sv_handshake_headers_get (h, "node"), "127.0.0.3:16350");
  ck_assert_str_eq (sv_handshake_headers_get (h, "USER-AGENT"),
                    "gtk-gnutella/1.2.3 (2024-03-03; Topless; Linux x86_64)");
  ck_assert_str_eq (sv_handshake_headers_get (h, "X-Token"), "awFhi+JfugWZJEreWVtodO5cH5QDqJOl0vqG; rhQ=");
  ck_assert (sv_handshake_headers_get_bool (h, "x-ultrapeer", &b));
  ck_assert (!b);
  ck_assert (sv_handshake_headers_get_version (h, "X-Query-Routing", &maj, &min));
  ck_assert_uint_eq (maj, 0);
  ck_assert_uint_eq (min, 2);
  ck_assert (sv_handshake_headers_get_uint (h, "X-Degree", 1000, &n));
  ck_assert_uint_eq (n, 32);
  ck_assert (sv_handshake_headers_has_token (h, "X-Features", "sflag/0.1"));
  ck_assert (sv_handshake_headers_has_token (h, "accept-encoding", "DEFLATE"));
  ck_assert (!sv_handshake_headers_has_token (h, "X-Features", "sflag"));
  ck_assert_ptr_null (sv_handshake_headers_get (h, "Listen-IP"));
}
END_TEST

START_TEST (test_captured_status_and_empty_value)
{
  g_autoptr (GBytes) reply = sv_test_handshake_block ("gtk-gnutella/run-3peers-push/handshakes.txt", 0, 2);
  g_autoptr (GBytes) connect = sv_test_handshake_block ("gtk-gnutella/run-3peers-push/handshakes.txt", 0, 1);
  gsize len, used;
  const guint8 *buf = g_bytes_get_data (reply, &len);
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  g_autoptr (SvHandshakeHeaders) c = sv_handshake_headers_new ();
  guint maj, min, code;
  const char *reason;

  ck_assert_int_eq (sv_handshake_headers_feed (h, buf, len, &used), SV_STATUS_OK);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (h),
                                                            &maj, &min, &code, &reason), SV_STATUS_OK);
  ck_assert_uint_eq (code, 200);
  ck_assert_str_eq (reason, "OK");
  ck_assert_str_eq (sv_handshake_headers_get (h, "Content-Encoding"), "deflate");

  buf = g_bytes_get_data (connect, &len);
  ck_assert_int_eq (sv_handshake_headers_feed (c, buf, len, &used), SV_STATUS_OK);
  /* The firewalled leaf's `Node: ` is present with an empty value. */
  ck_assert_str_eq (sv_handshake_headers_get (c, "Node"), "");
}
END_TEST

/* Every split into two feeds, then byte by byte: the same block, the same count. */
START_TEST (test_every_split)
{
  g_autoptr (GBytes) block = sv_test_handshake_block ("gtk-gnutella/run-tls-build/handshakes.txt", 0, 2);
  gsize len;
  const guint8 *buf = g_bytes_get_data (block, &len);
  g_autoptr (GByteArray) with_tail = g_byte_array_new ();

  g_byte_array_append (with_tail, buf, (guint) len);
  g_byte_array_append (with_tail, (const guint8 *) "\x78\x9c\x00", 3);   /* a deflate stream starts */

  for (gsize cut = 0; cut <= with_tail->len; cut++)
    {
      g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
      gsize a = 0, b = 0;
      SvStatus st = sv_handshake_headers_feed (h, with_tail->data, cut, &a);

      if (cut < len)
        {
          ck_assert_int_eq (st, SV_STATUS_NEED_MORE);
          ck_assert_uint_eq (a, cut);
          st = sv_handshake_headers_feed (h, with_tail->data + cut, with_tail->len - cut, &b);
        }
      ck_assert_int_eq (st, SV_STATUS_OK);
      ck_assert_uint_eq (a + b, len);
      ck_assert_str_eq (sv_handshake_headers_get (h, "Connection"), "Upgrade");
      ck_assert_str_eq (sv_handshake_headers_get (h, "X-Max-TTL"), "4");
      ck_assert_uint_eq (sv_handshake_headers_count (h), count_crlf (buf, len) - 2);
    }

  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  gsize used = 0;
  for (gsize i = 0; i < len; i++)
    {
      SvStatus st = sv_handshake_headers_feed (h, buf + i, 1, &used);
      ck_assert_uint_eq (used, 1);
      ck_assert_int_eq (st, i + 1 == len ? SV_STATUS_OK : SV_STATUS_NEED_MORE);
    }
  /* Done: nothing more is taken. */
  ck_assert_int_eq (sv_handshake_headers_feed (h, buf, len, &used), SV_STATUS_OK);
  ck_assert_uint_eq (used, 0);
}
END_TEST

START_TEST (test_folding_duplicates_bare_lf)
{
  static const char block[] =
    "GNUTELLA/0.6 503 Busy Now\n"
    "X-Try-Ultrapeers: 10.0.0.1:6346,\r\n"
    "\t 10.0.0.2:6347  \r\n"
    "x-try-ultrapeers: 10.0.0.3\n"
    "Empty:\r\n"
    "empty:   \r\n"
    "Spaced :\r\n";
  static const char good[] =
    "GNUTELLA/0.6 503 Busy Now\n"
    "X-Try-Ultrapeers: 10.0.0.1:6346,\r\n"
    "\t 10.0.0.2:6347  \r\n"
    "x-try-ultrapeers: 10.0.0.3\n"
    "Empty:\r\n"
    "empty:   \r\n"
    "X-Long: a\r\n"
    "   b\r\n"
    " c\r\n"
    "\n"
    "rest";
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  g_autoptr (SvHandshakeHeaders) bad = sv_handshake_headers_new ();
  gsize used;
  guint maj, min, code;
  const char *reason, *value;

  ck_assert_int_eq (feed_all (h, good, strlen (good), &used), SV_STATUS_OK);
  ck_assert_uint_eq (used, strlen (good) - 4);
  ck_assert_str_eq (sv_handshake_headers_get (h, "X-TRY-ULTRAPEERS"),
                    "10.0.0.1:6346, 10.0.0.2:6347, 10.0.0.3");
  ck_assert_str_eq (sv_handshake_headers_get (h, "empty"), "");
  ck_assert_str_eq (sv_handshake_headers_get (h, "X-Long"), "a b c");
  ck_assert_uint_eq (sv_handshake_headers_count (h), 3);
  ck_assert_str_eq (sv_handshake_headers_nth (h, 0, &value), "X-Try-Ultrapeers");
  ck_assert_str_eq (value, "10.0.0.1:6346, 10.0.0.2:6347, 10.0.0.3");
  ck_assert_int_eq (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (h),
                                                            &maj, &min, &code, &reason), SV_STATUS_OK);
  ck_assert_uint_eq (code, 503);
  ck_assert_str_eq (reason, "Busy Now");

  /* A space before the colon is not a header name. */
  ck_assert_int_eq (feed_all (bad, block, strlen (block), &used), SV_STATUS_BAD_SYNTAX);
}
END_TEST

static void
expect_syntax_error (const char *text)
{
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  gsize used;

  ck_assert_msg (feed_all (h, text, strlen (text) + (text[0] == '\0'), &used) == SV_STATUS_BAD_SYNTAX,
                 "accepted: %s", text);
  /* The verdict sticks. */
  ck_assert_int_eq (feed_all (h, "\r\n", 2, &used), SV_STATUS_BAD_SYNTAX);
  ck_assert_uint_eq (used, 0);
}

START_TEST (test_garbage)
{
  static const guint8 binary[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, '\n' };
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  gsize used;

  ck_assert_int_eq (sv_handshake_headers_feed (h, binary, sizeof binary, &used), SV_STATUS_BAD_SYNTAX);
  expect_syntax_error ("\r\n");
  expect_syntax_error ("");        /* a NUL byte as the whole first line */
  expect_syntax_error (" GNUTELLA CONNECT/0.6\r\n");
  expect_syntax_error ("GNUTELLA CONNECT/0.6\r\n continued\r\n");
  expect_syntax_error ("GNUTELLA CONNECT/0.6\r\nNo colon here\r\n");
  expect_syntax_error ("GNUTELLA CONNECT/0.6\r\n: no name\r\n");
  expect_syntax_error ("GNUTELLA CONNECT/0.6\r\nA: b\rc\r\n");
}
END_TEST

START_TEST (test_first_lines)
{
  guint maj, min, code;
  const char *reason;

  ck_assert_int_eq (sv_handshake_headers_parse_request_line ("GNUTELLA CONNECT/0.7", &maj, &min), SV_STATUS_OK);
  ck_assert_uint_eq (min, 7);
  ck_assert_int_eq (sv_handshake_headers_parse_request_line ("GNUTELLA CONNECT/0.6 ", &maj, &min), SV_STATUS_OK);
  ck_assert_int_eq (sv_handshake_headers_parse_request_line ("GNUTELLA CONNECT/", &maj, &min), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_handshake_headers_parse_request_line ("GNUTELLA CONNECT/0.6x", &maj, &min), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_handshake_headers_parse_request_line ("GET / HTTP/1.1", &maj, &min), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_handshake_headers_parse_request_line ("GNUTELLA CONNECT/1234.5", &maj, &min), SV_STATUS_BAD_SYNTAX);

  ck_assert_int_eq (sv_handshake_headers_parse_status_line ("GNUTELLA/0.6 200", &maj, &min, &code, &reason), SV_STATUS_OK);
  ck_assert_uint_eq (code, 200);
  ck_assert_str_eq (reason, "");
  ck_assert_int_eq (sv_handshake_headers_parse_status_line ("GNUTELLA/0.6 20", &maj, &min, &code, &reason), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line ("GNUTELLA/0.6 2000 OK", &maj, &min, &code, &reason), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line ("GNUTELLA/0.6 099 x", &maj, &min, &code, &reason), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line ("GNUTELLA OK", &maj, &min, &code, &reason), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_handshake_headers_parse_status_line ("HTTP/1.1 200 OK", &maj, &min, &code, &reason), SV_STATUS_BAD_SYNTAX);
}
END_TEST

/* A block whose longest line is @line_len bytes (without CRLF). */
static SvStatus
feed_line_of (gsize line_len)
{
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  g_autoptr (GString) s = g_string_new ("GNUTELLA CONNECT/0.6\r\nX-Pad: ");
  gsize used;

  while (s->len < strlen ("GNUTELLA CONNECT/0.6\r\n") + line_len)
    g_string_append_c (s, 'a');
  g_string_append (s, "\r\n\r\n");
  return feed_all (h, s->str, s->len, &used);
}

/* A block of @lines header lines after the first line. */
static SvStatus
feed_lines (guint lines)
{
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  g_autoptr (GString) s = g_string_new ("GNUTELLA CONNECT/0.6\r\n");
  gsize used;

  for (guint i = 0; i < lines; i++)
    g_string_append_printf (s, i % 2 ? " folded\r\n" : "H%u: v\r\n", i);
  g_string_append (s, "\r\n");
  return feed_all (h, s->str, s->len, &used);
}

/* A block of exactly @total bytes, blank line included. */
static SvStatus
feed_block_of (gsize total)
{
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  g_autoptr (GString) s = g_string_new ("GNUTELLA CONNECT/0.6\r\n");
  gsize used;
  guint i = 0;

  /* Fill with 1000-byte lines, then one line sized to land exactly on @total. */
  while (total - s->len - 2 > 1000 + 2 + 8)
    {
      g_string_append_printf (s, "H%04u: ", i++);
      while ((s->len + 2) % 1000 != 0)
        g_string_append_c (s, 'x');
      g_string_append (s, "\r\n");
    }
  g_string_append_printf (s, "L: ");
  while (s->len + 4 < total)
    g_string_append_c (s, 'y');
  g_string_append (s, "\r\n\r\n");
  ck_assert_uint_eq (s->len, total);
  return feed_all (h, s->str, s->len, &used);
}

START_TEST (test_caps_exceeded_by_one)
{
  ck_assert_int_eq (feed_line_of (SV_HANDSHAKE_MAX_LINE_BYTES), SV_STATUS_OK);
  ck_assert_int_eq (feed_line_of (SV_HANDSHAKE_MAX_LINE_BYTES + 1), SV_STATUS_TOO_BIG);
  ck_assert_int_eq (feed_lines (SV_HANDSHAKE_MAX_HEADER_LINES), SV_STATUS_OK);
  ck_assert_int_eq (feed_lines (SV_HANDSHAKE_MAX_HEADER_LINES + 1), SV_STATUS_TOO_BIG);
  ck_assert_int_eq (feed_block_of (SV_HANDSHAKE_MAX_HEADER_BYTES), SV_STATUS_OK);
  ck_assert_int_eq (feed_block_of (SV_HANDSHAKE_MAX_HEADER_BYTES + 1), SV_STATUS_TOO_BIG);
}
END_TEST

/* A line that never ends is refused as soon as it passes the cap, not when memory runs out. */
START_TEST (test_endless_line_refused_early)
{
  g_autoptr (SvHandshakeHeaders) h = sv_handshake_headers_new ();
  guint8 chunk[SV_HANDSHAKE_MAX_LINE_BYTES + 1];
  gsize used;

  memset (chunk, 'G', sizeof chunk);
  ck_assert_int_eq (sv_handshake_headers_feed (h, chunk, sizeof chunk - 1, &used), SV_STATUS_NEED_MORE);
  ck_assert_int_eq (sv_handshake_headers_feed (h, chunk, 1, &used), SV_STATUS_TOO_BIG);
  ck_assert_int_eq (sv_handshake_headers_feed (h, chunk, 1, &used), SV_STATUS_TOO_BIG);
}
END_TEST

static Suite *
handshake_headers_suite (void)
{
  Suite *s = suite_create ("handshake-headers");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_captured_connect);
  tcase_add_test (tc, test_captured_status_and_empty_value);
  tcase_add_test (tc, test_every_split);
  tcase_add_test (tc, test_folding_duplicates_bare_lf);
  tcase_add_test (tc, test_garbage);
  tcase_add_test (tc, test_first_lines);
  tcase_add_test (tc, test_caps_exceeded_by_one);
  tcase_add_test (tc, test_endless_line_refused_early);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sv_test_run (handshake_headers_suite ());
}
