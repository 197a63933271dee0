/* ggep.h: GGEP extension blocks (magic 0xC3): decode, encode, COBS, deflate, the length encoding.
 *
 * A decoded block is a list of extensions, each with its ID and its value with COBS undone and
 * deflate inflated (capped at SV_GGEP_MAX_INFLATED_BYTES). Each extension also remembers how it was
 * framed on the wire (flags and the exact encoded bytes), so a block that was decoded and not
 * changed re-encodes to identical bytes.
 *
 * Rules this module settles:
 * - IDs are 1..15 bytes of printable ASCII (0x20..0x7E); a NUL, a control byte or a byte >= 0x80
 *   in an ID makes the block malformed (deployed servents refuse those too).
 * - Duplicate IDs: a decoded block keeps every extension in wire order (so it re-encodes and
 *   forwards byte-identically), but only the first one counts: sv_ggep_find() and
 *   sv_ggep_get_uint() return the first, later ones with the same ID are ignored.
 * - Deflate: encoded as a zlib stream (what gtk-gnutella writes and expects). On decode a zlib
 *   stream is expected; data that does not start with a valid zlib header is tried as a raw
 *   deflate stream. Bytes after the end of the stream are ignored. Inflating stops at
 *   SV_GGEP_MAX_INFLATED_BYTES: one byte more is SV_STATUS_INFLATE_CAP.
 * - Encoding a new extension: deflate is used only when asked, the value is at most
 *   SV_GGEP_MAX_INFLATED_BYTES, and the compressed form is strictly shorter. COBS is used when
 *   SV_GGEP_ENC_COBS is asked; with SV_GGEP_ENC_NUL_FREE instead, COBS is used only when the data
 *   to frame (after deflate) holds a 0x00 byte. Since flags, IDs and lengths never hold 0x00, a
 *   block whose every extension asked for COBS or NUL_FREE is NUL-free. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "status.h"

typedef enum {
  SV_GGEP_ENC_NONE = 0,
  SV_GGEP_ENC_COBS = 1 << 0,       /* flags bit 6: COBS, applied after compression */
  SV_GGEP_ENC_DEFLATE = 1 << 1,    /* flags bit 5: deflate */
  SV_GGEP_ENC_NUL_FREE = 1 << 2,   /* encoder only: COBS exactly when the data holds a 0x00 */
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
 * is dropped by the encoder when it would not save space). An existing extension with the same
 * ID is not replaced: use sv_ggep_remove() first.
 * Returns: FALSE (nothing added) when @id is empty, longer than 15 bytes or not printable ASCII,
 * when @len (after COBS overhead, if asked) could exceed SV_GGEP_MAX_DATA_LEN, or when the block
 * already holds SV_GGEP_MAX_EXTENSIONS extensions. */
gboolean sv_ggep_add (SvGgep *ggep, const char *id, const void *data, gsize len,
                      SvGgepEncoding encoding);

/* Removes every extension named @id. Returns: how many were removed. */
guint sv_ggep_remove (SvGgep *ggep, const char *id);

/* Decodes one block starting with the 0xC3 magic at @buf. On success @consumed is the number of
 * bytes the block occupies (magic included) and @out the block (transfer full); bytes after the
 * extension flagged "last" are not looked at.
 * Returns: SV_STATUS_OK, or a verdict, @out being NULL then:
 * - SV_STATUS_TRUNCATED: the input ends inside the block (ID, length bytes or data past the end,
 *   or no extension flagged "last" before the end);
 * - SV_STATUS_BAD_GGEP: no magic, reserved flag bit 4 set, ID length 0, a bad ID byte, a length
 *   byte with both or neither of its M/L bits, a non-minimal length, or no L within 3 bytes;
 * - SV_STATUS_TOO_BIG: more than SV_GGEP_MAX_EXTENSIONS extensions;
 * - SV_STATUS_BAD_COBS, SV_STATUS_BAD_DEFLATE, SV_STATUS_INFLATE_CAP: an extension's data. */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_ggep_decode (const guint8 *buf, gsize len, gsize *consumed, SvGgep **out);

/* Appends the encoded block (magic included) to @out. An empty block appends nothing. */
void sv_ggep_encode (const SvGgep *ggep, GByteArray *out);

/* Small-integer values (DU, M, LF, …): little-endian with trailing zero bytes stripped; zero is
 * written as one 0x00 byte so that it reads back. */
void sv_ggep_add_uint (SvGgep *ggep, const char *id, guint64 value);
/* Returns: FALSE when @id is absent or its value is empty or longer than 8 bytes. */
gboolean sv_ggep_get_uint (const SvGgep *ggep, const char *id, guint64 *value);

/* The GGEP length field: 1 to 3 bytes of 6 data bits each. Exposed for tests.
 * Returns: bytes written (1..3), or 0 if @value > SV_GGEP_MAX_DATA_LEN. */
guint sv_ggep_length_encode (guint32 value, guint8 out[3]);

/* Reads a GGEP length field at @buf. On success @used is the number of bytes it took (1..3).
 * Returns: SV_STATUS_OK, SV_STATUS_TRUNCATED (input ends first) or SV_STATUS_BAD_GGEP. */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_ggep_length_decode (const guint8 *buf, gsize len, guint32 *value, guint *used);

/* COBS (used so that GGEP inside NUL-terminated areas holds no 0x00). Exposed for tests.
 * The encoder leaves out the final 0x01 code when the data ends right after a full 0xFF run, as
 * gtk-gnutella does; the decoder accepts both forms. Empty input encodes as one 0x01 byte; an
 * empty encoding, a 0x00 byte or a code running past the end is bad input.
 * Returns: (transfer full) the encoded or decoded bytes; decode returns NULL on bad input. */
GBytes *sv_ggep_cobs_encode (const guint8 *data, gsize len);
GBytes *sv_ggep_cobs_decode (const guint8 *data, gsize len);
