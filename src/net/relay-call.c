/* relay-call.c: the call to a relay (see relay-call.h), on GIO's asynchronous sockets. */
#include "relay-call.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "http-response.h"
#include "rendezvous.h"
#include "socket-addr.h"

struct _SvRelayCall {
  GCancellable *cancel;
  GSocketConnection *conn;
  char *request;
  GByteArray *head;          /* what came so far */
  guint8 buf[1024];
  guint timer;
  SvRelayCallDone done;
  gpointer user_data;
};

static void
finish (SvRelayCall *call, int fd, GBytes *extra, GError *error)
{
  if (call->timer != 0)
    g_source_remove (call->timer);
  call->timer = 0;
  call->done (fd, extra, error, call->user_data);
}

/* A step failed. Cancelled means the call was freed, or timed out and said so: @call may be
 * gone then and is not touched. */
static void
fail (SvRelayCall *call, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  finish (call, -1, NULL, error);
}

static gboolean
on_timeout (gpointer user_data)
{
  SvRelayCall *call = user_data;
  g_autoptr (GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                          "the relay did not connect us in time");

  call->timer = 0;
  g_cancellable_cancel (call->cancel);
  call->done (-1, NULL, error, call->user_data);
  return G_SOURCE_REMOVE;
}

/* The head is complete at @end (just past its empty line): check it, hand the socket on. */
static void
head_done (SvRelayCall *call, gsize end)
{
  SvHttpResponse resp;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) extra = NULL;
  const char *p = (const char *) call->head->data;
  gsize pos = 0;
  gboolean ended = FALSE;
  int fd;

  sv_http_response_init (&resp);
  while (pos < end && !ended)
    {
      const char *nl = memchr (p + pos, '\n', end - pos);
      gsize len = (gsize) (nl - (p + pos)) + 1;

      if (sv_http_response_feed_line (&resp, p + pos, len, &ended) != SV_STATUS_OK)
        break;
      pos += len;
    }
  if (!ended || resp.status != 200)
    {
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, ended ? "the relay answered %u"
                                                                : "the relay's answer is malformed",
                           resp.status);
      sv_http_response_clear (&resp);
      finish (call, -1, NULL, error);
      return;
    }
  sv_http_response_clear (&resp);
  fd = fcntl (g_socket_get_fd (g_socket_connection_get_socket (call->conn)), F_DUPFD_CLOEXEC, 0);
  if (fd < 0)
    {
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot keep the relayed connection");
      finish (call, -1, NULL, error);
      return;
    }
  if (call->head->len > end)
    extra = g_bytes_new (call->head->data + end, call->head->len - end);
  finish (call, fd, extra, NULL);
}

static void read_more (SvRelayCall *call);

static void
on_read (GObject *source, GAsyncResult *res, gpointer user_data)
{
  SvRelayCall *call = user_data;
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);
  guint8 *end;

  if (n <= 0)
    {
      if (n == 0)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             "the relay closed without an answer");
      fail (call, error);
      return;
    }
  g_byte_array_append (call->head, call->buf, (guint) n);
  end = memmem (call->head->data, call->head->len, "\r\n\r\n", 4);
  if (end != NULL)
    {
      head_done (call, (gsize) (end - call->head->data) + 4);
      return;
    }
  if (call->head->len >= SV_RELAY_CALL_MAX_HEAD)
    {
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           "the relay's answer head is over %d bytes", SV_RELAY_CALL_MAX_HEAD);
      finish (call, -1, NULL, error);
      return;
    }
  read_more (call);
}

static void
read_more (SvRelayCall *call)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (call->conn)), call->buf,
                             sizeof call->buf, G_PRIORITY_DEFAULT, call->cancel, on_read, call);
}

static void
on_written (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, &error))
    {
      fail (user_data, error);
      return;
    }
  read_more (user_data);
}

static void
on_connected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  SvRelayCall *call = user_data;
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);

  if (conn == NULL)
    {
      fail (call, error);   /* touches nothing of a freed call: cancelled */
      return;
    }
  call->conn = conn;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (call->conn)),
                                   call->request, strlen (call->request), G_PRIORITY_DEFAULT,
                                   call->cancel, on_written, call);
}

SvRelayCall *
sv_relay_call_start (const SvHostAddr *broker, const SvGuid *leaf, const SvGuid *token,
                     SvRelayCallDone done, gpointer user_data)
{
  SvRelayCall *call = g_new0 (SvRelayCall, 1);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) to = sv_socket_addr_from_host (broker);
  char b[SV_HOST_ADDR_STRLEN];
  g_autofree char *target = NULL;

  call->cancel = g_cancellable_new ();
  call->head = g_byte_array_new ();
  call->done = done;
  call->user_data = user_data;
  target = sv_rendezvous_target (TRUE, leaf, token, FALSE);
  call->request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                                   target, sv_host_addr_format (broker, TRUE, b));
  call->timer = g_timeout_add ((guint) (SV_RELAY_CALL_TIMEOUT_US / 1000), on_timeout, call);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (to), call->cancel, on_connected, call);
  return call;
}

void
sv_relay_call_free (SvRelayCall *call)
{
  if (call == NULL)
    return;
  if (call->timer != 0)
    g_source_remove (call->timer);
  g_cancellable_cancel (call->cancel);
  g_object_unref (call->cancel);
  g_clear_object (&call->conn);
  g_byte_array_unref (call->head);
  g_free (call->request);
  g_free (call);
}
