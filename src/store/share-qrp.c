/* share-qrp.c: a reference-counted QRP table fed file by file from the share library. */
#include "share-qrp.h"

#include <string.h>

#include "urn.h"

struct _SvShareQrp {
  GMutex lock;
  SvQrpTable *table;        /* slot present <=> counts[slot] > 0 */
  guint32 *counts;
  guint64 files;
  guint64 generation;       /* bumped by every change that flips a slot */
  guint64 sent;             /* generation of the last snapshot */
  gboolean seeded;
  guint64 seed_generation;  /* library generation the seed read */
  GArray *held;             /* HeldChange: changes that came before the seed */
  GArray *codes;            /* scratch: guint32 hash codes of one file */
};

typedef struct {
  gboolean added;
  char *words;
  SvSha1 sha1;
  guint64 generation;
} HeldChange;

static void
held_change_clear (gpointer data)
{
  g_free (((HeldChange *) data)->words);
}

SvShareQrp *
sv_share_qrp_new (guint32 slots, guint8 infinity)
{
  SvQrpTable *table = sv_qrp_table_new (slots, infinity);
  SvShareQrp *qrp;

  if (table == NULL)
    return NULL;
  qrp = g_new0 (SvShareQrp, 1);
  g_mutex_init (&qrp->lock);
  qrp->table = table;
  qrp->counts = g_new0 (guint32, slots);
  qrp->held = g_array_new (FALSE, FALSE, sizeof (HeldChange));
  g_array_set_clear_func (qrp->held, held_change_clear);
  qrp->codes = g_array_new (FALSE, FALSE, sizeof (guint32));
  return qrp;
}

void
sv_share_qrp_free (SvShareQrp *qrp)
{
  if (qrp == NULL)
    return;
  g_mutex_clear (&qrp->lock);
  sv_qrp_table_free (qrp->table);
  g_free (qrp->counts);
  g_array_unref (qrp->held);
  g_array_unref (qrp->codes);
  g_free (qrp);
}

/* The hash codes of one file into qrp->codes. Caller holds the lock. */
static void
file_codes (SvShareQrp *qrp, const char *words, const SvSha1 *sha1)
{
  g_array_set_size (qrp->codes, 0);
  if (words != NULL)
    sv_qrp_name_hashcodes (words, -1, qrp->codes);
  if (sha1 != NULL)
    {
      char urn[SV_URN_SHA1_LEN + 1];
      guint32 h;

      sv_urn_sha1_format (sha1, urn);
      if (sv_qrp_urn_hashcode (urn, &h))
        g_array_append_val (qrp->codes, h);
    }
}

static void
apply_locked (SvShareQrp *qrp, gboolean add, const char *words, const SvSha1 *sha1)
{
  gboolean flipped = FALSE;

  file_codes (qrp, words, sha1);
  for (guint i = 0; i < qrp->codes->len; i++)
    {
      guint32 slot = sv_qrp_table_slot (qrp->table, g_array_index (qrp->codes, guint32, i));
      guint32 *c = &qrp->counts[slot];

      if (*c == G_MAXUINT32)
        continue;                   /* saturated: stays present for good */
      if (add)
        {
          if ((*c)++ == 0)
            {
              sv_qrp_table_set (qrp->table, slot, TRUE);
              flipped = TRUE;
            }
        }
      else if (*c > 0 && --(*c) == 0)
        {
          sv_qrp_table_set (qrp->table, slot, FALSE);
          flipped = TRUE;
        }
    }
  if (add)
    qrp->files++;
  else if (qrp->files > 0)
    qrp->files--;
  if (flipped)
    qrp->generation++;
}

void
sv_share_qrp_add_file (SvShareQrp *qrp, const char *words, const SvSha1 *sha1)
{
  g_mutex_lock (&qrp->lock);
  apply_locked (qrp, TRUE, words, sha1);
  g_mutex_unlock (&qrp->lock);
}

void
sv_share_qrp_remove_file (SvShareQrp *qrp, const char *words, const SvSha1 *sha1)
{
  g_mutex_lock (&qrp->lock);
  apply_locked (qrp, FALSE, words, sha1);
  g_mutex_unlock (&qrp->lock);
}

void
sv_share_qrp_file_changed (const SvShareFileChange *change, gpointer user_data)
{
  SvShareQrp *qrp = user_data;
  gboolean added = change->event == SV_SHARE_FILE_ADDED;

  g_mutex_lock (&qrp->lock);
  if (!qrp->seeded)
    {
      HeldChange h = { added, g_strdup (change->words), change->sha1, change->generation };

      g_array_append_val (qrp->held, h);
    }
  else if (change->generation > qrp->seed_generation)
    apply_locked (qrp, added, change->words, &change->sha1);
  g_mutex_unlock (&qrp->lock);
}

static void
seed_file (const char *words, const SvSha1 *sha1, gpointer user_data)
{
  sv_share_qrp_add_file (user_data, words, sha1);
}

gboolean
sv_share_qrp_seed (SvShareQrp *qrp, SvShareLibrary *lib, GError **error)
{
  guint64 generation = 0;
  gboolean ok;

  /* Lock order: the library's commit lock, then ours (seed_file). The library calls
   * file_changed without holding its commit lock, so the order never inverts. */
  g_mutex_lock (&qrp->lock);
  sv_qrp_table_clear (qrp->table);
  memset (qrp->counts, 0, sizeof (guint32) * sv_qrp_table_slots (qrp->table));
  qrp->files = 0;
  qrp->seeded = FALSE;
  g_mutex_unlock (&qrp->lock);

  ok = sv_share_library_foreach_words_at (lib, seed_file, qrp, &generation, error);
  g_mutex_lock (&qrp->lock);
  if (ok)
    {
      qrp->seeded = TRUE;
      qrp->seed_generation = generation;
      for (guint i = 0; i < qrp->held->len; i++)
        {
          HeldChange *h = &g_array_index (qrp->held, HeldChange, i);

          if (h->generation > generation)
            apply_locked (qrp, h->added, h->words, &h->sha1);
        }
      g_array_set_size (qrp->held, 0);
    }
  else
    {
      sv_qrp_table_clear (qrp->table);
      memset (qrp->counts, 0, sizeof (guint32) * sv_qrp_table_slots (qrp->table));
      qrp->files = 0;
    }
  qrp->generation++;
  g_mutex_unlock (&qrp->lock);
  return ok;
}

/* A copy of the presence table and its generation, taken under one lock; @mark_sent clears
 * the dirty flag in the same critical section. */
static SvQrpTable *
copy_table (SvShareQrp *qrp, guint64 *generation, gboolean mark_sent)
{
  SvQrpTable *copy;

  g_mutex_lock (&qrp->lock);
  copy = sv_qrp_table_copy (qrp->table);
  if (generation != NULL)
    *generation = qrp->generation;
  if (mark_sent)
    qrp->sent = qrp->generation;
  g_mutex_unlock (&qrp->lock);
  return copy;
}

SvQrpTable *
sv_share_qrp_snapshot (SvShareQrp *qrp, guint64 *generation)
{
  return copy_table (qrp, generation, TRUE);
}

SvQrpTable *
sv_share_qrp_copy (SvShareQrp *qrp, guint64 *generation)
{
  return copy_table (qrp, generation, FALSE);
}

guint64
sv_share_qrp_generation (SvShareQrp *qrp)
{
  guint64 g;

  g_mutex_lock (&qrp->lock);
  g = qrp->generation;
  g_mutex_unlock (&qrp->lock);
  return g;
}

gboolean
sv_share_qrp_dirty (SvShareQrp *qrp)
{
  gboolean dirty;

  g_mutex_lock (&qrp->lock);
  dirty = qrp->generation != qrp->sent;
  g_mutex_unlock (&qrp->lock);
  return dirty;
}

guint32
sv_share_qrp_refcount (SvShareQrp *qrp, guint32 slot)
{
  guint32 c = 0;

  g_mutex_lock (&qrp->lock);
  if (slot < sv_qrp_table_slots (qrp->table))
    c = qrp->counts[slot];
  g_mutex_unlock (&qrp->lock);
  return c;
}

guint64
sv_share_qrp_files (SvShareQrp *qrp)
{
  guint64 n;

  g_mutex_lock (&qrp->lock);
  n = qrp->files;
  g_mutex_unlock (&qrp->lock);
  return n;
}
