/* host-cache.h: the known-hosts cache policy: which servents we know of and whom to try next.
 *
 * Hosts arrive from X-Try-Ultrapeers headers, pongs (their own address and IPP entries), UDP host
 * cache replies, GWebCache answers, the persistent store and --peer seeds. Each record remembers when the host was last
 * heard of, when we last tried it, how often in a row that failed, and until when it is backing off
 * (exponential with jitter, capped). Picking skips connected hosts, hosts backing off, hosts tried
 * within the per-address throttle window, hostile addresses and, outside LAN mode, addresses that
 * are not publicly routable. The cache has a size cap; when full, the worst non-seed host (most
 * failures, then least recently heard of) makes room. Seeds are never evicted or dropped.
 *
 * Pure: time is a `now_us` argument, randomness a GRand the caller owns. Persistence is the
 * caller's: export and import plain rows (SvHostCacheRow). */
#pragma once

#include <glib.h>

#include "host-addr.h"
#include "hostile.h"
#include "limits.h"

typedef enum {
  SV_HOST_SOURCE_SEED = 0,   /* --peer on the command line: never evicted */
  SV_HOST_SOURCE_TRY,        /* an X-Try-Ultrapeers header */
  SV_HOST_SOURCE_PONG,       /* a pong's own address or one of its IPP / IPP6 entries */
  SV_HOST_SOURCE_UHC,        /* a UDP host cache's reply */
  SV_HOST_SOURCE_STORE,      /* imported from the persistent store */
  SV_HOST_SOURCE_GWC,        /* a GWebCache's answer */
} SvHostSource;

#define SV_HOST_SOURCE_LAST SV_HOST_SOURCE_GWC

typedef struct {
  guint max_hosts;            /* size cap (clamped to 1..SV_HOST_CACHE_MAX_HOSTS) */
  gboolean lan_mode;          /* accept loopback/private/test-net addresses (--lan) */
  gint64 throttle_us;         /* no new attempt to one address within this window */
  gint64 backoff_base_us;     /* wait after the first failure */
  gint64 backoff_max_us;      /* ceiling on the wait */
  guint max_failures;         /* a non-seed host failing this many times in a row is forgotten */
  gint64 busy_retry_us;       /* a host that refused us with 503 is tried again after this */
  guint few_hosts;            /* a cache of at most this many hosts cannot spread its attempts: */
  gint64 few_retry_us;        /* ...every wait (throttle, backoff, busy, after a link ends) is
                               * capped at this, scaled by a random factor in [0.5, 1] */
} SvHostCacheConfig;

/* Defaults: 4096 hosts, no LAN mode, 5 min throttle, 30 s backoff doubling up to 2 h, 8 failures,
 * 20 s before a busy host is tried again; with 8 hosts or fewer, no wait over 20 s. */
void sv_host_cache_config_init (SvHostCacheConfig *config);

/* One host, as exported to and imported from persistence. Times are in microseconds, 0 = never. */
typedef struct {
  SvHostAddr addr;
  guint8 source;              /* SvHostSource it was first learnt from */
  gboolean ultrapeer;         /* hint: announced or listed as an ultrapeer */
  gint64 last_seen_us;        /* last time the host was heard of or talked to */
  gint64 last_attempt_us;     /* last connection attempt */
  gint64 last_success_us;     /* last completed handshake */
  guint failures;             /* consecutive failed attempts */
  gint64 backoff_until_us;    /* no attempt before this */
} SvHostCacheRow;

typedef enum {
  SV_HOST_CACHE_ADDED,        /* a new record */
  SV_HOST_CACHE_UPDATED,      /* already known: last seen (and the ultrapeer hint) refreshed */
  SV_HOST_CACHE_REFUSED,      /* not connectable (port 0, bogon, private outside LAN mode…) */
  SV_HOST_CACHE_HOSTILE,      /* listed in the hostile list */
  SV_HOST_CACHE_FULL,         /* full of seeds and connected hosts: nothing could be evicted */
} SvHostCacheVerdict;

typedef struct _SvHostCache SvHostCache;

/* @config is copied. @rand: (transfer none) must outlive the cache.
 * Returns: (transfer full). */
SvHostCache *sv_host_cache_new (const SvHostCacheConfig *config, GRand *rand);
void sv_host_cache_free (SvHostCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvHostCache, sv_host_cache_free)

/* Uses @hostile (transfer none; NULL for none) from now on: it must outlive the cache or be
 * replaced first. Hosts already cached that the list names are dropped (unless connected).
 * Returns: the number dropped. */
guint sv_host_cache_set_hostile (SvHostCache *cache, const SvHostile *hostile);

/* Learns @addr. A known host gets last_seen = @now_us, and the ultrapeer hint if @ultrapeer; a seed
 * source makes a known host a seed. */
SvHostCacheVerdict sv_host_cache_add (SvHostCache *cache, const SvHostAddr *addr,
                                      SvHostSource source, gboolean ultrapeer, gint64 now_us);

/* Learns every entry of @addrs; returns how many were added or updated. */
guint sv_host_cache_add_many (SvHostCache *cache, const SvHostAddr *addrs, guint n,
                              SvHostSource source, gboolean ultrapeer, gint64 now_us);

/* Fills @out with up to @max hosts to connect to now, best first, and records the attempt
 * (last_attempt = @now_us) on each, so that they are not picked again within the throttle window.
 * Best: ultrapeer hint matching @want_ultrapeers, then seeds, then fewer failures, then most
 * recently seen; equal hosts in random order. Returns: the number picked. */
guint sv_host_cache_pick (SvHostCache *cache, gint64 now_us, gboolean want_ultrapeers,
                          SvHostAddr *out, guint max);

/* A completed handshake with the host listening at @addr (for an inbound peer: its Listen-IP, not
 * the socket's source port): failures cleared, backoff lifted, the host is connected (never picked,
 * never evicted) until sv_host_cache_disconnected(). An unknown host is learnt if admissible. */
void sv_host_cache_connected (SvHostCache *cache, const SvHostAddr *addr, gboolean ultrapeer,
                              gint64 now_us);
/* The connection ended; the host is pickable again after the throttle window (with few hosts,
 * after few_retry_us scaled by [0.5, 1]). */
void sv_host_cache_disconnected (SvHostCache *cache, const SvHostAddr *addr, gint64 now_us);

/* A failed attempt (refused, timed out, handshake error): failures + 1, backoff until
 * now + min(max, base × 2^(failures-1)) scaled by a random factor in [0.75, 1].
 * A non-seed host reaching max_failures is forgotten. Returns: FALSE if it was forgotten. */
gboolean sv_host_cache_failed (SvHostCache *cache, const SvHostAddr *addr, gint64 now_us);

/* The host answered but refused us for now (503: slots full, a leaf that takes no leaves): it is
 * alive, so failures stay as they are; it is tried again after busy_retry_us scaled by a random
 * factor in [0.75, 1] (the throttle window does not apply), and it is not picked before. */
void sv_host_cache_busy (SvHostCache *cache, const SvHostAddr *addr, gint64 now_us);

/* Forgets @addr (a seed too). Returns: TRUE if it was known. */
gboolean sv_host_cache_remove (SvHostCache *cache, const SvHostAddr *addr);

/* Copies the record for @addr into @out. Returns: FALSE if unknown. */
gboolean sv_host_cache_lookup (const SvHostCache *cache, const SvHostAddr *addr, SvHostCacheRow *out);
gboolean sv_host_cache_is_seed (const SvHostCache *cache, const SvHostAddr *addr);

guint sv_host_cache_size (const SvHostCache *cache);

/* Up to @max ultrapeers to offer in X-Try-Ultrapeers or IPP: hinted ultrapeers with no failure,
 * most recently seen first, connected ones included. Returns: the number stored. */
guint sv_host_cache_sample_ultrapeers (const SvHostCache *cache, SvHostAddr *out, guint max);

/* Every record (seeds included), most recently seen first. Returns: (transfer full) (element-type
 * SvHostCacheRow). */
GArray *sv_host_cache_export (const SvHostCache *cache);

/* Loads rows from the store, as sv_host_cache_add() would (refused and hostile rows skipped,
 * existing records kept), keeping their counters. Seen/attempt/success times in the future are
 * clamped to @now_us, a backoff to @now_us + backoff_max_us.
 * A seed row comes back as SV_HOST_SOURCE_STORE: seeds are what --peer says on this run.
 * Returns: the number of rows loaded. */
guint sv_host_cache_import (SvHostCache *cache, const SvHostCacheRow *rows, guint n, gint64 now_us);
