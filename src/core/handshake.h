/* handshake.h: the Gnutella 0.6 three-step handshake as a pure state machine.
 *
 * One SvHandshake per connection attempt, either side:
 * - outgoing: we send `GNUTELLA CONNECT/0.6` + our headers, read the peer's 200 (or 503, …) and
 *   send the final `GNUTELLA/0.6 200 OK` (or refuse);
 * - incoming: we read the CONNECT, answer 200 or 503/4xx, and read the peer's final 200.
 * The caller writes what sv_handshake_take_output() returns and feeds what it reads; the machine
 * decides roles (leaf / ultrapeer, leaf guidance), link compression per direction (§2.2) and
 * collects the peer's capabilities. We never offer TLS: a peer offering `Upgrade: TLS/1.0` gets a
 * plain link. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "handshake-headers.h"
#include "host-addr.h"
#include "limits.h"
#include "status.h"

/* Versions are packed as (major << 8) | minor: 0.2 is SV_HANDSHAKE_VERSION (0, 2). */
#define SV_HANDSHAKE_VERSION(major, minor) ((guint) (((major) << 8) | (minor)))

/* Codes we put on the wire when we refuse. */
#define SV_HANDSHAKE_CODE_OK 200
#define SV_HANDSHAKE_CODE_BAD_REQUEST 400
#define SV_HANDSHAKE_CODE_NO_USER_AGENT 403
#define SV_HANDSHAKE_CODE_BUSY 503

/* How the handshake reads the addresses in Listen-IP, X-My-Address, Node, Remote-IP and
 * X-Try-Ultrapeers with sv_host_addr_parse_full(): port 0 is what a firewalled peer announces
 * (`Listen-IP: 127.0.0.0:0`), and dotted quads with leading zeros ("010") are read as decimal. */
#define SV_HANDSHAKE_HOST_FLAGS \
  (SV_HOST_ADDR_PARSE_PORT_ZERO | SV_HOST_ADDR_PARSE_LEADING_ZEROS)

/* Parses a comma-separated X-Try-Ultrapeers list into @out (at most @max entries, the first ones
 * kept). Entries that do not parse or carry port 0 are skipped. Returns: the number stored. */
guint sv_handshake_parse_try_hosts (const char *value, SvHostAddr *out, guint max);

typedef enum {
  SV_HANDSHAKE_OUTGOING,    /* we connected: we send the CONNECT */
  SV_HANDSHAKE_INCOMING,    /* they connected: we answer */
} SvHandshakeDirection;

typedef enum {
  SV_HANDSHAKE_ROLE_UNKNOWN = 0,
  SV_HANDSHAKE_ROLE_LEAF,
  SV_HANDSHAKE_ROLE_ULTRAPEER,
} SvHandshakeRole;

typedef enum {
  SV_HANDSHAKE_FORCE_NONE = 0,   /* ultrapeer when capable, may take leaf guidance */
  SV_HANDSHAKE_FORCE_LEAF,
  SV_HANDSHAKE_FORCE_ULTRAPEER,  /* never takes leaf guidance */
} SvHandshakeForce;

typedef struct {
  gboolean ultrapeer_capable;    /* we may run as an ultrapeer */
  SvHandshakeForce force;
  guint leaf_count;              /* leaves connected to us now (as an ultrapeer) */
  guint leaf_target;             /* leaves we accept at most */
  guint up_count;                /* ultrapeer links we have now */
  guint up_target;               /* ultrapeer links we want (as a leaf: the UPs we keep) */
  const char *user_agent;        /* e.g. "servent/0.1.0"; required */
  SvGuid guid;                   /* our servent GUID */
  SvHostAddr listen;             /* our listening address; family 0 or port 0: firewalled */
  SvHostAddr remote;             /* the peer's address as we see it (Remote-IP); may be unset */
  gboolean deflate;              /* offer and accept link compression */
  guint qrp_version;             /* SV_HANDSHAKE_VERSION (0, 2) normally; 0 means 0.2 */
  guint degree;                  /* X-Degree; 0 means 32 */
  guint max_ttl;                 /* X-Max-TTL; 0 means SV_MSG_MAX_TTL */
  const SvHostAddr *try_hosts;   /* ultrapeers to offer (at most SV_HANDSHAKE_MAX_TRY_HOSTS sent) */
  guint n_try_hosts;
  gboolean ultrapeer_needed;     /* as an ultrapeer: X-Ultrapeer-Needed (we want more ultrapeers) */
  gboolean may_promote;          /* incoming, as a leaf: a leaf asking to join makes us its
                                  * ultrapeer instead of being refused (auto role, no ultrapeer
                                  * of our own to offer it) */
} SvHandshakeConfig;

typedef enum {
  SV_HANDSHAKE_NEED_MORE,     /* send the pending output, feed more input */
  SV_HANDSHAKE_ESTABLISHED,   /* the link is up: send the pending output, then messages */
  SV_HANDSHAKE_REFUSED,       /* a non-200 code was sent or received: send the output and close */
  SV_HANDSHAKE_FAILED,        /* broken handshake (see verdict): send the output (maybe a 400), close */
} SvHandshakeState;

/* What the handshake settled, filled as the steps arrive. Strings are owned by the handshake. */
typedef struct {
  SvHandshakeRole our_role;        /* our role on this link */
  SvHandshakeRole peer_role;
  gboolean we_became_leaf;         /* outgoing: we took the peer's leaf guidance */
  gboolean peer_became_leaf;       /* incoming: the peer took our leaf guidance */
  gboolean we_promoted;            /* incoming: a leaf asked to join and we took it as its
                                    * ultrapeer (config.may_promote) */
  gboolean ultrapeer_needed;       /* the peer's X-Ultrapeer-Needed (TRUE when absent) */
  gboolean deflate_in;             /* the peer's stream to us is deflated */
  gboolean deflate_out;            /* our stream to the peer is deflated */
  guint peer_version;              /* from the request or status line, packed */
  guint qrp_version;               /* negotiated X-Query-Routing (0: none), packed */
  gboolean up_query_routing;       /* X-Ultrapeer-Query-Routing */
  gboolean ggep;                   /* GGEP */
  gboolean vendor_messages;        /* Vendor-Message */
  gboolean bye_packet;             /* Bye-Packet */
  gboolean pong_caching;           /* Pong-Caching */
  guint degree;                    /* X-Degree (0: not sent) */
  guint max_ttl;                   /* X-Max-TTL, clamped to SV_MSG_MAX_TTL (0: not sent) */
  gboolean dynamic_querying;       /* X-Dynamic-Querying */
  gboolean ext_probes;             /* X-Ext-Probes */
  gboolean tls_offered;            /* the peer offered Upgrade: TLS/1.0 (ignored) */
  gboolean has_guid;
  SvGuid guid;                     /* the peer's servent GUID */
  const char *user_agent;          /* (nullable) */
  gboolean firewalled;             /* empty Node:, or a listen port of 0 */
  SvHostAddr listen;               /* Listen-IP / Node / X-My-Address (family 0: unknown) */
  SvHostAddr seen_as;              /* Remote-IP: our address as the peer sees it (family 0: none) */
  SvHostAddr *try_hosts;           /* (nullable) X-Try-Ultrapeers, n_try_hosts of them (at most
                                    * SV_HANDSHAKE_MAX_TRY_HOSTS); allocated only when sent */
  guint n_try_hosts;
  guint code;                      /* the refusal code (REFUSED), else 0 or 200 */
  const char *reason;              /* (nullable) the refusal reason */
  gboolean refused_by_us;          /* REFUSED: we sent the code (else the peer did) */
  SvStatus verdict;                /* FAILED: why */
} SvHandshakeResult;

typedef struct _SvHandshake SvHandshake;

/* @config is copied (strings and the try-host list too). An outgoing handshake queues its
 * CONNECT at once. Returns: (transfer full). */
SvHandshake *sv_handshake_new (SvHandshakeDirection direction, const SvHandshakeConfig *config);
void sv_handshake_free (SvHandshake *hs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvHandshake, sv_handshake_free)

/* Feeds bytes read from the peer. @consumed receives how many belong to the handshake: once
 * ESTABLISHED, bytes past it are the start of the peer's message stream (inflate them when
 * deflate_in). In a final state nothing more is taken. */
SvHandshakeState sv_handshake_feed (SvHandshake *hs, const guint8 *data, gsize len, gsize *consumed);

/* Returns: (transfer full) (nullable) the bytes to send now, or NULL when none are pending. */
GBytes *sv_handshake_take_output (SvHandshake *hs);

SvHandshakeState sv_handshake_state (const SvHandshake *hs);

/* How far the peer has got in sending its first header block (admission under a flood prefers
 * to drop the handshakes that have sent the least). */
typedef enum {
  SV_HANDSHAKE_PROGRESS_NONE = 0,   /* its first line is not complete */
  SV_HANDSHAKE_PROGRESS_FIRST_LINE, /* the first line, no complete header line */
  SV_HANDSHAKE_PROGRESS_HEADERS,    /* header lines, the blank line not yet */
  SV_HANDSHAKE_PROGRESS_BLOCK,      /* its whole block is in: it is answered or has answered */
} SvHandshakeProgress;

SvHandshakeProgress sv_handshake_progress (const SvHandshake *hs);
/* Returns: (transfer none) the negotiated values so far; valid until sv_handshake_free(). */
const SvHandshakeResult *sv_handshake_result (const SvHandshake *hs);

/* The refusal an incoming handshake would send, without reading the peer's CONNECT: the status line
 * with @code and @reason, our User-Agent and role, Remote-IP and (for 503) X-Try-Ultrapeers from
 * @config. For a connection refused before its handshake starts (too many in progress).
 * Returns: (transfer full). */
GBytes *sv_handshake_refusal (const SvHandshakeConfig *config, guint code, const char *reason);

/* Returns: (transfer none) a lower-case name: "need-more", "established", "refused", "failed". */
const char *sv_handshake_state_name (SvHandshakeState state);
/* Returns: (transfer none) "leaf", "ultrapeer" or "unknown". */
const char *sv_handshake_role_name (SvHandshakeRole role);
