/* stream.c: one TCP connection on the main loop (see stream.h). */
#include "stream.h"

#include <fcntl.h>

#include <errno.h>
#include <string.h>
#include <sys/sendfile.h>

#include "fd-watch.h"
#include "net-buf.h"
#include "socket-addr.h"

#define OUT_KEEP_BYTES 0   /* a drained output buffer is released (idle links hold none) */

typedef struct {
  SvStream *stream;   /* NULL once the stream ended or was freed */
} ConnectOp;

struct _SvStream {
  SvStreamCallbacks cb;
  gpointer user_data;
  GMainContext *context;
  SvHostAddr remote;

  ConnectOp *connect_op;
  GCancellable *cancellable;
  GSocketConnection *connection;
  GSocket *socket;

  SvFdWatch *watch;        /* readiness of the socket: G_IO_IN while reading, G_IO_OUT while
                            * something waits to be written */
  GSource *deadline;
  char *deadline_detail;
  GSource *linger;
  GSource *idle;           /* the adopted prefix, then the `closed` report */

  SvNetBuf out;
  SvNetBuf prefix;
  gboolean want_write;

  gboolean lingering;
  gboolean shut_wr;
  guint pending_code;
  char *pending_detail;

  gboolean ended;
  guint code;
  char *detail;

  guint busy;              /* inside a callback to the owner */
  gboolean freed;          /* sv_stream_free() was called while busy */

  SvStreamStats stats;
};

static void source_drop (GSource **s);
static void on_ready (SvFdWatch *watch, GIOCondition cond, gpointer user_data);

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
attach (SvStream *s, GSource *src, GSourceFunc func)
{
  g_source_set_callback (src, func, s, NULL);
  g_source_attach (src, s->context);
  return src;
}

static void finish (SvStream *s, guint code, const char *detail);

/* Watches the socket for what it was watched for, plus @add, minus @del. */
static void
rewatch (SvStream *s, GIOCondition add, GIOCondition del)
{
  GIOCondition now, cond;

  if (s->socket == NULL || s->ended)
    return;
  now = s->watch != NULL ? sv_fd_watch_get (s->watch) : 0;
  cond = (now | add) & ~del;
  if (cond == now)
    return;
  if (s->watch != NULL)
    sv_fd_watch_set (s->watch, cond);
  else if ((s->watch = sv_fd_watch_add (g_socket_get_fd (s->socket), cond, on_ready, s)) == NULL)
    finish (s, SV_STREAM_END_IO_ERROR, "socket cannot be watched");
}

static void
watch_in (SvStream *s)
{
  rewatch (s, G_IO_IN, 0);
}

/* Watches G_IO_OUT only while something waits to be written (or shut down). */
static void
update_out_watch (SvStream *s)
{
  gboolean want = !s->shut_wr
                  && (sv_net_buf_pending (&s->out) > 0 || s->want_write || s->lingering);

  rewatch (s, want ? G_IO_OUT : 0, want ? 0 : G_IO_OUT);
}

/* --- Ending --- */

static void
destroy (SvStream *s)
{
  g_clear_object (&s->cancellable);
  sv_net_buf_clear (&s->out);
  sv_net_buf_clear (&s->prefix);
  g_free (s->deadline_detail);
  g_free (s->pending_detail);
  g_free (s->detail);
  g_main_context_unref (s->context);
  g_free (s);
}

/* Leaves an owner's callback. Returns: FALSE when the stream was freed inside it (and is gone
 * now, or will be when the outermost callback leaves). */
static gboolean
leave (SvStream *s)
{
  s->busy--;
  if (!s->freed)
    return TRUE;
  if (s->busy == 0)
    destroy (s);
  return FALSE;
}

static void
stop_connecting (SvStream *s)
{
  if (s->connect_op != NULL)
    {
      s->connect_op->stream = NULL;
      s->connect_op = NULL;
      g_cancellable_cancel (s->cancellable);
    }
}

static void
close_socket (SvStream *s)
{
  g_clear_pointer (&s->watch, sv_fd_watch_remove);
  if (s->socket != NULL)
    {
      g_socket_close (s->socket, NULL);
      g_clear_object (&s->socket);
    }
  g_clear_object (&s->connection);
}

static gboolean
on_closed_idle (gpointer user_data)
{
  SvStream *s = user_data;

  g_source_unref (s->idle);
  s->idle = NULL;
  if (s->cb.closed != NULL)
    s->cb.closed (s, s->code, s->detail, s->user_data);
  return G_SOURCE_REMOVE;   /* @s may be gone */
}

/* Ends the stream now: socket closed, every source removed, `closed` scheduled once. */
static void
finish (SvStream *s, guint code, const char *detail)
{
  if (s->ended)
    return;
  s->ended = TRUE;
  s->code = code;
  s->detail = g_strdup (detail);
  stop_connecting (s);
  source_drop (&s->deadline);
  source_drop (&s->linger);
  source_drop (&s->idle);
  close_socket (s);
  sv_net_buf_clear (&s->out);
  sv_net_buf_clear (&s->prefix);
  s->idle = attach (s, g_idle_source_new (), on_closed_idle);
}

/* An end caused by the socket: while lingering, the owner's code stands. */
static void
finish_socket (SvStream *s, guint code, const char *detail)
{
  if (s->lingering)
    finish (s, s->pending_code, detail != NULL && code != SV_STREAM_END_EOF ? detail
                                                                             : s->pending_detail);
  else
    finish (s, code, detail);
}

void
sv_stream_free (SvStream *s)
{
  if (s == NULL || s->freed)
    return;
  s->freed = TRUE;
  s->ended = TRUE;
  stop_connecting (s);
  source_drop (&s->deadline);
  source_drop (&s->linger);
  source_drop (&s->idle);
  close_socket (s);
  if (s->busy == 0)
    destroy (s);
}

void
sv_stream_close (SvStream *s, guint code, const char *detail)
{
  finish (s, code, detail);
}

static gboolean
on_linger (gpointer user_data)
{
  SvStream *s = user_data;

  g_source_unref (s->linger);
  s->linger = NULL;
  finish (s, s->pending_code, s->pending_detail);
  return G_SOURCE_REMOVE;
}

void
sv_stream_close_after_flush (SvStream *s, guint code, const char *detail)
{
  if (s->lingering || s->ended)
    return;
  if (s->socket == NULL)
    {
      finish (s, code, detail);
      return;
    }
  s->lingering = TRUE;
  s->pending_code = code;
  s->pending_detail = g_strdup (detail);
  source_drop (&s->deadline);
  s->linger = attach (s, g_timeout_source_new ((guint) (SV_LINK_BYE_LINGER_US / 1000)), on_linger);
  watch_in (s);
  update_out_watch (s);
}

gboolean
sv_stream_is_lingering (const SvStream *s)
{
  return s->lingering && !s->ended;
}

gboolean
sv_stream_is_closed (const SvStream *s)
{
  return s->ended;
}

/* --- Deadline --- */

static gboolean
on_deadline (gpointer user_data)
{
  SvStream *s = user_data;

  g_source_unref (s->deadline);
  s->deadline = NULL;
  finish (s, SV_STREAM_END_TIMEOUT, s->deadline_detail);
  return G_SOURCE_REMOVE;
}

void
sv_stream_set_deadline (SvStream *s, gint64 timeout_us, const char *detail)
{
  source_drop (&s->deadline);
  if (timeout_us <= 0 || s->ended)
    return;
  g_free (s->deadline_detail);
  s->deadline_detail = g_strdup (detail);
  s->deadline = attach (s, g_timeout_source_new ((guint) MIN (timeout_us / 1000, (gint64) G_MAXUINT)),
                        on_deadline);
}

/* --- Writing --- */

void
sv_stream_write (SvStream *s, const guint8 *data, gsize len)
{
  if (s->ended || len == 0)
    return;
  sv_net_buf_append (&s->out, data, len);
  update_out_watch (s);
}

guint8 *
sv_stream_write_reserve (SvStream *s, gsize want, gsize *room_out)
{
  *room_out = sv_net_buf_reserve (&s->out, want, G_MAXSIZE);
  return s->out.data + s->out.len;
}

void
sv_stream_write_commit (SvStream *s, gsize n)
{
  s->out.len += n;
  if (n > 0)
    update_out_watch (s);
}

void
sv_stream_want_write (SvStream *s, gboolean want)
{
  if (s->want_write == want)
    return;
  s->want_write = want;
  update_out_watch (s);
}

gsize
sv_stream_pending (const SvStream *s)
{
  return sv_net_buf_pending (&s->out);
}

/* Returns: bytes sent (0: would block), or -1 after the stream ended. */
static gssize
sock_send (SvStream *s, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  gssize n = g_socket_send (s->socket, (const char *) data, len, NULL, &error);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return 0;
      finish_socket (s, SV_STREAM_END_IO_ERROR, error->message);
      return -1;
    }
  s->stats.bytes_out += (guint64) n;
  return n;
}

gssize
sv_stream_send_file (SvStream *s, int fd, guint64 *offset, gsize count, GError **error)
{
  off_t off = (off_t) *offset;
  ssize_t n;
  int saved;

  g_return_val_if_fail (sv_net_buf_pending (&s->out) == 0, -1);
  if (s->socket == NULL || s->ended)
    return -1;
  n = sendfile (g_socket_get_fd (s->socket), fd, &off, MIN (count, (gsize) G_MAXSSIZE / 2));
  saved = errno;
  if (n > 0)
    {
      *offset = (guint64) off;
      s->stats.bytes_out += (guint64) n;
      return n;
    }
  if (n < 0 && (saved == EAGAIN || saved == EINTR))
    return 0;
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the file ended early (it shrank)");
      return -1;
    }
  if (saved == EPIPE || saved == ECONNRESET || saved == ENOTCONN)
    {
      finish_socket (s, SV_STREAM_END_IO_ERROR, g_strerror (saved));
      return -1;
    }
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "sendfile: %s", g_strerror (saved));
  return -1;
}

/* Writes the buffer, asking the owner for more each time it empties. Returns: FALSE when the
 * stream was freed by the owner. */
static gboolean
flush (SvStream *s)
{
  for (int i = 0; i < SV_LINK_WRITES_PER_WAKEUP && s->socket != NULL && !s->ended; i++)
    {
      if (sv_net_buf_pending (&s->out) > 0)
        {
          gssize n = sock_send (s, s->out.data + s->out.off, sv_net_buf_pending (&s->out));

          if (n <= 0)
            break;
          s->out.off += (gsize) n;
          sv_net_buf_compact (&s->out, OUT_KEEP_BYTES);
          continue;
        }
      if (!s->want_write || s->cb.drained == NULL)
        break;
      s->busy++;
      s->cb.drained (s, s->user_data);
      if (!leave (s))
        return FALSE;
      if (sv_net_buf_pending (&s->out) == 0)
        break;
    }
  if (s->lingering && s->socket != NULL && !s->ended && sv_net_buf_pending (&s->out) == 0
      && !s->want_write && !s->shut_wr)
    {
      g_socket_shutdown (s->socket, FALSE, TRUE, NULL);
      s->shut_wr = TRUE;
    }
  update_out_watch (s);
  return TRUE;
}

/* --- Reading --- */

/* Hands @len bytes to the owner. Returns: FALSE to stop reading now (the owner said so, the
 * stream ended or was freed); *@gone: it was freed. */
static gboolean
deliver (SvStream *s, const guint8 *data, gsize len, gboolean *gone)
{
  gboolean go_on;

  *gone = FALSE;
  if (s->lingering)
    return TRUE;   /* what arrives while lingering is dropped */
  s->busy++;
  go_on = s->cb.input == NULL || s->cb.input (s, data, len, s->user_data);
  if (!leave (s))
    {
      *gone = TRUE;
      return FALSE;
    }
  return !s->ended && (go_on || s->lingering);
}

/* Returns: FALSE when the stream was freed by the owner. */
static gboolean
read_some (SvStream *s)
{
  guint8 chunk[SV_LINK_READ_CHUNK_BYTES];

  for (int i = 0; i < SV_LINK_READS_PER_WAKEUP && s->socket != NULL && !s->ended; i++)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive (s->socket, (char *) chunk, sizeof chunk, NULL, &error);
      gboolean gone;

      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            finish_socket (s, SV_STREAM_END_IO_ERROR, error->message);
          break;
        }
      if (n == 0)
        {
          finish_socket (s, SV_STREAM_END_EOF, "end of stream");
          break;
        }
      s->stats.bytes_in += (guint64) n;
      s->stats.last_rx_us = g_get_monotonic_time ();
      if (!deliver (s, chunk, (gsize) n, &gone))
        {
          if (gone)
            return FALSE;
          break;
        }
    }
  return TRUE;
}

static void
on_ready (SvFdWatch *watch, GIOCondition cond, gpointer user_data)
{
  SvStream *s = user_data;

  if ((cond & G_IO_IN) && !read_some (s))
    return;
  if ((cond & G_IO_OUT) && s->socket != NULL && !s->ended)
    flush (s);
}

/* --- Starting --- */

static SvStream *
stream_new (const SvStreamCallbacks *callbacks, gpointer user_data)
{
  SvStream *s = g_new0 (SvStream, 1);

  if (callbacks != NULL)
    s->cb = *callbacks;
  s->user_data = user_data;
  s->context = g_main_context_ref_thread_default ();
  s->stats.last_rx_us = g_get_monotonic_time ();
  return s;
}

static void
take_socket (SvStream *s, GSocketConnection *connection)
{
  s->connection = g_object_ref (connection);
  s->socket = g_object_ref (g_socket_connection_get_socket (connection));
  g_socket_set_blocking (s->socket, FALSE);
}

static void
on_connected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ConnectOp *op = user_data;
  SvStream *s = op->stream;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);

  g_free (op);
  if (s == NULL)
    return;   /* ended or freed meanwhile */
  s->connect_op = NULL;
  if (connection == NULL)
    {
      finish (s, SV_STREAM_END_IO_ERROR, error->message);
      return;
    }
  take_socket (s, connection);
  if (s->cb.connected != NULL)
    {
      s->busy++;
      s->cb.connected (s, s->user_data);
      if (!leave (s))
        return;
    }
  watch_in (s);
  update_out_watch (s);
}

SvStream *
sv_stream_connect (const SvHostAddr *addr, const SvHostAddr *local, gint64 timeout_us,
                   const SvStreamCallbacks *callbacks, gpointer user_data)
{
  SvStream *s = stream_new (callbacks, user_data);
  g_autoptr (GSocketAddress) sa = sv_socket_addr_from_host (addr);
  g_autoptr (GSocketClient) client = NULL;

  s->remote = *addr;
  if (sa == NULL)
    {
      finish (s, SV_STREAM_END_IO_ERROR, "no address");
      return s;
    }
  client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (client, FALSE);   /* peers are reached directly */
  if (local != NULL && local->family != SV_HOST_ADDR_NONE && local->family == addr->family)
    {
      SvHostAddr from = *local;
      g_autoptr (GSocketAddress) la = NULL;

      from.port = 0;
      la = sv_socket_addr_from_host (&from);
      g_socket_client_set_local_address (client, la);
    }
  s->cancellable = g_cancellable_new ();
  s->connect_op = g_new0 (ConnectOp, 1);
  s->connect_op->stream = s;
  sv_stream_set_deadline (s, timeout_us, "connect timed out");
  /* s->context is this thread's default context, where the callback will run: no push (which
   * would have to acquire the context, and fails while another thread holds it). */
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (sa), s->cancellable, on_connected,
                                 s->connect_op);
  return s;
}

static gboolean
on_start (gpointer user_data)
{
  SvStream *s = user_data;

  g_source_unref (s->idle);
  s->idle = NULL;
  if (s->prefix.len > 0)
    {
      g_autofree guint8 *data = g_steal_pointer (&s->prefix.data);
      gsize len = s->prefix.len;
      gboolean gone;

      memset (&s->prefix, 0, sizeof s->prefix);
      deliver (s, data, len, &gone);
      if (gone)
        return G_SOURCE_REMOVE;
    }
  watch_in (s);
  return G_SOURCE_REMOVE;
}

SvStream *
sv_stream_adopt (GSocketConnection *connection, const guint8 *prefix, gsize prefix_len,
                 const SvStreamCallbacks *callbacks, gpointer user_data)
{
  SvStream *s = stream_new (callbacks, user_data);
  g_autoptr (GSocketAddress) sa = g_socket_connection_get_remote_address (connection, NULL);

  sv_socket_addr_to_host (sa, &s->remote);
  take_socket (s, connection);
  if (prefix_len > 0)
    sv_net_buf_append (&s->prefix, prefix, prefix_len);
  s->idle = attach (s, g_idle_source_new (), on_start);
  return s;
}

/* --- Accessors --- */

int
sv_stream_dup_fd (const SvStream *s)
{
  if (s->socket == NULL || s->ended)
    return -1;
  return fcntl (g_socket_get_fd (s->socket), F_DUPFD_CLOEXEC, 0);
}

const SvHostAddr *
sv_stream_remote (const SvStream *s)
{
  return &s->remote;
}

void
sv_stream_get_stats (const SvStream *s, SvStreamStats *out)
{
  *out = s->stats;
  out->buffer_bytes = s->out.cap + s->prefix.cap;
}
