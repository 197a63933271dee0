/* net-buf.c: the net adapters' byte buffer (see net-buf.h). */
#include "net-buf.h"

#include <string.h>

void
sv_net_buf_clear (SvNetBuf *b)
{
  g_free (b->data);
  memset (b, 0, sizeof *b);
}

gsize
sv_net_buf_reserve (SvNetBuf *b, gsize want, gsize max)
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

void
sv_net_buf_append (SvNetBuf *b, const guint8 *data, gsize len)
{
  sv_net_buf_reserve (b, len, G_MAXSIZE);
  memcpy (b->data + b->len, data, len);
  b->len += len;
}

gsize
sv_net_buf_pending (const SvNetBuf *b)
{
  return b->len - b->off;
}

void
sv_net_buf_compact (SvNetBuf *b, gsize keep_cap)
{
  if (b->off == 0 && b->len > 0)
    return;
  if (b->off >= b->len)
    {
      b->len = b->off = 0;
      if (b->cap > keep_cap)
        sv_net_buf_clear (b);
      return;
    }
  memmove (b->data, b->data + b->off, b->len - b->off);
  b->len -= b->off;
  b->off = 0;
}
