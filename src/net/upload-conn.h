/* upload-conn.h: one HTTP connection on the Gnutella port serving uploads: it reads requests
 * through the strict parser (core/gnet-http), asks its owner what to answer, and sends the head
 * and the body (a file with sendfile, or bytes from memory), then waits for the next request on
 * the same connection while both sides keep it alive.
 *
 * It is either adopted from the listener (a GET or HEAD arrived on our port) or dialled out after
 * a PUSH: then it says GIV first and serves what the other side asks on that socket. What may be
 * served, and from which file, is the owner's decision (daemon/uploads.c); this file moves bytes
 * and keeps the deadlines:
 *   - SV_UPLOAD_CONN_HEAD_US for a request head, from its first byte or from the last answer,
 *     and for the owner's answer to a request it held (a rendezvous waits for the other side);
 *   - SV_UPLOAD_CONN_STALL_US without the peer taking any body byte. */
#pragma once

#include <gio/gio.h>

#include "gnet-http.h"
#include "host-addr.h"
#include "urn.h"

#define SV_UPLOAD_CONN_MIN_GRANT 4096   /* bytes: a smaller budget waits for more */
#define SV_UPLOAD_CONN_HEAD_US   (G_GINT64_CONSTANT (20) * G_USEC_PER_SEC)
#define SV_UPLOAD_CONN_STALL_US  (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define SV_UPLOAD_CONN_CONNECT_US (G_GINT64_CONSTANT (15) * G_USEC_PER_SEC)

typedef struct _SvUploadConn SvUploadConn;

/* Whether a budget of @granted bytes is worth writing when @want are waiting: all of them, or at
 * least SV_UPLOAD_CONN_MIN_GRANT (a smaller one waits for more rather than trickle out). */
static inline gboolean
sv_upload_conn_grant_usable (guint64 want, guint64 granted)
{
  return granted >= MIN (want, (guint64) SV_UPLOAD_CONN_MIN_GRANT);
}

/* The owner's answer to one request. sv_upload_reply_init() sets code 404 and fd -1. */
typedef struct {
  guint code;              /* 200: serve the file or @body (206/416 follow from Range); else the
                            * status to answer with an empty body */
  int fd;                  /* (transfer full) the open file for a 200 without @body; -1 */
  guint64 size;            /* the file's size (fd) */
  gboolean has_sha1;
  SvSha1 sha1;             /* X-Gnutella-Content-URN */
  GBytes *body;            /* (transfer full) (nullable) a body from memory, sent whole */
  const char *content_type;/* (nullable) static */
  guint retry_after;       /* Retry-After (503) */
  GString *headers;        /* (transfer full) (nullable) more header lines, each ending "\r\n" */
  gboolean close;          /* end the connection once this answer is out */
  gboolean defer;          /* no answer yet: the owner gives it later with
                            * sv_upload_conn_answer() (the rest of @reply is ignored) */
  gboolean detach;         /* once this answer is out, hand the socket to the owner
                            * (callbacks.detached) and end: it now carries something else */
} SvUploadReply;

void sv_upload_reply_init (SvUploadReply *reply);
void sv_upload_reply_clear (SvUploadReply *reply);

typedef struct {
  /* A complete request head: fill @reply. @req's verdict is OK. */
  void (*request) (SvUploadConn *conn, const SvGnetHttpRequest *req, SvUploadReply *reply,
                   gpointer user_data);
  /* The answer to a request was sent (or cut): @code as answered, @body_bytes of body sent,
   * @complete: the whole body went out. Called once per request that reached `request`. */
  void (*answered) (SvUploadConn *conn, guint code, guint64 body_bytes, gboolean complete,
                    gpointer user_data);
  /* May @conn send @want body bytes now? Returns: how many (0: none; asked again shortly; less
   * than SV_UPLOAD_CONN_MIN_GRANT of more is taken as none). NULL: no limit. What was sent is
   * then reported to `spent`. */
  guint64 (*budget) (SvUploadConn *conn, guint64 want, gpointer user_data);
  void (*spent) (SvUploadConn *conn, guint64 bytes, gpointer user_data);
  /* An answer with `detach` is out: @fd (transfer full; -1 if it could not be kept) is the
   * socket, now the owner's; `closed` follows. */
  void (*detached) (SvUploadConn *conn, int fd, gpointer user_data);
  /* The connection ended; the owner frees @conn here or later. Exactly once. */
  void (*closed) (SvUploadConn *conn, const char *reason, gpointer user_data);
} SvUploadConnCallbacks;

/* Adopts a connection whose first @prefix_len bytes (the start of a request) were read by the
 * listener. @server: the Server header (copied). Returns: (transfer full). */
SvUploadConn *sv_upload_conn_adopt (GSocketConnection *connection, const guint8 *prefix,
                                    gsize prefix_len, const char *server,
                                    const SvUploadConnCallbacks *callbacks, gpointer user_data);
/* Connects to @addr (from @local when set), sends @giv (the GIV line) and then serves the
 * requests that come on it. Returns: (transfer full). */
SvUploadConn *sv_upload_conn_connect_giv (const SvHostAddr *addr, const SvHostAddr *local,
                                          GBytes *giv, const char *server,
                                          const SvUploadConnCallbacks *callbacks,
                                          gpointer user_data);
/* Answers the request @conn holds (its owner set `defer`); @reply as for `request`. */
void sv_upload_conn_answer (SvUploadConn *conn, SvUploadReply *reply);
/* Closes at once (no callback) and frees. NULL is ignored. */
void sv_upload_conn_free (SvUploadConn *conn);

const SvHostAddr *sv_upload_conn_remote (const SvUploadConn *conn);

typedef struct {
  guint64 requests;        /* requests answered */
  guint64 body_bytes;      /* body bytes sent in all */
  guint64 offset, end;     /* the span being sent now (offset == end: none) */
  gboolean pushed;         /* dialled out after a PUSH */
  gboolean sending;
  gboolean head_started;   /* bytes of the next request head have come */
} SvUploadConnInfo;
void sv_upload_conn_get_info (const SvUploadConn *conn, SvUploadConnInfo *out);
