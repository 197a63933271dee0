/* magnet.c: magnet links: parse a magnet:? URI into an SvMagnet and build one back.
 *
 * Owns sv_magnet_*. Percent coding goes through GLib (g_uri_unescape_segment,
 * g_uri_escape_string); the rules are in magnet.h. */
#include "magnet.h"

#include <string.h>

#define MAGNET_SCHEME "magnet:?"

/* Reserved characters left as they are inside a source URL; '&', '#', '%' and spaces are escaped. */
#define MAGNET_URL_KEEP ":/?=@!$'()*+,;[]~"

static void
magnet_source_free (gpointer p)
{
  SvMagnetSource *src = p;

  g_free (src->url);
  g_free (src);
}

SvMagnet *
sv_magnet_new (void)
{
  SvMagnet *magnet = g_new0 (SvMagnet, 1);

  magnet->sources = g_ptr_array_new_with_free_func (magnet_source_free);
  return magnet;
}

void
sv_magnet_free (SvMagnet *magnet)
{
  if (magnet == NULL)
    return;
  g_free (magnet->display_name);
  g_ptr_array_unref (magnet->sources);
  g_free (magnet);
}

gboolean
sv_magnet_add_source (SvMagnet *magnet, SvMagnetSourceKind kind, const char *url)
{
  SvMagnetSource *src;

  if (url == NULL || *url == '\0' || magnet->sources->len >= SV_MAGNET_MAX_SOURCES)
    return FALSE;
  src = g_new0 (SvMagnetSource, 1);
  src->kind = kind == SV_MAGNET_SOURCE_ACCEPTABLE ? SV_MAGNET_SOURCE_ACCEPTABLE
                                                   : SV_MAGNET_SOURCE_EXACT;
  src->url = g_strdup (url);
  g_ptr_array_add (magnet->sources, src);
  return TRUE;
}

char *
sv_magnet_n2r_url (const char *host, guint16 port, const SvSha1 *sha1)
{
  char urn[SV_URN_SHA1_LEN + 1];
  gboolean v6 = strchr (host, ':') != NULL;

  sv_urn_sha1_format (sha1, urn);
  return g_strdup_printf ("http://%s%s%s:%u/uri-res/N2R?%s", v6 ? "[" : "", host, v6 ? "]" : "",
                          (guint) port, urn);
}

/* Is @key (@key_len bytes) @name, optionally followed by ".<digits>"? */
static gboolean
key_is (const char *key, gsize key_len, const char *name)
{
  gsize n = strlen (name);

  if (key_len < n || g_ascii_strncasecmp (key, name, n) != 0)
    return FALSE;
  if (key_len == n)
    return TRUE;
  if (key[n] != '.' || key_len == n + 1)
    return FALSE;
  for (gsize i = n + 1; i < key_len; i++)
    if (!g_ascii_isdigit (key[i]))
      return FALSE;
  return TRUE;
}

/* Returns: (transfer full) (nullable) the percent-decoded value, NULL on a bad escape. */
static char *
unescape_value (const char *value, gsize len, gboolean plus_is_space)
{
  g_autofree char *copy = g_strndup (value, len);

  if (plus_is_space)
    g_strdelimit (copy, "+", ' ');
  return g_uri_unescape_segment (copy, NULL, NULL);
}

static gboolean
parse_size (const char *text, guint64 *out)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, out, NULL);
}

static SvStatus
magnet_param (SvMagnet *magnet, const char *key, gsize key_len, const char *value, gsize value_len)
{
  gboolean is_dn = key_is (key, key_len, "dn");
  gboolean is_xt = key_is (key, key_len, "xt");
  gboolean is_xl = key_is (key, key_len, "xl");
  gboolean is_xs = key_is (key, key_len, "xs");
  gboolean is_as = key_is (key, key_len, "as");
  g_autofree char *v = NULL;

  if (!is_dn && !is_xt && !is_xl && !is_xs && !is_as)
    return SV_STATUS_OK;   /* unknown keys are ignored, their escapes included */
  v = unescape_value (value, value_len, is_dn);
  if (v == NULL)
    return SV_STATUS_BAD_SYNTAX;

  if (is_xt)
    {
      SvSha1 sha1;

      if (!magnet->has_sha1 && sv_urn_parse (v, strlen (v), &sha1))
        {
          magnet->sha1 = sha1;
          magnet->has_sha1 = TRUE;
        }
    }
  else if (is_dn)
    {
      if (magnet->display_name == NULL)
        magnet->display_name = g_utf8_make_valid (v, -1);
    }
  else if (is_xl)
    {
      guint64 size;

      if (!parse_size (v, &size))
        return SV_STATUS_BAD_VALUE;
      if (!magnet->has_size)
        {
          magnet->size = size;
          magnet->has_size = TRUE;
        }
    }
  else
    (void) sv_magnet_add_source (magnet, is_as ? SV_MAGNET_SOURCE_ACCEPTABLE
                                               : SV_MAGNET_SOURCE_EXACT, v);
  return SV_STATUS_OK;
}

SvStatus
sv_magnet_parse (const char *text, gsize len, SvMagnet **out)
{
  g_autoptr (SvMagnet) magnet = NULL;
  gsize scheme_len = strlen (MAGNET_SCHEME);
  const char *p;
  const char *end;

  *out = NULL;
  if (len > SV_MAGNET_MAX_BYTES)
    return SV_STATUS_TOO_BIG;
  if (text == NULL || len < scheme_len || g_ascii_strncasecmp (text, MAGNET_SCHEME, scheme_len) != 0)
    return SV_STATUS_BAD_SYNTAX;
  if (memchr (text, '\0', len) != NULL)
    return SV_STATUS_BAD_SYNTAX;

  magnet = sv_magnet_new ();
  p = text + scheme_len;
  end = text + len;
  while (p < end)
    {
      const char *amp = memchr (p, '&', (gsize) (end - p));
      const char *stop = amp != NULL ? amp : end;
      const char *eq = memchr (p, '=', (gsize) (stop - p));

      if (eq != NULL && eq > p)
        {
          SvStatus status = magnet_param (magnet, p, (gsize) (eq - p), eq + 1,
                                          (gsize) (stop - (eq + 1)));
          if (status != SV_STATUS_OK)
            return status;
        }
      p = stop + 1;
    }
  *out = g_steal_pointer (&magnet);
  return SV_STATUS_OK;
}

char *
sv_magnet_build (const SvMagnet *magnet)
{
  GString *s = g_string_new (MAGNET_SCHEME);
  gboolean first = TRUE;

#define SEP() G_STMT_START { if (!first) g_string_append_c (s, '&'); first = FALSE; } G_STMT_END

  if (magnet->has_sha1)
    {
      char urn[SV_URN_SHA1_LEN + 1];

      sv_urn_sha1_format (&magnet->sha1, urn);
      SEP ();
      g_string_append_printf (s, "xt=%s", urn);
    }
  if (magnet->display_name != NULL)
    {
      g_autofree char *dn = g_uri_escape_string (magnet->display_name, NULL, FALSE);

      SEP ();
      g_string_append_printf (s, "dn=%s", dn);
    }
  if (magnet->has_size)
    {
      SEP ();
      g_string_append_printf (s, "xl=%" G_GUINT64_FORMAT, magnet->size);
    }
  for (guint i = 0; i < magnet->sources->len; i++)
    {
      const SvMagnetSource *src = g_ptr_array_index (magnet->sources, i);
      g_autofree char *url = g_uri_escape_string (src->url, MAGNET_URL_KEEP, FALSE);

      SEP ();
      g_string_append_printf (s, "%s=%s",
                              src->kind == SV_MAGNET_SOURCE_ACCEPTABLE ? "as" : "xs", url);
    }
#undef SEP
  return g_string_free (s, FALSE);
}
