/* fuzz-giv.c: the GIV / G2 PUSH parser fed with arbitrary bytes; what parses must rebuild and
 * parse back to the same values. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "giv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvGiv giv, again;
  gsize consumed = 0, consumed2 = 0;
  g_autoptr (GByteArray) out = NULL;

  if (sv_giv_parse (data, size, &giv, &consumed) != SV_STATUS_OK)
    return 0;
  if (consumed == 0 || consumed > size)
    abort ();
  out = g_byte_array_new ();
  if (giv.kind == SV_GIV_KIND_PUSH)
    sv_giv_build_push (&giv.guid, out);
  else if (!sv_giv_build (giv.index, &giv.guid, giv.name, out))
    return 0;   /* a name with a NUL cut short, or a line at the cap without "/" */
  if (sv_giv_parse (out->data, out->len, &again, &consumed2) != SV_STATUS_OK
      || consumed2 != out->len || again.kind != giv.kind || again.index != giv.index
      || !sv_guid_equal (&again.guid, &giv.guid) || strcmp (again.name, giv.name) != 0)
    abort ();
  return 0;
}
