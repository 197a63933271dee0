/* alt-locs.c: alternate locations per file, bounded per file and in files. */
#include "config.h"

#include "alt-locs.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  SvHostAddr addr;
  gint64 seen_us;
} Loc;

typedef struct {
  SvSha1 sha1;
  Loc locs[SV_ALT_LOCS_PER_FILE];
  guint n;
  gint64 touched_us;
} File;

struct _SvAltLocs {
  GHashTable *files;   /* SvSha1* (in File) → File (owned) */
};

static guint
sha1_hash (gconstpointer key)
{
  guint h;

  memcpy (&h, key, sizeof h);
  return h;
}

static gboolean
sha1_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (SvSha1)) == 0;
}

SvAltLocs *
sv_alt_locs_new (void)
{
  SvAltLocs *locs = g_new0 (SvAltLocs, 1);

  locs->files = g_hash_table_new_full (sha1_hash, sha1_equal, NULL, g_free);
  return locs;
}

void
sv_alt_locs_free (SvAltLocs *locs)
{
  if (locs == NULL)
    return;
  g_hash_table_unref (locs->files);
  g_free (locs);
}

/* Forgets the file touched least recently. */
static void
forget_oldest (SvAltLocs *locs)
{
  GHashTableIter it;
  gpointer value;
  File *oldest = NULL;

  g_hash_table_iter_init (&it, locs->files);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (oldest == NULL || ((File *) value)->touched_us < oldest->touched_us)
      oldest = value;
  if (oldest != NULL)
    g_hash_table_remove (locs->files, &oldest->sha1);
}

gboolean
sv_alt_locs_add (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *addr, gboolean lan,
                 gint64 now_us)
{
  File *f;
  guint slot;

  if (addr->port == 0 || !sv_host_addr_is_connectable (addr, lan))
    return FALSE;
  f = g_hash_table_lookup (locs->files, sha1);
  if (f == NULL)
    {
      if (g_hash_table_size (locs->files) >= SV_ALT_LOCS_MAX_FILES)
        forget_oldest (locs);
      f = g_new0 (File, 1);
      f->sha1 = *sha1;
      g_hash_table_insert (locs->files, &f->sha1, f);
    }
  f->touched_us = now_us;
  for (slot = 0; slot < f->n; slot++)
    if (sv_host_addr_equal (&f->locs[slot].addr, addr))
      break;
  if (slot == f->n)
    {
      if (f->n < SV_ALT_LOCS_PER_FILE)
        f->n++;   /* a new entry at the end */
      else
        {
          /* Full: the least recently confirmed host makes room. */
          slot = 0;
          for (guint i = 1; i < f->n; i++)
            if (f->locs[i].seen_us < f->locs[slot].seen_us)
              slot = i;
        }
    }
  f->locs[slot].addr = *addr;
  f->locs[slot].seen_us = now_us;
  return TRUE;
}

guint
sv_alt_locs_add_header (SvAltLocs *locs, const SvSha1 *sha1, const char *x_alt, gboolean lan,
                        gint64 now_us)
{
  g_auto (GStrv) items = g_strsplit (x_alt, ",", SV_ALT_LOCS_PER_FILE + 1);
  guint n = 0;

  for (guint i = 0; items[i] != NULL && i < SV_ALT_LOCS_PER_FILE; i++)
    {
      const char *item = g_strstrip (items[i]);
      SvHostAddr a;

      if (sv_host_addr_parse (item, strlen (item), SV_HOST_ADDR_DEFAULT_PORT, &a) == SV_STATUS_OK
          && sv_alt_locs_add (locs, sha1, &a, lan, now_us))
        n++;
    }
  return n;
}

void
sv_alt_locs_remove (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *addr)
{
  File *f = g_hash_table_lookup (locs->files, sha1);

  if (f == NULL)
    return;
  for (guint i = 0; i < f->n; i++)
    if (sv_host_addr_equal (&f->locs[i].addr, addr))
      {
        f->locs[i] = f->locs[--f->n];
        break;
      }
  if (f->n == 0)
    g_hash_table_remove (locs->files, sha1);
}

static gint
newest_first (gconstpointer a, gconstpointer b)
{
  const Loc *x = a, *y = b;

  return x->seen_us > y->seen_us ? -1 : x->seen_us < y->seen_us ? 1 : 0;
}

guint
sv_alt_locs_get (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *exclude, SvHostAddr *out,
                 guint max)
{
  File *f = g_hash_table_lookup (locs->files, sha1);
  Loc sorted[SV_ALT_LOCS_PER_FILE];
  guint n = 0;

  if (f == NULL)
    return 0;
  memcpy (sorted, f->locs, f->n * sizeof (Loc));
  qsort (sorted, f->n, sizeof (Loc), newest_first);
  for (guint i = 0; i < f->n && n < max; i++)
    if (exclude == NULL || !sv_host_addr_same_ip (&sorted[i].addr, exclude))
      out[n++] = sorted[i].addr;
  return n;
}

char *
sv_alt_locs_header (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *exclude, guint max)
{
  SvHostAddr found[SV_ALT_LOCS_PER_FILE];
  guint n = sv_alt_locs_get (locs, sha1, exclude, found, MIN (max, SV_ALT_LOCS_PER_FILE));
  GString *out;

  if (n == 0)
    return NULL;
  out = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      char a[SV_HOST_ADDR_STRLEN];

      g_string_append_printf (out, "%s%s", i ? ", " : "", sv_host_addr_format (&found[i], TRUE, a));
    }
  return g_string_free (out, FALSE);
}

guint
sv_alt_locs_n_files (const SvAltLocs *locs)
{
  return g_hash_table_size (locs->files);
}
