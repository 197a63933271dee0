/* http-client.h: HTTP GET requests through libcurl's multi interface, driven by a GLib main
 * context (curl's sockets and timer become GSources; nothing blocks, no thread is started).
 *
 * Used for GWebCache requests today and for downloads next. A request ends exactly once, through
 * its callback, unless it is cancelled or the client is freed first (then the callback is never
 * called). Every body is capped: a server that sends more than max_bytes is cut off and the
 * request fails with SV_HTTP_CLIENT_ERROR_TOO_BIG. Only http:// and https:// URLs are followed
 * (at most SV_HTTP_CLIENT_MAX_REDIRECTS redirects). */
#pragma once

#include <gio/gio.h>

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
/* Cancels a request that has not ended; its callback is not called. Returns: FALSE if unknown. */
gboolean sv_http_client_cancel (SvHttpClient *client, guint64 id);
/* Requests not ended yet. */
guint sv_http_client_pending (const SvHttpClient *client);
