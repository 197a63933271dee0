/* test-route-table.c: duplicate suppression, reverse-path lookups, the size cap and expiry. */
#include "check-util.h"
#include "msg-header.h"
#include "limits.h"
#include "route-table.h"

#include <string.h>

static SvGuid
muid_of (guint n)
{
  SvGuid g;

  memset (g.b, 0, sizeof g.b);
  g.b[0] = (guint8) n;
  g.b[1] = (guint8) (n >> 8);
  g.b[2] = (guint8) (n >> 16);
  g.b[8] = SV_GUID_MODERN_MARK;
  return g;
}

START_TEST (test_duplicate_same_type)
{
  g_autoptr (SvRouteTable) t = sv_route_table_new (100, G_USEC_PER_SEC, NULL);
  SvGuid m = muid_of (1);

  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 1, 3, FALSE, 0), SV_ROUTE_SEEN_NEW);
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 2, 3, FALSE, 10),
                    SV_ROUTE_SEEN_DUPLICATE);
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 2, 2, FALSE, 20),
                    SV_ROUTE_SEEN_DUPLICATE);
  ck_assert_uint_eq (sv_route_table_duplicates (t, 2), 2);
  ck_assert_uint_eq (sv_route_table_duplicates (t, 1), 0);
  /* The first route stays: the copy did not overwrite it. */
  guint64 conn = 0;
  ck_assert (sv_route_table_lookup (t, &m, SV_MSG_QUERY, 30, &conn));
  ck_assert_uint_eq (conn, 1);
  ck_assert_uint_eq (sv_route_table_size (t), 1);
}
END_TEST

START_TEST (test_other_type_not_duplicate)
{
  g_autoptr (SvRouteTable) t = sv_route_table_new (100, G_USEC_PER_SEC, NULL);
  SvGuid m = muid_of (1);

  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 1, 3, FALSE, 0), SV_ROUTE_SEEN_NEW);
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_PING, 1, 3, FALSE, 0), SV_ROUTE_SEEN_NEW);
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_PUSH, 1, 3, FALSE, 0), SV_ROUTE_SEEN_NEW);
  ck_assert_uint_eq (sv_route_table_size (t), 3);
  ck_assert_uint_eq (sv_route_table_duplicates (t, 1), 0);
}
END_TEST

START_TEST (test_resent_higher_ttl)
{
  g_autoptr (SvRouteTable) t = sv_route_table_new (100, G_USEC_PER_SEC, NULL);
  SvGuid m = muid_of (5);

  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 4, 1, TRUE, 0), SV_ROUTE_SEEN_NEW);
  /* Higher TTL from the same X-Ext-Probes peer: accepted once per higher TTL. */
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 4, 3, TRUE, 1), SV_ROUTE_SEEN_RESENT);
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 4, 3, TRUE, 2),
                    SV_ROUTE_SEEN_DUPLICATE);
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 4, 2, TRUE, 3),
                    SV_ROUTE_SEEN_DUPLICATE);
  /* A peer without the feature, or another connection, gets no exception. */
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 4, 4, FALSE, 4),
                    SV_ROUTE_SEEN_DUPLICATE);
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, 9, 4, TRUE, 5),
                    SV_ROUTE_SEEN_DUPLICATE);
  ck_assert_uint_eq (sv_route_table_duplicates (t, 4), 3);
  ck_assert_uint_eq (sv_route_table_duplicates (t, 9), 1);
}
END_TEST

START_TEST (test_cap_evicts_oldest)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (SvRouteTable) t = sv_route_table_new (100, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, rand);

  for (guint i = 0; i < 250; i++)
    {
      SvGuid m = muid_of (i);

      ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, i, 3, FALSE, i),
                        SV_ROUTE_SEEN_NEW);
      ck_assert_uint_le (sv_route_table_size (t), 100);
    }
  ck_assert_uint_eq (sv_route_table_size (t), 100);
  ck_assert_uint_eq (sv_route_table_capacity (t), 100);
  for (guint i = 0; i < 250; i++)
    {
      SvGuid m = muid_of (i);
      guint64 conn = 0;

      ck_assert_int_eq (sv_route_table_lookup (t, &m, SV_MSG_QUERY, 300, &conn), i >= 150);
      if (i >= 150)
        ck_assert_uint_eq (conn, i);
    }
  /* An evicted key is new again. */
  SvGuid first = muid_of (0);
  ck_assert_int_eq (sv_route_table_record (t, &first, SV_MSG_QUERY, 1, 3, FALSE, 400),
                    SV_ROUTE_SEEN_NEW);
  ck_assert_uint_eq (sv_route_table_size (t), 100);
}
END_TEST

START_TEST (test_expiry)
{
  g_autoptr (SvRouteTable) t = sv_route_table_new (1000, 1000, NULL);
  SvGuid m = muid_of (1);
  guint64 conn;

  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_PING, 3, 3, FALSE, 0), SV_ROUTE_SEEN_NEW);
  ck_assert (sv_route_table_lookup (t, &m, SV_MSG_PING, 999, &conn));
  ck_assert (!sv_route_table_lookup (t, &m, SV_MSG_PING, 1000, &conn));
  ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_PING, 4, 3, FALSE, 1000), SV_ROUTE_SEEN_NEW);
  ck_assert_uint_eq (sv_route_table_size (t), 1);
  ck_assert (sv_route_table_lookup (t, &m, SV_MSG_PING, 1500, &conn));
  ck_assert_uint_eq (conn, 4);

  for (guint i = 10; i < 60; i++)
    {
      SvGuid k = muid_of (i);
      sv_route_table_record (t, &k, SV_MSG_QUERY, 1, 3, FALSE, 1100);
    }
  for (guint i = 60; i < 110; i++)
    {
      SvGuid k = muid_of (i);
      sv_route_table_record (t, &k, SV_MSG_QUERY, 1, 3, FALSE, 1600);
    }
  ck_assert_uint_eq (sv_route_table_size (t), 101);
  sv_route_table_expire (t, 2100);
  ck_assert_uint_eq (sv_route_table_size (t), 50);
  sv_route_table_expire (t, 2600);
  ck_assert_uint_eq (sv_route_table_size (t), 0);
}
END_TEST

START_TEST (test_reverse_path)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  g_autoptr (SvRouteTable) t = sv_route_table_new (100, G_USEC_PER_SEC, rand);
  SvGuid q = muid_of (77), unknown = muid_of (78);
  guint64 conn = 0;

  sv_route_table_record (t, &q, SV_MSG_QUERY, 7, 3, FALSE, 0);
  ck_assert (sv_route_table_lookup (t, &q, SV_MSG_QUERY, 1, &conn));
  ck_assert_uint_eq (conn, 7);
  ck_assert (!sv_route_table_lookup (t, &q, SV_MSG_PING, 1, &conn));
  ck_assert (!sv_route_table_lookup (t, &unknown, SV_MSG_QUERY, 1, &conn));
}
END_TEST

START_TEST (test_duplicate_counters_bounded)
{
  g_autoptr (SvRouteTable) t = sv_route_table_new (10, G_USEC_PER_SEC, NULL);
  SvGuid m = muid_of (1);

  sv_route_table_record (t, &m, SV_MSG_QUERY, 0, 3, FALSE, 0);
  for (guint64 c = 1; c <= SV_ROUTER_MAX_PEER_STATS + 10; c++)
    {
      ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, c, 3, FALSE, 1),
                        SV_ROUTE_SEEN_DUPLICATE);
      ck_assert_uint_le (sv_route_table_counter_count (t), SV_ROUTER_MAX_PEER_STATS);
    }
  sv_route_table_record (t, &m, SV_MSG_QUERY, 5000, 3, FALSE, 2);
  ck_assert_uint_eq (sv_route_table_duplicates (t, 5000), 1);
  sv_route_table_forget_connection (t, 5000);
  ck_assert_uint_eq (sv_route_table_duplicates (t, 5000), 0);
}
END_TEST

/* A reference of what the table must answer: every route in recording order, searched by key. */
typedef struct {
  guint key;
  guint8 type;
  guint64 conn;
  gint64 at;
  guint8 max_ttl;
} ModelRoute;

static gboolean
model_expired (const ModelRoute *m, gint64 now, gint64 lifetime)
{
  return now > m->at && now - m->at >= lifetime;
}

static int
model_find (GArray *model, guint key, guint8 type)
{
  for (guint i = 0; i < model->len; i++)
    {
      const ModelRoute *m = &g_array_index (model, ModelRoute, i);

      if (m->key == key && m->type == type)
        return (int) i;
    }
  return -1;
}

static void
model_expire (GArray *model, gint64 now, gint64 lifetime)
{
  while (model->len > 0 && model_expired (&g_array_index (model, ModelRoute, 0), now, lifetime))
    g_array_remove_index (model, 0);
}

START_TEST (test_matches_reference)
{
  const guint cap = 300;
  const gint64 lifetime = 5000;
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (SvRouteTable) t = sv_route_table_new (cap, lifetime, rand);
  g_autoptr (GArray) model = g_array_new (FALSE, FALSE, sizeof (ModelRoute));
  gint64 now = 0;
  guint peak = 0;

  /* 200,000 steps over 2,000 keys and three types: duplicates, re-sends, keys coming back
   * after expiry or eviction, the cap reached and left, an index that grows and shrinks, the
   * sequence numbers' wrap, and now and then the clock stepping back. */
  for (guint step = 0; step < 200000; step++)
    {
      guint key = (guint) g_rand_int_range (rand, 0, 2000);
      guint8 type = (guint8[]) { SV_MSG_PING, SV_MSG_QUERY, SV_MSG_PUSH }[key % 3];
      guint64 conn = (guint64) g_rand_int_range (rand, 1, 5);
      guint8 ttl = (guint8) g_rand_int_range (rand, 1, 8);
      SvGuid m = muid_of (key);
      int at;

      /* Busy and quiet phases: the table fills to its cap and empties again. */
      now += (step / 20000) % 2 == 0 ? g_rand_int_range (rand, 0, 10) : g_rand_int_range (rand, 0, 200);
      if (g_rand_int_range (rand, 0, 5000) == 0)
        now -= 3000;
      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          guint64 got = 0;
          gboolean found = sv_route_table_lookup (t, &m, type, now, &got);

          at = model_find (model, key, type);
          if (at >= 0 && model_expired (&g_array_index (model, ModelRoute, at), now, lifetime))
            at = -1;
          ck_assert_int_eq (found, at >= 0);
          if (found)
            ck_assert_uint_eq (got, g_array_index (model, ModelRoute, at).conn);
          continue;
        }

      SvRouteSeen want;
      gboolean accept = g_rand_boolean (rand);

      model_expire (model, now, lifetime);
      at = model_find (model, key, type);
      if (at >= 0 && !model_expired (&g_array_index (model, ModelRoute, at), now, lifetime))
        {
          ModelRoute *r = &g_array_index (model, ModelRoute, at);

          want = accept && r->conn == conn && ttl > r->max_ttl ? SV_ROUTE_SEEN_RESENT
                                                               : SV_ROUTE_SEEN_DUPLICATE;
          if (want == SV_ROUTE_SEEN_RESENT)
            r->max_ttl = ttl;
        }
      else
        {
          ModelRoute r = { key, type, conn, now, ttl };

          if (at >= 0)
            g_array_remove_index (model, (guint) at);
          if (model->len >= cap)
            g_array_remove_index (model, 0);
          g_array_append_val (model, r);
          want = SV_ROUTE_SEEN_NEW;
        }
      ck_assert_int_eq (sv_route_table_record (t, &m, type, conn, ttl, accept, now), want);
      ck_assert_uint_eq (sv_route_table_size (t), model->len);
      peak = MAX (peak, model->len);
    }
  ck_assert_uint_eq (peak, cap);
  sv_route_table_expire (t, now + lifetime);
  ck_assert_uint_eq (sv_route_table_size (t), 0);
}
END_TEST

START_TEST (test_large_table_drains)
{
  g_autoptr (SvRouteTable) t = sv_route_table_new (SV_ROUTE_TABLE_MAX_ENTRIES, 1000000, NULL);
  guint64 conn = 0;

  /* A hundred thousand routes, 10 µs apart, living 1 s: all found, half expired, then none. */
  for (guint i = 0; i < 100000; i++)
    {
      SvGuid m = muid_of (i);

      ck_assert_int_eq (sv_route_table_record (t, &m, SV_MSG_QUERY, i, 3, FALSE, i * 10),
                        SV_ROUTE_SEEN_NEW);
    }
  ck_assert_uint_eq (sv_route_table_size (t), 100000);
  for (guint i = 0; i < 100000; i += 997)
    {
      SvGuid m = muid_of (i);

      ck_assert (sv_route_table_lookup (t, &m, SV_MSG_QUERY, 999999, &conn));
      ck_assert_uint_eq (conn, i);
    }
  sv_route_table_expire (t, 1499995);   /* the first 50,000 (at most 499,990 µs) */
  ck_assert_uint_eq (sv_route_table_size (t), 50000);
  SvGuid late = muid_of (99999), early = muid_of (10);
  ck_assert (sv_route_table_lookup (t, &late, SV_MSG_QUERY, 1499995, &conn));
  ck_assert (!sv_route_table_lookup (t, &early, SV_MSG_QUERY, 1499995, &conn));
  sv_route_table_expire (t, 3000000);
  ck_assert_uint_eq (sv_route_table_size (t), 0);
  ck_assert_int_eq (sv_route_table_record (t, &early, SV_MSG_QUERY, 1, 3, FALSE, 3000000),
                    SV_ROUTE_SEEN_NEW);
  ck_assert_uint_eq (sv_route_table_size (t), 1);
}
END_TEST

static Suite *
route_table_suite (void)
{
  Suite *s = suite_create ("route-table");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_duplicate_same_type);
  tcase_add_test (tc, test_other_type_not_duplicate);
  tcase_add_test (tc, test_resent_higher_ttl);
  tcase_add_test (tc, test_cap_evicts_oldest);
  tcase_add_test (tc, test_expiry);
  tcase_add_test (tc, test_reverse_path);
  tcase_add_test (tc, test_duplicate_counters_bounded);
  tcase_add_test (tc, test_matches_reference);
  tcase_add_test (tc, test_large_table_drains);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sv_test_run (route_table_suite ());
}
