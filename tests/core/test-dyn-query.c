/* test-dyn-query.c: the dynamic query planner: horizon, probe, steps with the smallest useful TTL,
 * waits per hop, stop conditions, bounds. */
#include "check-util.h"
#include "dyn-query.h"

#define S G_USEC_PER_SEC

static SvDynQueryPeer
peer (guint64 id, guint degree, guint8 max_ttl)
{
  return (SvDynQueryPeer) { .id = id, .degree = degree, .max_ttl = max_ttl };
}

START_TEST (test_horizon)
{
  ck_assert_uint_eq (sv_dyn_query_horizon (32, 0), 0);
  ck_assert_uint_eq (sv_dyn_query_horizon (32, 1), 1);
  ck_assert_uint_eq (sv_dyn_query_horizon (32, 2), 32);
  ck_assert_uint_eq (sv_dyn_query_horizon (32, 3), 993);
  ck_assert_uint_eq (sv_dyn_query_horizon (32, 4), 30784);
  ck_assert_uint_eq (sv_dyn_query_horizon (0, 2), SV_DYN_QUERY_DEFAULT_DEGREE);
  ck_assert_uint_eq (sv_dyn_query_horizon (G_MAXUINT, 2),
                     sv_dyn_query_horizon (SV_DYN_QUERY_MAX_DEGREE, 2));
  ck_assert_uint_gt (sv_dyn_query_horizon (G_MAXUINT, 255), 0);
}
END_TEST

START_TEST (test_probe_last_hop_matches)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, 0, rand);
  SvDynQueryStep st;
  gboolean seen2 = FALSE, seen4 = FALSE;

  for (guint64 i = 1; i <= 5; i++)
    {
      SvDynQueryPeer p = peer (i, 32, 3);

      p.last_hop_match = i == 2 || i == 4;
      sv_dyn_query_add_peer (dq, &p);
    }
  for (guint k = 0; k < 2; k++)
    {
      ck_assert_int_eq (sv_dyn_query_next (dq, 0, &st), SV_DYN_QUERY_SEND);
      ck_assert_uint_eq (st.ttl, 1);
      seen2 |= st.conn == 2;
      seen4 |= st.conn == 4;
    }
  ck_assert (seen2 && seen4);
  ck_assert_int_eq (sv_dyn_query_next (dq, 0, &st), SV_DYN_QUERY_WAIT);
  ck_assert_int_eq (st.wake_us, SV_DYN_QUERY_HOP_WAIT_US);
  ck_assert_uint_eq (sv_dyn_query_hosts_queried (dq), 2);
}
END_TEST

START_TEST (test_probe_without_matches)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (2);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_LEAF, 10, rand);
  SvDynQueryStep st;
  GHashTable *sent = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint64 ids[6];

  for (guint i = 0; i < 6; i++)
    {
      SvDynQueryPeer p = peer (i + 1, 32, 4);

      ids[i] = i + 1;
      sv_dyn_query_add_peer (dq, &p);
    }
  for (guint k = 0; k < SV_DYN_QUERY_PROBE_PEERS; k++)
    {
      ck_assert_int_eq (sv_dyn_query_next (dq, 10, &st), SV_DYN_QUERY_SEND);
      ck_assert_uint_eq (st.ttl, 2);
      ck_assert (!g_hash_table_contains (sent, &ids[st.conn - 1]));
      g_hash_table_add (sent, &ids[st.conn - 1]);
    }
  ck_assert_int_eq (sv_dyn_query_next (dq, 10, &st), SV_DYN_QUERY_WAIT);
  ck_assert_int_eq (st.wake_us, 10 + 2 * SV_DYN_QUERY_HOP_WAIT_US);
  ck_assert_uint_eq (sv_dyn_query_hosts_queried (dq), 3 * 32);
  g_hash_table_destroy (sent);
}
END_TEST

/* After a TTL 2 probe of 3 peers (96 hosts), the rate of results picks the next TTL. */
static guint8
ttl_after_probe (guint results)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, 0, rand);
  SvDynQueryStep st;

  for (guint64 i = 1; i <= 10; i++)
    {
      SvDynQueryPeer p = peer (i, 32, 4);
      sv_dyn_query_add_peer (dq, &p);
    }
  while (sv_dyn_query_next (dq, 0, &st) == SV_DYN_QUERY_SEND)
    ;
  ck_assert_int_eq (st.action, SV_DYN_QUERY_WAIT);
  sv_dyn_query_add_results (dq, results);
  ck_assert_int_eq (sv_dyn_query_next (dq, st.wake_us - 1, &st), SV_DYN_QUERY_WAIT);
  ck_assert_int_eq (sv_dyn_query_next (dq, st.wake_us, &st), SV_DYN_QUERY_SEND);
  return st.ttl;
}

START_TEST (test_smallest_ttl)
{
  /* 40 results from 96 hosts, 110 missing: 264 hosts over 7 peers = 38 each: TTL 3 (32 < 38). */
  ck_assert_uint_eq (ttl_after_probe (40), 3);
  /* 140 results, 10 missing: 7 hosts over 7 peers = 1 each: TTL 1. */
  ck_assert_uint_eq (ttl_after_probe (140), 1);
  /* 100 results, 50 missing: 48 hosts / 7 = 7 each: TTL 2. */
  ck_assert_uint_eq (ttl_after_probe (100), 2);
  /* Nothing yet: the rare query goes as far as the peer allows. */
  ck_assert_uint_eq (ttl_after_probe (0), 4);
}
END_TEST

START_TEST (test_steps_wait_and_stop)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, 0, rand);
  SvDynQueryStep st;
  gint64 now = 0;
  guint sends = 0;

  for (guint64 i = 1; i <= 8; i++)
    {
      SvDynQueryPeer p = peer (i, 32, 3);
      sv_dyn_query_add_peer (dq, &p);
    }
  while (sv_dyn_query_next (dq, now, &st) == SV_DYN_QUERY_SEND)
    ;
  now = st.wake_us;
  ck_assert_int_eq (sv_dyn_query_next (dq, now, &st), SV_DYN_QUERY_SEND);
  ck_assert_uint_eq (st.ttl, 3);        /* nothing back yet: the peer's X-Max-TTL */
  ck_assert_int_eq (sv_dyn_query_next (dq, now + 1, &st), SV_DYN_QUERY_WAIT);
  ck_assert_int_eq (st.wake_us, now + 3 * SV_DYN_QUERY_HOP_WAIT_US);
  now = st.wake_us;
  sv_dyn_query_add_results (dq, 149);
  ck_assert_int_eq (sv_dyn_query_next (dq, now, &st), SV_DYN_QUERY_SEND);
  sends++;
  sv_dyn_query_add_results (dq, 1);
  ck_assert_uint_eq (sv_dyn_query_results (dq), SV_DYN_QUERY_OWN_RESULTS);
  ck_assert_int_eq (sv_dyn_query_next (dq, now + 1, &st), SV_DYN_QUERY_DONE);
  ck_assert_int_eq (sv_dyn_query_next (dq, now + 10 * S, &st), SV_DYN_QUERY_DONE);
  ck_assert_uint_eq (sends, 1);
}
END_TEST

START_TEST (test_leaf_target_and_no_peers_left)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_LEAF, 0, rand);
  SvDynQueryStep st;
  gint64 now = 0;
  guint sends = 0;

  ck_assert_uint_eq (sv_dyn_query_target (dq), SV_DYN_QUERY_LEAF_RESULTS);
  for (guint64 i = 1; i <= 5; i++)
    {
      SvDynQueryPeer p = peer (i, 32, 3);
      sv_dyn_query_add_peer (dq, &p);
    }
  sv_dyn_query_remove_peer (dq, 5);
  /* Every peer gets the query once, then the plan ends. */
  for (;;)
    {
      SvDynQueryAction a = sv_dyn_query_next (dq, now, &st);

      if (a == SV_DYN_QUERY_DONE)
        break;
      if (a == SV_DYN_QUERY_SEND)
        {
          ck_assert_uint_ne (st.conn, 5);
          sends++;
        }
      else
        now = st.wake_us;
      ck_assert_uint_le (sends, 4);
    }
  ck_assert_uint_eq (sends, 4);
  ck_assert_int_lt (now, SV_DYN_QUERY_LIFETIME_US);
}
END_TEST

START_TEST (test_lifetime_and_cancel)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (6);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, 1000, rand);
  g_autoptr (SvDynQuery) dq2 = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, 0, rand);
  SvDynQueryStep st;

  for (guint64 i = 1; i <= 50; i++)
    {
      SvDynQueryPeer p = peer (i, 32, 3);
      sv_dyn_query_add_peer (dq, &p);
      sv_dyn_query_add_peer (dq2, &p);
    }
  ck_assert_int_eq (sv_dyn_query_next (dq, 1000, &st), SV_DYN_QUERY_SEND);
  ck_assert_int_eq (sv_dyn_query_next (dq, 1000 + SV_DYN_QUERY_LIFETIME_US, &st),
                    SV_DYN_QUERY_DONE);
  sv_dyn_query_cancel (dq2);
  ck_assert_int_eq (sv_dyn_query_next (dq2, 0, &st), SV_DYN_QUERY_DONE);
}
END_TEST

START_TEST (test_ext_probes_requery)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, 0, rand);
  SvDynQueryStep st;
  gint64 now = 0;

  for (guint64 i = 1; i <= 3; i++)
    {
      SvDynQueryPeer p = peer (i, 32, 4);

      p.last_hop_match = TRUE;
      p.ext_probes = i != 2;
      sv_dyn_query_add_peer (dq, &p);
    }
  while (sv_dyn_query_next (dq, now, &st) == SV_DYN_QUERY_SEND)
    ck_assert_uint_eq (st.ttl, 1);
  now = st.wake_us;
  sv_dyn_query_add_results (dq, 2);
  /* Everyone was probed; the X-Ext-Probes peers get it again with a higher TTL. */
  ck_assert_int_eq (sv_dyn_query_next (dq, now, &st), SV_DYN_QUERY_SEND);
  ck_assert_uint_ne (st.conn, 2);
  ck_assert_uint_gt (st.ttl, 1);
}
END_TEST

START_TEST (test_bounds)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (8);
  g_autoptr (SvDynQuery) dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, 0, rand);

  for (guint64 i = 0; i < SV_DYN_QUERY_MAX_PEERS + 100; i++)
    {
      SvDynQueryPeer p = peer (i, 32, 3);
      sv_dyn_query_add_peer (dq, &p);
    }
  ck_assert_uint_eq (sv_dyn_query_peer_count (dq), SV_DYN_QUERY_MAX_PEERS);
  /* Updating a known peer does not add one. */
  SvDynQueryPeer again = peer (0, 16, 2);
  sv_dyn_query_add_peer (dq, &again);
  ck_assert_uint_eq (sv_dyn_query_peer_count (dq), SV_DYN_QUERY_MAX_PEERS);
  sv_dyn_query_add_results (dq, G_MAXUINT);
  sv_dyn_query_add_results (dq, 5);
  ck_assert_uint_eq (sv_dyn_query_results (dq), G_MAXUINT);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("dyn-query");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_horizon);
  tcase_add_test (tc, test_probe_last_hop_matches);
  tcase_add_test (tc, test_probe_without_matches);
  tcase_add_test (tc, test_smallest_ttl);
  tcase_add_test (tc, test_steps_wait_and_stop);
  tcase_add_test (tc, test_leaf_target_and_no_peers_left);
  tcase_add_test (tc, test_lifetime_and_cancel);
  tcase_add_test (tc, test_ext_probes_requery);
  tcase_add_test (tc, test_bounds);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
