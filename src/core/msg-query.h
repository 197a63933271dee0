/* msg-query.h: the Query (0x80) payload: flags word, criteria, extension area; builder and helpers.
 *
 * Also owns the "extension area" shared with QueryHit results: items (HUGE URN text, GGEP blocks,
 * LimeWire XML, other legacy text) separated by 0x1C (0x00 tolerated in a Query). Each item keeps
 * the separator bytes that preceded it, so an unchanged decoded message re-encodes to identical
 * bytes. Pure: bytes in, a struct or a verdict out.
 *
 * Verdicts: no NUL after the criteria is SV_STATUS_TRUNCATED; a GGEP block that does not decode
 * gives that block's verdict; more than SV_QUERY_MAX_URNS HUGE "urn:" items is SV_STATUS_TOO_BIG. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "ggep.h"
#include "guid.h"
#include "limits.h"
#include "status.h"
#include "urn.h"

/* The flags word (read and written big-endian). */
#define SV_QUERY_F_MARK           0x8000  /* the word carries flags, not a minimum speed */
#define SV_QUERY_F_FIREWALLED     0x4000
#define SV_QUERY_F_XML            0x2000
#define SV_QUERY_F_LEAF_GUIDED    0x1000
#define SV_QUERY_F_GGEP_H         0x0800
#define SV_QUERY_F_OOB            0x0400
#define SV_QUERY_F_FW_FW          0x0200
#define SV_QUERY_F_SR_UDP         0x0100  /* gtk-gnutella: accepts semi-reliable UDP */
#define SV_QUERY_F_MAX_HITS_MASK  0x00FF

#define SV_QUERY_WHATS_NEW_CRITERIA "WhatIsNewXOXO"
#define SV_QUERY_EXT_SEPARATOR    0x1C

typedef enum {
  SV_QUERY_EXT_URN,        /* legacy text starting with "urn:" (case-insensitive) */
  SV_QUERY_EXT_GGEP,       /* a GGEP block */
  SV_QUERY_EXT_XML,        /* legacy text starting with '<' or '{': LimeWire XML, kept opaque */
  SV_QUERY_EXT_OTHER,      /* any other legacy text, kept opaque */
} SvQueryExtKind;

typedef struct {
  SvQueryExtKind kind;
  GBytes *lead;            /* (owned, nullable) separator bytes (0x1C / 0x00) seen before this item;
                            * NULL: the encoder writes one 0x1C unless it is the first item */
  GBytes *text;            /* (owned, nullable) the legacy text (not for GGEP), without separators */
  SvGgep *ggep;            /* (owned, nullable) the block, for SV_QUERY_EXT_GGEP */
  gboolean has_sha1;       /* URN items: a full urn:sha1 (or bitprint) parsed into @sha1 */
  SvSha1 sha1;
} SvQueryExt;

typedef struct {
  guint16 flags;           /* the raw word; a legacy minimum speed when SV_QUERY_F_MARK is clear */
  char *criteria;          /* (owned) NUL-terminated copy of the criteria bytes (not validated) */
  gsize criteria_len;      /* bytes before the NUL */
  GPtrArray *exts;         /* (element-type SvQueryExt) extension items in wire order */
  GBytes *tail;            /* (owned, nullable) separators after the last item (or after the NUL
                            * when there are no items) */
} SvQuery;

/* Decodes a Query payload. Returns: SV_STATUS_OK with @out (transfer full), else a verdict and
 * @out NULL. */
SvStatus sv_query_decode (const guint8 *payload, gsize len, SvQuery **out);

/* Appends the payload (flags, criteria, NUL, extension area) to @out. */
void sv_query_encode (const SvQuery *msg, GByteArray *out);

void sv_query_free (SvQuery *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvQuery, sv_query_free)

/* Adds the describe tree: flags (raw, then by name), max_hits or min_speed, criteria, urns, ggep
 * keys, xml. */
void sv_query_describe (const SvQuery *msg, SvFields *out);

/* --- Builder for our own queries --- */

/* A query with @flags (SV_QUERY_F_MARK is always set) and @criteria (UTF-8, copied).
 * Returns: (transfer full). */
SvQuery *sv_query_new (guint16 flags, const char *criteria);

/* Appends a legacy text item (e.g. "urn:" to ask for URNs in the hits). */
void sv_query_add_text (SvQuery *msg, const char *text);

/* Appends "urn:sha1:<base32>" as HUGE text (a search by hash). */
void sv_query_add_sha1 (SvQuery *msg, const SvSha1 *sha1);

/* Returns: (transfer none) the query's first GGEP block, appended empty if there is none, for the
 * caller to add keys to (H, SO, NP, M, WH, …). An empty block encodes as nothing. */
SvGgep *sv_query_ggep (SvQuery *msg);

/* --- Helpers --- */

/* Returns: (transfer none) (nullable) the first GGEP extension named @id in any block of @exts. */
const SvGgepExt *sv_query_ext_find_ggep (const GPtrArray *exts, const char *id);

/* TRUE for the "What's New" query: criteria WhatIsNewXOXO and GGEP WH = 1. */
gboolean sv_query_is_whats_new (const SvQuery *msg);

/* TRUE when a "urn:" / "urn:sha1:" item asks for URNs in the hits (or a full URN is present). */
gboolean sv_query_wants_urns (const SvQuery *msg);

/* Fills @out with the SHA-1s the query asks for, from full HUGE urn:sha1 text items and from GGEP
 * H (0x01 SHA-1 or 0x02 bitprint), duplicates removed, at most @max.
 * Returns: how many were written. */
guint sv_query_requested_sha1 (const SvQuery *msg, SvSha1 *out, guint max);

/* The out-of-band return address encoded in an OOB query's MUID: bytes 0-3 the IPv4 address
 * (network order, copied to @ip), bytes 13-14 the port (LE).
 * Returns: FALSE when the address or the port is zero. */
gboolean sv_query_oob_address (const SvGuid *muid, guint8 ip[4], guint16 *port);

/* --- The extension area (shared with QueryHit results) --- */

/* Decodes an extension area of @len bytes into @exts (which must free its items with
 * sv_query_ext_free). @tail receives trailing separators (transfer full, nullable).
 * Returns: SV_STATUS_OK or the verdict of the first bad item. */
SvStatus sv_query_ext_area_decode (const guint8 *area, gsize len, GPtrArray *exts, GBytes **tail);

/* Appends the items (and @tail, nullable) to @out. */
void sv_query_ext_area_encode (const GPtrArray *exts, GBytes *tail, GByteArray *out);

/* Returns: (transfer full) a new array owning SvQueryExt items. */
GPtrArray *sv_query_ext_array_new (void);
void sv_query_ext_free (SvQueryExt *ext);

/* Adds "ggep": [ids…] (every block's IDs, in order) to @out when there is at least one. */
void sv_query_ext_describe_ggep (const GPtrArray *exts, SvFields *out);
