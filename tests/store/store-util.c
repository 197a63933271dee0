/* store-util.c: temporary trees and library helpers for the share-library suites. */
#include "store-util.h"

#include <glib/gstdio.h>
#include <string.h>

void
store_tree_init (StoreTree *t)
{
  g_autoptr (GError) error = NULL;

  t->root = g_dir_make_tmp ("svstore-XXXXXX", &error);
  ck_assert_msg (t->root != NULL, "mkdtemp: %s", error ? error->message : "?");
  t->share = g_build_filename (t->root, "share", NULL);
  t->state = g_build_filename (t->root, "state", NULL);
  t->db = g_build_filename (t->state, "index.db", NULL);
  ck_assert_int_eq (g_mkdir (t->share, 0755), 0);
  ck_assert_int_eq (g_mkdir (t->state, 0755), 0);
}

void
store_tree_clear (StoreTree *t)
{
  const char *argv[] = { "rm", "-rf", t->root, NULL };

  if (t->root != NULL)
    {
      /* Permission games of a test must not keep the tree alive. */
      const char *chmod_argv[] = { "chmod", "-R", "u+rwx", t->root, NULL };

      g_spawn_sync (NULL, (char **) chmod_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, NULL, NULL, NULL, NULL);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                    NULL);
    }
  g_clear_pointer (&t->root, g_free);
  g_clear_pointer (&t->share, g_free);
  g_clear_pointer (&t->state, g_free);
  g_clear_pointer (&t->db, g_free);
}

char *
store_write (const char *dir, const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (g_mkdir_with_parents (parent, 0755), 0);
  if (!g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0644, &error))
    ck_abort_msg ("write %s: %s", path, error->message);
  return path;
}

char *
store_write_text (const char *dir, const char *name, const char *text)
{
  return store_write (dir, name, text, strlen (text));
}

SvShareLibrary *
store_open (const char *db, const char *const *folders, const char *state)
{
  SvShareLibraryConfig cfg = { 0 };
  g_autoptr (GError) error = NULL;
  SvShareLibrary *lib;

  cfg.db_path = db;
  cfg.folders = folders;
  cfg.state_dir = state;
  lib = sv_share_library_new (&cfg, &error);
  ck_assert_msg (lib != NULL, "open: %s", error ? error->message : "?");
  return lib;
}

void
store_scan (SvShareLibrary *lib)
{
  sv_share_library_rescan (lib);
  ck_assert_msg (sv_share_library_wait_idle (lib, 60000), "scan did not finish in 60 s");
}

guint
store_count_query (SvShareLibrary *lib, const char *criteria)
{
  g_autoptr (GArray) r = sv_share_library_query (lib, criteria, -1, 1000);

  return r->len;
}

gboolean
store_find (SvShareLibrary *lib, const char *criteria, const char *name, guint64 *index)
{
  g_autoptr (GArray) r = sv_share_library_query (lib, criteria, -1, 1000);

  for (guint i = 0; i < r->len; i++)
    {
      SvShareResult *res = &g_array_index (r, SvShareResult, i);

      if (strcmp (res->name, name) == 0)
        {
          if (index != NULL)
            *index = res->index;
          return TRUE;
        }
    }
  return FALSE;
}

SvShareStats
store_stats (SvShareLibrary *lib)
{
  SvShareStats s;

  sv_share_library_get_stats (lib, &s);
  return s;
}

int
store_run (Suite *suite)
{
  SRunner *sr = srunner_create (suite);
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
