/* servent-qrp.c: Query Routing tables on the servent's links.
 *
 * Out: a leaf sends its table (our files, from SvShareQrp snapshots) to each ultrapeer that
 * negotiated X-Query-Routing; an ultrapeer sends its last-hop table (our files merged with every
 * leaf's table) to each ultrapeer that announced X-Ultrapeer-Query-Routing. The first table on a
 * link is RESET + compressed 4-bit PATCH messages; later ones are PATCH sequences against what
 * the link already has. Tables are checked for changes on link setup and then at most every
 * qrp_update_ms.
 * In: each link keeps a receiver; a completed table is handed to the router as the link's
 * SvRouterPeer.qrp (a leaf's table, or an ultrapeer's last-hop table). A broken sequence ends
 * the link with Bye 413. */
#include "config.h"

#include "servent-private.h"

#include <string.h>

#include "msg-qrp.h"

#define BYE_QRP_BAD 413

/* A new ultrapeer link gets our table at once. A new leaf gets none (tables flow towards
 * ultrapeers); its own table, when it comes, reaches the last-hop table at the next periodic
 * update, so that thousands of leaves arriving cost one rebuild per interval, not one each. */
static void
on_link_up (SvLink *link, gpointer user_data)
{
  if (link->ultrapeer)
    sv_servent_qrp_update (user_data, g_get_monotonic_time (), TRUE);
}

/* A leaf's table leaving changes the last-hop table. */
static void
on_link_closed (SvLink *link, gpointer user_data)
{
  SvServent *sv = user_data;

  if (link->established && !link->ultrapeer && sv_link_set_qrp (link) != NULL)
    sv->lasthop_dirty = TRUE;
}

void
sv_servent_qrp_init (SvServent *sv)
{
  static const SvLinkListener listener = { on_link_up, on_link_closed };

  sv->our_table = sv_qrp_table_new (SV_SERVENT_QRP_SLOTS, SV_SERVENT_QRP_INFINITY);
  sv->lasthop_dirty = TRUE;
  sv_link_set_listen (sv->link_set, &listener, sv);
}

void
sv_servent_qrp_clear (SvServent *sv)
{
  g_clear_pointer (&sv->our_table, sv_qrp_table_free);
  g_clear_pointer (&sv->answer_table, sv_qrp_table_free);
  g_clear_pointer (&sv->lasthop_table, sv_qrp_table_free);
}


/* The table @link should have from us, or NULL when it gets none. */
static const SvQrpTable *
table_for (SvServent *sv, const SvLink *link)
{
  if (!link->established || !link->ultrapeer)
    return NULL;
  if (sv->role == SV_CONN_ROLE_LEAF)
    return link->qrp_version != 0 ? sv->our_table : NULL;
  return link->up_query_routing ? sv->lasthop_table : NULL;
}

static void
rebuild_lasthop (SvServent *sv)
{
  SvLink *const *links;
  guint n_links;

  g_clear_pointer (&sv->lasthop_table, sv_qrp_table_free);
  sv->lasthop_table = sv_qrp_table_copy (sv->our_table);
  links = sv_link_set_up (sv->link_set, &n_links);
  for (guint i = 0; i < n_links; i++)
    {
      SvLink *l = links[i];
      const SvQrpTable *t = sv_link_set_qrp (l);

      if (!l->ultrapeer && t != NULL)
        sv_qrp_table_merge (sv->lasthop_table, t);
    }
  sv->lasthop_dirty = FALSE;
}

static void
send_table (SvServent *sv, SvLink *link, const SvQrpTable *table)
{
  g_autoptr (GPtrArray) patches = NULL;
  SvMsgHeader h = { 0 };
  const SvQrpTable *old = link->qrp_sent;
  char a[SV_HOST_ADDR_STRLEN];

  if (old != NULL && sv_qrp_table_slots (old) != sv_qrp_table_slots (table))
    old = NULL;
  h.type = SV_MSG_QRP;
  h.ttl = 1;
  h.hops = 0;
  if (old == NULL)
    {
      g_autoptr (GBytes) reset = sv_qrp_patch_build_reset (table);

      sv_guid_new_message (&h.guid, sv->rand, 0);
      sv_link_set_send (sv->link_set, link, &h, g_bytes_get_data (reset, NULL),
                        g_bytes_get_size (reset), SV_SEND_CONTROL);
    }
  patches = sv_qrp_patch_build (old, table, 4, SV_MSG_QRP_COMPRESSOR_ZLIB, 0);
  if (patches == NULL)
    return;
  for (guint i = 0; i < patches->len; i++)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (patches->pdata[i], &len);

      sv_guid_new_message (&h.guid, sv->rand, 0);
      sv_link_set_send (sv->link_set, link, &h, p, len, SV_SEND_CONTROL);
    }
  g_clear_pointer (&link->qrp_sent, sv_qrp_table_free);
  link->qrp_sent = sv_qrp_table_copy (table);
  sv->counters.qrp_tables_sent++;
  g_debug ("QRP table (%u of %u slots) sent to %s in %u patch(es)%s", sv_qrp_table_count (table),
           sv_qrp_table_slots (table), sv_host_addr_format (&link->remote, TRUE, a), patches->len,
           old == NULL ? " after a reset" : "");
}

void
sv_servent_qrp_update (SvServent *sv, gint64 now_us, gboolean force)
{
  SvLink *const *links;
  guint n_links;

  if (sv->freeing)
    return;
  if (!force && now_us - sv->qrp_checked_us < sv->qrp_update_us)
    return;
  sv->qrp_checked_us = now_us;
  if (sv_share_qrp_dirty (sv->share_qrp))
    {
      g_clear_pointer (&sv->our_table, sv_qrp_table_free);
      sv->our_table = sv_share_qrp_snapshot (sv->share_qrp, NULL);
      sv->lasthop_dirty = TRUE;
    }
  if (sv->role == SV_CONN_ROLE_ULTRAPEER && (sv->lasthop_dirty || sv->lasthop_table == NULL))
    rebuild_lasthop (sv);

  links = sv_link_set_up (sv->link_set, &n_links);
  for (guint i = 0; i < n_links; i++)
    {
      SvLink *l = links[i];
      const SvQrpTable *t = table_for (sv, l);

      if (t == NULL)
        continue;
      if (l->qrp_sent != NULL && sv_qrp_table_equal (l->qrp_sent, t))
        continue;
      send_table (sv, l, t);
    }
}

void
sv_servent_qrp_receive (SvServent *sv, SvLink *link, const guint8 *payload, gsize len)
{
  gboolean done = FALSE;
  const SvQrpTable *before;
  SvStatus st;
  char a[SV_HOST_ADDR_STRLEN];

  /* Tables flow from leaves to ultrapeers and between ultrapeers; a leaf needs none. */
  if (sv->role == SV_CONN_ROLE_LEAF)
    return;
  if (link->qrp_rx == NULL)
    link->qrp_rx = sv_qrp_receiver_new (link->ultrapeer ? SV_QRP_MAX_UP_TABLE_SLOTS
                                                        : SV_QRP_MAX_TABLE_SLOTS);
  before = sv_link_set_qrp (link);
  st = sv_qrp_receiver_handle_payload (link->qrp_rx, payload, len, &done);
  /* A RESET drops the table, a last PATCH completes one (perhaps where the old one was freed):
   * the router's view follows either; the PATCH messages between change nothing it sees. */
  if (done || sv_link_set_qrp (link) != before)
    sv_link_set_qrp_changed (sv->link_set, link);
  if (st != SV_STATUS_OK)
    {
      g_info ("bad QRP data from %s: %s", sv_host_addr_format (&link->remote, TRUE, a),
              sv_status_name (st));
      sv_link_set_kick (sv->link_set, link, BYE_QRP_BAD, "Bad QRP Patch");
      return;
    }
  if (!done)
    return;
  sv->counters.qrp_tables_received++;
  {
    const SvQrpTable *t = sv_qrp_receiver_table (link->qrp_rx);

    g_debug ("QRP table from %s %s: %u of %u slots", link->ultrapeer ? "ultrapeer" : "leaf",
             sv_host_addr_format (&link->remote, TRUE, a), t ? sv_qrp_table_count (t) : 0,
             t ? sv_qrp_table_slots (t) : 0);
  }
  if (!link->ultrapeer)
    sv->lasthop_dirty = TRUE;
}
