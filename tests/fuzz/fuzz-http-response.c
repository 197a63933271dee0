/* fuzz-http-response.c: response heads for the downloader, fed line by line from arbitrary
 * bytes; whatever it believes must be consistent (a range inside its total). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "http-response.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvHttpResponse r;
  gsize start = 0;

  sv_http_response_init (&r);
  for (gsize i = 0; i <= size; i++)
    {
      if (i == size || data[i] == '\n')
        {
          gboolean end = FALSE;
          gsize len = (i < size ? i + 1 : i) - start;

          if (sv_http_response_feed_line (&r, (const char *) data + start, len, &end) == SV_STATUS_TOO_BIG)
            break;
          if (r.has_range && !(r.range_first <= r.range_last && r.range_last < r.range_total))
            abort ();
          if (r.status != 0 && (r.status < 100 || r.status > 599))
            abort ();
          start = i + 1;
        }
    }
  sv_http_response_clear (&r);
  return 0;
}
