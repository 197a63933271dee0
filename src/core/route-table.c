/* route-table.c: (MUID, type) routes with duplicate counting, a size cap and a lifetime. */
#include "route-table.h"

#include <string.h>

#include "msg-header.h"

/* Routes are fixed-size records appended to a ring of chunks in the order they were recorded, so
 * the oldest is always at the head and expiry walks from there; an open-addressing index
 * (linear probing, 4-byte slots holding a record's sequence number) finds a record by key.
 * About 48 bytes a route, in a handful of allocations: an ultrapeer keeps an hour of routes, and
 * a node per route would scatter them over the heap. */

#define ROUTE_CHUNK      256u          /* records per chunk (10 KiB) */
#define ROUTE_MIN_SLOTS  1024u         /* the index never shrinks below this */
#define SLOT_EMPTY       G_MAXUINT32   /* an index slot holding no record; never a sequence number */

typedef struct {
  guint8 muid[SV_GUID_LEN];  /* XOR-ed with the table's salt */
  guint8 type;
  guint8 max_ttl;            /* highest TTL seen for this key */
  gboolean live;             /* FALSE once removed (the record waits for the head to pass it) */
  guint64 conn;
  gint64 recorded_us;
} RouteRecord;

struct _SvRouteTable {
  GPtrArray *chunks;         /* (element-type RouteRecord[ROUTE_CHUNK]) chunks[0] starts at
                              * sequence number chunk0_seq */
  guint32 chunk0_seq;        /* a multiple of ROUTE_CHUNK (wraps with head and tail) */
  guint32 head, tail;        /* records head .. tail - 1 are in the ring, oldest first */
  guint32 *slots;            /* n_slots (a power of two) sequence numbers or SLOT_EMPTY */
  guint n_slots;
  guint live;                /* records in the index: the table's size */
  GHashTable *dups;          /* guint64* conn -> guint64* count */
  guint max_entries;
  gint64 lifetime_us;
  guint8 salt[SV_GUID_LEN];
};

static guint
route_key_hash (const guint8 *muid, guint8 type)
{
  guint64 a, b;

  memcpy (&a, muid, 8);
  memcpy (&b, muid + 8, 8);
  a = (a ^ type) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  b = b * G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F);
  a ^= b ^ (a >> 29);
  return (guint) (a ^ (a >> 32));
}

static void
route_key_make (const SvRouteTable *table, const SvGuid *muid, guint8 out[SV_GUID_LEN])
{
  for (int i = 0; i < SV_GUID_LEN; i++)
    out[i] = muid->b[i] ^ table->salt[i];
}

static RouteRecord *
record_at (const SvRouteTable *table, guint32 seq)
{
  guint32 off = seq - table->chunk0_seq;
  RouteRecord *chunk = g_ptr_array_index (table->chunks, off / ROUTE_CHUNK);

  return &chunk[off % ROUTE_CHUNK];
}

/* The index slot of (@muid, @type): the one holding its record (*@seq_out set), or the empty
 * slot where it would go (*@seq_out = SLOT_EMPTY). */
static guint
index_find (const SvRouteTable *table, const guint8 *muid, guint8 type, guint32 *seq_out)
{
  guint mask = table->n_slots - 1;
  guint i = route_key_hash (muid, type) & mask;
  guint32 seq;

  while ((seq = table->slots[i]) != SLOT_EMPTY)
    {
      const RouteRecord *r = record_at (table, seq);

      if (r->type == type && memcmp (r->muid, muid, SV_GUID_LEN) == 0)
        break;
      i = (i + 1) & mask;
    }
  *seq_out = seq;
  return i;
}

/* Empties slot @i, moving later entries of its probe run back so none becomes unreachable. */
static void
index_delete (SvRouteTable *table, guint i)
{
  guint mask = table->n_slots - 1;
  guint j = i;

  for (;;)
    {
      const RouteRecord *r;
      guint home;

      j = (j + 1) & mask;
      if (table->slots[j] == SLOT_EMPTY)
        break;
      r = record_at (table, table->slots[j]);
      home = route_key_hash (r->muid, r->type) & mask;
      /* The entry at j may fill the hole at i when i lies on its probe path (home .. j). */
      if (((j - home) & mask) >= ((j - i) & mask))
        {
          table->slots[i] = table->slots[j];
          i = j;
        }
    }
  table->slots[i] = SLOT_EMPTY;
}

/* Rebuilds the index with @n_slots slots from the live records. */
static void
index_resize (SvRouteTable *table, guint n_slots)
{
  g_free (table->slots);
  table->slots = g_new (guint32, n_slots);
  memset (table->slots, 0xff, n_slots * sizeof *table->slots);
  table->n_slots = n_slots;
  for (guint32 seq = table->head; seq != table->tail; seq++)
    {
      const RouteRecord *r = record_at (table, seq);
      guint32 found;

      if (r->live)
        table->slots[index_find (table, r->muid, r->type, &found)] = seq;
    }
}

SvRouteTable *
sv_route_table_new (guint max_entries, gint64 lifetime_us, GRand *rand)
{
  SvRouteTable *table = g_new0 (SvRouteTable, 1);

  table->chunks = g_ptr_array_new_with_free_func (g_free);
  /* Sequence numbers start four chunks short of wrapping: every table passes the wrap early,
   * where the tests see it, rather than after four billion routes. */
  table->chunk0_seq = table->head = table->tail = (guint32) 0 - 4 * ROUTE_CHUNK;
  table->dups = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  table->max_entries = MAX (max_entries, 1);
  table->lifetime_us = MAX (lifetime_us, 1);
  if (rand != NULL)
    for (int i = 0; i < SV_GUID_LEN; i++)
      table->salt[i] = (guint8) g_rand_int_range (rand, 0, 256);
  index_resize (table, ROUTE_MIN_SLOTS);
  return table;
}

void
sv_route_table_free (SvRouteTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref (table->chunks);
  g_free (table->slots);
  g_hash_table_destroy (table->dups);
  g_free (table);
}

/* Takes @r out of the index; the ring lets go of it once it reaches the head. */
static void
route_remove (SvRouteTable *table, RouteRecord *r)
{
  guint32 seq;
  guint i = index_find (table, r->muid, r->type, &seq);

  g_assert (seq != SLOT_EMPTY && record_at (table, seq) == r);
  index_delete (table, i);
  r->live = FALSE;
  table->live--;
}

/* Moves the head past one record, freeing its chunk when the head leaves it. */
static void
ring_pop (SvRouteTable *table)
{
  table->head++;
  if ((guint32) (table->head - table->chunk0_seq) >= ROUTE_CHUNK)
    {
      g_ptr_array_remove_index (table->chunks, 0);
      table->chunk0_seq += ROUTE_CHUNK;
    }
}

/* Appends a record (not yet live) at the tail and returns its sequence number. */
static guint32
ring_push (SvRouteTable *table)
{
  guint32 seq;

  do
    {
      if ((guint32) (table->tail - table->chunk0_seq) / ROUTE_CHUNK == table->chunks->len)
        g_ptr_array_add (table->chunks, g_new (RouteRecord, ROUTE_CHUNK));
      seq = table->tail++;
      record_at (table, seq)->live = FALSE;
    }
  while (seq == SLOT_EMPTY);  /* never a sequence number: the wrap passes it as a dead record */
  return seq;
}

static gboolean
route_is_expired (const SvRouteTable *table, const RouteRecord *r, gint64 now_us)
{
  /* A time earlier than the recording (a clock stepped back) does not expire anything. */
  return now_us > r->recorded_us && now_us - r->recorded_us >= table->lifetime_us;
}

/* Lets the ring go of its dead records at the head, and of the live ones that expired; with
 * @evict_one, the oldest live record goes too, expired or not. */
static void
drop_head (SvRouteTable *table, gint64 now_us, gboolean evict_one)
{
  while (table->head != table->tail)
    {
      RouteRecord *r = record_at (table, table->head);

      if (r->live)
        {
          if (!evict_one && !route_is_expired (table, r, now_us))
            break;
          route_remove (table, r);
          evict_one = FALSE;
        }
      ring_pop (table);
    }
}

void
sv_route_table_expire (SvRouteTable *table, gint64 now_us)
{
  drop_head (table, now_us, FALSE);
  if (table->n_slots > ROUTE_MIN_SLOTS && table->live < table->n_slots / 8)
    index_resize (table, table->n_slots / 2);
}

static void
count_duplicate (SvRouteTable *table, guint64 conn)
{
  guint64 *count = g_hash_table_lookup (table->dups, &conn);

  if (count == NULL)
    {
      guint64 *key;

      /* Counters belong to open connections, which the caller forgets when they close; should
       * it not, the map is emptied rather than allowed to grow. */
      if (g_hash_table_size (table->dups) >= SV_ROUTER_MAX_PEER_STATS)
        g_hash_table_remove_all (table->dups);
      key = g_new (guint64, 2);
      key[0] = conn;
      key[1] = 0;
      count = key + 1;
      g_hash_table_insert (table->dups, key, count);
    }
  (*count)++;
}

SvRouteSeen
sv_route_table_record (SvRouteTable *table, const SvGuid *muid, guint8 type, guint64 conn,
                       guint8 ttl, gboolean accept_higher_ttl, gint64 now_us)
{
  guint8 key[SV_GUID_LEN];
  guint32 seq, found;
  RouteRecord *r;

  sv_route_table_expire (table, now_us);
  route_key_make (table, muid, key);
  index_find (table, key, type, &seq);
  if (seq != SLOT_EMPTY)
    {
      r = record_at (table, seq);
      if (!route_is_expired (table, r, now_us))
        {
          if (accept_higher_ttl && r->conn == conn && ttl > r->max_ttl)
            {
              r->max_ttl = ttl;
              return SV_ROUTE_SEEN_RESENT;
            }
          count_duplicate (table, conn);
          return SV_ROUTE_SEEN_DUPLICATE;
        }
      route_remove (table, r);
    }

  /* Removed records stay in the ring until the head passes them; should the clock step back,
   * they could pile up behind a live head, so the ring is bounded too. */
  while (table->live >= table->max_entries
         || table->tail - table->head >= 2 * (guint32) table->max_entries)
    drop_head (table, now_us, TRUE);
  if (table->live + 1 > table->n_slots / 2)
    index_resize (table, table->n_slots * 2);

  seq = ring_push (table);
  r = record_at (table, seq);
  memcpy (r->muid, key, SV_GUID_LEN);
  r->type = type;
  r->max_ttl = ttl;
  r->live = TRUE;
  r->conn = conn;
  r->recorded_us = now_us;
  table->slots[index_find (table, key, type, &found)] = seq;
  table->live++;
  return SV_ROUTE_SEEN_NEW;
}

gboolean
sv_route_table_lookup (SvRouteTable *table, const SvGuid *muid, guint8 type, gint64 now_us,
                       guint64 *conn_out)
{
  guint8 key[SV_GUID_LEN];
  guint32 seq;
  const RouteRecord *r;

  route_key_make (table, muid, key);
  index_find (table, key, type, &seq);
  if (seq == SLOT_EMPTY)
    return FALSE;
  r = record_at (table, seq);
  if (route_is_expired (table, r, now_us))
    return FALSE;
  if (conn_out != NULL)
    *conn_out = r->conn;
  return TRUE;
}

guint
sv_route_table_size (const SvRouteTable *table)
{
  return table->live;
}

guint
sv_route_table_capacity (const SvRouteTable *table)
{
  return table->max_entries;
}

guint64
sv_route_table_duplicates (const SvRouteTable *table, guint64 conn)
{
  const guint64 *count = g_hash_table_lookup (table->dups, &conn);

  return count != NULL ? *count : 0;
}

void
sv_route_table_forget_connection (SvRouteTable *table, guint64 conn)
{
  g_hash_table_remove (table->dups, &conn);
}

guint
sv_route_table_counter_count (const SvRouteTable *table)
{
  return g_hash_table_size (table->dups);
}
