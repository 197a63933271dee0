/* test-download-store.c: the download list on a real SQLite file: a download with its spans and
 * sources (a firewalled one with its push proxies) survives reopening, and a file written by the
 * first schema (no proxies column) is migrated in place with its rows kept. */
#include <check.h>
#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "download-store.h"
#include "store-util.h"

static StoreTree tree;
static char *db_path;

static void
setup (void)
{
  store_tree_init (&tree);
  db_path = g_build_filename (tree.state, "downloads.db", NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&db_path, g_free);
  store_tree_clear (&tree);
}

static SvHostAddr
addr (const char *text)
{
  SvHostAddr a;

  ck_assert_int_eq (sv_host_addr_parse (text, strlen (text), 6346, &a), SV_STATUS_OK);
  return a;
}

static SvSha1
sha1_of (guint8 b)
{
  SvSha1 s;

  memset (&s, b, sizeof s);
  return s;
}

static void
assert_addr (const SvHostAddr *a, const char *text)
{
  char buf[SV_HOST_ADDR_STRLEN];

  ck_assert_str_eq (sv_host_addr_format (a, TRUE, buf), text);
}

START_TEST (test_round_trip_with_proxies)
{
  g_autoptr (GError) error = NULL;
  SvSha1 sha1 = sha1_of (7);
  SvDownloadSourceInfo direct = { 0 }, pushed = { 0 };
  g_autoptr (GArray) done = g_array_new (FALSE, FALSE, sizeof (guint64));
  guint64 span[2] = { 0, 4096 };
  gint64 id;

  {
    g_autoptr (SvDownloadStore) store = sv_download_store_open (db_path, &error);
    ck_assert_msg (store != NULL, "%s", error ? error->message : "?");
    id = sv_download_store_add (store, &sha1, "zebra crossing.bin", 80000, NULL, &error);
    ck_assert_int_gt (id, 0);
    direct.addr = addr ("198.51.100.4:6346");
    direct.index = 3;
    pushed.addr = addr ("192.0.2.77:6346");
    pushed.firewalled = TRUE;
    memset (pushed.servent.b, 0xab, sizeof pushed.servent.b);
    pushed.index = 9;
    pushed.n_proxies = 2;
    pushed.proxies[0] = addr ("203.0.113.1:6346");
    pushed.proxies[1] = addr ("203.0.113.2:7000");
    ck_assert (sv_download_store_add_source (store, id, &direct, &error));
    ck_assert (sv_download_store_add_source (store, id, &pushed, &error));
    g_array_append_vals (done, span, 2);
    ck_assert (sv_download_store_set_done (store, id, done, &error));
    ck_assert (sv_download_store_set_state (store, id, "paused", NULL, NULL, &error));
  }
  {
    g_autoptr (SvDownloadStore) store = sv_download_store_open (db_path, &error);
    g_autoptr (GArray) rows = sv_download_store_load (store, &error);
    SvDownloadRow *row;
    const SvDownloadSourceInfo *fw = NULL;

    ck_assert_ptr_nonnull (rows);
    ck_assert_uint_eq (rows->len, 1);
    row = &g_array_index (rows, SvDownloadRow, 0);
    ck_assert_int_eq (row->id, id);
    ck_assert_str_eq (row->name, "zebra crossing.bin");
    ck_assert_str_eq (row->state, "paused");
    ck_assert (memcmp (&row->sha1, &sha1, sizeof sha1) == 0);
    ck_assert_uint_eq (row->done->len, 2);
    ck_assert_uint_eq (g_array_index (row->done, guint64, 1), 4096);
    ck_assert_uint_eq (row->sources->len, 2);
    for (guint i = 0; i < row->sources->len; i++)
      if (g_array_index (row->sources, SvDownloadSourceInfo, i).firewalled)
        fw = &g_array_index (row->sources, SvDownloadSourceInfo, i);
    ck_assert_ptr_nonnull (fw);
    ck_assert_uint_eq (fw->index, 9);
    ck_assert_uint_eq (fw->servent.b[0], 0xab);
    ck_assert_uint_eq (fw->n_proxies, 2);
    assert_addr (&fw->proxies[0], "203.0.113.1:6346");
    assert_addr (&fw->proxies[1], "203.0.113.2:7000");
    /* A fresh hit with other proxies replaces them. */
    pushed.n_proxies = 1;
    pushed.proxies[0] = addr ("203.0.113.9:6346");
    ck_assert (sv_download_store_add_source (store, id, &pushed, &error));
  }
  {
    g_autoptr (SvDownloadStore) store = sv_download_store_open (db_path, &error);
    g_autoptr (GArray) rows = sv_download_store_load (store, &error);
    SvDownloadRow *row = &g_array_index (rows, SvDownloadRow, 0);

    ck_assert_uint_eq (row->sources->len, 2);
    for (guint i = 0; i < row->sources->len; i++)
      {
        const SvDownloadSourceInfo *s = &g_array_index (row->sources, SvDownloadSourceInfo, i);
        ck_assert_uint_eq (s->n_proxies, s->firewalled ? 1 : 0);
        if (s->firewalled)
          assert_addr (&s->proxies[0], "203.0.113.9:6346");
      }
  }
}
END_TEST

/* A downloads.db written with the first schema: opened, migrated to the second, rows kept. */
START_TEST (test_migrates_first_schema)
{
  sqlite3 *db = NULL;
  g_autoptr (GError) error = NULL;
  char *err = NULL;
  static const char *v1 =
    "CREATE TABLE downloads (id INTEGER PRIMARY KEY, urn TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " size INTEGER NOT NULL, state TEXT NOT NULL, path TEXT, error TEXT, created_s INTEGER NOT NULL,"
    " done BLOB);"
    "CREATE TABLE sources (download_id INTEGER NOT NULL REFERENCES downloads(id) ON DELETE CASCADE,"
    " addr TEXT NOT NULL, servent TEXT NOT NULL, firewalled INTEGER NOT NULL,"
    " file_index INTEGER NOT NULL, PRIMARY KEY (download_id, addr, servent)) WITHOUT ROWID;"
    "INSERT INTO downloads VALUES (5, 'urn:sha1:AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT', 'old.bin', 10,"
    " 'active', NULL, NULL, 1700000000, NULL);"
    "INSERT INTO sources VALUES (5, '192.0.2.8:6346', '00000000000000000000000000000000', 1, 2);"
    "PRAGMA user_version = 1;";

  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert_msg (sqlite3_exec (db, v1, NULL, NULL, &err) == SQLITE_OK, "%s", err ? err : "?");
  sqlite3_close (db);
  {
    g_autoptr (SvDownloadStore) store = sv_download_store_open (db_path, &error);
    g_autoptr (GArray) rows = NULL;
    SvDownloadRow *row;

    ck_assert_msg (store != NULL, "%s", error ? error->message : "?");
    rows = sv_download_store_load (store, &error);
    ck_assert_uint_eq (rows->len, 1);
    row = &g_array_index (rows, SvDownloadRow, 0);
    ck_assert_int_eq (row->id, 5);
    ck_assert_str_eq (row->name, "old.bin");
    ck_assert_uint_eq (row->sources->len, 1);
    ck_assert (g_array_index (row->sources, SvDownloadSourceInfo, 0).firewalled);
    ck_assert_uint_eq (g_array_index (row->sources, SvDownloadSourceInfo, 0).n_proxies, 0);
  }
  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  {
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq (sqlite3_step (st), SQLITE_ROW);
    ck_assert_int_eq (sqlite3_column_int (st, 0), SV_DOWNLOAD_STORE_SCHEMA_VERSION);
    sqlite3_finalize (st);
  }
  sqlite3_close (db);
}
END_TEST

static Suite *
download_store_suite (void)
{
  Suite *s = suite_create ("download-store");
  TCase *tc = tcase_create ("store");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_round_trip_with_proxies);
  tcase_add_test (tc, test_migrates_first_schema);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return store_run (download_store_suite ());
}
