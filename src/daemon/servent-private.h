/* servent-private.h: the SvServent structure and the functions its pieces share.
 *
 * servent.c owns construction, teardown, state files and the snapshots;
 * link-set.c the links themselves (sending, kicking, counts, the router's peer array);
 * servent-links.c the listener, the handshakes, the host cache, roles and the connection manager
 * tick; servent-route.c message dispatch through the router (pings, pongs, queries, hits,
 * pushes, Bye); servent-qrp.c our QRP table going out and the tables peers send in;
 * servent-search.c our searches, the dynamic queries and the hits they collect. Route, QRP and
 * search learn of links coming and going as link-set listeners: nothing calls back into
 * servent-links.c.
 *
 * Our own addresses, the address we announce and the firewalled verdict are SvLocalAddr's
 * (core/local-addr.h); the daemon feeds it what the listener and the handshakes teach. */
#pragma once

#include "servent.h"

#include "bootstrap.h"
#include "conn-policy.h"
#include "connect-back.h"
#include "dyn-query.h"
#include "host-cache.h"
#include "link-set.h"
#include "local-addr.h"
#include "log-limit.h"
#include "share-set.h"
#include "hostile.h"
#include "listener.h"
#include "msg-header.h"
#include "msg-query.h"
#include "msg-queryhit.h"
#include "peer-conn.h"
#include "pong-cache.h"
#include "qrp-patch.h"
#include "qrp.h"
#include "query-view.h"
#include "router.h"
#include "share-library.h"
#include "share-qrp.h"
#include "uploads.h"
#include "downloads.h"
#include "syncs.h"
#include "giv-reader.h"
#include "http-client.h"
#include "msg-vendor.h"
#include "rendezvous-broker.h"
#include "rendezvous-call.h"
#include "relay-call.h"
#include "port-map.h"

#include "host-store.h"

#define SV_SERVENT_QRP_SLOTS        SV_SHARE_QRP_DEFAULT_SLOTS
#define SV_SERVENT_QRP_INFINITY     SV_QRP_GTKG_INFINITY
#define SV_SERVENT_LEAF_QUERY_TTL   3       /* a leaf's own searches (its ultrapeers re-plan them) */
#define SV_SERVENT_HIT_SPEED        1000    /* kbit/s announced in our hits */
#define SV_SERVENT_UHC_PINGS        8       /* UHC pings whose answers are awaited */
#define SV_SERVENT_UHC_ANSWER_US    (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC) /* then late */
#define SV_SERVENT_EARLY_CLOSE_US   (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC) /* an outgoing link
                                    * closed by the peer this soon counts as a failed attempt */
#define SV_SERVENT_MAX_ANSWERS      64      /* files answered for one query */
#define SV_SERVENT_MAX_SEARCHES     128     /* searches kept (stopped ones are evicted first) */
#define SV_SERVENT_SAVE_INTERVAL_S  60      /* host cache saved this often */
#define SV_SERVENT_TRIM_INTERVAL_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)   /* malloc_trim */
#define SV_SERVENT_PUSH_TTL         7       /* our own PUSHes */
#define SV_SERVENT_PUSH_AFTER_HIT_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC) /* a PUSH for us
                                    * is honoured from a link our hits went out on this recently */
#define SV_SERVENT_MAX_PUSH_PROXIES 4       /* ultrapeers acting as our push proxies, named in hits */
#define SV_SERVENT_MAX_PROXIED      4096    /* leaves we act as push proxy for */
#define SV_SERVENT_CONNECT_BACKS    4       /* connect-back requests sent while firewalled */
#define SV_SERVENT_DISCOVERY_TTL    2       /* the ping sent on a new link to fill the pong cache */
#define SV_SERVENT_RENDEZVOUS_ANSWERS 8     /* leaf: rendezvous answered at once */

typedef struct _SvSearch SvSearch;
typedef struct _SvLeafQuery SvLeafQuery;

struct _SvServent {
  GMainContext *context;
  char *state_dir;
  char *user_agent;
  SvServentConfig cfg;           /* scalars; pointers below are owned copies */
  SvLocalAddr local;             /* our addresses, the port bound, what peers see of us */
  SvHostAddr *seeds;
  SvBootstrap *bootstrap;        /* UDP host caches and GWebCaches */
  guint uhc_next;                /* the ping slot used next (round robin) */
  SvGuid uhc_muids[SV_SERVENT_UHC_PINGS];   /* pings whose pongs we believe */
  gint64 uhc_sent_us[SV_SERVENT_UHC_PINGS];
  SvHostAddr uhc_to[SV_SERVENT_UHC_PINGS];
  guint n_seeds;
  char **folders;
  gint64 qrp_update_us;

  GRand *rand;
  SvGuid guid;
  SvConnRole role;
  SvConnPolicy *policy;
  SvHostile *hostile;
  SvHostCache *hosts;
  SvAltLocs *alt_locs;           /* hosts known to serve files (uploads name them in X-Alt) */
  SvHostStore *host_store;
  SvRouter *router;
  SvRouterVerdict verdict;
  SvPongCache *pongs;
  SvListener *listener;
  gint64 orphan_since_us;        /* as a leaf: no ultrapeer link since (0: we have one) */
  gint64 leafless_since_us;      /* as an ultrapeer: no leaf since (0: we have one) */
  guint leaf_refusals;           /* our attempts refused by leaves since the last ultrapeer link */
  gboolean nothing_to_try;       /* the last tick found no host to dial and none in flight */
  SvLogLimit log_refused_in;     /* inbound connections we refused */
  SvLogLimit log_refused_out;    /* our attempts the peer refused */
  SvLogLimit log_failed_out;     /* our attempts that failed (no answer, reset, timeout) */

  SvLinkSet *link_set;           /* the peer links (owned) */
  SvUploads *uploads;            /* the upload service (owned) */
  SvConnectBack *connect_back;   /* dials for peers' connect-back requests (owned) */
  SvDownloads *downloads;        /* the download service (owned) */
  SvRendezvousBroker *broker;    /* meetings of firewalled downloaders with our leaves (owned) */
  SvHttpClient *rendezvous_http; /* leaf: our calls to the broker (owned) */
  GPtrArray *rendezvous_answers; /* leaf: rendezvous we are answering (owned) */
  guint64 rendezvous_answered;   /* leaf: connections opened by answering a rendezvous */
  guint64 rendezvous_failed;     /* leaf: answers that led to no connection */
  guint64 rendezvous_refused;    /* leaf: SVNT/1 not from a push proxy of ours, or too many */
  SvGivReader *giv_reader;       /* GIV lines of push callbacks (owned) */
  SvSyncs *syncs;                /* folder mirrors (owned; they fetch through downloads) */
  GHashTable *proxied;           /* ultrapeer: SvGuid of a leaf that asked us to be its push
                                  * proxy → guint64 link id (owned keys and values) */
  SvHostAddr push_proxies[SV_SERVENT_MAX_PUSH_PROXIES];  /* leaf: our push proxies */
  guint64 push_proxy_links[SV_SERVENT_MAX_PUSH_PROXIES];
  SvQhitHost push_proxy_hosts[SV_SERVENT_MAX_PUSH_PROXIES];   /* the same, as hits carry them */
  SvQhitHost6 push_proxy_hosts6[SV_SERVENT_MAX_PUSH_PROXIES]; /* those that listen on IPv6 too */
  guint n_push_proxies;
  guint handshakes_in;           /* incoming links not yet established */
  SvPortMap *port_map;           /* our port forwarded by the NAT's gateway (owned; NULL until
                                  * peers show a NAT) */
  GCancellable *port_map_cancel; /* the request in flight (owned) */
  guint port_map_timer;          /* the next request (source id on context; 0: none) */
  SvPortMapping port_mapping;    /* what the gateway granted (proto NONE: nothing) */
  guint64 port_map_requests;     /* requests made, renewals included */
  guint port_map_failures;       /* failed in a row */
  guint64 port_map_refused;      /* answers not used: failures, or an address peers do not see */
  char *port_map_error;          /* what the last failure said (owned; nullable) */

  SvShareLibrary *library;
  SvShareSet *share_set;         /* the shared folders with the run-time changes (owned) */
  gint64 trimmed_us;             /* the allocator's free pages were last handed back */
  SvShareQrp *share_qrp;
  SvQrpTable *our_table;         /* our files (last snapshot) */
  guint64 pong_files, pong_bytes; /* what our pongs announce: the index's counts, taken when
                                  * it changes rather than with a SQL count per ping */
  SvQrpTable *answer_table;      /* our files now: queries it refuses skip the index */
  guint64 answer_table_generation;
  SvQrpTable *lasthop_table;     /* ultrapeer: our files + our leaves' tables */
  gboolean lasthop_dirty;
  gint64 qrp_checked_us;

  GHashTable *searches;          /* guint64 id → SvSearch (owned) */
  GHashTable *search_by_muid;    /* SvGuid → SvSearch (borrowed) */
  GHashTable *subscriptions;     /* guint id → Subscription (owned) */
  GHashTable *leaf_queries;      /* SvGuid → SvLeafQuery (owned) */
  guint64 next_search_id;
  guint next_subscription;

  SvServentCounters counters;
  gint64 started_us;
  gint64 saved_us;
  guint tick_source;
  gboolean freeing;
};

/* servent-links.c */
gboolean sv_servent_links_start (SvServent *sv, GError **error);
void sv_servent_links_stop (SvServent *sv);
void sv_servent_links_tick (SvServent *sv, gint64 now_us);
void sv_servent_save_hosts (SvServent *sv);

/* servent-route.c */
/* Listens to the link set: a discovery ping on each new link, routes forgotten with it. */
void sv_servent_route_init (SvServent *sv);
void sv_servent_route_message (SvServent *sv, SvLink *link, const SvMsgHeader *hdr,
                               const guint8 *payload);
/* Asks the UDP host cache at @to for ultrapeers (a ping with SCP); its pongs are believed for
 * SV_SERVENT_UHC_ANSWER_US. Returns: FALSE if it could not be sent (no socket of that family). */
gboolean sv_servent_route_uhc_ping (SvServent *sv, const SvHostAddr *to, gint64 now);
void sv_servent_route_datagram (SvServent *sv, const SvHostAddr *from, const guint8 *data,
                                gsize len);
/* What our QueryHits say of us: announced address, speed, firewalled, browsable, GUID. */
void sv_servent_route_hit_own (SvServent *sv, SvQueryHitOwn *own);
/* A push-proxy request for the leaf @guid (HTTP /gnutella/push-proxy): send it a PUSH asking
 * it to connect to @to for @index. Returns: FALSE when @guid is not a leaf of ours. */
gboolean sv_servent_route_proxy_push (SvServent *sv, const SvGuid *guid, guint32 index,
                                      const SvHostAddr *to);
/* Sends a PUSH asking @servent to connect to us for @index, on the link its hits came by.
 * Returns: FALSE when no route is known. */
gboolean sv_servent_route_send_push (SvServent *sv, const SvGuid *servent, guint32 index);
/* Not known to be reachable: asks the peer on our outgoing @link to try our (announced) port,
 * within SV_SERVENT_CONNECT_BACKS. */
void sv_servent_route_ask_connect_back (SvServent *sv, SvLink *link);
/* Sends @msg on @link with the message GUID @guid (NULL: a new one). */
void sv_servent_route_send_vendor (SvServent *sv, SvLink *link, const SvVendorMsg *msg,
                                   const SvGuid *guid);
/* Sends a ping we originate on @link with @ttl, recorded so that its pongs come back to us. */
void sv_servent_route_send_ping (SvServent *sv, SvLink *link, guint8 ttl);
/* Sends a keep-alive ping (TTL 1) on @link: not recorded as a route; @link->ping_muid and
 * ping_sent_us remember it until its pong arrives. */
void sv_servent_route_send_keepalive (SvServent *sv, SvLink *link, gint64 now_us);

/* servent-rendezvous.c */
/* Makes the broker our uploads answer /gnutella/rendezvous with (before the uploads). */
void sv_servent_rendezvous_init (SvServent *sv);
void sv_servent_rendezvous_clear (SvServent *sv);
/* Asks the push proxy on @link where our call comes from (how our NAT maps ports). */
void sv_servent_rendezvous_probe (SvServent *sv, SvLink *link);
/* SVNT/1 (@relay FALSE) or SVNT/2 from @link: a downloader waits for us at that ultrapeer
 * with @token, to connect directly or through it; @ipv6 (SVNT/1 v2): it called over IPv6. */
void sv_servent_rendezvous_answer (SvServent *sv, SvLink *link, const SvGuid *token,
                                   gboolean relay, gboolean ipv6);

/* servent-portmap.c */
/* Asks the NAT's gateway to forward our port once peers show that we are behind a NAT (and the
 * configuration allows it); nothing otherwise. */
void sv_servent_port_map_consider (SvServent *sv);
/* Removes the mapping (bounded wait) and stops renewing it. */
void sv_servent_port_map_clear (SvServent *sv);

/* servent-qrp.c */
/* Also listens to the link set: tables go out to new links; a leaf's table leaving marks the
 * last-hop table for rebuilding. */
void sv_servent_qrp_init (SvServent *sv);
void sv_servent_qrp_clear (SvServent *sv);
/* Sends tables that are due (new links, changed tables). @force: ignore the update interval. */
void sv_servent_qrp_update (SvServent *sv, gint64 now_us, gboolean force);
/* A QRP message from @link. */
void sv_servent_qrp_receive (SvServent *sv, SvLink *link, const guint8 *payload, gsize len);

/* servent-search.c */
/* Also listens to the link set (dynamic queries learn of links coming and going). */
void sv_servent_search_init (SvServent *sv);
void sv_servent_search_clear (SvServent *sv);
void sv_servent_search_tick (SvServent *sv, gint64 now_us);
guint sv_servent_search_active_count (SvServent *sv);
/* A QueryHit for one of our searches (HANDLE_LOCAL). */
void sv_servent_search_hit (SvServent *sv, const SvMsgHeader *hdr, const SvQueryHit *hit);
/* A QueryHit relayed towards a leaf: counts results for its dynamic query. */
void sv_servent_search_routed_hit (SvServent *sv, const SvMsgHeader *hdr, const SvQueryHit *hit);
/* A leaf's query the router wants run as a dynamic query (hdr as received; @view: what
 * @payload asks for, transfer full). */
void sv_servent_search_leaf_query (SvServent *sv, SvLink *link, const SvMsgHeader *hdr,
                                   const guint8 *payload, SvQueryView *view);

