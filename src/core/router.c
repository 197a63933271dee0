/* router.c: the routing verdict: TTL rules, duplicates, reverse paths, push routes, QRP targets. */
#include "router.h"

#include "msg-bye.h"

typedef struct {
  guint64 conn;                  /* first member: the hash table's key points here */
  gint64 window_start_us;
  guint ttl_violations;
  guint duplicates;
  guint unknown;
} PeerStats;

struct _SvRouter {
  SvRouterConfig cfg;
  SvRouteTable *routes;
  SvPushRoute *push;
  GHashTable *stats;             /* guint64* -> PeerStats* (owned) */
  guint64 drops[SV_ROUTE_DROP_N_REASONS];
};

void
sv_router_config_init (SvRouterConfig *config, SvRouterRole role, const SvGuid *servent)
{
  *config = (SvRouterConfig) {
    .role = role,
    .servent_guid = *servent,
    .max_ttl = SV_MSG_MAX_TTL,
    .hard_ttl_limit = SV_MSG_HARD_TTL_LIMIT,
    .route_entries = SV_ROUTE_TABLE_MAX_ENTRIES,
    .route_lifetime_us = SV_ROUTE_TABLE_LIFETIME_US,
    .push_entries = SV_PUSH_ROUTE_MAX_ENTRIES,
    .push_lifetime_us = SV_PUSH_ROUTE_LIFETIME_US,
    .max_ttl_violations = SV_ROUTER_DEFAULT_TTL_VIOLATIONS,
    .max_duplicates = SV_ROUTER_DEFAULT_DUPLICATES,
    .max_unknown = SV_ROUTER_DEFAULT_UNKNOWN,
    .window_us = SV_ROUTER_DEFAULT_WINDOW_US,
  };
}

void
sv_router_verdict_init (SvRouterVerdict *verdict)
{
  *verdict = (SvRouterVerdict) { 0 };
  verdict->targets = g_array_sized_new (FALSE, FALSE, sizeof (guint64), 64);
}

void
sv_router_verdict_clear (SvRouterVerdict *verdict)
{
  if (verdict->targets != NULL)
    g_array_unref (verdict->targets);
  verdict->targets = NULL;
}

SvRouter *
sv_router_new (const SvRouterConfig *config, GRand *rand)
{
  SvRouter *router = g_new0 (SvRouter, 1);

  router->cfg = *config;
  router->routes = sv_route_table_new (config->route_entries, config->route_lifetime_us, rand);
  router->push = sv_push_route_new (config->push_entries, config->push_lifetime_us);
  router->stats = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  return router;
}

void
sv_router_free (SvRouter *router)
{
  if (router == NULL)
    return;
  sv_route_table_free (router->routes);
  sv_push_route_free (router->push);
  g_hash_table_destroy (router->stats);
  g_free (router);
}

static const SvRouterPeer *
find_peer (const SvRouterPeer *peers, guint n_peers, guint64 id)
{
  for (guint i = 0; i < n_peers; i++)
    if (peers[i].id == id)
      return &peers[i];
  return NULL;
}

static PeerStats *
stats_for (SvRouter *router, guint64 conn, gint64 now_us)
{
  PeerStats *st = g_hash_table_lookup (router->stats, &conn);

  if (st == NULL)
    {
      /* The caller forgets closed connections; should it not, start over rather than grow. */
      if (g_hash_table_size (router->stats) >= SV_ROUTER_MAX_PEER_STATS)
        g_hash_table_remove_all (router->stats);
      st = g_new0 (PeerStats, 1);
      st->conn = conn;
      st->window_start_us = now_us;
      g_hash_table_insert (router->stats, &st->conn, st);
    }
  if (now_us < st->window_start_us || now_us - st->window_start_us >= router->cfg.window_us)
    {
      st->window_start_us = now_us;
      st->ttl_violations = st->duplicates = st->unknown = 0;
    }
  return st;
}

static SvRouteAction
drop (SvRouter *router, SvRouterVerdict *v, SvRouteDropReason reason)
{
  router->drops[reason]++;
  v->action = SV_ROUTE_DROP;
  v->reason = reason;
  return v->action;
}

/* Drops for @reason, or kicks with @bye when @count passed @limit. */
static SvRouteAction
drop_or_kick (SvRouter *router, SvRouterVerdict *v, SvRouteDropReason reason, guint count,
              guint limit, guint16 bye)
{
  drop (router, v, reason);
  if (count > limit)
    {
      v->action = SV_ROUTE_KICK;
      v->bye_code = bye;
    }
  return v->action;
}

static SvRouteAction
handle_local (SvRouterVerdict *v)
{
  v->action = SV_ROUTE_HANDLE_LOCAL;
  v->handle_local = TRUE;
  return v->action;
}

static SvRouteAction
forward_one (SvRouterVerdict *v, const SvRouterInput *in, const SvRouterPeer *target)
{
  g_array_append_val (v->targets, target->id);
  v->strip_ggep = in->has_ggep && !target->ggep;
  v->action = SV_ROUTE_FORWARD;
  return v->action;
}

/* TTL rules for a message that travels on: FALSE (verdict filled) when it is dropped. */
static gboolean
check_ttl (SvRouter *router, SvRouterVerdict *v, guint64 conn, guint8 max_ttl, gint64 now_us)
{
  PeerStats *st;

  if (sv_msg_header_check_ttl (&v->hdr, max_ttl, router->cfg.hard_ttl_limit) != SV_TTL_DROP)
    return TRUE;
  st = stats_for (router, conn, now_us);
  st->ttl_violations++;
  drop_or_kick (router, v, SV_ROUTE_DROP_TTL_LIMIT, st->ttl_violations,
                router->cfg.max_ttl_violations, SV_BYE_TTL_HOPS_LIMIT);
  return FALSE;
}

/* Duplicate suppression for a broadcast. Returns the table's answer; on a duplicate the verdict
 * is filled (drop, or kick past the limit). */
static SvRouteSeen
check_duplicate (SvRouter *router, SvRouterVerdict *v, const SvRouterPeer *sender,
                 gboolean accept_higher_ttl, gint64 now_us)
{
  SvRouteSeen seen = sv_route_table_record (router->routes, &v->hdr.guid, v->hdr.type,
                                            sender->id, v->hdr.ttl, accept_higher_ttl, now_us);

  if (seen == SV_ROUTE_SEEN_DUPLICATE)
    {
      PeerStats *st = stats_for (router, sender->id, now_us);

      st->duplicates++;
      drop_or_kick (router, v, SV_ROUTE_DROP_DUPLICATE, st->duplicates,
                    router->cfg.max_duplicates, SV_BYE_TOO_MANY_DUPLICATES);
    }
  return seen;
}

static SvRouteAction
route_ping (SvRouter *router, const SvRouterInput *in, const SvRouterPeer *sender,
            gint64 now_us, SvRouterVerdict *v)
{
  if (!check_ttl (router, v, sender->id, router->cfg.max_ttl, now_us))
    return v->action;
  /* A neighbour's keep-alive (TTL 1, hops 0) reaches nobody else, so no pong can come for it
   * from elsewhere and no copy by another path: it is not recorded. An ultrapeer's idle leaves
   * send one a minute each; recorded, they filled the route table for its whole lifetime. */
  if (v->hdr.ttl == 1 && v->hdr.hops == 0)
    return handle_local (v);
  if (check_duplicate (router, v, sender, FALSE, now_us) == SV_ROUTE_SEEN_DUPLICATE)
    return v->action;
  /* Pong caching: pings are answered from the cache (and with our own pong), never relayed. */
  return handle_local (v);
}

/* A reply (Pong, QueryHit) goes back to where its request (@request_type) came from. */
static SvRouteAction
route_reply (SvRouter *router, const SvRouterInput *in, const SvRouterPeer *sender,
             const SvRouterPeer *peers, guint n_peers, guint8 request_type, gint64 now_us,
             SvRouterVerdict *v)
{
  guint64 back;
  const SvRouterPeer *target;

  /* Replies start with TTL >= the request's hops: only the hard limit applies, no trimming. */
  if (!check_ttl (router, v, sender->id, router->cfg.hard_ttl_limit, now_us))
    return v->action;
  if (in->answers_keepalive && v->hdr.type == SV_MSG_PONG)
    return handle_local (v);
  if (!sv_route_table_lookup (router->routes, &v->hdr.guid, request_type, now_us, &back))
    return drop (router, v, SV_ROUTE_DROP_NO_ROUTE);
  if (back == SV_ROUTER_CONN_LOCAL)
    return handle_local (v);
  if (back == sender->id)
    return drop (router, v, SV_ROUTE_DROP_ROUTE_LOOP);
  if (router->cfg.role == SV_ROUTER_ROLE_LEAF)
    return drop (router, v, SV_ROUTE_DROP_NOT_FOR_LEAF);
  target = find_peer (peers, n_peers, back);
  if (target == NULL)
    return drop (router, v, SV_ROUTE_DROP_NO_ROUTE);
  if (v->hdr.type == SV_MSG_QUERYHIT && v->hdr.length > SV_MSG_MAX_QUERYHIT_FORWARD_BYTES)
    return drop (router, v, SV_ROUTE_DROP_TOO_BIG);
  if (!sv_msg_header_hop (&v->hdr))
    return drop (router, v, SV_ROUTE_DROP_TTL_EXPIRED);
  return forward_one (v, in, target);
}

static SvRouteAction
route_hit (SvRouter *router, const SvRouterInput *in, const SvRouterPeer *sender,
           const SvRouterPeer *peers, guint n_peers, gint64 now_us, SvRouterVerdict *v)
{
  route_reply (router, in, sender, peers, n_peers, SV_MSG_QUERY, now_us, v);
  /* A push for this servent will be sent back the way its hit came, whether the hit was for
   * us or relayed. */
  if ((v->action == SV_ROUTE_FORWARD || v->action == SV_ROUTE_HANDLE_LOCAL)
      && in->servent != NULL && !sv_guid_equal (in->servent, &router->cfg.servent_guid))
    sv_push_route_learn (router->push, in->servent, sender->id, now_us);
  return v->action;
}

static SvRouteAction
route_push (SvRouter *router, const SvRouterInput *in, const SvRouterPeer *sender,
            const SvRouterPeer *peers, guint n_peers, gint64 now_us, SvRouterVerdict *v)
{
  guint64 next;
  const SvRouterPeer *target;

  if (!check_ttl (router, v, sender->id, router->cfg.hard_ttl_limit, now_us))
    return v->action;
  if (check_duplicate (router, v, sender, FALSE, now_us) == SV_ROUTE_SEEN_DUPLICATE)
    return v->action;
  if (in->servent == NULL)
    return drop (router, v, SV_ROUTE_DROP_NO_ROUTE);
  if (sv_guid_equal (in->servent, &router->cfg.servent_guid))
    return handle_local (v);
  if (router->cfg.role == SV_ROUTER_ROLE_LEAF)
    return drop (router, v, SV_ROUTE_DROP_NOT_FOR_LEAF);
  if (!sv_push_route_lookup (router->push, in->servent, now_us, &next))
    return drop (router, v, SV_ROUTE_DROP_NO_ROUTE);
  if (next == sender->id)
    return drop (router, v, SV_ROUTE_DROP_ROUTE_LOOP);
  target = find_peer (peers, n_peers, next);
  if (target == NULL)
    return drop (router, v, SV_ROUTE_DROP_NO_ROUTE);
  if (!sv_msg_header_hop (&v->hdr))
    return drop (router, v, SV_ROUTE_DROP_TTL_EXPIRED);
  return forward_one (v, in, target);
}

static gboolean
qrp_admits (const SvRouterPeer *peer, const SvRouterInput *in)
{
  return peer->qrp != NULL && in->query != NULL
         && sv_qrp_signature_may_match (&peer->qrp_sig, in->query)
         && sv_qrp_table_matches (peer->qrp, in->query);
}

static SvRouteAction
route_query (SvRouter *router, const SvRouterInput *in, const SvRouterPeer *sender,
             const SvRouterPeer *peers, guint n_peers, gint64 now_us, SvRouterVerdict *v)
{
  SvRouteSeen seen;
  gboolean to_ultrapeers, to_leaves, from_leaf;
  guint8 arrival_ttl;

  if (!check_ttl (router, v, sender->id, router->cfg.max_ttl, now_us))
    return v->action;
  seen = check_duplicate (router, v, sender, sender->ext_probes, now_us);
  if (seen == SV_ROUTE_SEEN_DUPLICATE)
    return v->action;
  /* A re-sent probe was answered the first time. */
  v->handle_local = seen == SV_ROUTE_SEEN_NEW;
  v->action = SV_ROUTE_HANDLE_LOCAL;

  arrival_ttl = v->hdr.ttl;
  if (router->cfg.role == SV_ROUTER_ROLE_LEAF || arrival_ttl == 0
      || v->hdr.length > SV_MSG_MAX_QUERY_FORWARD_BYTES)
    goto local;

  from_leaf = sender->role == SV_ROUTER_ROLE_LEAF;
  if (from_leaf)
    {
      /* The leaf's TTL is ignored: the dynamic query drives the ultrapeer side; its fellow
       * leaves get it now, as from one hop away. */
      v->dynamic_query = seen == SV_ROUTE_SEEN_NEW;
      v->hdr.ttl = 1;
      v->hdr.hops = MIN (v->hdr.hops, G_MAXUINT8 - 1) + 1;
      to_ultrapeers = FALSE;
      to_leaves = seen == SV_ROUTE_SEEN_NEW;
    }
  else if (sv_msg_header_hop (&v->hdr))
    {
      to_ultrapeers = TRUE;
      to_leaves = seen == SV_ROUTE_SEEN_NEW;
    }
  else
    {
      /* Arrived with TTL 1: this is the last hop; only our leaves are left to reach. */
      if (v->hdr.hops == G_MAXUINT8)
        goto local;
      v->hdr.hops++;
      to_ultrapeers = FALSE;
      to_leaves = seen == SV_ROUTE_SEEN_NEW;
    }

  for (guint i = 0; i < n_peers; i++)
    {
      const SvRouterPeer *p = &peers[i];

      if (p->id == sender->id || v->hdr.hops >= p->hops_flow)
        continue;
      if (p->role == SV_ROUTER_ROLE_LEAF)
        {
          if (!to_leaves)
            continue;
          if (!qrp_admits (p, in))
            {
              if (p->qrp != NULL)
                v->qrp_blocked++;
              continue;
            }
        }
      else
        {
          if (!to_ultrapeers)
            continue;
          /* Last-hop QRP: an ultrapeer that sent a table gets the query at TTL 1 only when
           * the table admits it. */
          if (v->hdr.ttl == 1 && p->qrp != NULL && !qrp_admits (p, in))
            continue;
        }
      g_array_append_val (v->targets, p->id);
    }
  if (v->targets->len > 0)
    {
      v->action = SV_ROUTE_FORWARD;
      return v->action;
    }

local:
  if (!v->handle_local && !v->dynamic_query)
    return drop (router, v, SV_ROUTE_DROP_NO_TARGET);
  v->action = SV_ROUTE_HANDLE_LOCAL;
  return v->action;
}

SvRouteAction
sv_router_route (SvRouter *router, const SvRouterInput *in, const SvRouterPeer *peers,
                 guint n_peers, gint64 now_us, SvRouterVerdict *v)
{
  const SvRouterPeer *sender;
  PeerStats *st;

  v->action = SV_ROUTE_DROP;
  v->reason = SV_ROUTE_DROP_NONE;
  v->bye_code = 0;
  v->handle_local = FALSE;
  v->dynamic_query = FALSE;
  v->strip_ggep = FALSE;
  v->qrp_blocked = 0;
  v->hdr = in->hdr;
  g_array_set_size (v->targets, 0);

  sender = find_peer (peers, n_peers, in->conn);
  if (sender == NULL || in->conn == SV_ROUTER_CONN_LOCAL)
    return drop (router, v, SV_ROUTE_DROP_UNKNOWN_CONN);

  switch (in->hdr.type)
    {
    case SV_MSG_BYE:
    case SV_MSG_QRP:
    case SV_MSG_VENDOR:
    case SV_MSG_VENDOR_STD:
      /* Link-level: neither routed nor relayed (§11 rule 5). */
      return handle_local (v);
    case SV_MSG_PING:
      return route_ping (router, in, sender, now_us, v);
    case SV_MSG_PONG:
      return route_reply (router, in, sender, peers, n_peers, SV_MSG_PING, now_us, v);
    case SV_MSG_QUERY:
      return route_query (router, in, sender, peers, n_peers, now_us, v);
    case SV_MSG_QUERYHIT:
      return route_hit (router, in, sender, peers, n_peers, now_us, v);
    case SV_MSG_PUSH:
      return route_push (router, in, sender, peers, n_peers, now_us, v);
    case SV_MSG_HSEP:
      /* gtk-gnutella's horizon estimation: well known, not spoken here, not held against it. */
      return drop (router, v, SV_ROUTE_DROP_UNKNOWN_TYPE);
    default:
      st = stats_for (router, sender->id, now_us);
      st->unknown++;
      return drop_or_kick (router, v, SV_ROUTE_DROP_UNKNOWN_TYPE, st->unknown,
                           router->cfg.max_unknown, SV_BYE_TOO_MANY_UNKNOWN);
    }
}

void
sv_router_set_role (SvRouter *router, SvRouterRole role)
{
  router->cfg.role = role;
}

void
sv_router_originate (SvRouter *router, const SvGuid *muid, guint8 type, gint64 now_us)
{
  (void) sv_route_table_record (router->routes, muid, type, SV_ROUTER_CONN_LOCAL,
                                router->cfg.max_ttl, FALSE, now_us);
}

void
sv_router_forget_connection (SvRouter *router, guint64 conn)
{
  g_hash_table_remove (router->stats, &conn);
  sv_route_table_forget_connection (router->routes, conn);
  sv_push_route_forget_connection (router->push, conn);
}

guint64
sv_router_drop_count (const SvRouter *router, SvRouteDropReason reason)
{
  if ((guint) reason >= SV_ROUTE_DROP_N_REASONS)
    return 0;
  return router->drops[reason];
}

const char *
sv_router_drop_reason_name (SvRouteDropReason reason)
{
  switch (reason)
    {
    case SV_ROUTE_DROP_NONE: return "none";
    case SV_ROUTE_DROP_DUPLICATE: return "duplicate";
    case SV_ROUTE_DROP_TTL_LIMIT: return "ttl-limit";
    case SV_ROUTE_DROP_TTL_EXPIRED: return "ttl-expired";
    case SV_ROUTE_DROP_NO_ROUTE: return "no-route";
    case SV_ROUTE_DROP_ROUTE_LOOP: return "route-loop";
    case SV_ROUTE_DROP_TOO_BIG: return "too-big";
    case SV_ROUTE_DROP_UNKNOWN_CONN: return "unknown-connection";
    case SV_ROUTE_DROP_UNKNOWN_TYPE: return "unknown-type";
    case SV_ROUTE_DROP_NOT_FOR_LEAF: return "not-for-leaf";
    case SV_ROUTE_DROP_NO_TARGET: return "no-target";
    case SV_ROUTE_DROP_N_REASONS: break;
    }
  return "unknown";
}

SvRouteTable *
sv_router_route_table (SvRouter *router)
{
  return router->routes;
}

SvPushRoute *
sv_router_push_route (SvRouter *router)
{
  return router->push;
}

guint
sv_router_peer_stats_count (const SvRouter *router)
{
  return g_hash_table_size (router->stats);
}
