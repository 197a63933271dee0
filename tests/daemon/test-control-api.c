/* test-control-api.c: the /v1 resources on a real SvServent (loopback, no peers) through a real
 * libsoup client on the control socket: status and shares fields, search life cycle (start, list,
 * results, follow ended by DELETE, follow dropped by a client going away), errors. */
#include "config.h"

#include <check.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "control-api.h"

static char *root;
static SvServent *servent;
static SvControlApi *api;
static SoupSession *session;

static void
pump_until (const gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_msg (*flag, "timed out");
}

static void
pump_for_ms (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
setup (void)
{
  g_autofree char *share = NULL;
  g_autofree char *state = NULL;
  g_autofree char *sock = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) addr = NULL;
  const char *folders[2];
  SvServentConfig cfg;
  SvHostAddr listen;

  root = g_dir_make_tmp ("sv-api-XXXXXX", NULL);
  share = g_build_filename (root, "share", NULL);
  state = g_build_filename (root, "state", NULL);
  sock = g_build_filename (root, "run", "control.sock", NULL);
  ck_assert_int_eq (g_mkdir (share, 0700), 0);
  {
    g_autofree char *file = g_build_filename (share, "hello world.txt", NULL);
    ck_assert (g_file_set_contents (file, "hello world\n", -1, NULL));
  }
  ck_assert_int_eq (sv_host_addr_parse ("127.0.0.1", 9, 0, &listen), SV_STATUS_OK);
  listen.port = 0;
  sv_servent_config_init (&cfg);
  cfg.state_dir = state;
  cfg.listen = &listen;
  cfg.n_listen = 1;
  cfg.role_mode = SV_CONN_ROLE_MODE_ULTRAPEER;
  cfg.lan = TRUE;
  cfg.hostile_file = g_getenv ("SV_HOSTILE_FILE");
  folders[0] = share;
  folders[1] = NULL;
  cfg.shares = folders;
  cfg.watch = FALSE;
  servent = sv_servent_new (&cfg, &error);
  ck_assert_msg (servent != NULL, "%s", error ? error->message : "");
  api = sv_control_api_new (servent, sock, &error);
  ck_assert_msg (api != NULL, "%s", error ? error->message : "");
  addr = g_unix_socket_address_new (sock);
  session = soup_session_new_with_options ("remote-connectable", addr, "timeout", 10, NULL);
}

static void
teardown (void)
{
  g_clear_object (&session);
  g_clear_pointer (&api, sv_control_api_free);
  g_clear_pointer (&servent, sv_servent_free);
  g_free (root);
}

typedef struct {
  gboolean done;
  GBytes *body;
  GInputStream *input;
  GError *error;
} Reply;

static void
read_done (GObject *src, GAsyncResult *res, gpointer user_data)
{
  Reply *r = user_data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (src), res, &r->error);
  r->done = TRUE;
}

/* Sends a request; returns its status and parses a JSON body into *@out when asked. */
static guint
call (const char *method, const char *path, const char *body, JsonNode **out, char **raw)
{
  g_autofree char *uri = g_strconcat ("http://localhost", path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  Reply r = { 0 };
  guint status;

  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, read_done, &r);
  pump_until (&r.done);
  ck_assert_msg (r.error == NULL, "%s", r.error ? r.error->message : "");
  status = soup_message_get_status (msg);
  if (out != NULL)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      ck_assert_msg (json_parser_load_from_data (parser, g_bytes_get_data (r.body, NULL),
                                                 (gssize) g_bytes_get_size (r.body), NULL),
                     "%s %s: not JSON", method, path);
      *out = json_node_copy (json_parser_get_root (parser));
    }
  if (raw != NULL)
    *raw = g_strndup (g_bytes_get_size (r.body) ? g_bytes_get_data (r.body, NULL) : "", g_bytes_get_size (r.body));
  g_bytes_unref (r.body);
  return status;
}

static gboolean
is_hex32 (const char *s)
{
  if (s == NULL || strlen (s) != 32)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isxdigit (*s))
      return FALSE;
  return TRUE;
}

START_TEST (test_status_and_shares)
{
  g_autoptr (JsonNode) node = NULL;
  JsonObject *obj, *counters;
  SvServentStatus st;
  gint64 files = 0;
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  ck_assert_uint_eq (call ("GET", "/v1/status", NULL, &node, NULL), 200);
  obj = json_node_get_object (node);
  sv_servent_get_status (servent, &st);
  ck_assert (is_hex32 (json_object_get_string_member (obj, "guid")));
  ck_assert_str_eq (json_object_get_string_member (obj, "role"), "ultrapeer");
  ck_assert_int_eq (json_object_get_int_member (obj, "port"), st.port);
  ck_assert_str_eq (json_object_get_string_member (obj, "version"), PACKAGE_VERSION);
  ck_assert (json_object_has_member (json_object_get_object_member (obj, "peers"), "connecting"));
  counters = json_object_get_object_member (obj, "counters");
  ck_assert (json_object_has_member (counters, "queries_received"));
  ck_assert (json_object_has_member (json_object_get_object_member (counters, "dropped"), "duplicate"));
  ck_assert (json_object_has_member (json_object_get_object_member (counters, "closed"), "eof"));
  g_clear_pointer (&node, json_node_unref);

  ck_assert_uint_eq (call ("GET", "/v1/peers", NULL, &node, NULL), 200);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "peers")), 0);
  g_clear_pointer (&node, json_node_unref);

  /* The one shared file shows up once the scan is done. */
  while (files != 1 && g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&node, json_node_unref);
      ck_assert_uint_eq (call ("GET", "/v1/shares", NULL, &node, NULL), 200);
      files = json_object_get_int_member (json_node_get_object (node), "files");
      if (files != 1)
        pump_for_ms (50);
    }
  ck_assert_int_eq (files, 1);
  obj = json_node_get_object (node);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (obj, "folders")), 1);
  ck_assert_int_eq (json_object_get_int_member (obj, "bytes"), 12);
  g_clear_pointer (&node, json_node_unref);

  ck_assert_uint_eq (call ("POST", "/v1/shares/rescan", NULL, &node, NULL), 202);
  g_clear_pointer (&node, json_node_unref);
  ck_assert_uint_eq (call ("GET", "/v1/shares/rescan", NULL, NULL, NULL), 405);
  ck_assert_uint_eq (call ("GET", "/v1/nothing", NULL, NULL, NULL), 404);
}
END_TEST

START_TEST (test_search_errors)
{
  const char *bad[] = { "{}", "{\"query\": 5}", "{\"query\": \"\"}", "{\"query\": \"a\"}",
                        "{\"query\": \"music\", \"ttl\": 256}", "{\"query\": \"music\", \"ttl\": -1}",
                        "{\"query\": \"music\", \"ttl\": \"3\"}", "{\"query\": \"music\", \"max_results\": 1.5}",
                        "not json" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode) node = NULL;
      ck_assert_msg (call ("POST", "/v1/searches", bad[i], &node, NULL) == 400, "%s", bad[i]);
      ck_assert (json_object_has_member (json_node_get_object (node), "error"));
    }
  ck_assert_uint_eq (call ("GET", "/v1/searches/999/results", NULL, NULL, NULL), 404);
  ck_assert_uint_eq (call ("GET", "/v1/searches/0/results", NULL, NULL, NULL), 404);
  ck_assert_uint_eq (call ("GET", "/v1/searches/x1/results", NULL, NULL, NULL), 404);
  ck_assert_uint_eq (call ("DELETE", "/v1/searches/999", NULL, NULL, NULL), 404);
}
END_TEST

typedef struct {
  gboolean done;
  GInputStream *input;
  GError *error;
  gssize n;
  char buf[4096];
} StreamRead;

static void
sent (GObject *src, GAsyncResult *res, gpointer user_data)
{
  StreamRead *s = user_data;

  s->input = soup_session_send_finish (SOUP_SESSION (src), res, &s->error);
  s->done = TRUE;
}

static void
read_some (GObject *src, GAsyncResult *res, gpointer user_data)
{
  StreamRead *s = user_data;

  s->n = g_input_stream_read_finish (G_INPUT_STREAM (src), res, &s->error);
  s->done = TRUE;
}

START_TEST (test_search_life_cycle)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *path = NULL;
  g_autofree char *follow = NULL;
  StreamRead s = { 0 };
  JsonObject *obj;
  JsonArray *list;
  gint64 id;

  ck_assert_uint_eq (call ("POST", "/v1/searches", "{\"query\": \"hello world\", \"max_results\": 10}", &node,
                           NULL), 201);
  obj = json_node_get_object (node);
  id = json_object_get_int_member (obj, "id");
  ck_assert_int_gt (id, 0);
  ck_assert (is_hex32 (json_object_get_string_member (obj, "muid")));
  ck_assert_str_eq (json_object_get_string_member (obj, "query"), "hello world");
  g_clear_pointer (&node, json_node_unref);

  ck_assert_uint_eq (call ("GET", "/v1/searches", NULL, &node, NULL), 200);
  list = json_object_get_array_member (json_node_get_object (node), "searches");
  ck_assert_uint_eq (json_array_get_length (list), 1);
  obj = json_array_get_object_element (list, 0);
  ck_assert_int_eq (json_object_get_int_member (obj, "id"), id);
  ck_assert (json_object_get_boolean_member (obj, "active"));
  ck_assert_int_eq (json_object_get_int_member (obj, "hits"), 0);
  g_clear_pointer (&node, json_node_unref);

  /* Without follow: the hits so far (none), then the end. */
  path = g_strdup_printf ("/v1/searches/%" G_GINT64_FORMAT "/results", id);
  ck_assert_uint_eq (call ("GET", path, NULL, NULL, &raw), 200);
  ck_assert_str_eq (raw, "");

  /* With follow: the stream stays open until the search is stopped. */
  follow = g_strdup_printf ("http://localhost%s?follow=1", path);
  msg = soup_message_new ("GET", follow);
  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent, &s);
  pump_until (&s.done);
  ck_assert_ptr_null (s.error);
  ck_assert_uint_eq (soup_message_get_status (msg), 200);
  s.done = FALSE;
  g_input_stream_read_async (s.input, s.buf, sizeof s.buf, G_PRIORITY_DEFAULT, NULL, read_some, &s);
  pump_for_ms (300);
  ck_assert (!s.done); /* nothing yet, still open */
  {
    g_autofree char *del = g_strdup_printf ("/v1/searches/%" G_GINT64_FORMAT, id);
    ck_assert_uint_eq (call ("DELETE", del, NULL, NULL, NULL), 204);
  }
  pump_until (&s.done);
  ck_assert_ptr_null (s.error);
  ck_assert_int_eq (s.n, 0); /* the stream ended with the search */
  g_object_unref (s.input);

  /* Following a search that has ended: the hits it had (none), then the end at once. */
  g_clear_pointer (&raw, g_free);
  {
    g_autofree char *ended = g_strdup_printf ("%s?follow=1", path);
    ck_assert_uint_eq (call ("GET", ended, NULL, NULL, &raw), 200);
    ck_assert_str_eq (raw, "");
  }
  ck_assert_uint_eq (call ("GET", "/v1/status", NULL, NULL, NULL), 200);   /* still serving */
}
END_TEST

START_TEST (test_follow_client_goes_away)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *follow = NULL;
  StreamRead s = { 0 };
  gint64 id;

  ck_assert_uint_eq (call ("POST", "/v1/searches", "{\"query\": \"hello world\"}", &node, NULL), 201);
  id = json_object_get_int_member (json_node_get_object (node), "id");
  follow = g_strdup_printf ("http://localhost/v1/searches/%" G_GINT64_FORMAT "/results?follow=1", id);
  msg = soup_message_new ("GET", follow);
  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent, &s);
  pump_until (&s.done);
  ck_assert_ptr_null (s.error);
  g_input_stream_close (s.input, NULL, NULL);
  g_object_unref (s.input);
  soup_session_abort (session);
  pump_for_ms (300);
  /* The subscription is gone: stopping the search and freeing everything touches nothing freed
   * (checked under AddressSanitizer). */
  ck_assert (sv_servent_search_stop (servent, (guint64) id));
  pump_for_ms (50);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("control-api");
  TCase *tc = tcase_create ("api");
  SRunner *runner;
  int failed;

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_status_and_shares);
  tcase_add_test (tc, test_search_errors);
  tcase_add_test (tc, test_search_life_cycle);
  tcase_add_test (tc, test_follow_client_goes_away);
  suite_add_tcase (s, tc);
  runner = srunner_create (s);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
