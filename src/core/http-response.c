/* http-response.c: the response head a download acts on (see http-response.h). */
#include "http-response.h"

#include <string.h>

#define MAX_RETRY_AFTER_S 86400

void
sv_http_response_init (SvHttpResponse *resp)
{
  memset (resp, 0, sizeof *resp);
  resp->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
sv_http_response_clear (SvHttpResponse *resp)
{
  g_clear_pointer (&resp->headers, g_hash_table_unref);
}

/* A whole decimal number in [@s, @end) that fits in 64 bits. */
static gboolean
parse_u64 (const char *s, const char *end, guint64 *out)
{
  guint64 v = 0;

  if (s == end)
    return FALSE;
  for (; s < end; s++)
    {
      if (*s < '0' || *s > '9' || v > (G_MAXUINT64 - (guint64) (*s - '0')) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*s - '0');
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_u64_text (const char *s, guint64 *out)
{
  return parse_u64 (s, s + strlen (s), out);
}

gboolean
sv_http_response_parse_content_range (const char *value, guint64 *first, guint64 *last,
                                      guint64 *total)
{
  const char *dash, *slash;

  if (g_ascii_strncasecmp (value, "bytes", 5) != 0 || (value[5] != ' ' && value[5] != '='))
    return FALSE;
  value += 6;
  while (*value == ' ')
    value++;
  dash = strchr (value, '-');
  slash = dash != NULL ? strchr (dash, '/') : NULL;
  if (slash == NULL || !parse_u64 (value, dash, first) || !parse_u64 (dash + 1, slash, last)
      || !parse_u64_text (slash + 1, total))
    return FALSE;
  return *first <= *last && *last < *total;
}

static void
reset (SvHttpResponse *resp)
{
  GHashTable *h = resp->headers;
  gsize bytes = resp->bytes;
  guint lines = resp->lines;

  g_hash_table_remove_all (h);
  memset (resp, 0, sizeof *resp);
  resp->headers = h;
  resp->bytes = bytes;
  resp->lines = lines;
}

static SvStatus
status_line (SvHttpResponse *resp, const char *line)
{
  guint64 code;

  reset (resp);
  if (strlen (line) < 12 || line[8] != ' ' || !parse_u64 (line + 9, line + 12, &code)
      || (line[12] != '\0' && line[12] != ' ') || code < 100 || code > 599)
    return SV_STATUS_BAD_SYNTAX;
  resp->status = (guint) code;
  return SV_STATUS_OK;
}

static void
header (SvHttpResponse *resp, char *name, const char *value)
{
  const char *old;
  guint64 v, first, last, total;

  for (char *p = name; *p != '\0'; p++)
    *p = g_ascii_tolower (*p);
  if (strcmp (name, "content-length") == 0)
    resp->has_length = parse_u64_text (value, &resp->content_length);
  else if (strcmp (name, "content-range") == 0)
    {
      resp->has_range = sv_http_response_parse_content_range (value, &first, &last, &total);
      resp->range_first = resp->has_range ? first : 0;
      resp->range_last = resp->has_range ? last : 0;
      resp->range_total = resp->has_range ? total : 0;
    }
  else if (strcmp (name, "retry-after") == 0)
    resp->retry_after = parse_u64_text (value, &v) ? (guint) MIN (v, (guint64) MAX_RETRY_AFTER_S) : 0;
  else if (strcmp (name, "x-gnutella-content-urn") == 0 || strcmp (name, "x-content-urn") == 0)
    resp->has_sha1 = sv_urn_parse (value, strlen (value), &resp->sha1);
  old = g_hash_table_lookup (resp->headers, name);
  if (old != NULL && (strcmp (name, "x-alt") == 0 || strcmp (name, "x-nalt") == 0))
    g_hash_table_insert (resp->headers, g_strdup (name), g_strconcat (old, ", ", value, NULL));
  else
    g_hash_table_insert (resp->headers, g_strdup (name), g_strdup (value));
}

SvStatus
sv_http_response_feed_line (SvHttpResponse *resp, const char *line, gsize len, gboolean *end)
{
  g_autofree char *text = NULL;
  char *colon;

  *end = FALSE;
  resp->bytes += len;
  if (resp->bytes > SV_HTTP_RESPONSE_MAX_BYTES || ++resp->lines > SV_HTTP_RESPONSE_MAX_LINES)
    return SV_STATUS_TOO_BIG;
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;
  if (memchr (line, '\0', len) != NULL)
    return SV_STATUS_BAD_SYNTAX;
  text = g_strndup (line, len);
  if (len == 0)
    {
      *end = resp->status != 0;
      return resp->status != 0 ? SV_STATUS_OK : SV_STATUS_BAD_SYNTAX;
    }
  if (g_str_has_prefix (text, "HTTP/1."))
    return status_line (resp, text);
  colon = strchr (text, ':');
  if (resp->status == 0 || colon == NULL || colon == text)
    return SV_STATUS_BAD_SYNTAX;
  *colon = '\0';
  header (resp, g_strstrip (text), g_strstrip (colon + 1));
  return SV_STATUS_OK;
}
