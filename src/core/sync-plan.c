/* sync-plan.c: a folder mirror's actions (see sync-plan.h). */
#include "sync-plan.h"

#include <string.h>

gboolean
sv_sync_plan_name_ok (const char *name)
{
  if (name == NULL || name[0] == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0
      || strcmp (name, SV_SYNC_PLAN_STAGING) == 0 || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (*p == '/' || (guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

char *
sv_sync_plan_conflict_name (const char *name, const SvSha1 *sha1)
{
  g_autofree char *b32 = sv_base32_encode (sha1->b, sizeof sha1->b);
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name)
    dot = name + strlen (name);
  return g_strdup_printf ("%.*s" SV_SYNC_PLAN_CONFLICT_TAG "%.8s%s", (int) (dot - name), name, b32, dot);
}

static gboolean
same_sha1 (const SvSha1 *a, const SvSha1 *b)
{
  return memcmp (a, b, sizeof *a) == 0;
}

static void
add (GArray *out, SvSyncActionKind kind, guint remote, guint local)
{
  SvSyncAction a = { kind, remote, local };

  g_array_append_val (out, a);
}

GArray *
sv_sync_plan (const SvSyncRemote *remote, guint n_remote, const SvSyncLocal *local, guint n_local,
              gboolean delete_extra, SvSyncPlanCounts *counts)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (SvSyncAction));
  g_autoptr (GHashTable) local_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) remote_names = g_hash_table_new (g_str_hash, g_str_equal);   /* all */
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gboolean *used = g_new0 (gboolean, MAX (n_local, 1));   /* renamed away */
  SvSyncPlanCounts c = { 0 };

  for (guint i = 0; i < n_local; i++)
    g_hash_table_insert (local_by_name, (gpointer) local[i].name, GUINT_TO_POINTER (i + 1));
  for (guint r = 0; r < n_remote; r++)
    {
      if (!sv_sync_plan_name_ok (remote[r].name))
        c.skipped_names++;
      else if (!g_hash_table_add (remote_names, (gpointer) remote[r].name))
        c.duplicates++;
    }

  for (guint r = 0; r < n_remote; r++)
    {
      const SvSyncRemote *rf = &remote[r];
      guint at;

      if (!sv_sync_plan_name_ok (rf->name) || !g_hash_table_add (seen, (gpointer) rf->name))
        continue;
      at = GPOINTER_TO_UINT (g_hash_table_lookup (local_by_name, rf->name));
      if (at != 0)
        {
          const SvSyncLocal *lf = &local[at - 1];
          g_autofree char *conflict = NULL;
          guint cat;

          if (same_sha1 (&lf->sha1, &rf->sha1))
            add (out, SV_SYNC_KEEP, r, at - 1);
          else if (lf->placed)
            add (out, SV_SYNC_REPLACE, r, at - 1);
          else
            {
              c.conflicts++;
              conflict = sv_sync_plan_conflict_name (rf->name, &rf->sha1);
              cat = GPOINTER_TO_UINT (g_hash_table_lookup (local_by_name, conflict));
              if (cat == 0 || !same_sha1 (&local[cat - 1].sha1, &rf->sha1))
                add (out, SV_SYNC_CONFLICT, r, at - 1);
            }
          continue;
        }
      /* The name is free: is the content here already? */
      {
        guint renamable = 0, copyable = 0;

        for (guint l = 0; l < n_local; l++)
          {
            if (used[l] || !same_sha1 (&local[l].sha1, &rf->sha1))
              continue;
            if (copyable == 0)
              copyable = l + 1;
            /* Renamed at the source: placed here, and its name is gone there. */
            if (renamable == 0 && local[l].placed && !g_hash_table_contains (remote_names, local[l].name))
              renamable = l + 1;
          }
        if (renamable != 0)
          {
            used[renamable - 1] = TRUE;
            add (out, SV_SYNC_RENAME, r, renamable - 1);
          }
        else if (copyable != 0)
          add (out, SV_SYNC_COPY, r, copyable - 1);
        else
          add (out, SV_SYNC_FETCH, r, 0);
      }
    }

  if (delete_extra)
    for (guint l = 0; l < n_local; l++)
      if (local[l].placed && !used[l] && !g_hash_table_contains (remote_names, local[l].name))
        add (out, SV_SYNC_DELETE, 0, l);
  if (counts != NULL)
    *counts = c;
  return out;
}
