/* download-actions.c: `servent downloads pause|resume|cancel ID`: one action on one download of
 * serventd's (the list itself is `servent downloads`, in status.c). */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "control-protocol.h"
#include "exit-codes.h"

static const struct {
  const char *name;
  const char *method;
  const char *suffix;   /* after /v1/downloads/ID */
  const char *done;     /* what is printed once it is done */
} actions[] = {
  { "pause", "POST", "/pause", N_("paused") },
  { "resume", "POST", "/resume", N_("resumed") },
  { "cancel", "DELETE", "", N_("cancelled (its partial data removed)") },
};

gboolean
sv_cli_downloads_is_action (const char *word)
{
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (strcmp (word, actions[i].name) == 0)
      return TRUE;
  return FALSE;
}

int
sv_cli_downloads_action (int argc, char **argv)
{
  g_autofree char *runtime_dir = NULL;
  GOptionEntry entries[] = {
    sv_cli_runtime_dir_option (&runtime_dir),
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("pause|resume|cancel ID — act on one download"));
  g_autoptr (GError) error = NULL;
  g_autoptr (SvCliClient) client = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_auto (GStrv) env = g_get_environ ();
  guint64 id = 0;
  guint a = 0, status;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 3
      || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXINT64, &id, NULL))
    {
      fprintf (stderr, _("servent downloads: %s; run 'servent downloads --help'\n"),
               error != NULL ? error->message : _("write pause, resume or cancel and a download number "
                                                  "as 'servent downloads' lists them"));
      return SV_EXIT_USAGE;
    }
  while (strcmp (actions[a].name, argv[1]) != 0)
    a++;
  dir = sv_cli_runtime_dir (runtime_dir, env);
  client = sv_cli_client_new (dir);
  path = g_strdup_printf ("%s/%" G_GUINT64_FORMAT "%s", SV_CTL_PATH_DOWNLOADS, id, actions[a].suffix);
  reply = sv_cli_client_call (client, actions[a].method, path, NULL, &error);
  status = sv_cli_client_last_status (client);
  if (status == 404)
    {
      fprintf (stderr, _("servent: no download %llu (see 'servent downloads')\n"), (unsigned long long) id);
      return SV_EXIT_NOT_FOUND;
    }
  if (error != NULL)
    return sv_cli_client_report_refusal (client, error);
  printf ("%" G_GUINT64_FORMAT " %s\n", id, _(actions[a].done));
  return SV_EXIT_OK;
}
