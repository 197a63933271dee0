/* upload-conn.c: one upload connection (see upload-conn.h). */
#include "upload-conn.h"

#include <string.h>
#include <unistd.h>

#include "http-range.h"
#include "stream.h"

/* Bytes of a pipelined next request held while an answer is being sent. */
#define PENDING_MAX (SV_HTTP_MAX_REQUEST_LINE_BYTES + SV_HTTP_MAX_HEADER_BYTES)
/* Body bytes handed to one sendfile call. */
#define SEND_CHUNK (G_GINT64_CONSTANT (4) * 1024 * 1024)
/* How long a connection the bandwidth limit stopped waits before asking again. */
#define THROTTLE_MS 20

enum {
  END_DONE = SV_STREAM_END_OWNER,   /* Connection: close, answer sent */
  END_REFUSED,                      /* a head the parser refused */
  END_FILE_ERROR,                   /* the file could not be read */
  END_PENDING_OVERFLOW,             /* too many bytes pipelined */
};

typedef enum { READING, HELD, SENDING } State;  /* HELD: the owner answers later */

struct _SvUploadConn {
  SvUploadConnCallbacks cb;
  gpointer user_data;
  SvStream *stream;
  char *server;
  GBytes *giv;               /* dialled: sent once connected */
  gboolean pushed;
  SvGnetHttpParser *parser;
  State state;
  GByteArray *pending;       /* bytes that came while sending or held */
  SvGnetHttpRequest *held;   /* HELD: the request waiting for its answer */
  gboolean keep_alive;
  gboolean head_started;
  gboolean detach;           /* the answer being sent hands the socket over once out */

  /* The answer being sent. */
  guint code;
  int fd;
  GBytes *body;
  guint64 offset, end, sent;

  guint64 requests, body_bytes;
  gboolean closed_reported;
  GSource *throttle;         /* waiting for budget */
  gint64 stall_set_us;       /* the stall deadline was last set (monotonic) */
};

void
sv_upload_reply_init (SvUploadReply *r)
{
  memset (r, 0, sizeof *r);
  r->code = 404;
  r->fd = -1;
}

void
sv_upload_reply_clear (SvUploadReply *r)
{
  if (r->fd >= 0)
    close (r->fd);
  r->fd = -1;
  g_clear_pointer (&r->body, g_bytes_unref);
  if (r->headers != NULL)
    g_string_free (r->headers, TRUE);
  r->headers = NULL;
}

static void
answer_end (SvUploadConn *c, gboolean complete)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  g_clear_pointer (&c->body, g_bytes_unref);
  if (c->state == SENDING && c->cb.answered != NULL)
    c->cb.answered (c, c->code, c->sent, complete, c->user_data);
  c->state = READING;
  c->offset = c->end = c->sent = 0;
}

static void feed (SvUploadConn *c, const guint8 *data, gsize len);

/* The answer is out: the next request, or the end. */
static void
next_request (SvUploadConn *c)
{
  g_autoptr (GByteArray) held = NULL;

  answer_end (c, TRUE);
  sv_stream_want_write (c->stream, FALSE);
  if (c->detach)
    {
      int fd = sv_stream_dup_fd (c->stream);

      c->detach = FALSE;
      if (c->cb.detached != NULL)
        c->cb.detached (c, fd, c->user_data);
      else if (fd >= 0)
        close (fd);
      sv_stream_close (c->stream, END_DONE, "handed over");
      return;
    }
  if (!c->keep_alive)
    {
      sv_stream_close_after_flush (c->stream, END_DONE, "answered");
      return;
    }
  sv_gnet_http_parser_reset (c->parser);
  c->head_started = FALSE;
  sv_stream_set_deadline (c->stream, SV_UPLOAD_CONN_HEAD_US, "no next request");
  held = g_steal_pointer (&c->pending);
  c->pending = g_byte_array_new ();
  if (held->len > 0)
    feed (c, held->data, held->len);
}

static void
refuse_head (SvUploadConn *c, guint code)
{
  SvGnetHttpResponse resp = { 0 };
  g_autoptr (GString) head = g_string_new (NULL);

  resp.code = code;
  resp.version_minor = 1;
  resp.server = c->server;
  resp.has_content_length = TRUE;
  sv_gnet_http_response_build (&resp, head);
  sv_stream_write (c->stream, (const guint8 *) head->str, head->len);
  sv_stream_close_after_flush (c->stream, END_REFUSED, sv_gnet_http_reason_phrase (code));
}

/* Builds and queues the head for @req answered by @reply; sets up the body. */
static void
answer (SvUploadConn *c, const SvGnetHttpRequest *req, SvUploadReply *reply)
{
  SvGnetHttpResponse resp = { 0 };
  g_autoptr (GString) head = g_string_new (NULL);
  guint64 size = reply->body != NULL ? g_bytes_get_size (reply->body) : reply->size;
  guint64 first = 0, length = size;
  gboolean has_body = reply->code == 200 && (reply->body != NULL || reply->fd >= 0);

  resp.version_minor = req->version_minor;
  resp.server = c->server;
  resp.keep_alive = c->keep_alive;
  resp.code = reply->code;
  resp.retry_after = reply->retry_after;
  resp.sha1 = reply->has_sha1 ? &reply->sha1 : NULL;
  resp.has_content_length = TRUE;
  /* A Range we cannot honour is refused rather than answered with the whole file: a bad number
   * (inverted, past 64 bits) or too many ranges gets 416, a header that does not parse 400. A
   * unit other than bytes is ignored, as HTTP says. */
  if (has_body && reply->body == NULL && req->range != NULL
      && (req->range_status == SV_STATUS_BAD_VALUE || req->range_status == SV_STATUS_TOO_BIG))
    {
      resp.code = 416;
      resp.range_unsatisfied = TRUE;
      resp.total_size = size;
      has_body = FALSE;
    }
  else if (has_body && reply->body == NULL && req->range != NULL
           && req->range_status == SV_STATUS_BAD_SYNTAX)
    {
      resp.code = 400;
      resp.sha1 = NULL;
      c->keep_alive = resp.keep_alive = FALSE;
      has_body = FALSE;
    }
  else if (has_body && reply->body == NULL && req->range != NULL && req->range_status == SV_STATUS_OK)
    {
      switch (sv_http_range_resolve (&req->ranges, size, &first, &length))
        {
        case SV_HTTP_RANGE_PARTIAL:
          resp.code = 206;
          resp.has_content_range = TRUE;
          resp.range_first = first;
          resp.range_length = length;
          resp.total_size = size;
          break;
        case SV_HTTP_RANGE_UNSATISFIABLE:
          resp.code = 416;
          resp.range_unsatisfied = TRUE;
          resp.total_size = size;
          has_body = FALSE;
          break;
        case SV_HTTP_RANGE_FULL:
          break;
        }
    }
  if (has_body)
    {
      resp.content_length = length;
      resp.content_type = reply->content_type != NULL ? reply->content_type
                                                      : "application/octet-stream";
    }
  if (!sv_gnet_http_response_build (&resp, head))
    {
      refuse_head (c, 500);
      return;
    }
  if (reply->headers != NULL)
    {
      g_string_truncate (head, head->len - 2);   /* before the empty line */
      g_string_append_len (head, reply->headers->str, (gssize) reply->headers->len);
      g_string_append (head, "\r\n");
    }
  sv_stream_write (c->stream, (const guint8 *) head->str, head->len);
  c->state = SENDING;
  c->code = resp.code;
  c->requests++;
  if (has_body && req->method == SV_GNET_HTTP_GET)
    {
      c->fd = reply->fd;
      reply->fd = -1;
      c->body = g_steal_pointer (&reply->body);
      c->offset = first;
      c->end = first + length;
    }
  sv_stream_set_deadline (c->stream, SV_UPLOAD_CONN_STALL_US, "the peer stopped reading");
  c->stall_set_us = g_get_monotonic_time ();
  sv_stream_want_write (c->stream, TRUE);
}

static void
handle_request (SvUploadConn *c)
{
  g_autoptr (SvGnetHttpRequest) req = sv_gnet_http_parser_steal_request (c->parser);
  SvUploadReply reply;

  c->keep_alive = req->keep_alive;
  sv_upload_reply_init (&reply);
  if (req->verdict != SV_GNET_HTTP_VERDICT_OK)
    reply.code = sv_gnet_http_verdict_code (req->verdict);
  else if (c->cb.request != NULL)
    c->cb.request (c, req, &reply, c->user_data);
  if (reply.defer)
    {
      sv_upload_reply_clear (&reply);
      c->held = g_steal_pointer (&req);
      c->state = HELD;
      sv_stream_set_deadline (c->stream, SV_UPLOAD_CONN_HEAD_US, "no answer to give");
      return;
    }
  if ((reply.code >= 400 && req->verdict == SV_GNET_HTTP_VERDICT_BAD_REQUEST) || reply.close)
    c->keep_alive = FALSE;
  c->detach = reply.detach;
  answer (c, req, &reply);
  sv_upload_reply_clear (&reply);
}

void
sv_upload_conn_answer (SvUploadConn *c, SvUploadReply *reply)
{
  g_autoptr (SvGnetHttpRequest) req = g_steal_pointer (&c->held);

  g_return_if_fail (c->state == HELD && req != NULL);
  c->state = READING;
  if (reply->close)
    c->keep_alive = FALSE;
  c->detach = reply->detach;
  answer (c, req, reply);
}

static void
feed (SvUploadConn *c, const guint8 *data, gsize len)
{
  while (len > 0 && !sv_stream_is_closed (c->stream) && !sv_stream_is_lingering (c->stream))
    {
      gsize used = 0;
      SvStatus st;

      if (c->state != READING)
        {
          if (c->pending->len + len > PENDING_MAX)
            {
              sv_stream_close (c->stream, END_PENDING_OVERFLOW, "pipelined too much");
              return;
            }
          g_byte_array_append (c->pending, data, (guint) len);
          return;
        }
      if (!c->head_started)
        {
          c->head_started = TRUE;
          sv_stream_set_deadline (c->stream, SV_UPLOAD_CONN_HEAD_US, "request head too slow");
        }
      st = sv_gnet_http_parser_feed (c->parser, data, len, &used);
      data += used;
      len -= used;
      if (st == SV_STATUS_NEED_MORE)
        return;
      if (st != SV_STATUS_OK)
        {
          refuse_head (c, sv_gnet_http_verdict_code (sv_gnet_http_parser_verdict (c->parser)));
          return;
        }
      handle_request (c);
    }
}

static gboolean
on_throttle_end (gpointer user_data)
{
  SvUploadConn *c = user_data;

  g_clear_pointer (&c->throttle, g_source_unref);
  if (!sv_stream_is_closed (c->stream))
    sv_stream_want_write (c->stream, TRUE);
  return G_SOURCE_REMOVE;
}

/* How many of @want body bytes may go now; 0 stops writing for THROTTLE_MS. A grant smaller than
 * SV_UPLOAD_CONN_MIN_GRANT (when more is wanted) waits too: a limit that trickles in would otherwise
 * become a loop of tiny writes that keeps the main loop from everything else. */
static guint64
allowed (SvUploadConn *c, guint64 want)
{
  guint64 n;

  if (c->cb.budget == NULL)
    return want;
  n = MIN (c->cb.budget (c, want, c->user_data), want);
  if (!sv_upload_conn_grant_usable (want, n))
    n = 0;
  if (n == 0 && c->throttle == NULL)
    {
      sv_stream_want_write (c->stream, FALSE);
      c->throttle = g_timeout_source_new (THROTTLE_MS);
      g_source_set_callback (c->throttle, on_throttle_end, c, NULL);
      g_source_attach (c->throttle, g_main_context_get_thread_default ());
    }
  return n;
}

static gboolean
on_input (SvStream *stream, const guint8 *data, gsize len, gpointer user_data)
{
  feed (user_data, data, len);
  return TRUE;
}

/* The stall deadline starts again when the peer takes body bytes; at most once a second, so
 * that a fast transfer does not rebuild a timer at every write. */
static void
stall_deadline (SvUploadConn *c, SvStream *stream)
{
  gint64 now = g_get_monotonic_time ();

  if (now - c->stall_set_us < G_USEC_PER_SEC)
    return;
  c->stall_set_us = now;
  sv_stream_set_deadline (stream, SV_UPLOAD_CONN_STALL_US, "the peer stopped reading");
}

static void
on_drained (SvStream *stream, gpointer user_data)
{
  SvUploadConn *c = user_data;

  if (c->state != SENDING)
    {
      sv_stream_want_write (stream, FALSE);
      return;
    }
  if (c->offset < c->end && c->body != NULL)
    {
      gsize blen;
      const guint8 *b = g_bytes_get_data (c->body, &blen);
      gsize n = (gsize) allowed (c, MIN (c->end - c->offset, (guint64) SV_LINK_READ_CHUNK_BYTES * 4));

      if (n == 0)
        return;
      sv_stream_write (stream, b + c->offset, n);
      if (c->cb.spent != NULL)
        c->cb.spent (c, n, c->user_data);
      c->offset += n;
      c->sent += n;
      c->body_bytes += n;
      return;
    }
  if (c->offset < c->end && c->fd >= 0)
    {
      g_autoptr (GError) error = NULL;
      guint64 want = allowed (c, MIN (c->end - c->offset, (guint64) SEND_CHUNK));
      gssize n;

      if (want == 0)
        return;
      n = sv_stream_send_file (stream, c->fd, &c->offset, (gsize) want, &error);

      if (n > 0)
        {
          if (c->cb.spent != NULL)
            c->cb.spent (c, (guint64) n, c->user_data);
          c->sent += (guint64) n;
          c->body_bytes += (guint64) n;
          stall_deadline (c, stream);
        }
      else if (n < 0 && error != NULL)
        sv_stream_close (stream, END_FILE_ERROR, error->message);
      return;
    }
  next_request (c);
}

static void
on_connected (SvStream *stream, gpointer user_data)
{
  SvUploadConn *c = user_data;
  gsize len;
  const guint8 *giv = g_bytes_get_data (c->giv, &len);

  sv_stream_write (stream, giv, len);
  sv_stream_set_deadline (stream, SV_UPLOAD_CONN_HEAD_US, "no request after GIV");
}

static void
on_closed (SvStream *stream, guint code, const char *detail, gpointer user_data)
{
  SvUploadConn *c = user_data;

  answer_end (c, FALSE);
  if (c->closed_reported)
    return;
  c->closed_reported = TRUE;
  if (c->cb.closed != NULL)
    c->cb.closed (c, detail != NULL ? detail : "closed", c->user_data);
}

static const SvStreamCallbacks stream_callbacks = {
  .connected = on_connected,
  .input = on_input,
  .drained = on_drained,
  .closed = on_closed,
};

static SvUploadConn *
conn_new (const char *server, const SvUploadConnCallbacks *callbacks, gpointer user_data)
{
  SvUploadConn *c = g_new0 (SvUploadConn, 1);

  c->cb = *callbacks;
  c->user_data = user_data;
  c->server = g_strdup (server);
  c->parser = sv_gnet_http_parser_new ();
  c->pending = g_byte_array_new ();
  c->fd = -1;
  return c;
}

SvUploadConn *
sv_upload_conn_adopt (GSocketConnection *connection, const guint8 *prefix, gsize prefix_len,
                      const char *server, const SvUploadConnCallbacks *callbacks,
                      gpointer user_data)
{
  SvUploadConn *c = conn_new (server, callbacks, user_data);

  c->stream = sv_stream_adopt (connection, prefix, prefix_len, &stream_callbacks, c);
  sv_stream_set_deadline (c->stream, SV_UPLOAD_CONN_HEAD_US, "request head too slow");
  return c;
}

SvUploadConn *
sv_upload_conn_connect_giv (const SvHostAddr *addr, const SvHostAddr *local, GBytes *giv,
                            const char *server, const SvUploadConnCallbacks *callbacks,
                            gpointer user_data)
{
  SvUploadConn *c = conn_new (server, callbacks, user_data);

  c->giv = g_bytes_ref (giv);
  c->pushed = TRUE;
  c->stream = sv_stream_connect (addr, local, SV_UPLOAD_CONN_CONNECT_US, &stream_callbacks, c);
  return c;
}

void
sv_upload_conn_free (SvUploadConn *c)
{
  if (c == NULL)
    return;
  c->closed_reported = TRUE;
  c->cb.answered = NULL;
  answer_end (c, FALSE);
  if (c->throttle != NULL)
    {
      g_source_destroy (c->throttle);
      g_source_unref (c->throttle);
    }
  sv_stream_free (c->stream);
  sv_gnet_http_parser_free (c->parser);
  sv_gnet_http_request_free (c->held);
  g_byte_array_unref (c->pending);
  g_clear_pointer (&c->giv, g_bytes_unref);
  g_free (c->server);
  g_free (c);
}

const SvHostAddr *
sv_upload_conn_remote (const SvUploadConn *c)
{
  return sv_stream_remote (c->stream);
}

void
sv_upload_conn_get_info (const SvUploadConn *c, SvUploadConnInfo *out)
{
  memset (out, 0, sizeof *out);
  out->requests = c->requests;
  out->body_bytes = c->body_bytes;
  out->offset = c->offset;
  out->end = c->end;
  out->pushed = c->pushed;
  out->sending = c->state == SENDING;
  out->head_started = c->head_started;
}
