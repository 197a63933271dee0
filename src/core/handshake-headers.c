/* handshake-headers.c: incremental parsing of one 0.6 handshake header block, its caps, and the
 * small value grammars (booleans, versions, numbers, token lists, first lines). */
#include "handshake-headers.h"

#include <string.h>

typedef enum {
  PHASE_FIRST_LINE,
  PHASE_HEADERS,
  PHASE_DONE,
  PHASE_ERROR,
} Phase;

typedef struct {
  char *name;
  GString *value;
} Entry;

struct _SvHandshakeHeaders {
  Phase phase;
  SvStatus error;
  GString *line;          /* the line being read, without its LF (a trailing CR is kept) */
  gsize total;            /* bytes of the block taken so far */
  guint header_lines;     /* physical lines after the first one, the blank line excluded */
  char *first_line;
  GPtrArray *entries;     /* Entry *, in order of first appearance */
  Entry *last;            /* the entry a continuation line extends */
};

static void
entry_free (gpointer p)
{
  Entry *e = p;

  g_free (e->name);
  g_string_free (e->value, TRUE);
  g_free (e);
}

SvHandshakeHeaders *
sv_handshake_headers_new (void)
{
  SvHandshakeHeaders *h = g_new0 (SvHandshakeHeaders, 1);

  h->phase = PHASE_FIRST_LINE;
  h->line = g_string_sized_new (128);
  h->entries = g_ptr_array_new_with_free_func (entry_free);
  return h;
}

void
sv_handshake_headers_free (SvHandshakeHeaders *headers)
{
  if (headers == NULL)
    return;
  g_string_free (headers->line, TRUE);
  g_free (headers->first_line);
  g_ptr_array_unref (headers->entries);
  g_free (headers);
}

static Entry *
find_entry (const SvHandshakeHeaders *h, const char *name, gsize name_len)
{
  for (guint i = 0; i < h->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (h->entries, i);
      if (strlen (e->name) == name_len && g_ascii_strncasecmp (e->name, name, name_len) == 0)
        return e;
    }
  return NULL;
}

static gboolean
line_has_control (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) s[i];
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t';
}

/* Trims spaces and tabs; returns the start and sets @len. */
static const char *
trim (const char *s, gsize *len)
{
  gsize n = *len;

  while (n > 0 && is_space (*s))
    {
      s++;
      n--;
    }
  while (n > 0 && is_space (s[n - 1]))
    n--;
  *len = n;
  return s;
}

static void
append_value (GString *value, const char *sep, const char *s, gsize len)
{
  if (len == 0)
    return;
  if (value->len > 0)
    g_string_append (value, sep);
  g_string_append_len (value, s, (gssize) len);
}

/* One complete line (without its line end) in the current phase. */
static SvStatus
take_line (SvHandshakeHeaders *h, const char *s, gsize len)
{
  if (line_has_control (s, len))
    return SV_STATUS_BAD_SYNTAX;

  if (h->phase == PHASE_FIRST_LINE)
    {
      if (len == 0 || is_space (s[0]))
        return SV_STATUS_BAD_SYNTAX;
      h->first_line = g_strndup (s, len);
      h->phase = PHASE_HEADERS;
      return SV_STATUS_NEED_MORE;
    }

  if (len == 0)
    {
      h->phase = PHASE_DONE;
      return SV_STATUS_OK;
    }

  if (++h->header_lines > SV_HANDSHAKE_MAX_HEADER_LINES)
    return SV_STATUS_TOO_BIG;

  if (is_space (s[0]))
    {
      const char *v;
      gsize vlen = len;

      if (h->last == NULL)
        return SV_STATUS_BAD_SYNTAX;
      v = trim (s, &vlen);
      append_value (h->last->value, " ", v, vlen);
      return SV_STATUS_NEED_MORE;
    }

  const char *colon = memchr (s, ':', len);
  if (colon == NULL || colon == s)
    return SV_STATUS_BAD_SYNTAX;
  gsize name_len = (gsize) (colon - s);
  for (gsize i = 0; i < name_len; i++)
    if (is_space (s[i]))
      return SV_STATUS_BAD_SYNTAX;

  gsize vlen = len - name_len - 1;
  const char *v = trim (colon + 1, &vlen);
  Entry *e = find_entry (h, s, name_len);
  if (e == NULL)
    {
      e = g_new0 (Entry, 1);
      e->name = g_strndup (s, name_len);
      e->value = g_string_new_len (v, (gssize) vlen);
      g_ptr_array_add (h->entries, e);
    }
  else
    append_value (e->value, ", ", v, vlen);
  h->last = e;
  return SV_STATUS_NEED_MORE;
}

static SvStatus
fail (SvHandshakeHeaders *h, SvStatus status)
{
  h->phase = PHASE_ERROR;
  h->error = status;
  return status;
}

SvStatus
sv_handshake_headers_feed (SvHandshakeHeaders *headers, const guint8 *data, gsize len,
                           gsize *consumed)
{
  SvHandshakeHeaders *h = headers;

  *consumed = 0;
  if (h->phase == PHASE_DONE)
    return SV_STATUS_OK;
  if (h->phase == PHASE_ERROR)
    return h->error;

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = data[i];

      *consumed = i + 1;
      if (++h->total > SV_HANDSHAKE_MAX_HEADER_BYTES)
        return fail (h, SV_STATUS_TOO_BIG);

      if (b == '\n')
        {
          gsize n = h->line->len;
          SvStatus st;

          if (n > 0 && h->line->str[n - 1] == '\r')
            n--;
          st = take_line (h, h->line->str, n);
          g_string_truncate (h->line, 0);
          if (st == SV_STATUS_OK)
            return SV_STATUS_OK;
          if (st != SV_STATUS_NEED_MORE)
            return fail (h, st);
          continue;
        }

      /* Binary bytes (a TLS hello, a message stream) are refused at once; a CR may only
       * come right before the LF. */
      if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7f
          || (h->line->len > 0 && h->line->str[h->line->len - 1] == '\r'))
        return fail (h, SV_STATUS_BAD_SYNTAX);
      g_string_append_c (h->line, (char) b);
      /* The cap counts the line without its CR LF; a CR may still be pending at cap + 1. */
      if (h->line->len > SV_HANDSHAKE_MAX_LINE_BYTES + 1
          || (h->line->len == SV_HANDSHAKE_MAX_LINE_BYTES + 1 && b != '\r'))
        return fail (h, SV_STATUS_TOO_BIG);
    }
  return SV_STATUS_NEED_MORE;
}

gboolean
sv_handshake_headers_is_complete (const SvHandshakeHeaders *headers)
{
  return headers->phase == PHASE_DONE;
}

const char *
sv_handshake_headers_first_line (const SvHandshakeHeaders *headers)
{
  return headers->first_line;
}

guint
sv_handshake_headers_count (const SvHandshakeHeaders *headers)
{
  return headers->entries->len;
}

const char *
sv_handshake_headers_nth (const SvHandshakeHeaders *headers, guint index, const char **value)
{
  const Entry *e;

  g_return_val_if_fail (index < headers->entries->len, NULL);
  e = g_ptr_array_index (headers->entries, index);
  if (value != NULL)
    *value = e->value->str;
  return e->name;
}

const char *
sv_handshake_headers_get (const SvHandshakeHeaders *headers, const char *name)
{
  const Entry *e = find_entry (headers, name, strlen (name));

  return e ? e->value->str : NULL;
}

gboolean
sv_handshake_headers_get_bool (const SvHandshakeHeaders *headers, const char *name, gboolean *value)
{
  const char *v = sv_handshake_headers_get (headers, name);

  if (v == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (v, "true") == 0)
    *value = TRUE;
  else if (g_ascii_strcasecmp (v, "false") == 0)
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* Reads 1-3 digits at *@p within @end. */
static gboolean
take_small_number (const char **p, const char *end, guint *out)
{
  guint v = 0;
  int digits = 0;

  while (*p < end && g_ascii_isdigit (**p))
    {
      if (++digits > 3)
        return FALSE;
      v = v * 10 + (guint) (**p - '0');
      (*p)++;
    }
  if (digits == 0)
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
sv_handshake_headers_parse_version (const char *text, gsize len, guint *major, guint *minor)
{
  const char *p = text;
  const char *end = text + len;
  guint maj, min;

  if (!take_small_number (&p, end, &maj))
    return FALSE;
  if (p >= end || *p != '.')
    return FALSE;
  p++;
  if (!take_small_number (&p, end, &min) || p != end)
    return FALSE;
  *major = maj;
  *minor = min;
  return TRUE;
}

gboolean
sv_handshake_headers_get_version (const SvHandshakeHeaders *headers, const char *name,
                                  guint *major, guint *minor)
{
  const char *v = sv_handshake_headers_get (headers, name);

  return v != NULL && sv_handshake_headers_parse_version (v, strlen (v), major, minor);
}

gboolean
sv_handshake_headers_get_uint (const SvHandshakeHeaders *headers, const char *name, guint max,
                               guint *value)
{
  const char *v = sv_handshake_headers_get (headers, name);
  guint64 n = 0;

  if (v == NULL || *v == '\0')
    return FALSE;
  for (const char *p = v; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      if (n <= max)
        n = n * 10 + (guint64) (*p - '0');
    }
  *value = n > max ? max : (guint) n;
  return TRUE;
}

gboolean
sv_handshake_headers_has_token (const SvHandshakeHeaders *headers, const char *name, const char *token)
{
  const char *v = sv_handshake_headers_get (headers, name);
  gsize tlen = strlen (token);

  if (v == NULL)
    return FALSE;
  while (*v)
    {
      const char *comma = strchr (v, ',');
      gsize len = comma ? (gsize) (comma - v) : strlen (v);
      const char *item = trim (v, &len);

      if (len == tlen && g_ascii_strncasecmp (item, token, tlen) == 0)
        return TRUE;
      if (comma == NULL)
        break;
      v = comma + 1;
    }
  return FALSE;
}

#define CONNECT_PREFIX "GNUTELLA CONNECT/"
#define STATUS_PREFIX "GNUTELLA/"

SvStatus
sv_handshake_headers_parse_request_line (const char *line, guint *major, guint *minor)
{
  gsize plen = strlen (CONNECT_PREFIX);
  gsize len = strlen (line);

  if (len < plen || strncmp (line, CONNECT_PREFIX, plen) != 0)
    return SV_STATUS_BAD_SYNTAX;
  len -= plen;
  const char *v = trim (line + plen, &len);
  if (v != line + plen)
    return SV_STATUS_BAD_SYNTAX;
  return sv_handshake_headers_parse_version (v, len, major, minor) ? SV_STATUS_OK : SV_STATUS_BAD_SYNTAX;
}

SvStatus
sv_handshake_headers_parse_status_line (const char *line, guint *major, guint *minor, guint *code,
                                        const char **reason)
{
  gsize plen = strlen (STATUS_PREFIX);
  const char *p, *sp;
  guint c = 0;

  if (strncmp (line, STATUS_PREFIX, plen) != 0)
    return SV_STATUS_BAD_SYNTAX;
  p = line + plen;
  sp = strchr (p, ' ');
  if (sp == NULL || !sv_handshake_headers_parse_version (p, (gsize) (sp - p), major, minor))
    return SV_STATUS_BAD_SYNTAX;
  p = sp + 1;
  for (int i = 0; i < 3; i++, p++)
    {
      if (!g_ascii_isdigit (*p))
        return SV_STATUS_BAD_SYNTAX;
      c = c * 10 + (guint) (*p - '0');
    }
  if (*p != '\0' && *p != ' ')
    return SV_STATUS_BAD_SYNTAX;
  if (c < 100)
    return SV_STATUS_BAD_SYNTAX;
  while (*p == ' ')
    p++;
  *code = c;
  *reason = p;
  return SV_STATUS_OK;
}
