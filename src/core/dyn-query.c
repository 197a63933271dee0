/* dyn-query.c: probe, then one ultrapeer at a time with the smallest useful TTL, until enough. */
#include "dyn-query.h"

#include "msg-header.h"

typedef struct {
  SvDynQueryPeer desc;
  guint8 sent_ttl;             /* highest TTL sent to it so far; 0: not queried */
} DqPeer;

typedef enum {
  DQ_START,                    /* the probe is not chosen yet */
  DQ_PROBING,                  /* probe sends pending in @probe */
  DQ_STEPPING,
  DQ_DONE,
} DqState;

struct _SvDynQuery {
  SvDynQueryOrigin origin;
  DqState state;
  GRand *rand;
  GArray *peers;               /* DqPeer */
  GArray *probe;               /* guint64 ids still to probe */
  guint8 probe_ttl;
  gint64 start_us;
  gint64 wake_us;
  guint results;
  guint64 hosts_queried;
};

SvDynQuery *
sv_dyn_query_new (SvDynQueryOrigin origin, gint64 now_us, GRand *rand)
{
  SvDynQuery *dq = g_new0 (SvDynQuery, 1);

  dq->origin = origin;
  dq->state = DQ_START;
  dq->rand = rand;
  dq->peers = g_array_new (FALSE, FALSE, sizeof (DqPeer));
  dq->probe = g_array_new (FALSE, FALSE, sizeof (guint64));
  dq->start_us = now_us;
  dq->wake_us = now_us;
  return dq;
}

void
sv_dyn_query_free (SvDynQuery *dq)
{
  if (dq == NULL)
    return;
  g_array_unref (dq->peers);
  g_array_unref (dq->probe);
  g_free (dq);
}

static DqPeer *
dq_find (SvDynQuery *dq, guint64 id, guint *index)
{
  for (guint i = 0; i < dq->peers->len; i++)
    {
      DqPeer *p = &g_array_index (dq->peers, DqPeer, i);

      if (p->desc.id == id)
        {
          if (index != NULL)
            *index = i;
          return p;
        }
    }
  return NULL;
}

void
sv_dyn_query_add_peer (SvDynQuery *dq, const SvDynQueryPeer *peer)
{
  DqPeer *p = dq_find (dq, peer->id, NULL);
  DqPeer fresh = { .desc = *peer, .sent_ttl = 0 };

  if (p != NULL)
    {
      p->desc = *peer;
      return;
    }
  if (dq->peers->len >= SV_DYN_QUERY_MAX_PEERS)
    return;
  g_array_append_val (dq->peers, fresh);
}

void
sv_dyn_query_remove_peer (SvDynQuery *dq, guint64 id)
{
  guint i;

  if (dq_find (dq, id, &i) != NULL)
    g_array_remove_index_fast (dq->peers, i);
  for (i = 0; i < dq->probe->len; i++)
    if (g_array_index (dq->probe, guint64, i) == id)
      {
        g_array_remove_index (dq->probe, i);
        break;
      }
}

void
sv_dyn_query_add_results (SvDynQuery *dq, guint n)
{
  dq->results = n > G_MAXUINT - dq->results ? G_MAXUINT : dq->results + n;
}

guint
sv_dyn_query_results (const SvDynQuery *dq)
{
  return dq->results;
}

guint
sv_dyn_query_target (const SvDynQuery *dq)
{
  return dq->origin == SV_DYN_QUERY_ORIGIN_OWN ? SV_DYN_QUERY_OWN_RESULTS
                                                : SV_DYN_QUERY_LEAF_RESULTS;
}

void
sv_dyn_query_cancel (SvDynQuery *dq)
{
  dq->state = DQ_DONE;
}

guint64
sv_dyn_query_horizon (guint degree, guint8 ttl)
{
  guint64 fan, term = 1, sum = 0;

  if (degree == 0)
    degree = SV_DYN_QUERY_DEFAULT_DEGREE;
  fan = MIN (degree, SV_DYN_QUERY_MAX_DEGREE) - (degree > 1 ? 1 : 0);
  ttl = MIN (ttl, SV_MSG_HARD_TTL_LIMIT);
  for (guint i = 0; i < ttl; i++)
    {
      sum += term;
      term = term > G_MAXUINT64 / MAX (fan, 1) ? G_MAXUINT64 / 2 : term * fan;
      if (sum > G_MAXUINT64 / 2)
        return G_MAXUINT64 / 2;
    }
  return sum;
}

guint64
sv_dyn_query_hosts_queried (const SvDynQuery *dq)
{
  return dq->hosts_queried;
}

guint
sv_dyn_query_peer_count (const SvDynQuery *dq)
{
  return dq->peers->len;
}

static guint8
peer_max_ttl (const DqPeer *p)
{
  guint8 t = p->desc.max_ttl == 0 ? SV_MSG_MAX_TTL : p->desc.max_ttl;

  return MIN (t, SV_MSG_MAX_TTL);
}

static void
dq_sent (SvDynQuery *dq, DqPeer *p, guint8 ttl)
{
  /* A re-sent probe reaches only the hosts the lower TTL missed. */
  guint64 before = sv_dyn_query_horizon (p->desc.degree, p->sent_ttl);
  guint64 after = sv_dyn_query_horizon (p->desc.degree, ttl);

  dq->hosts_queried += after > before ? after - before : 0;
  p->sent_ttl = ttl;
}

static void
dq_choose_probe (SvDynQuery *dq)
{
  GPtrArray *pool = g_ptr_array_new ();

  for (guint i = 0; i < dq->peers->len; i++)
    {
      DqPeer *p = &g_array_index (dq->peers, DqPeer, i);

      if (p->desc.last_hop_match)
        g_array_append_val (dq->probe, p->desc.id);
      g_ptr_array_add (pool, p);
    }
  if (dq->probe->len > 0)
    {
      dq->probe_ttl = 1;
    }
  else
    {
      dq->probe_ttl = 2;
      for (guint k = 0; k < SV_DYN_QUERY_PROBE_PEERS && pool->len > 0; k++)
        {
          guint pick = (guint) g_rand_int_range (dq->rand, 0, (gint32) pool->len);
          DqPeer *p = g_ptr_array_index (pool, pick);

          g_array_append_val (dq->probe, p->desc.id);
          g_ptr_array_remove_index_fast (pool, pick);
        }
    }
  g_ptr_array_unref (pool);
}

/* The smallest TTL (up to @max) through a peer of @degree expected to reach @hosts hosts. */
static guint8
dq_ttl_for (guint degree, guint8 max, guint64 hosts)
{
  for (guint8 t = 1; t < max; t++)
    if (sv_dyn_query_horizon (degree, t) >= hosts)
      return t;
  return max;
}

static SvDynQueryAction
dq_step (SvDynQuery *dq, gint64 now_us, SvDynQueryStep *out)
{
  guint n_candidates = 0;
  guint target = sv_dyn_query_target (dq);
  guint64 needed = target - MIN (dq->results, target);
  guint64 hosts_per_peer;
  DqPeer *pick = NULL;
  guint8 ttl;

  /* Fresh peers first; a probed X-Ext-Probes peer may get the query again with a higher TTL. */
  for (guint pass = 0; pass < 2 && n_candidates == 0; pass++)
    for (guint i = 0; i < dq->peers->len; i++)
      {
        DqPeer *p = &g_array_index (dq->peers, DqPeer, i);
        gboolean ok = pass == 0 ? p->sent_ttl == 0
                                : p->desc.ext_probes && p->sent_ttl < peer_max_ttl (p);

        if (!ok)
          continue;
        n_candidates++;
        /* Reservoir choice: each candidate equally likely. */
        if (g_rand_int_range (dq->rand, 0, (gint32) n_candidates) == 0)
          pick = p;
      }
  if (pick == NULL)
    {
      dq->state = DQ_DONE;
      out->action = SV_DYN_QUERY_DONE;
      return out->action;
    }

  if (dq->results == 0 || dq->hosts_queried == 0)
    {
      /* Nothing came back yet: the query is rare; go as far as the peer allows. */
      ttl = peer_max_ttl (pick);
    }
  else
    {
      /* Results per host so far predict the hosts still needed; share them among the
       * candidates left. Rounded up so a step never aims short. */
      guint64 hosts_needed = (needed * dq->hosts_queried + dq->results - 1) / dq->results;

      hosts_per_peer = (hosts_needed + n_candidates - 1) / n_candidates;
      ttl = dq_ttl_for (pick->desc.degree, peer_max_ttl (pick), MAX (hosts_per_peer, 1));
      if (ttl <= pick->sent_ttl)
        ttl = MIN ((guint8) (pick->sent_ttl + 1), peer_max_ttl (pick));
    }
  dq_sent (dq, pick, ttl);
  dq->wake_us = now_us + ttl * SV_DYN_QUERY_HOP_WAIT_US;
  out->action = SV_DYN_QUERY_SEND;
  out->conn = pick->desc.id;
  out->ttl = ttl;
  return out->action;
}

SvDynQueryAction
sv_dyn_query_next (SvDynQuery *dq, gint64 now_us, SvDynQueryStep *out)
{
  *out = (SvDynQueryStep) { .action = SV_DYN_QUERY_DONE };

  if (dq->state != DQ_DONE
      && (dq->results >= sv_dyn_query_target (dq)
          || (now_us > dq->start_us && now_us - dq->start_us >= SV_DYN_QUERY_LIFETIME_US)))
    dq->state = DQ_DONE;

  switch (dq->state)
    {
    case DQ_START:
      dq_choose_probe (dq);
      dq->state = DQ_PROBING;
      G_GNUC_FALLTHROUGH;
    case DQ_PROBING:
      while (dq->probe->len > 0)
        {
          guint64 id = g_array_index (dq->probe, guint64, 0);
          DqPeer *p = dq_find (dq, id, NULL);

          g_array_remove_index (dq->probe, 0);
          if (p == NULL)
            continue;
          dq_sent (dq, p, MIN (dq->probe_ttl, peer_max_ttl (p)));
          out->action = SV_DYN_QUERY_SEND;
          out->conn = id;
          out->ttl = p->sent_ttl;
          return out->action;
        }
      dq->wake_us = now_us + dq->probe_ttl * SV_DYN_QUERY_HOP_WAIT_US;
      dq->state = DQ_STEPPING;
      out->action = SV_DYN_QUERY_WAIT;
      out->wake_us = dq->wake_us;
      return out->action;
    case DQ_STEPPING:
      if (now_us < dq->wake_us)
        {
          out->action = SV_DYN_QUERY_WAIT;
          out->wake_us = dq->wake_us;
          return out->action;
        }
      return dq_step (dq, now_us, out);
    case DQ_DONE:
    default:
      out->action = SV_DYN_QUERY_DONE;
      return out->action;
    }
}
