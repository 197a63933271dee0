/* msg-header.h: the 23-byte Gnutella message header, payload types, framing caps and TTL/hops rules.
 *
 * Pure: bytes in, a struct or a verdict out. The framer decides, from the header alone, whether a
 * payload may be read at all, so an oversize length is refused before anything is allocated. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "limits.h"
#include "status.h"

typedef enum {
  SV_MSG_PING = 0x00,
  SV_MSG_PONG = 0x01,
  SV_MSG_BYE = 0x02,
  SV_MSG_QRP = 0x30,
  SV_MSG_VENDOR = 0x31,
  SV_MSG_VENDOR_STD = 0x32,
  SV_MSG_PUSH = 0x40,
  SV_MSG_RUDP = 0x41,
  SV_MSG_QUERY = 0x80,
  SV_MSG_QUERYHIT = 0x81,
  SV_MSG_HSEP = 0xCD,              /* gtk-gnutella's horizon estimation; decoded as unknown */
} SvMsgType;

typedef struct {
  SvGuid guid;
  guint8 type;                     /* an SvMsgType, or any other byte a peer sent */
  guint8 ttl;
  guint8 hops;
  guint32 length;                  /* payload bytes that follow */
} SvMsgHeader;

/* Decodes the first SV_MSG_HEADER_SIZE bytes of @buf.
 * Returns: SV_STATUS_NEED_MORE if @len < 23, else SV_STATUS_OK. No cap is applied here. */
SvStatus sv_msg_header_decode (const guint8 *buf, gsize len, SvMsgHeader *out);

/* Writes exactly SV_MSG_HEADER_SIZE bytes. */
void sv_msg_header_encode (const SvMsgHeader *hdr, guint8 out[SV_MSG_HEADER_SIZE]);

/* Returns: (transfer full) one whole message: @hdr with its length set to @len, then the @len
 * bytes of @payload (NULL when @len is 0). */
GBytes *sv_msg_encode (const SvMsgHeader *hdr, const guint8 *payload, gsize len);

/* The largest payload a peer may send for @type (kick above it). */
guint32 sv_msg_header_payload_cap (guint8 type);

/* Returns: (transfer none) "ping", "pong", … or "unknown" for a type we do not know. */
const char *sv_msg_type_name (guint8 type);

/* TRUE for the payload types this servent decodes. */
gboolean sv_msg_type_is_known (guint8 type);

/* Framing of a byte stream: given what has arrived so far, is a whole message there?
 * Returns SV_STATUS_NEED_MORE (read more), SV_STATUS_TOO_BIG (the length is over the type's cap:
 * kick with Bye 400 without reading the payload) or SV_STATUS_OK with @total_len set to the
 * header plus payload. @hdr is filled whenever 23 bytes are present. */
SvStatus sv_msg_header_frame (const guint8 *buf, gsize len, SvMsgHeader *hdr, gsize *total_len);

typedef enum {
  SV_TTL_OK,          /* within limits */
  SV_TTL_TRIMMED,     /* TTL was above the max; lowered in place, forward the result */
  SV_TTL_EXPIRED,     /* TTL 0 on arrival: handle locally, never forward */
  SV_TTL_DROP,        /* hops + TTL above the hard limit (or hops 255): drop and count against the sender */
} SvTtlVerdict;

/* Applies the TTL rules to a broadcast message that arrived from a peer: TTL + hops above
 * @hard_limit (or hops 255) is dropped; a TTL above @max_ttl is trimmed to it.
 * Modifies @hdr->ttl only for SV_TTL_TRIMMED. */
SvTtlVerdict sv_msg_header_check_ttl (SvMsgHeader *hdr, guint8 max_ttl, guint8 hard_limit);

/* Prepares a header for forwarding: TTL - 1, hops + 1 (hops never wraps).
 * Returns: FALSE when the message must not be forwarded (TTL would reach 0, or hops is 255). */
gboolean sv_msg_header_hop (SvMsgHeader *hdr);
