/* test-token-bucket.c: the shared byte rate limit fills at its rate, holds a tenth of a second
 * (or its floor), and answers everything without a limit. */
#include "check-util.h"
#include "token-bucket.h"

START_TEST (test_fills_at_rate_up_to_a_tenth)
{
  SvTokenBucket b;

  sv_token_bucket_init (&b, 100000, 0, 0);
  ck_assert_uint_eq (sv_token_bucket_available (&b, 5000, 0), 0);          /* starts empty */
  ck_assert_uint_eq (sv_token_bucket_available (&b, 5000, 20000), 2000);    /* 20 ms */
  sv_token_bucket_spend (&b, 2000);
  ck_assert_uint_eq (sv_token_bucket_available (&b, 5000, 20000), 0);
  /* A long pause fills a tenth of a second's worth, no more. */
  ck_assert_uint_eq (sv_token_bucket_available (&b, 1000000, 10 * G_USEC_PER_SEC), 10000);
  /* Spending past the tokens leaves a debt that the rate pays back. */
  sv_token_bucket_spend (&b, 15000);
  ck_assert_uint_eq (sv_token_bucket_available (&b, 1000, 10 * G_USEC_PER_SEC + 40000), 0);
  ck_assert_uint_eq (sv_token_bucket_available (&b, 1000, 10 * G_USEC_PER_SEC + 60000), 1000);
}
END_TEST

START_TEST (test_floor_and_no_limit)
{
  SvTokenBucket b, free;

  sv_token_bucket_init (&b, 1000, 16384, 0);
  ck_assert_uint_eq (sv_token_bucket_available (&b, 100000, 60 * G_USEC_PER_SEC), 16384);
  sv_token_bucket_init (&free, 0, 0, 0);
  ck_assert_uint_eq (sv_token_bucket_available (&free, 123456789, 0), 123456789);
  sv_token_bucket_spend (&free, 123456789);
  ck_assert_uint_eq (sv_token_bucket_available (&free, 7, 0), 7);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("token-bucket");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_fills_at_rate_up_to_a_tenth);
  tcase_add_test (tc, test_floor_and_no_limit);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
