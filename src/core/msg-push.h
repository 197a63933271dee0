/* msg-push.h: the Push (0x40) payload: decode, encode, describe.
 *
 * 26 fixed bytes (servent GUID of the firewalled host, file index LE, IPv4 BE and port LE to
 * connect back to), then an optional GGEP block (6 = IPv6 callback address, TLS = call back over
 * TLS). The decoded block and any bytes after it are kept so an unchanged Push re-encodes to
 * identical bytes. Payload only: the 23-byte header is msg-header.h's job. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "ggep.h"
#include "guid.h"
#include "status.h"

#define SV_PUSH_FIXED_SIZE       26
#define SV_PUSH_FILE_INDEX_ANY   0u            /* transfers go by URN: "any file" */
#define SV_PUSH_FILE_INDEX_RUDP  0x7FFFFFFDu   /* asks for a firewalled-to-firewalled transfer */

typedef struct {
  SvGuid servent_guid;   /* the firewalled host, as in its QueryHit trailer */
  guint32 file_index;
  guint8 ip[4];          /* network order: where the firewalled host connects to */
  guint16 port;
  SvGgep *ggep;          /* (owned) (nullable) the GGEP block; the encoder writes this */
  GBytes *trailing;      /* (owned) (nullable) bytes after the block, kept for re-encoding */

  /* Read-only views decoded from @ggep by sv_push_decode. */
  gboolean has_ipv6;
  guint8 ipv6[16];
  gboolean tls;
} SvPush;

/* Returns: SV_STATUS_OK with @out (transfer full); SV_STATUS_TRUNCATED under 26 bytes or for a
 * "6" extension shorter than 16 bytes; the GGEP verdict for a bad block (@out NULL then). */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_push_decode (const guint8 *payload, gsize len, SvPush **out);
/* Appends the 26 fixed bytes, the GGEP block and the trailing bytes to @out. */
void sv_push_encode (const SvPush *push, GByteArray *out);
/* Returns: (transfer full) a Push asking @guid to connect to @ip:@port for @file_index. */
SvPush *sv_push_new (const SvGuid *guid, guint32 file_index, const guint8 ip[4], guint16 port);
/* Adds GGEP "6" (an IPv6 callback address) / "TLS" to a Push we build. */
void sv_push_add_ipv6 (SvPush *push, const guint8 ipv6[16]);
void sv_push_add_tls (SvPush *push);
void sv_push_free (SvPush *push);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvPush, sv_push_free)
/* Keys: servent_guid, file_index, ip, port, ipv6, tls, ggep [ids], unknown_ggep [ids], trailing. */
void sv_push_describe (const SvPush *push, SvFields *out);
