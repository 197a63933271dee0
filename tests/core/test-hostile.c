/* test-hostile.c: the hostile-address list: format, malformed lines, caps, lookups at range edges. */
#include "check-util.h"
#include "hostile.h"

#include <string.h>

static gboolean
listed (const SvHostile *h, const char *ip)
{
  SvHostAddr a;

  ck_assert_msg (sv_host_addr_parse_ip (ip, strlen (ip), &a) == SV_STATUS_OK, "%s", ip);
  return sv_hostile_contains (h, &a);
}

static SvHostile *
parse (const char *text, SvHostileStats *st)
{
  return sv_hostile_parse (text, strlen (text), st);
}

START_TEST (test_format_and_edges)
{
  SvHostileStats st;
  g_autoptr (SvHostile) h = parse ("# a comment line\n"
                                   "\n"
                                   "   \t\n"
                                   "10.20.0.0/16\n"
                                   "  172.16.5.0/24   # with a trailing comment\r\n"
                                   "8.8.8.8\n"
                                   "2001:db8:aaaa::/48\n"
                                   "2001:db8::7\n"
                                   "0.0.0.0/8",            /* no final newline */
                                   &st);

  ck_assert_uint_eq (st.lines, 9);
  ck_assert_uint_eq (st.entries, 6);
  ck_assert_uint_eq (st.malformed, 0);
  ck_assert_uint_eq (st.first_malformed, 0);
  ck_assert (!st.truncated);

  /* First and last address of each range, and one either side. */
  ck_assert (!listed (h, "10.19.255.255"));
  ck_assert (listed (h, "10.20.0.0"));
  ck_assert (listed (h, "10.20.255.255"));
  ck_assert (!listed (h, "10.21.0.0"));
  ck_assert (!listed (h, "172.16.4.255"));
  ck_assert (listed (h, "172.16.5.0"));
  ck_assert (listed (h, "172.16.5.255"));
  ck_assert (!listed (h, "172.16.6.0"));
  ck_assert (!listed (h, "8.8.8.7"));
  ck_assert (listed (h, "8.8.8.8"));
  ck_assert (!listed (h, "8.8.8.9"));
  ck_assert (listed (h, "0.0.0.0"));
  ck_assert (listed (h, "0.255.255.255"));
  ck_assert (!listed (h, "1.0.0.0"));
  ck_assert (!listed (h, "255.255.255.255"));
  ck_assert (!listed (h, "2001:db8:a9ff:ffff:ffff:ffff:ffff:ffff"));
  ck_assert (listed (h, "2001:db8:aaaa::"));
  ck_assert (listed (h, "2001:db8:aaaa:ffff:ffff:ffff:ffff:ffff"));
  ck_assert (!listed (h, "2001:db8:aaab::"));
  ck_assert (!listed (h, "2001:db8::6"));
  ck_assert (listed (h, "2001:db8::7"));
  ck_assert (!listed (h, "2001:db8::8"));
  /* The families do not leak into each other: ::a14:1 is not 10.20.0.1. */
  ck_assert (!listed (h, "::a14:1"));
  /* An IPv4-mapped address is its IPv4 host. */
  ck_assert (listed (h, "::ffff:8.8.8.8"));
}
END_TEST

START_TEST (test_malformed_lines_skipped)
{
  SvHostileStats st;
  g_autoptr (SvHostile) h = parse ("1.2.3.0/24\n"
                                   "1.2.3.4/33\n"          /* 2: prefix too long */
                                   "1.2.3/24\n"            /* 3: three parts */
                                   "10.0.0.0/08\n"         /* 4: leading zero */
                                   "fe80::/129\n"          /* 5 */
                                   "::1/\n"                /* 6: empty prefix */
                                   "/24\n"                 /* 7: no address */
                                   "1.2.3.4//8\n"          /* 8 */
                                   "9.9.9.9/ 8\n"          /* 9: blank after the slash */
                                   "example.com\n"         /* 10 */
                                   "5.6.7.8 junk\n"        /* 11 */
                                   "[::1]\n"               /* 12: brackets */
                                   "1.2.3.4/-1\n"          /* 13 */
                                   "4.4.4.4:6346\n"        /* 14: a port */
                                   "5.5.5.0/24\n",
                                   &st);

  ck_assert_uint_eq (st.lines, 15);
  ck_assert_uint_eq (st.entries, 2);
  ck_assert_uint_eq (st.malformed, 13);
  ck_assert_uint_eq (st.first_malformed, 2);
  /* The good lines around the bad ones still apply, and the bad ones list nothing. */
  ck_assert (listed (h, "1.2.3.200"));
  ck_assert (listed (h, "5.5.5.5"));
  ck_assert (!listed (h, "9.9.9.9"));
  ck_assert (!listed (h, "10.0.0.1"));
  ck_assert (!listed (h, "4.4.4.4"));
  ck_assert (!listed (h, "fe80::1"));
}
END_TEST

START_TEST (test_nul_and_long_lines)
{
  SvHostileStats st;
  GString *text = g_string_new ("6.6.6.6\n");
  SvHostile *h;

  /* A line of exactly the cap is read; one byte longer is malformed. */
  g_string_append (text, "7.7.7.7");
  for (gsize i = 7; i < SV_HOSTILE_MAX_LINE_BYTES; i++)
    g_string_append_c (text, ' ');
  g_string_append (text, "\n8.8.8.8");
  for (gsize i = 7; i < SV_HOSTILE_MAX_LINE_BYTES + 1; i++)
    g_string_append_c (text, ' ');
  g_string_append_len (text, "\n9.9.9.9\0\n1.1.1.1\n", 18);
  h = sv_hostile_parse (text->str, text->len, &st);
  ck_assert_uint_eq (st.malformed, 2);
  ck_assert_uint_eq (st.first_malformed, 3);
  ck_assert (listed (h, "6.6.6.6"));
  ck_assert (listed (h, "7.7.7.7"));
  ck_assert (!listed (h, "8.8.8.8"));
  ck_assert (!listed (h, "9.9.9.9"));
  ck_assert (listed (h, "1.1.1.1"));
  sv_hostile_free (h);
  g_string_free (text, TRUE);
}
END_TEST

START_TEST (test_line_cap)
{
  GString *text = g_string_new (NULL);
  SvHostileStats st;
  SvHostile *h;

  for (guint i = 0; i < SV_HOSTILE_MAX_LINES; i++)
    g_string_append (text, "# filler\n");
  g_string_append (text, "3.3.3.3\n");
  h = sv_hostile_parse (text->str, text->len, &st);
  ck_assert_uint_eq (st.lines, SV_HOSTILE_MAX_LINES);
  ck_assert (st.truncated);
  ck_assert (!listed (h, "3.3.3.3"));
  sv_hostile_free (h);

  /* At the cap exactly, nothing is cut. */
  g_string_truncate (text, 0);
  for (guint i = 0; i + 1 < SV_HOSTILE_MAX_LINES; i++)
    g_string_append (text, "\n");
  g_string_append (text, "3.3.3.3\n");
  h = sv_hostile_parse (text->str, text->len, &st);
  ck_assert (!st.truncated);
  ck_assert (listed (h, "3.3.3.3"));
  sv_hostile_free (h);
  g_string_free (text, TRUE);
}
END_TEST

START_TEST (test_merge_overlaps)
{
  SvHostileStats st;
  g_autoptr (SvHostile) h = parse ("10.128.0.0/9\n"
                                   "10.1.2.3/8\n"        /* host bits ignored: 10.0.0.0/8 */
                                   "10.0.0.0/9\n"
                                   "11.0.0.0/8\n"        /* adjacent: folds into one range */
                                   "13.0.0.0/8\n"
                                   "fd00::/8\n"
                                   "fd12::/16\n"
                                   "ff00::/8\n",
                                   &st);

  ck_assert_uint_eq (st.entries, 8);
  ck_assert_uint_eq (sv_hostile_n_ranges_v4 (h), 2);
  ck_assert_uint_eq (sv_hostile_n_ranges_v6 (h), 2);
  ck_assert (listed (h, "10.0.0.0"));
  ck_assert (listed (h, "11.255.255.255"));
  ck_assert (!listed (h, "12.0.0.0"));
  ck_assert (listed (h, "13.1.1.1"));
  ck_assert (listed (h, "fd12:3456::1"));
  ck_assert (!listed (h, "fc00::1"));
  ck_assert (!listed (h, "fe00::1"));
  ck_assert (listed (h, "ff02::1"));

  /* Adjacent IPv6 ranges fold too, across the 64-bit halves. */
  {
    g_autoptr (SvHostile) v6 = parse ("fd00::/8\nfe00::/8\n2001:db8:0:1::/64\n2001:db8::/64\n", NULL);

    ck_assert_uint_eq (sv_hostile_n_ranges_v6 (v6), 2);
    ck_assert (listed (v6, "2001:db8::ffff"));
    ck_assert (listed (v6, "2001:db8:0:1:ffff:ffff:ffff:ffff"));
    ck_assert (!listed (v6, "2001:db8:0:2::"));
    ck_assert (listed (v6, "fe80::1"));
  }
}
END_TEST

START_TEST (test_whole_space_and_empty)
{
  g_autoptr (SvHostile) all = parse ("0.0.0.0/0\n::/0\n", NULL);
  g_autoptr (SvHostile) top = parse ("255.255.255.255/32\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n"
                                     "ffff:ffff:ffff:ffff::/64\n", NULL);
  g_autoptr (SvHostile) none = sv_hostile_new ();
  SvHostileStats st;
  g_autoptr (SvHostile) empty = sv_hostile_parse (NULL, 0, &st);
  SvHostAddr unset = { 0 };

  ck_assert (listed (all, "0.0.0.0"));
  ck_assert (listed (all, "255.255.255.255"));
  ck_assert (listed (all, "::"));
  ck_assert (listed (all, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  ck_assert (!sv_hostile_contains (all, &unset));
  ck_assert (listed (top, "255.255.255.255"));
  ck_assert (!listed (top, "255.255.255.254"));
  ck_assert (listed (top, "ffff:ffff:ffff:ffff::1"));
  ck_assert (!listed (top, "ffff:ffff:ffff:fffe:ffff:ffff:ffff:ffff"));
  ck_assert_uint_eq (sv_hostile_n_ranges_v6 (top), 1);
  ck_assert (!listed (none, "1.2.3.4"));
  ck_assert (!sv_hostile_contains (NULL, &unset));
  ck_assert_uint_eq (st.lines, 0);
  ck_assert (!listed (empty, "::1"));
}
END_TEST

START_TEST (test_shipped_list)
{
  g_autofree char *path = g_build_filename (g_getenv ("SV_TEST_DATA"), "..", "..", "data",
                                               "hostiles.txt", NULL);
  g_autofree char *text = NULL;
  gsize len;
  SvHostileStats st;
  SvHostile *h;

  ck_assert (g_file_get_contents (path, &text, &len, NULL));
  h = sv_hostile_parse (text, len, &st);
  ck_assert_uint_eq (st.malformed, 0);
  ck_assert_uint_gt (st.entries, 0);
  ck_assert (listed (h, "0.0.0.0"));
  ck_assert (listed (h, "255.255.255.255"));
  /* Test networks run with --lan use the documentation ranges: the list must leave them be. */
  ck_assert (!listed (h, "198.51.100.2"));
  ck_assert (!listed (h, "203.0.113.1"));
  ck_assert (!listed (h, "192.0.2.1"));
  ck_assert (!listed (h, "198.18.0.1"));
  ck_assert (!listed (h, "127.0.0.1"));
  ck_assert (!listed (h, "2001:db8::1"));
  sv_hostile_free (h);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("hostile");
  TCase *tc = tcase_create ("hostile");

  tcase_add_test (tc, test_format_and_edges);
  tcase_add_test (tc, test_malformed_lines_skipped);
  tcase_add_test (tc, test_nul_and_long_lines);
  tcase_add_test (tc, test_line_cap);
  tcase_add_test (tc, test_merge_overlaps);
  tcase_add_test (tc, test_whole_space_and_empty);
  tcase_add_test (tc, test_shipped_list);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
