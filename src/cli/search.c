/* search.c: `servent search`: starts a search in the daemon, prints each hit as it arrives, and
 * stops the search at the timeout, at --max-results, at SIGINT/SIGTERM or when the daemon ends it. */
#include "config.h"

#include <glib-unix.h>
#include <glib.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "control-protocol.h"
#include "commands.h"
#include "exit-codes.h"

/* The longest --timeout accepted (a day). */
#define SV_CLI_SEARCH_MAX_TIMEOUT_S 86400

typedef struct {
  gboolean json;
  gint timeout_s;
  gint max_results;
  gint ttl;
  char *runtime_dir;
  GMainLoop *loop;
  GCancellable *cancel;
  guint hits;
  gboolean bad_line;
  GError *stream_error;
} SearchRun;

/* Tabs and line breaks in a name would break the columns. */
static char *
clean_field (const char *text)
{
  char *out = g_strdup (text);

  for (char *p = out; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return out;
}

static void
print_hit (SearchRun *run, const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *hit;

  if (run->json)
    {
      printf ("%s\n", line);
      return;
    }
  if (!json_parser_load_from_data (parser, line, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      run->bad_line = TRUE;
      return;
    }
  hit = json_node_get_object (root);
  {
    g_autofree char *name = clean_field (json_object_get_string_member_with_default (hit, SV_CTL_NAME, "?"));
    JsonNode *urn = json_object_get_member (hit, SV_CTL_URN);
    const char *urn_text = urn != NULL && JSON_NODE_HOLDS_VALUE (urn) ? json_node_get_string (urn) : NULL;
    g_autofree char *addr = clean_field (json_object_get_string_member_with_default (hit, SV_CTL_ADDRESS, "?"));

    printf ("%" G_GINT64_FORMAT "\t%s\t%" G_GINT64_FORMAT "\t%s\t%s\t%s\n",
            json_object_get_int_member_with_default (hit, SV_CTL_RESULT, 0), name, json_object_get_int_member_with_default (hit, SV_CTL_SIZE, 0),
            urn_text != NULL ? urn_text : "-", addr,
            json_object_get_boolean_member_with_default (hit, SV_CTL_FIREWALLED, FALSE) ? "firewalled" : "direct");
  }
}

static void
on_line (const char *line, const GError *error, gpointer user_data)
{
  SearchRun *run = user_data;

  if (line == NULL)
    {
      /* The stream is over: the daemon ended the search, or we cancelled it. */
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        run->stream_error = g_error_copy (error);
      g_main_loop_quit (run->loop);
      return;
    }
  if (run->max_results > 0 && run->hits >= (guint) run->max_results)
    return;
  print_hit (run, line);
  fflush (stdout);
  run->hits++;
  if (run->max_results > 0 && run->hits >= (guint) run->max_results)
    g_cancellable_cancel (run->cancel);
}

static gboolean
on_stop (gpointer user_data)
{
  SearchRun *run = user_data;

  g_cancellable_cancel (run->cancel);
  return G_SOURCE_CONTINUE;
}

int
sv_cli_search (int argc, char **argv)
{
  SearchRun run = { .timeout_s = 20 };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &run.json, N_("Print each hit as a JSON object"), NULL },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &run.timeout_s, N_("Stop after S seconds (default 20)"), N_("S") },
    { "max-results", 'n', 0, G_OPTION_ARG_INT, &run.max_results, N_("Stop after N hits"), N_("N") },
    { "ttl", 0, 0, G_OPTION_ARG_INT, &run.ttl, N_("Send the query with this TTL (1-7) instead of a dynamic query"),
      N_("N") },
    sv_cli_runtime_dir_option (&run.runtime_dir),
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("WORDS… — search the network and print hits as they arrive"));
  g_autoptr (GError) error = NULL;
  g_autoptr (SvCliClient) client = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) created = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *words = NULL;
  g_autofree char *results = NULL;
  g_autofree char *resource = NULL;
  g_auto (GStrv) env = g_get_environ ();
  const char *usage_error = NULL;
  JsonObject *obj;
  gint64 id;
  guint timeout_id, sigint_id, sigterm_id;
  int status;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    usage_error = error->message;
  else if (argc < 2)
    usage_error = _("give the words to search for");
  else if (run.timeout_s < 1 || run.timeout_s > SV_CLI_SEARCH_MAX_TIMEOUT_S)
    usage_error = _("--timeout takes seconds from 1 to 86400");
  else if (run.max_results < 0)
    usage_error = _("--max-results takes a positive number");
  else if (run.ttl < 0 || run.ttl > 7)
    usage_error = _("--ttl takes a number from 1 to 7");
  if (usage_error != NULL)
    {
      fprintf (stderr, _("servent search: %s; run 'servent search --help'\n"), usage_error);
      g_free (run.runtime_dir);
      return SV_EXIT_USAGE;
    }
  words = g_strjoinv (" ", argv + 1);
  dir = sv_cli_runtime_dir (run.runtime_dir, env);
  g_clear_pointer (&run.runtime_dir, g_free);
  client = sv_cli_client_new (dir);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_QUERY);
  json_builder_add_string_value (b, words);
  if (run.ttl > 0)
    {
      json_builder_set_member_name (b, SV_CTL_TTL);
      json_builder_add_int_value (b, run.ttl);
    }
  if (run.max_results > 0)
    {
      json_builder_set_member_name (b, SV_CTL_MAX_RESULTS);
      json_builder_add_int_value (b, run.max_results);
    }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  created = sv_cli_client_call (client, "POST", SV_CTL_PATH_SEARCHES, body, &error);
  if (created == NULL || !JSON_NODE_HOLDS_OBJECT (created))
    {
      if (error == NULL)
        g_set_error (&error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL,
                     _("the daemon's answer to POST /v1/searches is not an object"));
      return sv_cli_client_report (client, error);
    }
  obj = json_node_get_object (created);
  id = json_object_get_int_member_with_default (obj, SV_CTL_ID, 0);
  if (id <= 0)
    {
      fprintf (stderr, _("servent: the daemon did not say which search it started\n"));
      return SV_EXIT_FAILURE;
    }
  resource = g_strdup_printf (SV_CTL_PATH_SEARCH_FMT, id);
  results = g_strdup_printf (SV_CTL_PATH_SEARCH_RESULTS_FMT "?" SV_CTL_FOLLOW "=1", id);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancel = g_cancellable_new ();
  timeout_id = g_timeout_add_seconds ((guint) run.timeout_s, on_stop, &run);
  sigint_id = g_unix_signal_add (SIGINT, on_stop, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_stop, &run);
  sv_cli_client_stream (client, results, run.cancel, on_line, &run);
  g_main_loop_run (run.loop);
  g_source_remove (timeout_id);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  /* Stop the search in the daemon whatever ended the stream; a search the daemon already
   * forgot is fine. */
  g_clear_error (&error);
  if (!sv_cli_client_call (client, "DELETE", resource, NULL, &error) && error != NULL
      && !g_error_matches (error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_HTTP))
    g_debug ("stopping search %" G_GINT64_FORMAT ": %s", id, error->message);

  status = run.hits > 0 ? SV_EXIT_OK : SV_EXIT_NOT_FOUND;
  if (run.stream_error != NULL)
    {
      status = sv_cli_client_report (client, run.stream_error);
      g_error_free (run.stream_error);
    }
  else if (run.bad_line)
    fprintf (stderr, _("servent: some lines from the daemon were not JSON objects and were skipped\n"));
  g_object_unref (run.cancel);
  g_main_loop_unref (run.loop);
  if (fflush (stdout) != 0)
    return SV_EXIT_IO;
  return status;
}

/* The newest search a user started. Returns: its id, or 0 (with @error when the call failed). */
static gint64
latest_search (SvCliClient *client, GError **error)
{
  g_autoptr (JsonNode) reply = sv_cli_client_call (client, "GET", SV_CTL_PATH_SEARCHES, NULL, error);

  if (reply == NULL || !JSON_NODE_HOLDS_OBJECT (reply))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (reply), SV_CTL_LATEST, 0);
}

int
sv_cli_results (int argc, char **argv)
{
  SearchRun run = { 0 };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &run.json, N_("Print each hit as a JSON object"), NULL },
    sv_cli_runtime_dir_option (&run.runtime_dir),
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— print the hits of the last search again, numbered for 'servent get'"));
  g_autoptr (GError) error = NULL;
  g_autoptr (SvCliClient) client = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *results = NULL;
  g_auto (GStrv) env = g_get_environ ();
  gint64 id;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 1)
    {
      fprintf (stderr, _("servent results: %s; run 'servent results --help'\n"),
               error != NULL ? error->message : _("it takes no argument"));
      g_free (run.runtime_dir);
      return SV_EXIT_USAGE;
    }
  dir = sv_cli_runtime_dir (run.runtime_dir, env);
  g_clear_pointer (&run.runtime_dir, g_free);
  client = sv_cli_client_new (dir);
  id = latest_search (client, &error);
  if (error != NULL)
    return sv_cli_client_report (client, error);
  if (id == 0)
    {
      fprintf (stderr, _("servent: no search yet; 'servent search WORDS' starts one\n"));
      return SV_EXIT_NOT_FOUND;
    }
  results = g_strdup_printf (SV_CTL_PATH_SEARCH_RESULTS_FMT, id);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancel = g_cancellable_new ();
  sv_cli_client_stream (client, results, run.cancel, on_line, &run);
  g_main_loop_run (run.loop);
  g_object_unref (run.cancel);
  g_main_loop_unref (run.loop);
  if (run.stream_error != NULL)
    {
      int status = sv_cli_client_report (client, run.stream_error);

      g_error_free (run.stream_error);
      return status;
    }
  if (fflush (stdout) != 0)
    return SV_EXIT_IO;
  return run.hits > 0 ? SV_EXIT_OK : SV_EXIT_NOT_FOUND;
}
