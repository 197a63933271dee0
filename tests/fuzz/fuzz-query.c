/* fuzz-query.c: the Query payload decoder, its helpers, describe and re-encoding. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "msg-query.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvQuery *q = NULL;
  SvSha1 sha1[SV_QUERY_MAX_URNS];

  if (sv_query_decode (data, size, &q) == SV_STATUS_OK)
    {
      GByteArray *out = g_byte_array_new ();
      SvFields *fields = sv_fields_new ();
      char *text;

      sv_query_encode (q, out);
      /* An unchanged decoded query re-encodes to identical bytes. */
      if (out->len != size || memcmp (out->data, data, size) != 0)
        __builtin_trap ();
      (void) sv_query_requested_sha1 (q, sha1, G_N_ELEMENTS (sha1));
      (void) sv_query_is_whats_new (q);
      (void) sv_query_wants_urns (q);
      sv_query_describe (q, fields);
      text = sv_fields_to_text (fields);
      g_free (text);
      sv_fields_free (fields);
      g_byte_array_unref (out);
      sv_query_free (q);
    }
  else if (q != NULL)
    __builtin_trap ();
  return 0;
}
