/* test-control-server.c: the control server on real Unix sockets in a temporary directory, talked
 * to by a real libsoup client: file modes, stale and live sockets, dispatch, JSON bodies, caps and
 * NDJSON streams read as they arrive. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-util.h"
#include "control-server.h"
#include "limits.h"

/* --- Fixture: a temporary directory, a session, a pump for the main context --- */

static char *tmpdir;

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("sv-ctl-XXXXXX", NULL);
  ck_assert_ptr_nonnull (tmpdir);
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        rm_rf (child);
      }
  chmod (path, 0700);
  if (remove (path) != 0 && errno != ENOENT)
    g_warning ("cannot remove %s", path);
}

static void
teardown (void)
{
  rm_rf (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static SoupSession *
session_for (const char *path)
{
  g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);

  return soup_session_new_with_options ("remote-connectable", addr, "timeout", 10, NULL);
}

/* Runs the thread-default context until *@flag or 10 s pass. */
static void
pump_until (const gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_msg (*flag, "timed out waiting");
}

/* Spins the context a little without waiting for anything. */
static void
pump_for_ms (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

typedef struct {
  gboolean done;
  GBytes *body;
  GInputStream *stream;
  GError *error;
} Reply;

static void
read_done (GObject *src, GAsyncResult *res, gpointer user_data)
{
  Reply *r = user_data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (src), res, &r->error);
  r->done = TRUE;
}

typedef struct {
  guint status;
  char *body;
  char *content_type;
  char *allow;
} Answer;

static void
answer_clear (Answer *a)
{
  g_free (a->body);
  g_free (a->content_type);
  g_free (a->allow);
}

static Answer
request (SoupSession *session, const char *method, const char *path, const char *body, gssize body_len)
{
  g_autofree char *uri = g_strconcat ("http://localhost", path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  Reply r = { 0 };
  Answer a = { 0 };
  SoupMessageHeaders *headers;

  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, body_len < 0 ? strlen (body) : (gsize) body_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, read_done, &r);
  pump_until (&r.done);
  ck_assert_msg (r.error == NULL, "%s %s: %s", method, path, r.error ? r.error->message : "");
  a.status = soup_message_get_status (msg);
  a.body = g_strndup (g_bytes_get_size (r.body) ? g_bytes_get_data (r.body, NULL) : "", g_bytes_get_size (r.body));
  headers = soup_message_get_response_headers (msg);
  a.content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  a.allow = g_strdup (soup_message_headers_get_one (headers, "Allow"));
  g_bytes_unref (r.body);
  return a;
}

/* The "error" member of a JSON error reply. */
static char *
error_of (const char *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *obj;

  ck_assert_msg (json_parser_load_from_data (parser, body, -1, NULL), "not JSON: %s", body);
  obj = json_node_get_object (json_parser_get_root (parser));
  ck_assert_ptr_nonnull (obj);
  ck_assert (json_object_has_member (obj, "error"));
  return g_strdup (json_object_get_string_member (obj, "error"));
}

/* --- Routes used by the tests --- */

typedef struct {
  SvControlStream *stream;
  guint closed_calls;
  gboolean client_gone;
} StreamState;

static StreamState stream_state;

static void
h_echo (const SvControlRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "arg");
  json_builder_add_string_value (b, req->args[0]);
  json_builder_set_member_name (b, "n_args");
  json_builder_add_int_value (b, req->n_args);
  json_builder_set_member_name (b, "follow");
  json_builder_add_boolean_value (b, sv_control_request_flag (req, "follow"));
  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}

static void
h_body (const SvControlRequest *req)
{
  g_autoptr (JsonNode) root = sv_control_request_json (req);

  if (root == NULL)
    return;
  sv_control_reply_json (req->msg, SOUP_STATUS_CREATED, root);
}

static void
h_delete (const SvControlRequest *req)
{
  sv_control_reply_empty (req->msg, SOUP_STATUS_NO_CONTENT);
}

static void
stream_closed (SvControlStream *stream, gboolean client_gone, gpointer user_data)
{
  StreamState *st = user_data;

  ck_assert_ptr_eq (stream, st->stream);
  st->closed_calls++;
  st->client_gone = client_gone;
  st->stream = NULL;
}

static JsonNode *
line_node (int n)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, n);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Opens a stream and sends line 0; the test sends the rest. */
static void
h_stream (const SvControlRequest *req)
{
  g_autoptr (JsonNode) first = line_node (0);

  stream_state.stream = sv_control_stream_start (req, stream_closed, &stream_state);
  sv_control_stream_send (stream_state.stream, first);
}

/* Opens a stream and sends nothing yet. */
static void
h_quiet (const SvControlRequest *req)
{
  stream_state.stream = sv_control_stream_start (req, stream_closed, &stream_state);
}

static const SvControlRoute routes[] = {
  { "GET", "/v1/quiet", h_quiet },
  { "GET", "/v1/echo/*", h_echo },
  { "POST", "/v1/body", h_body },
  { "DELETE", "/v1/echo/*", h_delete },
  { "GET", "/v1/stream", h_stream },
};

static SvControlServer *
new_server (const char *path)
{
  g_autoptr (GError) error = NULL;
  SvControlServer *server = sv_control_server_new (path, routes, G_N_ELEMENTS (routes), NULL, &error);

  ck_assert_msg (server != NULL, "server on %s: %s", path, error ? error->message : "");
  return server;
}

/* --- Socket file rules --- */

START_TEST (test_modes)
{
  g_autofree char *dir = g_build_filename (tmpdir, "run", "servent", NULL);
  g_autofree char *path = g_build_filename (dir, "control.sock", NULL);
  g_autoptr (SvControlServer) server = new_server (path);
  g_autoptr (SoupSession) session = session_for (path);
  Answer a;
  struct stat st;

  ck_assert_int_eq (stat (dir, &st), 0);
  ck_assert (S_ISDIR (st.st_mode));
  ck_assert_uint_eq (st.st_mode & 0777, 0700);
  ck_assert_int_eq (lstat (path, &st), 0);
  ck_assert (S_ISSOCK (st.st_mode));
  ck_assert_uint_eq (st.st_mode & 0777, 0600);
  ck_assert_str_eq (sv_control_server_path (server), path);

  a = request (session, "GET", "/v1/echo/x", NULL, 0);
  ck_assert_uint_eq (a.status, 200);
  answer_clear (&a);

  g_clear_pointer (&server, sv_control_server_free);
  ck_assert_int_ne (lstat (path, &st), 0); /* the socket file goes with the server */
}
END_TEST

START_TEST (test_unsafe_directory_refused)
{
  g_autofree char *dir = g_build_filename (tmpdir, "open", NULL);
  g_autofree char *path = g_build_filename (dir, "control.sock", NULL);
  g_autofree char *file = g_build_filename (tmpdir, "file", NULL);
  g_autofree char *under_file = g_build_filename (file, "control.sock", NULL);
  g_autoptr (GError) error = NULL;
  SvControlServer *server;

  ck_assert_int_eq (mkdir (dir, 0700), 0);
  ck_assert_int_eq (chmod (dir, 0777), 0);
  server = sv_control_server_new (path, routes, G_N_ELEMENTS (routes), NULL, &error);
  ck_assert_ptr_null (server);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (strstr (error->message, "writable by others") != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, dir) != NULL, "%s", error->message);
  g_clear_error (&error);

  ck_assert_int_eq (chmod (dir, 0720), 0); /* group-writable: refused too */
  server = sv_control_server_new (path, routes, G_N_ELEMENTS (routes), NULL, &error);
  ck_assert_ptr_null (server);
  g_clear_error (&error);

  ck_assert_int_eq (chmod (dir, 0755), 0); /* readable by others but not writable: fine */
  server = new_server (path);
  sv_control_server_free (server);

  ck_assert (g_file_set_contents (file, "x", 1, NULL));
  server = sv_control_server_new (under_file, routes, G_N_ELEMENTS (routes), NULL, &error);
  ck_assert_ptr_null (server);
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);

  /* A path that cannot fit a Unix socket address. */
  {
    g_autofree char *longname = g_strnfill (120, 'a');
    g_autofree char *longpath = g_build_filename (tmpdir, longname, NULL);
    server = sv_control_server_new (longpath, routes, G_N_ELEMENTS (routes), NULL, &error);
    ck_assert_ptr_null (server);
    ck_assert_msg (strstr (error->message, "too long") != NULL, "%s", error->message);
  }
}
END_TEST

START_TEST (test_stale_socket_replaced)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autoptr (GSocket) old = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                          NULL);
  g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr (SvControlServer) server = NULL;
  g_autoptr (SoupSession) session = NULL;
  struct stat before, after; /* (inode numbers get reused on tmpfs: not compared) */
  Answer a;

  /* A socket file nobody listens on any more: what a crashed daemon leaves. */
  ck_assert (g_socket_bind (old, addr, FALSE, NULL));
  ck_assert (g_socket_close (old, NULL));
  ck_assert_int_eq (lstat (path, &before), 0);
  ck_assert (S_ISSOCK (before.st_mode));

  server = new_server (path);
  ck_assert_int_eq (lstat (path, &after), 0);
  ck_assert_uint_eq (after.st_mode & 0777, 0600);
  session = session_for (path);
  a = request (session, "GET", "/v1/echo/alive", NULL, 0);
  ck_assert_uint_eq (a.status, 200);
  ck_assert (strstr (a.body, "\"alive\"") != NULL);
  answer_clear (&a);
}
END_TEST

START_TEST (test_live_socket_refused)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autofree char *plain = g_build_filename (tmpdir, "plain", NULL);
  g_autoptr (SvControlServer) first = new_server (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) session = session_for (path);
  SvControlServer *second;
  g_autofree char *expected = g_strdup_printf ("another serventd is running on %s", path);
  Answer a;

  second = sv_control_server_new (path, routes, G_N_ELEMENTS (routes), NULL, &error);
  ck_assert_ptr_null (second);
  ck_assert_ptr_nonnull (error);
  ck_assert_str_eq (error->message, expected);
  g_clear_error (&error);

  /* The first one still answers. */
  a = request (session, "GET", "/v1/echo/still", NULL, 0);
  ck_assert_uint_eq (a.status, 200);
  answer_clear (&a);

  /* A regular file in the way is not deleted. */
  ck_assert (g_file_set_contents (plain, "data", 4, NULL));
  second = sv_control_server_new (plain, routes, G_N_ELEMENTS (routes), NULL, &error);
  ck_assert_ptr_null (second);
  ck_assert_msg (strstr (error->message, "not a socket") != NULL, "%s", error->message);
  ck_assert (g_file_test (plain, G_FILE_TEST_IS_REGULAR));
}
END_TEST

/* --- Dispatch and bodies --- */

START_TEST (test_dispatch)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autoptr (SvControlServer) server = new_server (path);
  g_autoptr (SoupSession) session = session_for (path);
  g_autofree char *err = NULL;
  Answer a;

  a = request (session, "GET", "/v1/echo/hello%20world?follow=1", NULL, 0);
  ck_assert_uint_eq (a.status, 200);
  ck_assert_str_eq (a.content_type, "application/json");
  ck_assert_msg (strstr (a.body, "\"arg\":\"hello world\"") != NULL, "%s", a.body);
  ck_assert (strstr (a.body, "\"n_args\":1") != NULL);
  ck_assert (strstr (a.body, "\"follow\":true") != NULL);
  answer_clear (&a);

  a = request (session, "GET", "/v1/echo/x?follow=0", NULL, 0);
  ck_assert (strstr (a.body, "\"follow\":false") != NULL);
  answer_clear (&a);

  /* Unknown paths: 404 with a JSON error, also for a missing or extra segment. */
  const char *unknown[] = { "/v1/nothing", "/v1/echo", "/v1/echo/", "/v1/echo/a/b", "/", "/v2/echo/a" };
  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      a = request (session, "GET", unknown[i], NULL, 0);
      ck_assert_msg (a.status == 404, "%s: %u", unknown[i], a.status);
      ck_assert_str_eq (a.content_type, "application/json");
      err = error_of (a.body);
      ck_assert (strlen (err) > 0 && strchr (err, '\n') == NULL);
      g_clear_pointer (&err, g_free);
      answer_clear (&a);
    }

  /* Known path, wrong method: 405 with Allow naming both methods of that path. */
  a = request (session, "POST", "/v1/echo/x", "{}", -1);
  ck_assert_uint_eq (a.status, 405);
  ck_assert_ptr_nonnull (a.allow);
  ck_assert (strstr (a.allow, "GET") != NULL && strstr (a.allow, "DELETE") != NULL);
  err = error_of (a.body);
  g_clear_pointer (&err, g_free);
  answer_clear (&a);

  a = request (session, "GET", "/v1/body", NULL, 0);
  ck_assert_uint_eq (a.status, 405);
  ck_assert_str_eq (a.allow, "POST");
  answer_clear (&a);

  a = request (session, "DELETE", "/v1/echo/7", NULL, 0);
  ck_assert_uint_eq (a.status, 204);
  ck_assert_str_eq (a.body, "");
  answer_clear (&a);
}
END_TEST

START_TEST (test_json_bodies)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autoptr (SvControlServer) server = new_server (path);
  g_autoptr (SoupSession) session = session_for (path);
  const char *bad[] = { "", "{", "{\"query\": }", "[1,2]", "\"text\"", "42", "null", "{\"a\":1} trailing",
                        "\xff\xfe{}" };
  Answer a;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *err = NULL;
      a = request (session, "POST", "/v1/body", bad[i], -1);
      ck_assert_msg (a.status == 400, "body '%s': status %u", bad[i], a.status);
      err = error_of (a.body);
      ck_assert (strlen (err) > 0);
      answer_clear (&a);
    }

  a = request (session, "POST", "/v1/body", "{\"query\": \"free music\", \"ttl\": 3}", -1);
  ck_assert_uint_eq (a.status, 201);
  ck_assert_msg (strstr (a.body, "\"query\":\"free music\"") != NULL, "%s", a.body);
  answer_clear (&a);
}
END_TEST

/* {"pad":"xxx…"} of exactly @len bytes. */
static char *
padded_body (gsize len)
{
  char *body = g_malloc (len + 1);

  memset (body, 'x', len);
  memcpy (body, "{\"pad\":\"", 8);
  body[len - 2] = '"';
  body[len - 1] = '}';
  body[len] = '\0';
  return body;
}

START_TEST (test_body_cap)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autoptr (SvControlServer) server = new_server (path);
  g_autoptr (SoupSession) session = session_for (path);
  g_autofree char *at_cap = padded_body (SV_CONTROL_MAX_BODY_BYTES);
  g_autofree char *over = padded_body (SV_CONTROL_MAX_BODY_BYTES + 1);
  g_autofree char *huge = padded_body (SV_CONTROL_MAX_BODY_BYTES * 64);
  g_autofree char *err = NULL;
  Answer a;

  a = request (session, "POST", "/v1/body", at_cap, -1);
  ck_assert_uint_eq (a.status, 201);
  answer_clear (&a);

  a = request (session, "POST", "/v1/body", over, -1);
  ck_assert_uint_eq (a.status, 413);
  err = error_of (a.body);
  g_clear_pointer (&err, g_free);
  answer_clear (&a);

  a = request (session, "POST", "/v1/body", huge, -1);
  ck_assert_uint_eq (a.status, 413);
  answer_clear (&a);

  /* The server still serves after refusing. */
  g_clear_object (&session);
  session = session_for (path);
  a = request (session, "GET", "/v1/echo/after", NULL, 0);
  ck_assert_uint_eq (a.status, 200);
  answer_clear (&a);
}
END_TEST

/* --- Streams --- */

typedef struct {
  gboolean done;
  GInputStream *stream;
  GError *error;
  char *line;
  gboolean eof;
} LineRead;

static void
send_done (GObject *src, GAsyncResult *res, gpointer user_data)
{
  LineRead *r = user_data;

  r->stream = soup_session_send_finish (SOUP_SESSION (src), res, &r->error);
  r->done = TRUE;
}

static void
line_done (GObject *src, GAsyncResult *res, gpointer user_data)
{
  LineRead *r = user_data;
  gsize len = 0;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (src), res, &len, &r->error);
  r->eof = r->line == NULL && r->error == NULL;
  r->done = TRUE;
}

/* Reads one line; NULL at the end of the stream. */
static char *
next_line (GDataInputStream *data)
{
  LineRead r = { 0 };

  g_data_input_stream_read_line_async (data, G_PRIORITY_DEFAULT, NULL, line_done, &r);
  pump_until (&r.done);
  ck_assert_msg (r.error == NULL, "%s", r.error ? r.error->message : "");
  return r.line;
}

static GDataInputStream *
open_stream_at (SoupSession *session, const char *uri, SoupMessage **out_msg)
{
  SoupMessage *msg = soup_message_new ("GET", uri);
  LineRead r = { 0 };
  GDataInputStream *data;

  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, NULL, send_done, &r);
  pump_until (&r.done);
  ck_assert_msg (r.error == NULL, "%s", r.error ? r.error->message : "");
  ck_assert_uint_eq (soup_message_get_status (msg), 200);
  ck_assert_str_eq (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                    "application/x-ndjson");
  ck_assert_int_eq (soup_message_headers_get_encoding (soup_message_get_response_headers (msg)),
                    SOUP_ENCODING_CHUNKED);
  data = g_data_input_stream_new (r.stream);
  g_object_unref (r.stream);
  *out_msg = msg;
  return data;
}

static GDataInputStream *
open_stream (SoupSession *session, SoupMessage **out_msg)
{
  return open_stream_at (session, "http://localhost/v1/stream", out_msg);
}

/* The status and headers reach the client before the first line exists. */
START_TEST (test_stream_head_before_data)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autoptr (SvControlServer) server = new_server (path);
  g_autoptr (SoupSession) session = session_for (path);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (JsonNode) node = line_node (5);
  char *line;

  memset (&stream_state, 0, sizeof stream_state);
  data = open_stream_at (session, "http://localhost/v1/quiet", &msg);
  ck_assert_ptr_nonnull (stream_state.stream);
  sv_control_stream_send (stream_state.stream, node);
  line = next_line (data);
  ck_assert_str_eq (line, "{\"n\":5}");
  g_free (line);
  sv_control_stream_end (stream_state.stream);
  ck_assert_ptr_null (next_line (data));
}
END_TEST

START_TEST (test_stream_incremental)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autoptr (SvControlServer) server = new_server (path);
  g_autoptr (SoupSession) session = session_for (path);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  char *line;

  memset (&stream_state, 0, sizeof stream_state);
  data = open_stream (session, &msg);

  /* Line 0 arrives while the response is still open. */
  line = next_line (data);
  ck_assert_str_eq (line, "{\"n\":0}");
  g_free (line);
  ck_assert_ptr_nonnull (stream_state.stream);
  ck_assert_uint_eq (sv_control_server_n_streams (server), 1);

  for (int i = 1; i <= 3; i++)
    {
      g_autoptr (JsonNode) node = line_node (i);
      g_autofree char *want = g_strdup_printf ("{\"n\":%d}", i);
      sv_control_stream_send (stream_state.stream, node);
      line = next_line (data);
      ck_assert_str_eq (line, want);
      g_free (line);
    }
  sv_control_stream_end (stream_state.stream);
  stream_state.stream = NULL;
  line = next_line (data);
  ck_assert_ptr_null (line); /* the end of the stream */
  ck_assert_uint_eq (stream_state.closed_calls, 0); /* ended by its owner: no callback */
  pump_for_ms (50);
  ck_assert_uint_eq (sv_control_server_n_streams (server), 0);
}
END_TEST

START_TEST (test_stream_client_goes_away)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  g_autoptr (SvControlServer) server = new_server (path);
  SoupSession *session = session_for (path);
  g_autoptr (SoupMessage) msg = NULL;
  GDataInputStream *data;
  char *line;
  gint64 deadline;

  memset (&stream_state, 0, sizeof stream_state);
  data = open_stream (session, &msg);
  line = next_line (data);
  ck_assert_str_eq (line, "{\"n\":0}");
  g_free (line);

  /* The client closes its socket while the server has nothing to send. */
  ck_assert (g_input_stream_close (G_INPUT_STREAM (data), NULL, NULL));
  g_object_unref (data);
  soup_session_abort (session);
  g_object_unref (session);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (stream_state.closed_calls == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  ck_assert_uint_eq (stream_state.closed_calls, 1);
  ck_assert (stream_state.client_gone);
  ck_assert_ptr_null (stream_state.stream);
  pump_for_ms (100);
  ck_assert_uint_eq (stream_state.closed_calls, 1);
  ck_assert_uint_eq (sv_control_server_n_streams (server), 0);
}
END_TEST

START_TEST (test_stream_server_freed)
{
  g_autofree char *path = g_build_filename (tmpdir, "control.sock", NULL);
  SvControlServer *server = new_server (path);
  g_autoptr (SoupSession) session = session_for (path);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  char *line;

  memset (&stream_state, 0, sizeof stream_state);
  data = open_stream (session, &msg);
  line = next_line (data);
  g_free (line);
  sv_control_server_free (server);
  ck_assert_uint_eq (stream_state.closed_calls, 1);
  ck_assert (!stream_state.client_gone);
  pump_for_ms (50);
  ck_assert_uint_eq (stream_state.closed_calls, 1);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("control-server");
  TCase *files = tcase_create ("socket-files");
  TCase *http = tcase_create ("http");
  TCase *streams = tcase_create ("streams");

  tcase_add_checked_fixture (files, setup, teardown);
  tcase_add_test (files, test_modes);
  tcase_add_test (files, test_unsafe_directory_refused);
  tcase_add_test (files, test_stale_socket_replaced);
  tcase_add_test (files, test_live_socket_refused);
  suite_add_tcase (s, files);

  tcase_add_checked_fixture (http, setup, teardown);
  tcase_add_test (http, test_dispatch);
  tcase_add_test (http, test_json_bodies);
  tcase_add_test (http, test_body_cap);
  suite_add_tcase (s, http);

  tcase_add_checked_fixture (streams, setup, teardown);
  tcase_add_test (streams, test_stream_head_before_data);
  tcase_add_test (streams, test_stream_incremental);
  tcase_add_test (streams, test_stream_client_goes_away);
  tcase_add_test (streams, test_stream_server_freed);
  suite_add_tcase (s, streams);
  return sv_test_run (s);
}
