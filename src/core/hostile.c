/* hostile.c: the hostile-address list parser and its sorted-range lookup. */
#include "hostile.h"

#include <string.h>

#include "bytes.h"

typedef struct {
  guint32 lo, hi;               /* inclusive, host order */
} V4Span;

typedef struct {
  guint64 lo_hi, lo_lo;         /* first address: high and low 64 bits */
  guint64 hi_hi, hi_lo;         /* last address, inclusive */
} V6Span;

struct _SvHostile {
  GArray *v4;                   /* V4Span, sorted, disjoint, not adjacent */
  GArray *v6;                   /* V6Span, same */
};

SvHostile *
sv_hostile_new (void)
{
  SvHostile *h = g_new0 (SvHostile, 1);

  h->v4 = g_array_new (FALSE, FALSE, sizeof (V4Span));
  h->v6 = g_array_new (FALSE, FALSE, sizeof (V6Span));
  return h;
}

void
sv_hostile_free (SvHostile *hostile)
{
  if (hostile == NULL)
    return;
  g_array_unref (hostile->v4);
  g_array_unref (hostile->v6);
  g_free (hostile);
}

/* --- 128-bit helpers (two 64-bit halves, big-endian order) --- */

static void
v6_split (const guint8 ip[16], guint64 *hi, guint64 *lo)
{
  *hi = ((guint64) sv_peek_be32 (ip) << 32) | sv_peek_be32 (ip + 4);
  *lo = ((guint64) sv_peek_be32 (ip + 8) << 32) | sv_peek_be32 (ip + 12);
}

static int
v6_cmp (guint64 ahi, guint64 alo, guint64 bhi, guint64 blo)
{
  if (ahi != bhi)
    return ahi < bhi ? -1 : 1;
  if (alo != blo)
    return alo < blo ? -1 : 1;
  return 0;
}

/* Low and high masks for a prefix of @bits (0-128): the bits that stay. */
static void
v6_mask (guint bits, guint64 *mhi, guint64 *mlo)
{
  *mhi = bits == 0 ? 0 : bits >= 64 ? G_MAXUINT64 : G_MAXUINT64 << (64 - bits);
  *mlo = bits <= 64 ? 0 : bits >= 128 ? G_MAXUINT64 : G_MAXUINT64 << (128 - bits);
}

/* --- Parsing --- */

/* Prefix length: 1-3 decimal digits, no leading zero, at most @max. */
static gboolean
parse_prefix (const char *s, gsize len, guint max, guint *out)
{
  guint v = 0;

  if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint) (s[i] - '0');
    }
  if (v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

typedef enum { LINE_EMPTY, LINE_ENTRY, LINE_BAD } LineKind;

static LineKind
parse_line (SvHostile *h, const char *s, gsize len)
{
  const char *hash, *slash;
  SvHostAddr addr;
  guint bits;

  if (memchr (s, '\0', len) != NULL)
    return LINE_BAD;
  hash = memchr (s, '#', len);
  if (hash != NULL)
    len = (gsize) (hash - s);
  while (len > 0 && g_ascii_isspace (s[0]))
    {
      s++;
      len--;
    }
  while (len > 0 && g_ascii_isspace (s[len - 1]))
    len--;
  if (len == 0)
    return LINE_EMPTY;

  slash = memchr (s, '/', len);
  if (sv_host_addr_parse_ip (s, slash ? (gsize) (slash - s) : len, &addr) != SV_STATUS_OK)
    return LINE_BAD;
  /* A blank before the slash is tolerated by the address parser's trimming; not after it. */
  if (addr.family == SV_HOST_ADDR_IPV4)
    {
      guint32 ip = sv_host_addr_ipv4_u32 (&addr), mask;
      V4Span span;

      bits = 32;
      if (slash != NULL && !parse_prefix (slash + 1, len - (gsize) (slash - s) - 1, 32, &bits))
        return LINE_BAD;
      mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
      span.lo = ip & mask;
      span.hi = span.lo | ~mask;
      g_array_append_val (h->v4, span);
    }
  else
    {
      guint64 hi, lo, mhi, mlo;
      V6Span span;

      bits = 128;
      if (slash != NULL && !parse_prefix (slash + 1, len - (gsize) (slash - s) - 1, 128, &bits))
        return LINE_BAD;
      v6_split (addr.ip, &hi, &lo);
      v6_mask (bits, &mhi, &mlo);
      span.lo_hi = hi & mhi;
      span.lo_lo = lo & mlo;
      span.hi_hi = span.lo_hi | ~mhi;
      span.hi_lo = span.lo_lo | ~mlo;
      g_array_append_val (h->v6, span);
    }
  return LINE_ENTRY;
}

static gint
v4_span_cmp (gconstpointer a, gconstpointer b)
{
  const V4Span *x = a, *y = b;

  return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

static gint
v6_span_cmp (gconstpointer a, gconstpointer b)
{
  const V6Span *x = a, *y = b;

  return v6_cmp (x->lo_hi, x->lo_lo, y->lo_hi, y->lo_lo);
}

/* Sorts by start and folds overlapping or adjacent spans together. */
static void
merge_v4 (GArray *spans)
{
  guint w = 0;

  g_array_sort (spans, v4_span_cmp);
  for (guint r = 0; r < spans->len; r++)
    {
      V4Span *cur = &g_array_index (spans, V4Span, r);
      V4Span *last = w > 0 ? &g_array_index (spans, V4Span, w - 1) : NULL;

      if (last != NULL && (last->hi == G_MAXUINT32 || cur->lo <= last->hi + 1))
        {
          if (cur->hi > last->hi)
            last->hi = cur->hi;
        }
      else
        g_array_index (spans, V4Span, w++) = *cur;
    }
  g_array_set_size (spans, w);
}

static void
merge_v6 (GArray *spans)
{
  guint w = 0;

  g_array_sort (spans, v6_span_cmp);
  for (guint r = 0; r < spans->len; r++)
    {
      V6Span *cur = &g_array_index (spans, V6Span, r);
      V6Span *last = w > 0 ? &g_array_index (spans, V6Span, w - 1) : NULL;
      gboolean touches = FALSE;

      if (last != NULL)
        {
          /* next = last->hi + 1, unless last->hi is the top address. */
          guint64 nhi = last->hi_hi, nlo = last->hi_lo + 1;

          if (nlo == 0)
            nhi++;
          touches = (last->hi_hi == G_MAXUINT64 && last->hi_lo == G_MAXUINT64)
                    || v6_cmp (cur->lo_hi, cur->lo_lo, nhi, nlo) <= 0;
        }
      if (touches)
        {
          if (v6_cmp (cur->hi_hi, cur->hi_lo, last->hi_hi, last->hi_lo) > 0)
            {
              last->hi_hi = cur->hi_hi;
              last->hi_lo = cur->hi_lo;
            }
        }
      else
        g_array_index (spans, V6Span, w++) = *cur;
    }
  g_array_set_size (spans, w);
}

SvHostile *
sv_hostile_parse (const char *text, gsize len, SvHostileStats *stats)
{
  SvHostile *h = sv_hostile_new ();
  SvHostileStats st = { 0 };
  gsize pos = 0;

  while (text != NULL && pos < len)
    {
      const char *line = text + pos;
      const char *nl = memchr (line, '\n', len - pos);
      gsize line_len = nl ? (gsize) (nl - line) : len - pos;

      if (st.lines == SV_HOSTILE_MAX_LINES)
        {
          st.truncated = TRUE;
          break;
        }
      st.lines++;
      pos += line_len + (nl ? 1 : 0);
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;

      LineKind kind = line_len > SV_HOSTILE_MAX_LINE_BYTES ? LINE_BAD
                                                            : parse_line (h, line, line_len);
      if (kind == LINE_ENTRY)
        st.entries++;
      else if (kind == LINE_BAD)
        {
          st.malformed++;
          if (st.first_malformed == 0)
            st.first_malformed = st.lines;
        }
    }
  merge_v4 (h->v4);
  merge_v6 (h->v6);
  if (stats != NULL)
    *stats = st;
  return h;
}

/* --- Lookup --- */

gboolean
sv_hostile_contains (const SvHostile *hostile, const SvHostAddr *addr)
{
  if (hostile == NULL)
    return FALSE;

  if (addr->family == SV_HOST_ADDR_IPV4)
    {
      guint32 ip = sv_host_addr_ipv4_u32 (addr);
      const V4Span *s = (const V4Span *) (gconstpointer) hostile->v4->data;
      guint lo = 0, hi = hostile->v4->len;

      /* Find the last span whose start is <= ip. */
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (s[mid].lo <= ip)
            lo = mid + 1;
          else
            hi = mid;
        }
      return lo > 0 && ip <= s[lo - 1].hi;
    }
  if (addr->family == SV_HOST_ADDR_IPV6)
    {
      guint64 ih, il;
      const V6Span *s = (const V6Span *) (gconstpointer) hostile->v6->data;
      guint lo = 0, hi = hostile->v6->len;

      v6_split (addr->ip, &ih, &il);
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (v6_cmp (s[mid].lo_hi, s[mid].lo_lo, ih, il) <= 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      return lo > 0 && v6_cmp (ih, il, s[lo - 1].hi_hi, s[lo - 1].hi_lo) <= 0;
    }
  return FALSE;
}

guint
sv_hostile_n_ranges_v4 (const SvHostile *hostile)
{
  return hostile ? hostile->v4->len : 0;
}

guint
sv_hostile_n_ranges_v6 (const SvHostile *hostile)
{
  return hostile ? hostile->v6->len : 0;
}
