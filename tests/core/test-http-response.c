/* test-http-response.c: the response head a download acts on (http-response.h), including what
 * a lying or broken server sends. */
#include "check-util.h"
#include "http-response.h"

#include <string.h>

static SvStatus
feed (SvHttpResponse *r, const char *line, gboolean *end)
{
  return sv_http_response_feed_line (r, line, strlen (line), end);
}

START_TEST (test_a_gtk_gnutella_answer)
{
  SvHttpResponse r;
  gboolean end;
  const char *lines[] = {
    "HTTP/1.1 206 Partial Content\r\n", "Server: gtk-gnutella/1.2.3\r\n",
    "Content-Range: bytes 100-199/80000\r\n", "Content-Length: 100\r\n",
    "X-Gnutella-Content-URN: urn:sha1:QY2JLSMMJYG7XRQNKNMV56U7AFLRSPFB\r\n",
    "X-Alt: 198.51.100.1:6346\r\n", "x-alt: 198.51.100.2:6346\r\n",
  };

  sv_http_response_init (&r);
  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      ck_assert_int_eq (feed (&r, lines[i], &end), SV_STATUS_OK);
      ck_assert (!end);
    }
  ck_assert_int_eq (feed (&r, "\r\n", &end), SV_STATUS_OK);
  ck_assert (end);
  ck_assert_uint_eq (r.status, 206);
  ck_assert (r.has_range && r.range_first == 100 && r.range_last == 199 && r.range_total == 80000);
  ck_assert (r.has_length && r.content_length == 100);
  ck_assert (r.has_sha1);
  ck_assert_str_eq (g_hash_table_lookup (r.headers, "server"), "gtk-gnutella/1.2.3");
  ck_assert_str_eq (g_hash_table_lookup (r.headers, "x-alt"), "198.51.100.1:6346, 198.51.100.2:6346");
  sv_http_response_clear (&r);
}
END_TEST

START_TEST (test_busy_and_a_new_head_after_1xx)
{
  SvHttpResponse r;
  gboolean end;

  sv_http_response_init (&r);
  ck_assert_int_eq (feed (&r, "HTTP/1.1 100 Continue", &end), SV_STATUS_OK);
  ck_assert_int_eq (feed (&r, "Retry-After: 5", &end), SV_STATUS_OK);
  ck_assert_int_eq (feed (&r, "HTTP/1.1 503 Busy", &end), SV_STATUS_OK);
  ck_assert_uint_eq (r.retry_after, 0);   /* the 1xx head's headers are gone */
  ck_assert_int_eq (feed (&r, "Retry-After: 99999999", &end), SV_STATUS_OK);
  ck_assert_uint_eq (r.status, 503);
  ck_assert_uint_eq (r.retry_after, 86400);   /* capped at a day */
  ck_assert_int_eq (feed (&r, "HTTP/1.0 404", &end), SV_STATUS_OK);
  ck_assert_uint_eq (r.status, 404);
  sv_http_response_clear (&r);
}
END_TEST

START_TEST (test_malformed)
{
  SvHttpResponse r;
  gboolean end;
  guint64 a, b, c;

  sv_http_response_init (&r);
  ck_assert_int_eq (feed (&r, "Content-Length: 5", &end), SV_STATUS_BAD_SYNTAX);   /* before a status */
  ck_assert_int_eq (feed (&r, "\r\n", &end), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (feed (&r, "HTTP/1.1 2000 OK", &end), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (feed (&r, "HTTP/1.1 099 X", &end), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (feed (&r, "HTTP/1.1 2x0 OK", &end), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (feed (&r, "HTTP/1.1 200 OK", &end), SV_STATUS_OK);
  ck_assert_int_eq (feed (&r, "no colon here", &end), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (feed (&r, ": empty name", &end), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_http_response_feed_line (&r, "A: b\0c", 6, &end), SV_STATUS_BAD_SYNTAX);
  /* Values that would corrupt a file are not believed. */
  ck_assert_int_eq (feed (&r, "Content-Length: 18446744073709551616", &end), SV_STATUS_OK);
  ck_assert (!r.has_length);
  ck_assert_int_eq (feed (&r, "Content-Length: -1", &end), SV_STATUS_OK);
  ck_assert (!r.has_length);
  ck_assert_int_eq (feed (&r, "Content-Range: bytes 10-5/100", &end), SV_STATUS_OK);
  ck_assert (!r.has_range);
  ck_assert_int_eq (feed (&r, "Content-Range: bytes 0-100/100", &end), SV_STATUS_OK);
  ck_assert (!r.has_range);
  ck_assert_int_eq (feed (&r, "X-Gnutella-Content-URN: urn:sha1:SHORT", &end), SV_STATUS_OK);
  ck_assert (!r.has_sha1);
  ck_assert (!sv_http_response_parse_content_range ("bytes */100", &a, &b, &c));
  ck_assert (!sv_http_response_parse_content_range ("items 0-1/2", &a, &b, &c));
  ck_assert (!sv_http_response_parse_content_range ("bytes 0-1/", &a, &b, &c));
  ck_assert (sv_http_response_parse_content_range ("bytes=0-1/2", &a, &b, &c));
  sv_http_response_clear (&r);
}
END_TEST

START_TEST (test_caps)
{
  SvHttpResponse r;
  gboolean end;
  SvStatus st = SV_STATUS_OK;

  sv_http_response_init (&r);
  ck_assert_int_eq (feed (&r, "HTTP/1.1 200 OK", &end), SV_STATUS_OK);
  for (guint i = 0; i < SV_HTTP_RESPONSE_MAX_LINES + 5 && st == SV_STATUS_OK; i++)
    st = feed (&r, "X-Pad: 1", &end);
  ck_assert_int_eq (st, SV_STATUS_TOO_BIG);
  sv_http_response_clear (&r);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("http-response");
  TCase *tc = tcase_create ("http-response");

  tcase_add_test (tc, test_a_gtk_gnutella_answer);
  tcase_add_test (tc, test_busy_and_a_new_head_after_1xx);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_caps);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
