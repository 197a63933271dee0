/* test-host-cache.c: learning hosts, picking with backoff and throttle, eviction, seeds,
 * hostile and non-routable refusal, export/import. The clock is injected. */
#include "check-util.h"
#include "host-cache.h"

#include <string.h>

#define SEC G_GINT64_CONSTANT (1000000)
#define T0 (G_GINT64_CONSTANT (1700000000) * SEC)

static SvHostAddr
addr (const char *text)
{
  SvHostAddr a;

  ck_assert (sv_host_addr_parse (text, strlen (text), SV_HOST_ADDR_DEFAULT_PORT, &a) == SV_STATUS_OK);
  return a;
}

static SvHostCacheConfig
config (void)
{
  SvHostCacheConfig c;

  sv_host_cache_config_init (&c);
  c.throttle_us = 60 * SEC;
  c.backoff_base_us = 10 * SEC;
  c.backoff_max_us = 100 * SEC;
  c.max_failures = 6;
  c.few_hosts = 0;      /* the classic waits; test_few_hosts_retry_soon covers a small cache */
  return c;
}

/* Picks everything pickable now; returns the count and whether @want is among them. */
static guint
pick_all (SvHostCache *c, gint64 now, const char *want, gboolean *found)
{
  SvHostAddr out[64];
  guint n = sv_host_cache_pick (c, now, TRUE, out, G_N_ELEMENTS (out));
  SvHostAddr w;

  if (found != NULL)
    {
      w = addr (want);
      *found = FALSE;
      for (guint i = 0; i < n; i++)
        if (sv_host_addr_equal (&out[i], &w))
          *found = TRUE;
    }
  return n;
}

START_TEST (test_add_sources_and_refusals)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  g_autoptr (SvHostCache) c = sv_host_cache_new (&cfg, rand);
  g_autoptr (SvHostile) hostile = sv_hostile_parse ("81.0.0.0/8\n", 10, NULL);
  SvHostAddr a = addr ("8.8.8.8:6346"), ipp_host;
  SvHostCacheRow row;
  static const guint8 ipp[6] = { 9, 9, 9, 9, 0xCA, 0x18 };

  sv_host_cache_set_hostile (c, hostile);
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_TRY, FALSE, T0), SV_HOST_CACHE_ADDED);
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_PONG, TRUE, T0 + SEC), SV_HOST_CACHE_UPDATED);
  ck_assert (sv_host_cache_lookup (c, &a, &row));
  ck_assert_int_eq (row.source, SV_HOST_SOURCE_TRY);
  ck_assert (row.ultrapeer);
  ck_assert_int_eq (row.last_seen_us, T0 + SEC);
  /* A later "not an ultrapeer" mention does not erase the hint. */
  sv_host_cache_add (c, &a, SV_HOST_SOURCE_UHC, FALSE, T0 + 2 * SEC);
  ck_assert (sv_host_cache_lookup (c, &a, &row) && row.ultrapeer);

  sv_host_addr_from_ipp (&ipp_host, ipp);
  ck_assert_int_eq (sv_host_cache_add (c, &ipp_host, SV_HOST_SOURCE_PONG, TRUE, T0), SV_HOST_CACHE_ADDED);

  /* Refusals: private, loopback, documentation, port 0, multicast, hostile. */
  a = addr ("192.168.1.2:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_TRY, TRUE, T0), SV_HOST_CACHE_REFUSED);
  a = addr ("127.0.0.1:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_SEED, TRUE, T0), SV_HOST_CACHE_REFUSED);
  a = addr ("198.51.100.2:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_UHC, TRUE, T0), SV_HOST_CACHE_REFUSED);
  sv_host_addr_set_ipv4_u32 (&a, 0x08080404, 0);
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_PONG, TRUE, T0), SV_HOST_CACHE_REFUSED);
  a = addr ("224.1.2.3:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_PONG, TRUE, T0), SV_HOST_CACHE_REFUSED);
  a = addr ("81.2.3.4:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_TRY, TRUE, T0), SV_HOST_CACHE_HOSTILE);
  ck_assert_uint_eq (sv_host_cache_size (c), 2);
}
END_TEST

START_TEST (test_lan_mode)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (2);
  g_autoptr (SvHostCache) c = NULL;
  SvHostAddr hosts[] = { addr ("127.0.0.3:16350"), addr ("198.51.100.2:6346"), addr ("[fc00::1]:6346"),
                         addr ("10.0.0.1:6346") };
  SvHostAddr out[8];

  cfg.lan_mode = TRUE;
  c = sv_host_cache_new (&cfg, rand);
  ck_assert_uint_eq (sv_host_cache_add_many (c, hosts, G_N_ELEMENTS (hosts), SV_HOST_SOURCE_SEED, TRUE, T0), 4);
  ck_assert_uint_eq (sv_host_cache_pick (c, T0, TRUE, out, 8), 4);
  /* Link-local and reserved stay out even in LAN mode. */
  hosts[0] = addr ("169.254.0.1:6346");
  hosts[1] = addr ("0.1.2.3:6346");
  ck_assert_uint_eq (sv_host_cache_add_many (c, hosts, 2, SV_HOST_SOURCE_TRY, TRUE, T0), 0);
}
END_TEST

START_TEST (test_pick_order_and_throttle)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (SvHostCache) c = sv_host_cache_new (&cfg, rand);
  SvHostAddr leaf = addr ("1.1.1.1:6346"), old_up = addr ("2.2.2.2:6346"), new_up = addr ("3.3.3.3:6346");
  SvHostAddr seed = addr ("4.4.4.4:6346"), out[4];
  gboolean found;

  sv_host_cache_add (c, &leaf, SV_HOST_SOURCE_PONG, FALSE, T0 + 50 * SEC);
  sv_host_cache_add (c, &old_up, SV_HOST_SOURCE_TRY, TRUE, T0);
  sv_host_cache_add (c, &new_up, SV_HOST_SOURCE_TRY, TRUE, T0 + 10 * SEC);
  sv_host_cache_add (c, &seed, SV_HOST_SOURCE_SEED, TRUE, T0);

  /* Ultrapeers first (when ultrapeers are wanted), seeds first among them, then the freshest. */
  ck_assert_uint_eq (sv_host_cache_pick (c, T0 + 60 * SEC, TRUE, out, 4), 4);
  ck_assert (sv_host_addr_equal (&out[0], &seed));
  ck_assert (sv_host_addr_equal (&out[1], &new_up));
  ck_assert (sv_host_addr_equal (&out[2], &old_up));
  ck_assert (sv_host_addr_equal (&out[3], &leaf));

  /* Every host was just attempted: nothing again inside the throttle window … */
  ck_assert_uint_eq (sv_host_cache_pick (c, T0 + 60 * SEC, TRUE, out, 4), 0);
  ck_assert_uint_eq (sv_host_cache_pick (c, T0 + 119 * SEC, TRUE, out, 4), 0);
  /* … and all of them once it has passed. */
  ck_assert_uint_eq (pick_all (c, T0 + 120 * SEC, "4.4.4.4:6346", &found), 4);
  ck_assert (found);

  /* A pick of one takes only the best and leaves the others pickable. */
  ck_assert_uint_eq (sv_host_cache_pick (c, T0 + 300 * SEC, FALSE, out, 1), 1);
  ck_assert (sv_host_addr_equal (&out[0], &leaf));
  ck_assert_uint_eq (pick_all (c, T0 + 300 * SEC, "1.1.1.1:6346", &found), 3);
  ck_assert (!found);
  ck_assert_uint_eq (sv_host_cache_pick (c, T0 + 999 * SEC, TRUE, out, 0), 0);
}
END_TEST

START_TEST (test_backoff_grows_capped_with_jitter)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  g_autoptr (SvHostCache) c = NULL;
  SvHostAddr a = addr ("5.5.5.5:6346");
  SvHostCacheRow row;
  gint64 now = T0;
  gint64 expect_max[] = { 10, 20, 40, 80, 100, 100, 100 };
  gboolean found;

  cfg.max_failures = 100;
  cfg.throttle_us = 0;
  c = sv_host_cache_new (&cfg, rand);
  sv_host_cache_add (c, &a, SV_HOST_SOURCE_UHC, TRUE, now);
  for (gsize i = 0; i < G_N_ELEMENTS (expect_max); i++)
    {
      gint64 d;

      ck_assert_uint_eq (pick_all (c, now, "5.5.5.5:6346", &found), 1);
      ck_assert (sv_host_cache_failed (c, &a, now));
      ck_assert (sv_host_cache_lookup (c, &a, &row));
      ck_assert_uint_eq (row.failures, i + 1);
      d = row.backoff_until_us - now;
      /* Jitter keeps the wait within [3/4, 1] of the exponential value, never past the cap. */
      ck_assert_int_le (d, expect_max[i] * SEC);
      ck_assert_int_ge (d, expect_max[i] * SEC * 3 / 4);
      /* Not pickable one microsecond before the backoff ends, pickable at its end. */
      ck_assert_uint_eq (pick_all (c, row.backoff_until_us - 1, NULL, NULL), 0);
      now = row.backoff_until_us;
    }

  /* A success clears the failures; a connected host is never picked. */
  sv_host_cache_connected (c, &a, TRUE, now);
  ck_assert (sv_host_cache_lookup (c, &a, &row));
  ck_assert_uint_eq (row.failures, 0);
  ck_assert_int_eq (row.backoff_until_us, 0);
  ck_assert_int_eq (row.last_success_us, now);
  ck_assert_uint_eq (pick_all (c, now + 1000 * SEC, NULL, NULL), 0);
  sv_host_cache_disconnected (c, &a, now + 1000 * SEC);
  ck_assert_uint_eq (pick_all (c, now + 1000 * SEC, "5.5.5.5:6346", &found), 1);
}
END_TEST

/* A 503 is not a dead host: no failure counted, tried again after the busy delay, not after the
 * throttle window. */
START_TEST (test_busy_retried_soon)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (SvHostCache) c = NULL;
  SvHostAddr a = addr ("8.8.4.4:6346");
  SvHostCacheRow row;
  gboolean found;

  cfg.throttle_us = 300 * SEC;
  cfg.busy_retry_us = 20 * SEC;
  c = sv_host_cache_new (&cfg, rand);
  sv_host_cache_add (c, &a, SV_HOST_SOURCE_PONG, FALSE, T0);
  ck_assert_uint_eq (pick_all (c, T0, "8.8.4.4:6346", &found), 1);
  ck_assert (found);
  for (int round = 0; round < 5; round++)
    {
      gint64 now = T0 + round * 30 * SEC;

      sv_host_cache_busy (c, &a, now);
      ck_assert (sv_host_cache_lookup (c, &a, &row));
      ck_assert_uint_eq (row.failures, 0);
      /* Not before 15 s (the jitter's low end)... */
      ck_assert_uint_eq (pick_all (c, now + 15 * SEC - 1, "8.8.4.4:6346", &found), 0);
      /* ...always by 20 s, well inside the 300 s throttle window. */
      ck_assert_uint_eq (pick_all (c, now + 20 * SEC, "8.8.4.4:6346", &found), 1);
      ck_assert (found);
    }
  /* Unknown hosts are ignored. */
  {
    SvHostAddr b = addr ("8.8.8.8:6346");
    sv_host_cache_busy (c, &b, T0);
    ck_assert (!sv_host_cache_lookup (c, &b, &row));
  }
}
END_TEST

START_TEST (test_failures_forget_but_seeds_stay)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autoptr (SvHostCache) c = sv_host_cache_new (&cfg, rand);
  SvHostAddr a = addr ("6.6.6.6:6346"), s = addr ("[2a00:1450::1]:6346");

  sv_host_cache_add (c, &a, SV_HOST_SOURCE_TRY, TRUE, T0);
  sv_host_cache_add (c, &s, SV_HOST_SOURCE_SEED, TRUE, T0);
  for (guint i = 1; i < cfg.max_failures; i++)
    {
      ck_assert (sv_host_cache_failed (c, &a, T0 + i));
      ck_assert (sv_host_cache_failed (c, &s, T0 + i));
    }
  ck_assert (!sv_host_cache_failed (c, &a, T0 + 100));
  ck_assert (sv_host_cache_failed (c, &s, T0 + 100));
  ck_assert_uint_eq (sv_host_cache_size (c), 1);
  ck_assert (sv_host_cache_is_seed (c, &s));
  ck_assert (!sv_host_cache_failed (c, &a, T0 + 101));   /* unknown now */
}
END_TEST

START_TEST (test_eviction_order)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (6);
  g_autoptr (SvHostCache) c = NULL;
  SvHostAddr seed = addr ("7.0.0.1:6346"), conn = addr ("7.0.0.2:6346"), stale = addr ("7.0.0.3:6346");
  SvHostAddr failing = addr ("7.0.0.4:6346"), fresh = addr ("7.0.0.5:6346"), x;
  SvHostCacheRow row;

  cfg.max_hosts = 5;
  c = sv_host_cache_new (&cfg, rand);
  sv_host_cache_add (c, &seed, SV_HOST_SOURCE_SEED, TRUE, T0);           /* oldest, but a seed */
  sv_host_cache_add (c, &conn, SV_HOST_SOURCE_TRY, TRUE, T0 + 1);
  sv_host_cache_connected (c, &conn, TRUE, T0 + 1);
  sv_host_cache_disconnected (c, &conn, T0 + 1);
  sv_host_cache_connected (c, &conn, TRUE, T0 + 1);                     /* connected again */
  sv_host_cache_add (c, &stale, SV_HOST_SOURCE_PONG, TRUE, T0 + 2);
  sv_host_cache_add (c, &failing, SV_HOST_SOURCE_PONG, TRUE, T0 + 50);
  sv_host_cache_failed (c, &failing, T0 + 60);
  sv_host_cache_add (c, &fresh, SV_HOST_SOURCE_UHC, TRUE, T0 + 100);
  ck_assert_uint_eq (sv_host_cache_size (c), 5);

  /* The host with failures goes first, even though it was seen more recently than "stale". */
  x = addr ("7.0.1.1:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &x, SV_HOST_SOURCE_PONG, TRUE, T0 + 200), SV_HOST_CACHE_ADDED);
  ck_assert (!sv_host_cache_lookup (c, &failing, &row));
  /* Then the least recently seen. */
  x = addr ("7.0.1.2:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &x, SV_HOST_SOURCE_PONG, TRUE, T0 + 201), SV_HOST_CACHE_ADDED);
  ck_assert (!sv_host_cache_lookup (c, &stale, &row));
  x = addr ("7.0.1.3:6346");
  ck_assert_int_eq (sv_host_cache_add (c, &x, SV_HOST_SOURCE_PONG, TRUE, T0 + 202), SV_HOST_CACHE_ADDED);
  ck_assert (!sv_host_cache_lookup (c, &fresh, &row));
  ck_assert_uint_eq (sv_host_cache_size (c), 5);
  /* The seed and the connected host survive every round. */
  ck_assert (sv_host_cache_lookup (c, &seed, &row));
  ck_assert (sv_host_cache_lookup (c, &conn, &row));
}
END_TEST

START_TEST (test_full_of_protected_hosts)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (SvHostCache) c = NULL;
  SvHostAddr a = addr ("8.0.0.1:6346"), b = addr ("8.0.0.2:6346"), x = addr ("8.0.0.3:6346");

  cfg.max_hosts = 2;
  c = sv_host_cache_new (&cfg, rand);
  sv_host_cache_add (c, &a, SV_HOST_SOURCE_SEED, TRUE, T0);
  sv_host_cache_add (c, &b, SV_HOST_SOURCE_TRY, TRUE, T0);
  sv_host_cache_connected (c, &b, TRUE, T0);
  ck_assert_int_eq (sv_host_cache_add (c, &x, SV_HOST_SOURCE_PONG, TRUE, T0), SV_HOST_CACHE_FULL);
  ck_assert_uint_eq (sv_host_cache_size (c), 2);
  /* A known host is still refreshed when the cache is full. */
  ck_assert_int_eq (sv_host_cache_add (c, &b, SV_HOST_SOURCE_PONG, TRUE, T0 + 1), SV_HOST_CACHE_UPDATED);
}
END_TEST

START_TEST (test_hostile_set_later_drops)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (8);
  g_autoptr (SvHostCache) c = sv_host_cache_new (&cfg, rand);
  g_autoptr (SvHostile) hostile = sv_hostile_parse ("9.0.0.0/24\n", 11, NULL);
  SvHostAddr a = addr ("9.0.0.1:6346"), b = addr ("9.0.0.2:6346"), d = addr ("9.0.1.1:6346"), out[4];

  sv_host_cache_add (c, &a, SV_HOST_SOURCE_TRY, TRUE, T0);
  sv_host_cache_add (c, &b, SV_HOST_SOURCE_TRY, TRUE, T0);
  sv_host_cache_add (c, &d, SV_HOST_SOURCE_TRY, TRUE, T0);
  sv_host_cache_connected (c, &b, TRUE, T0);
  /* The connected one stays (its link is the daemon's to close) but is never picked. */
  ck_assert_uint_eq (sv_host_cache_set_hostile (c, hostile), 1);
  ck_assert_uint_eq (sv_host_cache_size (c), 2);
  sv_host_cache_disconnected (c, &b, T0);
  ck_assert_uint_eq (sv_host_cache_pick (c, T0 + 3600 * SEC, TRUE, out, 4), 1);
  ck_assert (sv_host_addr_equal (&out[0], &d));
  ck_assert_uint_eq (sv_host_cache_set_hostile (c, NULL), 0);
}
END_TEST

START_TEST (test_export_import_round_trip)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);
  g_autoptr (SvHostCache) c = sv_host_cache_new (&cfg, rand);
  g_autoptr (SvHostCache) back = sv_host_cache_new (&cfg, rand);
  g_autoptr (GArray) rows = NULL;
  g_autoptr (GArray) again = NULL;
  SvHostAddr up = addr ("11.0.0.1:6346"), lf = addr ("[2a01::5]:6350"), sd = addr ("12.0.0.1:6346");
  SvHostAddr out[4];
  SvHostCacheRow bad[3];

  sv_host_cache_add (c, &up, SV_HOST_SOURCE_TRY, TRUE, T0 + 30);
  sv_host_cache_add (c, &lf, SV_HOST_SOURCE_PONG, FALSE, T0 + 20);
  sv_host_cache_add (c, &sd, SV_HOST_SOURCE_SEED, TRUE, T0 + 10);
  sv_host_cache_pick (c, T0 + 40, TRUE, out, 1);
  sv_host_cache_failed (c, &lf, T0 + 41);
  sv_host_cache_connected (c, &up, TRUE, T0 + 42);

  rows = sv_host_cache_export (c);
  ck_assert_uint_eq (rows->len, 3);
  /* Most recently seen first. */
  ck_assert (sv_host_addr_equal (&g_array_index (rows, SvHostCacheRow, 0).addr, &up));
  ck_assert_uint_eq (sv_host_cache_import (back, (SvHostCacheRow *) (gpointer) rows->data, rows->len, T0 + 50), 3);
  again = sv_host_cache_export (back);
  ck_assert_uint_eq (again->len, 3);
  for (guint i = 0; i < rows->len; i++)
    {
      SvHostCacheRow r = g_array_index (rows, SvHostCacheRow, i);
      SvHostCacheRow b = g_array_index (again, SvHostCacheRow, i);

      /* A seed is a seed only when --peer says so on this run. */
      if (r.source == SV_HOST_SOURCE_SEED)
        r.source = SV_HOST_SOURCE_STORE;
      ck_assert (sv_host_addr_equal (&r.addr, &b.addr));
      ck_assert_int_eq (r.source, b.source);
      ck_assert_int_eq (r.ultrapeer, b.ultrapeer);
      ck_assert_int_eq (r.last_seen_us, b.last_seen_us);
      ck_assert_int_eq (r.last_attempt_us, b.last_attempt_us);
      ck_assert_int_eq (r.last_success_us, b.last_success_us);
      ck_assert_uint_eq (r.failures, b.failures);
      ck_assert_int_eq (r.backoff_until_us, b.backoff_until_us);
    }
  ck_assert (!sv_host_cache_is_seed (back, &sd));
  /* Importing the same rows again keeps the existing records. */
  ck_assert_uint_eq (sv_host_cache_import (back, (SvHostCacheRow *) (gpointer) rows->data, rows->len, T0 + 50), 0);

  /* Rows the store may hold but the cache refuses; future times clamped. */
  memset (bad, 0, sizeof bad);
  bad[0].addr = addr ("10.0.0.1:6346");                 /* private */
  bad[1].addr.family = 9;                                /* garbage family */
  bad[2].addr = addr ("13.0.0.1:6346");
  bad[2].last_seen_us = T0 + 1000 * SEC;
  bad[2].backoff_until_us = G_MAXINT64;
  bad[2].source = 200;
  ck_assert_uint_eq (sv_host_cache_import (back, bad, 3, T0), 1);
  {
    SvHostCacheRow r;

    ck_assert (sv_host_cache_lookup (back, &bad[2].addr, &r));
    ck_assert_int_eq (r.last_seen_us, T0);
    ck_assert_int_eq (r.backoff_until_us, T0 + cfg.backoff_max_us);
    ck_assert_int_eq (r.source, SV_HOST_SOURCE_STORE);
  }
}
END_TEST

START_TEST (test_sample_ultrapeers)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (10);
  g_autoptr (SvHostCache) c = sv_host_cache_new (&cfg, rand);
  SvHostAddr a = addr ("14.0.0.1:6346"), b = addr ("14.0.0.2:6346"), l = addr ("14.0.0.3:6346");
  SvHostAddr f = addr ("14.0.0.4:6346"), out[SV_HANDSHAKE_MAX_TRY_HOSTS];

  sv_host_cache_add (c, &a, SV_HOST_SOURCE_TRY, TRUE, T0 + 1);
  sv_host_cache_add (c, &b, SV_HOST_SOURCE_TRY, TRUE, T0 + 2);
  sv_host_cache_add (c, &l, SV_HOST_SOURCE_TRY, FALSE, T0 + 3);
  sv_host_cache_add (c, &f, SV_HOST_SOURCE_TRY, TRUE, T0 + 4);
  sv_host_cache_failed (c, &f, T0 + 5);
  ck_assert_uint_eq (sv_host_cache_sample_ultrapeers (c, out, G_N_ELEMENTS (out)), 2);
  ck_assert (sv_host_addr_equal (&out[0], &b));
  ck_assert (sv_host_addr_equal (&out[1], &a));
  ck_assert_uint_eq (sv_host_cache_sample_ultrapeers (c, out, 1), 1);
  ck_assert (sv_host_cache_remove (c, &b));
  ck_assert (!sv_host_cache_remove (c, &b));
}
END_TEST

/* A servent that knows a single host (its only ultrapeer, say) retries it within few_retry_us
 * after the link ends, after failures and after a 503, at jittered times; once it knows many,
 * the classic throttle and backoff apply again. */
START_TEST (test_few_hosts_retry_soon)
{
  SvHostCacheConfig cfg = config ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (SvHostCache) c = NULL;
  SvHostAddr a = addr ("8.8.8.8:6346"), out[4];
  gint64 now = T0, first = 0;
  gboolean differ = FALSE;

  cfg.few_hosts = 4;
  cfg.few_retry_us = 20 * SEC;
  c = sv_host_cache_new (&cfg, rand);
  ck_assert_int_eq (sv_host_cache_add (c, &a, SV_HOST_SOURCE_SEED, TRUE, now), SV_HOST_CACHE_ADDED);
  ck_assert_uint_eq (sv_host_cache_pick (c, now, TRUE, out, 4), 1);
  sv_host_cache_connected (c, &a, TRUE, now);
  /* The link ends (the host restarts): tried again within 20 s, not after the 60 s throttle. */
  now += 600 * SEC;
  sv_host_cache_disconnected (c, &a, now);
  ck_assert_uint_eq (sv_host_cache_pick (c, now + 10 * SEC - 1, TRUE, out, 4), 0);
  ck_assert_uint_eq (sv_host_cache_pick (c, now + 20 * SEC, TRUE, out, 4), 1);
  now += 20 * SEC;
  /* Twenty failures in a row (it is still down): never more than 20 s between attempts, and
   * the waits are not all the same. */
  for (guint i = 0; i < 20; i++)
    {
      SvHostCacheRow row;
      gint64 d;

      ck_assert (sv_host_cache_failed (c, &a, now));
      ck_assert (sv_host_cache_lookup (c, &a, &row));
      d = row.backoff_until_us - now;
      ck_assert_int_ge (d, 7 * SEC);
      ck_assert_int_le (d, 20 * SEC);
      if (i == 0)
        first = d;
      else if (d != first)
        differ = TRUE;
      ck_assert_uint_eq (sv_host_cache_pick (c, row.backoff_until_us, TRUE, out, 4), 1);
      now = row.backoff_until_us;
    }
  ck_assert (differ);
  /* Busy: within 20 s too. */
  sv_host_cache_busy (c, &a, now);
  ck_assert_uint_eq (sv_host_cache_pick (c, now + 20 * SEC, TRUE, out, 4), 1);

  /* With many hosts known, a failure backs off by the classic rule again (10 s base here, but
   * after 20 failures the 100 s ceiling) and the link's end starts the 60 s throttle. */
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *t = g_strdup_printf ("9.9.9.%u:6346", i + 1);
      SvHostAddr b = addr (t);
      sv_host_cache_add (c, &b, SV_HOST_SOURCE_PONG, TRUE, now);
    }
  now += 100 * SEC;
  {
    SvHostCacheRow row;
    ck_assert (sv_host_cache_failed (c, &a, now));
    ck_assert (sv_host_cache_lookup (c, &a, &row));
    ck_assert_int_ge (row.backoff_until_us - now, 75 * SEC);
  }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("host-cache");
  TCase *tc = tcase_create ("host-cache");

  tcase_add_test (tc, test_add_sources_and_refusals);
  tcase_add_test (tc, test_lan_mode);
  tcase_add_test (tc, test_pick_order_and_throttle);
  tcase_add_test (tc, test_backoff_grows_capped_with_jitter);
  tcase_add_test (tc, test_busy_retried_soon);
  tcase_add_test (tc, test_failures_forget_but_seeds_stay);
  tcase_add_test (tc, test_eviction_order);
  tcase_add_test (tc, test_full_of_protected_hosts);
  tcase_add_test (tc, test_hostile_set_later_drops);
  tcase_add_test (tc, test_export_import_round_trip);
  tcase_add_test (tc, test_sample_ultrapeers);
  tcase_add_test (tc, test_few_hosts_retry_soon);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
