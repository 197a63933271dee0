/* http-response.h: the parts of an HTTP response head a download acts on, parsed from the lines
 * libcurl hands over one at a time: the status line, Content-Length, Content-Range, Retry-After,
 * X-Gnutella-Content-URN, and every header kept by its lower-case name.
 *
 * Lenient where servents differ (blanks, case) and strict where a wrong value would corrupt a
 * file: numbers are whole decimal numbers that fit in 64 bits, a Content-Range must be
 * "bytes first-last/total" with first <= last < total. A value that does not parse is ignored
 * (the has_ flag stays FALSE), which makes the downloader refuse the answer. Bounded: at most
 * SV_HTTP_RESPONSE_MAX_LINES header lines and SV_HTTP_RESPONSE_MAX_BYTES bytes per head. */
#pragma once

#include <glib.h>

#include "status.h"
#include "urn.h"

#define SV_HTTP_RESPONSE_MAX_LINES 128
#define SV_HTTP_RESPONSE_MAX_BYTES 65536

typedef struct {
  guint status;                /* 0 until a status line came */
  gboolean has_length;
  guint64 content_length;
  gboolean has_range;          /* Content-Range: bytes first-last/total */
  guint64 range_first, range_last, range_total;
  guint retry_after;           /* seconds (0: none; capped at one day) */
  gboolean has_sha1;           /* X-Gnutella-Content-URN (or X-Content-URN) named a SHA-1 */
  SvSha1 sha1;
  GHashTable *headers;         /* lower-case name → value; X-Alt and X-NAlt lines joined with ", " */
  guint lines;
  gsize bytes;
} SvHttpResponse;

void sv_http_response_init (SvHttpResponse *resp);
void sv_http_response_clear (SvHttpResponse *resp);

/* Feeds one line of the head (with or without its CRLF). A status line ("HTTP/1.x NNN …")
 * starts a new head (after a 1xx). @end: (out) TRUE when the line was the empty one that ends
 * the head. Returns: SV_STATUS_OK; SV_STATUS_TOO_BIG past the caps; SV_STATUS_BAD_SYNTAX for a
 * line that is neither a status line nor "name: value" (or a header before any status line). */
SvStatus sv_http_response_feed_line (SvHttpResponse *resp, const char *line, gsize len,
                                     gboolean *end);

/* Parses "bytes first-last/total". Returns: FALSE unless it is exactly that, first <= last <
 * total. */
gboolean sv_http_response_parse_content_range (const char *value, guint64 *first, guint64 *last,
                                               guint64 *total);
