/* servent-search.c: searches on the servent: our own (started from the control API), sent as one
 * flood with the TTL asked for, as a leaf to every ultrapeer, or as an ultrapeer through a dynamic
 * query (dyn-query.h); the dynamic queries an ultrapeer runs for its leaves; the hits collected
 * per search and the subscribers that see them as they arrive. */
#include "config.h"

#include "servent-private.h"

#include <string.h>

#include "msg-query.h"
#include "msg-queryhit.h"
#include "keyword.h"
#include "share-match.h"

#define MAX_LEAF_QUERIES 512

typedef struct {
  guint id;
  guint64 search_id;
  SvSearchHitFunc func;
  gpointer data;
  GDestroyNotify destroy;
} Subscription;

struct _SvSearch {
  guint64 id;
  char *words;
  SvGuid muid;
  gboolean active;
  gint64 started_us;
  guint max_results;
  GArray *hits;                  /* (element-type SvSearchHit) */
  SvDynQuery *dq;                /* (nullable) ultrapeer, TTL 0 */
  GBytes *payload;               /* the Query payload */
  SvQueryView *view;             /* what it asks for (owned) */
  guint8 flood_ttl;              /* flooded with this TTL (0: dynamic query) */
  gboolean unsent;               /* no link took it yet: send on the first ultrapeer link */
  gboolean background;           /* the daemon's own (SvSearchOptions.background) */
};

#define UNSENT_GRACE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

static void send_one (SvServent *sv, SvSearch *s, SvLink *l, guint8 ttl);
static void on_link_up (SvLink *link, gpointer user_data);
static void on_link_closed (SvLink *link, gpointer user_data);

struct _SvLeafQuery {
  SvGuid muid;
  guint64 leaf;                  /* the link it came from */
  guint8 hops;                   /* hops to send it with */
  SvDynQuery *dq;
  GBytes *payload;
  SvQueryView *view;             /* what it asks for (owned) */
};

void
sv_search_hit_clear (SvSearchHit *hit)
{
  g_clear_pointer (&hit->name, g_free);
}

static void
search_free (SvSearch *s)
{
  g_clear_pointer (&s->dq, sv_dyn_query_free);
  g_clear_pointer (&s->hits, g_array_unref);
  g_clear_pointer (&s->payload, g_bytes_unref);
  g_clear_pointer (&s->view, sv_query_view_free);
  g_free (s->words);
  g_free (s);
}

static void
leaf_query_free (SvLeafQuery *lq)
{
  sv_dyn_query_free (lq->dq);
  g_bytes_unref (lq->payload);
  sv_query_view_free (lq->view);
  g_free (lq);
}

static void
subscription_free (Subscription *sub)
{
  if (sub->destroy != NULL)
    sub->destroy (sub->data);
  g_free (sub);
}

void
sv_servent_search_init (SvServent *sv)
{
  sv->searches = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                        (GDestroyNotify) search_free);
  sv->search_by_muid = g_hash_table_new (sv_guid_hash, sv_guid_key_equal);
  sv->subscriptions = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                             (GDestroyNotify) subscription_free);
  sv->leaf_queries = g_hash_table_new_full (sv_guid_hash, sv_guid_key_equal, NULL,
                                            (GDestroyNotify) leaf_query_free);
  sv->next_search_id = 1;
  sv->next_subscription = 1;
  {
    static const SvLinkListener listener = { on_link_up, on_link_closed };

    sv_link_set_listen (sv->link_set, &listener, sv);
  }
}

/* Calls every subscriber of @s with @hit (NULL: the end, then the subscriptions go). */
static void
notify (SvServent *sv, guint64 search_id, const SvSearchHit *hit)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, sv->subscriptions);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (((Subscription *) value)->search_id == search_id)
      {
        guint id = GPOINTER_TO_UINT (key);
        g_array_append_val (ids, id);
      }
  for (guint i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      Subscription *sub = g_hash_table_lookup (sv->subscriptions, GUINT_TO_POINTER (id));

      if (sub == NULL)
        continue;   /* a callback unsubscribed it */
      sub->func (hit, sub->data);
      if (hit == NULL)
        g_hash_table_remove (sv->subscriptions, GUINT_TO_POINTER (id));
    }
}

static void
search_end (SvServent *sv, SvSearch *s)
{
  if (!s->active)
    return;
  s->active = FALSE;
  g_clear_pointer (&s->dq, sv_dyn_query_free);
  g_debug ("search %" G_GUINT64_FORMAT " \"%s\" ended with %u hit(s)", s->id, s->words,
           s->hits->len);
  notify (sv, s->id, NULL);
}

void
sv_servent_search_clear (SvServent *sv)
{
  GHashTableIter it;
  gpointer value;

  if (sv->searches == NULL)
    return;
  g_hash_table_iter_init (&it, sv->searches);
  while (g_hash_table_iter_next (&it, NULL, &value))
    search_end (sv, value);
  g_clear_pointer (&sv->subscriptions, g_hash_table_unref);
  g_clear_pointer (&sv->search_by_muid, g_hash_table_unref);
  g_clear_pointer (&sv->searches, g_hash_table_unref);
  g_clear_pointer (&sv->leaf_queries, g_hash_table_unref);
}

guint
sv_servent_search_active_count (SvServent *sv)
{
  GHashTableIter it;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&it, sv->searches);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (((SvSearch *) value)->active)
      n++;
  return n;
}

/* --- Dynamic queries --- */

static void
dq_add_link (SvDynQuery *dq, SvLink *l, const SvQrpQuery *qq)
{
  SvDynQueryPeer p = { 0 };
  const SvQrpTable *t = sv_link_set_qrp (l);

  p.id = l->id;
  p.degree = l->degree;
  p.max_ttl = (guint8) MIN (l->max_ttl, SV_MSG_MAX_TTL);
  p.last_hop_match = t != NULL && qq != NULL && sv_qrp_table_matches (t, qq);
  p.ext_probes = l->ext_probes;
  sv_dyn_query_add_peer (dq, &p);
}

static void
dq_add_all (SvServent *sv, SvDynQuery *dq, const SvQrpQuery *qq)
{
  SvLink *const *links;
  guint n_links;

  links = sv_link_set_up (sv->link_set, &n_links);
  for (guint i = 0; i < n_links; i++)
    {
      SvLink *l = links[i];

      if (l->ultrapeer)
        dq_add_link (dq, l, qq);
    }
}

/* Runs @dq's steps due at @now. Returns: FALSE when it is done. */
static gboolean
dq_run (SvServent *sv, SvDynQuery *dq, const SvGuid *muid, guint8 hops, GBytes *payload,
        gint64 now)
{
  SvDynQueryStep step;

  for (guint guard = 0; guard < 64; guard++)
    {
      switch (sv_dyn_query_next (dq, now, &step))
        {
        case SV_DYN_QUERY_SEND:
          {
            SvLink *l = sv_link_set_lookup (sv->link_set, step.conn);
            SvMsgHeader h = { 0 };

            if (l == NULL)
              {
                sv_dyn_query_remove_peer (dq, step.conn);
                continue;
              }
            h.guid = *muid;
            h.type = SV_MSG_QUERY;
            h.ttl = step.ttl;
            h.hops = hops;
            sv_link_set_send (sv->link_set, l, &h, g_bytes_get_data (payload, NULL),
                                  g_bytes_get_size (payload), SV_SEND_QUERY);
            sv->counters.queries_forwarded++;
            g_debug ("dynamic query: TTL %u to link %" G_GUINT64_FORMAT, step.ttl, step.conn);
          }
          continue;
        case SV_DYN_QUERY_WAIT:
          return TRUE;
        case SV_DYN_QUERY_DONE:
          return FALSE;
        }
    }
  return TRUE;
}

void
sv_servent_search_tick (SvServent *sv, gint64 now_us)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, sv->searches);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      SvSearch *s = value;

      if (s->dq != NULL && !dq_run (sv, s->dq, &s->muid, 0, s->payload, now_us))
        {
          g_debug ("dynamic query of search %" G_GUINT64_FORMAT " done: %u results, ~%"
                   G_GUINT64_FORMAT " ultrapeers", s->id, sv_dyn_query_results (s->dq),
                   sv_dyn_query_hosts_queried (s->dq));
          g_clear_pointer (&s->dq, sv_dyn_query_free);
        }
    }
  g_hash_table_iter_init (&it, sv->leaf_queries);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      SvLeafQuery *lq = value;

      if (!dq_run (sv, lq->dq, &lq->muid, lq->hops, lq->payload, now_us))
        g_hash_table_iter_remove (&it);
    }
}

void
sv_servent_search_leaf_query (SvServent *sv, SvLink *link, const SvMsgHeader *hdr,
                              const guint8 *payload, SvQueryView *view)
{
  g_autoptr (SvQueryView) owned = view;
  SvLeafQuery *lq;

  if (g_hash_table_contains (sv->leaf_queries, &hdr->guid))
    return;
  if (g_hash_table_size (sv->leaf_queries) >= MAX_LEAF_QUERIES)
    {
      g_debug ("too many leaf queries in progress: one dropped");
      return;
    }
  lq = g_new0 (SvLeafQuery, 1);
  lq->muid = hdr->guid;
  lq->leaf = link->id;
  lq->hops = (guint8) MIN (hdr->hops + 1, G_MAXUINT8 - 1);
  lq->dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_LEAF, g_get_monotonic_time (), sv->rand);
  lq->payload = g_bytes_new (payload, hdr->length);
  lq->view = g_steal_pointer (&owned);   /* kept for links that come up later (last hop) */
  dq_add_all (sv, lq->dq, lq->view->qrp);
  g_hash_table_insert (sv->leaf_queries, &lq->muid, lq);
  if (!dq_run (sv, lq->dq, &lq->muid, lq->hops, lq->payload, g_get_monotonic_time ()))
    g_hash_table_remove (sv->leaf_queries, &hdr->guid);
}

static void
on_link_up (SvLink *link, gpointer user_data)
{
  SvServent *sv = user_data;
  GHashTableIter it;
  gpointer value;

  if (!link->ultrapeer)
    return;
  g_hash_table_iter_init (&it, sv->searches);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      SvSearch *s = value;

      if (s->dq != NULL)
        dq_add_link (s->dq, link, s->view->qrp);
      /* A search started before any link was up goes to the first ultrapeer that comes. */
      if (s->active && s->unsent && s->flood_ttl != 0
          && g_get_monotonic_time () - s->started_us < UNSENT_GRACE_US)
        {
          send_one (sv, s, link, s->flood_ttl);
          s->unsent = FALSE;
        }
    }
  g_hash_table_iter_init (&it, sv->leaf_queries);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      SvLeafQuery *lq = value;
      dq_add_link (lq->dq, link, lq->view->qrp);
    }
}

static void
on_link_closed (SvLink *link, gpointer user_data)
{
  SvServent *sv = user_data;
  GHashTableIter it;
  gpointer value;

  if (!link->established)
    return;
  g_hash_table_iter_init (&it, sv->searches);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      SvSearch *s = value;
      if (s->dq != NULL)
        sv_dyn_query_remove_peer (s->dq, link->id);
    }
  g_hash_table_iter_init (&it, sv->leaf_queries);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      SvLeafQuery *lq = value;

      if (lq->leaf == link->id)
        g_hash_table_iter_remove (&it);   /* the leaf went away: stop */
      else
        sv_dyn_query_remove_peer (lq->dq, link->id);
    }
}

/* --- Hits --- */

void
sv_servent_search_routed_hit (SvServent *sv, const SvMsgHeader *hdr, const SvQueryHit *hit)
{
  SvLeafQuery *lq = g_hash_table_lookup (sv->leaf_queries, &hdr->guid);

  if (lq != NULL)
    sv_dyn_query_add_results (lq->dq, hit->results->len);
}

static void
hit_from_result (SvSearchHit *out, guint64 search_id, const SvMsgHeader *hdr,
                 const SvQueryHit *hit, const SvQueryHitResult *r, gboolean lan)
{
  memset (out, 0, sizeof *out);
  out->search_id = search_id;
  out->name = g_utf8_make_valid (r->name, (gssize) r->name_len);
  out->size = r->size;
  out->has_sha1 = r->has_sha1;
  if (r->has_sha1)
    out->sha1 = r->sha1;
  sv_host_addr_set_ipv4 (&out->addr, hit->ip, hit->port);
  if (hit->trailer != NULL && hit->trailer->has_ipv6)
    {
      sv_host_addr_set_ipv6 (&out->addr6, hit->trailer->ipv6, hit->port);
      if (!sv_host_addr_is_connectable (&out->addr6, lan))
        memset (&out->addr6, 0, sizeof out->addr6);
    }
  out->firewalled = hit->trailer != NULL && sv_qhit_trailer_firewalled (hit->trailer);
  out->servent = hit->servent;
  if (hit->trailer != NULL)
    {
      gboolean printable = TRUE;

      for (guint i = 0; i < SV_QHIT_VENDOR_LEN; i++)
        if (!g_ascii_isalnum (hit->trailer->vendor[i]))
          printable = FALSE;
      if (printable)
        memcpy (out->vendor, hit->trailer->vendor, SV_QHIT_VENDOR_LEN);
    }
  out->index = r->index;
  for (guint i = 0; hit->trailer != NULL && i < hit->trailer->n_push_proxies
                    && out->n_push_proxies < G_N_ELEMENTS (out->push_proxies); i++)
    sv_host_addr_set_ipv4 (&out->push_proxies[out->n_push_proxies++], hit->trailer->push_proxies[i].ip,
                           hit->trailer->push_proxies[i].port);
  for (guint i = 0; hit->trailer != NULL && i < hit->trailer->n_push_proxies6
                    && out->n_push_proxies6 < G_N_ELEMENTS (out->push_proxies6); i++)
    {
      SvHostAddr *a = &out->push_proxies6[out->n_push_proxies6];

      sv_host_addr_set_ipv6 (a, hit->trailer->push_proxies6[i].ip, hit->trailer->push_proxies6[i].port);
      if (a->port != 0 && sv_host_addr_is_connectable (a, lan))
        out->n_push_proxies6++;
    }
  /* The distance to the responder, as gtk-gnutella counts it: the wire value counts the relays
   * the hit went through, the last link is one hop more. */
  out->hops = (guint8) MIN (hdr->hops + 1, G_MAXUINT8);
}

void
sv_servent_search_hit (SvServent *sv, const SvMsgHeader *hdr, const SvQueryHit *hit)
{
  SvSearch *s = g_hash_table_lookup (sv->search_by_muid, &hdr->guid);
  guint64 id;

  if (s == NULL || !s->active)
    return;
  id = s->id;
  if (s->dq != NULL)
    sv_dyn_query_add_results (s->dq, hit->results->len);
  for (guint i = 0; i < hit->results->len; i++)
    {
      SvSearchHit h;

      s = g_hash_table_lookup (sv->searches, &id);
      if (s == NULL || !s->active)
        return;   /* a subscriber stopped it */
      hit_from_result (&h, s->id, hdr, hit, g_ptr_array_index (hit->results, i), sv->cfg.lan);
      h.number = s->hits->len + 1;
      if (h.has_sha1 && sv->downloads != NULL)
        {
          SvDownloadSourceInfo src[2];
          guint n = sv_download_sources_from_hit (src, &h);

          for (guint k = 0; k < n; k++)
            sv_downloads_add_source (sv->downloads, &h.sha1, h.size, &src[k]);
        }
      g_array_append_val (s->hits, h);
      notify (sv, id, &h);
      s = g_hash_table_lookup (sv->searches, &id);
      if (s != NULL && s->active && s->hits->len >= s->max_results)
        {
          search_end (sv, s);
          return;
        }
    }
}

/* --- Public API --- */

static void
evict_searches (SvServent *sv)
{
  while (g_hash_table_size (sv->searches) >= SV_SERVENT_MAX_SEARCHES)
    {
      GHashTableIter it;
      gpointer value;
      SvSearch *victim = NULL;

      g_hash_table_iter_init (&it, sv->searches);
      while (g_hash_table_iter_next (&it, NULL, &value))
        {
          SvSearch *s = value;
          if (victim == NULL || (victim->active && !s->active)
              || (victim->active == s->active && s->started_us < victim->started_us))
            victim = s;
        }
      search_end (sv, victim);
      g_hash_table_remove (sv->search_by_muid, &victim->muid);
      g_hash_table_remove (sv->searches, &victim->id);
    }
}

static void
send_one (SvServent *sv, SvSearch *s, SvLink *l, guint8 ttl)
{
  SvMsgHeader h = { 0 };

  h.guid = s->muid;
  h.type = SV_MSG_QUERY;
  h.hops = 0;
  h.ttl = ttl;
  sv_link_set_send (sv->link_set, l, &h, g_bytes_get_data (s->payload, NULL), g_bytes_get_size (s->payload),
                        SV_SEND_QUERY);
  sv->counters.queries_forwarded++;
}

/* Returns: the ultrapeer links it went to. */
static guint
send_to_links (SvServent *sv, SvSearch *s, guint8 ttl, gboolean ultrapeers, gboolean leaves)
{
  SvLink *const *links;
  guint n_links;
  guint n_up = 0;

  links = sv_link_set_up (sv->link_set, &n_links);
  for (guint i = 0; i < n_links; i++)
    {
      SvLink *l = links[i];

      if (l->ultrapeer ? !ultrapeers : !leaves)
        continue;
      if (!l->ultrapeer)
        {
          const SvQrpTable *t = sv_link_set_qrp (l);

          if (t == NULL || !sv_qrp_table_matches (t, s->view->qrp))
            {
              sv->counters.queries_qrp_blocked++;
              continue;
            }
        }
      send_one (sv, s, l, l->ultrapeer ? ttl : 1);
      if (l->ultrapeer)
        n_up++;
    }
  return n_up;
}

guint64
sv_servent_search_start (SvServent *sv, const char *words, const SvSearchOptions *options,
                         SvGuid *muid, GError **error)
{
  SvSearchOptions defaults = { 0 };
  g_auto (GStrv) kw = NULL;
  g_autoptr (SvQuery) q = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SvSha1 sha1;
  gboolean by_sha1;
  SvSearch *s;
  guint16 flags;
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (words != NULL, 0);
  if (options == NULL)
    options = &defaults;
  {
    g_autofree char *trimmed = g_strstrip (g_strdup (words));
    by_sha1 = sv_urn_parse (trimmed, strlen (trimmed), &sha1);
  }
  if (!by_sha1)
    {
      kw = sv_share_match_query_words (words, -1);
      if (kw == NULL || kw[0] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "no searchable word in \"%s\" (words need at least %d characters)", words,
                       SV_KEYWORD_MIN_CHARS);
          return 0;
        }
    }
  evict_searches (sv);

  flags = SV_QUERY_F_MARK | SV_QUERY_F_GGEP_H;
  if (sv_local_addr_firewalled (&sv->local))
    flags |= SV_QUERY_F_FIREWALLED;
  if (by_sha1)
    {
      q = sv_query_new (flags, "\\");
      sv_query_add_sha1 (q, &sha1);
    }
  else
    {
      g_autofree char *criteria = g_strjoinv (" ", kw);

      q = sv_query_new (flags, criteria);
      sv_query_add_text (q, "urn:");
    }
  sv_query_encode (q, out);

  s = g_new0 (SvSearch, 1);
  s->id = sv->next_search_id++;
  s->words = g_strdup (words);
  sv_guid_new_message (&s->muid, sv->rand, 0);
  s->active = TRUE;
  s->background = options->background;
  s->started_us = now;
  s->max_results = options->max_results ? options->max_results : SV_DYN_QUERY_OWN_RESULTS;
  s->hits = g_array_new (FALSE, TRUE, sizeof (SvSearchHit));
  g_array_set_clear_func (s->hits, (GDestroyNotify) sv_search_hit_clear);
  s->payload = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  s->view = sv_query_view_new (q);
  g_hash_table_insert (sv->searches, &s->id, s);
  g_hash_table_insert (sv->search_by_muid, &s->muid, s);
  sv_router_originate (sv->router, &s->muid, SV_MSG_QUERY, now);
  if (muid != NULL)
    *muid = s->muid;

  if (options->ttl != 0 || sv->role == SV_CONN_ROLE_LEAF)
    {
      s->flood_ttl = options->ttl != 0 ? (guint8) MIN (options->ttl, SV_MSG_MAX_TTL)
                                       : SV_SERVENT_LEAF_QUERY_TTL;
      s->unsent = send_to_links (sv, s, s->flood_ttl, TRUE,
                                 sv->role == SV_CONN_ROLE_ULTRAPEER) == 0;
    }
  else
    {
      send_to_links (sv, s, 1, FALSE, TRUE);
      s->dq = sv_dyn_query_new (SV_DYN_QUERY_ORIGIN_OWN, now, sv->rand);
      dq_add_all (sv, s->dq, s->view->qrp);
      if (!dq_run (sv, s->dq, &s->muid, 0, s->payload, now))
        g_clear_pointer (&s->dq, sv_dyn_query_free);
    }
  g_info ("search %" G_GUINT64_FORMAT " \"%s\" started (TTL %u)", s->id, words, options->ttl);
  return s->id;
}

gboolean
sv_servent_search_stop (SvServent *sv, guint64 search_id)
{
  SvSearch *s = g_hash_table_lookup (sv->searches, &search_id);

  if (s == NULL)
    return FALSE;
  search_end (sv, s);
  return TRUE;
}

static SvSearchHit
hit_copy (const SvSearchHit *h)
{
  SvSearchHit c = *h;

  c.name = g_strdup (h->name);
  return c;
}

GArray *
sv_servent_search_hits (SvServent *sv, guint64 search_id)
{
  SvSearch *s = g_hash_table_lookup (sv->searches, &search_id);
  GArray *out;

  if (s == NULL)
    return NULL;
  out = g_array_sized_new (FALSE, TRUE, sizeof (SvSearchHit), s->hits->len);
  g_array_set_clear_func (out, (GDestroyNotify) sv_search_hit_clear);
  for (guint i = 0; i < s->hits->len; i++)
    {
      SvSearchHit c = hit_copy (&g_array_index (s->hits, SvSearchHit, i));
      g_array_append_val (out, c);
    }
  return out;
}

guint
sv_servent_search_subscribe (SvServent *sv, guint64 search_id, SvSearchHitFunc func,
                             gpointer user_data, GDestroyNotify destroy)
{
  SvSearch *s = g_hash_table_lookup (sv->searches, &search_id);
  Subscription *sub;

  if (s == NULL || !s->active || func == NULL)
    return 0;   /* an ended search has no later hit: nothing to follow, nothing called */
  sub = g_new0 (Subscription, 1);
  sub->id = sv->next_subscription++;
  if (sv->next_subscription == 0)
    sv->next_subscription = 1;
  sub->search_id = search_id;
  sub->func = func;
  sub->data = user_data;
  sub->destroy = destroy;
  g_hash_table_insert (sv->subscriptions, GUINT_TO_POINTER (sub->id), sub);
  return sub->id;
}

void
sv_servent_search_unsubscribe (SvServent *sv, guint subscription)
{
  if (sv->subscriptions != NULL)
    g_hash_table_remove (sv->subscriptions, GUINT_TO_POINTER (subscription));
}

static void
search_snapshot_clear (gpointer p)
{
  SvServentSearch *s = p;
  g_free (s->words);
}

GArray *
sv_servent_get_searches (SvServent *sv)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SvServentSearch));
  GHashTableIter it;
  gpointer value;

  g_array_set_clear_func (out, search_snapshot_clear);
  g_hash_table_iter_init (&it, sv->searches);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      SvSearch *s = value;
      SvServentSearch snap = { 0 };

      snap.id = s->id;
      snap.words = g_strdup (s->words);
      snap.muid = s->muid;
      snap.hits = s->hits->len;
      snap.active = s->active;
      snap.started_us = s->started_us;
      g_array_append_val (out, snap);
    }
  return out;
}

guint64
sv_servent_search_latest (SvServent *sv)
{
  GHashTableIter it;
  gpointer value;
  guint64 best = 0;

  g_hash_table_iter_init (&it, sv->searches);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (!((SvSearch *) value)->background)
      best = MAX (best, ((SvSearch *) value)->id);
  return best;
}
