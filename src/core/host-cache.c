/* host-cache.c: the known-hosts cache: records, picking, backoff, eviction, export/import. */
#include "host-cache.h"

#include <string.h>

typedef struct {
  SvHostCacheRow row;          /* row.addr is the hash key */
  gboolean seed;
  gboolean connected;
} Entry;

struct _SvHostCache {
  SvHostCacheConfig config;
  GRand *rand;                 /* borrowed */
  const SvHostile *hostile;    /* borrowed, may be NULL */
  GHashTable *hosts;           /* SvHostAddr* (inside Entry) -> Entry* (owned) */
};

void
sv_host_cache_config_init (SvHostCacheConfig *config)
{
  memset (config, 0, sizeof *config);
  config->max_hosts = 4096;
  config->lan_mode = FALSE;
  config->throttle_us = 5 * 60 * G_USEC_PER_SEC;
  config->busy_retry_us = 20 * G_USEC_PER_SEC;
  config->backoff_base_us = 30 * G_USEC_PER_SEC;
  config->backoff_max_us = G_GINT64_CONSTANT (2) * 3600 * G_USEC_PER_SEC;
  config->max_failures = 8;
  config->few_hosts = 8;
  config->few_retry_us = 20 * G_USEC_PER_SEC;
}

SvHostCache *
sv_host_cache_new (const SvHostCacheConfig *config, GRand *rand)
{
  SvHostCache *c = g_new0 (SvHostCache, 1);

  c->config = *config;
  c->config.max_hosts = CLAMP (c->config.max_hosts, 1, SV_HOST_CACHE_MAX_HOSTS);
  if (c->config.max_failures == 0)
    c->config.max_failures = 1;
  if (c->config.backoff_base_us < 0)
    c->config.backoff_base_us = 0;
  if (c->config.backoff_max_us < c->config.backoff_base_us)
    c->config.backoff_max_us = c->config.backoff_base_us;
  c->rand = rand;
  c->hosts = g_hash_table_new_full (sv_host_addr_hash, sv_host_addr_key_equal, NULL, g_free);
  return c;
}

void
sv_host_cache_free (SvHostCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->hosts);
  g_free (cache);
}

static Entry *
find (const SvHostCache *cache, const SvHostAddr *addr)
{
  return g_hash_table_lookup (cache->hosts, addr);
}

static gboolean
hostile_drop (gpointer key, gpointer value, gpointer user_data)
{
  const Entry *e = value;

  return !e->connected && sv_hostile_contains (user_data, &e->row.addr);
}

guint
sv_host_cache_set_hostile (SvHostCache *cache, const SvHostile *hostile)
{
  cache->hostile = hostile;
  if (hostile == NULL)
    return 0;
  return g_hash_table_foreach_remove (cache->hosts, hostile_drop, (gpointer) hostile);
}

/* --- Eviction --- */

/* TRUE when @a is a worse host to keep than @b: more failures, then seen longer ago. */
static gboolean
worse (const Entry *a, const Entry *b)
{
  if (a->row.failures != b->row.failures)
    return a->row.failures > b->row.failures;
  return a->row.last_seen_us < b->row.last_seen_us;
}

static gboolean
evict_worst (SvHostCache *cache)
{
  GHashTableIter it;
  gpointer value;
  Entry *victim = NULL;

  g_hash_table_iter_init (&it, cache->hosts);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Entry *e = value;

      if (e->seed || e->connected)
        continue;
      if (victim == NULL || worse (e, victim))
        victim = e;
    }
  if (victim == NULL)
    return FALSE;
  g_hash_table_remove (cache->hosts, &victim->row.addr);
  return TRUE;
}

/* --- Adding --- */

static SvHostCacheVerdict
admit (SvHostCache *cache, const SvHostAddr *addr)
{
  if (!sv_host_addr_is_connectable (addr, cache->config.lan_mode))
    return SV_HOST_CACHE_REFUSED;
  if (sv_hostile_contains (cache->hostile, addr))
    return SV_HOST_CACHE_HOSTILE;
  if (g_hash_table_size (cache->hosts) >= cache->config.max_hosts && !evict_worst (cache))
    return SV_HOST_CACHE_FULL;
  return SV_HOST_CACHE_ADDED;
}

static Entry *
insert (SvHostCache *cache, const SvHostCacheRow *row)
{
  Entry *e = g_new0 (Entry, 1);

  e->row = *row;
  g_hash_table_insert (cache->hosts, &e->row.addr, e);
  return e;
}

SvHostCacheVerdict
sv_host_cache_add (SvHostCache *cache, const SvHostAddr *addr, SvHostSource source,
                   gboolean ultrapeer, gint64 now_us)
{
  Entry *e = find (cache, addr);
  SvHostCacheVerdict v;
  SvHostCacheRow row = { 0 };

  if (e != NULL)
    {
      if (now_us > e->row.last_seen_us)
        e->row.last_seen_us = now_us;
      if (ultrapeer)
        e->row.ultrapeer = TRUE;
      if (source == SV_HOST_SOURCE_SEED)
        e->seed = TRUE;
      return SV_HOST_CACHE_UPDATED;
    }
  v = admit (cache, addr);
  if (v != SV_HOST_CACHE_ADDED)
    return v;
  row.addr = *addr;
  row.source = (guint8) source;
  row.ultrapeer = ultrapeer;
  row.last_seen_us = now_us;
  e = insert (cache, &row);
  e->seed = source == SV_HOST_SOURCE_SEED;
  return SV_HOST_CACHE_ADDED;
}

guint
sv_host_cache_add_many (SvHostCache *cache, const SvHostAddr *addrs, guint n,
                        SvHostSource source, gboolean ultrapeer, gint64 now_us)
{
  guint ok = 0;

  for (guint i = 0; i < n; i++)
    {
      SvHostCacheVerdict v = sv_host_cache_add (cache, &addrs[i], source, ultrapeer, now_us);

      if (v == SV_HOST_CACHE_ADDED || v == SV_HOST_CACHE_UPDATED)
        ok++;
    }
  return ok;
}

/* --- Picking --- */

typedef struct {
  Entry *e;
  guint32 tiebreak;
  gboolean want_ultrapeers;
} Candidate;

static gint
candidate_cmp (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a, *y = b;
  gboolean xm = x->e->row.ultrapeer == x->want_ultrapeers;
  gboolean ym = y->e->row.ultrapeer == y->want_ultrapeers;

  if (xm != ym)
    return xm ? -1 : 1;
  if (x->e->seed != y->e->seed)
    return x->e->seed ? -1 : 1;
  if (x->e->row.failures != y->e->row.failures)
    return x->e->row.failures < y->e->row.failures ? -1 : 1;
  if (x->e->row.last_seen_us != y->e->row.last_seen_us)
    return x->e->row.last_seen_us > y->e->row.last_seen_us ? -1 : 1;
  if (x->tiebreak != y->tiebreak)
    return x->tiebreak < y->tiebreak ? -1 : 1;
  return 0;
}

/* A servent that knows only a few hosts cannot spread its attempts: it keeps retrying those it
 * has, soon and at jittered times, so that one coming back is found again. */
static gboolean
few_hosts (const SvHostCache *cache)
{
  return g_hash_table_size (cache->hosts) <= cache->config.few_hosts;
}

/* The wait before the next attempt, @d at most: with few hosts, capped at few_retry_us and
 * scaled by [0.5, 1] so that servents do not retry in step; else scaled by [0.75, 1]. */
static gint64
jittered (SvHostCache *cache, gint64 d)
{
  if (few_hosts (cache) && d > cache->config.few_retry_us)
    return (gint64) ((double) cache->config.few_retry_us * g_rand_double_range (cache->rand, 0.5, 1.0));
  return (gint64) ((double) d * g_rand_double_range (cache->rand, 0.75, 1.0));
}

static gboolean
pickable (const SvHostCache *cache, const Entry *e, gint64 now_us)
{
  gint64 throttle = cache->config.throttle_us;

  if (e->connected)
    return FALSE;
  if (e->row.backoff_until_us > now_us)
    return FALSE;
  if (few_hosts (cache))
    throttle = MIN (throttle, cache->config.few_retry_us);
  if (e->row.last_attempt_us != 0 && now_us - e->row.last_attempt_us < throttle)
    return FALSE;
  if (!sv_host_addr_is_connectable (&e->row.addr, cache->config.lan_mode))
    return FALSE;
  return !sv_hostile_contains (cache->hostile, &e->row.addr);
}

guint
sv_host_cache_pick (SvHostCache *cache, gint64 now_us, gboolean want_ultrapeers,
                    SvHostAddr *out, guint max)
{
  g_autoptr (GArray) cands = g_array_new (FALSE, FALSE, sizeof (Candidate));
  GHashTableIter it;
  gpointer value;
  guint n;

  if (max == 0)
    return 0;
  g_hash_table_iter_init (&it, cache->hosts);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Candidate c = { value, 0, want_ultrapeers };

      if (!pickable (cache, c.e, now_us))
        continue;
      c.tiebreak = g_rand_int (cache->rand);
      g_array_append_val (cands, c);
    }
  g_array_sort (cands, candidate_cmp);
  n = MIN (max, cands->len);
  for (guint i = 0; i < n; i++)
    {
      Entry *e = g_array_index (cands, Candidate, i).e;

      e->row.last_attempt_us = now_us;
      out[i] = e->row.addr;
    }
  return n;
}

/* --- Outcomes --- */

void
sv_host_cache_connected (SvHostCache *cache, const SvHostAddr *addr, gboolean ultrapeer,
                         gint64 now_us)
{
  Entry *e = find (cache, addr);

  if (e == NULL)
    {
      /* An inbound peer or one we dialled from elsewhere: learn it if it may be cached. */
      if (sv_host_cache_add (cache, addr, SV_HOST_SOURCE_TRY, ultrapeer, now_us) != SV_HOST_CACHE_ADDED)
        return;
      e = find (cache, addr);
    }
  e->connected = TRUE;
  e->row.ultrapeer = ultrapeer;
  e->row.failures = 0;
  e->row.backoff_until_us = 0;
  e->row.last_seen_us = MAX (e->row.last_seen_us, now_us);
  e->row.last_success_us = now_us;
}

void
sv_host_cache_disconnected (SvHostCache *cache, const SvHostAddr *addr, gint64 now_us)
{
  Entry *e = find (cache, addr);

  if (e == NULL)
    return;
  e->connected = FALSE;
  e->row.last_seen_us = MAX (e->row.last_seen_us, now_us);
  if (few_hosts (cache))
    {
      /* Few hosts to go to: this one is tried again soon (it may be restarting). */
      e->row.backoff_until_us = now_us + jittered (cache, cache->config.throttle_us);
      e->row.last_attempt_us = 0;
      return;
    }
  /* The throttle window starts when the link ends, not when it was dialled. */
  e->row.last_attempt_us = now_us;
}

static gint64
backoff_delay (const SvHostCache *cache, guint failures)
{
  gint64 d = cache->config.backoff_base_us, max = cache->config.backoff_max_us;

  for (guint i = 1; i < failures && d < max; i++)
    d = d > max / 2 ? max : d * 2;
  return MIN (d, max);
}

gboolean
sv_host_cache_failed (SvHostCache *cache, const SvHostAddr *addr, gint64 now_us)
{
  Entry *e = find (cache, addr);
  gint64 d;

  if (e == NULL)
    return FALSE;
  e->connected = FALSE;
  if (e->row.failures < G_MAXUINT)
    e->row.failures++;
  if (!e->seed && e->row.failures >= cache->config.max_failures)
    {
      g_hash_table_remove (cache->hosts, addr);
      return FALSE;
    }
  d = jittered (cache, backoff_delay (cache, e->row.failures));
  e->row.backoff_until_us = now_us + d;
  if (few_hosts (cache))
    e->row.last_attempt_us = 0;   /* the (short) backoff alone decides when */
  else if (e->row.last_attempt_us == 0)
    e->row.last_attempt_us = now_us;
  return TRUE;
}

void
sv_host_cache_busy (SvHostCache *cache, const SvHostAddr *addr, gint64 now_us)
{
  Entry *e = find (cache, addr);

  if (e == NULL)
    return;
  e->connected = FALSE;
  e->row.last_seen_us = MAX (e->row.last_seen_us, now_us);
  e->row.backoff_until_us = now_us + jittered (cache, cache->config.busy_retry_us);
  e->row.last_attempt_us = 0;   /* the backoff alone decides when */
}

gboolean
sv_host_cache_remove (SvHostCache *cache, const SvHostAddr *addr)
{
  return g_hash_table_remove (cache->hosts, addr);
}

gboolean
sv_host_cache_lookup (const SvHostCache *cache, const SvHostAddr *addr, SvHostCacheRow *out)
{
  Entry *e = find (cache, addr);

  if (e == NULL)
    return FALSE;
  *out = e->row;
  return TRUE;
}

gboolean
sv_host_cache_is_seed (const SvHostCache *cache, const SvHostAddr *addr)
{
  Entry *e = find (cache, addr);

  return e != NULL && e->seed;
}

guint
sv_host_cache_size (const SvHostCache *cache)
{
  return g_hash_table_size (cache->hosts);
}

/* --- Export, import, sampling --- */

static gint
row_recent_first (gconstpointer a, gconstpointer b)
{
  const SvHostCacheRow *x = a, *y = b;

  if (x->last_seen_us != y->last_seen_us)
    return x->last_seen_us > y->last_seen_us ? -1 : 1;
  return 0;
}

GArray *
sv_host_cache_export (const SvHostCache *cache)
{
  GArray *rows = g_array_sized_new (FALSE, FALSE, sizeof (SvHostCacheRow),
                                    g_hash_table_size (cache->hosts));
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, cache->hosts);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_array_append_val (rows, ((Entry *) value)->row);
  g_array_sort (rows, row_recent_first);
  return rows;
}

guint
sv_host_cache_sample_ultrapeers (const SvHostCache *cache, SvHostAddr *out, guint max)
{
  g_autoptr (GArray) rows = sv_host_cache_export (cache);
  guint n = 0;

  for (guint i = 0; i < rows->len && n < max; i++)
    {
      const SvHostCacheRow *r = &g_array_index (rows, SvHostCacheRow, i);

      if (r->ultrapeer && r->failures == 0)
        out[n++] = r->addr;
    }
  return n;
}

guint
sv_host_cache_import (SvHostCache *cache, const SvHostCacheRow *rows, guint n, gint64 now_us)
{
  guint loaded = 0;

  for (guint i = 0; i < n; i++)
    {
      SvHostCacheRow row = rows[i];
      SvHostAddr addr;

      /* Rebuild the address so that padding bytes and a mapped IPv6 form cannot split keys. */
      if (row.addr.family == SV_HOST_ADDR_IPV4)
        sv_host_addr_set_ipv4 (&addr, row.addr.ip, row.addr.port);
      else if (row.addr.family == SV_HOST_ADDR_IPV6)
        sv_host_addr_set_ipv6 (&addr, row.addr.ip, row.addr.port);
      else
        continue;
      row.addr = addr;
      if (find (cache, &addr) != NULL || admit (cache, &addr) != SV_HOST_CACHE_ADDED)
        continue;
      if (row.source > SV_HOST_SOURCE_LAST || row.source == SV_HOST_SOURCE_SEED)
        row.source = SV_HOST_SOURCE_STORE;
      row.ultrapeer = row.ultrapeer != FALSE;
      row.last_seen_us = MIN (row.last_seen_us, now_us);
      row.last_attempt_us = MIN (row.last_attempt_us, now_us);
      row.last_success_us = MIN (row.last_success_us, now_us);
      row.backoff_until_us = MIN (row.backoff_until_us,
                                  now_us + cache->config.backoff_max_us);
      insert (cache, &row);
      loaded++;
    }
  return loaded;
}
