/* share.c: `servent share add|remove DIR`, `servent share list` and `servent share rescan
 * [--wait]`: changing and looking at what serventd shares. The changes last across restarts
 * (serventd keeps them in its state directory); the config file is not touched. */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "control-protocol.h"
#include "exit-codes.h"
#include "progress.h"

#define WAIT_POLL_US (G_USEC_PER_SEC / 10)   /* at most ten redraws a second */

static int
usage_error (const char *what)
{
  fprintf (stderr, _("servent share: %s; run 'servent share --help'\n"), what);
  return SV_EXIT_USAGE;
}

static int
change (SvCliClient *client, gboolean add, const char *dir)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *canon = g_canonicalize_filename (dir, NULL);   /* relative: from the cwd */

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_FOLDER);
  json_builder_add_string_value (b, canon);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  reply = sv_cli_client_call (client, "POST", add ? SV_CTL_PATH_SHARES : SV_CTL_PATH_SHARES_REMOVE, body,
                              &error);
  if (reply == NULL)
    return sv_cli_client_report_refusal (client, error);
  printf (add ? _("sharing %s\n") : _("no longer sharing %s\n"), canon);
  return SV_EXIT_OK;
}

/* Asks for a rescan; with @wait, follows it until the index is idle (a progress line on a
 * terminal, at most ten redraws a second). */
static int
rescan (SvCliClient *client, gboolean wait)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = sv_cli_client_call (client, "POST", SV_CTL_PATH_SHARES_RESCAN, NULL, &error);
  gboolean tty = isatty (STDERR_FILENO);
  gint64 started = g_get_monotonic_time ();

  if (error != NULL)
    return sv_cli_client_report_refusal (client, error);
  if (!wait)
    {
      printf ("%s\n", _("rescan queued"));
      return SV_EXIT_OK;
    }
  g_usleep (WAIT_POLL_US);
  for (;;)
    {
      g_autoptr (JsonNode) st = sv_cli_client_call (client, "GET", SV_CTL_PATH_SHARES, NULL, &error);
      JsonObject *o;
      guint64 files;

      if (st == NULL || !JSON_NODE_HOLDS_OBJECT (st))
        return error != NULL ? sv_cli_client_report_refusal (client, error) : SV_EXIT_FAILURE;
      o = json_node_get_object (st);
      files = (guint64) json_object_get_int_member_with_default (o, SV_CTL_FILES, 0);
      if (!json_object_get_boolean_member_with_default (o, SV_CTL_SCANNING, FALSE))
        {
          g_autofree char *size = g_format_size ((guint64) json_object_get_int_member_with_default (o, SV_CTL_BYTES, 0));
          if (tty)
            sv_cli_progress_clear ();
          printf (_("%llu files shared (%s), scanned in %.1f s\n"), (unsigned long long) files, size,
                  (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
          return SV_EXIT_OK;
        }
      if (tty)
        {
          sv_cli_progress_clear ();
          fprintf (stderr, _("scanning: %llu files indexed, %.0f s"), (unsigned long long) files,
                   (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
        }
      g_usleep (WAIT_POLL_US);
    }
}

int
sv_cli_share (int argc, char **argv)
{
  g_autofree char *runtime_dir = NULL;
  gboolean wait = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, N_("rescan: wait until the index is up to date"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print the daemon's JSON object"), NULL },
    sv_cli_runtime_dir_option (&runtime_dir),
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("add DIR | remove DIR | list | rescan — change or show what is shared"));
  g_autoptr (GError) error = NULL;
  g_autoptr (SvCliClient) client = NULL;
  g_autofree char *dir = NULL;
  g_auto (GStrv) env = g_get_environ ();
  const char *what;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc < 2)
    return usage_error (_("say add, remove, list or rescan"));
  what = argv[1];
  if (strcmp (what, "list") == 0)
    {
      char *list_argv[] = { (char *) "shares", json ? (char *) "--json" : NULL, NULL, NULL, NULL };
      int n = json ? 2 : 1;

      if (argc != 2)
        return usage_error (_("list takes no folder"));
      if (runtime_dir != NULL)
        {
          list_argv[n++] = (char *) "--runtime-dir";
          list_argv[n++] = runtime_dir;
        }
      return sv_cli_shares (n, list_argv);
    }
  dir = sv_cli_runtime_dir (runtime_dir, env);
  client = sv_cli_client_new (dir);
  if (strcmp (what, "rescan") == 0)
    return argc == 2 ? rescan (client, wait) : usage_error (_("rescan takes no folder"));
  if (strcmp (what, "add") == 0 || strcmp (what, "remove") == 0)
    {
      if (argc != 3)
        return usage_error (_("give one folder"));
      return change (client, strcmp (what, "add") == 0, argv[2]);
    }
  return usage_error (_("say add, remove, list or rescan"));
}
