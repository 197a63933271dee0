/* share-hits.c: share-index results cut into QueryHit payloads. */
#include "share-hits.h"

GPtrArray *
sv_share_hits_build (const SvQueryHitOwn *own, const SvShareResult *results, guint n)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree SvQueryHitFile *files = g_new0 (SvQueryHitFile, MAX (n, 1));
  guint n_files = 0, done = 0;

  for (guint i = 0; i < n; i++)
    {
      if (results[i].index > G_MAXUINT32 || results[i].name == NULL)
        continue;
      files[n_files].index = (guint32) results[i].index;
      files[n_files].size = results[i].size;
      files[n_files].name = results[i].name;
      files[n_files].sha1 = &results[i].sha1;
      n_files++;
    }
  while (done < n_files)
    {
      guint used = 0;
      g_autoptr (SvQueryHit) hit = sv_queryhit_build (own, files + done, n_files - done, &used);
      GByteArray *payload;

      if (hit == NULL || used == 0)
        break;
      payload = g_byte_array_new ();
      sv_queryhit_encode (hit, payload);
      g_ptr_array_add (out, g_byte_array_free_to_bytes (payload));
      done += used;
    }
  return out;
}
