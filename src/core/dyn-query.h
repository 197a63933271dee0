/* dyn-query.h: the dynamic query planner of an ultrapeer (protocol notes §8).
 *
 * A query we start, or one a leaf hands us, is not flooded to every ultrapeer at once. The plan:
 * 1. a probe: TTL 1 to every ultrapeer whose last-hop QRP table admits the query, or, when none
 *    does, TTL 2 to up to SV_DYN_QUERY_PROBE_PEERS of them; then wait 2.4 s per hop of TTL;
 * 2. one connection at a time (picked at random among those not yet queried), with the smallest
 *    TTL (at most the peer's X-Max-TTL) whose horizon, given the peer's X-Degree, is expected to
 *    bring the missing results at the rate seen so far; then wait 2.4 s per hop of that TTL;
 * 3. done when enough results came (SV_DYN_QUERY_OWN_RESULTS for our own query,
 *    SV_DYN_QUERY_LEAF_RESULTS for a leaf's), when no connection is left to try, when the query
 *    is older than SV_DYN_QUERY_LIFETIME_US, or when it is cancelled.
 * Driven by the caller: time comes in as `now_us`, result counts as they arrive, randomness from
 * a GRand. A peer that advertised X-Ext-Probes and was probed may be queried again with a higher
 * TTL. Pure: no sockets. */
#pragma once

#include <glib.h>

#include "limits.h"

#define SV_DYN_QUERY_OWN_RESULTS    150
#define SV_DYN_QUERY_LEAF_RESULTS   50
#define SV_DYN_QUERY_HOP_WAIT_US    (G_GINT64_CONSTANT (2400) * 1000)   /* per hop of TTL */
#define SV_DYN_QUERY_LIFETIME_US    (G_GINT64_CONSTANT (180) * G_USEC_PER_SEC)
#define SV_DYN_QUERY_PROBE_PEERS    3
#define SV_DYN_QUERY_DEFAULT_DEGREE 6       /* a peer that sent no X-Degree */
#define SV_DYN_QUERY_MAX_DEGREE     1024    /* X-Degree values above are taken as this */

typedef enum {
  SV_DYN_QUERY_ORIGIN_OWN,     /* we started it */
  SV_DYN_QUERY_ORIGIN_LEAF,    /* one of our leaves did */
} SvDynQueryOrigin;

/* An ultrapeer connection the query may go to. */
typedef struct {
  guint64 id;
  guint degree;                /* X-Degree; 0: none sent */
  guint8 max_ttl;              /* X-Max-TTL; 0: none sent (taken as SV_MSG_MAX_TTL) */
  gboolean last_hop_match;     /* it sent a last-hop QRP table and that table admits the query */
  gboolean ext_probes;         /* X-Ext-Probes: accepts the same MUID again with a higher TTL */
} SvDynQueryPeer;

typedef enum {
  SV_DYN_QUERY_SEND,           /* send the query to @conn with @ttl now, then ask again */
  SV_DYN_QUERY_WAIT,           /* nothing to do before @wake_us */
  SV_DYN_QUERY_DONE,           /* finished: forget the query */
} SvDynQueryAction;

typedef struct {
  SvDynQueryAction action;
  guint64 conn;                /* SEND */
  guint8 ttl;                  /* SEND */
  gint64 wake_us;              /* WAIT */
} SvDynQueryStep;

typedef struct _SvDynQuery SvDynQuery;

/* A plan started at @now_us. @rand: (transfer none) must outlive the plan.
 * Returns: (transfer full). */
SvDynQuery *sv_dyn_query_new (SvDynQueryOrigin origin, gint64 now_us, GRand *rand);
void sv_dyn_query_free (SvDynQuery *dq);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvDynQuery, sv_dyn_query_free)

/* An ultrapeer connection (new or already known: then its description is updated). At most
 * SV_DYN_QUERY_MAX_PEERS are tracked; more are ignored. */
void sv_dyn_query_add_peer (SvDynQuery *dq, const SvDynQueryPeer *peer);
/* The connection closed. */
void sv_dyn_query_remove_peer (SvDynQuery *dq, guint64 id);

/* @n more results arrived for the query (saturating). */
void sv_dyn_query_add_results (SvDynQuery *dq, guint n);
guint sv_dyn_query_results (const SvDynQuery *dq);
/* The results wanted before stopping. */
guint sv_dyn_query_target (const SvDynQuery *dq);

/* Stop (the user cancelled, the leaf said it has enough or went away). */
void sv_dyn_query_cancel (SvDynQuery *dq);

/* What to do at @now_us. Returns: @out->action. */
SvDynQueryAction sv_dyn_query_next (SvDynQuery *dq, gint64 now_us, SvDynQueryStep *out);

/* Estimated ultrapeers reached through one connection of X-Degree @degree with @ttl:
 * 1 + (d-1) + (d-1)^2 + … (@ttl terms). */
guint64 sv_dyn_query_horizon (guint degree, guint8 ttl);

/* Estimated ultrapeers the query has reached so far. */
guint64 sv_dyn_query_hosts_queried (const SvDynQuery *dq);
/* Peers tracked (at most SV_DYN_QUERY_MAX_PEERS). */
guint sv_dyn_query_peer_count (const SvDynQuery *dq);
