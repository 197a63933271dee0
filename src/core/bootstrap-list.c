/* bootstrap-list.c: bootstrap entries and list files (see bootstrap-list.h). */
#include "bootstrap-list.h"

#include <string.h>

void
sv_bootstrap_entry_clear (SvBootstrapEntry *entry)
{
  g_clear_pointer (&entry->host, g_free);
  g_clear_pointer (&entry->url, g_free);
  memset (entry, 0, sizeof *entry);
}

static gboolean
printable_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s <= 0x20 || (guchar) *s >= 0x7f)
      return FALSE;
  return TRUE;
}

/* A host name: labels of letters, digits and '-', dot-separated. */
static gboolean
host_name_ok (const char *h)
{
  gsize len = strlen (h);

  if (len == 0 || len > 253 || h[0] == '.' || h[0] == '-')
    return FALSE;
  for (const char *p = h; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static SvStatus
parse_uhc (const char *rest, SvBootstrapEntry *out)
{
  const char *colon;
  g_autofree char *host = NULL;
  guint64 port;

  if (rest[0] == '[')
    {
      const char *close = strchr (rest, ']');

      if (close == NULL || close[1] != ':')
        return SV_STATUS_BAD_SYNTAX;
      host = g_strndup (rest + 1, (gsize) (close - rest - 1));
      colon = close + 1;
      if (!g_hostname_is_ip_address (host) || strchr (host, ':') == NULL)
        return SV_STATUS_BAD_SYNTAX;
    }
  else
    {
      colon = strrchr (rest, ':');
      if (colon == NULL)
        return SV_STATUS_BAD_SYNTAX;
      host = g_strndup (rest, (gsize) (colon - rest));
      if (!host_name_ok (host))
        return SV_STATUS_BAD_SYNTAX;
    }
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, G_MAXUINT16, &port, NULL))
    return SV_STATUS_BAD_SYNTAX;
  out->kind = SV_BOOTSTRAP_UHC;
  out->host = g_steal_pointer (&host);
  out->port = (guint16) port;
  return SV_STATUS_OK;
}

SvStatus
sv_bootstrap_entry_parse (const char *text, SvBootstrapEntry *out)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  SvStatus st = SV_STATUS_BAD_SYNTAX;

  memset (out, 0, sizeof *out);
  if (strlen (t) > SV_BOOTSTRAP_MAX_ENTRY_BYTES)
    return SV_STATUS_TOO_BIG;
  if (*t == '\0' || !printable_ascii (t))
    return SV_STATUS_BAD_SYNTAX;
  if (g_ascii_strncasecmp (t, "uhc:", 4) == 0)
    st = parse_uhc (t + 4, out);
  else if ((g_ascii_strncasecmp (t, "http://", 7) == 0 && t[7] != '\0')
           || (g_ascii_strncasecmp (t, "https://", 8) == 0 && t[8] != '\0'))
    {
      g_autoptr (GUri) uri = g_uri_parse (t, G_URI_FLAGS_NONE, NULL);

      if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
        {
          out->kind = SV_BOOTSTRAP_GWC;
          out->url = g_steal_pointer (&t);
          st = SV_STATUS_OK;
        }
    }
  if (st != SV_STATUS_OK)
    sv_bootstrap_entry_clear (out);
  return st;
}

char *
sv_bootstrap_entry_to_string (const SvBootstrapEntry *e)
{
  if (e->kind == SV_BOOTSTRAP_GWC)
    return g_strdup (e->url);
  if (strchr (e->host, ':') != NULL)
    return g_strdup_printf ("uhc:[%s]:%u", e->host, e->port);
  return g_strdup_printf ("uhc:%s:%u", e->host, e->port);
}

char **
sv_bootstrap_list_parse (const char *text, gsize len, guint *n_bad)
{
  GPtrArray *out = g_ptr_array_new ();
  g_autofree char *copy = g_strndup (text, MIN (len, (gsize) SV_BOOTSTRAP_MAX_FILE_BYTES));
  g_auto (GStrv) lines = g_strsplit (copy, "\n", -1);
  guint bad = 0;

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      char *hash = strchr (lines[i], '#');
      SvBootstrapEntry e;

      if (hash != NULL)
        *hash = '\0';
      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      if (sv_bootstrap_entry_parse (lines[i], &e) != SV_STATUS_OK)
        {
          bad++;
          continue;
        }
      sv_bootstrap_entry_clear (&e);
      if (out->len < SV_BOOTSTRAP_MAX_ENTRIES)
        g_ptr_array_add (out, g_strdup (lines[i]));
    }
  if (n_bad != NULL)
    *n_bad = bad;
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}
