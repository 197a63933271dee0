/* urn.c: RFC 3548 base32 (HUGE alphabet, no padding) and the SHA-1 URN text forms.
 *
 * Owns sv_base32_* and sv_urn_*. Decoding is strict about length and about the unused low bits
 * of the last character (they must be zero), so every accepted text has exactly one byte form
 * and re-encodes to the same characters (upper-cased). */
#include "urn.h"

#include <string.h>

#define SV_URN_BITPRINT_PREFIX "urn:bitprint:"
#define SV_TIGER_LEN 24
#define SV_TIGER_BASE32_LEN 39

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Returns: the 5-bit value of @c, or -1 outside the alphabet (either case). */
static int
base32_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= '2' && c <= '7')
    return 26 + (c - '2');
  return -1;
}

static gsize
base32_text_len (gsize len)
{
  return (len * 8 + 4) / 5;
}

char *
sv_base32_encode (const guint8 *data, gsize len)
{
  gsize out_len = base32_text_len (len);
  char *out = g_malloc (out_len + 1);
  guint32 acc = 0;
  guint bits = 0;
  gsize o = 0;

  for (gsize i = 0; i < len; i++)
    {
      acc = (acc << 8) | data[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          out[o++] = base32_alphabet[(acc >> bits) & 0x1f];
        }
    }
  if (bits > 0)
    out[o++] = base32_alphabet[(acc << (5 - bits)) & 0x1f];
  g_assert (o == out_len);
  out[o] = '\0';
  return out;
}

gboolean
sv_base32_decode (const char *text, gsize text_len, guint8 *out, gsize out_len)
{
  guint32 acc = 0;
  guint bits = 0;
  gsize o = 0;

  if (text_len != base32_text_len (out_len))
    return FALSE;
  for (gsize i = 0; i < text_len; i++)
    {
      int v = base32_value (text[i]);

      if (v < 0)
        return FALSE;
      acc = (acc << 5) | (guint32) v;
      bits += 5;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (guint8) (acc >> bits);
        }
    }
  /* Padding bits of the last character must be zero: one text per value. */
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return FALSE;
  return o == out_len;
}

void
sv_urn_sha1_format (const SvSha1 *sha1, char out[SV_URN_SHA1_LEN + 1])
{
  g_autofree char *b32 = sv_base32_encode (sha1->b, SV_SHA1_LEN);

  memcpy (out, SV_URN_SHA1_PREFIX, strlen (SV_URN_SHA1_PREFIX));
  memcpy (out + strlen (SV_URN_SHA1_PREFIX), b32, SV_SHA1_BASE32_LEN);
  out[SV_URN_SHA1_LEN] = '\0';
}

static gboolean
has_prefix_nocase (const char *text, gsize len, const char *prefix)
{
  gsize plen = strlen (prefix);

  return len >= plen && g_ascii_strncasecmp (text, prefix, plen) == 0;
}

gboolean
sv_urn_parse (const char *text, gsize len, SvSha1 *out)
{
  SvSha1 sha1;

  if (text == NULL)
    return FALSE;
  if (has_prefix_nocase (text, len, SV_URN_SHA1_PREFIX))
    {
      gsize plen = strlen (SV_URN_SHA1_PREFIX);

      if (len - plen != SV_SHA1_BASE32_LEN
          || !sv_base32_decode (text + plen, SV_SHA1_BASE32_LEN, sha1.b, SV_SHA1_LEN))
        return FALSE;
      *out = sha1;
      return TRUE;
    }
  if (has_prefix_nocase (text, len, SV_URN_BITPRINT_PREFIX))
    {
      gsize plen = strlen (SV_URN_BITPRINT_PREFIX);
      const char *p = text + plen;
      guint8 tiger[SV_TIGER_LEN];

      if (len - plen != SV_SHA1_BASE32_LEN + 1 + SV_TIGER_BASE32_LEN
          || p[SV_SHA1_BASE32_LEN] != '.'
          || !sv_base32_decode (p, SV_SHA1_BASE32_LEN, sha1.b, SV_SHA1_LEN)
          || !sv_base32_decode (p + SV_SHA1_BASE32_LEN + 1, SV_TIGER_BASE32_LEN,
                                tiger, sizeof tiger))
        return FALSE;
      *out = sha1;
      return TRUE;
    }
  return FALSE;
}
