/* giv-reader.h: reads the GIV line of a connection the listener classified as a push callback,
 * then hands the socket over, so that the file can be fetched on it.
 *
 * The line is parsed by core/giv; at most SV_GIV_MAX_LINE_BYTES + 2 bytes are read and the
 * whole line must come within SV_GIV_READER_TIMEOUT_US. At most SV_GIV_READER_MAX connections
 * are read at once (a GIV flood is refused at the door and counted). */
#pragma once

#include <gio/gio.h>

#include "giv.h"
#include "host-addr.h"

#define SV_GIV_READER_TIMEOUT_US (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)
#define SV_GIV_READER_MAX        64

typedef struct _SvGivReader SvGivReader;

/* A complete GIV from @remote: @fd is a connected socket (transfer full: the callee closes it).
 * Not called for a line that does not parse (the connection is closed and counted). */
typedef void (*SvGivReaderFunc) (const SvGiv *giv, int fd, const SvHostAddr *remote,
                                 gpointer user_data);

/* Returns: (transfer full). */
SvGivReader *sv_giv_reader_new (SvGivReaderFunc func, gpointer user_data);
void sv_giv_reader_free (SvGivReader *reader);

/* Reads the rest of the GIV on @conn (a reference is taken) after @prefix. */
void sv_giv_reader_add (SvGivReader *reader, GSocketConnection *conn, const SvHostAddr *remote,
                        const guint8 *prefix, gsize prefix_len);

typedef struct {
  guint64 read;        /* GIV lines read whole */
  guint64 bad;         /* lines that did not parse, or too long */
  guint64 timeouts;
  guint64 refused;     /* over SV_GIV_READER_MAX */
} SvGivReaderCounters;
void sv_giv_reader_get_counters (const SvGivReader *reader, SvGivReaderCounters *out);
