/* sync.c: `servent sync add|list|remove|now`: folder mirrors of another servent's share, kept by
 * serventd (its state directory holds them; they last across restarts). */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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
  fprintf (stderr, _("servent sync: %s; run 'servent sync --help'\n"), what);
  return SV_EXIT_USAGE;
}

static gint64
member_int (JsonObject *o, const char *name)
{
  return json_object_get_int_member_with_default (o, name, 0);
}

static const char *
member_str (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : NULL;
}

/* GET /v1/syncs. Returns: (transfer full) the "syncs" array's node, or NULL with @error. */
static JsonNode *
get_list (SvCliClient *client, GError **error)
{
  g_autoptr (JsonNode) reply = sv_cli_client_call (client, "GET", SV_CTL_PATH_SYNCS, NULL, error);
  JsonNode *arr;

  if (reply == NULL)
    return NULL;
  arr = JSON_NODE_HOLDS_OBJECT (reply) ? json_object_get_member (json_node_get_object (reply), SV_CTL_SYNCS) : NULL;
  if (arr == NULL || !JSON_NODE_HOLDS_ARRAY (arr))
    {
      g_set_error (error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL, "the daemon's sync list does not parse");
      return NULL;
    }
  return json_node_copy (arr);
}

static JsonObject *
find_sync (JsonArray *arr, gint64 id)
{
  for (guint i = 0; i < json_array_get_length (arr); i++)
    if (member_int (json_array_get_object_element (arr, i), SV_CTL_ID) == id)
      return json_array_get_object_element (arr, i);
  return NULL;
}

static char *
when (gint64 t)
{
  g_autoptr (GDateTime) dt = t > 0 ? g_date_time_new_from_unix_local (t) : NULL;

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup (_("never"));
}

static void
print_sync (JsonObject *o)
{
  g_autofree char *last = when (member_int (o, SV_CTL_LAST_RUN_S));
  const char *err = member_str (o, SV_CTL_LAST_ERROR);

  printf ("%" G_GINT64_FORMAT "  %s  <- %s\n", member_int (o, SV_CTL_ID), member_str (o, SV_CTL_FOLDER),
          member_str (o, SV_CTL_SOURCE));
  printf (_("    %s; last run %s; %lld files, %lld pending, %lld conflicts; every %lld s%s\n"),
          member_str (o, SV_CTL_STATE), last, (long long) member_int (o, SV_CTL_FILES),
          (long long) member_int (o, SV_CTL_PENDING), (long long) member_int (o, SV_CTL_CONFLICTS),
          (long long) member_int (o, SV_CTL_INTERVAL_S),
          json_object_get_boolean_member_with_default (o, SV_CTL_DELETE, FALSE) ? _(", deletes") : "");
  if (member_int (o, SV_CTL_SKIPPED) > 0)
    printf (_("    %lld source files left out (no SHA-1, a name unusable here, or a second file under one name)\n"),
            (long long) member_int (o, SV_CTL_SKIPPED));
  if (err != NULL)
    printf (_("    last error: %s\n"), err);
}

static int
list (SvCliClient *client, gboolean json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) arr = get_list (client, &error);
  JsonArray *a;

  if (arr == NULL)
    return sv_cli_client_report_refusal (client, error);
  a = json_node_get_array (arr);
  if (json)
    {
      g_autofree char *text = json_to_string (arr, FALSE);
      printf ("%s\n", text);
      return SV_EXIT_OK;
    }
  if (json_array_get_length (a) == 0)
    printf ("%s\n", _("no folder is mirrored; 'servent sync add SOURCE DIR' adds one"));
  for (guint i = 0; i < json_array_get_length (a); i++)
    print_sync (json_array_get_object_element (a, i));
  return SV_EXIT_OK;
}

static int
add (SvCliClient *client, const char *source, const char *dir, gboolean delete_extra, gint interval)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *canon = g_canonicalize_filename (dir, NULL);   /* relative: from the cwd */

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_SOURCE);
  json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, SV_CTL_FOLDER);
  json_builder_add_string_value (b, canon);
  json_builder_set_member_name (b, SV_CTL_DELETE);
  json_builder_add_boolean_value (b, delete_extra);
  if (interval > 0)
    {
      json_builder_set_member_name (b, SV_CTL_INTERVAL_S);
      json_builder_add_int_value (b, interval);
    }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  reply = sv_cli_client_call (client, "POST", SV_CTL_PATH_SYNCS, body, &error);
  if (reply == NULL)
    return sv_cli_client_report_refusal (client, error);
  printf (_("%s now mirrors %s\n"), canon, source);
  return SV_EXIT_OK;
}

static JsonNode *
id_body (gint64 id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_ID);
  json_builder_add_int_value (b, id);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
remove_sync (SvCliClient *client, gint64 id)
{
  g_autoptr (JsonNode) body = id_body (id);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = sv_cli_client_call (client, "POST", SV_CTL_PATH_SYNCS_REMOVE, body, &error);

  if (error != NULL)
    return sv_cli_client_report_refusal (client, error);
  printf (_("sync %lld removed; its files stay\n"), (long long) id);
  return SV_EXIT_OK;
}

/* Runs @id (0: all) now; with @wait, follows the runs to their end (a progress line on a
 * terminal). Returns: SV_EXIT_NETWORK when a run ended with an error. */
static int
now (SvCliClient *client, gint64 id, gboolean wait)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) before = get_list (client, &error);
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  gboolean tty = isatty (STDERR_FILENO);
  int status = SV_EXIT_OK;

  if (before == NULL)
    return sv_cli_client_report_refusal (client, error);
  if (id != 0 && find_sync (json_node_get_array (before), id) == NULL)
    {
      fprintf (stderr, _("servent: no sync %lld; 'servent sync list' lists them\n"), (long long) id);
      return SV_EXIT_NOT_FOUND;
    }
  body = id_body (id);
  reply = sv_cli_client_call (client, "POST", SV_CTL_PATH_SYNCS_NOW, body, &error);
  if (error != NULL)
    return sv_cli_client_report_refusal (client, error);
  if (!wait)
    {
      printf ("%s\n", _("sync started"));
      return SV_EXIT_OK;
    }
  for (;;)
    {
      g_autoptr (JsonNode) cur = NULL;
      JsonArray *b = json_node_get_array (before), *c;
      guint running = 0, pending = 0;
      guint64 total = 0, here = 0, rate = 0;

      g_usleep (WAIT_POLL_US);
      cur = get_list (client, &error);
      if (cur == NULL)
        return sv_cli_client_report_refusal (client, error);
      c = json_node_get_array (cur);
      for (guint i = 0; i < json_array_get_length (b); i++)
        {
          JsonObject *old = json_array_get_object_element (b, i);
          gint64 sid = member_int (old, SV_CTL_ID);
          JsonObject *o = find_sync (c, sid);

          if ((id != 0 && sid != id) || o == NULL)
            continue;
          if (member_int (o, SV_CTL_RUNS) <= member_int (old, SV_CTL_RUNS)
              || g_strcmp0 (member_str (o, SV_CTL_STATE), "idle") != 0)
            {
              running++;
              pending += (guint) member_int (o, SV_CTL_PENDING);
              total += (guint64) member_int (o, SV_CTL_FETCH_BYTES);
              here += (guint64) member_int (o, SV_CTL_FETCHED_BYTES);
              rate += (guint64) member_int (o, SV_CTL_RATE);
            }
        }
      if (running == 0)
        {
          if (tty)
            sv_cli_progress_clear ();
          for (guint i = 0; i < json_array_get_length (c); i++)
            {
              JsonObject *o = json_array_get_object_element (c, i);

              if (id != 0 && member_int (o, SV_CTL_ID) != id)
                continue;
              print_sync (o);
              if (member_str (o, SV_CTL_LAST_ERROR) != NULL)
                status = SV_EXIT_NETWORK;
            }
          return status;
        }
      if (tty)
        {
          g_autofree char *label = g_strdup_printf (_("syncing: %u running, %u files to fetch"), running, pending);

          sv_cli_progress_draw (here, total, rate, label);
        }
    }
}

static gboolean
parse_id (const char *text, gint64 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

int
sv_cli_sync (int argc, char **argv)
{
  g_autofree char *runtime_dir = NULL;
  gboolean wait = FALSE, json = FALSE, delete_extra = FALSE;
  gint interval = 0;
  GOptionEntry entries[] = {
    { "delete", 0, 0, G_OPTION_ARG_NONE, &delete_extra,
      N_("add: delete files the mirror placed once the source no longer has them"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, N_("add: seconds between runs (default 300)"), N_("S") },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, N_("now: wait until the run is over"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print the daemon's JSON array"), NULL },
    sv_cli_runtime_dir_option (&runtime_dir),
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      _("add SOURCE DIR | list | remove ID | now [ID] — keep folders mirrors of other servents' shares"));
  g_autoptr (GError) error = NULL;
  g_autoptr (SvCliClient) client = NULL;
  g_autofree char *dir = NULL;
  g_auto (GStrv) env = g_get_environ ();
  const char *what;
  gint64 id = 0;

  g_option_context_set_description (ctx, _("SOURCE is host:port or a servent GUID (32 hex digits).\n"
                                           "DIR keeps the source's files; a local file that differs is never overwritten:\n"
                                           "the source's version is kept beside it as NAME.sync-conflict-XXXXXXXX.EXT."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc < 2)
    return usage_error (_("say add, list, remove or now"));
  what = argv[1];
  if (interval < 0)
    return usage_error (_("--interval takes a number of seconds"));
  dir = sv_cli_runtime_dir (runtime_dir, env);
  client = sv_cli_client_new (dir);
  if (strcmp (what, "list") == 0)
    return argc == 2 ? list (client, json) : usage_error (_("list takes no argument"));
  if (strcmp (what, "add") == 0)
    return argc == 4 ? add (client, argv[2], argv[3], delete_extra, interval)
                     : usage_error (_("add takes a source and a folder"));
  if (strcmp (what, "remove") == 0)
    {
      if (argc != 3 || !parse_id (argv[2], &id))
        return usage_error (_("remove takes a sync's number ('servent sync list' shows them)"));
      return remove_sync (client, id);
    }
  if (strcmp (what, "now") == 0)
    {
      if (argc > 3 || (argc == 3 && !parse_id (argv[2], &id)))
        return usage_error (_("now takes at most one sync number"));
      return now (client, id, wait);
    }
  return usage_error (_("say add, list, remove or now"));
}
