/* urn.h: SHA-1 URNs (urn:sha1:<32 base32 characters>) and RFC 3548 base32.
 *
 * Base32 is the HUGE alphabet A–Z 2–7, MSB first, no padding. Parsing is case-insensitive;
 * output is upper case. */
#pragma once

#include <glib.h>

#define SV_SHA1_LEN 20
#define SV_SHA1_BASE32_LEN 32
#define SV_URN_SHA1_PREFIX "urn:sha1:"
#define SV_URN_SHA1_LEN (9 + SV_SHA1_BASE32_LEN)   /* "urn:sha1:" + 32 */

typedef struct {
  guint8 b[SV_SHA1_LEN];
} SvSha1;

/* Base32-encodes @len bytes. Returns: (transfer full) upper-case text, ceil(len*8/5) characters. */
char *sv_base32_encode (const guint8 *data, gsize len);

/* Decodes exactly @out_len bytes from @text (@text_len characters, case-insensitive, no padding).
 * Returns: FALSE if a character is outside the alphabet or the length does not fit @out_len. */
gboolean sv_base32_decode (const char *text, gsize text_len, guint8 *out, gsize out_len);

/* Writes "urn:sha1:" + 32 upper-case base32 characters + NUL into @out. */
void sv_urn_sha1_format (const SvSha1 *sha1, char out[SV_URN_SHA1_LEN + 1]);

/* Parses "urn:sha1:<32 base32>" (prefix case-insensitive) from @text (@len bytes). Also accepts
 * "urn:bitprint:<32 base32>.<39 base32>", keeping only the SHA-1 part.
 * Returns: FALSE on anything else. */
gboolean sv_urn_parse (const char *text, gsize len, SvSha1 *out);
