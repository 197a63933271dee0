/* gnet-http.c: the upload request parser (line framing, caps, request line, headers, target
 * resolution) and the response head builder. */
#include "gnet-http.h"

#include <string.h>

#define BROWSE_MIME "application/x-gnutella-packets"
#define MAX_INDEX_DIGITS 10            /* G_MAXUINT32 has 10 digits */
#define MAX_LEADING_EMPTY_LINES 1      /* RFC 9112 §2.2: tolerate a stray CRLF before a request */

typedef enum {
  STATE_REQUEST_LINE = 0,
  STATE_HEADERS,
  STATE_DONE,
  STATE_FAILED,
} ParserState;

struct _SvGnetHttpParser {
  ParserState state;
  SvStatus failure;
  SvGnetHttpVerdict verdict;
  GByteArray *line;
  guint empty_lines;
  guint header_lines;
  gsize header_bytes;
  gboolean has_transfer_encoding;
  gboolean has_body;
  gboolean conn_close;
  gboolean conn_keep_alive;
  SvGnetHttpRequest *req;
  GPtrArray *local_hosts;
};

/* --- Request ------------------------------------------------------------------------------- */

void
sv_gnet_http_request_free (SvGnetHttpRequest *req)
{
  if (req == NULL)
    return;
  g_free (req->raw_target);
  g_free (req->name);
  g_free (req->host);
  g_free (req->user_agent);
  g_free (req->accept);
  g_free (req->range);
  g_free (req->x_queue);
  g_free (req->x_queued);
  g_free (req->content_urn);
  g_free (req->x_node);
  g_free (req->x_features);
  g_free (req->x_alt);
  g_free (req->x_nalt);
  g_free (req);
}

/* --- Parser life cycle --------------------------------------------------------------------- */

SvGnetHttpParser *
sv_gnet_http_parser_new (void)
{
  SvGnetHttpParser *p = g_new0 (SvGnetHttpParser, 1);

  p->line = g_byte_array_new ();
  p->local_hosts = g_ptr_array_new_with_free_func (g_free);
  sv_gnet_http_parser_reset (p);
  return p;
}

void
sv_gnet_http_parser_free (SvGnetHttpParser *parser)
{
  if (parser == NULL)
    return;
  g_byte_array_unref (parser->line);
  g_ptr_array_unref (parser->local_hosts);
  sv_gnet_http_request_free (parser->req);
  g_free (parser);
}

void
sv_gnet_http_parser_add_local_host (SvGnetHttpParser *parser, const char *authority)
{
  g_ptr_array_add (parser->local_hosts, g_strdup (authority));
}

void
sv_gnet_http_parser_reset (SvGnetHttpParser *parser)
{
  parser->state = STATE_REQUEST_LINE;
  parser->failure = SV_STATUS_OK;
  parser->verdict = SV_GNET_HTTP_VERDICT_OK;
  g_byte_array_set_size (parser->line, 0);
  parser->empty_lines = 0;
  parser->header_lines = 0;
  parser->header_bytes = 0;
  parser->has_transfer_encoding = FALSE;
  parser->has_body = FALSE;
  parser->conn_close = FALSE;
  parser->conn_keep_alive = FALSE;
  sv_gnet_http_request_free (parser->req);
  parser->req = g_new0 (SvGnetHttpRequest, 1);
}

SvGnetHttpVerdict
sv_gnet_http_parser_verdict (const SvGnetHttpParser *parser)
{
  return parser->state == STATE_FAILED ? parser->verdict : SV_GNET_HTTP_VERDICT_OK;
}

SvGnetHttpRequest *
sv_gnet_http_parser_steal_request (SvGnetHttpParser *parser)
{
  if (parser->state != STATE_DONE)
    return NULL;
  return g_steal_pointer (&parser->req);
}

static SvStatus
fail (SvGnetHttpParser *p, SvStatus status, SvGnetHttpVerdict verdict)
{
  p->state = STATE_FAILED;
  p->failure = status;
  p->verdict = verdict;
  return status;
}

/* --- Small text helpers -------------------------------------------------------------------- */

static gboolean
is_tchar (guint8 c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_blank (guint8 c)
{
  return c == ' ' || c == '\t';
}

static gboolean
span_equal (const char *s, gsize len, const char *lit)
{
  return strlen (lit) == len && memcmp (s, lit, len) == 0;
}

static gboolean
span_iequal (const char *s, gsize len, const char *lit)
{
  return strlen (lit) == len && g_ascii_strncasecmp (s, lit, len) == 0;
}

/* Does the comma-separated list @list hold @token (case-insensitive; parameters after ';'
 * are ignored)? */
static gboolean
list_has_token (const char *list, const char *token)
{
  const char *p = list;

  while (*p != '\0')
    {
      const char *start, *end;

      while (*p == ',' || is_blank (*p))
        p++;
      start = p;
      while (*p != '\0' && *p != ',')
        p++;
      end = p;
      for (const char *semi = start; semi < end; semi++)
        if (*semi == ';')
          {
            end = semi;
            break;
          }
      while (end > start && is_blank (end[-1]))
        end--;
      if (end > start && span_iequal (start, (gsize) (end - start), token))
        return TRUE;
    }
  return FALSE;
}

/* Percent-decodes @len bytes into @out. Returns: FALSE on a broken escape. */
static gboolean
pct_decode (const char *s, gsize len, GString *out)
{
  g_string_truncate (out, 0);
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] != '%')
        {
          g_string_append_c (out, s[i]);
          continue;
        }
      if (len - i < 3 || !g_ascii_isxdigit (s[i + 1]) || !g_ascii_isxdigit (s[i + 2]))
        return FALSE;
      g_string_append_c (out, (char) ((g_ascii_xdigit_value (s[i + 1]) << 4)
                                      | g_ascii_xdigit_value (s[i + 2])));
      i += 2;
    }
  return TRUE;
}

/* A decoded path segment or query value that is safe to look at: valid UTF-8 (no overlong
 * forms), no control character, no separator, no escape left over (double encoding). */
static gboolean
decoded_text_is_clean (const GString *s, gboolean allow_slash)
{
  if (!g_utf8_validate_len (s->str, s->len, NULL))
    return FALSE;
  for (gsize i = 0; i < s->len; i++)
    {
      guint8 c = (guint8) s->str[i];

      if (c < 0x20 || c == 0x7f || c == '\\')
        return FALSE;
      if (c == '/' && !allow_slash)
        return FALSE;
      if (c == '%' && i + 2 < s->len && g_ascii_isxdigit (s->str[i + 1])
          && g_ascii_isxdigit (s->str[i + 2]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_u32 (const char *s, gsize len, guint32 *out)
{
  guint64 v = 0;

  if (len == 0 || len > MAX_INDEX_DIGITS)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint64) (s[i] - '0');
    }
  if (v > G_MAXUINT32)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

/* A servent GUID as 32 hex, 26 base32, or 26 base32 padded with "======". */
static gboolean
parse_guid_text (const char *s, gsize len, SvGuid *out)
{
  if (len == SV_GUID_HEX_LEN && sv_guid_from_hex (s, len, out))
    return TRUE;
  if (len == 32 && memcmp (s + 26, "======", 6) == 0)
    len = 26;
  if (len == 26)
    return sv_base32_decode (s, len, out->b, SV_GUID_LEN);
  return FALSE;
}

/* --- Target resolution --------------------------------------------------------------------- */

/* The query of a push-proxy call (@meeting NONE: ServerId required, file and tls optional) or
 * of a rendezvous or relay call (@meeting RENDEZVOUS or RELAY: token required, ServerId
 * optional). */
static SvGnetHttpVerdict
resolve_push_proxy (SvGnetHttpRequest *req, const char *query, gsize len, SvGnetHttpTarget meeting)
{
  gboolean rendezvous = meeting != SV_GNET_HTTP_TARGET_NONE;
  g_autoptr (GString) value = g_string_new (NULL);
  gboolean has_token = FALSE;
  gsize pos = 0;

  while (pos <= len && query != NULL)
    {
      gsize end = pos, eq;

      while (end < len && query[end] != '&')
        end++;
      eq = pos;
      while (eq < end && query[eq] != '=')
        eq++;
      if (end > pos)
        {
          const char *key = query + pos;
          gsize key_len = eq - pos;

          if (eq == end || !pct_decode (query + eq + 1, end - eq - 1, value)
              || !decoded_text_is_clean (value, FALSE))
            return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
          if (span_iequal (key, key_len, "ServerId") || span_iequal (key, key_len, "guid"))
            {
              if (req->push_has_guid || !parse_guid_text (value->str, value->len, &req->push_guid))
                return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
              req->push_has_guid = TRUE;
            }
          else if (span_iequal (key, key_len, "file"))
            {
              if (!parse_u32 (value->str, value->len, &req->index))
                return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
              req->push_has_file = TRUE;
            }
          else if (span_iequal (key, key_len, "tls"))
            req->push_tls = span_iequal (value->str, value->len, "true");
          else if (rendezvous && span_iequal (key, key_len, "ports"))
            req->rendezvous_random_ports = span_iequal (value->str, value->len, "random");
          else if (rendezvous && span_iequal (key, key_len, "token"))
            {
              if (has_token || value->len != SV_GUID_HEX_LEN
                  || !sv_guid_from_hex (value->str, value->len, &req->rendezvous_token))
                return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
              has_token = TRUE;
            }
        }
      pos = end + 1;
    }
  if (rendezvous ? !has_token : !req->push_has_guid)
    return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
  req->target = rendezvous ? meeting : SV_GNET_HTTP_TARGET_PUSH_PROXY;
  return SV_GNET_HTTP_VERDICT_OK;
}

static SvGnetHttpVerdict
resolve_uri_res (SvGnetHttpRequest *req, const char *service, const char *query, gsize len)
{
  g_autoptr (GString) urn = g_string_new (NULL);
  gboolean n2r = g_ascii_strcasecmp (service, "N2R") == 0;
  gboolean n2x = g_ascii_strcasecmp (service, "N2X") == 0;

  if (!n2r && !n2x)
    return SV_GNET_HTTP_VERDICT_NOT_FOUND;
  if (query == NULL || !pct_decode (query, len, urn) || !decoded_text_is_clean (urn, FALSE)
      || !sv_urn_parse (urn->str, urn->len, &req->sha1))
    return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
  if (n2r)
    {
      req->target = SV_GNET_HTTP_TARGET_SHA1;
      return SV_GNET_HTTP_VERDICT_OK;
    }
  req->target = SV_GNET_HTTP_TARGET_THEX;
  return SV_GNET_HTTP_VERDICT_NOT_FOUND;       /* THEX trees are not served */
}

/* Strips an absolute-form "http://authority" prefix naming this servent.
 * Returns: FALSE for any other absolute form. */
static gboolean
strip_absolute_form (const SvGnetHttpParser *p, const char **target, gsize *len)
{
  static const char scheme[] = "http://";
  const char *t = *target;
  gsize auth_len = 0, n = sizeof scheme - 1;

  if (*len < n || g_ascii_strncasecmp (t, scheme, n) != 0)
    return FALSE;
  while (n + auth_len < *len && t[n + auth_len] != '/')
    auth_len++;
  for (guint i = 0; i < p->local_hosts->len; i++)
    {
      const char *host = g_ptr_array_index (p->local_hosts, i);

      if (auth_len > 0 && span_iequal (t + n, auth_len, host))
        {
          *target = t + n + auth_len;
          *len -= n + auth_len;
          return TRUE;
        }
    }
  return FALSE;
}

static SvGnetHttpVerdict
resolve_target (const SvGnetHttpParser *p, SvGnetHttpRequest *req)
{
  const char *target = req->raw_target;
  gsize len = strlen (target);
  const char *query = NULL;
  gsize path_len, query_len = 0;
  g_auto (GStrv) segs = NULL;
  g_autoptr (GPtrArray) decoded = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) seg = g_string_new (NULL);
  guint nseg;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = (guint8) target[i];

      if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#')
        return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
    }
  if (target[0] != '/' && !strip_absolute_form (p, &target, &len))
    return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
  if (len == 0)
    target = "/", len = 1;
  if (target[0] != '/')
    return SV_GNET_HTTP_VERDICT_BAD_REQUEST;

  for (path_len = 0; path_len < len && target[path_len] != '?'; path_len++)
    ;
  if (path_len < len)
    {
      query = target + path_len + 1;
      query_len = len - path_len - 1;
    }

  if (path_len == 1)
    {
      if (req->accept != NULL && list_has_token (req->accept, BROWSE_MIME))
        {
          req->target = SV_GNET_HTTP_TARGET_BROWSE;
          return SV_GNET_HTTP_VERDICT_OK;
        }
      return SV_GNET_HTTP_VERDICT_NOT_FOUND;
    }

  /* Decode every segment; refuse dot segments, empty segments and anything unclean. */
  {
    g_autofree char *path = g_strndup (target + 1, path_len - 1);

    segs = g_strsplit (path, "/", -1);
  }
  for (nseg = 0; segs[nseg] != NULL; nseg++)
    {
      if (segs[nseg][0] == '\0' || !pct_decode (segs[nseg], strlen (segs[nseg]), seg)
          || !decoded_text_is_clean (seg, FALSE) || strcmp (seg->str, ".") == 0
          || strcmp (seg->str, "..") == 0 || memchr (seg->str, '\0', seg->len) != NULL)
        return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
      g_ptr_array_add (decoded, g_strndup (seg->str, seg->len));
    }

  if (strcmp (g_ptr_array_index (decoded, 0), "get") == 0)
    {
      const char *index = g_ptr_array_index (decoded, 1 % nseg);

      if (nseg != 3 || !parse_u32 (index, strlen (index), &req->index))
        return SV_GNET_HTTP_VERDICT_BAD_REQUEST;
      req->name = g_strdup (g_ptr_array_index (decoded, 2));
      req->target = SV_GNET_HTTP_TARGET_INDEX;
      return SV_GNET_HTTP_VERDICT_OK;
    }
  if (nseg == 2 && strcmp (g_ptr_array_index (decoded, 0), "uri-res") == 0)
    return resolve_uri_res (req, g_ptr_array_index (decoded, 1), query, query_len);
  if (nseg == 2
      && ((strcmp (g_ptr_array_index (decoded, 0), "gnutella") == 0
           && (strcmp (g_ptr_array_index (decoded, 1), "push-proxy") == 0
               || strcmp (g_ptr_array_index (decoded, 1), "pushproxy") == 0))
          || (strcmp (g_ptr_array_index (decoded, 0), "gnet") == 0
              && strcmp (g_ptr_array_index (decoded, 1), "push-proxy") == 0)))
    return resolve_push_proxy (req, query, query_len, SV_GNET_HTTP_TARGET_NONE);
  if (nseg == 2 && strcmp (g_ptr_array_index (decoded, 0), "gnutella") == 0
      && strcmp (g_ptr_array_index (decoded, 1), "rendezvous") == 0)
    return resolve_push_proxy (req, query, query_len, SV_GNET_HTTP_TARGET_RENDEZVOUS);
  if (nseg == 2 && strcmp (g_ptr_array_index (decoded, 0), "gnutella") == 0
      && strcmp (g_ptr_array_index (decoded, 1), "relay") == 0)
    return resolve_push_proxy (req, query, query_len, SV_GNET_HTTP_TARGET_RELAY);
  return SV_GNET_HTTP_VERDICT_NOT_FOUND;
}

/* --- Request line -------------------------------------------------------------------------- */

static const char *const other_methods[] = {
  "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH",
};

static SvStatus
parse_request_line (SvGnetHttpParser *p, const char *line, gsize len)
{
  const char *sp1 = memchr (line, ' ', len);
  const char *sp2, *version, *target;
  gsize method_len, target_len, version_len;

  if (sp1 == NULL)
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  method_len = (gsize) (sp1 - line);
  if (method_len == 0)
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  for (gsize i = 0; i < method_len; i++)
    if (!is_tchar ((guint8) line[i]))
      return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  if (span_equal (line, method_len, "GET"))
    p->req->method = SV_GNET_HTTP_GET;
  else if (span_equal (line, method_len, "HEAD"))
    p->req->method = SV_GNET_HTTP_HEAD;
  else
    {
      for (gsize i = 0; i < G_N_ELEMENTS (other_methods); i++)
        if (span_equal (line, method_len, other_methods[i]))
          return fail (p, SV_STATUS_UNSUPPORTED, SV_GNET_HTTP_VERDICT_METHOD_NOT_ALLOWED);
      return fail (p, SV_STATUS_UNSUPPORTED, SV_GNET_HTTP_VERDICT_NOT_IMPLEMENTED);
    }

  target = sp1 + 1;
  sp2 = memchr (target, ' ', len - method_len - 1);
  if (sp2 == NULL)
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);  /* HTTP/0.9 */
  target_len = (gsize) (sp2 - target);
  version = sp2 + 1;
  version_len = len - (gsize) (version - line);
  if (target_len == 0)
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);

  /* HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly. */
  if (version_len != 8 || memcmp (version, "HTTP/", 5) != 0 || !g_ascii_isdigit (version[5])
      || version[6] != '.' || !g_ascii_isdigit (version[7]))
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  if (version[5] != '1')
    return fail (p, SV_STATUS_UNSUPPORTED, SV_GNET_HTTP_VERDICT_VERSION_NOT_SUPPORTED);
  p->req->version_minor = version[7] == '0' ? 0 : 1;
  p->req->raw_target = g_strndup (target, target_len);
  p->state = STATE_HEADERS;
  return SV_STATUS_NEED_MORE;
}

/* --- Header lines -------------------------------------------------------------------------- */

static gboolean
set_once (char **field, const char *value, gsize len)
{
  if (*field != NULL)
    return FALSE;
  *field = g_strndup (value, len);
  return TRUE;
}

static void
set_first (char **field, const char *value, gsize len)
{
  if (*field == NULL)
    *field = g_strndup (value, len);
}

static void
append_list (char **field, const char *value, gsize len)
{
  char *joined;

  if (*field == NULL)
    {
      *field = g_strndup (value, len);
      return;
    }
  joined = g_strdup_printf ("%s, %.*s", *field, (int) len, value);
  g_free (*field);
  *field = joined;
}

static SvStatus
parse_header_line (SvGnetHttpParser *p, const char *line, gsize len)
{
  SvGnetHttpRequest *req = p->req;
  const char *colon, *value;
  gsize name_len, value_len;

  if (is_blank ((guint8) line[0]))          /* obsolete line folding */
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  colon = memchr (line, ':', len);
  if (colon == NULL || colon == line)
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  name_len = (gsize) (colon - line);
  for (gsize i = 0; i < name_len; i++)
    if (!is_tchar ((guint8) line[i]))
      return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  value = colon + 1;
  value_len = len - name_len - 1;
  while (value_len > 0 && is_blank ((guint8) value[0]))
    value++, value_len--;
  while (value_len > 0 && is_blank ((guint8) value[value_len - 1]))
    value_len--;
  for (gsize i = 0; i < value_len; i++)
    {
      guint8 c = (guint8) value[i];

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
    }

#define NAME_IS(lit) span_iequal (line, name_len, lit)
  if (NAME_IS ("Host"))
    {
      if (!set_once (&req->host, value, value_len))
        return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
    }
  else if (NAME_IS ("Range"))
    {
      if (!set_once (&req->range, value, value_len))
        return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
    }
  else if (NAME_IS ("User-Agent"))
    set_first (&req->user_agent, value, value_len);
  else if (NAME_IS ("Accept"))
    append_list (&req->accept, value, value_len);
  else if (NAME_IS ("Accept-Encoding"))
    {
      g_autofree char *v = g_strndup (value, value_len);

      req->accept_deflate |= list_has_token (v, "deflate");
    }
  else if (NAME_IS ("X-Queue"))
    set_first (&req->x_queue, value, value_len);
  else if (NAME_IS ("X-Queued"))
    set_first (&req->x_queued, value, value_len);
  else if (NAME_IS ("X-Gnutella-Content-URN") || NAME_IS ("X-Content-URN"))
    set_first (&req->content_urn, value, value_len);
  else if (NAME_IS ("X-Node") || NAME_IS ("X-Listen-IP"))
    set_first (&req->x_node, value, value_len);
  else if (NAME_IS ("X-Features"))
    append_list (&req->x_features, value, value_len);
  else if (NAME_IS ("X-Alt"))
    append_list (&req->x_alt, value, value_len);
  else if (NAME_IS ("X-NAlt"))
    append_list (&req->x_nalt, value, value_len);
  else if (NAME_IS ("Connection"))
    {
      g_autofree char *v = g_strndup (value, value_len);

      p->conn_close |= list_has_token (v, "close");
      p->conn_keep_alive |= list_has_token (v, "keep-alive");
    }
  else if (NAME_IS ("Transfer-Encoding"))
    p->has_transfer_encoding = TRUE;
  else if (NAME_IS ("Content-Length"))
    {
      if (!span_equal (value, value_len, "0"))
        p->has_body = TRUE;
    }
#undef NAME_IS
  return SV_STATUS_NEED_MORE;
}

static SvStatus
finish_head (SvGnetHttpParser *p)
{
  SvGnetHttpRequest *req = p->req;

  if (p->has_transfer_encoding || p->has_body)
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  if (req->version_minor >= 1 && req->host == NULL)
    return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);

  if (p->conn_close)
    req->keep_alive = FALSE;
  else if (p->conn_keep_alive)
    req->keep_alive = TRUE;
  else
    req->keep_alive = req->version_minor >= 1;

  req->range_status = SV_STATUS_OK;
  if (req->range != NULL)
    req->range_status = sv_http_range_parse (req->range, strlen (req->range), &req->ranges);
  if (req->content_urn != NULL)
    req->has_content_sha1 = sv_urn_parse (req->content_urn, strlen (req->content_urn),
                                          &req->content_sha1);
  req->verdict = resolve_target (p, req);
  if (req->verdict != SV_GNET_HTTP_VERDICT_OK && req->target != SV_GNET_HTTP_TARGET_THEX)
    req->target = SV_GNET_HTTP_TARGET_NONE;
  p->state = STATE_DONE;
  return SV_STATUS_OK;
}

/* --- Framing ------------------------------------------------------------------------------- */

static SvStatus
process_line (SvGnetHttpParser *p)
{
  const char *line = (const char *) p->line->data;
  gsize len = p->line->len;

  for (gsize i = 0; i < len; i++)
    if (line[i] == '\0' || line[i] == '\r')
      return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);

  if (p->state == STATE_REQUEST_LINE)
    {
      if (len == 0)
        {
          if (p->empty_lines >= MAX_LEADING_EMPTY_LINES)
            return fail (p, SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
          p->empty_lines++;
          return SV_STATUS_NEED_MORE;
        }
      return parse_request_line (p, line, len);
    }
  if (len == 0)
    return finish_head (p);
  if (p->header_lines == SV_HTTP_MAX_HEADER_LINES)
    return fail (p, SV_STATUS_TOO_BIG, SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE);
  p->header_lines++;
  p->header_bytes += len;
  return parse_header_line (p, line, len);
}

/* The most bytes the current line may hold, its terminator aside. */
static gsize
line_cap (const SvGnetHttpParser *p)
{
  if (p->state == STATE_REQUEST_LINE)
    return SV_HTTP_MAX_REQUEST_LINE_BYTES;
  return SV_HTTP_MAX_HEADER_BYTES - p->header_bytes;
}

static SvStatus
line_too_big (SvGnetHttpParser *p)
{
  return fail (p, SV_STATUS_TOO_BIG, p->state == STATE_REQUEST_LINE
               ? SV_GNET_HTTP_VERDICT_URI_TOO_LONG : SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE);
}

SvStatus
sv_gnet_http_parser_feed (SvGnetHttpParser *parser, const guint8 *data, gsize len,
                          gsize *consumed)
{
  gsize pos = 0;

  *consumed = 0;
  if (parser->state == STATE_FAILED)
    return parser->failure;
  if (parser->state == STATE_DONE)
    return SV_STATUS_OK;

  while (pos < len)
    {
      const guint8 *lf = memchr (data + pos, '\n', len - pos);
      gsize chunk = lf ? (gsize) (lf - (data + pos)) : len - pos;
      gsize cap = line_cap (parser);
      SvStatus st;

      /* Room for the line's bytes plus a CR that may turn out to end it. */
      if (chunk > cap + 1 - parser->line->len)
        {
          *consumed = pos;
          return line_too_big (parser);
        }
      g_byte_array_append (parser->line, data + pos, (guint) chunk);
      pos += chunk;
      if (parser->line->len == cap + 1 && parser->line->data[cap] != '\r')
        {
          *consumed = pos;
          return line_too_big (parser);
        }
      if (lf == NULL)
        break;
      pos++;                                    /* the LF */
      if (parser->line->len > 0 && parser->line->data[parser->line->len - 1] == '\r')
        g_byte_array_set_size (parser->line, parser->line->len - 1);
      st = process_line (parser);
      g_byte_array_set_size (parser->line, 0);
      if (st != SV_STATUS_NEED_MORE)
        {
          *consumed = pos;
          return st;
        }
    }
  *consumed = pos;
  return SV_STATUS_NEED_MORE;
}

/* --- Verdicts and responses ---------------------------------------------------------------- */

guint
sv_gnet_http_verdict_code (SvGnetHttpVerdict verdict)
{
  switch (verdict)
    {
    case SV_GNET_HTTP_VERDICT_OK:
      return 200;
    case SV_GNET_HTTP_VERDICT_BAD_REQUEST:
      return 400;
    case SV_GNET_HTTP_VERDICT_NOT_FOUND:
      return 404;
    case SV_GNET_HTTP_VERDICT_METHOD_NOT_ALLOWED:
      return 405;
    case SV_GNET_HTTP_VERDICT_URI_TOO_LONG:
      return 414;
    case SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE:
      return 431;
    case SV_GNET_HTTP_VERDICT_NOT_IMPLEMENTED:
      return 501;
    case SV_GNET_HTTP_VERDICT_VERSION_NOT_SUPPORTED:
      return 505;
    }
  return 500;
}

const char *
sv_gnet_http_verdict_name (SvGnetHttpVerdict verdict)
{
  switch (verdict)
    {
    case SV_GNET_HTTP_VERDICT_OK:
      return "ok";
    case SV_GNET_HTTP_VERDICT_BAD_REQUEST:
      return "bad-request";
    case SV_GNET_HTTP_VERDICT_NOT_FOUND:
      return "not-found";
    case SV_GNET_HTTP_VERDICT_METHOD_NOT_ALLOWED:
      return "method-not-allowed";
    case SV_GNET_HTTP_VERDICT_URI_TOO_LONG:
      return "uri-too-long";
    case SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE:
      return "headers-too-large";
    case SV_GNET_HTTP_VERDICT_NOT_IMPLEMENTED:
      return "not-implemented";
    case SV_GNET_HTTP_VERDICT_VERSION_NOT_SUPPORTED:
      return "version-not-supported";
    }
  return "unknown";
}

const char *
sv_gnet_http_reason_phrase (guint code)
{
  static const struct {
    guint code;
    const char *phrase;
  } phrases[] = {
    { 200, "OK" },
    { 202, "Accepted" },
    { 206, "Partial Content" },
    { 400, "Bad Request" },
    { 403, "Forbidden" },
    { 404, "Not Found" },
    { 405, "Method Not Allowed" },
    { 408, "Request Timeout" },
    { 410, "Gone" },
    { 414, "URI Too Long" },
    { 416, "Range Not Satisfiable" },
    { 431, "Request Header Fields Too Large" },
    { 500, "Internal Server Error" },
    { 501, "Not Implemented" },
    { 503, "Service Unavailable" },
    { 505, "HTTP Version Not Supported" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (phrases); i++)
    if (phrases[i].code == code)
      return phrases[i].phrase;
  return "Unknown";
}

static gboolean
header_text_ok (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s != '\0'; s++)
    if (((guint8) *s < 0x20 && *s != '\t') || *s == 0x7f)
      return FALSE;
  return TRUE;
}

gboolean
sv_gnet_http_response_build (const SvGnetHttpResponse *resp, GString *out)
{
  const char *reason = resp->reason ? resp->reason : sv_gnet_http_reason_phrase (resp->code);

  if (resp->code < 100 || resp->code > 599 || !header_text_ok (reason)
      || !header_text_ok (resp->server) || !header_text_ok (resp->content_type))
    return FALSE;
  if (resp->has_content_range
      && (resp->range_length == 0 || resp->range_first >= resp->total_size
          || resp->range_length > resp->total_size - resp->range_first))
    return FALSE;

  g_string_append_printf (out, "HTTP/1.%u %u %s\r\n", MIN (resp->version_minor, 1u),
                          resp->code, reason);
  if (resp->server != NULL)
    g_string_append_printf (out, "Server: %s\r\n", resp->server);
  g_string_append_printf (out, "Connection: %s\r\n", resp->keep_alive ? "keep-alive" : "close");
  if (resp->has_content_range)
    g_string_append_printf (out, "Content-Range: bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                            "/%" G_GUINT64_FORMAT "\r\n", resp->range_first,
                            resp->range_first + resp->range_length - 1, resp->total_size);
  else if (resp->range_unsatisfied)
    g_string_append_printf (out, "Content-Range: bytes */%" G_GUINT64_FORMAT "\r\n",
                            resp->total_size);
  if (resp->has_content_length)
    g_string_append_printf (out, "Content-Length: %" G_GUINT64_FORMAT "\r\n",
                            resp->content_length);
  if (resp->content_type != NULL)
    g_string_append_printf (out, "Content-Type: %s\r\n", resp->content_type);
  if (resp->sha1 != NULL)
    {
      char urn[SV_URN_SHA1_LEN + 1];

      sv_urn_sha1_format (resp->sha1, urn);
      g_string_append_printf (out, "X-Gnutella-Content-URN: %s\r\n", urn);
    }
  if (resp->retry_after > 0)
    g_string_append_printf (out, "Retry-After: %u\r\n", resp->retry_after);
  g_string_append (out, "\r\n");
  return TRUE;
}
