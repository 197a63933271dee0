/* share-set.c: the shared folders: settings plus run-time changes kept in <state>/shares.ini. */
#include "config.h"

#include "share-set.h"

#include <stdlib.h>
#include <string.h>

#define GROUP "shares"

G_DEFINE_QUARK (sv-share-set-error-quark, sv_share_set_error)

struct _SvShareSet {
  char *path;            /* <state>/shares.ini */
  char *state_dir;       /* resolved */
  GPtrArray *configured; /* resolved when they exist, as given otherwise (an away disk) */
  GPtrArray *added;      /* resolved */
  GPtrArray *removed;    /* resolved */
  GPtrArray *folders;    /* the result, NULL-terminated */
};

/* The folder as the index knows it: resolved when it exists. Returns: (transfer full). */
static char *
canonical (const char *folder)
{
  char *r = realpath (folder, NULL);
  char *out = g_strdup (r != NULL ? r : folder);

  free (r);
  return out;
}

static gboolean
has (GPtrArray *list, const char *folder)
{
  for (guint i = 0; i < list->len; i++)
    if (strcmp (list->pdata[i], folder) == 0)
      return TRUE;
  return FALSE;
}

static void
drop (GPtrArray *list, const char *folder)
{
  for (guint i = 0; i < list->len; i++)
    if (strcmp (list->pdata[i], folder) == 0)
      {
        g_ptr_array_remove_index (list, i);
        return;
      }
}

static void
recompute (SvShareSet *set)
{
  g_ptr_array_set_size (set->folders, 0);
  for (guint i = 0; i < set->configured->len; i++)
    if (!has (set->removed, set->configured->pdata[i]) && !has (set->folders, set->configured->pdata[i]))
      g_ptr_array_add (set->folders, set->configured->pdata[i]);
  for (guint i = 0; i < set->added->len; i++)
    if (!has (set->folders, set->added->pdata[i]))
      g_ptr_array_add (set->folders, set->added->pdata[i]);
}

static void
read_list (GKeyFile *kf, const char *key, GPtrArray *out)
{
  g_auto (GStrv) items = g_key_file_get_string_list (kf, GROUP, key, NULL, NULL);

  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    if (g_path_is_absolute (items[i]) && !has (out, items[i]))
      g_ptr_array_add (out, g_strdup (items[i]));
}

SvShareSet *
sv_share_set_load (const char *state_dir, const char *const *configured)
{
  SvShareSet *set = g_new0 (SvShareSet, 1);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  set->path = g_build_filename (state_dir, "shares.ini", NULL);
  set->state_dir = canonical (state_dir);
  set->configured = g_ptr_array_new_with_free_func (g_free);
  set->added = g_ptr_array_new_with_free_func (g_free);
  set->removed = g_ptr_array_new_with_free_func (g_free);
  set->folders = g_ptr_array_new_null_terminated (4, NULL, TRUE);
  for (guint i = 0; configured != NULL && configured[i] != NULL; i++)
    g_ptr_array_add (set->configured, canonical (configured[i]));
  if (g_key_file_load_from_file (kf, set->path, G_KEY_FILE_NONE, &error))
    {
      read_list (kf, "added", set->added);
      read_list (kf, "removed", set->removed);
    }
  else if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("%s: %s; the share changes made at run time are ignored", set->path, error->message);
  recompute (set);
  return set;
}

void
sv_share_set_set_configured (SvShareSet *set, const char *const *configured)
{
  g_ptr_array_set_size (set->configured, 0);
  for (guint i = 0; configured != NULL && configured[i] != NULL; i++)
    g_ptr_array_add (set->configured, canonical (configured[i]));
  recompute (set);
}

void
sv_share_set_free (SvShareSet *set)
{
  if (set == NULL)
    return;
  g_ptr_array_unref (set->folders);
  g_ptr_array_unref (set->configured);
  g_ptr_array_unref (set->added);
  g_ptr_array_unref (set->removed);
  g_free (set->state_dir);
  g_free (set->path);
  g_free (set);
}

const char *const *
sv_share_set_folders (const SvShareSet *set)
{
  static const char *const none[] = { NULL };

  return set->folders->len > 0 ? (const char *const *) set->folders->pdata : none;
}

static gboolean
save (SvShareSet *set, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize len;
  GError *e = NULL;

  g_key_file_set_comment (kf, NULL, NULL, " Shared folders added and removed with 'servent share'"
                          " (kept by serventd; servent.conf is never rewritten).", NULL);
  g_key_file_set_string_list (kf, GROUP, "added", (const char *const *) set->added->pdata, set->added->len);
  g_key_file_set_string_list (kf, GROUP, "removed", (const char *const *) set->removed->pdata,
                              set->removed->len);
  data = g_key_file_to_data (kf, &len, NULL);
  if (!g_file_set_contents (set->path, data, (gssize) len, &e))
    {
      g_set_error (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_IO, "%s", e->message);
      g_error_free (e);
      return FALSE;
    }
  return TRUE;
}

/* Restores the lists from @saved_added / @saved_removed after a failed save. */
static void
restore (SvShareSet *set, GPtrArray *saved_added, GPtrArray *saved_removed)
{
  g_ptr_array_unref (set->added);
  g_ptr_array_unref (set->removed);
  set->added = saved_added;
  set->removed = saved_removed;
  recompute (set);
}

static GPtrArray *
copy_list (GPtrArray *list)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < list->len; i++)
    g_ptr_array_add (out, g_strdup (list->pdata[i]));
  return out;
}

static gboolean
commit (SvShareSet *set, GPtrArray *saved_added, GPtrArray *saved_removed, GError **error)
{
  recompute (set);
  if (!save (set, error))
    {
      restore (set, saved_added, saved_removed);
      return FALSE;
    }
  g_ptr_array_unref (saved_added);
  g_ptr_array_unref (saved_removed);
  return TRUE;
}

gboolean
sv_share_set_add (SvShareSet *set, const char *folder, GError **error)
{
  g_autofree char *c = NULL;
  gsize n;

  if (folder == NULL || !g_path_is_absolute (folder) || !g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_NOT_A_FOLDER,
                   "'%s' is not a folder (give the absolute path of a directory)", folder ? folder : "");
      return FALSE;
    }
  c = canonical (folder);
  n = strlen (c);
  if (strcmp (c, set->state_dir) == 0 || (g_str_has_prefix (set->state_dir, c)
                                          && (set->state_dir[n] == '/' || n == 1)))
    {
      g_set_error (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_STATE,
                   "'%s' holds serventd's state directory; share another folder", c);
      return FALSE;
    }
  if (has (set->folders, c))
    {
      g_set_error (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_ALREADY, "'%s' is already shared", c);
      return FALSE;
    }
  {
    GPtrArray *saved_added = copy_list (set->added), *saved_removed = copy_list (set->removed);

    drop (set->removed, c);
    if (!has (set->configured, c))
      g_ptr_array_add (set->added, g_steal_pointer (&c));
    return commit (set, saved_added, saved_removed, error);
  }
}

gboolean
sv_share_set_remove (SvShareSet *set, const char *folder, GError **error)
{
  g_autofree char *c = folder != NULL ? canonical (folder) : NULL;

  if (c == NULL || !has (set->folders, c))
    {
      g_set_error (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_NOT_SHARED, "'%s' is not shared",
                   folder ? folder : "");
      return FALSE;
    }
  {
    GPtrArray *saved_added = copy_list (set->added), *saved_removed = copy_list (set->removed);

    drop (set->added, c);
    if (has (set->configured, c))
      g_ptr_array_add (set->removed, g_steal_pointer (&c));
    return commit (set, saved_added, saved_removed, error);
  }
}
