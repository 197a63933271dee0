/* guid.c: servent and message GUIDs, hex form, hashing. */
#include "guid.h"

#include <string.h>

static void
fill_random (SvGuid *out, GRand *rand)
{
  for (int i = 0; i < SV_GUID_LEN; i += 4)
    {
      guint32 v = rand != NULL ? g_rand_int (rand) : g_random_int ();
      memcpy (out->b + i, &v, 4);
    }
}

void
sv_guid_new_message (SvGuid *out, GRand *rand, guint8 flags)
{
  fill_random (out, rand);
  out->b[8] = SV_GUID_MODERN_MARK;
  out->b[15] = flags;
}

void
sv_guid_new_servent (SvGuid *out, GRand *rand)
{
  sv_guid_new_message (out, rand, 0);
}

gboolean
sv_guid_is_modern (const SvGuid *guid)
{
  return guid->b[8] == SV_GUID_MODERN_MARK;
}

gboolean
sv_guid_equal (const SvGuid *a, const SvGuid *b)
{
  return memcmp (a->b, b->b, SV_GUID_LEN) == 0;
}

gboolean
sv_guid_is_zero (const SvGuid *guid)
{
  for (int i = 0; i < SV_GUID_LEN; i++)
    if (guid->b[i] != 0)
      return FALSE;
  return TRUE;
}

guint
sv_guid_hash (gconstpointer key)
{
  const SvGuid *g = key;
  guint32 h = 2166136261u;            /* FNV-1a over all 16 bytes */
  for (int i = 0; i < SV_GUID_LEN; i++)
    h = (h ^ g->b[i]) * 16777619u;
  return h;
}

gboolean
sv_guid_key_equal (gconstpointer a, gconstpointer b)
{
  return sv_guid_equal (a, b);
}

void
sv_guid_to_hex (const SvGuid *guid, char out[SV_GUID_HEX_LEN + 1])
{
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < SV_GUID_LEN; i++)
    {
      out[2 * i] = digits[guid->b[i] >> 4];
      out[2 * i + 1] = digits[guid->b[i] & 0x0F];
    }
  out[SV_GUID_HEX_LEN] = '\0';
}

gboolean
sv_guid_from_hex (const char *hex, gsize len, SvGuid *out)
{
  SvGuid tmp;

  if (len != SV_GUID_HEX_LEN)
    return FALSE;
  for (int i = 0; i < SV_GUID_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      tmp.b[i] = (guint8) ((hi << 4) | lo);
    }
  *out = tmp;
  return TRUE;
}
