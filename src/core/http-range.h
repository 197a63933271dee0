/* http-range.h: the HTTP Range request header (bytes=a-b, a-, -n, lists) and its resolution
 * against a file size into the one byte span an upload answers with.
 *
 * Sizes are 64-bit throughout; every sum and difference is checked before it is made. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "status.h"

/* One byte-range-spec as written. A suffix range ("-n") has has_first FALSE and @last = n;
 * an open range ("a-") has has_last FALSE. */
typedef struct {
  gboolean has_first;
  gboolean has_last;
  guint64 first;
  guint64 last;
} SvHttpRangeSpec;

typedef struct {
  guint count;
  SvHttpRangeSpec specs[SV_HTTP_MAX_RANGES];
} SvHttpRangeSet;

typedef enum {
  SV_HTTP_RANGE_FULL = 0,        /* no Range: send the whole file (200) */
  SV_HTTP_RANGE_PARTIAL,         /* one satisfiable span (206 + Content-Range) */
  SV_HTTP_RANGE_UNSATISFIABLE,   /* nothing requested lies inside the file (416) */
} SvHttpRangeVerdict;

/* Parses a Range header value such as "bytes=0-499, 1000-" (@len bytes, need not be
 * NUL-terminated). The unit is matched case-insensitively; blanks around '=', ',' and '-' are
 * allowed, empty list elements are skipped.
 * Returns: SV_STATUS_OK; SV_STATUS_UNSUPPORTED for a unit other than "bytes" (the header may be
 * ignored); SV_STATUS_TOO_BIG for more than SV_HTTP_MAX_RANGES specs; SV_STATUS_BAD_VALUE for a
 * number that does not fit in 64 bits or an inverted spec (last < first); SV_STATUS_BAD_SYNTAX
 * for anything else, including an empty list. @out is only meaningful on OK. */
SvStatus sv_http_range_parse (const char *text, gsize len, SvHttpRangeSet *out);

/* Resolves @set (nullable: no Range header) against a file of @file_size bytes.
 * The first satisfiable spec is taken, then widened by every other satisfiable spec that overlaps
 * or touches it, so that the answer is one contiguous span. A suffix longer than the file means
 * the whole file; an end past EOF is clipped. A zero-length file satisfies no range.
 * On PARTIAL, *@first and *@length describe the span (length >= 1); on FULL they are 0 and
 * @file_size; on UNSATISFIABLE they are 0. */
SvHttpRangeVerdict sv_http_range_resolve (const SvHttpRangeSet *set, guint64 file_size,
                                          guint64 *first, guint64 *length);

/* Returns: (transfer none) "full", "partial" or "unsatisfiable". */
const char *sv_http_range_verdict_name (SvHttpRangeVerdict verdict);
