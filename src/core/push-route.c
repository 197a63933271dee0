/* push-route.c: servent GUID -> connection routes, refreshed on each hit, capped and expiring. */
#include "push-route.h"

typedef struct {
  SvGuid servent;            /* first member: the hash table's key points here */
  guint64 conn;
  gint64 refreshed_us;
  GList link;                /* in the recency queue, least recent first */
} PushEntry;

struct _SvPushRoute {
  GHashTable *map;           /* SvGuid* -> PushEntry* (owns the entries) */
  GQueue recency;
  guint max_entries;
  gint64 lifetime_us;
};

SvPushRoute *
sv_push_route_new (guint max_entries, gint64 lifetime_us)
{
  SvPushRoute *routes = g_new0 (SvPushRoute, 1);

  routes->map = g_hash_table_new_full (sv_guid_hash, sv_guid_key_equal, NULL, g_free);
  g_queue_init (&routes->recency);
  routes->max_entries = MAX (max_entries, 1);
  routes->lifetime_us = MAX (lifetime_us, 1);
  return routes;
}

void
sv_push_route_free (SvPushRoute *routes)
{
  if (routes == NULL)
    return;
  g_hash_table_destroy (routes->map);
  g_free (routes);
}

static void
push_remove (SvPushRoute *routes, PushEntry *e)
{
  g_queue_unlink (&routes->recency, &e->link);
  g_hash_table_remove (routes->map, &e->servent);   /* frees @e */
}

static gboolean
push_is_expired (const SvPushRoute *routes, const PushEntry *e, gint64 now_us)
{
  return now_us > e->refreshed_us && now_us - e->refreshed_us >= routes->lifetime_us;
}

void
sv_push_route_expire (SvPushRoute *routes, gint64 now_us)
{
  GList *head;

  while ((head = routes->recency.head) != NULL && push_is_expired (routes, head->data, now_us))
    push_remove (routes, head->data);
}

void
sv_push_route_learn (SvPushRoute *routes, const SvGuid *servent, guint64 conn, gint64 now_us)
{
  PushEntry *e;

  sv_push_route_expire (routes, now_us);
  e = g_hash_table_lookup (routes->map, servent);
  if (e != NULL)
    {
      g_queue_unlink (&routes->recency, &e->link);
    }
  else
    {
      while (g_hash_table_size (routes->map) >= routes->max_entries)
        push_remove (routes, routes->recency.head->data);
      e = g_new0 (PushEntry, 1);
      e->servent = *servent;
      e->link.data = e;
      g_hash_table_insert (routes->map, &e->servent, e);
    }
  e->conn = conn;
  e->refreshed_us = now_us;
  e->link.prev = e->link.next = NULL;
  g_queue_push_tail_link (&routes->recency, &e->link);
}

gboolean
sv_push_route_lookup (SvPushRoute *routes, const SvGuid *servent, gint64 now_us,
                      guint64 *conn_out)
{
  PushEntry *e = g_hash_table_lookup (routes->map, servent);

  if (e == NULL || push_is_expired (routes, e, now_us))
    return FALSE;
  if (conn_out != NULL)
    *conn_out = e->conn;
  return TRUE;
}

void
sv_push_route_forget_connection (SvPushRoute *routes, guint64 conn)
{
  GList *l = routes->recency.head;

  while (l != NULL)
    {
      GList *next = l->next;
      PushEntry *e = l->data;

      if (e->conn == conn)
        push_remove (routes, e);
      l = next;
    }
}

guint
sv_push_route_size (const SvPushRoute *routes)
{
  return g_hash_table_size (routes->map);
}
