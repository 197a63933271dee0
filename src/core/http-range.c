/* http-range.c: Range header parsing and resolution to one satisfiable byte span. */
#include "http-range.h"

#include <string.h>

typedef struct {
  const char *p;
  const char *end;
} Cursor;

static void
skip_blanks (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
    c->p++;
}

/* Reads 1+ decimal digits. Returns: OK, BAD_SYNTAX (no digit) or BAD_VALUE (past 64 bits). */
static SvStatus
read_number (Cursor *c, guint64 *out)
{
  guint64 v = 0;
  const char *start = c->p;

  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      guint d = (guint) (*c->p - '0');

      if (v > (G_MAXUINT64 - d) / 10)
        return SV_STATUS_BAD_VALUE;
      v = v * 10 + d;
      c->p++;
    }
  if (c->p == start)
    return SV_STATUS_BAD_SYNTAX;
  *out = v;
  return SV_STATUS_OK;
}

static SvStatus
read_spec (Cursor *c, SvHttpRangeSpec *spec)
{
  SvStatus st;

  memset (spec, 0, sizeof *spec);
  if (c->p < c->end && *c->p != '-')
    {
      st = read_number (c, &spec->first);
      if (st != SV_STATUS_OK)
        return st;
      spec->has_first = TRUE;
      skip_blanks (c);
    }
  if (c->p >= c->end || *c->p != '-')
    return SV_STATUS_BAD_SYNTAX;
  c->p++;
  skip_blanks (c);
  if (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      st = read_number (c, &spec->last);
      if (st != SV_STATUS_OK)
        return st;
      spec->has_last = TRUE;
    }
  if (!spec->has_first && !spec->has_last)
    return SV_STATUS_BAD_SYNTAX;          /* a lone "-" */
  if (spec->has_first && spec->has_last && spec->last < spec->first)
    return SV_STATUS_BAD_VALUE;
  return SV_STATUS_OK;
}

SvStatus
sv_http_range_parse (const char *text, gsize len, SvHttpRangeSet *out)
{
  static const char unit[] = "bytes";
  Cursor c = { text, text + len };
  const char *unit_start, *unit_end;

  out->count = 0;
  skip_blanks (&c);
  unit_start = c.p;
  while (c.p < c.end && (g_ascii_isalnum (*c.p) || *c.p == '-' || *c.p == '_'))
    c.p++;
  unit_end = c.p;
  if (unit_end == unit_start)
    return SV_STATUS_BAD_SYNTAX;
  skip_blanks (&c);
  if (c.p >= c.end || *c.p != '=')
    return SV_STATUS_BAD_SYNTAX;
  if ((gsize) (unit_end - unit_start) != sizeof unit - 1
      || g_ascii_strncasecmp (unit_start, unit, sizeof unit - 1) != 0)
    return SV_STATUS_UNSUPPORTED;
  c.p++;

  for (;;)
    {
      skip_blanks (&c);
      if (c.p < c.end && *c.p != ',')
        {
          SvHttpRangeSpec spec;
          SvStatus st;

          st = read_spec (&c, &spec);
          if (st != SV_STATUS_OK)
            return st;
          if (out->count == SV_HTTP_MAX_RANGES)
            return SV_STATUS_TOO_BIG;
          out->specs[out->count++] = spec;
          skip_blanks (&c);
        }
      if (c.p >= c.end)
        break;
      if (*c.p != ',')
        return SV_STATUS_BAD_SYNTAX;
      c.p++;
    }
  if (out->count == 0)
    return SV_STATUS_BAD_SYNTAX;
  return SV_STATUS_OK;
}

/* Clips @spec to the file. Returns: FALSE when it selects no byte of it. */
static gboolean
spec_span (const SvHttpRangeSpec *spec, guint64 size, guint64 *first, guint64 *last)
{
  if (size == 0)
    return FALSE;
  if (!spec->has_first)
    {
      if (spec->last == 0)
        return FALSE;
      *first = spec->last >= size ? 0 : size - spec->last;
      *last = size - 1;
      return TRUE;
    }
  if (spec->first >= size)
    return FALSE;
  *first = spec->first;
  *last = (!spec->has_last || spec->last >= size) ? size - 1 : spec->last;
  return TRUE;
}

SvHttpRangeVerdict
sv_http_range_resolve (const SvHttpRangeSet *set, guint64 file_size,
                       guint64 *first, guint64 *length)
{
  guint64 lo = 0, hi = 0;
  gboolean found = FALSE, grew;

  if (set == NULL || set->count == 0)
    {
      *first = 0;
      *length = file_size;
      return SV_HTTP_RANGE_FULL;
    }
  for (guint i = 0; i < set->count && !found; i++)
    found = spec_span (&set->specs[i], file_size, &lo, &hi);
  if (!found)
    {
      *first = 0;
      *length = 0;
      return SV_HTTP_RANGE_UNSATISFIABLE;
    }
  /* Widen by touching spans until nothing changes (at most count passes). */
  do
    {
      grew = FALSE;
      for (guint i = 0; i < set->count; i++)
        {
          guint64 a, b;

          if (!spec_span (&set->specs[i], file_size, &a, &b))
            continue;
          /* Overlapping or adjacent: a <= hi + 1 and b + 1 >= lo, written without overflow. */
          if ((a <= hi || a - hi == 1) && (b >= lo || lo - b == 1))
            {
              if (a < lo)
                lo = a, grew = TRUE;
              if (b > hi)
                hi = b, grew = TRUE;
            }
        }
    }
  while (grew);
  *first = lo;
  *length = hi - lo + 1;   /* hi <= file_size - 1, so no overflow */
  return SV_HTTP_RANGE_PARTIAL;
}

const char *
sv_http_range_verdict_name (SvHttpRangeVerdict verdict)
{
  switch (verdict)
    {
    case SV_HTTP_RANGE_FULL:
      return "full";
    case SV_HTTP_RANGE_PARTIAL:
      return "partial";
    case SV_HTTP_RANGE_UNSATISFIABLE:
      return "unsatisfiable";
    }
  return "unknown";
}
