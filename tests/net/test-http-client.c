/* test-http-client.c: the libcurl adapter against a real HTTP server on loopback (libsoup, in this
 * process, on the same main context): a body, a redirect, a 404, a body over the cap, a server
 * that never answers (timeout), an unreachable port, and cancelling. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "http-client.h"
#include "net-util.h"

typedef struct {
  gboolean done;
  guint status;
  GBytes *body;
  GError *error;
  guint calls;
} Outcome;

static SoupServer *server;
static guint16 server_port;
static GPtrArray *held;          /* messages the "slow" path never answers */

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->body, g_bytes_unref);
  g_clear_error (&o->error);
}

static void
on_done (guint status, GBytes *body, const GError *error, gpointer user_data)
{
  Outcome *o = user_data;

  o->calls++;
  o->done = TRUE;
  o->status = status;
  o->body = body ? g_bytes_ref (body) : NULL;
  o->error = error ? g_error_copy (error) : NULL;
}

static void
handle (SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  if (strcmp (path, "/gwc") == 0)
    {
      const char *q = g_uri_get_query (soup_server_message_get_uri (msg));
      g_autofree char *body = g_strdup_printf ("H|198.51.100.1:6346|1\nquery=%s\n", q ? q : "");

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, body, strlen (body));
    }
  else if (strcmp (path, "/moved") == 0)
    {
      soup_server_message_set_redirect (msg, 302, "/gwc?from=moved");
    }
  else if (strcmp (path, "/big") == 0)
    {
      g_autofree char *body = g_malloc0 (200 * 1024);

      memset (body, 'x', 200 * 1024);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, body, 200 * 1024);
    }
  else if (strcmp (path, "/slow") == 0)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (held, g_object_ref (msg));
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  held = g_ptr_array_new_with_free_func (g_object_unref);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handle, NULL, NULL);
  ck_assert_msg (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error),
                 "%s", error ? error->message : "?");
  uris = soup_server_get_uris (server);
  server_port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
teardown (void)
{
  for (guint i = 0; i < held->len; i++)
    soup_server_message_unpause (held->pdata[i]);
  g_clear_object (&server);
  g_ptr_array_unref (held);
  net_run_for (50);
}

static char *
url (const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", server_port, path);
}

START_TEST (test_get_body)
{
  g_autoptr (SvHttpClient) c = sv_http_client_new ("servent-test/1");
  g_autofree char *u = url ("/gwc?get=1&net=gnutella");
  Outcome o = { 0 };
  gsize len;
  const char *text;
  g_autofree char *got = NULL;

  ck_assert (sv_http_client_get (c, u, NULL, on_done, &o) != 0);
  ck_assert_uint_eq (sv_http_client_pending (c), 1);
  ck_assert (net_run_until (&o.done, 10000));
  ck_assert_uint_eq (o.calls, 1);
  ck_assert_uint_eq (o.status, 200);
  ck_assert_ptr_null (o.error);
  text = g_bytes_get_data (o.body, &len);
  got = g_strndup (text, len);
  ck_assert_str_eq (got, "H|198.51.100.1:6346|1\nquery=get=1&net=gnutella\n");
  ck_assert_uint_eq (sv_http_client_pending (c), 0);
  outcome_clear (&o);
}
END_TEST

START_TEST (test_redirect_and_status)
{
  g_autoptr (SvHttpClient) c = sv_http_client_new ("servent-test/1");
  g_autofree char *moved = url ("/moved");
  g_autofree char *missing = url ("/nothing-here");
  Outcome a = { 0 }, b = { 0 };

  sv_http_client_get (c, moved, NULL, on_done, &a);
  sv_http_client_get (c, missing, NULL, on_done, &b);
  ck_assert (net_run_until (&a.done, 10000));
  ck_assert (net_run_until (&b.done, 10000));
  ck_assert_uint_eq (a.status, 200);
  ck_assert (g_strstr_len (g_bytes_get_data (a.body, NULL), g_bytes_get_size (a.body),
                           "query=from=moved") != NULL);
  ck_assert_uint_eq (b.status, 404);
  ck_assert_ptr_null (b.body);
  ck_assert (g_error_matches (b.error, SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_STATUS));
  outcome_clear (&a);
  outcome_clear (&b);
}
END_TEST

START_TEST (test_body_cap)
{
  g_autoptr (SvHttpClient) c = sv_http_client_new ("servent-test/1");
  g_autofree char *u = url ("/big");
  SvHttpClientOptions opt = { .max_bytes = 64 * 1024 };
  Outcome o = { 0 };

  sv_http_client_get (c, u, &opt, on_done, &o);
  ck_assert (net_run_until (&o.done, 10000));
  ck_assert_ptr_null (o.body);
  ck_assert (g_error_matches (o.error, SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_TOO_BIG));
  outcome_clear (&o);
}
END_TEST

START_TEST (test_timeout_refused_cancel)
{
  g_autoptr (SvHttpClient) c = sv_http_client_new ("servent-test/1");
  g_autofree char *slow = url ("/slow");
  g_autoptr (GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree char *closed = NULL;
  SvHttpClientOptions opt = { .timeout_us = 500 * 1000 };
  Outcome t = { 0 }, r = { 0 }, x = { 0 };
  guint64 id;

  /* A port with nobody listening: bind, read the port, close. */
  ck_assert (g_socket_bind (probe, any, FALSE, NULL));
  bound = g_socket_get_local_address (probe, NULL);
  closed = g_strdup_printf ("http://127.0.0.1:%u/", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (probe, NULL);

  sv_http_client_get (c, slow, &opt, on_done, &t);
  sv_http_client_get (c, closed, NULL, on_done, &r);
  id = sv_http_client_get (c, slow, NULL, on_done, &x);
  ck_assert (sv_http_client_cancel (c, id));
  ck_assert (!sv_http_client_cancel (c, id));
  ck_assert (net_run_until (&t.done, 10000));
  ck_assert (net_run_until (&r.done, 10000));
  ck_assert (g_error_matches (t.error, SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_TRANSFER));
  ck_assert (g_error_matches (r.error, SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_TRANSFER));
  ck_assert_uint_eq (r.status, 0);
  net_run_for (200);
  ck_assert_uint_eq (x.calls, 0);
  ck_assert_uint_eq (sv_http_client_pending (c), 0);
  outcome_clear (&t);
  outcome_clear (&r);
}
END_TEST

/* Freeing the client with requests in flight calls nothing and leaks nothing. */
START_TEST (test_free_in_flight)
{
  SvHttpClient *c = sv_http_client_new ("servent-test/1");
  g_autofree char *slow = url ("/slow");
  Outcome o = { 0 };

  sv_http_client_get (c, slow, NULL, on_done, &o);
  net_run_for (100);
  sv_http_client_free (c);
  net_run_for (100);
  ck_assert_uint_eq (o.calls, 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("http-client");
  TCase *tc = tcase_create ("http-client");
  SRunner *sr;
  int failed;

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_get_body);
  tcase_add_test (tc, test_redirect_and_status);
  tcase_add_test (tc, test_body_cap);
  tcase_add_test (tc, test_timeout_refused_cancel);
  tcase_add_test (tc, test_free_in_flight);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
