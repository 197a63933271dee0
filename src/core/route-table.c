/* route-table.c: (MUID, type) routes with duplicate counting, a size cap and a lifetime. */
#include "route-table.h"

#include <string.h>

#include "msg-header.h"

typedef struct {
  guint8 b[SV_GUID_LEN];     /* the MUID, XOR-ed with the table's salt */
  guint8 type;
} RouteKey;

typedef struct {
  RouteKey key;              /* first member: the hash table's key points here */
  guint64 conn;
  gint64 recorded_us;
  guint8 max_ttl;            /* highest TTL seen for this key */
  GList link;                /* in the age queue; data points back to this entry */
} RouteEntry;

struct _SvRouteTable {
  GHashTable *routes;        /* RouteKey* -> RouteEntry* (owns the entries) */
  GQueue age;                /* oldest first */
  GHashTable *dups;          /* guint64* conn -> guint64* count */
  guint max_entries;
  gint64 lifetime_us;
  guint8 salt[SV_GUID_LEN];
};

static guint
route_key_hash (gconstpointer p)
{
  const RouteKey *k = p;
  guint64 a, b;

  memcpy (&a, k->b, 8);
  memcpy (&b, k->b + 8, 8);
  a = (a ^ k->type) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  b = b * G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F);
  a ^= b ^ (a >> 29);
  return (guint) (a ^ (a >> 32));
}

static gboolean
route_key_equal (gconstpointer pa, gconstpointer pb)
{
  const RouteKey *a = pa, *b = pb;

  return a->type == b->type && memcmp (a->b, b->b, SV_GUID_LEN) == 0;
}

static void
route_key_make (const SvRouteTable *table, const SvGuid *muid, guint8 type, RouteKey *out)
{
  for (int i = 0; i < SV_GUID_LEN; i++)
    out->b[i] = muid->b[i] ^ table->salt[i];
  out->type = type;
}

SvRouteTable *
sv_route_table_new (guint max_entries, gint64 lifetime_us, GRand *rand)
{
  SvRouteTable *table = g_new0 (SvRouteTable, 1);

  table->routes = g_hash_table_new_full (route_key_hash, route_key_equal, NULL, g_free);
  g_queue_init (&table->age);
  table->dups = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  table->max_entries = MAX (max_entries, 1);
  table->lifetime_us = MAX (lifetime_us, 1);
  if (rand != NULL)
    for (int i = 0; i < SV_GUID_LEN; i++)
      table->salt[i] = (guint8) g_rand_int_range (rand, 0, 256);
  return table;
}

void
sv_route_table_free (SvRouteTable *table)
{
  if (table == NULL)
    return;
  g_hash_table_destroy (table->routes);
  g_hash_table_destroy (table->dups);
  g_free (table);
}

static void
route_remove (SvRouteTable *table, RouteEntry *e)
{
  g_queue_unlink (&table->age, &e->link);
  g_hash_table_remove (table->routes, &e->key);     /* frees @e */
}

static gboolean
route_is_expired (const SvRouteTable *table, const RouteEntry *e, gint64 now_us)
{
  /* A time earlier than the recording (a clock stepped back) does not expire anything. */
  return now_us > e->recorded_us && now_us - e->recorded_us >= table->lifetime_us;
}

void
sv_route_table_expire (SvRouteTable *table, gint64 now_us)
{
  GList *head;

  while ((head = table->age.head) != NULL && route_is_expired (table, head->data, now_us))
    route_remove (table, head->data);
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
  RouteKey key;
  RouteEntry *e;

  sv_route_table_expire (table, now_us);
  route_key_make (table, muid, type, &key);
  e = g_hash_table_lookup (table->routes, &key);
  if (e != NULL && !route_is_expired (table, e, now_us))
    {
      if (accept_higher_ttl && e->conn == conn && ttl > e->max_ttl)
        {
          e->max_ttl = ttl;
          return SV_ROUTE_SEEN_RESENT;
        }
      count_duplicate (table, conn);
      return SV_ROUTE_SEEN_DUPLICATE;
    }
  if (e != NULL)
    route_remove (table, e);

  while (g_hash_table_size (table->routes) >= table->max_entries)
    route_remove (table, table->age.head->data);

  e = g_new (RouteEntry, 1);
  e->key = key;
  e->conn = conn;
  e->recorded_us = now_us;
  e->max_ttl = ttl;
  e->link.data = e;
  e->link.prev = e->link.next = NULL;
  g_queue_push_tail_link (&table->age, &e->link);
  g_hash_table_insert (table->routes, &e->key, e);
  return SV_ROUTE_SEEN_NEW;
}

gboolean
sv_route_table_lookup (SvRouteTable *table, const SvGuid *muid, guint8 type, gint64 now_us,
                       guint64 *conn_out)
{
  RouteKey key;
  RouteEntry *e;

  route_key_make (table, muid, type, &key);
  e = g_hash_table_lookup (table->routes, &key);
  if (e == NULL || route_is_expired (table, e, now_us))
    return FALSE;
  if (conn_out != NULL)
    *conn_out = e->conn;
  return TRUE;
}

guint
sv_route_table_size (const SvRouteTable *table)
{
  return g_hash_table_size (table->routes);
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
