/* servent.h: the running servent: owns the listener, the peer links, the router, the host cache,
 * the share library, its QRP table and the searches, all on one GLib main context.
 *
 * This is the composition root's heart: it turns callbacks from the net adapters into calls to
 * the pure core (router, conn-policy, host-cache, dyn-query, handshake) and carries out their
 * verdicts. main.c builds an SvServentConfig from flags and the config file; the control API
 * (control-api.c) reads the snapshots below and starts and stops searches. */
#pragma once

#include <gio/gio.h>

#include "connect-back.h"
#include "rendezvous-broker.h"
#include "conn-policy.h"
#include "download-plan.h"
#include "guid.h"
#include "host-addr.h"
#include "urn.h"

typedef struct {
  /* Where things live. */
  const char *state_dir;             /* host cache DB, share index, servent GUID (created 0700) */
  const char *download_dir;          /* finished downloads (NULL: <state_dir>/downloads) */
  /* Network. */
  const SvHostAddr *listen;          /* addresses to bind; port 0 picks one */
  guint n_listen;
  const SvHostAddr *peers;           /* --peer seeds */
  guint n_peers;
  const SvHostAddr *udp_host_caches; /* asked for ultrapeers (UDP ping with SCP) while links
                                      * are missing; only their answers are believed */
  guint n_udp_host_caches;
  const char *const *bootstrap;      /* (nullable) NULL-terminated bootstrap entries (UDP host
                                      * caches by name, GWebCache URLs), asked when no known host
                                      * is left to try; NULL: none */
  SvConnRoleMode role_mode;          /* --ultrapeer / --leaf / auto */
  gboolean lan;                      /* --lan: loopback and private addresses are fine */
  gboolean deflate;                  /* offer/accept link compression [TRUE] */
  guint leaf_min_ultrapeers;         /* 0: conn-policy default (3) */
  guint leaf_max_ultrapeers;         /* 0: default (4) */
  guint up_min_ultrapeers;           /* 0: default (32) */
  guint up_max_ultrapeers;           /* 0: default (32) */
  guint up_max_leaves;               /* 0: default (300) */
  guint accept_per_ip;               /* connects per address per minute before a ban; 0: default */
  gint64 handshake_timeout_us;       /* 0: peer-conn default (20 s) */
  gint64 idle_ping_us;               /* 0: conn-policy default */
  gint64 reconnect_interval_us;      /* connection manager tick; 0: 1 s */
  gint64 promote_after_us;           /* auto role: a leaf with no ultrapeer to join for this long
                                      * promotes itself (see conn-policy.h); 0: default (20 s) */
  gint64 demote_after_us;            /* auto role: an ultrapeer with no leaf for this long among
                                      * enough ultrapeers becomes a leaf; 0: default (15 min) */
  const char *hostile_file;          /* (nullable) hostile-address list; NULL: the installed one */
  /* Shares. */
  const char *const *shares;         /* NULL-terminated share folders (nullable: none) */
  gboolean watch;                    /* live sync [TRUE] */
  guint debounce_ms;                 /* 0: library default */
  guint rescan_interval_s;           /* 0: none */
  /* Uploads. */
  guint upload_slots;                /* uploads at once; 0: upload-policy default (8) */
  guint upload_slots_per_address;    /* 0: default (2) */
  guint upload_queue;                /* requesters queued; 0: default (64) */
  guint upload_rate_kib;             /* upload bandwidth in KiB/s, all uploads; 0: no limit */
  gboolean relay;                    /* relay for two firewalled hosts when reachable [TRUE] */
  gboolean upnp;                     /* ask a UPnP IGD to forward our port when behind NAT [TRUE] */
  gboolean natpmp;                   /* … or a NAT-PMP gateway [TRUE] */
  guint relay_streams;               /* relayed transfers at once; 0: default (4) */
  guint relay_rate_kib;              /* KiB/s all relays together; 0: default (512) */
  /* Identity. */
  const char *user_agent;            /* NULL: "servent/<version>" */
  /* Tuning (tests shorten these). */
  guint qrp_update_ms;               /* how often a changed QRP table is re-sent; 0: 5000 */
} SvServentConfig;

void sv_servent_config_init (SvServentConfig *config);

typedef struct _SvServent SvServent;

/* Opens the state (host cache, share index), binds the listener, starts connecting. Everything
 * runs on the thread-default main context. Returns: (transfer full) or NULL with @error set
 * (port in use, unreadable state dir, …). */
SvServent *sv_servent_new (const SvServentConfig *config, GError **error);
/* Says Bye 200 to every peer, saves the host cache, closes the index. */
void sv_servent_free (SvServent *servent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvServent, sv_servent_free)

/* --- Snapshots for the control API and logs --- */

typedef struct {
  guint64 queries_received;          /* Query messages that arrived on any link */
  guint64 queries_handled;           /* distinct queries handled locally (matched against shares) */
  guint64 queries_forwarded;         /* Query copies sent to peers */
  guint64 queries_duplicate;         /* dropped as duplicates */
  guint64 queries_qrp_blocked;       /* not sent to a leaf because its QRP table refused them */
  guint64 hits_sent;                 /* QueryHit messages we built for our files */
  guint64 hits_routed;               /* QueryHit messages relayed on the reverse path */
  guint64 hits_received;             /* QueryHit messages for our own searches */
  guint64 dropped[16];               /* per SvRouteDropReason (first SV_ROUTE_DROP_N_REASONS) */
  guint64 peers_kicked;              /* links we closed for misbehaviour (Bye 4xx/502, oversize,
                                      * inflate, handshake garbage or timeout) */
  guint64 closed[16];                /* per SvPeerConnCloseReason */
  guint64 accept_rejected;           /* inbound connects refused by the per-IP throttle or ban */
  guint64 refused_busy;              /* inbound handshakes answered 503 */
  guint64 refused_addr_cap;          /* ...because their address held its share of handshakes */
  guint64 refused_net_cap;           /* ...because their /24 or /64 held its share */
  guint64 handshakes_evicted;        /* slow handshakes closed to make room for a newcomer */
  guint64 handshake_timeouts;        /* inbound handshakes past a deadline (first line or whole) */
  guint64 sniff_evicted;             /* silent connections closed to make room (the listener) */
  guint64 sniff_timeouts;            /* connections that sent nothing classifiable in time */
  guint64 sniff_refused;             /* connections closed at accept (ban, hostile, caps) */
  guint64 retries_busy;              /* our attempts refused 503 or closed mid-handshake: the
                                      * host is alive and retried soon */
  guint64 duplicate_links;           /* links closed as a second one with the same servent (its
                                      * other IP family, both dialled, or ourselves) */
  guint64 qrp_tables_sent;           /* RESET+PATCH sequences sent */
  guint64 qrp_tables_received;       /* complete tables received from peers */
  guint64 giv_unmatched;             /* GIVs no download was waiting for */
  guint64 pushes_unsolicited;        /* PUSHes for us from a link no hit of ours went out on */
} SvServentCounters;

typedef struct {
  SvGuid guid;
  gboolean ultrapeer;                /* our current role */
  guint16 port;                      /* the bound port */
  gint64 started_us;                 /* g_get_monotonic_time() at start */
  guint ultrapeers, leaves, connecting;
  guint host_cache_size;
  guint route_entries;               /* (MUID, type) routes kept for replies and duplicates */
  guint push_routes;                 /* servent GUID routes kept for PUSHes */
  guint64 shared_files, shared_bytes;
  gboolean scanning;                 /* the library is not idle */
  guint searches;                    /* searches open */
  SvServentCounters counters;
} SvServentStatus;

void sv_servent_get_status (SvServent *servent, SvServentStatus *out);

typedef struct {
  guint64 id;
  SvHostAddr remote;                 /* socket address */
  SvHostAddr listen;                 /* its announced listening address (family 0: unknown) */
  gboolean outgoing;
  gboolean ultrapeer;                /* the peer's role */
  char *user_agent;                  /* (nullable) owned */
  gint64 connected_us;               /* established at (monotonic) */
  gboolean deflate_in, deflate_out;
  guint64 bytes_in, bytes_out;       /* message bytes */
  guint64 wire_bytes_in, wire_bytes_out;
  guint64 msgs_in, msgs_out;
  gsize queued_bytes;
  gboolean qrp_table;                /* a QRP table was received from it */
  guint qrp_fill_permille;           /* its table's fill */
} SvServentPeer;

/* Returns: (transfer full) (element-type SvServentPeer) established links; the array clears its
 * elements. */
GArray *sv_servent_get_peers (SvServent *servent);

/* --- Searches --- */

typedef struct {
  guint64 search_id;
  char *name;                        /* owned */
  guint64 size;
  gboolean has_sha1;
  SvSha1 sha1;
  SvHostAddr addr;                   /* where to download from */
  SvHostAddr addr6;                  /* the same host over IPv6 (GGEP "6"; family 0: none) */
  gboolean firewalled;               /* the host needs a PUSH */
  SvGuid servent;                    /* the responder's servent GUID */
  char vendor[5];                    /* NUL-terminated vendor code, "" when none */
  guint32 index;                     /* file index for /get/ */
  guint8 hops;                       /* the responder's distance: 1 for a neighbour (wire hops + 1) */
  guint number;                      /* its place in the search's hits, from 1 */
  guint n_push_proxies;              /* firewalled: hosts that relay a PUSH to it (GGEP PUSH) */
  SvHostAddr push_proxies[4];
  guint n_push_proxies6;             /* … those of them reachable over IPv6 (GGEP PUSH6) */
  SvHostAddr push_proxies6[4];
} SvSearchHit;

void sv_search_hit_clear (SvSearchHit *hit);

typedef struct {
  guint8 ttl;                        /* 0: dynamic query (ultrapeer) / leaf default; else one
                                      * flood with this TTL (clamped to the max TTL) */
  guint max_results;                 /* stop collecting after this many; 0: 150 */
  gboolean background;               /* started by the daemon (more sources for a download):
                                      * never the latest search `servent get N` refers to */
} SvSearchOptions;

/* Called on the main context for each hit of search @search_id as it arrives, and once with
 * @hit NULL when the search ends (stopped or freed). */
typedef void (*SvSearchHitFunc) (const SvSearchHit *hit, gpointer user_data);

/* Starts a keyword search (or "urn:sha1:…"). Returns: its id (never 0), or 0 with @error set
 * (no usable word). @muid: (out) (optional) the query's MUID. */
guint64 sv_servent_search_start (SvServent *servent, const char *words, const SvSearchOptions *options,
                                 SvGuid *muid, GError **error);
/* Returns: FALSE if no such search. Subscribers get their final NULL call. */
gboolean sv_servent_search_stop (SvServent *servent, guint64 search_id);

/* Returns: (transfer full) (element-type SvSearchHit) (nullable) the hits so far, NULL when there
 * is no such search. */
GArray *sv_servent_search_hits (SvServent *servent, guint64 search_id);

/* Calls @func for every later hit of @search_id. Returns: a subscription id (never 0), or 0 when
 * there is no such search or it has ended (then neither @func nor @destroy is called: the
 * caller still owns @user_data). @destroy is called on @user_data when the subscription ends. */
guint sv_servent_search_subscribe (SvServent *servent, guint64 search_id, SvSearchHitFunc func,
                                   gpointer user_data, GDestroyNotify destroy);
void sv_servent_search_unsubscribe (SvServent *servent, guint subscription);

typedef struct {
  guint64 id;
  char *words;                       /* owned */
  SvGuid muid;
  guint hits;
  gboolean active;
  gint64 started_us;
} SvServentSearch;

/* Returns: (transfer full) (element-type SvServentSearch) open searches; clears its elements. */
GArray *sv_servent_get_searches (SvServent *servent);

/* Fills @out with the download sources @hit names: the host over IPv6 first when the hit gave
 * an IPv6 address (and it is not firewalled), then over IPv4. Returns: how many (1 or 2). */
guint sv_download_sources_from_hit (SvDownloadSourceInfo out[2], const SvSearchHit *hit);

/* Returns: the id of the newest search a user started (0: none). */
guint64 sv_servent_search_latest (SvServent *servent);

/* --- Transfers --- */

typedef struct _SvDownloads SvDownloads;
typedef struct _SvUploads SvUploads;
typedef struct _SvSyncs SvSyncs;
/* Returns: (transfer none) the services (they live as long as the servent). */
SvDownloads *sv_servent_downloads (SvServent *servent);
/* Returns: (transfer none) the folder mirrors. */
SvSyncs *sv_servent_syncs (SvServent *servent);
SvUploads *sv_servent_uploads (SvServent *servent);
/* The connect-back requests we answered (TCP dials, UDP pings) and refused. */
void sv_servent_connect_back_counters (SvServent *servent, SvConnectBackCounters *out);

/* Rendezvous between firewalled hosts: as broker (for our leaves) and as the leaf answering. */
typedef struct {
  SvRendezvousBrokerCounters broker;
  guint64 answered;       /* connections opened by answering a push proxy's SVNT/1 */
  guint64 answer_failed;  /* answers that led to no connection */
  guint64 answer_refused; /* SVNT/1 not from a push proxy of ours, or too many at once */
} SvServentRendezvousCounters;
void sv_servent_rendezvous_counters (SvServent *servent, SvServentRendezvousCounters *out);

/* Whether peers can reach us: "reachable", "firewalled", "firewalled-nat" or "unknown", one line of
 * evidence (@why, @why_len bytes) and the address we announce. */
const char *sv_servent_reachability (SvServent *servent, char *why, gsize why_len,
                                     SvHostAddr *announced);
/* Our port forwarded by the NAT's gateway (servent-portmap.c). */
typedef struct {
  const char *protocol;     /* (transfer none) "UPnP IGD", "NAT-PMP" or "none" */
  SvHostAddr external;      /* where the gateway forwards from (family 0: nothing forwarded) */
  guint lease_s;            /* granted lease (0: permanent) */
  gboolean udp;             /* the UDP port too */
  guint64 requests;         /* asked for, renewals included */
  guint64 refused;          /* failed, or named an address peers do not see us at */
  const char *error;        /* (transfer none) (nullable) the last failure */
} SvServentPortMap;
void sv_servent_port_map_status (SvServent *servent, SvServentPortMap *out);

/* How we are reached (sv_local_nat_name: "public", "mapped", "firewall", "nat",
 * "port-preserving-nat", "port-randomising-nat", "unknown"), with one line of evidence. */
const char *sv_servent_nat (SvServent *servent, char *why, gsize why_len);

/* --- Shares --- */

typedef struct {
  char **folders;                    /* owned, NULL-terminated */
  guint64 files, bytes;
  gboolean scanning;
  guint64 files_hashed, bytes_hashed, unreadable;
  guint qrp_fill_permille;           /* our QRP table's fill */
} SvServentShares;

void sv_servent_get_shares (SvServent *servent, SvServentShares *out);
void sv_servent_shares_clear (SvServentShares *shares);
/* Queues a full rescan of the share folders. */
void sv_servent_rescan (SvServent *servent);
/* The settings were read again (SIGHUP): the shared folders, the hostile list (the same file)
 * and the upload rate follow @config; the rest keeps its start-up value until a restart. */
void sv_servent_reload (SvServent *servent, const SvServentConfig *config);
/* Shares @folder from now on (and after restarts), or stops sharing it (share-set.h).
 * Returns: FALSE with @error (SV_SHARE_SET_ERROR_*) when nothing changed. */
gboolean sv_servent_share_add (SvServent *servent, const char *folder, GError **error);
gboolean sv_servent_share_remove (SvServent *servent, const char *folder, GError **error);
