/* gwc.c: GWebCache v2 requests and answers (see gwc.h). */
#include "gwc.h"

#include <string.h>

char *
sv_gwc_request_url (const char *base, const char *version)
{
  g_autofree char *v = g_uri_escape_string (version != NULL ? version : "0", NULL, FALSE);

  return g_strdup_printf ("%s%sget=1&net=gnutella&client=%s&version=%s", base,
                          strchr (base, '?') != NULL ? "&" : "?", SV_GWC_CLIENT, v);
}

void
sv_gwc_answer_clear (SvGwcAnswer *answer)
{
  for (guint i = 0; i < answer->n_urls; i++)
    g_free (answer->urls[i]);
  memset (answer, 0, sizeof *answer);
}

/* @field: the text up to the next '|' (or the end of the line). */
static gsize
field_len (const char *p, gsize len)
{
  const char *bar = memchr (p, '|', len);

  return bar != NULL ? (gsize) (bar - p) : len;
}

static gboolean
add_host (SvGwcAnswer *out, const char *text, gsize len)
{
  SvHostAddr h;

  if (sv_host_addr_parse_full (text, len, 0, SV_HOST_ADDR_PARSE_LEADING_ZEROS, &h) != SV_STATUS_OK
      || h.port == 0)
    return FALSE;
  if (out->n_hosts < SV_GWC_MAX_HOSTS)
    out->hosts[out->n_hosts++] = h;
  return TRUE;
}

static gboolean
url_acceptable (const char *text, gsize len)
{
  if (len == 0 || len > SV_GWC_MAX_URL_BYTES)
    return FALSE;
  if (!(len > 7 && g_ascii_strncasecmp (text, "http://", 7) == 0)
      && !(len > 8 && g_ascii_strncasecmp (text, "https://", 8) == 0))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) text[i] <= 0x20 || (guchar) text[i] >= 0x7f)
      return FALSE;
  return TRUE;
}

static void
parse_line (SvGwcAnswer *out, const char *line, gsize len)
{
  gboolean ok = FALSE;

  if (len == 0)
    return;
  if (len >= 5 && g_ascii_strncasecmp (line, "ERROR", 5) == 0)
    {
      out->error = TRUE;
      return;
    }
  if (len >= 2 && line[1] == '|')
    {
      const char *f = line + 2;
      gsize flen = field_len (f, len - 2);

      switch (g_ascii_toupper (line[0]))
        {
        case 'H':
          ok = add_host (out, f, flen);
          break;
        case 'U':
          ok = url_acceptable (f, flen);
          if (ok && out->n_urls < SV_GWC_MAX_URLS)
            out->urls[out->n_urls++] = g_strndup (f, flen);
          break;
        case 'I':
          ok = TRUE;   /* information: pong, update, nets; nothing we act on */
          break;
        default:
          break;
        }
    }
  else
    ok = add_host (out, line, len);   /* v1 hostfile */
  if (!ok)
    out->n_bad++;
}

SvStatus
sv_gwc_parse (const guint8 *data, gsize len, SvGwcAnswer *out)
{
  const char *p = (const char *) data;
  const char *end = p + len;

  memset (out, 0, sizeof *out);
  if (len > SV_GWC_MAX_RESPONSE_BYTES)
    return SV_STATUS_TOO_BIG;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *stop = nl != NULL ? nl : end;
      gsize n = (gsize) (stop - p);

      if (n > 0 && p[n - 1] == '\r')
        n--;
      /* Surrounding blanks are tolerated; a NUL inside makes the line bad. */
      while (n > 0 && (*p == ' ' || *p == '\t'))
        p++, n--;
      while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
      if (memchr (p, '\0', n) != NULL)
        out->n_bad++;
      else
        parse_line (out, p, n);
      p = nl != NULL ? nl + 1 : end;
    }
  return SV_STATUS_OK;
}
