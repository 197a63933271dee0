/* http-client.c: libcurl's multi interface on a GLib main context (see http-client.h).
 *
 * curl tells us which sockets to watch (socket callback) and when to call it back (timer
 * callback); we turn them into unix-fd GSources and a timeout GSource and hand the events back
 * with curl_multi_socket_action(). Finished transfers are collected after every action and their
 * callbacks run once curl is no longer on the stack. */
#include "config.h"

#include "http-client.h"

#include <curl/curl.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fd-relay.h"

G_DEFINE_QUARK (sv-http-client-error-quark, sv_http_client_error)

#define DEFAULT_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define DEFAULT_MAX_BYTES (64 * 1024)
#define CONNECT_TIMEOUT_MS 10000
#define FETCH_STALL_US (60 * G_USEC_PER_SEC)
#define FETCH_BUFFER_BYTES (512 * 1024)

typedef struct {
  SvHttpClient *client;
  guint64 id;
  CURL *easy;
  GByteArray *body;
  gsize max_bytes;
  gboolean too_big;
  SvHttpClientDone done;
  gpointer user_data;
  char errbuf[CURL_ERROR_SIZE];

  /* Fetches. */
  gboolean fetch;
  SvHttpFetchCallbacks fcb;
  int socket_fd;               /* not yet handed to curl (-1: none or handed) */
  struct curl_slist *req_headers;
  SvHttpResponse head;
  gboolean head_reported;
  gboolean aborted;
  int listen_fd;               /* relay path: the abstract Unix socket curl connects to */
  GSource *listen_source;
  SvFdRelay *relay;            /* relay path: curl's connection spliced to socket_fd */
} Request;

struct _SvHttpClient {
  CURLM *multi;
  GMainContext *context;
  char *user_agent;
  GHashTable *requests;   /* guint64 id → Request (owned) */
  GHashTable *watches;    /* fd → GSource (owned reference) */
  GSource *timer;
  guint64 next_id;
  gboolean in_action;     /* inside curl_multi_socket_action */
};

static void check_done (SvHttpClient *c);

static void
request_free (Request *r)
{
  curl_multi_remove_handle (r->client->multi, r->easy);
  curl_easy_cleanup (r->easy);
  g_byte_array_unref (r->body);
  if (r->socket_fd >= 0)
    close (r->socket_fd);
  if (r->listen_source != NULL)
    {
      g_source_destroy (r->listen_source);
      g_source_unref (r->listen_source);
    }
  if (r->listen_fd >= 0)
    close (r->listen_fd);
  sv_fd_relay_free (r->relay);
  curl_slist_free_all (r->req_headers);
  sv_http_response_clear (&r->head);
  g_free (r);
}

static void
action (SvHttpClient *c, curl_socket_t fd, int ev)
{
  int running = 0;

  c->in_action = TRUE;
  curl_multi_socket_action (c->multi, fd, ev, &running);
  c->in_action = FALSE;
  check_done (c);
}

static gboolean
on_fd (gint fd, GIOCondition cond, gpointer user_data)
{
  SvHttpClient *c = user_data;
  int ev = 0;

  if (cond & G_IO_IN)
    ev |= CURL_CSELECT_IN;
  if (cond & G_IO_OUT)
    ev |= CURL_CSELECT_OUT;
  if (cond & (G_IO_ERR | G_IO_HUP))
    ev |= CURL_CSELECT_ERR;
  action (c, fd, ev);
  return G_SOURCE_CONTINUE;
}

static int
on_socket (CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
  SvHttpClient *c = userp;
  GIOCondition cond = 0;
  GSource *src;

  g_hash_table_remove (c->watches, GINT_TO_POINTER (fd));
  if (what == CURL_POLL_REMOVE)
    return 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    cond |= G_IO_IN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    cond |= G_IO_OUT;
  src = g_unix_fd_source_new (fd, cond | G_IO_ERR | G_IO_HUP);
  g_source_set_callback (src, G_SOURCE_FUNC (on_fd), c, NULL);
  g_source_set_name (src, "curl socket");
  g_source_attach (src, c->context);
  g_hash_table_insert (c->watches, GINT_TO_POINTER (fd), src);
  return 0;
}

static gboolean
on_timer (gpointer user_data)
{
  SvHttpClient *c = user_data;

  g_clear_pointer (&c->timer, g_source_unref);
  action (c, CURL_SOCKET_TIMEOUT, 0);
  return G_SOURCE_REMOVE;
}

static int
on_timer_set (CURLM *multi, long timeout_ms, void *userp)
{
  SvHttpClient *c = userp;

  if (c->timer != NULL)
    {
      g_source_destroy (c->timer);
      g_clear_pointer (&c->timer, g_source_unref);
    }
  if (timeout_ms < 0)
    return 0;
  c->timer = g_timeout_source_new ((guint) MIN (timeout_ms, (long) G_MAXUINT));
  g_source_set_callback (c->timer, on_timer, c, NULL);
  g_source_set_name (c->timer, "curl timer");
  g_source_attach (c->timer, c->context);
  return 0;
}

static size_t
on_body (char *data, size_t size, size_t n, void *userp)
{
  Request *r = userp;
  gsize len = size * n;

  if (r->body->len + len > r->max_bytes)
    {
      r->too_big = TRUE;
      return 0;   /* curl fails the transfer with CURLE_WRITE_ERROR */
    }
  g_byte_array_append (r->body, (const guint8 *) data, (guint) len);
  return len;
}

static void
finish (Request *r, CURLcode code)
{
  SvHttpClient *c = r->client;
  long status = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;

  curl_easy_getinfo (r->easy, CURLINFO_RESPONSE_CODE, &status);
  if (r->too_big)
    error = g_error_new (SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_TOO_BIG,
                         "the answer is over %" G_GSIZE_FORMAT " bytes", r->max_bytes);
  else if (code != CURLE_OK)
    error = g_error_new (SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_TRANSFER, "%s",
                         r->errbuf[0] ? r->errbuf : curl_easy_strerror (code));
  else if (status < 200 || status > 299)
    error = g_error_new (SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_STATUS, "HTTP status %ld",
                         status);
  else
    body = g_bytes_new (r->body->data, r->body->len);
  /* Out of the table before the callback, which may start or cancel requests. */
  g_hash_table_steal (c->requests, &r->id);
  r->done ((guint) status, body, error, r->user_data);
  request_free (r);
}

static void
finish_fetch (Request *r, CURLcode code)
{
  SvHttpClient *c = r->client;
  long status = 0;
  g_autoptr (GError) error = NULL;

  curl_easy_getinfo (r->easy, CURLINFO_RESPONSE_CODE, &status);
  if (r->aborted && code == CURLE_OK)
    code = CURLE_WRITE_ERROR;
  if (code != CURLE_OK)
    error = g_error_new (SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_TRANSFER, "%s",
                         r->aborted ? "stopped by its owner"
                                    : r->errbuf[0] ? r->errbuf : curl_easy_strerror (code));
  else if (status < 200 || status > 299)
    error = g_error_new (SV_HTTP_CLIENT_ERROR, SV_HTTP_CLIENT_ERROR_STATUS, "HTTP status %ld",
                         status);
  g_hash_table_steal (c->requests, &r->id);
  if (!r->head_reported && status != 0 && !r->aborted && r->fcb.head != NULL)
    {
      r->head_reported = TRUE;
      r->head.status = (guint) status;
      (void) r->fcb.head (&r->head, r->user_data);
    }
  r->fcb.done ((guint) status, error, r->user_data);
  request_free (r);
}

static void
check_done (SvHttpClient *c)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read (c->multi, &left)) != NULL)
    {
      Request *r = NULL;

      if (msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &r);
      if (r != NULL && r->fetch)
        finish_fetch (r, msg->data.result);
      else if (r != NULL)
        finish (r, msg->data.result);
    }
}

static void
watch_unref (gpointer src)
{
  g_source_destroy (src);
  g_source_unref (src);
}

SvHttpClient *
sv_http_client_new (const char *user_agent)
{
  SvHttpClient *c = g_new0 (SvHttpClient, 1);
  static gsize curl_ready = 0;

  if (g_once_init_enter (&curl_ready))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_ready, 1);
    }
  c->multi = curl_multi_init ();
  c->context = g_main_context_ref_thread_default ();
  c->user_agent = g_strdup (user_agent);
  c->requests = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) request_free);
  c->watches = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, watch_unref);
  curl_multi_setopt (c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt (c->multi, CURLMOPT_SOCKETDATA, c);
  curl_multi_setopt (c->multi, CURLMOPT_TIMERFUNCTION, on_timer_set);
  curl_multi_setopt (c->multi, CURLMOPT_TIMERDATA, c);
  return c;
}

void
sv_http_client_free (SvHttpClient *c)
{
  if (c == NULL)
    return;
  g_hash_table_remove_all (c->requests);
  g_hash_table_unref (c->requests);
  g_hash_table_unref (c->watches);
  if (c->timer != NULL)
    {
      g_source_destroy (c->timer);
      g_source_unref (c->timer);
    }
  curl_multi_cleanup (c->multi);
  g_main_context_unref (c->context);
  g_free (c->user_agent);
  g_free (c);
}

guint64
sv_http_client_get (SvHttpClient *c, const char *url, const SvHttpClientOptions *options,
                    SvHttpClientDone done, gpointer user_data)
{
  Request *r = g_new0 (Request, 1);
  gint64 timeout_us = options && options->timeout_us > 0 ? options->timeout_us : DEFAULT_TIMEOUT_US;

  r->client = c;
  r->id = ++c->next_id;
  r->socket_fd = -1;
  r->listen_fd = -1;
  r->body = g_byte_array_new ();
  r->max_bytes = options && options->max_bytes > 0 ? options->max_bytes : DEFAULT_MAX_BYTES;
  r->done = done;
  r->user_data = user_data;
  r->easy = curl_easy_init ();
  curl_easy_setopt (r->easy, CURLOPT_URL, url);
  curl_easy_setopt (r->easy, CURLOPT_PRIVATE, r);
  curl_easy_setopt (r->easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (r->easy, CURLOPT_WRITEDATA, r);
  curl_easy_setopt (r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
  curl_easy_setopt (r->easy, CURLOPT_USERAGENT, c->user_agent);
  curl_easy_setopt (r->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (r->easy, CURLOPT_TIMEOUT_MS, (long) (timeout_us / 1000));
  curl_easy_setopt (r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) MIN (timeout_us / 1000,
                                                                     CONNECT_TIMEOUT_MS));
  curl_easy_setopt (r->easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (r->easy, CURLOPT_MAXREDIRS, (long) SV_HTTP_CLIENT_MAX_REDIRECTS);
  curl_easy_setopt (r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (r->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (r->easy, CURLOPT_ACCEPT_ENCODING, "");   /* whatever curl can decode */
  g_hash_table_insert (c->requests, &r->id, r);
  curl_multi_add_handle (c->multi, r->easy);
  return r->id;
}

gboolean
sv_http_client_cancel (SvHttpClient *c, guint64 id)
{
  return g_hash_table_remove (c->requests, &id);
}

guint
sv_http_client_pending (const SvHttpClient *c)
{
  return g_hash_table_size (c->requests);
}

/* --- Fetches --- */

void
sv_http_fetch_options_init (SvHttpFetchOptions *o)
{
  memset (o, 0, sizeof *o);
  o->socket_fd = -1;
}

/* One header line of the response (core/http-response parses it). */
static size_t
on_fetch_header (char *data, size_t size, size_t n, void *userp)
{
  Request *r = userp;
  gsize len = size * n;
  gboolean end = FALSE;

  if (sv_http_response_feed_line (&r->head, data, len, &end) == SV_STATUS_TOO_BIG)
    return 0;   /* curl fails the transfer */
  if (end && r->head.status >= 200 && !r->head_reported && r->fcb.head != NULL)
    {
      r->head_reported = TRUE;
      if (!r->fcb.head (&r->head, r->user_data))
        {
          r->aborted = TRUE;
          return 0;
        }
    }
  return len;
}

static size_t
on_fetch_body (char *data, size_t size, size_t n, void *userp)
{
  Request *r = userp;
  gsize len = size * n;

  if (r->aborted)
    return 0;
  if (!r->head_reported)
    {
      /* A body with no blank line seen (cannot happen with HTTP/1.x); report the head now. */
      r->head_reported = TRUE;
      if (r->fcb.head != NULL && !r->fcb.head (&r->head, r->user_data))
        {
          r->aborted = TRUE;
          return 0;
        }
    }
  if (r->head.status < 200 || r->head.status > 299)
    return len;   /* an error page: not data */
  if (r->fcb.data != NULL && !r->fcb.data ((const guint8 *) data, len, r->user_data))
    {
      r->aborted = TRUE;
      return 0;
    }
  return len;
}

/* The already connected socket, once. */
static curl_socket_t
on_open_socket (void *userp, curlsocktype purpose, struct curl_sockaddr *address)
{
  Request *r = userp;
  int fd = r->socket_fd;

  if (purpose != CURLSOCKTYPE_IPCXN || fd < 0)
    return CURL_SOCKET_BAD;
  r->socket_fd = -1;
  return fd;
}

static int
on_sockopt (void *userp, curl_socket_t fd, curlsocktype purpose)
{
  return CURL_SOCKOPT_ALREADY_CONNECTED;
}

/* libcurl 7.88 calls connect() even on a socket its SOCKOPTFUNCTION said was connected (fixed
 * in 8.0.0), which fails. With such a libcurl, curl connects to an abstract Unix socket of ours
 * instead and that connection is spliced to the socket we were given: one extra copy, the same
 * request path. */
static gboolean
curl_takes_connected_sockets (void)
{
  return curl_version_info (CURLVERSION_NOW)->version_num >= 0x080000;
}

static void
on_relay_done (SvFdRelay *relay, gpointer user_data)
{
  /* curl sees the end on its own connection; the relay is freed with the request. */
}

static gboolean
on_relay_accept (gint fd, GIOCondition cond, gpointer user_data)
{
  Request *r = user_data;
  int conn = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

  if (conn < 0)
    return G_SOURCE_CONTINUE;
  r->relay = sv_fd_relay_new (conn, r->socket_fd, on_relay_done, r);
  r->socket_fd = -1;
  close (r->listen_fd);
  r->listen_fd = -1;
  g_source_unref (r->listen_source);
  r->listen_source = NULL;
  return G_SOURCE_REMOVE;
}

/* Listens on a fresh abstract Unix socket for curl's one connection. Returns: FALSE when it
 * cannot (the request then fails to connect). */
static gboolean
relay_listen (Request *r, CURL *easy)
{
  static guint counter;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_autofree char *name = g_strdup_printf ("servent-giv-%d-%u", (int) getpid (), ++counter);
  socklen_t len = (socklen_t) (G_STRUCT_OFFSET (struct sockaddr_un, sun_path) + 1 + strlen (name));

  memcpy (sa.sun_path + 1, name, strlen (name));
  r->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (r->listen_fd < 0 || bind (r->listen_fd, (struct sockaddr *) &sa, len) != 0
      || listen (r->listen_fd, 1) != 0)
    return FALSE;
  r->listen_source = g_unix_fd_source_new (r->listen_fd, G_IO_IN);
  g_source_set_callback (r->listen_source, G_SOURCE_FUNC (on_relay_accept), r, NULL);
  g_source_attach (r->listen_source, r->client->context);
  curl_easy_setopt (easy, CURLOPT_ABSTRACT_UNIX_SOCKET, name);   /* copied by curl */
  return TRUE;
}

/* Both reuse options, so that the local port a request used can be bound again at once. */
static int
on_sockopt_reuse (void *userp, curl_socket_t fd, curlsocktype purpose)
{
  int one = 1;

  if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    return CURL_SOCKOPT_ERROR;
  return CURL_SOCKOPT_OK;
}

static void
set_local (CURL *easy, const SvHostAddr *local)
{
  char text[SV_HOST_ADDR_STRLEN];

  if (!sv_host_addr_is_wildcard (local))
    {
      g_autofree char *iface = g_strdup_printf ("host!%s", sv_host_addr_format (local, FALSE, text));

      curl_easy_setopt (easy, CURLOPT_INTERFACE, iface);   /* copied by curl */
    }
  if (local->port != 0)
    {
      curl_easy_setopt (easy, CURLOPT_LOCALPORT, (long) local->port);
      curl_easy_setopt (easy, CURLOPT_LOCALPORTRANGE, 1L);
    }
  curl_easy_setopt (easy, CURLOPT_SOCKOPTFUNCTION, on_sockopt_reuse);
  curl_easy_setopt (easy, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt (easy, CURLOPT_FORBID_REUSE, 1L);
}

guint64
sv_http_client_fetch (SvHttpClient *c, const char *url, const SvHttpFetchOptions *options,
                      const SvHttpFetchCallbacks *callbacks, gpointer user_data)
{
  Request *r = g_new0 (Request, 1);
  SvHttpFetchOptions def;
  gint64 connect_us, stall_us;

  if (options == NULL)
    {
      sv_http_fetch_options_init (&def);
      options = &def;
    }
  connect_us = options->connect_timeout_us > 0 ? options->connect_timeout_us
                                               : CONNECT_TIMEOUT_MS * (gint64) 1000;
  stall_us = options->stall_timeout_us > 0 ? options->stall_timeout_us : FETCH_STALL_US;
  r->client = c;
  r->id = ++c->next_id;
  r->body = g_byte_array_new ();
  r->fetch = TRUE;
  r->fcb = *callbacks;
  r->user_data = user_data;
  r->socket_fd = options->socket_fd;
  r->listen_fd = -1;
  sv_http_response_init (&r->head);
  r->easy = curl_easy_init ();
  curl_easy_setopt (r->easy, CURLOPT_URL, url);
  curl_easy_setopt (r->easy, CURLOPT_PRIVATE, r);
  curl_easy_setopt (r->easy, CURLOPT_HEADERFUNCTION, on_fetch_header);
  curl_easy_setopt (r->easy, CURLOPT_HEADERDATA, r);
  curl_easy_setopt (r->easy, CURLOPT_WRITEFUNCTION, on_fetch_body);
  curl_easy_setopt (r->easy, CURLOPT_WRITEDATA, r);
  curl_easy_setopt (r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
  curl_easy_setopt (r->easy, CURLOPT_USERAGENT, c->user_agent);
  curl_easy_setopt (r->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (r->easy, CURLOPT_BUFFERSIZE, (long) FETCH_BUFFER_BYTES);
  curl_easy_setopt (r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) (connect_us / 1000));
  curl_easy_setopt (r->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (r->easy, CURLOPT_LOW_SPEED_TIME, (long) MAX (stall_us / G_USEC_PER_SEC, 1));
  curl_easy_setopt (r->easy, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt (r->easy, CURLOPT_FOLLOWLOCATION, 0L);
  if (options->range_length > 0)
    {
      g_autofree char *range = g_strdup_printf ("%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                                options->range_first,
                                                options->range_first + options->range_length - 1);

      curl_easy_setopt (r->easy, CURLOPT_RANGE, range);   /* copied by curl */
    }
  if (options->local != NULL && r->socket_fd < 0)
    set_local (r->easy, options->local);
  for (guint i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    r->req_headers = curl_slist_append (r->req_headers, options->headers[i]);
  if (r->req_headers != NULL)
    curl_easy_setopt (r->easy, CURLOPT_HTTPHEADER, r->req_headers);
  if (r->socket_fd >= 0 && !curl_takes_connected_sockets ())
    {
      (void) relay_listen (r, r->easy);
      curl_easy_setopt (r->easy, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt (r->easy, CURLOPT_FORBID_REUSE, 1L);
    }
  else if (r->socket_fd >= 0)
    {
      curl_easy_setopt (r->easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
      curl_easy_setopt (r->easy, CURLOPT_OPENSOCKETDATA, r);
      curl_easy_setopt (r->easy, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
      curl_easy_setopt (r->easy, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt (r->easy, CURLOPT_FORBID_REUSE, 1L);
    }
  g_hash_table_insert (c->requests, &r->id, r);
  curl_multi_add_handle (c->multi, r->easy);
  return r->id;
}
