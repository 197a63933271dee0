/* fuzz-ggep.c: GGEP blocks fed with arbitrary bytes. What decodes must re-encode to the very
 * bytes it came from; the same values framed afresh must decode back to equal values. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "ggep.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Frames every value of @ggep anew (no kept wire bytes) and checks it decodes to the same. */
static void
check_fresh_framing (const SvGgep *ggep)
{
  g_autoptr (SvGgep) fresh = sv_ggep_new ();
  g_autoptr (SvGgep) back = NULL;
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  gsize consumed = 0;

  for (guint i = 0; i < sv_ggep_count (ggep); i++)
    {
      const SvGgepExt *ext = sv_ggep_nth (ggep, i);
      gsize len;
      const guint8 *v = g_bytes_get_data (ext->value, &len);

      /* Values over the inflate cap cannot be asked to deflate; keep the rest of the request. */
      if (!sv_ggep_add (fresh, ext->id, v, len, ext->encoding | SV_GGEP_ENC_NUL_FREE))
        g_assert (sv_ggep_add (fresh, ext->id, v, len, SV_GGEP_ENC_NONE));
    }
  sv_ggep_encode (fresh, wire);
  g_assert (memchr (wire->data, 0, wire->len) == NULL || sv_ggep_count (fresh) == 0);
  if (sv_ggep_count (fresh) == 0)
    return;
  g_assert (sv_ggep_decode (wire->data, wire->len, &consumed, &back) == SV_STATUS_OK);
  g_assert (consumed == wire->len);
  g_assert (sv_ggep_count (back) == sv_ggep_count (ggep));
  for (guint i = 0; i < sv_ggep_count (ggep); i++)
    {
      g_assert (strcmp (sv_ggep_nth (back, i)->id, sv_ggep_nth (ggep, i)->id) == 0);
      g_assert (g_bytes_equal (sv_ggep_nth (back, i)->value, sv_ggep_nth (ggep, i)->value));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (SvGgep) ggep = NULL;
  g_autoptr (SvGgep) again = NULL;
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  gsize consumed = 0;
  gsize consumed2 = 0;
  guint64 v;

  if (sv_ggep_decode (data, size, &consumed, &ggep) != SV_STATUS_OK)
    {
      g_assert (ggep == NULL);
      return 0;
    }
  g_assert (consumed <= size);
  (void) sv_ggep_get_uint (ggep, "DU", &v);

  /* Decoded and unchanged: byte-identical. */
  sv_ggep_encode (ggep, wire);
  g_assert (wire->len == consumed);
  g_assert (memcmp (wire->data, data, consumed) == 0);
  g_assert (sv_ggep_decode (wire->data, wire->len, &consumed2, &again) == SV_STATUS_OK);
  g_assert (consumed2 == wire->len);
  g_assert (sv_ggep_count (again) == sv_ggep_count (ggep));
  for (guint i = 0; i < sv_ggep_count (ggep); i++)
    g_assert (g_bytes_equal (sv_ggep_nth (again, i)->value, sv_ggep_nth (ggep, i)->value));

  check_fresh_framing (ggep);
  return 0;
}
