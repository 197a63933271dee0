/* msg-queryhit.h: the QueryHit (0x81) payload: header fields, result records, trailer, servent GUID;
 * and the builder of the hits we send.
 *
 * Layout: count N, port (LE), IPv4 (network order), speed (LE), N records (index LE, size LE,
 * NUL-terminated name, NUL-terminated extension area), the trailer (qhit-trailer.h; absent in very
 * old hits, then only the GUID follows the records) and the 16-byte servent GUID at the very end.
 * Records are read within the bytes before the GUID.
 *
 * Verdicts: fewer than 11 + 16 bytes, a record or a NUL missing before the GUID (a count larger
 * than the records present), or a trailer cut short: SV_STATUS_TRUNCATED; a GGEP block that does
 * not decode: its verdict. Per result, ALT entries past SV_QUERYHIT_MAX_ALTLOCS are not kept (the
 * bytes are, for forwarding); a SHA-1 comes from HUGE text, GGEP H (0x01 SHA-1, 0x02 bitprint) or
 * GGEP u; the size from GGEP LF when the 32-bit field is 0xFFFFFFFF.
 *
 * Sending: gtk-gnutella writes the SHA-1 as COBS-safe GGEP H when the querier understands it, and as
 * HUGE "urn:sha1:" text otherwise; the builder does the same (SvQueryHitUrnStyle). Sizes of 2^31
 * and more go in GGEP LF with the 32-bit field at 0xFFFFFFFF. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "guid.h"
#include "limits.h"
#include "msg-query.h"
#include "qhit-trailer.h"
#include "status.h"
#include "urn.h"

#define SV_QUERYHIT_FIXED_LEN 11          /* count, port, IPv4, speed */
#define SV_QUERYHIT_SIZE_ESCAPE 0xFFFFFFFFu

typedef struct {
  guint32 index;
  guint32 size32;                  /* the 32-bit field as sent */
  guint64 size;                    /* the file size: GGEP LF when @size32 is the escape value */
  char *name;                      /* (owned) NUL-terminated copy of the name bytes (not validated) */
  gsize name_len;
  GPtrArray *exts;                 /* (element-type SvQueryExt) the extension area, wire order */
  GBytes *ext_tail;                /* (owned, nullable) separators after the last item */

  /* Derived on decode (read-only views). */
  gboolean has_sha1;
  SvSha1 sha1;
  gboolean has_tth;                /* GGEP H bitprint or TT */
  guint8 tth[24];
  gboolean has_ctime;              /* GGEP CT */
  guint64 ctime;
  gboolean partial;                /* GGEP PR* / PRU present */
  guint n_alts;                    /* GGEP ALT, at most SV_QUERYHIT_MAX_ALTLOCS kept */
  SvQhitHost alts[SV_QUERYHIT_MAX_ALTLOCS];
} SvQueryHitResult;

typedef struct {
  guint16 port;
  guint8 ip[4];                    /* network order */
  guint32 speed;                   /* kbit/s */
  GPtrArray *results;              /* (element-type SvQueryHitResult) in wire order; its length is
                                    * the count byte (at most 255) */
  SvQhitTrailer *trailer;          /* (owned, nullable) absent in very old hits */
  SvGuid servent;
} SvQueryHit;

/* Decodes a QueryHit payload. Returns: SV_STATUS_OK with @out (transfer full), else a verdict
 * and @out NULL. */
SvStatus sv_queryhit_decode (const guint8 *payload, gsize len, SvQueryHit **out);

/* Appends the payload to @out (at most 255 results are written). */
void sv_queryhit_encode (const SvQueryHit *msg, GByteArray *out);

void sv_queryhit_free (SvQueryHit *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvQueryHit, sv_queryhit_free)

void sv_queryhit_result_free (SvQueryHitResult *result);

/* Adds count, port, ip, speed, results [{index, size, name, urn, ggep, alts, …}], trailer {…},
 * servent_guid. */
void sv_queryhit_describe (const SvQueryHit *msg, SvFields *out);

/* --- Builder for the hits we send --- */

typedef enum {
  SV_QUERYHIT_URN_HUGE,            /* "urn:sha1:<base32>" text (queriers that lack GGEP H) */
  SV_QUERYHIT_URN_GGEP_H,          /* GGEP H, type 0x01 (queriers that set SV_QUERY_F_GGEP_H) */
  SV_QUERYHIT_URN_BOTH,
} SvQueryHitUrnStyle;

typedef struct {
  guint32 index;
  guint64 size;
  const char *name;                /* UTF-8, no NUL inside */
  const SvSha1 *sha1;              /* (nullable) */
} SvQueryHitFile;

typedef struct {
  guint16 port;
  guint8 ip[4];
  guint32 speed;
  gboolean firewalled;
  gboolean busy;
  gboolean uploaded;
  gboolean browse_host;
  const SvQhitHost *push_proxies;  /* sent when firewalled (at most SV_QUERYHIT_MAX_PUSH_PROXIES) */
  guint n_push_proxies;
  const SvQhitHost6 *push_proxies6; /* those of them reachable over IPv6: GGEP PUSH6 */
  guint n_push_proxies6;
  gboolean has_ipv6;               /* we also listen on @ipv6 (same port): GGEP "6" */
  guint8 ipv6[16];
  SvQueryHitUrnStyle urn_style;
  SvGuid servent;
} SvQueryHitOwn;

/* Builds one hit from @files[0..n_files), taking as many as fit: at most
 * SV_MSG_MAX_RESULTS_PER_HIT, and no result that would take the payload past
 * SV_MSG_OWN_QUERYHIT_FLUSH_BYTES (the first one is always taken). @n_used receives how many were
 * taken; call again with the rest.
 * Returns: (transfer full) the hit, or NULL when @n_files is 0. */
SvQueryHit *sv_queryhit_build (const SvQueryHitOwn *own, const SvQueryHitFile *files, guint n_files,
                               guint *n_used);
