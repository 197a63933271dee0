/* peer-conn.c: one Gnutella link over an SvStream: the handshake machine, message framing over a
 * bounded buffer, zlib both ways, the send queue, Bye and close. The socket, its buffers,
 * deadlines and the lingering close are the stream's (stream.c).
 *
 * Compression state per link: none going out (each batch comes from the thread's shared
 * deflater, batch-deflate.h); coming in, an inflater with windowBits 15 as the protocol requires
 * (about 7 KiB of state, and a 32 KiB window zlib fills as data arrives). */
#include "peer-conn.h"

#include <string.h>
#include <sys/mman.h>
#include <zlib.h>

#include "batch-deflate.h"
#include "msg-bye.h"
#include "net-buf.h"
#include "stream.h"

#define INFLATE_STATE_BYTES (44u * 1024u)
/* An empty framing buffer is released: most links are idle most of the time, and a buffer kept
 * per link would be most of an idle leaf's memory. Inflating fills it this much at a time. */
#define READ_KEEP_BYTES 0
#define INFLATE_STEP_BYTES 4096

typedef enum {
  ST_CONNECTING,
  ST_HANDSHAKE,
  ST_ESTABLISHED,
  ST_CLOSING,      /* the stream flushes our last bytes (Bye or handshake refusal), then lingers */
  ST_DONE,         /* ended; `closed` pending or delivered */
} State;

struct _SvPeerConn {
  guint64 id;
  gboolean outgoing;
  SvPeerConnConfig config;
  SvPeerConnCallbacks cb;
  gpointer user_data;

  State state;
  SvHandshake *hs;
  gboolean first_line_seen;   /* incoming: the first-line deadline gave way to the handshake's */
  SvStream *stream;

  SvNetBuf rbuf;           /* framing buffer (plain message bytes) */
  SvSendQueue *queue;

  gboolean inflating;
  gboolean inflate_ended;
  z_stream inflater;
  guint64 inflate_in_total;
  guint64 inflate_out_total;
  gboolean deflating;       /* our side is compressed (batch-deflate.h) */
  gboolean deflate_started; /* the zlib header went out */

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
  config->first_line_timeout_us = 5 * G_USEC_PER_SEC;
  config->read_buffer_bytes = SV_LINK_READ_BUFFER_BYTES;
  sv_send_queue_config_init (&config->send_queue);
  config->inflate_max_ratio = SV_INFLATE_MAX_RATIO;
  config->deflate_level = Z_BEST_SPEED;   /* every relayed byte is compressed once per link */
}

/* --- Ending --- */

/* Ends the link now; `closed` follows from idle (the stream's report). */
static void
finish (SvPeerConn *conn, SvPeerConnCloseReason reason, const char *detail)
{
  if (conn->state == ST_DONE)
    return;
  conn->state = ST_DONE;
  sv_send_queue_clear (conn->queue);
  sv_net_buf_clear (&conn->rbuf);
  sv_stream_close (conn->stream, SV_STREAM_END_OWNER + reason, detail);
}

/* Writes what is pending (the queue included), then lets the stream linger for the peer's
 * end, so our last bytes are not lost to a reset. */
static void
begin_closing (SvPeerConn *conn, SvPeerConnCloseReason reason, const char *detail)
{
  if (conn->state == ST_CLOSING || conn->state == ST_DONE)
    return;
  conn->state = ST_CLOSING;
  sv_net_buf_clear (&conn->rbuf);
  sv_stream_want_write (conn->stream, sv_send_queue_length (conn->queue) > 0);
  sv_stream_close_after_flush (conn->stream, SV_STREAM_END_OWNER + reason, detail);
}

static void
destroy (SvPeerConn *conn)
{
  if (conn->inflating)
    inflateEnd (&conn->inflater);
  sv_stream_free (conn->stream);
  sv_send_queue_free (conn->queue);
  sv_handshake_free (conn->hs);
  sv_net_buf_clear (&conn->rbuf);
  g_free (conn);
}

void
sv_peer_conn_free (SvPeerConn *conn)
{
  if (conn == NULL || conn->freed)
    return;
  conn->freed = TRUE;
  conn->state = ST_DONE;
  if (conn->busy == 0)
    destroy (conn);
  else
    sv_stream_close (conn->stream, SV_STREAM_END_OWNER + SV_PEER_CONN_CLOSED_BY_US, "freed");
}

/* Leaves one of our handlers. Returns: FALSE when @conn was freed inside it (and is gone). */
static gboolean
leave (SvPeerConn *conn)
{
  conn->busy--;
  if (!conn->freed)
    return TRUE;
  if (conn->busy == 0)
    destroy (conn);
  return FALSE;
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

/* Compresses @len bytes (or flushes, @flush = Z_SYNC_FLUSH) with @z into the stream's buffer. */
static gboolean
deflate_into_stream (SvPeerConn *conn, z_stream *z, const guint8 *data, gsize len, int flush)
{
  z->next_in = (Bytef *) data;
  z->avail_in = (uInt) len;
  for (;;)
    {
      gsize room;
      guint8 *out = sv_stream_write_reserve (conn->stream, 4096, &room);
      int ret;

      room = MIN (room, (gsize) G_MAXUINT32);
      z->next_out = out;
      z->avail_out = (uInt) room;
      ret = deflate (z, flush);
      sv_stream_write_commit (conn->stream, room - z->avail_out);
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

/* Moves one batch of queued messages into the stream's buffer, so that a burst of small messages
 * (a query relayed to every peer) costs one write rather than one per message. Deflating, the
 * batch goes through zlib and ends with a sync flush, so that no message waits inside it.
 * Returns: FALSE when zlib failed. */
static gboolean
fill_stream (SvPeerConn *conn)
{
  gsize batch = 0;
  const guint8 *head;
  gsize head_len;
  z_stream *z = NULL;

  if (conn->deflating)
    {
      z = sv_batch_deflate_begin (conn->config.deflate_level);
      if (z == NULL)
        return FALSE;
      if (!conn->deflate_started)
        {
          sv_stream_write (conn->stream, (const guint8 *) SV_BATCH_DEFLATE_HEADER,
                           SV_BATCH_DEFLATE_HEADER_LEN);
          conn->deflate_started = TRUE;
        }
    }
  while (batch < SV_LINK_WRITE_BATCH_BYTES
         && (head = sv_send_queue_head (conn->queue, &head_len)) != NULL)
    {
      if (z == NULL)
        sv_stream_write (conn->stream, head, head_len);
      else if (!deflate_into_stream (conn, z, head, head_len, Z_NO_FLUSH))
        return FALSE;
      batch += head_len;
      account_sent (conn, head_len, head_len);
    }
  return z == NULL || deflate_into_stream (conn, z, NULL, 0, Z_SYNC_FLUSH);
}

/* The stream wrote everything: the next batch, or nothing more to ask for. */
static void
on_stream_drained (SvStream *stream, gpointer user_data)
{
  SvPeerConn *conn = user_data;

  if ((conn->state != ST_ESTABLISHED && conn->state != ST_CLOSING)
      || sv_send_queue_length (conn->queue) == 0)
    {
      sv_stream_want_write (stream, FALSE);
      return;
    }
  if (!fill_stream (conn))
    finish (conn, SV_PEER_CONN_CLOSED_IO_ERROR, "deflate failed");
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
  sv_stream_write (conn->stream, data, len);
}

SvSendVerdict
sv_peer_conn_send (SvPeerConn *conn, GBytes *msg, SvSendClass klass, guint8 hops)
{
  SvSendVerdict v;

  if (conn->state != ST_ESTABLISHED || sv_stream_is_closed (conn->stream))
    return SV_SEND_DROPPED;
  v = sv_send_queue_push (conn->queue, msg, klass, hops);
  if (v == SV_SEND_KICK)
    {
      send_bye (conn, SV_BYE_SEND_QUEUE_FULL, "Send Queue Full", SV_PEER_CONN_CLOSED_SEND_QUEUE,
                "send queue over its hard cap");
      return SV_SEND_KICK;
    }
  sv_stream_want_write (conn->stream, TRUE);
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
  SvNetBuf *b = &conn->rbuf;
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
  sv_net_buf_compact (b, READ_KEEP_BYTES);
  return ok;
}

static gboolean
feed_plain (SvPeerConn *conn, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      gsize room = sv_net_buf_reserve (&conn->rbuf, len, conn->config.read_buffer_bytes);
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
      gsize room = sv_net_buf_reserve (&conn->rbuf, INFLATE_STEP_BYTES,
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
      room = MIN (room, (gsize) INFLATE_STEP_BYTES);
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

/* The inflater's 32 KiB window comes from its own anonymous mapping: pages the peer's stream has
 * not yet reached are never touched and cost no memory, where a heap block would often land on
 * pages other links already dirtied. Smaller blocks (the inflater's state) come from the heap. */
#define WINDOW_MAP_MIN_BYTES (16u * 1024u)

typedef struct {
  gsize map_len;             /* 0: a heap block */
  gsize pad;                 /* keeps what follows 16-byte aligned */
} ZBlock;

static voidpf
zalloc_window (voidpf opaque, uInt items, uInt size)
{
  gsize want = (gsize) items * size;
  ZBlock *b;

  if (want + sizeof *b < WINDOW_MAP_MIN_BYTES)
    {
      b = g_try_malloc (sizeof *b + want);
      if (b == NULL)
        return Z_NULL;
      b->map_len = 0;
    }
  else
    {
      gsize len = sizeof *b + want;
      void *p = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (p == MAP_FAILED)
        return Z_NULL;
      b = p;
      b->map_len = len;
    }
  return b + 1;
}

static void
zfree_window (voidpf opaque, voidpf address)
{
  ZBlock *b = (ZBlock *) address - 1;

  if (b->map_len != 0)
    munmap (b, b->map_len);
  else
    g_free (b);
}

static gboolean
start_zlib (SvPeerConn *conn, const SvHandshakeResult *r)
{
  if (r->deflate_in)
    {
      conn->inflater.zalloc = zalloc_window;
      conn->inflater.zfree = zfree_window;
      if (inflateInit2 (&conn->inflater, 15) != Z_OK)
        return FALSE;
      conn->inflating = TRUE;
    }
  if (r->deflate_out)
    conn->deflating = TRUE;   /* the header goes out with the first batch */
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
      switch (hst)
        {
        case SV_HANDSHAKE_NEED_MORE:
          if (!conn->outgoing && !conn->first_line_seen
              && sv_handshake_progress (conn->hs) >= SV_HANDSHAKE_PROGRESS_FIRST_LINE)
            {
              /* The first line is in: the rest of the handshake deadline applies. */
              gint64 left = conn->stats.created_us + conn->config.handshake_timeout_us
                            - g_get_monotonic_time ();
              conn->first_line_seen = TRUE;
              sv_stream_set_deadline (conn->stream, MAX (left, 1), "handshake timed out");
            }
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
      sv_stream_set_deadline (conn->stream, 0, NULL);
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
      sv_stream_want_write (conn->stream, sv_send_queue_length (conn->queue) > 0);
      data += used;
      len -= used;
    }
  if (conn->state == ST_ESTABLISHED || conn->state == ST_CLOSING)
    return feed_stream (conn, data, len);
  return FALSE;
}

static gboolean
on_stream_input (SvStream *stream, const guint8 *data, gsize len, gpointer user_data)
{
  SvPeerConn *conn = user_data;
  gboolean go_on;

  conn->busy++;
  go_on = process_input (conn, data, len);
  if (!leave (conn))
    return FALSE;
  return go_on;
}

static void
on_stream_connected (SvStream *stream, gpointer user_data)
{
  SvPeerConn *conn = user_data;

  conn->state = ST_HANDSHAKE;
  sv_stream_set_deadline (stream, conn->config.handshake_timeout_us, "handshake timed out");
  queue_handshake_output (conn);
}

static void
on_stream_closed (SvStream *stream, guint code, const char *detail, gpointer user_data)
{
  SvPeerConn *conn = user_data;
  SvPeerConnCloseReason reason;

  switch (code)
    {
    case SV_STREAM_END_EOF:
      reason = SV_PEER_CONN_CLOSED_EOF;
      break;
    case SV_STREAM_END_TIMEOUT:
      reason = SV_PEER_CONN_CLOSED_TIMEOUT;
      break;
    case SV_STREAM_END_IO_ERROR:
      reason = SV_PEER_CONN_CLOSED_IO_ERROR;
      break;
    default:
      reason = code >= SV_STREAM_END_OWNER ? (SvPeerConnCloseReason) (code - SV_STREAM_END_OWNER)
                                           : SV_PEER_CONN_CLOSED_IO_ERROR;
      break;
    }
  conn->state = ST_DONE;
  sv_send_queue_clear (conn->queue);
  if (conn->cb.closed != NULL)
    conn->cb.closed (conn, reason, sv_handshake_result (conn->hs), detail, conn->user_data);
  /* @conn may be gone */
}

static const SvStreamCallbacks stream_callbacks = {
  on_stream_connected, on_stream_input, on_stream_drained, on_stream_closed,
};

/* --- Start --- */

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
  conn->hs = sv_handshake_new (outgoing ? SV_HANDSHAKE_OUTGOING : SV_HANDSHAKE_INCOMING, hs);
  conn->queue = sv_send_queue_new (&conn->config.send_queue);
  conn->stats.created_us = g_get_monotonic_time ();
  return conn;
}

SvPeerConn *
sv_peer_conn_new_outgoing (const SvHostAddr *addr, const SvHandshakeConfig *hs,
                           const SvPeerConnConfig *config, const SvPeerConnCallbacks *callbacks,
                           gpointer user_data)
{
  SvPeerConn *conn = conn_new (TRUE, hs, config, callbacks, user_data);

  conn->state = ST_CONNECTING;
  conn->stream = sv_stream_connect (addr, &conn->config.local, conn->config.connect_timeout_us,
                                    &stream_callbacks, conn);
  return conn;
}

SvPeerConn *
sv_peer_conn_new_incoming (GSocketConnection *connection, const guint8 *prefix, gsize prefix_len,
                           const SvHandshakeConfig *hs, const SvPeerConnConfig *config,
                           const SvPeerConnCallbacks *callbacks, gpointer user_data)
{
  SvPeerConn *conn = conn_new (FALSE, hs, config, callbacks, user_data);

  conn->state = ST_HANDSHAKE;
  conn->stream = sv_stream_adopt (connection, prefix, prefix_len, &stream_callbacks, conn);
  sv_stream_set_deadline (conn->stream,
                          conn->config.first_line_timeout_us > 0
                            ? MIN (conn->config.first_line_timeout_us, conn->config.handshake_timeout_us)
                            : conn->config.handshake_timeout_us,
                          "no handshake line in time");
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
  return sv_stream_remote (conn->stream);
}

gboolean
sv_peer_conn_is_outgoing (const SvPeerConn *conn)
{
  return conn->outgoing;
}

gboolean
sv_peer_conn_is_established (const SvPeerConn *conn)
{
  return conn->state == ST_ESTABLISHED && !sv_stream_is_closed (conn->stream);
}

const SvHandshakeResult *
sv_peer_conn_handshake (const SvPeerConn *conn)
{
  return sv_handshake_result (conn->hs);
}

SvHandshakeProgress
sv_peer_conn_handshake_progress (const SvPeerConn *conn)
{
  return conn->stats.established_us == 0 ? sv_handshake_progress (conn->hs)
                                          : SV_HANDSHAKE_PROGRESS_BLOCK;
}

void
sv_peer_conn_get_stats (const SvPeerConn *conn, SvPeerConnStats *out)
{
  SvStreamStats ss;

  sv_stream_get_stats (conn->stream, &ss);
  *out = conn->stats;
  out->wire_bytes_in = ss.bytes_in;
  out->wire_bytes_out = ss.bytes_out;
  out->last_rx_us = MAX (ss.last_rx_us, conn->stats.created_us);
  out->queued_bytes = sv_send_queue_bytes (conn->queue);
  out->flow_controlled = sv_send_queue_flow_controlled (conn->queue);
  out->queue = *sv_send_queue_stats (conn->queue);
  out->memory_bytes = sizeof *conn + conn->rbuf.cap + ss.buffer_bytes + out->queued_bytes
                      + (conn->inflating ? INFLATE_STATE_BYTES : 0);
}
