/* peer-conn.c: one Gnutella link over a non-blocking GSocket: connect, the handshake machine,
 * message framing over a bounded buffer, zlib both ways, the send queue, Bye and close.
 *
 * Compression state per link: the deflater uses windowBits 13 and memLevel 6 (about 64 KiB of
 * zlib state instead of 256 KiB at 15/8; still a standard zlib stream any inflater reads), the
 * inflater windowBits 15 as the protocol requires (about 44 KiB). */
#include "peer-conn.h"

#include <string.h>
#include <zlib.h>

#include "msg-bye.h"
#include "socket-addr.h"

#define DEFLATE_WINDOW_BITS 13
#define DEFLATE_MEM_LEVEL 6
#define DEFLATE_STATE_BYTES ((1u << (DEFLATE_WINDOW_BITS + 2)) + (1u << (DEFLATE_MEM_LEVEL + 9)) \
                             + 6u * 1024u)
#define INFLATE_STATE_BYTES (44u * 1024u)
#define WIRE_KEEP_BYTES (32u * 1024u)   /* a drained wire buffer larger than this is released */
#define READ_KEEP_BYTES (16u * 1024u)   /* an empty framing buffer larger than this is released */

typedef enum {
  ST_CONNECTING,
  ST_HANDSHAKE,
  ST_ESTABLISHED,
  ST_CLOSING,      /* flushing our last bytes (Bye or handshake refusal), then lingering */
  ST_DONE,         /* socket closed; `closed` pending or delivered */
} State;

typedef struct {
  guint8 *data;
  gsize len;
  gsize off;
  gsize cap;
} Buf;

typedef struct {
  SvPeerConn *conn;   /* NULL once the connection was freed */
} ConnectOp;

struct _SvPeerConn {
  guint64 id;
  gboolean outgoing;
  SvHostAddr remote;
  SvPeerConnConfig config;
  SvPeerConnCallbacks cb;
  gpointer user_data;
  GMainContext *context;

  State state;
  SvHandshake *hs;

  ConnectOp *connect_op;
  GCancellable *cancellable;
  GSocketConnection *connection;
  GSocket *socket;

  GSource *in_source;
  GSource *out_source;
  GSource *timer;          /* connect / handshake deadline */
  GSource *linger;         /* the 2 s cut while closing */
  GSource *idle;           /* start (incoming prefix) or the `closed` report */

  Buf prefix;              /* incoming: bytes the listener read, fed first */
  Buf rbuf;                /* framing buffer (plain message bytes) */
  Buf wire;                /* bytes to write before the send queue (handshake, compressed) */
  SvSendQueue *queue;

  gboolean inflating;
  gboolean inflate_ended;
  z_stream inflater;
  guint64 inflate_in_total;
  guint64 inflate_out_total;
  gboolean deflating;
  z_stream deflater;

  gboolean shut_wr;
  SvPeerConnCloseReason pending_reason;
  char *pending_detail;
  SvPeerConnCloseReason reason;
  char *detail;

  guint busy;              /* inside one of our handlers that calls the owner */
  gboolean freed;          /* sv_peer_conn_free() was called while busy */

  SvPeerConnStats stats;
};

static const char *const reason_names[SV_PEER_CONN_N_CLOSE_REASONS] = {
  "by-us", "eof", "io-error", "timeout", "refused", "handshake", "oversize", "inflate", "bye",
  "send-queue",
};

const char *
sv_peer_conn_close_reason_name (SvPeerConnCloseReason reason)
{
  if ((guint) reason >= SV_PEER_CONN_N_CLOSE_REASONS)
    return "unknown";
  return reason_names[reason];
}

void
sv_peer_conn_config_init (SvPeerConnConfig *config)
{
  memset (config, 0, sizeof *config);
  config->connect_timeout_us = 10 * G_USEC_PER_SEC;
  config->handshake_timeout_us = 20 * G_USEC_PER_SEC;
  config->read_buffer_bytes = SV_LINK_READ_BUFFER_BYTES;
  sv_send_queue_config_init (&config->send_queue);
  config->inflate_max_ratio = SV_INFLATE_MAX_RATIO;
  config->deflate_level = Z_BEST_SPEED;   /* every relayed byte is compressed once per link */
}

/* --- Buffers --- */

static void
buf_clear (Buf *b)
{
  g_free (b->data);
  memset (b, 0, sizeof *b);
}

/* Grows @b so that at least @want more bytes fit, never past @max in total.
 * Returns: the bytes that fit after its end (maybe fewer than @want, 0 when full). */
static gsize
buf_reserve (Buf *b, gsize want, gsize max)
{
  gsize need = b->len + want;

  if (need > max)
    need = max;
  if (need > b->cap)
    {
      gsize cap = MAX (b->cap * 2, (gsize) 4096);
      cap = MAX (cap, need);
      cap = MIN (cap, max);
      b->data = g_realloc (b->data, cap);
      b->cap = cap;
    }
  return b->cap > b->len ? b->cap - b->len : 0;
}

static void
buf_append (Buf *b, const guint8 *data, gsize len)
{
  buf_reserve (b, len, G_MAXSIZE);
  memcpy (b->data + b->len, data, len);
  b->len += len;
}

static gsize
buf_pending (const Buf *b)
{
  return b->len - b->off;
}

/* Forgets the sent bytes; releases a large drained buffer. */
static void
buf_compact (Buf *b, gsize keep_cap)
{
  if (b->off == 0)
    return;
  if (b->off >= b->len)
    {
      b->len = b->off = 0;
      if (b->cap > keep_cap)
        buf_clear (b);
      return;
    }
  memmove (b->data, b->data + b->off, b->len - b->off);
  b->len -= b->off;
  b->off = 0;
}

/* --- Sources --- */

static void
source_drop (GSource **s)
{
  if (*s != NULL)
    {
      g_source_destroy (*s);
      g_source_unref (*s);
      *s = NULL;
    }
}

static GSource *
attach (SvPeerConn *conn, GSource *s)
{
  g_source_attach (s, conn->context);
  return s;
}

static gboolean on_socket_in (GSocket *socket, GIOCondition cond, gpointer user_data);
static gboolean on_socket_out (GSocket *socket, GIOCondition cond, gpointer user_data);
static void finish (SvPeerConn *conn, SvPeerConnCloseReason reason, const char *detail);

static void
watch_in (SvPeerConn *conn)
{
  if (conn->in_source != NULL || conn->socket == NULL)
    return;
  conn->in_source = g_socket_create_source (conn->socket, G_IO_IN, NULL);
  g_source_set_callback (conn->in_source, G_SOURCE_FUNC (on_socket_in), conn, NULL);
  attach (conn, conn->in_source);
}

static gboolean
has_output (const SvPeerConn *conn)
{
  if (buf_pending (&conn->wire) > 0)
    return TRUE;
  if ((conn->state == ST_ESTABLISHED || conn->state == ST_CLOSING)
      && sv_send_queue_length (conn->queue) > 0)
    return TRUE;
  return FALSE;
}

/* Watches G_IO_OUT only while something waits to be written. */
static void
update_out_watch (SvPeerConn *conn)
{
  gboolean want = conn->socket != NULL && conn->state != ST_DONE && !conn->shut_wr
                  && (has_output (conn) || conn->state == ST_CLOSING);

  if (want && conn->out_source == NULL)
    {
      conn->out_source = g_socket_create_source (conn->socket, G_IO_OUT, NULL);
      g_source_set_callback (conn->out_source, G_SOURCE_FUNC (on_socket_out), conn, NULL);
      attach (conn, conn->out_source);
    }
  else if (!want)
    source_drop (&conn->out_source);
}

/* --- Teardown --- */

static void
close_socket (SvPeerConn *conn)
{
  source_drop (&conn->in_source);
  source_drop (&conn->out_source);
  if (conn->socket != NULL)
    {
      g_socket_close (conn->socket, NULL);
      g_clear_object (&conn->socket);
    }
  g_clear_object (&conn->connection);
}

static gboolean
on_closed_idle (gpointer user_data)
{
  SvPeerConn *conn = user_data;
  const SvHandshakeResult *r = sv_handshake_result (conn->hs);

  g_source_unref (conn->idle);
  conn->idle = NULL;
  if (conn->cb.closed != NULL)
    conn->cb.closed (conn, conn->reason, r, conn->detail, conn->user_data);
  return G_SOURCE_REMOVE;   /* @conn may be gone */
}

/* Ends the link now: the socket is closed, every source removed, `closed` scheduled once. */
static void
finish (SvPeerConn *conn, SvPeerConnCloseReason reason, const char *detail)
{
  if (conn->state == ST_DONE)
    return;
  conn->state = ST_DONE;
  conn->reason = reason;
  conn->detail = g_strdup (detail);
  if (conn->connect_op != NULL)
    {
      conn->connect_op->conn = NULL;
      conn->connect_op = NULL;
      g_cancellable_cancel (conn->cancellable);
    }
  source_drop (&conn->timer);
  source_drop (&conn->linger);
  source_drop (&conn->idle);
  close_socket (conn);
  sv_send_queue_clear (conn->queue);
  buf_clear (&conn->rbuf);
  buf_clear (&conn->wire);
  buf_clear (&conn->prefix);
  conn->idle = g_idle_source_new ();
  g_source_set_callback (conn->idle, on_closed_idle, conn, NULL);
  attach (conn, conn->idle);
}

static void
destroy (SvPeerConn *conn)
{
  if (conn->inflating)
    inflateEnd (&conn->inflater);
  if (conn->deflating)
    deflateEnd (&conn->deflater);
  g_clear_object (&conn->cancellable);
  sv_send_queue_free (conn->queue);
  sv_handshake_free (conn->hs);
  buf_clear (&conn->rbuf);
  buf_clear (&conn->wire);
  buf_clear (&conn->prefix);
  g_free (conn->pending_detail);
  g_free (conn->detail);
  g_main_context_unref (conn->context);
  g_free (conn);
}

void
sv_peer_conn_free (SvPeerConn *conn)
{
  if (conn == NULL || conn->freed)
    return;
  conn->freed = TRUE;
  if (conn->connect_op != NULL)
    {
      conn->connect_op->conn = NULL;
      conn->connect_op = NULL;
      g_cancellable_cancel (conn->cancellable);
    }
  conn->state = ST_DONE;
  source_drop (&conn->timer);
  source_drop (&conn->linger);
  source_drop (&conn->idle);
  close_socket (conn);
  if (conn->busy == 0)
    destroy (conn);
}

/* --- Closing with our last bytes --- */

static gboolean
on_linger (gpointer user_data)
{
  SvPeerConn *conn = user_data;

  g_source_unref (conn->linger);
  conn->linger = NULL;
  finish (conn, conn->pending_reason, conn->pending_detail);
  return G_SOURCE_REMOVE;
}

/* Writes what is pending, then shuts our side and waits (at most SV_LINK_BYE_LINGER_US) for the
 * peer's EOF, so our last bytes are not lost to a reset. */
static void
begin_closing (SvPeerConn *conn, SvPeerConnCloseReason reason, const char *detail)
{
  if (conn->state == ST_CLOSING || conn->state == ST_DONE)
    return;
  conn->state = ST_CLOSING;
  conn->pending_reason = reason;
  conn->pending_detail = g_strdup (detail);
  source_drop (&conn->timer);
  conn->linger = g_timeout_source_new ((guint) (SV_LINK_BYE_LINGER_US / 1000));
  g_source_set_callback (conn->linger, on_linger, conn, NULL);
  attach (conn, conn->linger);
  buf_clear (&conn->rbuf);
  watch_in (conn);
  update_out_watch (conn);
}

/* Returns: (transfer full) an encoded Bye message. */
static GBytes *
bye_message (guint16 code, const char *reason)
{
  g_autoptr (SvBye) bye = sv_bye_new (code, reason != NULL ? reason : "");
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  SvMsgHeader hdr = { .type = SV_MSG_BYE, .ttl = 1, .hops = 0 };

  sv_guid_new_message (&hdr.guid, NULL, 0);
  sv_bye_encode (bye, payload);
  return sv_msg_encode (&hdr, payload->data, payload->len);
}

static void
send_bye (SvPeerConn *conn, guint16 code, const char *reason, SvPeerConnCloseReason why,
          const char *detail)
{
  g_autoptr (GBytes) msg = NULL;

  if (conn->state != ST_ESTABLISHED)
    {
      if (conn->state != ST_DONE && conn->state != ST_CLOSING)
        finish (conn, why, detail);
      return;
    }
  msg = bye_message (code, reason);
  if (sv_send_queue_push (conn->queue, msg, SV_SEND_CONTROL, 0) != SV_SEND_QUEUED)
    {
      sv_send_queue_clear (conn->queue);
      sv_send_queue_push (conn->queue, msg, SV_SEND_CONTROL, 0);
    }
  begin_closing (conn, why, detail);
}

void
sv_peer_conn_bye (SvPeerConn *conn, guint16 code, const char *reason)
{
  g_autofree char *detail = g_strdup_printf ("sent bye %u", code);
  send_bye (conn, code, reason, SV_PEER_CONN_CLOSED_BY_US, detail);
}

void
sv_peer_conn_close (SvPeerConn *conn)
{
  finish (conn, SV_PEER_CONN_CLOSED_BY_US, "closed");
}

/* --- Writing --- */

/* Compresses @len bytes (or flushes, @flush = Z_SYNC_FLUSH) into the wire buffer. */
static gboolean
deflate_into_wire (SvPeerConn *conn, const guint8 *data, gsize len, int flush)
{
  z_stream *z = &conn->deflater;

  z->next_in = (Bytef *) data;
  z->avail_in = (uInt) len;
  for (;;)
    {
      gsize room = buf_reserve (&conn->wire, 4096, G_MAXSIZE);
      int ret;

      z->next_out = conn->wire.data + conn->wire.len;
      z->avail_out = (uInt) MIN (room, (gsize) G_MAXUINT32);
      ret = deflate (z, flush);
      conn->wire.len += room - z->avail_out;
      if (ret != Z_OK && ret != Z_BUF_ERROR)
        return FALSE;
      if (z->avail_in == 0 && z->avail_out != 0)
        return TRUE;
    }
}

static void
account_sent (SvPeerConn *conn, gsize n, gsize head_len)
{
  sv_send_queue_consume (conn->queue, n);
  conn->stats.bytes_out += n;
  if (n == head_len)
    conn->stats.msgs_out++;
}

/* Moves one batch of queued messages into the wire buffer, so that a burst of small messages
 * (a query relayed to every peer) costs one write rather than one per message. Deflating, the
 * batch goes through zlib and ends with a sync flush, so that no message waits inside it.
 * Returns: FALSE when zlib failed. */
static gboolean
fill_wire (SvPeerConn *conn)
{
  gsize batch = 0;
  const guint8 *head;
  gsize head_len;

  while (batch < SV_LINK_WRITE_BATCH_BYTES
         && (head = sv_send_queue_head (conn->queue, &head_len)) != NULL)
    {
      if (!conn->deflating)
        buf_append (&conn->wire, head, head_len);
      else if (!deflate_into_wire (conn, head, head_len, Z_NO_FLUSH))
        return FALSE;
      batch += head_len;
      account_sent (conn, head_len, head_len);
    }
  return !conn->deflating || deflate_into_wire (conn, NULL, 0, Z_SYNC_FLUSH);
}

/* Returns: bytes sent (0: would block), or -1 after finish(). */
static gssize
sock_send (SvPeerConn *conn, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  gssize n = g_socket_send (conn->socket, (const char *) data, len, NULL, &error);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return 0;
      finish (conn, conn->state == ST_CLOSING ? conn->pending_reason : SV_PEER_CONN_CLOSED_IO_ERROR,
              error->message);
      return -1;
    }
  conn->stats.wire_bytes_out += (guint64) n;
  return n;
}

static void
flush_output (SvPeerConn *conn)
{
  for (int i = 0; i < SV_LINK_WRITES_PER_WAKEUP && conn->socket != NULL; i++)
    {
      if (buf_pending (&conn->wire) > 0)
        {
          gssize n = sock_send (conn, conn->wire.data + conn->wire.off, buf_pending (&conn->wire));
          if (n <= 0)
            break;
          conn->wire.off += (gsize) n;
          buf_compact (&conn->wire, WIRE_KEEP_BYTES);
          continue;
        }
      if ((conn->state == ST_ESTABLISHED || conn->state == ST_CLOSING)
          && sv_send_queue_length (conn->queue) > 0)
        {
          const guint8 *head;
          gsize head_len;
          gssize n;

          if (conn->deflating || sv_send_queue_length (conn->queue) > 1)
            {
              if (!fill_wire (conn))
                {
                  finish (conn, SV_PEER_CONN_CLOSED_IO_ERROR, "deflate failed");
                  return;
                }
              continue;
            }
          /* One plain message: straight from the queue, no copy. */
          head = sv_send_queue_head (conn->queue, &head_len);
          n = sock_send (conn, head, head_len);
          if (n <= 0)
            break;
          account_sent (conn, (gsize) n, head_len);
          continue;
        }
      break;
    }
  if (conn->state == ST_CLOSING && conn->socket != NULL && !has_output (conn) && !conn->shut_wr)
    {
      g_socket_shutdown (conn->socket, FALSE, TRUE, NULL);
      conn->shut_wr = TRUE;
    }
  if (conn->state != ST_DONE)
    update_out_watch (conn);
}

static gboolean
on_socket_out (GSocket *socket, GIOCondition cond, gpointer user_data)
{
  SvPeerConn *conn = user_data;

  flush_output (conn);
  return G_SOURCE_CONTINUE;   /* update_out_watch() removes the source when done */
}

static void
queue_handshake_output (SvPeerConn *conn)
{
  g_autoptr (GBytes) out = sv_handshake_take_output (conn->hs);
  gsize len;
  const guint8 *data;

  if (out == NULL)
    return;
  data = g_bytes_get_data (out, &len);
  buf_append (&conn->wire, data, len);
}

SvSendVerdict
sv_peer_conn_send (SvPeerConn *conn, GBytes *msg, SvSendClass klass, guint8 hops)
{
  SvSendVerdict v;

  if (conn->state != ST_ESTABLISHED)
    return SV_SEND_DROPPED;
  v = sv_send_queue_push (conn->queue, msg, klass, hops);
  if (v == SV_SEND_KICK)
    {
      send_bye (conn, SV_BYE_SEND_QUEUE_FULL, "Send Queue Full", SV_PEER_CONN_CLOSED_SEND_QUEUE,
                "send queue over its hard cap");
      return SV_SEND_KICK;
    }
  update_out_watch (conn);
  return v;
}

/* --- Reading --- */

static void
deliver (SvPeerConn *conn, const SvMsgHeader *hdr, const guint8 *payload)
{
  conn->stats.msgs_in++;
  if (conn->cb.message != NULL)
    conn->cb.message (conn, hdr, payload, conn->user_data);
  if (hdr->type == SV_MSG_BYE && conn->state == ST_ESTABLISHED)
    {
      g_autoptr (SvBye) bye = NULL;
      g_autofree char *detail = NULL;

      if (sv_bye_decode (payload, hdr->length, &bye) == SV_STATUS_OK)
        detail = g_strdup_printf ("bye %u %s", bye->code, bye->reason);
      else
        detail = g_strdup ("bye");
      finish (conn, SV_PEER_CONN_CLOSED_BYE, detail);
    }
}

static void
oversize (SvPeerConn *conn, const SvMsgHeader *hdr)
{
  g_autofree char *detail = g_strdup_printf ("%s of %u bytes", sv_msg_type_name (hdr->type),
                                             hdr->length);
  send_bye (conn, SV_BYE_MESSAGE_TOO_BIG, "Message Too Big", SV_PEER_CONN_CLOSED_OVERSIZE,
            detail);
}

/* Hands every whole message in the framing buffer to the owner.
 * Returns: FALSE when the link stopped being established. */
static gboolean
frame_all (SvPeerConn *conn)
{
  Buf *b = &conn->rbuf;
  gboolean ok = TRUE;

  while (conn->state == ST_ESTABLISHED)
    {
      SvMsgHeader hdr;
      gsize total = 0;
      SvStatus st = sv_msg_header_frame (b->data + b->off, b->len - b->off, &hdr, &total);

      if (st == SV_STATUS_TOO_BIG
          || (st == SV_STATUS_NEED_MORE && b->len - b->off >= SV_MSG_HEADER_SIZE
              && (gsize) hdr.length + SV_MSG_HEADER_SIZE > conn->config.read_buffer_bytes))
        {
          oversize (conn, &hdr);
          return FALSE;
        }
      if (st != SV_STATUS_OK)
        break;
      b->off += total;
      deliver (conn, &hdr, b->data + b->off - total + SV_MSG_HEADER_SIZE);
    }
  if (conn->state != ST_ESTABLISHED)
    return FALSE;
  buf_compact (b, READ_KEEP_BYTES);
  return ok;
}

static gboolean
feed_plain (SvPeerConn *conn, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      gsize room = buf_reserve (&conn->rbuf, len, conn->config.read_buffer_bytes);
      gsize n = MIN (room, len);

      if (n == 0)
        {
          finish (conn, SV_PEER_CONN_CLOSED_OVERSIZE, "framing buffer full");
          return FALSE;
        }
      memcpy (conn->rbuf.data + conn->rbuf.len, data, n);
      conn->rbuf.len += n;
      conn->stats.bytes_in += n;
      data += n;
      len -= n;
      if (!frame_all (conn))
        return FALSE;
    }
  return TRUE;
}

static gboolean
feed_inflate (SvPeerConn *conn, const guint8 *data, gsize len)
{
  z_stream *z = &conn->inflater;

  if (len > 0 && conn->inflate_ended)
    {
      finish (conn, SV_PEER_CONN_CLOSED_INFLATE, "bytes after the end of the deflate stream");
      return FALSE;
    }
  z->next_in = (Bytef *) data;
  z->avail_in = (uInt) len;
  while (z->avail_in > 0)
    {
      gsize room = buf_reserve (&conn->rbuf, SV_LINK_READ_CHUNK_BYTES,
                                conn->config.read_buffer_bytes);
      uInt in_before = z->avail_in;
      gsize produced;
      guint64 budget;
      int ret;

      if (room == 0)
        {
          finish (conn, SV_PEER_CONN_CLOSED_OVERSIZE, "framing buffer full");
          return FALSE;
        }
      room = MIN (room, (gsize) SV_LINK_READ_CHUNK_BYTES);
      z->next_out = conn->rbuf.data + conn->rbuf.len;
      z->avail_out = (uInt) room;
      ret = inflate (z, Z_SYNC_FLUSH);
      produced = room - z->avail_out;
      conn->rbuf.len += produced;
      conn->stats.bytes_in += produced;
      conn->inflate_in_total += in_before - z->avail_in;
      conn->inflate_out_total += produced;
      if (ret == Z_STREAM_END)
        {
          conn->inflate_ended = TRUE;
          if (z->avail_in > 0)
            {
              finish (conn, SV_PEER_CONN_CLOSED_INFLATE, "bytes after the end of the deflate stream");
              return FALSE;
            }
        }
      else if (ret != Z_OK && ret != Z_BUF_ERROR)
        {
          finish (conn, SV_PEER_CONN_CLOSED_INFLATE, z->msg != NULL ? z->msg : "corrupt stream");
          return FALSE;
        }
      budget = SV_LINK_INFLATE_FREE_BYTES
               + (guint64) conn->config.inflate_max_ratio * conn->inflate_in_total;
      if (conn->inflate_out_total > budget)
        {
          finish (conn, SV_PEER_CONN_CLOSED_INFLATE, "inflation past the ratio budget");
          return FALSE;
        }
      if (!frame_all (conn))
        return FALSE;
      if (produced == 0 && in_before == z->avail_in)
        break;
    }
  return TRUE;
}

static gboolean
feed_stream (SvPeerConn *conn, const guint8 *data, gsize len)
{
  if (len == 0)
    return TRUE;
  if (conn->state == ST_CLOSING)
    return TRUE;   /* lingering: what arrives now is dropped */
  if (conn->inflating)
    return feed_inflate (conn, data, len);
  return feed_plain (conn, data, len);
}

static gboolean
start_zlib (SvPeerConn *conn, const SvHandshakeResult *r)
{
  if (r->deflate_in)
    {
      if (inflateInit2 (&conn->inflater, 15) != Z_OK)
        return FALSE;
      conn->inflating = TRUE;
    }
  if (r->deflate_out)
    {
      if (deflateInit2 (&conn->deflater, conn->config.deflate_level, Z_DEFLATED,
                        DEFLATE_WINDOW_BITS, DEFLATE_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
        return FALSE;
      conn->deflating = TRUE;
    }
  return TRUE;
}

/* Feeds the handshake, then the message stream. Returns: FALSE once the link is not readable. */
static gboolean
process_input (SvPeerConn *conn, const guint8 *data, gsize len)
{
  if (conn->state == ST_HANDSHAKE)
    {
      gsize used = 0;
      SvHandshakeState hst = sv_handshake_feed (conn->hs, data, len, &used);
      const SvHandshakeResult *r = sv_handshake_result (conn->hs);

      queue_handshake_output (conn);
      update_out_watch (conn);
      switch (hst)
        {
        case SV_HANDSHAKE_NEED_MORE:
          return TRUE;
        case SV_HANDSHAKE_REFUSED:
          {
            g_autofree char *detail = g_strdup_printf ("%s %u %s",
                                                       r->refused_by_us ? "we refused" : "refused",
                                                       r->code, r->reason ? r->reason : "");
            begin_closing (conn, SV_PEER_CONN_CLOSED_REFUSED, detail);
            return FALSE;
          }
        case SV_HANDSHAKE_FAILED:
          begin_closing (conn, SV_PEER_CONN_CLOSED_HANDSHAKE, sv_status_name (r->verdict));
          return FALSE;
        case SV_HANDSHAKE_ESTABLISHED:
          break;
        }
      source_drop (&conn->timer);
      if (!start_zlib (conn, r))
        {
          finish (conn, SV_PEER_CONN_CLOSED_IO_ERROR, "zlib initialisation failed");
          return FALSE;
        }
      conn->state = ST_ESTABLISHED;
      conn->stats.established_us = g_get_monotonic_time ();
      if (conn->cb.established != NULL)
        conn->cb.established (conn, r, conn->user_data);
      if (conn->state != ST_ESTABLISHED)
        return FALSE;
      update_out_watch (conn);
      data += used;
      len -= used;
    }
  if (conn->state == ST_ESTABLISHED || conn->state == ST_CLOSING)
    return feed_stream (conn, data, len);
  return FALSE;
}

static gboolean
on_socket_in (GSocket *socket, GIOCondition cond, gpointer user_data)
{
  SvPeerConn *conn = user_data;
  guint8 chunk[SV_LINK_READ_CHUNK_BYTES];

  conn->busy++;
  for (int i = 0; i < SV_LINK_READS_PER_WAKEUP && conn->socket != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive (conn->socket, (char *) chunk, sizeof chunk, NULL, &error);

      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            finish (conn, conn->state == ST_CLOSING ? conn->pending_reason
                                                    : SV_PEER_CONN_CLOSED_IO_ERROR,
                    conn->state == ST_CLOSING ? conn->pending_detail : error->message);
          break;
        }
      if (n == 0)
        {
          finish (conn, conn->state == ST_CLOSING ? conn->pending_reason : SV_PEER_CONN_CLOSED_EOF,
                  conn->state == ST_CLOSING ? conn->pending_detail : "end of stream");
          break;
        }
      conn->stats.wire_bytes_in += (guint64) n;
      conn->stats.last_rx_us = g_get_monotonic_time ();
      if (!process_input (conn, chunk, (gsize) n) && conn->state != ST_CLOSING)
        break;
    }
  conn->busy--;
  if (conn->freed && conn->busy == 0)
    {
      destroy (conn);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* --- Timers and start --- */

static gboolean
on_deadline (gpointer user_data)
{
  SvPeerConn *conn = user_data;

  g_source_unref (conn->timer);
  conn->timer = NULL;
  finish (conn, SV_PEER_CONN_CLOSED_TIMEOUT,
          conn->state == ST_CONNECTING ? "connect timed out" : "handshake timed out");
  return G_SOURCE_REMOVE;
}

static void
arm_deadline (SvPeerConn *conn, gint64 timeout_us)
{
  source_drop (&conn->timer);
  if (timeout_us <= 0)
    return;
  conn->timer = g_timeout_source_new ((guint) MIN (timeout_us / 1000, (gint64) G_MAXUINT));
  g_source_set_callback (conn->timer, on_deadline, conn, NULL);
  attach (conn, conn->timer);
}

static guint64
next_id (void)
{
  static guint64 counter;
  G_LOCK_DEFINE_STATIC (counter);
  guint64 id;

  G_LOCK (counter);
  id = ++counter;
  G_UNLOCK (counter);
  return id;
}

static SvPeerConn *
conn_new (gboolean outgoing, const SvHandshakeConfig *hs, const SvPeerConnConfig *config,
          const SvPeerConnCallbacks *callbacks, gpointer user_data)
{
  SvPeerConn *conn = g_new0 (SvPeerConn, 1);

  conn->id = next_id ();
  conn->outgoing = outgoing;
  if (config != NULL)
    conn->config = *config;
  else
    sv_peer_conn_config_init (&conn->config);
  if (conn->config.read_buffer_bytes < SV_MSG_HEADER_SIZE + 1)
    conn->config.read_buffer_bytes = SV_LINK_READ_BUFFER_BYTES;
  if (callbacks != NULL)
    conn->cb = *callbacks;
  conn->user_data = user_data;
  conn->context = g_main_context_ref_thread_default ();
  conn->hs = sv_handshake_new (outgoing ? SV_HANDSHAKE_OUTGOING : SV_HANDSHAKE_INCOMING, hs);
  conn->queue = sv_send_queue_new (&conn->config.send_queue);
  conn->stats.created_us = g_get_monotonic_time ();
  conn->stats.last_rx_us = conn->stats.created_us;
  return conn;
}

static gboolean
take_socket (SvPeerConn *conn, GSocketConnection *connection)
{
  conn->connection = g_object_ref (connection);
  conn->socket = g_object_ref (g_socket_connection_get_socket (connection));
  g_socket_set_blocking (conn->socket, FALSE);
  return TRUE;
}

static void
on_connected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ConnectOp *op = user_data;
  SvPeerConn *conn = op->conn;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);

  g_free (op);
  if (conn == NULL)
    return;   /* freed or closed meanwhile */
  conn->connect_op = NULL;
  if (connection == NULL)
    {
      finish (conn, SV_PEER_CONN_CLOSED_IO_ERROR, error->message);
      return;
    }
  take_socket (conn, connection);
  conn->state = ST_HANDSHAKE;
  arm_deadline (conn, conn->config.handshake_timeout_us);
  queue_handshake_output (conn);
  watch_in (conn);
  update_out_watch (conn);
}

SvPeerConn *
sv_peer_conn_new_outgoing (const SvHostAddr *addr, const SvHandshakeConfig *hs,
                           const SvPeerConnConfig *config, const SvPeerConnCallbacks *callbacks,
                           gpointer user_data)
{
  SvPeerConn *conn = conn_new (TRUE, hs, config, callbacks, user_data);
  g_autoptr (GSocketAddress) sa = sv_socket_addr_from_host (addr);
  g_autoptr (GSocketClient) client = NULL;

  conn->remote = *addr;
  conn->state = ST_CONNECTING;
  if (sa == NULL)
    {
      finish (conn, SV_PEER_CONN_CLOSED_IO_ERROR, "no address");
      return conn;
    }
  client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (client, FALSE);   /* peers are reached directly */
  if (conn->config.local.family != SV_HOST_ADDR_NONE && conn->config.local.family == addr->family)
    {
      SvHostAddr local = conn->config.local;
      g_autoptr (GSocketAddress) la = NULL;

      local.port = 0;
      la = sv_socket_addr_from_host (&local);
      g_socket_client_set_local_address (client, la);
    }
  conn->cancellable = g_cancellable_new ();
  conn->connect_op = g_new0 (ConnectOp, 1);
  conn->connect_op->conn = conn;
  arm_deadline (conn, conn->config.connect_timeout_us);
  /* conn->context is this thread's default context, where the callback will run: no push
   * (which would have to acquire the context, and fails while another thread holds it). */
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (sa), conn->cancellable,
                                 on_connected, conn->connect_op);
  return conn;
}

static gboolean
on_start (gpointer user_data)
{
  SvPeerConn *conn = user_data;
  gboolean go_on = TRUE;

  g_source_unref (conn->idle);
  conn->idle = NULL;
  conn->busy++;
  if (conn->prefix.len > 0)
    {
      go_on = process_input (conn, conn->prefix.data, conn->prefix.len);
      buf_clear (&conn->prefix);
    }
  if ((go_on || conn->state == ST_CLOSING) && conn->state != ST_DONE)
    watch_in (conn);
  conn->busy--;
  if (conn->freed && conn->busy == 0)
    destroy (conn);
  return G_SOURCE_REMOVE;
}

SvPeerConn *
sv_peer_conn_new_incoming (GSocketConnection *connection, const guint8 *prefix, gsize prefix_len,
                           const SvHandshakeConfig *hs, const SvPeerConnConfig *config,
                           const SvPeerConnCallbacks *callbacks, gpointer user_data)
{
  SvPeerConn *conn = conn_new (FALSE, hs, config, callbacks, user_data);
  g_autoptr (GSocketAddress) sa = g_socket_connection_get_remote_address (connection, NULL);

  sv_socket_addr_to_host (sa, &conn->remote);
  take_socket (conn, connection);
  conn->state = ST_HANDSHAKE;
  if (prefix_len > 0)
    buf_append (&conn->prefix, prefix, prefix_len);
  arm_deadline (conn, conn->config.handshake_timeout_us);
  conn->idle = g_idle_source_new ();
  g_source_set_callback (conn->idle, on_start, conn, NULL);
  attach (conn, conn->idle);
  return conn;
}

/* --- Accessors --- */

guint64
sv_peer_conn_id (const SvPeerConn *conn)
{
  return conn->id;
}

const SvHostAddr *
sv_peer_conn_remote (const SvPeerConn *conn)
{
  return &conn->remote;
}

gboolean
sv_peer_conn_is_outgoing (const SvPeerConn *conn)
{
  return conn->outgoing;
}

gboolean
sv_peer_conn_is_established (const SvPeerConn *conn)
{
  return conn->state == ST_ESTABLISHED;
}

const SvHandshakeResult *
sv_peer_conn_handshake (const SvPeerConn *conn)
{
  return sv_handshake_result (conn->hs);
}

void
sv_peer_conn_get_stats (const SvPeerConn *conn, SvPeerConnStats *out)
{
  *out = conn->stats;
  out->queued_bytes = sv_send_queue_bytes (conn->queue);
  out->flow_controlled = sv_send_queue_flow_controlled (conn->queue);
  out->queue = *sv_send_queue_stats (conn->queue);
  out->memory_bytes = sizeof *conn + conn->rbuf.cap + conn->wire.cap + conn->prefix.cap
                      + out->queued_bytes
                      + (conn->inflating ? INFLATE_STATE_BYTES : 0)
                      + (conn->deflating ? DEFLATE_STATE_BYTES : 0);
}
