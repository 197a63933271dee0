/* control-server.c: the control API's HTTP server on a Unix socket: socket file rules, route
 * dispatch, JSON replies and bodies, and NDJSON streams (see control-server.h). */
#include "config.h"

#include "control-server.h"

#include <gio/gunixsocketaddress.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control-protocol.h"
#include "limits.h"

struct _SvControlServer {
  SoupServer *soup;
  char *path;
  dev_t dev;
  ino_t ino;
  const SvControlRoute *routes;
  guint n_routes;
  gpointer user_data;
  GList *streams;                 /* SvControlStream, open or waiting for their message to end */
};

struct _SvControlStream {
  SvControlServer *server;
  SoupServerMessage *msg;
  SvControlStreamClosed closed;
  gpointer user_data;
  gboolean done;                  /* ended by the owner, or `closed` was called */
  gulong finished_id, disconnected_id;
  GSource *hup;                   /* watches the socket for the client closing it */
};

/* --- Socket file and directory --- */

static gboolean
prepare_directory (const char *dir, GError **error)
{
  struct stat st;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create the runtime directory %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (stat (dir, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot inspect the runtime directory %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "the runtime directory %s is not a directory", dir);
      return FALSE;
    }
  if (st.st_uid != getuid ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "the runtime directory %s belongs to another user (uid %u); use a directory of your own",
                   dir, (guint) st.st_uid);
      return FALSE;
    }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "the runtime directory %s is writable by others (mode %03o); chmod 700 it",
                   dir, (guint) (st.st_mode & 0777));
      return FALSE;
    }
  return TRUE;
}

/* Removes a stale socket at @path; refuses a live one or a file that is not a socket. */
static gboolean
clear_old_socket (const char *path, GError **error)
{
  struct stat st;
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int fd, rc, saved;

  if (lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot inspect %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s exists and is not a socket; remove it or choose another runtime directory", path);
      return FALSE;
    }
  memcpy (sun.sun_path, path, strlen (path) + 1);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socket: %s", g_strerror (saved));
      return FALSE;
    }
  rc = connect (fd, (struct sockaddr *) &sun, sizeof sun);
  saved = errno;
  close (fd);
  if (rc == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, "another serventd is running on %s", path);
      return FALSE;
    }
  if (saved != ECONNREFUSED)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot probe the socket %s: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  if (unlink (path) != 0 && errno != ENOENT)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot remove the stale socket %s: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  g_info ("removed the stale control socket %s", path);
  return TRUE;
}

static GSocket *
bind_socket (const char *path, GError **error)
{
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GSocketAddress) addr = NULL;
  mode_t old_mask;
  gboolean bound;

  sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (sock == NULL)
    return NULL;
  addr = g_unix_socket_address_new (path);
  old_mask = umask (0177);
  bound = g_socket_bind (sock, addr, FALSE, error);
  umask (old_mask);
  if (!bound)
    return NULL;
  if (chmod (path, 0600) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "chmod %s: %s", path, g_strerror (saved));
      unlink (path);
      return NULL;
    }
  g_socket_set_listen_backlog (sock, 16);
  if (!g_socket_listen (sock, error))
    {
      unlink (path);
      return NULL;
    }
  return g_steal_pointer (&sock);
}

/* --- Replies --- */

void
sv_control_reply_json (SoupServerMessage *msg, guint status, JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  text = g_realloc (text, len + 2);
  text[len++] = '\n';
  text[len] = '\0';
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

void
sv_control_reply_builder (SoupServerMessage *msg, guint status, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  sv_control_reply_json (msg, status, root);
}

void
sv_control_reply_error (SoupServerMessage *msg, guint status, const char *format, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *text = NULL;
  va_list ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_ERROR);
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);
  sv_control_reply_builder (msg, status, b);
}

void
sv_control_reply_empty (SoupServerMessage *msg, guint status)
{
  if (status == SOUP_STATUS_NO_CONTENT)
    {
      soup_server_message_set_status (msg, status, NULL);
      return;
    }
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}\n", 3);
}

JsonNode *
sv_control_request_json (const SvControlRequest *req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len == 0)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "the request needs a JSON object body");
      return NULL;
    }
  if (len > SV_CONTROL_MAX_BODY_BYTES)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                              "the request body is over %u bytes", (guint) SV_CONTROL_MAX_BODY_BYTES);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "the body is not JSON: %s", error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "the body must be a JSON object");
      return NULL;
    }
  return json_node_copy (root);
}

gboolean
sv_control_request_flag (const SvControlRequest *req, const char *name)
{
  const char *value = req->query ? g_hash_table_lookup (req->query, name) : NULL;

  return value != NULL && (strcmp (value, "1") == 0 || g_ascii_strcasecmp (value, "true") == 0
                           || g_ascii_strcasecmp (value, "yes") == 0);
}

/* --- Streams --- */

static void
stream_free (SvControlStream *stream)
{
  SvControlServer *server = stream->server;

  server->streams = g_list_remove (server->streams, stream);
  if (stream->hup != NULL)
    {
      g_source_destroy (stream->hup);
      g_source_unref (stream->hup);
    }
  g_signal_handler_disconnect (stream->msg, stream->finished_id);
  g_signal_handler_disconnect (stream->msg, stream->disconnected_id);
  g_object_unref (stream->msg);
  g_free (stream);
}

/* Tells the owner once that the stream ended without it. */
static void
stream_report_closed (SvControlStream *stream, gboolean client_gone)
{
  if (stream->done)
    return;
  stream->done = TRUE;
  if (stream->closed != NULL)
    stream->closed (stream, client_gone, stream->user_data);
}

static void
stream_message_over (SoupServerMessage *msg, gpointer user_data)
{
  SvControlStream *stream = user_data;

  stream_report_closed (stream, TRUE);
  stream_free (stream);
}

/* The client closed its end while the stream waits for data: tell the owner now, then let
 * libsoup finish (its write fails and the message ends). */
static gboolean
stream_hup (GSocket *sock, GIOCondition cond, gpointer user_data)
{
  SvControlStream *stream = user_data;

  g_source_unref (stream->hup);
  stream->hup = NULL;
  if (!stream->done)
    {
      stream_report_closed (stream, TRUE);
      soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
      soup_server_message_unpause (stream->msg);
    }
  return G_SOURCE_REMOVE;
}

SvControlStream *
sv_control_stream_start (const SvControlRequest *req, SvControlStreamClosed closed, gpointer user_data)
{
  SvControlServer *server = req->server;
  SvControlStream *stream = g_new0 (SvControlStream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);
  GSocket *sock = soup_server_message_get_socket (req->msg);

  stream->server = server;
  stream->msg = g_object_ref (req->msg);
  stream->closed = closed;
  stream->user_data = user_data;
  soup_server_message_set_status (req->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/x-ndjson", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  stream->finished_id = g_signal_connect (req->msg, "finished", G_CALLBACK (stream_message_over), stream);
  stream->disconnected_id = g_signal_connect (req->msg, "disconnected", G_CALLBACK (stream_message_over),
                                              stream);
  if (sock != NULL)
    {
      stream->hup = g_socket_create_source (sock, G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (stream->hup, G_SOURCE_FUNC (stream_hup), stream, NULL);
      g_source_attach (stream->hup, g_main_context_get_thread_default ());
    }
  server->streams = g_list_prepend (server->streams, stream);
  /* No pause here: the head goes out now, and libsoup waits for chunks by itself. */
  return stream;
}

void
sv_control_stream_send (SvControlStream *stream, JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  g_return_if_fail (stream != NULL && !stream->done);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  text = g_realloc (text, len + 1);
  text[len++] = '\n';
  soup_message_body_append (soup_server_message_get_response_body (stream->msg), SOUP_MEMORY_TAKE, text, len);
  soup_server_message_unpause (stream->msg);
}

void
sv_control_stream_end (SvControlStream *stream)
{
  g_return_if_fail (stream != NULL && !stream->done);
  stream->done = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
  soup_server_message_unpause (stream->msg);
}

guint
sv_control_server_n_streams (SvControlServer *server)
{
  guint n = 0;

  for (GList *l = server->streams; l != NULL; l = l->next)
    if (!((SvControlStream *) l->data)->done)
      n++;
  return n;
}

/* --- Dispatch --- */

/* Splits "/a/b/c" into {"a","b","c"}; "/" gives an empty vector. */
static char **
split_path (const char *path)
{
  while (*path == '/')
    path++;
  if (*path == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (path, "/", 0);
}

static gboolean
route_matches (const char *pattern, char **segs, GPtrArray *args)
{
  g_auto (GStrv) pat = split_path (pattern);
  guint n = g_strv_length (pat);

  if (n != g_strv_length (segs))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (strcmp (pat[i], "*") == 0)
        {
          char *arg = g_uri_unescape_string (segs[i], "/");
          if (segs[i][0] == '\0' || arg == NULL)
            {
              g_free (arg);
              return FALSE;
            }
          if (args != NULL)
            g_ptr_array_add (args, arg);
          else
            g_free (arg);
        }
      else if (strcmp (pat[i], segs[i]) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Refuses a body larger than the cap before it is read; ends each connection with its answer. */
static void
early_handler (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* One request per connection: each `servent` run makes its own, and a connection kept alive
   * after its client has gone would hold a descriptor for good. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      if (soup_message_headers_get_content_length (headers) > SV_CONTROL_MAX_BODY_BYTES)
        sv_control_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "the request body is over %u bytes",
                                (guint) SV_CONTROL_MAX_BODY_BYTES);
      break;
    case SOUP_ENCODING_CHUNKED:
    case SOUP_ENCODING_EOF:
    case SOUP_ENCODING_BYTERANGES:
      sv_control_reply_error (msg, SOUP_STATUS_LENGTH_REQUIRED, "a request body needs a Content-Length");
      break;
    case SOUP_ENCODING_UNRECOGNIZED:
    case SOUP_ENCODING_NONE:
    default:
      break;
    }
}

static void
dispatch (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  SvControlServer *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_auto (GStrv) segs = split_path (path);
  g_autoptr (GString) allow = g_string_new (NULL);

  if (soup_server_message_get_status (msg) != 0)
    return; /* answered by the early handler */
  for (guint i = 0; i < server->n_routes; i++)
    {
      const SvControlRoute *route = &server->routes[i];
      g_autoptr (GPtrArray) args = NULL;
      SvControlRequest req;

      if (strcmp (route->method, method) != 0)
        {
          if (route_matches (route->pattern, segs, NULL) && strstr (allow->str, route->method) == NULL)
            g_string_append_printf (allow, "%s%s", allow->len ? ", " : "", route->method);
          continue;
        }
      args = g_ptr_array_new_with_free_func (g_free);
      if (!route_matches (route->pattern, segs, args))
        continue;
      g_ptr_array_add (args, NULL);
      req = (SvControlRequest) {
        .msg = msg,
        .method = method,
        .path = path,
        .args = (const char *const *) args->pdata,
        .n_args = args->len - 1,
        .query = query,
        .user_data = server->user_data,
        .server = server,
      };
      route->handler (&req);
      if (soup_server_message_get_status (msg) == 0)
        sv_control_reply_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "no reply for %s %s", method, path);
      return;
    }
  if (allow->len > 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow->str);
      sv_control_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s is not allowed on %s (allowed: %s)",
                              method, path, allow->str);
      return;
    }
  sv_control_reply_error (msg, SOUP_STATUS_NOT_FOUND, "no such resource: %s", path);
}

/* --- Life cycle --- */

/* --- The server --- */

gboolean
sv_control_server_check (const char *socket_path, GError **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (socket_path != NULL, FALSE);
  if (socket_path[0] == '\0' || strlen (socket_path) >= sizeof ((struct sockaddr_un *) NULL)->sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the control socket path %s is empty or too long for a Unix socket (max %zu bytes)",
                   socket_path, sizeof ((struct sockaddr_un *) NULL)->sun_path - 1);
      return FALSE;
    }
  dir = g_path_get_dirname (socket_path);
  return prepare_directory (dir, error) && clear_old_socket (socket_path, error);
}

SvControlServer *
sv_control_server_new (const char *socket_path, const SvControlRoute *routes, guint n_routes,
                       gpointer user_data, GError **error)
{
  g_autoptr (SvControlServer) server = NULL;
  g_autoptr (GSocket) sock = NULL;
  struct stat st;

  if (!sv_control_server_check (socket_path, error))
    return NULL;
  sock = bind_socket (socket_path, error);
  if (sock == NULL)
    return NULL;

  server = g_new0 (SvControlServer, 1);
  server->path = g_strdup (socket_path);
  if (stat (socket_path, &st) == 0)
    {
      server->dev = st.st_dev;
      server->ino = st.st_ino;
    }
  server->routes = routes;
  server->n_routes = n_routes;
  server->user_data = user_data;
  server->soup = soup_server_new ("server-header", "serventd ", NULL);
  soup_server_add_early_handler (server->soup, NULL, early_handler, server, NULL);
  soup_server_add_handler (server->soup, NULL, dispatch, server, NULL);
  if (!soup_server_listen_socket (server->soup, sock, 0, error))
    {
      unlink (socket_path);
      server->dev = 0;
      server->ino = 0;
      return NULL;
    }
  return g_steal_pointer (&server);
}

const char *
sv_control_server_path (SvControlServer *server)
{
  return server->path;
}

void
sv_control_server_free (SvControlServer *server)
{
  struct stat st;

  if (server == NULL)
    return;
  /* Owners drop their subscriptions first; then the messages are let go. */
  for (GList *l = server->streams; l != NULL; l = l->next)
    stream_report_closed (l->data, FALSE);
  while (server->streams != NULL)
    {
      SvControlStream *stream = server->streams->data;
      soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
      soup_server_message_unpause (stream->msg);
      if (g_list_find (server->streams, stream) != NULL)
        stream_free (stream);
    }
  if (server->soup != NULL)
    {
      soup_server_disconnect (server->soup);
      g_object_unref (server->soup);
    }
  if (server->ino != 0 && lstat (server->path, &st) == 0 && st.st_dev == server->dev && st.st_ino == server->ino)
    unlink (server->path);
  g_free (server->path);
  g_free (server);
}
