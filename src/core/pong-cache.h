/* pong-cache.h: recent Pongs by hop distance, to answer a Ping without flooding it.
 *
 * Pong caching (protocol notes §3): pings are not relayed; a servent answers from the pongs it
 * has seen lately, at most SV_PONG_CACHE_MAX_PONGS per ping. Pongs are kept apart by the hops
 * they arrived with (0: the neighbour itself), SV_PONG_CACHE_PER_HOP per distance, newest first;
 * a pong for a host already cached (same IPv4:port) replaces the older one; each expires
 * @lifetime_us after it arrived. The payload is kept as given (not decoded here); payloads shorter
 * than a pong's 14 fixed bytes or longer than SV_PONG_CACHE_MAX_PAYLOAD_BYTES are not cached.
 * Pure: time comes in as `now_us`. */
#pragma once

#include <glib.h>

#include "limits.h"

typedef struct _SvPongCache SvPongCache;

typedef struct {
  GBytes *payload;           /* (transfer none) the cached pong's payload */
  guint8 hops;               /* hops it arrived with: the reply carries hops + 1 */
  guint64 conn;              /* the connection it came from */
} SvPongCacheHit;

/* @lifetime_us above 0. Returns: (transfer full). */
SvPongCache *sv_pong_cache_new (gint64 lifetime_us);
void sv_pong_cache_free (SvPongCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvPongCache, sv_pong_cache_free)

/* Caches a pong that arrived on @conn with @hops. @payload is referenced, not copied.
 * Returns: FALSE when it was not cached (size out of bounds). */
gboolean sv_pong_cache_add (SvPongCache *cache, GBytes *payload, guint8 hops, guint64 conn,
                            gint64 now_us);

/* Picks pongs to answer a ping that arrived on @requester with @ping_ttl (a ping reaching t hops
 * asks about hosts at distances 0..t-1): newest first from each distance in turn, never the
 * requester's own pongs, nothing expired; at most MIN (@max, SV_PONG_CACHE_MAX_PONGS).
 * Returns: the number of entries written to @out (valid until the cache is next changed). */
guint sv_pong_cache_answer (SvPongCache *cache, guint8 ping_ttl, guint64 requester,
                            gint64 now_us, SvPongCacheHit *out, guint max);

void sv_pong_cache_expire (SvPongCache *cache, gint64 now_us);

/* Pongs kept (at most SV_PONG_CACHE_HOP_SLOTS * SV_PONG_CACHE_PER_HOP). */
guint sv_pong_cache_size (const SvPongCache *cache);
