/* fuzz-queryhit.c: the QueryHit payload decoder (results, trailer), describe and re-encoding. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "msg-queryhit.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvQueryHit *hit = NULL;

  if (sv_queryhit_decode (data, size, &hit) == SV_STATUS_OK)
    {
      GByteArray *out = g_byte_array_new ();
      SvFields *fields = sv_fields_new ();
      char *text;

      sv_queryhit_encode (hit, out);
      /* An unchanged decoded hit re-encodes to identical bytes. */
      if (out->len != size || memcmp (out->data, data, size) != 0)
        __builtin_trap ();
      sv_queryhit_describe (hit, fields);
      text = sv_fields_to_text (fields);
      g_free (text);
      sv_fields_free (fields);
      g_byte_array_unref (out);
      sv_queryhit_free (hit);
    }
  else if (hit != NULL)
    __builtin_trap ();
  return 0;
}
