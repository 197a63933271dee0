/* http-client.h: HTTP GET requests through libcurl's multi interface, driven by a GLib main
 * context (curl's sockets and timer become GSources; nothing blocks, no thread is started).
 *
 * Two kinds of request: sv_http_client_get() collects a small body in memory (GWebCache);
 * sv_http_client_fetch() streams a body of any size to its owner (downloads), over a new or
 * pooled connection or over a socket that is already connected (one that arrived by GIV). A request ends exactly once, through
 * its callback, unless it is cancelled or the client is freed first (then the callback is never
 * called). Every body is capped: a server that sends more than max_bytes is cut off and the
 * request fails with SV_HTTP_CLIENT_ERROR_TOO_BIG. Only http:// and https:// URLs are followed
 * (at most SV_HTTP_CLIENT_MAX_REDIRECTS redirects). */
#pragma once

#include <gio/gio.h>

#include "host-addr.h"
#include "http-response.h"

#define SV_HTTP_CLIENT_MAX_REDIRECTS 3

#define SV_HTTP_CLIENT_ERROR (sv_http_client_error_quark ())
GQuark sv_http_client_error_quark (void);

typedef enum {
  SV_HTTP_CLIENT_ERROR_TRANSFER,   /* no answer: name, connection, TLS, timeout (message: curl's) */
  SV_HTTP_CLIENT_ERROR_STATUS,     /* an answer with a status other than 2xx */
  SV_HTTP_CLIENT_ERROR_TOO_BIG,    /* the body went over max_bytes */
} SvHttpClientError;

typedef struct _SvHttpClient SvHttpClient;

/* @user_agent: sent with every request (copied). Runs on the thread-default main context.
 * Returns: (transfer full). */
SvHttpClient *sv_http_client_new (const char *user_agent);
/* Cancels every request (no callback is called). */
void sv_http_client_free (SvHttpClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvHttpClient, sv_http_client_free)

/* @status: the HTTP status (0 when none came); @body: (transfer none) (nullable) the body on
 * success; @error: (nullable) set on failure. */
typedef void (*SvHttpClientDone) (guint status, GBytes *body, const GError *error,
                                  gpointer user_data);

typedef struct {
  gint64 timeout_us;   /* the whole request; 0: 30 s */
  gsize max_bytes;     /* body cap; 0: 64 KiB */
} SvHttpClientOptions;

/* Starts a GET of @url. Returns: a request id (never 0) for sv_http_client_cancel(). */
guint64 sv_http_client_get (SvHttpClient *client, const char *url, const SvHttpClientOptions *options,
                            SvHttpClientDone done, gpointer user_data);
/* What a fetch learnt from the response head (core/http-response.h). */
typedef SvHttpResponse SvHttpFetchHead;

typedef struct {
  /* The final response head. Returns: FALSE to abort the request (done follows). May be NULL. */
  gboolean (*head) (const SvHttpFetchHead *head, gpointer user_data);
  /* Body bytes, in order. Returns: FALSE to abort (done follows with an error). May be NULL:
   * the body is read and dropped. */
  gboolean (*data) (const guint8 *data, gsize len, gpointer user_data);
  /* The end, exactly once: @error NULL when the whole body came with a 2xx status; @status the
   * response status (0: none came). */
  void (*done) (guint status, const GError *error, gpointer user_data);
} SvHttpFetchCallbacks;

typedef struct {
  guint64 range_first;         /* Range: bytes=first-last … */
  guint64 range_length;        /* … 0: no Range at all (the whole file) */
  int socket_fd;               /* >= 0: an already connected socket to use (taken: closed by
                                * the client in every case); -1: connect as the URL says */
  gint64 connect_timeout_us;   /* 0: 10 s */
  gint64 stall_timeout_us;     /* abort when no byte comes for this long; 0: 60 s */
  const char *const *headers;  /* (nullable) extra request header lines ("Name: value") */
  const SvHostAddr *local;     /* (nullable) connect from this address and port (0: any), on a
                                * socket with SO_REUSEADDR and SO_REUSEPORT, never pooled: the
                                * port can then be used again at once (net/punch) */
} SvHttpFetchOptions;

void sv_http_fetch_options_init (SvHttpFetchOptions *options);

/* Starts a GET of @url streamed to @callbacks (copied). Redirects are not followed.
 * Returns: a request id (never 0) for sv_http_client_cancel(). */
guint64 sv_http_client_fetch (SvHttpClient *client, const char *url,
                              const SvHttpFetchOptions *options,
                              const SvHttpFetchCallbacks *callbacks, gpointer user_data);

/* Cancels a request that has not ended; its callback is not called. Returns: FALSE if unknown. */
gboolean sv_http_client_cancel (SvHttpClient *client, guint64 id);
/* Requests not ended yet. */
guint sv_http_client_pending (const SvHttpClient *client);
