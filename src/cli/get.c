/* get.c: `servent get`: starts a download in serventd (a result of the latest search, a
 * urn:sha1 or a magnet link) and follows it until the file is complete or the download fails,
 * with a progress bar on stderr when stderr is a terminal. */
#include "config.h"

#include <glib-unix.h>
#include <glib.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "control-protocol.h"
#include "exit-codes.h"
#include "progress.h"

#define POLL_MS 100           /* at most ten redraws a second */

typedef struct {
  SvCliClient *client;
  char *resource;
  gboolean tty;
  gboolean json;
  GMainLoop *loop;
  int status;
  gboolean drawn;
  gint64 started_us;
  guint64 first_done;
} GetRun;

static const char *
str (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static guint64
u64 (JsonObject *obj, const char *name)
{
  gint64 v = json_object_get_int_member_with_default (obj, name, 0);

  return v > 0 ? (guint64) v : 0;
}

static void
draw (GetRun *run, JsonObject *d)
{
  sv_cli_progress_draw (u64 (d, SV_CTL_DONE), u64 (d, SV_CTL_SIZE), u64 (d, SV_CTL_RATE), NULL);
  run->drawn = TRUE;
}

/* Returns: FALSE once the download ended (run->status says how). */
static gboolean
poll_once (GetRun *run)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = sv_cli_client_call (run->client, "GET", run->resource, NULL, &error);
  JsonObject *d;
  const char *state;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      if (run->drawn)
        fprintf (stderr, "\n");
      if (error == NULL)
        g_set_error (&error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL,
                     _("the daemon's answer is not an object"));
      run->status = sv_cli_client_report (run->client, error);
      return FALSE;
    }
  d = json_node_get_object (root);
  state = str (d, SV_CTL_STATE);
  if (run->tty)
    draw (run, d);
  if (g_strcmp0 (state, "complete") == 0)
    {
      if (run->drawn)
        fprintf (stderr, "\n");
      printf ("%s\n", str (d, SV_CTL_PATH) != NULL ? str (d, SV_CTL_PATH) : "");
      run->status = SV_EXIT_OK;
      return FALSE;
    }
  if (g_strcmp0 (state, "failed") == 0)
    {
      if (run->drawn)
        fprintf (stderr, "\n");
      fprintf (stderr, _("servent: download failed: %s\n"),
               str (d, SV_CTL_ERROR) != NULL ? str (d, SV_CTL_ERROR) : _("no reason given"));
      run->status = SV_EXIT_NETWORK;
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_poll (gpointer user_data)
{
  GetRun *run = user_data;

  if (!poll_once (run))
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer user_data)
{
  GetRun *run = user_data;

  /* The download goes on in the daemon; only the watching stops. */
  if (run->drawn)
    fprintf (stderr, "\n");
  fprintf (stderr, _("servent: stopped watching; the download continues ('servent downloads')\n"));
  run->status = SV_EXIT_FAILURE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

int
sv_cli_get (int argc, char **argv)
{
  gboolean no_wait = FALSE, json = FALSE;
  char *runtime_dir = NULL;
  GOptionEntry entries[] = {
    { "no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, N_("Return once the download has started"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the download as a JSON object"), NULL },
    sv_cli_runtime_dir_option (&runtime_dir),
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("RESULT|URN|MAGNET — download a file"));
  g_autoptr (GError) error = NULL;
  g_autoptr (SvCliClient) client = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) created = NULL;
  g_autofree char *dir = NULL;
  g_auto (GStrv) env = g_get_environ ();
  GetRun run = { 0 };
  const char *what;
  gint64 id;
  guint poll_id, sigint_id, sigterm_id;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2)
    {
      fprintf (stderr, _("servent get: %s; run 'servent get --help'\n"),
               error != NULL ? error->message : _("give one result number, urn:sha1:… or magnet link"));
      g_free (runtime_dir);
      return SV_EXIT_USAGE;
    }
  what = argv[1];
  b = json_builder_new ();
  json_builder_begin_object (b);
  if (all_digits (what))
    {
      guint64 n = 0;

      if (!g_ascii_string_to_unsigned (what, 10, 1, G_MAXINT32, &n, NULL))
        {
          fprintf (stderr, _("servent get: result numbers start at 1; run 'servent get --help'\n"));
          g_free (runtime_dir);
          return SV_EXIT_USAGE;
        }
      json_builder_set_member_name (b, SV_CTL_RESULT);
      json_builder_add_int_value (b, (gint64) n);
    }
  else if (g_ascii_strncasecmp (what, "magnet:", 7) == 0)
    {
      json_builder_set_member_name (b, SV_CTL_MAGNET);
      json_builder_add_string_value (b, what);
    }
  else if (g_ascii_strncasecmp (what, "urn:sha1:", 9) == 0)
    {
      json_builder_set_member_name (b, SV_CTL_URN);
      json_builder_add_string_value (b, what);
    }
  else
    {
      fprintf (stderr, _("servent get: '%s' is not a result number, urn:sha1:… or magnet link; "
                         "run 'servent get --help'\n"), what);
      g_free (runtime_dir);
      return SV_EXIT_USAGE;
    }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  dir = sv_cli_runtime_dir (runtime_dir, env);
  g_free (runtime_dir);
  client = sv_cli_client_new (dir);
  created = sv_cli_client_call (client, "POST", SV_CTL_PATH_DOWNLOADS, body, &error);
  if (created == NULL || !JSON_NODE_HOLDS_OBJECT (created))
    {
      if (error == NULL)
        g_set_error (&error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL,
                     _("the daemon's answer to POST /v1/downloads is not an object"));
      return sv_cli_client_report_refusal (client, error);
    }
  id = json_object_get_int_member_with_default (json_node_get_object (created), SV_CTL_ID, 0);
  if (json)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_root (gen, created);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  if (no_wait)
    {
      if (!json)
        printf (_("download %lld started: %s\n"), (long long) id,
                str (json_node_get_object (created), SV_CTL_NAME));
      return SV_EXIT_OK;
    }
  run.client = client;
  run.resource = g_strdup_printf (SV_CTL_PATH_DOWNLOAD_FMT, id);
  run.tty = isatty (STDERR_FILENO);
  run.json = json;
  run.loop = g_main_loop_new (NULL, FALSE);
  run.status = SV_EXIT_FAILURE;
  poll_id = g_timeout_add (POLL_MS, on_poll, &run);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &run);
  if (poll_once (&run))
    g_main_loop_run (run.loop);
  g_source_remove (poll_id);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_main_loop_unref (run.loop);
  g_free (run.resource);
  if (fflush (stdout) != 0)
    return SV_EXIT_IO;
  return run.status;
}
