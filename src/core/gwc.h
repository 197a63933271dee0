/* gwc.h: the GWebCache protocol, version 2, as a client speaks it: the request URL and the
 * parsing of the answer.
 *
 * A GWebCache is an HTTP script that lists servents and other caches. The request is
 * `URL?get=1&net=gnutella&client=VNDR&version=V`; the answer is text, one item a line:
 *   H|IP:PORT[|age[|…]]     a servent (v2)
 *   U|URL[|age]             another cache (v2)
 *   I|…                     information (pong, update, …): ignored
 *   IP:PORT                 a servent (v1 hostfile)
 *   ERROR…                  the cache refused
 * Lines end in LF or CRLF. Bad lines are skipped and counted, never fatal: a cache is a stranger's
 * script. The whole answer is capped at SV_GWC_MAX_RESPONSE_BYTES (the caller stops reading there)
 * and the entries kept at SV_GWC_MAX_HOSTS and SV_GWC_MAX_URLS.
 *
 * Pure: bytes in, values out. */
#pragma once

#include <glib.h>

#include "host-addr.h"
#include "status.h"

#define SV_GWC_MAX_RESPONSE_BYTES (64 * 1024)   /* read no further */
#define SV_GWC_MAX_HOSTS 100                    /* servents kept from one answer */
#define SV_GWC_MAX_URLS 20                      /* caches kept from one answer */
#define SV_GWC_MAX_URL_BYTES 512                /* a longer cache URL is skipped */
#define SV_GWC_CLIENT "SVNT"                    /* our vendor code in the request */

/* The request URL for @base (the cache's URL, with or without a query string of its own).
 * Returns: (transfer full). */
char *sv_gwc_request_url (const char *base, const char *version);

typedef struct {
  SvHostAddr hosts[SV_GWC_MAX_HOSTS];
  guint n_hosts;
  char *urls[SV_GWC_MAX_URLS];  /* owned; http:// or https:// only */
  guint n_urls;
  guint n_bad;                  /* lines that were neither of the above */
  gboolean error;               /* the cache answered ERROR */
} SvGwcAnswer;

/* Parses @len bytes of an answer into @out (which it initialises). Only routable-looking hosts are
 * kept as they are written: filtering (bogons, private ranges) is the host cache's job.
 * Returns: SV_STATUS_OK, or SV_STATUS_TOO_BIG when @len exceeds SV_GWC_MAX_RESPONSE_BYTES
 * (nothing is parsed). */
SvStatus sv_gwc_parse (const guint8 *data, gsize len, SvGwcAnswer *out);
void sv_gwc_answer_clear (SvGwcAnswer *answer);
