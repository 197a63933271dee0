/* test-fair-turns.c: takers of a short budget take turns in the order they found it short; one
 * that keeps asking cannot jump the line; one that stopped asking loses its place; with nobody
 * waiting anyone takes. */
#include "check-util.h"
#include "fair-turns.h"

static const int big, small, third;

START_TEST (test_take_turns)
{
  SvFairTurns t;
  gint64 now = 1000;

  sv_fair_turns_init (&t);
  /* Nobody waits: whoever asks takes what there is. */
  ck_assert (sv_fair_turns_ask (&t, &big, TRUE, now));
  ck_assert (sv_fair_turns_ask (&t, &big, TRUE, now));
  /* The bucket is empty: big waits; small finds big waiting and waits behind it. */
  ck_assert (!sv_fair_turns_ask (&t, &big, FALSE, now));
  ck_assert (!sv_fair_turns_ask (&t, &small, TRUE, now + 1000));
  ck_assert_uint_eq (sv_fair_turns_waiting (&t), 2);
  /* Tokens again: big, first in line, takes, and leaves the line. */
  ck_assert (sv_fair_turns_ask (&t, &big, TRUE, now + 20000));
  /* It asks again at once: small is ahead now. */
  ck_assert (!sv_fair_turns_ask (&t, &big, TRUE, now + 20001));
  ck_assert (sv_fair_turns_ask (&t, &small, TRUE, now + 21000));
  ck_assert (!sv_fair_turns_ask (&t, &small, TRUE, now + 21001));
  ck_assert (sv_fair_turns_ask (&t, &big, TRUE, now + 40000));
  /* Asking again keeps one's place (no second entry). */
  ck_assert (!sv_fair_turns_ask (&t, &big, TRUE, now + 40001));
  ck_assert (!sv_fair_turns_ask (&t, &big, TRUE, now + 40002));
  ck_assert_uint_eq (sv_fair_turns_waiting (&t), 2);
  sv_fair_turns_clear (&t);
}
END_TEST

START_TEST (test_stale_and_forget)
{
  SvFairTurns t;
  gint64 now = 5000;

  sv_fair_turns_init (&t);
  ck_assert (!sv_fair_turns_ask (&t, &big, FALSE, now));
  ck_assert (!sv_fair_turns_ask (&t, &small, TRUE, now));
  ck_assert (!sv_fair_turns_ask (&t, &third, TRUE, now));
  /* big stopped asking (its transfer ended): after the stale time its place goes. */
  ck_assert (!sv_fair_turns_ask (&t, &small, TRUE, now + SV_FAIR_TURNS_STALE_US - 1));
  ck_assert (sv_fair_turns_ask (&t, &small, TRUE, now + SV_FAIR_TURNS_STALE_US));
  /* A taker that is gone leaves the line at once. */
  sv_fair_turns_forget (&t, &third);
  sv_fair_turns_forget (&t, &third);
  ck_assert_uint_eq (sv_fair_turns_waiting (&t), 0);
  ck_assert (sv_fair_turns_ask (&t, &small, TRUE, now + SV_FAIR_TURNS_STALE_US + 1));
  sv_fair_turns_clear (&t);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("fair-turns");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_take_turns);
  tcase_add_test (tc, test_stale_and_forget);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
