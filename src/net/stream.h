/* stream.h: one TCP connection on the main loop: connect or adopt, read, write from a buffer,
 * deadlines, a lingering close, and the end reported exactly once.
 *
 * The stream owns the GSocket, its sources, the output buffer and the timers; what the bytes mean
 * belongs to its owner (a Gnutella link today, uploads and downloads next), which sees them
 * through a callback table:
 *   - connected: an outgoing connection is up (never for an adopted one);
 *   - input: bytes read (at most SV_LINK_READ_CHUNK_BYTES at a time, SV_LINK_READS_PER_WAKEUP
 *     reads per wakeup); an adopted connection's prefix (bytes a listener already read) comes
 *     first. While the stream is lingering, input is read and dropped without a call;
 *   - drained: the output buffer is empty, the socket writable and the owner asked for more
 *     (sv_stream_want_write): it may append, or stop asking;
 *   - closed: the stream ended: from an idle callback on the stream's main context, exactly
 *     once, never from inside a call the owner made, so the owner may free the stream there.
 *     No callback follows it.
 *
 * Ending: sv_stream_close() ends at once; sv_stream_close_after_flush() writes what is buffered
 * (and what drained adds while the owner still asks), shuts the write side and waits at most
 * SV_LINK_BYE_LINGER_US for the peer's end, so that the last bytes are not lost to a reset; EOF,
 * errors and the linger running out then end it with the code given there. Otherwise EOF, a
 * socket error and a deadline end it with SV_STREAM_END_EOF, _IO_ERROR and _TIMEOUT. */
#pragma once

#include <gio/gio.h>

#include "host-addr.h"
#include "limits.h"

/* How a stream ended. Owners pass their own reasons as SV_STREAM_END_OWNER + n. */
enum {
  SV_STREAM_END_EOF = 1,          /* the peer closed */
  SV_STREAM_END_IO_ERROR,         /* connect or socket error */
  SV_STREAM_END_TIMEOUT,          /* the deadline ran out */
  SV_STREAM_END_OWNER = 16,
};

typedef struct _SvStream SvStream;

typedef struct {
  void (*connected) (SvStream *stream, gpointer user_data);
  /* Returns: FALSE to stop reading in this wakeup. */
  gboolean (*input) (SvStream *stream, const guint8 *data, gsize len, gpointer user_data);
  void (*drained) (SvStream *stream, gpointer user_data);
  /* @detail: (nullable) a short text for logs. */
  void (*closed) (SvStream *stream, guint code, const char *detail, gpointer user_data);
} SvStreamCallbacks;

/* Connects to @addr (from @local's address when it is set and of the same family; port
 * ignored), ending with SV_STREAM_END_TIMEOUT after @timeout_us (0: no limit). Callbacks run on
 * the thread-default main context. @callbacks is copied. Returns: (transfer full). */
SvStream *sv_stream_connect (const SvHostAddr *addr, const SvHostAddr *local, gint64 timeout_us,
                             const SvStreamCallbacks *callbacks, gpointer user_data);
/* Adopts an accepted connection (a reference is taken) whose first @prefix_len bytes the
 * listener already read; they are handed to input first, from idle. Returns: (transfer full). */
SvStream *sv_stream_adopt (GSocketConnection *connection, const guint8 *prefix, gsize prefix_len,
                           const SvStreamCallbacks *callbacks, gpointer user_data);
/* Closes the socket at once (no callback follows) and frees. NULL is ignored. Safe inside a
 * callback of this stream. */
void sv_stream_free (SvStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvStream, sv_stream_free)

/* A new descriptor for the socket (-1: none, or dup failed). It keeps the connection open after
 * the stream closes its own: how a connection is handed over (an upload connection becoming one
 * end of a relay). */
int sv_stream_dup_fd (const SvStream *stream);

/* The peer's address (the one dialled, or the accepted socket's). */
const SvHostAddr *sv_stream_remote (const SvStream *stream);

/* Ends with SV_STREAM_END_TIMEOUT and @detail after @timeout_us; replaces an earlier deadline;
 * 0 clears it. */
void sv_stream_set_deadline (SvStream *stream, gint64 timeout_us, const char *detail);

/* Appends @len bytes to the output buffer. */
void sv_stream_write (SvStream *stream, const guint8 *data, gsize len);
/* Room for at least @want more bytes at the end of the output buffer (for encoders); write into
 * it, then commit what was written. Returns: the room; *@room_out its size. */
guint8 *sv_stream_write_reserve (SvStream *stream, gsize want, gsize *room_out);
void sv_stream_write_commit (SvStream *stream, gsize n);
/* Asks for `drained` whenever the buffer empties (TRUE) or stops asking (FALSE). */
void sv_stream_want_write (SvStream *stream, gboolean want);
/* Sends up to @count bytes of the file @fd from *@offset straight to the socket (sendfile: no
 * copy through user space), advancing *@offset. Call it from `drained` (the output buffer must be
 * empty). Returns: bytes sent; 0 when the socket is full (drained comes again once it is
 * writable); -1 when the file could not be read (@error set; the stream is not ended, the owner
 * decides) or the stream ended on a socket error (@error NULL). */
gssize sv_stream_send_file (SvStream *stream, int fd, guint64 *offset, gsize count, GError **error);
/* Bytes in the output buffer not yet written. */
gsize sv_stream_pending (const SvStream *stream);

/* Ends now with @code (>= SV_STREAM_END_OWNER) and @detail. A second end is ignored. */
void sv_stream_close (SvStream *stream, guint code, const char *detail);
/* Writes what is left, then lingers (above) and ends with @code and @detail. */
void sv_stream_close_after_flush (SvStream *stream, guint code, const char *detail);
/* TRUE from sv_stream_close_after_flush() until the end. */
gboolean sv_stream_is_lingering (const SvStream *stream);
/* TRUE once the stream has ended (closed pending or delivered). */
gboolean sv_stream_is_closed (const SvStream *stream);

typedef struct {
  guint64 bytes_in;              /* read from the socket */
  guint64 bytes_out;             /* written to it */
  gint64 last_rx_us;             /* last byte read (creation time at first) */
  gsize buffer_bytes;            /* output buffer and prefix held now */
} SvStreamStats;

void sv_stream_get_stats (const SvStream *stream, SvStreamStats *out);
