/* link-set.h: the servent's peer links, owned in one place.
 *
 * Each link wraps one SvPeerConn (owned) with what the handshake settled and what the servent
 * keeps per peer: its role, capabilities, the QRP table it sent us and the one it has from us.
 * The set sends and kicks, counts links per role, keeps the array the router reads (rebuilt when
 * a link comes up, goes away or gets a new QRP table, never per message), and tells listeners
 * when a link comes up and before it is freed. The servent's other rooms (routing, QRP, searches)
 * reach links only through here. */
#pragma once

#include <glib.h>

#include "conn-policy.h"
#include "host-addr.h"
#include "msg-header.h"
#include "peer-conn.h"
#include "qrp-patch.h"
#include "router.h"
#include "send-queue.h"

typedef struct _SvLinkSet SvLinkSet;

typedef struct {
  SvPeerConn *conn;              /* owned */
  guint64 id;
  gboolean outgoing;
  gboolean established;
  gboolean seed;                 /* dialed a --peer seed */
  gboolean role_mismatch;        /* closing: negotiated under a role we left */
  gboolean evicted;              /* closing: its handshake place went to a newcomer */
  gboolean duplicate;            /* closing: a second link with the same servent */
  gboolean has_peer_guid;
  SvGuid peer_guid;              /* the servent GUID its handshake named */
  SvHostAddr dialed;             /* outgoing: the address we dialed */
  SvHostAddr remote;             /* the socket's peer address */
  SvHostAddr listen;             /* the peer's listening address (family 0: unknown) */
  SvHostAddr listen6;            /* its IPv6 one, from its own pong's GGEP "6" (family 0: none) */
  gboolean ultrapeer;            /* the peer's role on this link */
  gboolean ultrapeer_needed;     /* the peer's X-Ultrapeer-Needed */
  gint64 established_us;
  gint64 ping_sent_us;           /* keep-alive ping waiting for its pong; 0: none */
  SvGuid ping_muid;
  gint64 hit_sent_us;            /* we last sent a QueryHit of ours on it (0: never) */
  gboolean push_proxy;           /* the peer is one of our push proxies */
  char *user_agent;
  gboolean deflate_in, deflate_out;
  guint degree, max_ttl;
  gboolean ggep, ext_probes, up_query_routing;
  guint qrp_version;             /* negotiated X-Query-Routing (0: none) */
  SvQrpReceiver *qrp_rx;         /* tables the peer sends us (owned) */
  SvQrpTable *qrp_sent;          /* the table the peer has from us (owned; NULL: none yet) */
} SvLink;

typedef struct {
  /* @link is established now. */
  void (*up) (SvLink *link, gpointer user_data);
  /* @link is about to be freed (it may never have been established). */
  void (*closed) (SvLink *link, gpointer user_data);
} SvLinkListener;

/* Returns: (transfer full). */
SvLinkSet *sv_link_set_new (void);
/* Frees every link left (no listener is told). */
void sv_link_set_free (SvLinkSet *set);

/* Listeners are told in the order they were added. @listener is copied. */
void sv_link_set_listen (SvLinkSet *set, const SvLinkListener *listener, gpointer user_data);

/* Takes @conn (transfer full). Returns: (transfer none) the new link, not yet established. */
SvLink *sv_link_set_add (SvLinkSet *set, SvPeerConn *conn, gboolean outgoing);
/* Returns: (transfer none) (nullable). */
SvLink *sv_link_set_lookup (const SvLinkSet *set, guint64 id);
/* Marks @link established (its fields filled by the caller) and tells the up listeners. */
void sv_link_set_established (SvLinkSet *set, SvLink *link);
/* Tells the closed listeners, then frees @link (and its connection). */
void sv_link_set_remove (SvLinkSet *set, SvLink *link);

/* Established links, in the order they came up. Valid until the set changes.
 * Returns: (transfer none) (array length=n_out). */
SvLink *const *sv_link_set_up (const SvLinkSet *set, guint *n_out);
/* Every link, established or not. Returns: (transfer container) (element-type SvLink). */
GPtrArray *sv_link_set_all (const SvLinkSet *set);
guint sv_link_set_size (const SvLinkSet *set);

void sv_link_set_counts (const SvLinkSet *set, SvConnCounts *out);

/* The router's view of the established links (element-type SvRouterPeer), kept current.
 * Returns: (transfer none). */
const GArray *sv_link_set_router_peers (const SvLinkSet *set);
/* The table @link sent us (NULL: none yet). */
const SvQrpTable *sv_link_set_qrp (const SvLink *link);
/* @link's QRP table changed (a new one completed): the router's view follows. */
void sv_link_set_qrp_changed (SvLinkSet *set, SvLink *link);

/* Queues @msg (transfer none, shared by every link it goes to) on an established link.
 * Returns: FALSE if the link was kicked for not keeping up (Bye 502). */
gboolean sv_link_set_send_bytes (SvLinkSet *set, SvLink *link, GBytes *msg, guint8 hops,
                                 SvSendClass klass);
/* Encodes and queues one message. Returns: as sv_link_set_send_bytes(). */
gboolean sv_link_set_send (SvLinkSet *set, SvLink *link, const SvMsgHeader *hdr,
                           const guint8 *payload, gsize len, SvSendClass klass);
/* Says Bye @code @reason and closes (closed follows). Logged and counted as a kick. */
void sv_link_set_kick (SvLinkSet *set, SvLink *link, guint16 code, const char *reason);
/* Links closed for misbehaviour or for not keeping up. */
guint64 sv_link_set_kicked (const SvLinkSet *set);
/* Counts one more kick decided elsewhere (a close reason that is misbehaviour). */
void sv_link_set_count_kick (SvLinkSet *set);
