/* ggep.h: GGEP extension blocks (magic 0xC3): decode, encode, COBS, deflate, the length encoding.
 *
 * A decoded block is a list of extensions, each with its ID and its value with COBS undone and
 * deflate inflated (capped at SV_GGEP_MAX_INFLATED_BYTES). Each extension also remembers how it was
 * framed on the wire (flags and the exact encoded bytes), so a block that was decoded and not
 * changed re-encodes to identical bytes. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "status.h"

typedef enum {
  SV_GGEP_ENC_NONE = 0,
  SV_GGEP_ENC_COBS = 1 << 0,       /* flags bit 6: COBS, applied after compression */
  SV_GGEP_ENC_DEFLATE = 1 << 1,    /* flags bit 5: deflate */
} SvGgepEncoding;

typedef struct {
  char id[SV_GGEP_MAX_ID_LEN + 1]; /* NUL-terminated, case-sensitive */
  GBytes *value;                   /* (owned) decoded data: COBS undone, inflated */
  SvGgepEncoding encoding;         /* how it was (or will be) framed on the wire */
  GBytes *wire;                    /* (owned, nullable) the exact encoded data as decoded, reused by
                                    * the encoder while @value is unchanged; NULL for new extensions */
} SvGgepExt;

typedef struct _SvGgep SvGgep;

/* Returns: (transfer full) an empty block. */
SvGgep *sv_ggep_new (void);
void sv_ggep_free (SvGgep *ggep);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvGgep, sv_ggep_free)

guint sv_ggep_count (const SvGgep *ggep);

/* Returns: (transfer none) the @index-th extension, in wire order. */
const SvGgepExt *sv_ggep_nth (const SvGgep *ggep, guint index);

/* Returns: (transfer none) (nullable) the first extension named @id. */
const SvGgepExt *sv_ggep_find (const SvGgep *ggep, const char *id);

/* Appends an extension; @data is copied. @encoding asks for COBS and/or deflate on encode (deflate
 * is dropped by the encoder when it would not save space).
 * Returns: FALSE (nothing added) when @id is empty, longer than 15 bytes, or @len is too big. */
gboolean sv_ggep_add (SvGgep *ggep, const char *id, const void *data, gsize len,
                      SvGgepEncoding encoding);

/* Decodes one block starting with the 0xC3 magic at @buf. On success @consumed is the number of
 * bytes the block occupies (magic included) and @out the block.
 * Returns: SV_STATUS_OK, or a verdict (SV_STATUS_BAD_GGEP, SV_STATUS_TRUNCATED,
 * SV_STATUS_BAD_COBS, SV_STATUS_BAD_DEFLATE, SV_STATUS_INFLATE_CAP); @out is NULL then. */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_ggep_decode (const guint8 *buf, gsize len, gsize *consumed, SvGgep **out);

/* Appends the encoded block (magic included) to @out. An empty block appends nothing. */
void sv_ggep_encode (const SvGgep *ggep, GByteArray *out);

/* Small-integer values (DU, M, LF, …): little-endian with trailing zero bytes stripped. */
void sv_ggep_add_uint (SvGgep *ggep, const char *id, guint64 value);
/* Returns: FALSE when @id is absent or its value is empty or longer than 8 bytes. */
gboolean sv_ggep_get_uint (const SvGgep *ggep, const char *id, guint64 *value);

/* The GGEP length field: 1 to 3 bytes of 6 data bits each. Exposed for tests.
 * Returns: bytes written (1..3), or 0 if @value > SV_GGEP_MAX_DATA_LEN. */
guint sv_ggep_length_encode (guint32 value, guint8 out[3]);

/* COBS (used so that GGEP inside NUL-terminated areas holds no 0x00). Exposed for tests.
 * Returns: (transfer full) the encoded or decoded bytes; decode returns NULL on bad input. */
GBytes *sv_ggep_cobs_encode (const guint8 *data, gsize len);
GBytes *sv_ggep_cobs_decode (const guint8 *data, gsize len);
