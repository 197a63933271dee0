/* test-sync-store.c: the folder mirror list on a real SQLite file: a mirror and the files of its
 * folder survive reopening, a folder cannot be mirrored twice, a run's result is kept, and
 * removing a mirror forgets its files. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "store-util.h"
#include "sync-store.h"

static StoreTree tree;
static char *db_path;

static void
setup (void)
{
  store_tree_init (&tree);
  db_path = g_build_filename (tree.state, "sync.db", NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&db_path, g_free);
  store_tree_clear (&tree);
}

START_TEST (test_round_trip)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) rows = NULL;
  g_autoptr (GArray) files = NULL;
  SvSyncFileRow f = { 0 };
  gint64 id;

  {
    g_autoptr (SvSyncStore) store = sv_sync_store_open (db_path, &error);
    ck_assert_msg (store != NULL, "%s", error ? error->message : "");
    id = sv_sync_store_add (store, "192.0.2.7:6346", "/srv/mirror", TRUE, 600, &error);
    ck_assert_int_gt (id, 0);
    ck_assert_int_eq (sv_sync_store_add (store, "198.51.100.1:6346", "/srv/mirror", FALSE, 60, &error), 0);
    ck_assert (g_error_matches (error, SV_SYNC_STORE_ERROR, SV_SYNC_STORE_ERROR_EXISTS));
    g_clear_error (&error);
    ck_assert (sv_sync_store_set_result (store, id, 1700000000, "no answer", 3, 2, 1, &error));
    ck_assert (sv_sync_store_set_proxies (store, id, "203.0.113.5:6346", &error));
    f.name = (char *) "a.txt";
    f.size = 5;
    f.mtime_ns = G_GINT64_CONSTANT (1700000000123456789);
    memset (f.sha1.b, 0xab, sizeof f.sha1.b);
    f.placed = TRUE;
    ck_assert (sv_sync_store_put_file (store, id, &f, &error));
    f.name = (char *) "b.txt";
    f.placed = FALSE;
    ck_assert (sv_sync_store_put_file (store, id, &f, &error));
    ck_assert (sv_sync_store_drop_file (store, id, "b.txt", &error));
  }
  {
    g_autoptr (SvSyncStore) store = sv_sync_store_open (db_path, &error);
    ck_assert (store != NULL);
    rows = sv_sync_store_load (store, &error);
    ck_assert_uint_eq (rows->len, 1);
    SvSyncRow *r = &g_array_index (rows, SvSyncRow, 0);
    ck_assert_str_eq (r->source, "192.0.2.7:6346");
    ck_assert_str_eq (r->dir, "/srv/mirror");
    ck_assert (r->delete_extra);
    ck_assert_uint_eq (r->interval_s, 600);
    ck_assert_int_eq (r->last_run_s, 1700000000);
    ck_assert_str_eq (r->last_error, "no answer");
    ck_assert_uint_eq (r->files, 3);
    ck_assert_uint_eq (r->pending, 2);
    ck_assert_uint_eq (r->conflicts, 1);
    ck_assert_str_eq (r->proxies, "203.0.113.5:6346");
    files = sv_sync_store_files (store, id, &error);
    ck_assert_uint_eq (files->len, 1);
    SvSyncFileRow *g = &g_array_index (files, SvSyncFileRow, 0);
    ck_assert_str_eq (g->name, "a.txt");
    ck_assert_uint_eq (g->size, 5);
    ck_assert_int_eq (g->mtime_ns, G_GINT64_CONSTANT (1700000000123456789));
    ck_assert (g->placed);
    ck_assert_mem_eq (g->sha1.b, f.sha1.b, sizeof f.sha1.b);
    ck_assert (sv_sync_store_remove (store, id, &error));
    g_clear_pointer (&files, g_array_unref);
    files = sv_sync_store_files (store, id, &error);
    ck_assert_uint_eq (files->len, 0);
    g_clear_pointer (&rows, g_array_unref);
    rows = sv_sync_store_load (store, &error);
    ck_assert_uint_eq (rows->len, 0);
  }
}
END_TEST

static Suite *
sync_store_suite (void)
{
  Suite *s = suite_create ("sync-store");
  TCase *tc = tcase_create ("store");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_round_trip);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return store_run (sync_store_suite ());
}
