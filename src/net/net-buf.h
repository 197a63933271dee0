/* net-buf.h: a byte buffer for the net adapters: bytes appended at the end, consumed from the
 * front, grown up to a cap and released when drained and large. */
#pragma once

#include <glib.h>

typedef struct {
  guint8 *data;
  gsize len;       /* bytes held, from data[0] */
  gsize off;       /* bytes of those already consumed */
  gsize cap;
} SvNetBuf;

/* Frees the storage and empties @b. */
void sv_net_buf_clear (SvNetBuf *b);
/* Grows @b so that at least @want more bytes fit, never past @max in total.
 * Returns: the bytes that fit after its end (maybe fewer than @want, 0 when full). */
gsize sv_net_buf_reserve (SvNetBuf *b, gsize want, gsize max);
void sv_net_buf_append (SvNetBuf *b, const guint8 *data, gsize len);
/* Bytes held and not consumed. */
gsize sv_net_buf_pending (const SvNetBuf *b);
/* Forgets the consumed bytes; releases a drained buffer whose capacity is over @keep_cap. */
void sv_net_buf_compact (SvNetBuf *b, gsize keep_cap);
