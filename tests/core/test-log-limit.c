/* test-log-limit.c: the per-kind log cap lets a burst through, counts the rest and reports them
 * when the next window opens. */
#include "check-util.h"
#include "log-limit.h"

#define T0 (G_GINT64_CONSTANT (1000) * G_USEC_PER_SEC)

START_TEST (test_burst_then_summary)
{
  SvLogLimit l = { 0 };
  guint suppressed = 99;
  guint shown = 0;

  for (guint i = 0; i < SV_LOG_LIMIT_BURST + 25; i++)
    if (sv_log_limit_allow (&l, T0 + i, &suppressed))
      shown++;
  ck_assert_uint_eq (shown, SV_LOG_LIMIT_BURST);
  ck_assert_uint_eq (suppressed, 0);
  /* Still inside the window: held back, nothing to report. */
  ck_assert (!sv_log_limit_allow (&l, T0 + SV_LOG_LIMIT_WINDOW_US - 1, &suppressed));
  ck_assert_uint_eq (suppressed, 0);
  /* The next window reports the 26 held back and lets the line through. */
  ck_assert (sv_log_limit_allow (&l, T0 + SV_LOG_LIMIT_WINDOW_US, &suppressed));
  ck_assert_uint_eq (suppressed, 26);
  /* ...once. */
  ck_assert (sv_log_limit_allow (&l, T0 + SV_LOG_LIMIT_WINDOW_US + 1, &suppressed));
  ck_assert_uint_eq (suppressed, 0);
  ck_assert (sv_log_limit_allow (&l, T0 + 3 * SV_LOG_LIMIT_WINDOW_US, NULL));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("log-limit");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_burst_then_summary);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
