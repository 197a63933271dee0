/* test-pong-cache.c: pongs kept by hop distance, answers to pings, bounds and expiry. */
#include "check-util.h"
#include "pong-cache.h"

#include <string.h>

/* A 14-byte pong for host 10.0.x.y:6346 (+ @extra bytes). */
static GBytes *
pong_for (guint host, gsize extra)
{
  guint8 *p = g_malloc0 (14 + extra);

  p[0] = 0xCA;
  p[1] = 0x18;
  p[2] = 10;
  p[3] = 0;
  p[4] = (guint8) (host >> 8);
  p[5] = (guint8) host;
  return g_bytes_new_take (p, 14 + extra);
}

static guint
host_of (const SvPongCacheHit *hit)
{
  const guint8 *p = g_bytes_get_data (hit->payload, NULL);

  return ((guint) p[4] << 8) | p[5];
}

static void
add (SvPongCache *c, guint host, guint8 hops, guint64 conn, gint64 now)
{
  g_autoptr (GBytes) b = pong_for (host, 0);

  ck_assert (sv_pong_cache_add (c, b, hops, conn, now));
}

START_TEST (test_answer_by_distance)
{
  g_autoptr (SvPongCache) c = sv_pong_cache_new (G_USEC_PER_SEC);
  SvPongCacheHit hits[SV_PONG_CACHE_MAX_PONGS];
  guint n;

  add (c, 1, 0, 1, 0);
  add (c, 2, 1, 2, 0);
  add (c, 3, 2, 3, 0);
  n = sv_pong_cache_answer (c, 2, 9, 10, hits, G_N_ELEMENTS (hits));
  ck_assert_uint_eq (n, 2);
  ck_assert_uint_eq (host_of (&hits[0]), 1);
  ck_assert_uint_eq (hits[0].hops, 0);
  ck_assert_uint_eq (host_of (&hits[1]), 2);
  ck_assert_uint_eq (hits[1].hops, 1);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 3, 9, 10, hits, G_N_ELEMENTS (hits)), 3);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 0, 9, 10, hits, G_N_ELEMENTS (hits)), 0);
}
END_TEST

START_TEST (test_requester_excluded)
{
  g_autoptr (SvPongCache) c = sv_pong_cache_new (G_USEC_PER_SEC);
  SvPongCacheHit hits[SV_PONG_CACHE_MAX_PONGS];
  guint n;

  add (c, 1, 0, 1, 0);
  add (c, 2, 0, 2, 0);
  n = sv_pong_cache_answer (c, 3, 1, 10, hits, G_N_ELEMENTS (hits));
  ck_assert_uint_eq (n, 1);
  ck_assert_uint_eq (host_of (&hits[0]), 2);
  ck_assert_uint_eq (hits[0].conn, 2);
}
END_TEST

START_TEST (test_at_most_ten_and_bounded)
{
  g_autoptr (SvPongCache) c = sv_pong_cache_new (G_USEC_PER_SEC);
  SvPongCacheHit hits[32];

  for (guint i = 0; i < 500; i++)
    {
      add (c, i, (guint8) (i % 12), 1 + i % 5, i);
      ck_assert_uint_le (sv_pong_cache_size (c), SV_PONG_CACHE_HOP_SLOTS * SV_PONG_CACHE_PER_HOP);
    }
  ck_assert_uint_eq (sv_pong_cache_size (c), SV_PONG_CACHE_HOP_SLOTS * SV_PONG_CACHE_PER_HOP);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 7, 99, 600, hits, G_N_ELEMENTS (hits)),
                     SV_PONG_CACHE_MAX_PONGS);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 7, 99, 600, hits, 4), 4);
}
END_TEST

START_TEST (test_newest_first_per_distance)
{
  g_autoptr (SvPongCache) c = sv_pong_cache_new (G_USEC_PER_SEC);
  SvPongCacheHit hits[SV_PONG_CACHE_MAX_PONGS];

  for (guint i = 0; i < 25; i++)
    add (c, 100 + i, 1, 1, i);
  ck_assert_uint_eq (sv_pong_cache_size (c), SV_PONG_CACHE_PER_HOP);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 2, 9, 30, hits, 3), 3);
  ck_assert_uint_eq (host_of (&hits[0]), 124);
  ck_assert_uint_eq (host_of (&hits[1]), 123);
  ck_assert_uint_eq (host_of (&hits[2]), 122);
}
END_TEST

START_TEST (test_round_robin)
{
  g_autoptr (SvPongCache) c = sv_pong_cache_new (G_USEC_PER_SEC);
  SvPongCacheHit hits[SV_PONG_CACHE_MAX_PONGS];
  guint per[2] = { 0, 0 };

  for (guint i = 0; i < 5; i++)
    {
      add (c, i, 0, 1, 0);
      add (c, 50 + i, 1, 1, 0);
    }
  ck_assert_uint_eq (sv_pong_cache_answer (c, 4, 9, 1, hits, 4), 4);
  for (guint i = 0; i < 4; i++)
    per[hits[i].hops]++;
  ck_assert_uint_eq (per[0], 2);
  ck_assert_uint_eq (per[1], 2);
}
END_TEST

START_TEST (test_same_host_replaced)
{
  g_autoptr (SvPongCache) c = sv_pong_cache_new (G_USEC_PER_SEC);
  SvPongCacheHit hits[SV_PONG_CACHE_MAX_PONGS];

  add (c, 7, 3, 1, 0);
  add (c, 7, 1, 2, 5);
  ck_assert_uint_eq (sv_pong_cache_size (c), 1);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 7, 9, 10, hits, 10), 1);
  ck_assert_uint_eq (hits[0].hops, 1);
  ck_assert_uint_eq (hits[0].conn, 2);
}
END_TEST

START_TEST (test_expiry_and_sizes)
{
  g_autoptr (SvPongCache) c = sv_pong_cache_new (1000);
  g_autoptr (GBytes) small = g_bytes_new_static ("0123456789abc", 13);
  g_autoptr (GBytes) big = pong_for (1, SV_PONG_CACHE_MAX_PAYLOAD_BYTES - 14 + 1);
  g_autoptr (GBytes) edge = pong_for (2, SV_PONG_CACHE_MAX_PAYLOAD_BYTES - 14);
  SvPongCacheHit hits[SV_PONG_CACHE_MAX_PONGS];

  ck_assert (!sv_pong_cache_add (c, small, 0, 1, 0));
  ck_assert (!sv_pong_cache_add (c, big, 0, 1, 0));
  ck_assert (sv_pong_cache_add (c, edge, 0, 1, 0));
  add (c, 3, 0, 1, 500);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 1, 9, 999, hits, 10), 2);
  ck_assert_uint_eq (sv_pong_cache_answer (c, 1, 9, 1000, hits, 10), 1);
  ck_assert_uint_eq (sv_pong_cache_size (c), 1);
  sv_pong_cache_expire (c, 1500);
  ck_assert_uint_eq (sv_pong_cache_size (c), 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("pong-cache");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_answer_by_distance);
  tcase_add_test (tc, test_requester_excluded);
  tcase_add_test (tc, test_at_most_ten_and_bounded);
  tcase_add_test (tc, test_newest_first_per_distance);
  tcase_add_test (tc, test_round_robin);
  tcase_add_test (tc, test_same_host_replaced);
  tcase_add_test (tc, test_expiry_and_sizes);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
