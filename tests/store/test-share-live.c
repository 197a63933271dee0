/* test-share-live.c: live sync through file monitors on a caller's main context, and a scan killed
 * half-way then resumed. */
#include "store-util.h"

#include "share-db.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static StoreTree tree;

static void
setup (void)
{
  store_tree_init (&tree);
}

static void
teardown (void)
{
  store_tree_clear (&tree);
}

/* Runs @ctx until @criteria finds @want results, for at most 10 s. */
static gboolean
wait_for_count (GMainContext *ctx, SvShareLibrary *lib, const char *criteria, guint want)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (ctx, FALSE))
        ;
      if (store_count_query (lib, criteria) == want)
        return TRUE;
      g_usleep (20 * 1000);
    }
  return FALSE;
}

static void
count_changes (gpointer user_data)
{
  (*(guint *) user_data)++;
}

START_TEST (test_live_sync)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SvShareLibrary) lib = NULL;
  const char *folders[] = { tree.share, NULL };
  SvShareLibraryConfig cfg = { 0 };
  g_autofree char *p = NULL;
  g_autofree char *p2 = NULL;
  guint changes = 0;
  FILE *f;

  g_free (store_write_text (tree.share, "existing/old tune.ogg", "old"));
  cfg.db_path = tree.db;
  cfg.folders = folders;
  cfg.state_dir = tree.state;
  cfg.context = ctx;
  cfg.watch = TRUE;
  cfg.debounce_ms = 150;
  cfg.changed = count_changes;
  cfg.changed_data = &changes;
  lib = sv_share_library_new (&cfg, NULL);
  ck_assert (lib != NULL);
  sv_share_library_rescan (lib);
  ck_assert (wait_for_count (ctx, lib, "tune", 1));
  /* Watches are in place once the scan's directory list reached the context. */
  for (int i = 0; i < 100 && store_stats (lib).watches < 2; i++)
    {
      g_main_context_iteration (ctx, FALSE);
      g_usleep (10 * 1000);
    }
  ck_assert_uint_eq (store_stats (lib).watches, 2);

  /* A file written in pieces becomes searchable after its last write. */
  p = g_build_filename (tree.share, "existing", "fresh arrival.mp3", NULL);
  f = fopen (p, "w");
  fputs ("part one ", f);
  fflush (f);
  g_usleep (50 * 1000);
  fputs ("part two", f);
  fclose (f);
  ck_assert_msg (wait_for_count (ctx, lib, "fresh arrival", 1), "new file not indexed in 10 s");

  /* A new directory with a file in it. */
  g_free (store_write_text (tree.share, "newdir/deeper/nested gem.txt", "gem"));
  ck_assert_msg (wait_for_count (ctx, lib, "nested gem", 1), "file in new dir not indexed");

  /* Renamed: same index, no hashing. */
  {
    guint64 before = store_stats (lib).files_hashed;

    p2 = g_build_filename (tree.share, "existing", "renamed arrival.mp3", NULL);
    ck_assert_int_eq (g_rename (p, p2), 0);
    ck_assert (wait_for_count (ctx, lib, "renamed arrival", 1));
    ck_assert (wait_for_count (ctx, lib, "fresh", 0));
    ck_assert_uint_eq (store_stats (lib).files_hashed, before);
  }
  /* Deleted. */
  ck_assert_int_eq (g_unlink (p2), 0);
  ck_assert (wait_for_count (ctx, lib, "arrival", 0));
  ck_assert_uint_gt (changes, 0);
}
END_TEST

static int
count_rows (const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int n = -1;

  ck_assert_int_eq (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW)
    n = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

static void
slow_hash (const char *path, guint64 offset, gpointer user_data)
{
  g_usleep (1000);
}

static void
child_progress (const SvShareProgress *p, gpointer user_data)
{
  int fd = GPOINTER_TO_INT (user_data);

  if (p->files_done >= 300)
    {
      if (write (fd, "k", 1) < 0)
        _exit (3);
    }
}

START_TEST (test_killed_mid_scan_resumes)
{
  const int n_files = 1500;
  const char *folders[] = { tree.share, NULL };
  g_autofree char *block = g_malloc (64 * 1024);
  int fds[2];
  pid_t pid;
  int status;
  char c;
  int committed;
  SvShareLibrary *lib;
  guint64 files = 0;

  memset (block, 'z', 64 * 1024);
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%02d/crash item %04d.bin", i % 30, i);

      block[0] = (char) i;
      block[1] = (char) (i >> 8);
      g_free (store_write (tree.share, name, block, 64 * 1024));
    }
  ck_assert_int_eq (pipe (fds), 0);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      SvShareLibraryConfig cfg = { 0 };
      SvShareLibrary *child;

      close (fds[0]);
      cfg.db_path = tree.db;
      cfg.folders = folders;
      cfg.state_dir = tree.state;
      cfg.hash_threads = 1;
      cfg.progress = child_progress;
      cfg.progress_data = GINT_TO_POINTER (fds[1]);
      cfg.progress_interval_ms = 1;
      cfg.hash_hook = slow_hash;
      child = sv_share_library_new (&cfg, NULL);
      if (child == NULL)
        _exit (2);
      sv_share_library_rescan (child);
      sv_share_library_wait_idle (child, 120000);
      _exit (0);
    }
  close (fds[1]);
  ck_assert_int_eq (read (fds[0], &c, 1), 1);
  kill (pid, SIGKILL);
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  close (fds[0]);
  ck_assert (WIFSIGNALED (status));

  committed = count_rows (tree.db, "SELECT count(*) FROM files WHERE sha1 IS NOT NULL");
  printf ("killed with %d of %d files committed\n", committed, n_files);
  ck_assert_int_lt (committed, n_files);

  lib = store_open (tree.db, folders, tree.state);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SvShareDb) check = sv_share_db_open (tree.db, FALSE, &error);

    ck_assert_msg (check != NULL, "%s", error ? error->message : "");
    ck_assert (sv_share_db_integrity_check (check, NULL));
  }
  store_scan (lib);
  sv_share_library_count (lib, &files, NULL);
  ck_assert_uint_eq (files, n_files);
  /* What was committed is not hashed again. */
  ck_assert_uint_le (store_stats (lib).files_hashed, (guint64) (n_files - committed));
  ck_assert_int_eq (count_rows (tree.db, "SELECT count(DISTINCT path) FROM files"), n_files);
  ck_assert_int_eq (count_rows (tree.db, "SELECT count(*) FROM files"), n_files);
  ck_assert_int_eq (count_rows (tree.db, "SELECT count(DISTINCT sha1) FROM files"), n_files);
  ck_assert_uint_eq (store_count_query (lib, "crash item"), 1000);   /* capped at max */
  sv_share_library_free (lib);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("share-live");
  TCase *tc = tcase_create ("live");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_live_sync);
  tcase_add_test (tc, test_killed_mid_scan_resumes);
  suite_add_tcase (s, tc);
  return store_run (s);
}
