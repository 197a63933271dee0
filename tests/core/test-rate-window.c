/* test-rate-window.c: per-address windows: the cap inside a window, a new window after it, kinds
 * and ports, and a table that stays bounded under a flood of addresses. */
#include "check-util.h"
#include "rate-window.h"

#include <string.h>

#define SEC G_USEC_PER_SEC

static SvHostAddr
addr (const char *text)
{
  SvHostAddr a;

  ck_assert_int_eq (sv_host_addr_parse (text, strlen (text), 6346, &a), SV_STATUS_OK);
  return a;
}

START_TEST (test_cap_and_next_window)
{
  g_autoptr (SvRateWindow) rw = sv_rate_window_new (3, 10 * SEC, 100);
  SvHostAddr a = addr ("192.0.2.1:1000"), a_other_port = addr ("192.0.2.1:2000"), b = addr ("192.0.2.2:1000");

  for (int i = 0; i < 3; i++)
    ck_assert (sv_rate_window_take (rw, i == 1 ? &a_other_port : &a, 0, i * SEC));
  /* The port does not make another key; another address or kind does. */
  ck_assert (!sv_rate_window_take (rw, &a, 0, 5 * SEC));
  ck_assert (!sv_rate_window_take (rw, &a_other_port, 0, 9 * SEC));
  ck_assert (sv_rate_window_take (rw, &b, 0, 9 * SEC));
  ck_assert (sv_rate_window_take (rw, &a, 1, 9 * SEC));
  /* The window opened at 0 s is over at 10 s. */
  ck_assert (sv_rate_window_take (rw, &a, 0, 10 * SEC));
  ck_assert (sv_rate_window_take (rw, &a, 0, 11 * SEC));
  ck_assert (sv_rate_window_take (rw, &a, 0, 12 * SEC));
  ck_assert (!sv_rate_window_take (rw, &a, 0, 19 * SEC));
}
END_TEST

START_TEST (test_bounded_under_flood)
{
  g_autoptr (SvRateWindow) rw = sv_rate_window_new (1, 60 * SEC, 64);
  SvHostAddr a = addr ("198.51.100.1:1");

  ck_assert (sv_rate_window_take (rw, &a, 0, 0));
  for (guint i = 0; i < 1000; i++)
    {
      SvHostAddr x;
      sv_host_addr_set_ipv4_u32 (&x, 0xcb007100 + i, 1);
      ck_assert (sv_rate_window_take (rw, &x, 0, 1 + i));
      ck_assert_uint_le (sv_rate_window_size (rw), 64);
    }
  /* Windows that are over go first when the table is full. */
  {
    g_autoptr (SvRateWindow) small = sv_rate_window_new (1, 10, 2);
    SvHostAddr p = addr ("203.0.113.1:1"), q = addr ("203.0.113.2:1"), r = addr ("203.0.113.3:1");

    ck_assert (sv_rate_window_take (small, &p, 0, 0));
    ck_assert (sv_rate_window_take (small, &q, 0, 5));
    ck_assert (sv_rate_window_take (small, &r, 0, 12));    /* p's window is over: p goes */
    ck_assert (!sv_rate_window_take (small, &q, 0, 13));   /* q is still remembered */
  }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("rate-window");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_cap_and_next_window);
  tcase_add_test (tc, test_bounded_under_flood);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
