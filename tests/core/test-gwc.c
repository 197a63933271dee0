/* test-gwc.c: GWebCache v2 request URLs and answers, good and hostile. */
#include "check-util.h"
#include "gwc.h"

#include <string.h>

static SvStatus
parse_str (const char *s, SvGwcAnswer *out)
{
  return sv_gwc_parse ((const guint8 *) s, strlen (s), out);
}

static void
assert_host (const SvHostAddr *h, const char *text)
{
  char buf[SV_HOST_ADDR_STRLEN];

  ck_assert_str_eq (sv_host_addr_format (h, TRUE, buf), text);
}

START_TEST (test_request_url)
{
  g_autofree char *a = sv_gwc_request_url ("http://gwc.example.org/gwc.php", "0.1.0");
  g_autofree char *b = sv_gwc_request_url ("http://gwc.example.org/c.cgi?x=1", "0.1 beta");

  ck_assert_str_eq (a, "http://gwc.example.org/gwc.php?get=1&net=gnutella&client=SVNT&version=0.1.0");
  ck_assert_str_eq (b, "http://gwc.example.org/c.cgi?x=1&get=1&net=gnutella&client=SVNT&version=0.1%20beta");
}
END_TEST

START_TEST (test_v2_answer)
{
  SvGwcAnswer a;

  ck_assert_int_eq (parse_str ("I|pong|Cachey 1.0|gnutella\r\n"
                               "H|198.51.100.7:6346|120\r\n"
                               "H|203.0.113.9:16346|5|vendor|x\r\n"
                               "H|[2001:db8::5]:6348|1\r\n"
                               "U|http://gwc.example.net/cache.php|3600\r\n"
                               "U|https://gwc.example.com/|10\r\n"
                               "\r\n", &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.n_hosts, 3);
  assert_host (&a.hosts[0], "198.51.100.7:6346");
  assert_host (&a.hosts[1], "203.0.113.9:16346");
  assert_host (&a.hosts[2], "[2001:db8::5]:6348");
  ck_assert_uint_eq (a.n_urls, 2);
  ck_assert_str_eq (a.urls[0], "http://gwc.example.net/cache.php");
  ck_assert_str_eq (a.urls[1], "https://gwc.example.com/");
  ck_assert_uint_eq (a.n_bad, 0);
  ck_assert (!a.error);
  sv_gwc_answer_clear (&a);
  ck_assert_uint_eq (a.n_urls, 0);
}
END_TEST

START_TEST (test_v1_and_error)
{
  SvGwcAnswer a;

  ck_assert_int_eq (parse_str ("198.51.100.1:6346\n198.51.100.2:6347", &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.n_hosts, 2);
  assert_host (&a.hosts[1], "198.51.100.2:6347");
  sv_gwc_answer_clear (&a);

  ck_assert_int_eq (parse_str ("ERROR: client not allowed\n", &a), SV_STATUS_OK);
  ck_assert (a.error);
  ck_assert_uint_eq (a.n_hosts, 0);
  sv_gwc_answer_clear (&a);
}
END_TEST

START_TEST (test_malformed_lines_skipped)
{
  SvGwcAnswer a;
  static const guint8 with_nul[] = "H|198.51.100.3:6346\n\0H|198.51.100.4:6346\nH|198.51.100.5:6346\n";

  ck_assert_int_eq (parse_str ("H|\n"
                               "H|198.51.100.9\n"                 /* no port */
                               "H|198.51.100.9:0\n"               /* port 0 */
                               "H|198.51.100.9:70000\n"           /* port too big */
                               "H|not an address:6346\n"
                               "U|ftp://gwc.example.org/\n"       /* not HTTP */
                               "U|http://gwc.example.org/a b\n"   /* blank inside */
                               "X|what\n"
                               "<html><body>oops</body></html>\n"
                               "H|198.51.100.10:6346\n", &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.n_hosts, 1);
  assert_host (&a.hosts[0], "198.51.100.10:6346");
  ck_assert_uint_eq (a.n_urls, 0);
  ck_assert_uint_eq (a.n_bad, 9);
  sv_gwc_answer_clear (&a);

  /* A NUL spoils its own line only. */
  ck_assert_int_eq (sv_gwc_parse (with_nul, sizeof with_nul - 1, &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.n_hosts, 2);
  ck_assert_uint_eq (a.n_bad, 1);
  sv_gwc_answer_clear (&a);

  /* A URL over the cap is skipped. */
  {
    GString *s = g_string_new ("U|http://gwc.example.org/");
    for (int i = 0; i < SV_GWC_MAX_URL_BYTES; i++)
      g_string_append_c (s, 'a');
    g_string_append (s, "\n");
    ck_assert_int_eq (parse_str (s->str, &a), SV_STATUS_OK);
    ck_assert_uint_eq (a.n_urls, 0);
    ck_assert_uint_eq (a.n_bad, 1);
    sv_gwc_answer_clear (&a);
    g_string_free (s, TRUE);
  }
}
END_TEST

START_TEST (test_caps)
{
  SvGwcAnswer a;
  GString *s = g_string_new (NULL);
  g_autofree guint8 *big = g_malloc0 (SV_GWC_MAX_RESPONSE_BYTES + 1);

  for (int i = 0; i < 500; i++)
    g_string_append_printf (s, "H|198.51.%d.%d:6346\nU|http://c%d.example.org/\n", i / 200, i % 200, i);
  ck_assert_int_eq (parse_str (s->str, &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.n_hosts, SV_GWC_MAX_HOSTS);
  ck_assert_uint_eq (a.n_urls, SV_GWC_MAX_URLS);
  sv_gwc_answer_clear (&a);
  g_string_free (s, TRUE);

  ck_assert_int_eq (sv_gwc_parse (big, SV_GWC_MAX_RESPONSE_BYTES + 1, &a), SV_STATUS_TOO_BIG);
  ck_assert_uint_eq (a.n_hosts, 0);
  ck_assert_int_eq (sv_gwc_parse (big, 0, &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.n_hosts + a.n_urls + a.n_bad, 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("gwc");
  TCase *tc = tcase_create ("gwc");

  tcase_add_test (tc, test_request_url);
  tcase_add_test (tc, test_v2_answer);
  tcase_add_test (tc, test_v1_and_error);
  tcase_add_test (tc, test_malformed_lines_skipped);
  tcase_add_test (tc, test_caps);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
