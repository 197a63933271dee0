/* batch-deflate.c: the thread's shared raw deflater (see batch-deflate.h).
 *
 * memLevel 4 keeps the hash table that every reset clears at 4 KiB, so that a batch of one small
 * message does not pay for a large memset; the 32 KiB window covers a whole batch
 * (SV_LINK_WRITE_BATCH_BYTES). */
#include "batch-deflate.h"

#include <glib.h>

#define BATCH_WINDOW_BITS 15
#define BATCH_MEM_LEVEL   4

typedef struct {
  z_stream z;
  int level;
} Shared;

static void
shared_free (gpointer data)
{
  Shared *s = data;

  deflateEnd (&s->z);
  g_free (s);
}

static GPrivate shared_key = G_PRIVATE_INIT (shared_free);

z_stream *
sv_batch_deflate_begin (int level)
{
  Shared *s = g_private_get (&shared_key);

  if (s != NULL && s->level != level)
    {
      g_private_replace (&shared_key, NULL);
      s = NULL;
    }
  if (s == NULL)
    {
      s = g_new0 (Shared, 1);
      if (deflateInit2 (&s->z, level, Z_DEFLATED, -BATCH_WINDOW_BITS, BATCH_MEM_LEVEL,
                        Z_DEFAULT_STRATEGY) != Z_OK)
        {
          g_free (s);
          return NULL;
        }
      s->level = level;
      g_private_set (&shared_key, s);
      return &s->z;
    }
  if (deflateReset (&s->z) != Z_OK)
    return NULL;
  return &s->z;
}
