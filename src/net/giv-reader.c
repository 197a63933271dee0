/* giv-reader.c: the GIV line of push callbacks (see giv-reader.h). */
#include "giv-reader.h"

#include <errno.h>
#include <unistd.h>

#include "stream.h"

typedef struct {
  SvGivReader *reader;
  SvStream *stream;
  SvHostAddr remote;
  GSocketConnection *conn;
  GByteArray *buf;
  gboolean handed;
} Pending;

struct _SvGivReader {
  SvGivReaderFunc func;
  gpointer user_data;
  GHashTable *pending;   /* Pending set (owned) */
  SvGivReaderCounters counters;
};

static void
pending_free (gpointer data)
{
  Pending *p = data;

  sv_stream_free (p->stream);
  g_clear_object (&p->conn);
  g_byte_array_unref (p->buf);
  g_free (p);
}

SvGivReader *
sv_giv_reader_new (SvGivReaderFunc func, gpointer user_data)
{
  SvGivReader *r = g_new0 (SvGivReader, 1);

  r->func = func;
  r->user_data = user_data;
  r->pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, pending_free, NULL);
  return r;
}

void
sv_giv_reader_free (SvGivReader *r)
{
  if (r == NULL)
    return;
  g_hash_table_unref (r->pending);
  g_free (r);
}

static gboolean
on_input (SvStream *stream, const guint8 *data, gsize len, gpointer user_data)
{
  Pending *p = user_data;
  SvGivReader *r = p->reader;
  SvGiv giv;
  gsize used = 0;
  SvStatus st;
  int fd;

  if (p->handed)
    return FALSE;
  g_byte_array_append (p->buf, data, (guint) len);
  st = sv_giv_parse (p->buf->data, p->buf->len, &giv, &used);
  if (st == SV_STATUS_NEED_MORE)
    return TRUE;
  if (st != SV_STATUS_OK)
    {
      r->counters.bad++;
      sv_stream_close (stream, SV_STREAM_END_OWNER, "bad GIV");
      return FALSE;
    }
  /* The socket goes to the owner as a descriptor of its own; the stream's copy closes. */
  fd = dup (g_socket_get_fd (g_socket_connection_get_socket (p->conn)));
  p->handed = TRUE;
  r->counters.read++;
  sv_stream_close (stream, SV_STREAM_END_OWNER, "GIV read");
  if (fd >= 0)
    r->func (&giv, fd, &p->remote, r->user_data);
  return FALSE;
}

static void
on_closed (SvStream *stream, guint code, const char *detail, gpointer user_data)
{
  Pending *p = user_data;

  if (code == SV_STREAM_END_TIMEOUT)
    p->reader->counters.timeouts++;
  g_hash_table_remove (p->reader->pending, p);
}

static const SvStreamCallbacks callbacks = {
  .input = on_input,
  .closed = on_closed,
};

void
sv_giv_reader_add (SvGivReader *r, GSocketConnection *conn, const SvHostAddr *remote,
                   const guint8 *prefix, gsize prefix_len)
{
  Pending *p;

  if (g_hash_table_size (r->pending) >= SV_GIV_READER_MAX)
    {
      r->counters.refused++;
      return;   /* the listener closes it */
    }
  p = g_new0 (Pending, 1);
  p->reader = r;
  p->remote = *remote;
  p->conn = g_object_ref (conn);
  p->buf = g_byte_array_new ();
  g_hash_table_add (r->pending, p);
  p->stream = sv_stream_adopt (conn, prefix, prefix_len, &callbacks, p);
  sv_stream_set_deadline (p->stream, SV_GIV_READER_TIMEOUT_US, "GIV too slow");
}

void
sv_giv_reader_get_counters (const SvGivReader *r, SvGivReaderCounters *out)
{
  *out = r->counters;
}
