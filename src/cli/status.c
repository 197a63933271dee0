/* status.c: `servent status`, `servent peers` and `servent shares`: one GET on the control
 * socket each, shown as aligned text or passed through as JSON. */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "control-protocol.h"
#include "commands.h"
#include "exit-codes.h"

typedef struct {
  gboolean json;
  char *runtime_dir;
} ShowOptions;

typedef void (*ShowFunc) (JsonObject *obj);

/* --- Reading members leniently (a field the daemon does not send shows as 0 or "-") --- */

static guint64
u64 (JsonObject *obj, const char *name)
{
  gint64 v = obj != NULL ? json_object_get_int_member_with_default (obj, name, 0) : 0;

  return v > 0 ? (guint64) v : 0;
}

static const char *
str (JsonObject *obj, const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "-";
  return json_node_get_string (node);
}

static gboolean
flag (JsonObject *obj, const char *name)
{
  return obj != NULL && json_object_get_boolean_member_with_default (obj, name, FALSE);
}

static JsonObject *
member_object (JsonObject *obj, const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
duration (guint64 s)
{
  if (s >= 86400)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "d%02uh", s / 86400, (guint) (s % 86400 / 3600));
  if (s >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "h%02um", s / 3600, (guint) (s % 3600 / 60));
  if (s >= 60)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "m%02us", s / 60, (guint) (s % 60));
  return g_strdup_printf ("%" G_GUINT64_FORMAT "s", s);
}

/* "name=N" for each non-zero member of @obj, or "none". */
static char *
nonzero_members (JsonObject *obj)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GList) names = obj != NULL ? json_object_get_members (obj) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    if (u64 (obj, l->data) > 0)
      g_string_append_printf (out, "%s%s=%" G_GUINT64_FORMAT, out->len ? " " : "", (const char *) l->data,
                              u64 (obj, l->data));
  return g_strdup (out->len ? out->str : _("none"));
}

/* --- status --- */

static void
show_status (JsonObject *obj)
{
  JsonObject *peers = member_object (obj, SV_CTL_PEERS);
  JsonObject *shares = member_object (obj, SV_CTL_SHARES);
  JsonObject *c = member_object (obj, SV_CTL_COUNTERS);
  g_autofree char *up = duration (u64 (obj, SV_CTL_UPTIME_S));
  g_autofree char *size = g_format_size (u64 (shares, SV_CTL_BYTES));
  g_autofree char *dropped = nonzero_members (member_object (c, SV_CTL_DROPPED));
  g_autofree char *closed = nonzero_members (member_object (c, SV_CTL_CLOSED));

  printf ("%-12s servent %s\n", _("version"), str (obj, SV_CTL_VERSION));
  printf ("%-12s %s\n", _("guid"), str (obj, SV_CTL_GUID));
  printf ("%-12s %s\n", _("role"), str (obj, SV_CTL_ROLE));
  printf ("%-12s %" G_GUINT64_FORMAT "\n", _("port"), u64 (obj, SV_CTL_PORT));
  printf ("%-12s %s\n", _("uptime"), up);
  printf ("%-12s %" G_GUINT64_FORMAT " ultrapeers, %" G_GUINT64_FORMAT " leaves, %" G_GUINT64_FORMAT
          " connecting\n", _("peers"), u64 (peers, SV_CTL_ULTRAPEERS), u64 (peers, SV_CTL_LEAVES), u64 (peers, SV_CTL_CONNECTING));
  printf ("%-12s %" G_GUINT64_FORMAT " hosts\n", _("host cache"), u64 (obj, SV_CTL_HOST_CACHE));
  printf ("%-12s %" G_GUINT64_FORMAT " files, %s%s\n", _("shares"), u64 (shares, SV_CTL_FILES), size,
          flag (shares, SV_CTL_SCANNING) ? _(" (scanning)") : "");
  printf ("%-12s %" G_GUINT64_FORMAT "\n", _("searches"), u64 (obj, SV_CTL_SEARCHES));
  printf ("%-12s received %" G_GUINT64_FORMAT ", handled %" G_GUINT64_FORMAT ", forwarded %" G_GUINT64_FORMAT
          ", duplicate %" G_GUINT64_FORMAT ", qrp-blocked %" G_GUINT64_FORMAT "\n", _("queries"),
          u64 (c, SV_CTL_QUERIES_RECEIVED), u64 (c, SV_CTL_QUERIES_HANDLED), u64 (c, SV_CTL_QUERIES_FORWARDED),
          u64 (c, SV_CTL_QUERIES_DUPLICATE), u64 (c, SV_CTL_QUERIES_QRP_BLOCKED));
  printf ("%-12s sent %" G_GUINT64_FORMAT ", routed %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT "\n",
          _("hits"), u64 (c, SV_CTL_HITS_SENT), u64 (c, SV_CTL_HITS_ROUTED), u64 (c, SV_CTL_HITS_RECEIVED));
  printf ("%-12s kicked %" G_GUINT64_FORMAT ", accept-rejected %" G_GUINT64_FORMAT ", refused-busy %"
          G_GUINT64_FORMAT "\n", _("links"), u64 (c, SV_CTL_PEERS_KICKED), u64 (c, SV_CTL_ACCEPT_REJECTED),
          u64 (c, SV_CTL_REFUSED_BUSY));
  printf ("%-12s sent %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT "\n", _("qrp tables"),
          u64 (c, SV_CTL_QRP_TABLES_SENT), u64 (c, SV_CTL_QRP_TABLES_RECEIVED));
  printf ("%-12s %s\n", _("dropped"), dropped);
  printf ("%-12s %s\n", _("closed"), closed);
  {
    JsonObject *r = member_object (obj, SV_CTL_REACHABILITY);
    g_autofree char *transfers = nonzero_members (member_object (obj, SV_CTL_TRANSFERS));
    g_autofree char *admission = nonzero_members (member_object (obj, SV_CTL_ADMISSION));

    printf ("%-12s %s, announced as %s: %s\n", _("reachable"), str (r, SV_CTL_VERDICT),
            str (r, SV_CTL_ANNOUNCED), str (r, SV_CTL_EVIDENCE));
    printf ("%-12s %s: %s\n", _("reached as"), str (r, SV_CTL_NAT), str (r, SV_CTL_NAT_EVIDENCE));
    {
      JsonObject *pm = member_object (r, SV_CTL_PORT_MAP);

      if (pm != NULL && g_strcmp0 (str (pm, SV_CTL_PROTOCOL), "none") != 0)
        printf ("%-12s %s by %s, lease %" G_GUINT64_FORMAT " s\n", _("port map"),
                str (pm, SV_CTL_EXTERNAL), str (pm, SV_CTL_PROTOCOL), u64 (pm, SV_CTL_LEASE));
      else if (u64 (pm, SV_CTL_REQUESTS) > 0)
        printf ("%-12s %s\n", _("port map"), str (pm, SV_CTL_ERROR));
    }
    printf ("%-12s %s\n", _("transfers"), transfers);
    printf ("%-12s %s\n", _("admission"), admission);
  }
}

/* --- peers --- */

static void
show_peers (JsonObject *obj)
{
  JsonNode *node = json_object_get_member (obj, SV_CTL_PEERS);
  JsonArray *peers = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  guint n = peers != NULL ? json_array_get_length (peers) : 0;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *head[] = { N_("ADDRESS"), N_("DIR"), N_("ROLE"), N_("UPTIME"), N_("IN"), N_("OUT"),
                         N_("DEFLATE"), N_("USER-AGENT") };
  gsize width[G_N_ELEMENTS (head)] = { 0 };

  if (n == 0)
    {
      printf ("%s\n", _("no peers connected"));
      return;
    }
  g_ptr_array_add (rows, g_new0 (char *, G_N_ELEMENTS (head) + 1));
  for (gsize c = 0; c < G_N_ELEMENTS (head); c++)
    ((char **) rows->pdata[0])[c] = g_strdup (_(head[c]));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *pn = json_array_get_element (peers, i);
      JsonObject *p = JSON_NODE_HOLDS_OBJECT (pn) ? json_node_get_object (pn) : NULL;
      char **row = g_new0 (char *, G_N_ELEMENTS (head) + 1);
      gboolean din = flag (p, SV_CTL_DEFLATE_IN), dout = flag (p, SV_CTL_DEFLATE_OUT);

      row[0] = g_strdup (str (p, SV_CTL_ADDRESS));
      row[1] = g_strdup (str (p, SV_CTL_DIRECTION));
      row[2] = g_strdup (str (p, SV_CTL_ROLE));
      row[3] = duration (u64 (p, SV_CTL_CONNECTED_S));
      row[4] = g_format_size (u64 (p, SV_CTL_BYTES_IN));
      row[5] = g_format_size (u64 (p, SV_CTL_BYTES_OUT));
      row[6] = g_strdup (din && dout ? "in+out" : din ? "in" : dout ? "out" : "no");
      row[7] = g_strdup (str (p, SV_CTL_USER_AGENT));
      g_strdelimit (row[7], "\t\r\n", ' ');
      g_ptr_array_add (rows, row);
    }
  for (guint r = 0; r < rows->len; r++)
    for (gsize c = 0; c < G_N_ELEMENTS (head); c++)
      width[c] = MAX (width[c], (gsize) g_utf8_strlen (((char **) rows->pdata[r])[c], -1));
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];
      for (gsize c = 0; c < G_N_ELEMENTS (head); c++)
        {
          gsize pad = width[c] - (gsize) g_utf8_strlen (row[c], -1);
          if (c + 1 == G_N_ELEMENTS (head))
            printf ("%s\n", row[c]);
          else
            printf ("%s%*s  ", row[c], (int) pad, "");
        }
    }
}

/* --- shares --- */

static void
show_shares (JsonObject *obj)
{
  JsonNode *node = json_object_get_member (obj, SV_CTL_FOLDERS);
  JsonArray *folders = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  guint n = folders != NULL ? json_array_get_length (folders) : 0;
  g_autofree char *size = g_format_size (u64 (obj, SV_CTL_BYTES));
  g_autofree char *hashed = g_format_size (u64 (obj, SV_CTL_BYTES_HASHED));
  guint64 fill = u64 (obj, SV_CTL_QRP_FILL_PERMILLE);

  if (n == 0)
    printf ("%-12s %s\n", _("folders"), _("none"));
  for (guint i = 0; i < n; i++)
    printf ("%-12s %s\n", i == 0 ? _("folders") : "", json_array_get_string_element (folders, i));
  printf ("%-12s %" G_GUINT64_FORMAT " (%s)%s\n", _("files"), u64 (obj, SV_CTL_FILES), size,
          flag (obj, SV_CTL_SCANNING) ? _(", scanning") : "");
  printf ("%-12s %" G_GUINT64_FORMAT " (%s)\n", _("hashed"), u64 (obj, SV_CTL_FILES_HASHED), hashed);
  printf ("%-12s %" G_GUINT64_FORMAT "\n", _("unreadable"), u64 (obj, SV_CTL_UNREADABLE));
  printf ("%-12s %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT "%%\n", _("qrp fill"), fill / 10, fill % 10);
}

/* --- downloads, uploads --- */

static JsonArray *
member_array (JsonObject *obj, const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
element (JsonArray *a, guint i)
{
  JsonNode *n = json_array_get_element (a, i);

  return JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static void
show_downloads (JsonObject *obj)
{
  JsonArray *list = member_array (obj, SV_CTL_DOWNLOADS);
  guint n = list != NULL ? json_array_get_length (list) : 0;

  if (n == 0)
    {
      printf ("%s\n", _("no downloads"));
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *d = element (list, i);
      guint64 size = u64 (d, SV_CTL_SIZE), done = u64 (d, SV_CTL_DONE);
      g_autofree char *sz = g_format_size (size);
      g_autofree char *rate = g_format_size (u64 (d, SV_CTL_RATE));
      g_autofree char *name = g_strdup (str (d, SV_CTL_NAME));
      const char *error = str (d, SV_CTL_ERROR);

      g_strdelimit (name, "\t\r\n", ' ');
      printf ("%" G_GUINT64_FORMAT "\t%s\t%3u%%\t%s\t%s/s\t%s\t%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
              " sources\t%s%s%s\n", u64 (d, SV_CTL_ID), str (d, SV_CTL_STATE),
              size > 0 ? (guint) (done * 100 / size) : 0, sz, rate, str (d, SV_CTL_METHOD),
              u64 (d, SV_CTL_SOURCES_ALIVE), u64 (d, SV_CTL_SOURCES), name,
              strcmp (error, "-") != 0 ? ": " : "", strcmp (error, "-") != 0 ? error : "");
    }
}

static void
show_uploads (JsonObject *obj)
{
  JsonArray *list = member_array (obj, SV_CTL_UPLOADS);
  guint n = list != NULL ? json_array_get_length (list) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *u = element (list, i);
      g_autofree char *sent = g_format_size (u64 (u, SV_CTL_BYTES));

      printf ("%s\t%s\t%s\t%s\n", str (u, SV_CTL_ADDRESS), flag (u, SV_CTL_PUSHED) ? "push" : "direct",
              sent, str (u, SV_CTL_NAME));
    }
  printf (_("%u connection(s), %llu queued\n"), n, (unsigned long long) u64 (obj, SV_CTL_QUEUED));
}

/* --- Shared by all of them --- */

static int
run_show (int argc, char **argv, const char *path, const char *summary, ShowFunc show)
{
  ShowOptions opt = { 0 };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt.json, N_("Print the daemon's JSON object"), NULL },
    sv_cli_runtime_dir_option (&opt.runtime_dir),
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (summary);
  g_autoptr (GError) error = NULL;
  g_autoptr (SvCliClient) client = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *dir = NULL;
  g_auto (GStrv) env = g_get_environ ();
  int status;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 1)
    {
      fprintf (stderr, _("servent %s: %s; run 'servent %s --help'\n"), argv[0],
               error ? error->message : _("this command takes no arguments"), argv[0]);
      g_free (opt.runtime_dir);
      return SV_EXIT_USAGE;
    }
  dir = sv_cli_runtime_dir (opt.runtime_dir, env);
  g_free (opt.runtime_dir);
  client = sv_cli_client_new (dir);
  root = sv_cli_client_call (client, "GET", path, NULL, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      if (error == NULL)
        g_set_error (&error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL,
                     _("the daemon's answer to GET %s is not an object"), path);
      status = sv_cli_client_report (client, error);
      return status;
    }
  if (opt.json)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  else
    show (json_node_get_object (root));
  return fflush (stdout) == 0 ? SV_EXIT_OK : SV_EXIT_IO;
}

int
sv_cli_status (int argc, char **argv)
{
  return run_show (argc, argv, SV_CTL_PATH_STATUS, _("— show the daemon's state and counters"), show_status);
}

int
sv_cli_peers (int argc, char **argv)
{
  return run_show (argc, argv, SV_CTL_PATH_PEERS, _("— list the connected peers"), show_peers);
}

int
sv_cli_shares (int argc, char **argv)
{
  return run_show (argc, argv, SV_CTL_PATH_SHARES, _("— show the shared folders and the index"), show_shares);
}

int
sv_cli_downloads (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (sv_cli_downloads_is_action (argv[i]))
      return sv_cli_downloads_action (argc, argv);
  return run_show (argc, argv, SV_CTL_PATH_DOWNLOADS, _("— list the downloads"), show_downloads);
}

int
sv_cli_uploads (int argc, char **argv)
{
  return run_show (argc, argv, SV_CTL_PATH_UPLOADS, _("— list the upload connections and the queue"),
                   show_uploads);
}
