/* client.c: the CLI's control-socket client: runtime directory resolution, JSON calls and NDJSON
 * streams over libsoup-3 on a Unix socket (see client.h). */
#include "config.h"

#include "client.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control-protocol.h"
#include "exit-codes.h"
#include "limits.h"

/* Bytes asked for per read of a stream. */
#define SV_CLI_STREAM_READ_BYTES 16384
/* A daemon that does not answer a plain call within this many seconds is reported. */
#define SV_CLI_CALL_TIMEOUT_S 30

G_DEFINE_QUARK (sv-cli-client-error-quark, sv_cli_client_error)

struct _SvCliClient {
  char *socket_path;
  SoupSession *calls;     /* plain requests, with an I/O timeout */
  SoupSession *streams;   /* long-lived streams: no I/O timeout (the command has its own) */
  guint last_status;      /* the HTTP status of the last call (0: none came) */
};

/* --- Runtime directory --- */

char *
sv_cli_runtime_dir (const char *option, char **envp)
{
  if (option != NULL && *option != '\0')
    return g_canonicalize_filename (option, NULL);
  return sv_control_protocol_default_runtime_dir (envp);   /* the daemon's own order */
}

GOptionEntry
sv_cli_runtime_dir_option (char **out)
{
  GOptionEntry entry = {
    "runtime-dir", 0, 0, G_OPTION_ARG_FILENAME, out,
    N_("Where serventd's control socket is (default: see servent(1))"), N_("DIRECTORY"),
  };
  return entry;
}

/* --- Client --- */

SvCliClient *
sv_cli_client_new (const char *runtime_dir)
{
  SvCliClient *client = g_new0 (SvCliClient, 1);
  g_autoptr (GSocketAddress) addr = NULL;
  g_autofree char *agent = g_strdup_printf ("servent/%s", PACKAGE_VERSION);

  client->socket_path = sv_control_protocol_socket_path (runtime_dir);
  addr = g_unix_socket_address_new (client->socket_path);
  client->calls = soup_session_new_with_options ("remote-connectable", addr, "timeout", SV_CLI_CALL_TIMEOUT_S,
                                                 "user-agent", agent, NULL);
  client->streams = soup_session_new_with_options ("remote-connectable", addr, "timeout", 0,
                                                   "user-agent", agent, NULL);
  return client;
}

void
sv_cli_client_free (SvCliClient *client)
{
  if (client == NULL)
    return;
  g_clear_object (&client->calls);
  g_clear_object (&client->streams);
  g_free (client->socket_path);
  g_free (client);
}

const char *
sv_cli_client_socket (SvCliClient *client)
{
  return client->socket_path;
}

/* Reaching the socket failed: nothing listens there (or we may not talk to it). */
static gboolean
is_unreachable (const GError *error)
{
  return error->domain == G_IO_ERROR
         && (error->code == G_IO_ERROR_NOT_FOUND || error->code == G_IO_ERROR_CONNECTION_REFUSED
             || error->code == G_IO_ERROR_PERMISSION_DENIED || error->code == G_IO_ERROR_NOT_DIRECTORY
             || error->code == G_IO_ERROR_INVALID_ARGUMENT || error->code == G_IO_ERROR_HOST_UNREACHABLE
             || error->code == G_IO_ERROR_NETWORK_UNREACHABLE);
}

static void
set_transport_error (SvCliClient *client, GError *error, GError **out)
{
  if (is_unreachable (error))
    g_set_error (out, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_NO_DAEMON, "%s", error->message);
  else
    g_set_error (out, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL, _("talking to serventd at %s: %s"),
                 client->socket_path, error->message);
}

/* The daemon's error text in @body ({"error": "..."}), or the status line. */
static void
set_http_error (SoupMessage *msg, const char *body, gsize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *text = NULL;

  if (body != NULL && len > 0 && json_parser_load_from_data (parser, body, (gssize) len, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        text = json_object_get_string_member_with_default (json_node_get_object (root), "error", NULL);
    }
  g_set_error (error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_HTTP, "%s (%u %s)",
               text != NULL ? text : _("the daemon refused the request"), soup_message_get_status (msg),
               soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : "");
}

static char *
uri_for (const char *path)
{
  return g_strconcat ("http://localhost", path, NULL);
}

JsonNode *
sv_cli_client_call (SvCliClient *client, const char *method, const char *path, JsonNode *body,
                    GError **error)
{
  g_autofree char *uri = uri_for (path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonParser) parser = NULL;
  const char *data;
  gsize len = 0;
  guint status;

  client->last_status = 0;
  if (msg == NULL)
    {
      g_set_error (error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL, "bad request path %s", path);
      return NULL;
    }
  if (body != NULL)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      gsize text_len = 0;
      char *text;

      json_generator_set_root (gen, body);
      text = json_generator_to_data (gen, &text_len);
      g_autoptr (GBytes) bytes = g_bytes_new_take (text, text_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (client->calls, msg, NULL, &local);
  if (reply == NULL)
    {
      set_transport_error (client, local, error);
      return NULL;
    }
  data = g_bytes_get_data (reply, &len);
  status = soup_message_get_status (msg);
  client->last_status = status;
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      set_http_error (msg, data, len, error);
      return NULL;
    }
  if (len == 0)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      g_set_error (error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL,
                   _("the daemon's answer to %s %s is not JSON: %s"), method, path, local->message);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

int
sv_cli_client_report (SvCliClient *client, const GError *error)
{
  if (g_error_matches (error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_NO_DAEMON))
    {
      fprintf (stderr, _("servent: no daemon at %s (start serventd, or pass --runtime-dir)\n"),
               client->socket_path);
      return SV_EXIT_NO_DAEMON;
    }
  fprintf (stderr, "servent: %s\n", error->message);
  return SV_EXIT_FAILURE;
}

int
sv_cli_client_report_refusal (SvCliClient *client, const GError *error)
{
  guint status = sv_cli_client_last_status (client);

  if (status >= 400 && status < 500)
    {
      fprintf (stderr, "servent: %s\n", error->message);
      return status == 404 ? SV_EXIT_NOT_FOUND : SV_EXIT_REFUSED;
    }
  return sv_cli_client_report (client, error);
}

/* --- Streams --- */

typedef struct {
  SvCliClient *client;
  SoupMessage *msg;
  GInputStream *input;
  GCancellable *cancellable;
  SvCliLineFunc func;
  gpointer user_data;
  GByteArray *pending;            /* bytes of the line being read (at most the line cap) */
  gboolean http_error;            /* reading an error body: report it at the end */
  guint8 buf[SV_CLI_STREAM_READ_BYTES];
} LineStream;

static void
line_stream_finish (LineStream *ls, GError *error)
{
  ls->func (NULL, error, ls->user_data);
  if (ls->input != NULL)
    g_input_stream_close (ls->input, NULL, NULL);
  g_clear_object (&ls->input);
  g_clear_object (&ls->msg);
  g_clear_object (&ls->cancellable);
  g_byte_array_unref (ls->pending);
  g_free (ls);
}

static void stream_read_more (LineStream *ls);

/* Hands each whole line in @pending to the caller; keeps the partial one. */
static gboolean
emit_lines (LineStream *ls, GError **error)
{
  gsize start = 0;

  for (gsize i = 0; i < ls->pending->len; i++)
    {
      if (ls->pending->data[i] != '\n')
        continue;
      {
        g_autofree char *line = g_strndup ((const char *) ls->pending->data + start, i - start);
        gsize n = strlen (line);
        if (n > 0 && line[n - 1] == '\r')
          line[n - 1] = '\0';
        if (line[0] != '\0')
          ls->func (line, NULL, ls->user_data);
      }
      start = i + 1;
    }
  g_byte_array_remove_range (ls->pending, 0, start);
  if (ls->pending->len > SV_CONTROL_MAX_LINE_BYTES)
    {
      g_set_error (error, SV_CLI_CLIENT_ERROR, SV_CLI_CLIENT_ERROR_PROTOCOL,
                   _("a line from the daemon is over %u bytes"), (guint) SV_CONTROL_MAX_LINE_BYTES);
      return FALSE;
    }
  return TRUE;
}

static void
stream_read_done (GObject *src, GAsyncResult *res, gpointer user_data)
{
  LineStream *ls = user_data;
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (src), res, &error);

  if (n < 0)
    {
      line_stream_finish (ls, error);
      return;
    }
  if (ls->http_error)
    {
      /* An error answer: collect its (small) body, then report it. */
      if (n > 0 && ls->pending->len < SV_CONTROL_MAX_LINE_BYTES)
        {
          g_byte_array_append (ls->pending, ls->buf, (guint) n);
          stream_read_more (ls);
          return;
        }
      set_http_error (ls->msg, (const char *) ls->pending->data, ls->pending->len, &error);
      line_stream_finish (ls, error);
      return;
    }
  if (n == 0)
    {
      if (ls->pending->len > 0)
        {
          g_byte_array_append (ls->pending, (const guint8 *) "\n", 1);
          emit_lines (ls, NULL);
        }
      line_stream_finish (ls, NULL);
      return;
    }
  g_byte_array_append (ls->pending, ls->buf, (guint) n);
  if (!emit_lines (ls, &error))
    {
      line_stream_finish (ls, error);
      return;
    }
  stream_read_more (ls);
}

static void
stream_read_more (LineStream *ls)
{
  g_input_stream_read_async (ls->input, ls->buf, sizeof ls->buf, G_PRIORITY_DEFAULT, ls->cancellable,
                             stream_read_done, ls);
}

static void
stream_sent (GObject *src, GAsyncResult *res, gpointer user_data)
{
  LineStream *ls = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) out = NULL;

  ls->input = soup_session_send_finish (SOUP_SESSION (src), res, &error);
  if (ls->input == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        line_stream_finish (ls, error);
      else
        {
          set_transport_error (ls->client, error, &out);
          line_stream_finish (ls, out);
        }
      return;
    }
  ls->http_error = !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (ls->msg));
  stream_read_more (ls);
}

void
sv_cli_client_stream (SvCliClient *client, const char *path, GCancellable *cancellable, SvCliLineFunc func,
                      gpointer user_data)
{
  g_autofree char *uri = uri_for (path);
  LineStream *ls = g_new0 (LineStream, 1);

  ls->client = client;
  ls->msg = soup_message_new ("GET", uri);
  ls->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  ls->func = func;
  ls->user_data = user_data;
  ls->pending = g_byte_array_new ();
  soup_session_send_async (client->streams, ls->msg, G_PRIORITY_DEFAULT, ls->cancellable, stream_sent, ls);
}

guint
sv_cli_client_last_status (SvCliClient *client)
{
  return client->last_status;
}
