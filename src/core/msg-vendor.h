/* msg-vendor.h: vendor message payloads (0x31, and 0x32 which uses the same layout).
 *
 * Every vendor message starts with vendor ID (4 bytes, ASCII, case-sensitive; all zero for the
 * "null" vendor), selector (LE16) and version (LE16). The messages this servent uses are decoded
 * into typed fields; layouts follow gtk-gnutella's vmsg.c:
 *
 *   null/0   Messages Supported   count LE16, count x [vendor 4, selector LE16, version LE16]
 *   null/10  Features Supported   count LE16, count x [name 4, version LE16]
 *   LIME/21  Push-Proxy Request   v1, v2: empty (the message GUID is the requester's servent GUID)
 *   LIME/22  Push-Proxy Ack       v1: port LE16 (address = the link's); v2: IPv4 BE + port LE16
 *   BEAR/4   Hops Flow            v1: 1 byte
 *   BEAR/7   TCP Connect-Back     v1: port LE16
 *   GTKG/7   UDP Connect-Back     v1: port LE16 + 16-byte GUID to ping back with;
 *                                 v2: port LE16 only (the message GUID is that GUID)
 *   LIME/11  OOB Reply Ack        v2: hits wanted (1 byte); v3: the same + GGEP "SO" token
 *   LIME/12  OOB Reply Indication v1: hits (1 byte); v2, v3: hits + flags (bit 0: can receive
 *                                 unsolicited UDP); v3 means secure OOB (an optional GGEP block
 *                                 after the two bytes is decoded too)
 *   SVNT/1   Rendezvous           v1: a 16-byte token. From an ultrapeer to its firewalled leaf:
 *                                 a firewalled downloader waits at that ultrapeer; the leaf is
 *                                 to call GET /gnutella/rendezvous?token=… there (this servent's
 *                                 own message; others ignore it). v2: the same, when the
 *                                 downloader called over IPv6: the leaf calls over IPv6 too
 *   SVNT/2   Relay                v1: a 16-byte token. The same, when the two could not connect:
 *                                 the leaf is to call GET /gnutella/relay?token=… there
 *
 * Any other vendor, selector or version decodes as SV_VENDOR_GENERIC with its raw body. Bytes
 * after a known layout are tolerated (as gtk-gnutella does) and kept in @trailing, so every
 * decoded message re-encodes to identical bytes. Payload only: the header is msg-header.h's. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "ggep.h"
#include "guid.h"
#include "limits.h"
#include "status.h"

#define SV_VENDOR_HEADER_SIZE 8
#define SV_VENDOR_SUPPORTED_ENTRY_SIZE 8
#define SV_VENDOR_FEATURE_ENTRY_SIZE 6
#define SV_VENDOR_OOB_FLAG_UNSOLICITED 0x01   /* LIME/12 flags: can receive unsolicited UDP */

/* Selectors. */
#define SV_VENDOR_SEL_MESSAGES_SUPPORTED 0
#define SV_VENDOR_SEL_FEATURES_SUPPORTED 10
#define SV_VENDOR_SEL_HOPS_FLOW 4             /* BEAR */
#define SV_VENDOR_SEL_TCP_CONNECT_BACK 7      /* BEAR */
#define SV_VENDOR_SEL_UDP_CONNECT_BACK 7      /* GTKG */
#define SV_VENDOR_SEL_OOB_REPLY_ACK 11        /* LIME */
#define SV_VENDOR_SEL_OOB_REPLY_IND 12        /* LIME */
#define SV_VENDOR_SEL_PUSH_PROXY_REQ 21       /* LIME */
#define SV_VENDOR_SEL_PUSH_PROXY_ACK 22       /* LIME */
#define SV_VENDOR_SEL_RENDEZVOUS 1            /* SVNT */
#define SV_VENDOR_SEL_RELAY 2                 /* SVNT */

typedef enum {
  SV_VENDOR_GENERIC = 0,            /* not decoded: @trailing holds the whole body */
  SV_VENDOR_MESSAGES_SUPPORTED,
  SV_VENDOR_FEATURES_SUPPORTED,
  SV_VENDOR_PUSH_PROXY_REQ,
  SV_VENDOR_PUSH_PROXY_ACK,
  SV_VENDOR_HOPS_FLOW,
  SV_VENDOR_TCP_CONNECT_BACK,
  SV_VENDOR_UDP_CONNECT_BACK,
  SV_VENDOR_OOB_REPLY_ACK,
  SV_VENDOR_OOB_REPLY_IND,
  SV_VENDOR_RENDEZVOUS,
  SV_VENDOR_RELAY,
} SvVendorKind;

typedef struct {
  guint8 vendor[4];
  guint16 selector;
  guint16 version;
} SvVendorSupported;

typedef struct {
  guint8 name[4];
  guint16 version;
} SvVendorFeature;

typedef struct {
  guint8 vendor[4];       /* as on the wire; "\0\0\0\0" is the null vendor */
  guint16 selector;
  guint16 version;
  SvVendorKind kind;

  /* Typed body; which fields are meaningful depends on @kind. */
  GArray *supported;      /* (owned) (nullable) of SvVendorSupported: MESSAGES_SUPPORTED */
  GArray *features;       /* (owned) (nullable) of SvVendorFeature: FEATURES_SUPPORTED */
  guint8 ip[4];           /* PUSH_PROXY_ACK v2 (network order) */
  guint16 port;           /* PUSH_PROXY_ACK, TCP_CONNECT_BACK, UDP_CONNECT_BACK */
  SvGuid guid;            /* UDP_CONNECT_BACK v1; RENDEZVOUS, RELAY: the token */
  guint8 hops;            /* HOPS_FLOW: only queries with hops below this; 0 = none */
  guint8 hits;            /* OOB_REPLY_ACK (hits wanted), OOB_REPLY_IND (hits held) */
  guint8 flags;           /* OOB_REPLY_IND v2+ */
  SvGgep *ggep;           /* (owned) (nullable) OOB_REPLY_ACK / OOB_REPLY_IND v3 */
  GBytes *trailing;       /* (owned) (nullable) bytes after the typed layout (GENERIC: the body) */
} SvVendorMsg;

/* Returns: SV_STATUS_OK with @out (transfer full); SV_STATUS_TRUNCATED under 8 bytes or when a
 * known message is shorter than its layout; SV_STATUS_TOO_BIG for a supported list longer than
 * SV_VENDOR_MAX_SUPPORTED_ENTRIES; the GGEP verdict for a bad block (@out NULL then). */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_vendor_msg_decode (const guint8 *payload, gsize len, SvVendorMsg **out);
/* Appends the 8-byte vendor header, the typed body and the trailing bytes to @out. */
void sv_vendor_msg_encode (const SvVendorMsg *msg, GByteArray *out);
void sv_vendor_msg_free (SvVendorMsg *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvVendorMsg, sv_vendor_msg_free)

/* Returns: (transfer none) "messages-supported", "push-proxy-ack", … or "generic". */
const char *sv_vendor_kind_name (SvVendorKind kind);

/* For LIME/11 v3: the GGEP "SO" token. Returns: (transfer none) (nullable) its bytes. */
const guint8 *sv_vendor_msg_oob_token (const SvVendorMsg *msg, gsize *len);

/* Keys: vendor, selector, version, name, then per kind: messages ["VEND/selvver"],
 * features ["NAME/ver"], ip, port, guid, hops, hits, can_receive_unsolicited, secure, token,
 * ggep [ids], trailing (hex), body (hex, generic). */
void sv_vendor_msg_describe (const SvVendorMsg *msg, SvFields *out);

/* Builders for the messages we send. Each returns (transfer full). The caller sets the message
 * GUID in the header where the message needs one (LIME/21 and LIME/22: the leaf's servent GUID). */
SvVendorMsg *sv_vendor_msg_new_messages_supported (const SvVendorSupported *entries, guint n);
SvVendorMsg *sv_vendor_msg_new_features_supported (const SvVendorFeature *features, guint n);
/* @version 1 or 2 (gtk-gnutella sends 1 and answers every version with an ack v2). */
SvVendorMsg *sv_vendor_msg_new_push_proxy_req (guint16 version);
/* Push-proxy ack v2: our IPv4 (network order) and port. */
SvVendorMsg *sv_vendor_msg_new_push_proxy_ack (const guint8 ip[4], guint16 port);
SvVendorMsg *sv_vendor_msg_new_hops_flow (guint8 hops);
SvVendorMsg *sv_vendor_msg_new_tcp_connect_back (guint16 port);
/* SVNT/1 v1 (@relay FALSE) or SVNT/2 v1 (@relay TRUE) carrying @token. */
SvVendorMsg *sv_vendor_msg_new_rendezvous (const SvGuid *token, gboolean relay);
/* v1 with @guid in the payload; v2 (port only, GUID in the header) when @guid is NULL. */
SvVendorMsg *sv_vendor_msg_new_udp_connect_back (guint16 port, const SvGuid *guid);
/* LIME/12: v3 when @secure, else v2. */
SvVendorMsg *sv_vendor_msg_new_oob_reply_ind (guint8 hits, gboolean can_receive_unsolicited,
                                              gboolean secure);
/* LIME/11: v3 with GGEP "SO" = @token when @token_len > 0, else v2. */
SvVendorMsg *sv_vendor_msg_new_oob_reply_ack (guint8 hits, const guint8 *token, gsize token_len);
