/* router.h: the overlay's routing verdict for one message that arrived on a peer connection.
 *
 * Given the decoded header, what routing needs from the payload (a Query's QRP view, a QueryHit's
 * servent GUID, a Push's target), the connection it came from and a description of every open
 * connection, the router answers one of:
 *   DROP          (with a reason, counted per reason);
 *   KICK          (with a Bye code: 403 after repeated TTL+hops violations, 401 after too many
 *                  duplicates, 404 after too many unknown messages);
 *   HANDLE_LOCAL  (ours: a hit for our own query, a pong for our ping, a push for our servent
 *                  GUID, a ping to answer from the pong cache, a link-level message);
 *   FORWARD       (to a list of connections: every ultrapeer but the sender for a Query, leaves
 *                  whose QRP table admits it, the last-hop QRP table of an ultrapeer when the
 *                  query would arrive there with TTL 1, peers' hops-flow limits respected; a
 *                  reply or a push to exactly one connection), with `handle_local` set when the
 *                  message is also for us (a query we may answer too).
 * Rules: protocol notes §11. Pings are never relayed (we answer from the pong cache); replies
 * with no live route are dropped, never broadcast; a leaf never forwards anything; an ultrapeer
 * relays a leaf's query to its other QRP-matching leaves and asks the caller to run a dynamic
 * query (dyn-query.h) for the ultrapeer side instead of flooding it.
 *
 * Connections are opaque guint64 ids chosen by the caller; SV_ROUTER_CONN_LOCAL (never a real
 * connection) stands for ourselves in routes. Time is `now_us`; the router owns the route table
 * and the push-route table. Pure: no sockets. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "limits.h"
#include "msg-header.h"
#include "push-route.h"
#include "qrp.h"
#include "route-table.h"

#define SV_ROUTER_CONN_LOCAL      G_MAXUINT64
#define SV_ROUTER_HOPS_FLOW_ANY   255       /* no BEAR/4 limit received */

/* Default policy (SvRouterConfig); counts are per connection within the window. */
#define SV_ROUTER_DEFAULT_TTL_VIOLATIONS  10    /* more than this: Bye 403 */
#define SV_ROUTER_DEFAULT_DUPLICATES      200   /* more than this: Bye 401 */
#define SV_ROUTER_DEFAULT_UNKNOWN         20    /* more than this: Bye 404 */
#define SV_ROUTER_DEFAULT_WINDOW_US       (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

typedef enum {
  SV_ROUTER_ROLE_LEAF,
  SV_ROUTER_ROLE_ULTRAPEER,
} SvRouterRole;

/* One open connection as the router needs to see it. */
typedef struct {
  guint64 id;
  SvRouterRole role;             /* the peer's role on this link */
  const SvQrpTable *qrp;         /* (nullable) (transfer none) a leaf's table, or the last-hop
                                  * table an ultrapeer sent; NULL: none received */
  SvQrpSignature qrp_sig;        /* sv_qrp_table_signature (qrp), checked first; zeroed: none */
  guint8 hops_flow;              /* BEAR/4: only queries with hops below this go to the peer;
                                  * SV_ROUTER_HOPS_FLOW_ANY when none was received */
  gboolean ggep;                 /* advertised GGEP */
  gboolean ext_probes;           /* advertised X-Ext-Probes */
} SvRouterPeer;

typedef struct {
  SvRouterRole role;             /* ours */
  SvGuid servent_guid;           /* ours: pushes naming it are for us */
  guint8 max_ttl;                /* SV_MSG_MAX_TTL */
  guint8 hard_ttl_limit;         /* SV_MSG_HARD_TTL_LIMIT */
  guint route_entries;           /* SV_ROUTE_TABLE_MAX_ENTRIES */
  gint64 route_lifetime_us;      /* SV_ROUTE_TABLE_LIFETIME_US */
  guint push_entries;            /* SV_PUSH_ROUTE_MAX_ENTRIES */
  gint64 push_lifetime_us;       /* SV_PUSH_ROUTE_LIFETIME_US */
  guint max_ttl_violations;      /* SV_ROUTER_DEFAULT_TTL_VIOLATIONS */
  guint max_duplicates;          /* SV_ROUTER_DEFAULT_DUPLICATES */
  guint max_unknown;             /* SV_ROUTER_DEFAULT_UNKNOWN */
  gint64 window_us;              /* SV_ROUTER_DEFAULT_WINDOW_US */
} SvRouterConfig;

/* Fills @config with the defaults above, role @role and servent GUID @servent. */
void sv_router_config_init (SvRouterConfig *config, SvRouterRole role, const SvGuid *servent);

typedef enum {
  SV_ROUTE_DROP,
  SV_ROUTE_KICK,
  SV_ROUTE_HANDLE_LOCAL,
  SV_ROUTE_FORWARD,
} SvRouteAction;

typedef enum {
  SV_ROUTE_DROP_NONE = 0,
  SV_ROUTE_DROP_DUPLICATE,         /* (MUID, type) already seen */
  SV_ROUTE_DROP_TTL_LIMIT,         /* TTL + hops above the hard limit, or hops 255 */
  SV_ROUTE_DROP_TTL_EXPIRED,       /* a reply or push whose TTL runs out before the next hop */
  SV_ROUTE_DROP_NO_ROUTE,          /* a reply or push with no live route */
  SV_ROUTE_DROP_ROUTE_LOOP,        /* the route leads back to the sender */
  SV_ROUTE_DROP_TOO_BIG,           /* above the forwarding cap (hits over 16 KiB) */
  SV_ROUTE_DROP_UNKNOWN_CONN,      /* the arriving connection is not in the set */
  SV_ROUTE_DROP_UNKNOWN_TYPE,      /* a payload type we do not route */
  SV_ROUTE_DROP_NOT_FOR_LEAF,      /* a leaf got a message only an ultrapeer relays */
  SV_ROUTE_DROP_NO_TARGET,         /* a broadcast nobody may receive (and not for us) */
  SV_ROUTE_DROP_N_REASONS,
} SvRouteDropReason;

typedef struct {
  SvRouteAction action;
  SvRouteDropReason reason;      /* DROP only (also set for the kicking message's cause) */
  guint16 bye_code;              /* KICK only: an SvByeCode */
  gboolean handle_local;         /* FORWARD: also handle it ourselves; HANDLE_LOCAL: TRUE */
  gboolean dynamic_query;        /* a leaf's query on an ultrapeer: run a dynamic query for the
                                  * ultrapeer side (targets hold only leaves) */
  gboolean strip_ggep;           /* FORWARD of a Ping/Pong/Push carrying GGEP to a peer that did
                                  * not advertise GGEP: remove the block before sending */
  SvMsgHeader hdr;               /* the header to send with (TTL - 1, hops + 1) for FORWARD; as
                                  * received (TTL possibly trimmed) otherwise */
  GArray *targets;               /* (element-type guint64) FORWARD: connections to send to */
  guint qrp_blocked;             /* Query: leaves it would have reached that their QRP table
                                  * held back */
} SvRouterVerdict;

/* Prepares @verdict for reuse across calls (allocates its target list once). */
void sv_router_verdict_init (SvRouterVerdict *verdict);
void sv_router_verdict_clear (SvRouterVerdict *verdict);

/* What routing needs from a message. */
typedef struct {
  SvMsgHeader hdr;               /* as decoded */
  guint64 conn;                  /* the connection it arrived on */
  const SvQrpQuery *query;       /* (nullable) Query: its QRP view (NULL: routes to no leaf and
                                  * through no last-hop table) */
  const SvGuid *servent;         /* (nullable) QueryHit: the trailer's servent GUID;
                                  * Push: the target servent GUID */
  gboolean has_ggep;             /* the payload carries a GGEP block (Ping, Pong, Push) */
  gboolean answers_keepalive;    /* Pong: its GUID is that of the keep-alive ping (TTL 1) the
                                  * caller sent on @conn and still waits for. Such pings are not
                                  * recorded as routes (they reach only that neighbour), so the
                                  * caller recognises their pongs: HANDLE_LOCAL */
} SvRouterInput;

typedef struct _SvRouter SvRouter;

/* @rand: (nullable) salts the route table's hashing. Returns: (transfer full). */
SvRouter *sv_router_new (const SvRouterConfig *config, GRand *rand);
void sv_router_free (SvRouter *router);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvRouter, sv_router_free)

/* Decides what to do with @in, given the open connections @peers (@n_peers of them; @in->conn
 * should be one) at @now_us. Fills @verdict (initialised with sv_router_verdict_init).
 * Returns: @verdict->action. */
SvRouteAction sv_router_route (SvRouter *router, const SvRouterInput *in,
                               const SvRouterPeer *peers, guint n_peers, gint64 now_us,
                               SvRouterVerdict *verdict);

/* Our role changed (auto mode): routing follows @role from the next message on, keeping the
 * routes of messages already seen, our own queries and the push routes. */
void sv_router_set_role (SvRouter *router, SvRouterRole role);

/* Records a Query or Ping we originate (MUID @muid, type @type) so that its replies come back
 * to us as HANDLE_LOCAL and copies of it echoed back are duplicates. */
void sv_router_originate (SvRouter *router, const SvGuid *muid, guint8 type, gint64 now_us);

/* The connection closed: forget its counters and the push routes through it. */
void sv_router_forget_connection (SvRouter *router, guint64 conn);

/* Messages dropped for @reason since the router was made. */
guint64 sv_router_drop_count (const SvRouter *router, SvRouteDropReason reason);
/* Returns: (transfer none) a stable name such as "duplicate". */
const char *sv_router_drop_reason_name (SvRouteDropReason reason);

/* Returns: (transfer none) the tables the router owns (for inspection and statistics). */
SvRouteTable *sv_router_route_table (SvRouter *router);
SvPushRoute *sv_router_push_route (SvRouter *router);
/* Connections with per-connection counters (bounded by SV_ROUTER_MAX_PEER_STATS). */
guint sv_router_peer_stats_count (const SvRouter *router);
