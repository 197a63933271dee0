/* test-push-route.c: servent GUID routes: learning, refresh, the size cap, expiry, closing. */
#include "check-util.h"
#include "push-route.h"

#include <string.h>

static SvGuid
servent_of (guint n)
{
  SvGuid g;

  memset (g.b, 0xA5, sizeof g.b);
  g.b[0] = (guint8) n;
  g.b[1] = (guint8) (n >> 8);
  return g;
}

START_TEST (test_learn_and_lookup)
{
  g_autoptr (SvPushRoute) pr = sv_push_route_new (10, G_USEC_PER_SEC);
  SvGuid a = servent_of (1), unknown = servent_of (2);
  guint64 conn = 0;

  sv_push_route_learn (pr, &a, 3, 0);
  ck_assert (sv_push_route_lookup (pr, &a, 1, &conn));
  ck_assert_uint_eq (conn, 3);
  ck_assert (!sv_push_route_lookup (pr, &unknown, 1, &conn));
  /* A later hit through another connection moves the route. */
  sv_push_route_learn (pr, &a, 5, 2);
  ck_assert (sv_push_route_lookup (pr, &a, 3, &conn));
  ck_assert_uint_eq (conn, 5);
  ck_assert_uint_eq (sv_push_route_size (pr), 1);
}
END_TEST

START_TEST (test_cap_evicts_least_recent)
{
  g_autoptr (SvPushRoute) pr = sv_push_route_new (3, G_USEC_PER_SEC);
  SvGuid a = servent_of (1), b = servent_of (2), c = servent_of (3), d = servent_of (4);

  sv_push_route_learn (pr, &a, 1, 0);
  sv_push_route_learn (pr, &b, 2, 1);
  sv_push_route_learn (pr, &c, 3, 2);
  sv_push_route_learn (pr, &a, 1, 3);   /* refresh: b is now the least recent */
  sv_push_route_learn (pr, &d, 4, 4);
  ck_assert_uint_eq (sv_push_route_size (pr), 3);
  ck_assert (sv_push_route_lookup (pr, &a, 5, NULL));
  ck_assert (!sv_push_route_lookup (pr, &b, 5, NULL));
  ck_assert (sv_push_route_lookup (pr, &c, 5, NULL));
  ck_assert (sv_push_route_lookup (pr, &d, 5, NULL));

  for (guint i = 100; i < 1100; i++)
    {
      SvGuid g = servent_of (i);
      sv_push_route_learn (pr, &g, i, 10 + i);
      ck_assert_uint_le (sv_push_route_size (pr), 3);
    }
}
END_TEST

START_TEST (test_refresh_extends_life)
{
  g_autoptr (SvPushRoute) pr = sv_push_route_new (10, 1000);
  SvGuid a = servent_of (1), b = servent_of (2);

  sv_push_route_learn (pr, &a, 1, 0);
  sv_push_route_learn (pr, &b, 2, 0);
  sv_push_route_learn (pr, &a, 1, 900);
  ck_assert (sv_push_route_lookup (pr, &a, 1500, NULL));
  ck_assert (!sv_push_route_lookup (pr, &b, 1500, NULL));
  ck_assert (!sv_push_route_lookup (pr, &a, 1900, NULL));
  sv_push_route_expire (pr, 1900);
  ck_assert_uint_eq (sv_push_route_size (pr), 0);
}
END_TEST

START_TEST (test_forget_connection)
{
  g_autoptr (SvPushRoute) pr = sv_push_route_new (10, G_USEC_PER_SEC);

  for (guint i = 0; i < 6; i++)
    {
      SvGuid g = servent_of (i);
      sv_push_route_learn (pr, &g, i % 2, i);
    }
  sv_push_route_forget_connection (pr, 1);
  ck_assert_uint_eq (sv_push_route_size (pr), 3);
  for (guint i = 0; i < 6; i++)
    {
      SvGuid g = servent_of (i);
      ck_assert_int_eq (sv_push_route_lookup (pr, &g, 10, NULL), i % 2 == 0);
    }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("push-route");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_learn_and_lookup);
  tcase_add_test (tc, test_cap_evicts_least_recent);
  tcase_add_test (tc, test_refresh_extends_life);
  tcase_add_test (tc, test_forget_connection);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
