/* pong-cache.c: per-distance rings of recent pongs, deduplicated by address, expiring. */
#include "pong-cache.h"

#include <string.h>

#define PONG_FIXED_BYTES 14
#define PONG_ADDR_BYTES  6           /* port (LE) + IPv4: identifies the host */

typedef struct {
  GBytes *payload;                   /* (owned) (nullable) NULL: empty slot */
  guint8 hops;
  guint64 conn;
  gint64 added_us;
} PongSlot;

typedef struct {
  PongSlot slots[SV_PONG_CACHE_PER_HOP];
  guint next;                        /* ring position of the next write */
} PongRing;

struct _SvPongCache {
  PongRing rings[SV_PONG_CACHE_HOP_SLOTS];
  gint64 lifetime_us;
  guint count;
};

SvPongCache *
sv_pong_cache_new (gint64 lifetime_us)
{
  SvPongCache *cache = g_new0 (SvPongCache, 1);

  cache->lifetime_us = MAX (lifetime_us, 1);
  return cache;
}

static void
slot_clear (SvPongCache *cache, PongSlot *slot)
{
  if (slot->payload == NULL)
    return;
  g_bytes_unref (slot->payload);
  slot->payload = NULL;
  cache->count--;
}

void
sv_pong_cache_free (SvPongCache *cache)
{
  if (cache == NULL)
    return;
  for (guint d = 0; d < SV_PONG_CACHE_HOP_SLOTS; d++)
    for (guint i = 0; i < SV_PONG_CACHE_PER_HOP; i++)
      slot_clear (cache, &cache->rings[d].slots[i]);
  g_free (cache);
}

static gboolean
slot_expired (const SvPongCache *cache, const PongSlot *slot, gint64 now_us)
{
  return now_us > slot->added_us && now_us - slot->added_us >= cache->lifetime_us;
}

void
sv_pong_cache_expire (SvPongCache *cache, gint64 now_us)
{
  for (guint d = 0; d < SV_PONG_CACHE_HOP_SLOTS; d++)
    for (guint i = 0; i < SV_PONG_CACHE_PER_HOP; i++)
      {
        PongSlot *slot = &cache->rings[d].slots[i];

        if (slot->payload != NULL && slot_expired (cache, slot, now_us))
          slot_clear (cache, slot);
      }
}

gboolean
sv_pong_cache_add (SvPongCache *cache, GBytes *payload, guint8 hops, guint64 conn,
                   gint64 now_us)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  guint d = MIN (hops, SV_PONG_CACHE_HOP_SLOTS - 1);
  PongRing *ring = &cache->rings[d];
  PongSlot *slot;

  if (len < PONG_FIXED_BYTES || len > SV_PONG_CACHE_MAX_PAYLOAD_BYTES)
    return FALSE;

  /* One entry per host: a fresher pong replaces the older one wherever it is. */
  for (guint dd = 0; dd < SV_PONG_CACHE_HOP_SLOTS; dd++)
    for (guint i = 0; i < SV_PONG_CACHE_PER_HOP; i++)
      {
        PongSlot *s = &cache->rings[dd].slots[i];
        const guint8 *other;

        if (s->payload == NULL)
          continue;
        other = g_bytes_get_data (s->payload, NULL);
        if (memcmp (other, data, PONG_ADDR_BYTES) == 0)
          slot_clear (cache, s);
      }

  slot = &ring->slots[ring->next];
  slot_clear (cache, slot);
  slot->payload = g_bytes_ref (payload);
  slot->hops = hops;
  slot->conn = conn;
  slot->added_us = now_us;
  cache->count++;
  ring->next = (ring->next + 1) % SV_PONG_CACHE_PER_HOP;
  return TRUE;
}

guint
sv_pong_cache_answer (SvPongCache *cache, guint8 ping_ttl, guint64 requester, gint64 now_us,
                      SvPongCacheHit *out, guint max)
{
  guint n = 0;
  guint distances = MIN ((guint) ping_ttl, SV_PONG_CACHE_HOP_SLOTS);
  guint taken[SV_PONG_CACHE_HOP_SLOTS] = { 0 };   /* ring steps walked back per distance */
  gboolean progress = TRUE;

  max = MIN (max, SV_PONG_CACHE_MAX_PONGS);
  sv_pong_cache_expire (cache, now_us);
  /* Round robin over the distances, newest first within each, so a small answer still spans
   * the horizon the ping asked about. */
  while (n < max && progress)
    {
      progress = FALSE;
      for (guint d = 0; d < distances && n < max; d++)
        {
          PongRing *ring = &cache->rings[d];

          while (taken[d] < SV_PONG_CACHE_PER_HOP)
            {
              guint pos = (ring->next + SV_PONG_CACHE_PER_HOP - 1 - taken[d])
                          % SV_PONG_CACHE_PER_HOP;
              PongSlot *slot = &ring->slots[pos];

              taken[d]++;
              if (slot->payload == NULL || slot->conn == requester)
                continue;
              out[n].payload = slot->payload;
              out[n].hops = slot->hops;
              out[n].conn = slot->conn;
              n++;
              progress = TRUE;
              break;
            }
        }
    }
  return n;
}

guint
sv_pong_cache_size (const SvPongCache *cache)
{
  return cache->count;
}
