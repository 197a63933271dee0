/* fuzz-http.c: the connection sniffer, the upload request parser (fed in pieces, with keep-alive
 * pipelining) and the Range parser/resolver fed with arbitrary bytes. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>

#include "gnet-http.h"
#include "gnet-sniff.h"
#include "http-range.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_range (const SvHttpRangeSet *set)
{
  static const guint64 sizes[] = { 0, 1, 1000, G_GUINT64_CONSTANT (5000000000), G_MAXUINT64 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint64 first, length;
      SvHttpRangeVerdict v = sv_http_range_resolve (set, sizes[i], &first, &length);

      if (v == SV_HTTP_RANGE_PARTIAL
          && (length == 0 || first >= sizes[i] || length > sizes[i] - first))
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (SvGnetHttpParser) parser = NULL;
  SvHttpRangeSet set;
  gsize pos = 0, step;

  (void) sv_gnet_sniff (data, size);
  if (sv_http_range_parse ((const char *) data, size, &set) == SV_STATUS_OK)
    check_range (&set);
  if (size == 0)
    return 0;

  /* The first byte picks the piece size; the rest is the stream. */
  step = (gsize) data[0] + 1;
  data++, size--;
  parser = sv_gnet_http_parser_new ();
  sv_gnet_http_parser_add_local_host (parser, "127.0.0.1:6346");
  while (pos < size)
    {
      gsize n = MIN (step, size - pos), used = 0;
      SvStatus st = sv_gnet_http_parser_feed (parser, data + pos, n, &used);

      if (used > n)
        abort ();
      pos += used;
      if (st == SV_STATUS_OK)
        {
          g_autoptr (SvGnetHttpRequest) req = sv_gnet_http_parser_steal_request (parser);

          if (req == NULL)
            abort ();
          if (req->range != NULL && req->range_status == SV_STATUS_OK)
            check_range (&req->ranges);
          sv_gnet_http_parser_reset (parser);
        }
      else if (st != SV_STATUS_NEED_MORE)
        {
          if (sv_gnet_http_parser_verdict (parser) == SV_GNET_HTTP_VERDICT_OK)
            abort ();
          break;
        }
      else if (used != n)
        abort ();
    }
  return 0;
}
