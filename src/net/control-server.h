/* control-server.h: a small JSON-over-HTTP server on a Unix socket (libsoup-3), for the daemon's
 * control API.
 *
 * Owns the socket file and its directory rules (directory 0700 and ours, socket 0600, a stale
 * socket replaced, a live one refused), dispatch from a table of routes, JSON replies and request
 * bodies (size-capped), errors as {"error": "..."}, and chunked NDJSON streams that notice a
 * client going away. What the routes mean lives in the daemon (control-api.c). */
#pragma once

#include <gio/gio.h>

#include "control-protocol.h"
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

typedef struct _SvControlServer SvControlServer;

/* One request as a handler sees it. Valid during the handler call only. */
typedef struct {
  SoupServerMessage *msg;
  const char *method;
  const char *path;
  const char *const *args;     /* the path segments matched by "*" in the route, in order */
  guint n_args;
  GHashTable *query;           /* (nullable) decoded query parameters */
  gpointer user_data;          /* as given to sv_control_server_new() */
  SvControlServer *server;
} SvControlRequest;

/* A handler must answer: a reply helper below, or a stream it keeps. */
typedef void (*SvControlHandler) (const SvControlRequest *req);

/* A route: @method ("GET", "POST", "DELETE", …) and a @pattern of '/'-separated segments where
 * "*" matches exactly one non-empty segment, e.g. "/v1/searches/x/results" with x = "*".
 * A path matched by some pattern but not with this method gets 405; by none, 404. */
typedef struct {
  const char *method;
  const char *pattern;
  SvControlHandler handler;
} SvControlRoute;

/* The checks sv_control_server_new() starts with, for a caller that wants to fail before doing
 * anything else (a second daemon must not join the network before finding the socket taken):
 * the path fits a Unix socket, its directory is ours (created 0700 when missing), a stale socket
 * is removed. Returns: FALSE with @error for a live socket ("another serventd is running on
 * PATH") or a bad path or directory. */
gboolean sv_control_server_check (const char *socket_path, GError **error);

/* Listens on @socket_path. Its directory is created 0700 when missing and refused when it is not
 * ours or is group/world-writable; the socket is made 0600; a stale socket (nobody accepts) is
 * replaced; a live one is the error "another serventd is running on PATH". @routes: (array
 * length=n_routes) kept by reference: it must outlive the server (a static table).
 * Returns: (transfer full) or NULL with @error. */
SvControlServer *sv_control_server_new (const char *socket_path, const SvControlRoute *routes,
                                        guint n_routes, gpointer user_data, GError **error);
/* Ends open streams (their `closed` callbacks run), stops listening and removes the socket file.
 * NULL is ignored. */
void sv_control_server_free (SvControlServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvControlServer, sv_control_server_free)

/* Returns: (transfer none) the socket path. */
const char *sv_control_server_path (SvControlServer *server);

/* --- Replies --- */

/* Replies @status with @node (transfer none) as application/json. */
void sv_control_reply_json (SoupServerMessage *msg, guint status, JsonNode *node);
/* Replies @status with the builder's root (an object or array built by the caller). */
void sv_control_reply_builder (SoupServerMessage *msg, guint status, JsonBuilder *builder);
/* Replies @status with {"error": "<message>"}. */
void sv_control_reply_error (SoupServerMessage *msg, guint status, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
/* Replies @status with no body (204) or an empty object (any other status). */
void sv_control_reply_empty (SoupServerMessage *msg, guint status);

/* The request body parsed as a JSON object. On an empty body, bad JSON or a non-object, replies
 * 400 {"error": …} and returns NULL. Bodies over SV_CONTROL_MAX_BODY_BYTES never reach a handler
 * (413). Returns: (transfer full) (nullable) the root node, an object. */
JsonNode *sv_control_request_json (const SvControlRequest *req);

/* TRUE when the query parameter @name is present and is "1", "true" or "yes". */
gboolean sv_control_request_flag (const SvControlRequest *req, const char *name);

/* --- NDJSON streams --- */

typedef struct _SvControlStream SvControlStream;

/* The stream ended without sv_control_stream_end(): the client went away (@client_gone TRUE) or
 * the server is being freed. Called at most once; the stream is invalid after it. */
typedef void (*SvControlStreamClosed) (SvControlStream *stream, gboolean client_gone,
                                       gpointer user_data);

/* Answers the request with 200, chunked, application/x-ndjson, and keeps it open.
 * Returns: (transfer none) the stream, valid until sv_control_stream_end() or @closed. */
SvControlStream *sv_control_stream_start (const SvControlRequest *req, SvControlStreamClosed closed,
                                          gpointer user_data);
/* Sends @node (transfer none) as one line. */
void sv_control_stream_send (SvControlStream *stream, JsonNode *node);
/* Finishes the response; the stream is invalid after it and @closed is not called. */
void sv_control_stream_end (SvControlStream *stream);

/* Streams open now (for tests and status). */
guint sv_control_server_n_streams (SvControlServer *server);
