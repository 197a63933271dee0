/* test-http-range.c: Range header parsing and resolution against file sizes. */
#include "check-util.h"
#include "http-range.h"

#include <string.h>

static SvStatus
parse (const char *text, SvHttpRangeSet *set)
{
  return sv_http_range_parse (text, strlen (text), set);
}

/* Parses @text, resolves it against @size and checks the verdict and span. */
static void
check_resolve (const char *text, guint64 size, SvHttpRangeVerdict verdict,
               guint64 first, guint64 length)
{
  SvHttpRangeSet set;
  guint64 f = 99, l = 99;

  ck_assert_msg (parse (text, &set) == SV_STATUS_OK, "parse %s", text);
  ck_assert_msg (sv_http_range_resolve (&set, size, &f, &l) == verdict,
                 "%s on %" G_GUINT64_FORMAT ": %s", text, size,
                 sv_http_range_verdict_name (sv_http_range_resolve (&set, size, &f, &l)));
  ck_assert_msg (f == first && l == length, "%s on %" G_GUINT64_FORMAT ": got %" G_GUINT64_FORMAT
                 "+%" G_GUINT64_FORMAT, text, size, f, l);
}

START_TEST (test_parse_forms)
{
  SvHttpRangeSet set;

  ck_assert_int_eq (parse ("bytes=0-499", &set), SV_STATUS_OK);
  ck_assert_uint_eq (set.count, 1);
  ck_assert (set.specs[0].has_first && set.specs[0].has_last);
  ck_assert_uint_eq (set.specs[0].first, 0);
  ck_assert_uint_eq (set.specs[0].last, 499);

  ck_assert_int_eq (parse ("bytes=500-", &set), SV_STATUS_OK);
  ck_assert (set.specs[0].has_first && !set.specs[0].has_last);
  ck_assert_uint_eq (set.specs[0].first, 500);

  ck_assert_int_eq (parse ("bytes=-200", &set), SV_STATUS_OK);
  ck_assert (!set.specs[0].has_first && set.specs[0].has_last);
  ck_assert_uint_eq (set.specs[0].last, 200);

  ck_assert_int_eq (parse ("  Bytes = 0 - 9 ,, 20-29 ,-5 ", &set), SV_STATUS_OK);
  ck_assert_uint_eq (set.count, 3);
  ck_assert_uint_eq (set.specs[1].first, 20);
  ck_assert_uint_eq (set.specs[1].last, 29);
  ck_assert (!set.specs[2].has_first);
  ck_assert_uint_eq (set.specs[2].last, 5);

  /* Files past 4 GiB. */
  ck_assert_int_eq (parse ("bytes=5000000000-6000000000", &set), SV_STATUS_OK);
  ck_assert_uint_eq (set.specs[0].first, G_GUINT64_CONSTANT (5000000000));
  ck_assert_int_eq (parse ("bytes=0-18446744073709551615", &set), SV_STATUS_OK);
  ck_assert_uint_eq (set.specs[0].last, G_MAXUINT64);
}
END_TEST

START_TEST (test_parse_rejects)
{
  static const struct {
    const char *text;
    SvStatus status;
  } cases[] = {
    { "", SV_STATUS_BAD_SYNTAX },
    { "bytes", SV_STATUS_BAD_SYNTAX },
    { "bytes=", SV_STATUS_BAD_SYNTAX },
    { "bytes=,", SV_STATUS_BAD_SYNTAX },
    { "bytes=-", SV_STATUS_BAD_SYNTAX },
    { "bytes=a-b", SV_STATUS_BAD_SYNTAX },
    { "bytes=1-2-3", SV_STATUS_BAD_SYNTAX },
    { "bytes=1", SV_STATUS_BAD_SYNTAX },
    { "bytes=--1", SV_STATUS_BAD_SYNTAX },
    { "bytes=+1-2", SV_STATUS_BAD_SYNTAX },
    { "bytes=1-2;x", SV_STATUS_BAD_SYNTAX },
    { "bytes=0-1 2-3", SV_STATUS_BAD_SYNTAX },
    { "=0-1", SV_STATUS_BAD_SYNTAX },
    { "items=0-1", SV_STATUS_UNSUPPORTED },
    { "bytesx=0-1", SV_STATUS_UNSUPPORTED },
    { "byte=0-1", SV_STATUS_UNSUPPORTED },
    { "bytes=10-9", SV_STATUS_BAD_VALUE },               /* inverted */
    { "bytes=99999999999999999999-", SV_STATUS_BAD_VALUE },
    { "bytes=0-99999999999999999999", SV_STATUS_BAD_VALUE },
    { "bytes=-99999999999999999999", SV_STATUS_BAD_VALUE },
    { "bytes=18446744073709551616-", SV_STATUS_BAD_VALUE }, /* 2^64 */
  };
  SvHttpRangeSet set;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    ck_assert_msg (parse (cases[i].text, &set) == cases[i].status, "\"%s\" gave %s",
                   cases[i].text, sv_status_name (parse (cases[i].text, &set)));
}
END_TEST

START_TEST (test_range_count_cap)
{
  g_autoptr (GString) text = g_string_new ("bytes=");
  SvHttpRangeSet set;

  for (guint i = 0; i < SV_HTTP_MAX_RANGES; i++)
    g_string_append_printf (text, "%s%u-%u", i ? "," : "", i * 10, i * 10 + 1);
  ck_assert_int_eq (sv_http_range_parse (text->str, text->len, &set), SV_STATUS_OK);
  ck_assert_uint_eq (set.count, SV_HTTP_MAX_RANGES);
  g_string_append (text, ",500-501");
  ck_assert_int_eq (sv_http_range_parse (text->str, text->len, &set), SV_STATUS_TOO_BIG);

  /* 1,000 ranges. */
  g_string_assign (text, "bytes=0-0");
  for (guint i = 1; i < 1000; i++)
    g_string_append_printf (text, ",%u-%u", i, i);
  ck_assert_int_eq (sv_http_range_parse (text->str, text->len, &set), SV_STATUS_TOO_BIG);
}
END_TEST

START_TEST (test_resolve_table)
{
  const guint64 big = G_GUINT64_CONSTANT (10000000000);    /* 10 GB, past 4 GiB */

  check_resolve ("bytes=0-499", 1000, SV_HTTP_RANGE_PARTIAL, 0, 500);
  check_resolve ("bytes=500-", 1000, SV_HTTP_RANGE_PARTIAL, 500, 500);
  check_resolve ("bytes=-200", 1000, SV_HTTP_RANGE_PARTIAL, 800, 200);
  check_resolve ("bytes=0-", 1000, SV_HTTP_RANGE_PARTIAL, 0, 1000);
  check_resolve ("bytes=999-999", 1000, SV_HTTP_RANGE_PARTIAL, 999, 1);
  /* End past EOF is clipped; start past EOF is unsatisfiable. */
  check_resolve ("bytes=900-5000", 1000, SV_HTTP_RANGE_PARTIAL, 900, 100);
  check_resolve ("bytes=1000-", 1000, SV_HTTP_RANGE_UNSATISFIABLE, 0, 0);
  check_resolve ("bytes=1000-2000", 1000, SV_HTTP_RANGE_UNSATISFIABLE, 0, 0);
  /* Suffix larger than the file: the whole file. Suffix 0: nothing. */
  check_resolve ("bytes=-5000", 1000, SV_HTTP_RANGE_PARTIAL, 0, 1000);
  check_resolve ("bytes=-0", 1000, SV_HTTP_RANGE_UNSATISFIABLE, 0, 0);
  /* Zero-length file: no range is satisfiable. */
  check_resolve ("bytes=0-", 0, SV_HTTP_RANGE_UNSATISFIABLE, 0, 0);
  check_resolve ("bytes=-1", 0, SV_HTTP_RANGE_UNSATISFIABLE, 0, 0);
  check_resolve ("bytes=0-0", 0, SV_HTTP_RANGE_UNSATISFIABLE, 0, 0);
  /* First satisfiable wins; unsatisfiable ones before it are skipped. */
  check_resolve ("bytes=5000-6000, 10-19", 1000, SV_HTTP_RANGE_PARTIAL, 10, 10);
  check_resolve ("bytes=10-19, 100-199", 1000, SV_HTTP_RANGE_PARTIAL, 10, 10);
  /* Overlapping and adjacent specs coalesce, in any order. */
  check_resolve ("bytes=10-19, 20-29", 1000, SV_HTTP_RANGE_PARTIAL, 10, 20);
  check_resolve ("bytes=20-29, 0-9, 10-19", 1000, SV_HTTP_RANGE_PARTIAL, 0, 30);
  check_resolve ("bytes=10-50, 40-", 1000, SV_HTTP_RANGE_PARTIAL, 10, 990);
  check_resolve ("bytes=990-, -20", 1000, SV_HTTP_RANGE_PARTIAL, 980, 20);
  check_resolve ("bytes=0-0, 2-2", 1000, SV_HTTP_RANGE_PARTIAL, 0, 1);
  /* 64-bit sizes. */
  check_resolve ("bytes=5000000000-", big, SV_HTTP_RANGE_PARTIAL,
                 G_GUINT64_CONSTANT (5000000000), big - G_GUINT64_CONSTANT (5000000000));
  check_resolve ("bytes=-1", big, SV_HTTP_RANGE_PARTIAL, big - 1, 1);
  check_resolve ("bytes=0-18446744073709551615", big, SV_HTTP_RANGE_PARTIAL, 0, big);
  check_resolve ("bytes=-18446744073709551615", G_MAXUINT64, SV_HTTP_RANGE_PARTIAL, 0,
                 G_MAXUINT64);
  check_resolve ("bytes=18446744073709551614-", G_MAXUINT64, SV_HTTP_RANGE_PARTIAL,
                 G_MAXUINT64 - 1, 1);
  check_resolve ("bytes=0-18446744073709551614, 18446744073709551614-", G_MAXUINT64,
                 SV_HTTP_RANGE_PARTIAL, 0, G_MAXUINT64);
}
END_TEST

START_TEST (test_resolve_absent)
{
  SvHttpRangeSet empty = { 0 };
  guint64 f = 1, l = 1;

  ck_assert_int_eq (sv_http_range_resolve (NULL, 1234, &f, &l), SV_HTTP_RANGE_FULL);
  ck_assert_uint_eq (f, 0);
  ck_assert_uint_eq (l, 1234);
  ck_assert_int_eq (sv_http_range_resolve (&empty, 0, &f, &l), SV_HTTP_RANGE_FULL);
  ck_assert_uint_eq (l, 0);
  ck_assert_str_eq (sv_http_range_verdict_name (SV_HTTP_RANGE_UNSATISFIABLE), "unsatisfiable");
}
END_TEST

START_TEST (test_truncations_never_crash)
{
  const char *text = "bytes=0-499, 1000-, -5";
  SvHttpRangeSet set;
  guint64 f, l;

  for (gsize cut = 0; cut <= strlen (text); cut++)
    {
      SvStatus st = sv_http_range_parse (text, cut, &set);

      if (st == SV_STATUS_OK)
        {
          ck_assert_uint_ge (cut, strlen ("bytes=0-"));
          ck_assert_int_ne (sv_http_range_resolve (&set, 2000, &f, &l), SV_HTTP_RANGE_FULL);
        }
      else
        ck_assert_msg (st == SV_STATUS_BAD_SYNTAX || st == SV_STATUS_UNSUPPORTED,
                       "cut %zu: %s", cut, sv_status_name (st));
    }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("http-range");
  TCase *tc = tcase_create ("range");

  tcase_add_test (tc, test_parse_forms);
  tcase_add_test (tc, test_parse_rejects);
  tcase_add_test (tc, test_range_count_cap);
  tcase_add_test (tc, test_resolve_table);
  tcase_add_test (tc, test_resolve_absent);
  tcase_add_test (tc, test_truncations_never_crash);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
