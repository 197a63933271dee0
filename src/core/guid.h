/* guid.h: 16-byte GUIDs: the servent GUID and message GUIDs (MUIDs).
 *
 * Message GUIDs carry the "modern servent" marks: byte 8 is 0xFF and byte 15 holds flags
 * (0x01 pong-caching, 0x02 persistent). Randomness is passed in, so tests control it. */
#pragma once

#include <glib.h>

#define SV_GUID_LEN 16
#define SV_GUID_HEX_LEN 32

#define SV_GUID_MODERN_MARK 0xFF          /* byte 8 of a modern servent's GUIDs */
#define SV_GUID_FLAG_PONG_CACHING 0x01    /* byte 15 */
#define SV_GUID_FLAG_PERSISTENT 0x02      /* byte 15 */

typedef struct {
  guint8 b[SV_GUID_LEN];
} SvGuid;

/* A random message GUID with the modern marks (byte 8 = 0xFF, byte 15 = @flags).
 * @rand: (nullable) NULL draws from GLib's global generator. */
void sv_guid_new_message (SvGuid *out, GRand *rand, guint8 flags);

/* A random servent GUID, also marked modern (byte 8 = 0xFF, byte 15 = 0). */
void sv_guid_new_servent (SvGuid *out, GRand *rand);

/* TRUE when byte 8 carries the modern mark. */
gboolean sv_guid_is_modern (const SvGuid *guid);

gboolean sv_guid_equal (const SvGuid *a, const SvGuid *b);
gboolean sv_guid_is_zero (const SvGuid *guid);

/* GHashTable helpers for SvGuid keys. */
guint sv_guid_hash (gconstpointer key);
gboolean sv_guid_key_equal (gconstpointer a, gconstpointer b);

/* Writes 32 lower-case hex characters and a NUL into @out (33 bytes). */
void sv_guid_to_hex (const SvGuid *guid, char out[SV_GUID_HEX_LEN + 1]);

/* Parses exactly 32 hex characters (either case) from @hex (@len bytes, need not be NUL-terminated).
 * Returns: FALSE on any other length or a non-hex character; @out untouched then. */
gboolean sv_guid_from_hex (const char *hex, gsize len, SvGuid *out);
