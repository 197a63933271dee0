/* link-set.c: the servent's peer links (see link-set.h). */
#include "config.h"

#include "link-set.h"

#include <string.h>

typedef struct {
  SvLinkListener cb;
  gpointer user_data;
} Listener;

struct _SvLinkSet {
  GHashTable *by_id;       /* guint64 id → SvLink (owned) */
  GPtrArray *up;           /* (element-type SvLink) established, in order */
  GArray *router_peers;    /* (element-type SvRouterPeer) parallel to up */
  GArray *listeners;       /* (element-type Listener) */
  guint64 kicked;
};

static void
link_free (SvLink *l)
{
  sv_peer_conn_free (l->conn);
  g_clear_pointer (&l->qrp_rx, sv_qrp_receiver_free);
  g_clear_pointer (&l->qrp_sent, sv_qrp_table_free);
  g_free (l->user_agent);
  g_free (l);
}

SvLinkSet *
sv_link_set_new (void)
{
  SvLinkSet *set = g_new0 (SvLinkSet, 1);

  set->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  set->up = g_ptr_array_new ();
  set->router_peers = g_array_new (FALSE, FALSE, sizeof (SvRouterPeer));
  set->listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
  return set;
}

void
sv_link_set_free (SvLinkSet *set)
{
  GHashTableIter it;
  gpointer value;

  if (set == NULL)
    return;
  g_hash_table_iter_init (&it, set->by_id);
  while (g_hash_table_iter_next (&it, NULL, &value))
    link_free (value);
  g_hash_table_unref (set->by_id);
  g_ptr_array_unref (set->up);
  g_array_unref (set->router_peers);
  g_array_unref (set->listeners);
  g_free (set);
}

void
sv_link_set_listen (SvLinkSet *set, const SvLinkListener *listener, gpointer user_data)
{
  Listener l = { *listener, user_data };

  g_array_append_val (set->listeners, l);
}

static void
router_peer (const SvLink *l, SvRouterPeer *p)
{
  memset (p, 0, sizeof *p);
  p->id = l->id;
  p->role = l->ultrapeer ? SV_ROUTER_ROLE_ULTRAPEER : SV_ROUTER_ROLE_LEAF;
  p->qrp = sv_link_set_qrp (l);
  if (p->qrp != NULL)
    sv_qrp_table_signature (p->qrp, &p->qrp_sig);
  p->hops_flow = SV_ROUTER_HOPS_FLOW_ANY;
  p->ggep = l->ggep;
  p->ext_probes = l->ext_probes;
}

SvLink *
sv_link_set_add (SvLinkSet *set, SvPeerConn *conn, gboolean outgoing)
{
  SvLink *l = g_new0 (SvLink, 1);

  l->conn = conn;
  l->id = sv_peer_conn_id (conn);
  l->outgoing = outgoing;
  l->remote = *sv_peer_conn_remote (conn);
  g_hash_table_insert (set->by_id, &l->id, l);
  return l;
}

SvLink *
sv_link_set_lookup (const SvLinkSet *set, guint64 id)
{
  return g_hash_table_lookup (set->by_id, &id);
}

void
sv_link_set_established (SvLinkSet *set, SvLink *link)
{
  SvRouterPeer p;

  if (link->established)
    return;
  link->established = TRUE;
  g_ptr_array_add (set->up, link);
  router_peer (link, &p);
  g_array_append_val (set->router_peers, p);
  for (guint i = 0; i < set->listeners->len; i++)
    {
      Listener *l = &g_array_index (set->listeners, Listener, i);

      if (l->cb.up != NULL)
        l->cb.up (link, l->user_data);
    }
}

void
sv_link_set_remove (SvLinkSet *set, SvLink *link)
{
  guint i;

  for (guint k = 0; k < set->listeners->len; k++)
    {
      Listener *l = &g_array_index (set->listeners, Listener, k);

      if (l->cb.closed != NULL)
        l->cb.closed (link, l->user_data);
    }
  if (g_ptr_array_find (set->up, link, &i))
    {
      g_ptr_array_remove_index (set->up, i);
      g_array_remove_index (set->router_peers, i);
    }
  g_hash_table_remove (set->by_id, &link->id);
  link_free (link);
}

SvLink *const *
sv_link_set_up (const SvLinkSet *set, guint *n_out)
{
  *n_out = set->up->len;
  return (SvLink *const *) set->up->pdata;
}

GPtrArray *
sv_link_set_all (const SvLinkSet *set)
{
  GPtrArray *all = g_ptr_array_sized_new (g_hash_table_size (set->by_id));
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, set->by_id);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (all, value);
  return all;
}

guint
sv_link_set_size (const SvLinkSet *set)
{
  return g_hash_table_size (set->by_id);
}

void
sv_link_set_counts (const SvLinkSet *set, SvConnCounts *out)
{
  GHashTableIter it;
  gpointer value;

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < set->up->len; i++)
    {
      const SvLink *l = set->up->pdata[i];

      if (l->ultrapeer)
        out->ultrapeers++;
      else
        out->leaves++;
    }
  g_hash_table_iter_init (&it, set->by_id);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const SvLink *l = value;

      if (!l->established && l->outgoing)
        out->connecting++;
    }
}

const GArray *
sv_link_set_router_peers (const SvLinkSet *set)
{
  return set->router_peers;
}

const SvQrpTable *
sv_link_set_qrp (const SvLink *link)
{
  return link->qrp_rx != NULL ? sv_qrp_receiver_table (link->qrp_rx) : NULL;
}

void
sv_link_set_qrp_changed (SvLinkSet *set, SvLink *link)
{
  guint i;

  if (g_ptr_array_find (set->up, link, &i))
    {
      SvRouterPeer *p = &g_array_index (set->router_peers, SvRouterPeer, i);
      const SvQrpTable *t = sv_link_set_qrp (link);

      /* Always afresh: a new table may sit where the old one was freed. */
      p->qrp = t;
      memset (&p->qrp_sig, 0, sizeof p->qrp_sig);
      if (t != NULL)
        sv_qrp_table_signature (t, &p->qrp_sig);
    }
}

gboolean
sv_link_set_send_bytes (SvLinkSet *set, SvLink *link, GBytes *msg, guint8 hops, SvSendClass klass)
{
  if (!link->established)
    return TRUE;
  if (sv_peer_conn_send (link->conn, msg, klass, hops) == SV_SEND_KICK)
    {
      char a[SV_HOST_ADDR_STRLEN];

      g_info ("peer %s cannot keep up: Bye 502", sv_host_addr_format (&link->remote, TRUE, a));
      set->kicked++;
      return FALSE;
    }
  return TRUE;
}

gboolean
sv_link_set_send (SvLinkSet *set, SvLink *link, const SvMsgHeader *hdr, const guint8 *payload,
                  gsize len, SvSendClass klass)
{
  g_autoptr (GBytes) msg = NULL;

  if (!link->established)
    return TRUE;
  msg = sv_msg_encode (hdr, payload, len);
  return sv_link_set_send_bytes (set, link, msg, hdr->hops, klass);
}

void
sv_link_set_kick (SvLinkSet *set, SvLink *link, guint16 code, const char *reason)
{
  char a[SV_HOST_ADDR_STRLEN];

  g_info ("closing %s: Bye %u %s", sv_host_addr_format (&link->remote, TRUE, a), code, reason);
  set->kicked++;
  sv_peer_conn_bye (link->conn, code, reason);
}

guint64
sv_link_set_kicked (const SvLinkSet *set)
{
  return set->kicked;
}

void
sv_link_set_count_kick (SvLinkSet *set)
{
  set->kicked++;
}
