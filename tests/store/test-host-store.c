/* test-host-store.c: the persistent host cache on a real SQLite file: round trips, replace
 * semantics, reopening, recovery from a damaged file, and import into an SvHostCache. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "host-store.h"
#include "store-util.h"

static StoreTree tree;
static char *db_path;

static void
setup (void)
{
  store_tree_init (&tree);
  db_path = g_build_filename (tree.state, "hosts.db", NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&db_path, g_free);
  store_tree_clear (&tree);
}

static SvHostCacheRow
row_v4 (const char *text, guint8 source, gboolean ultrapeer, gint64 base, guint failures)
{
  SvHostCacheRow row = { 0 };

  ck_assert_int_eq (sv_host_addr_parse (text, strlen (text), 6346, &row.addr), SV_STATUS_OK);
  row.source = source;
  row.ultrapeer = ultrapeer;
  row.last_seen_us = base + 1;
  row.last_attempt_us = base + 2;
  row.last_success_us = base + 3;
  row.failures = failures;
  row.backoff_until_us = base + 4;
  return row;
}

static SvHostStore *
open_ok (void)
{
  g_autoptr (GError) error = NULL;
  SvHostStore *store = sv_host_store_open (db_path, &error);

  ck_assert_msg (store != NULL, "open: %s", error ? error->message : "?");
  return store;
}

static GArray *
load_ok (SvHostStore *store)
{
  g_autoptr (GError) error = NULL;
  GArray *rows = sv_host_store_load (store, &error);

  ck_assert_msg (rows != NULL, "load: %s", error ? error->message : "?");
  return rows;
}

static void
save_ok (SvHostStore *store, const SvHostCacheRow *rows, guint n)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (sv_host_store_save (store, rows, n, &error), "save: %s",
                 error ? error->message : "?");
}

/* The row of @rows with address @addr, or NULL. */
static const SvHostCacheRow *
find_row (GArray *rows, const SvHostAddr *addr)
{
  for (guint i = 0; i < rows->len; i++)
    if (sv_host_addr_equal (&g_array_index (rows, SvHostCacheRow, i).addr, addr))
      return &g_array_index (rows, SvHostCacheRow, i);
  return NULL;
}

static void
assert_row_eq (const SvHostCacheRow *got, const SvHostCacheRow *want)
{
  char a[SV_HOST_ADDR_STRLEN];

  ck_assert_msg (got != NULL, "row %s missing", sv_host_addr_format (&want->addr, TRUE, a));
  ck_assert (sv_host_addr_equal (&got->addr, &want->addr));
  ck_assert_int_eq (got->addr.family, want->addr.family);
  ck_assert_int_eq (got->source, want->source);
  ck_assert_int_eq (got->ultrapeer, want->ultrapeer);
  ck_assert_int_eq (got->last_seen_us, want->last_seen_us);
  ck_assert_int_eq (got->last_attempt_us, want->last_attempt_us);
  ck_assert_int_eq (got->last_success_us, want->last_success_us);
  ck_assert_uint_eq (got->failures, want->failures);
  ck_assert_int_eq (got->backoff_until_us, want->backoff_until_us);
}

static void
assert_rows_eq (GArray *got, const SvHostCacheRow *want, guint n)
{
  ck_assert_uint_eq (got->len, n);
  for (guint i = 0; i < n; i++)
    assert_row_eq (find_row (got, &want[i].addr), &want[i]);
}

/* Runs @sql on the file directly. */
static void
raw_sql (const char *sql)
{
  sqlite3 *db = NULL;

  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert_msg (sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg (db));
  sqlite3_close (db);
}

/* Rows covering every field: both families, every source, both hints, extreme values. */
static guint
sample_rows (SvHostCacheRow *rows)
{
  guint n = 0;

  rows[n++] = row_v4 ("1.2.3.4:6346", SV_HOST_SOURCE_PONG, TRUE, 1700000000000000, 0);
  rows[n++] = row_v4 ("[2001:4860:4860::8888]:6347", SV_HOST_SOURCE_TRY, FALSE, 1600000000000000, 3);
  rows[n++] = row_v4 ("[2a00:1450::1]:1", SV_HOST_SOURCE_SEED, TRUE, 0, 7);
  rows[n++] = row_v4 ("203.0.113.9:65535", SV_HOST_SOURCE_UHC, FALSE, -5, 1);
  rows[n] = row_v4 ("9.9.9.9:443", SV_HOST_SOURCE_STORE, FALSE, 0, G_MAXUINT);
  rows[n].last_seen_us = G_MAXINT64;
  rows[n].last_attempt_us = G_MININT64;
  rows[n].last_success_us = 0;
  rows[n].backoff_until_us = G_MAXINT64 - 1;
  n++;
  return n;
}

START_TEST (test_round_trip)
{
  SvHostCacheRow rows[8];
  guint n = sample_rows (rows);
  g_autoptr (SvHostStore) store = open_ok ();
  g_autoptr (GArray) empty = load_ok (store);
  g_autoptr (GArray) got = NULL;

  ck_assert_uint_eq (empty->len, 0);
  ck_assert_ptr_null (sv_host_store_moved_aside (store));
  save_ok (store, rows, n);
  got = load_ok (store);
  assert_rows_eq (got, rows, n);
  /* The IPv6 rows came back as IPv6 with every byte. */
  ck_assert_int_eq (find_row (got, &rows[1].addr)->addr.family, SV_HOST_ADDR_IPV6);
  ck_assert_mem_eq (find_row (got, &rows[1].addr)->addr.ip, rows[1].addr.ip, 16);
}
END_TEST

START_TEST (test_reopen)
{
  SvHostCacheRow rows[8];
  guint n = sample_rows (rows);
  g_autoptr (GArray) got = NULL;
  SvHostStore *store = open_ok ();

  save_ok (store, rows, n);
  sv_host_store_free (store);

  store = open_ok ();
  ck_assert_ptr_null (sv_host_store_moved_aside (store));
  got = load_ok (store);
  assert_rows_eq (got, rows, n);
  sv_host_store_free (store);
  /* Closing the last connection leaves no WAL behind; the data is in the main file. */
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);

    ck_assert (!g_file_test (wal, G_FILE_TEST_EXISTS));
  }
}
END_TEST

START_TEST (test_replace)
{
  SvHostCacheRow first[3] = {
    row_v4 ("1.1.1.1:6346", SV_HOST_SOURCE_PONG, FALSE, 100, 0),
    row_v4 ("2.2.2.2:6346", SV_HOST_SOURCE_PONG, FALSE, 200, 1),
    row_v4 ("[2001:db8::2]:6346", SV_HOST_SOURCE_TRY, TRUE, 300, 2),
  };
  SvHostCacheRow second[4] = {
    row_v4 ("2.2.2.2:6346", SV_HOST_SOURCE_TRY, TRUE, 999, 5),   /* changed */
    row_v4 ("3.3.3.3:6346", SV_HOST_SOURCE_UHC, FALSE, 400, 0),   /* new */
    row_v4 ("3.3.3.3:6346", SV_HOST_SOURCE_UHC, TRUE, 500, 4),    /* same address: later wins */
    { { 0 } },                                                    /* no family: skipped */
  };
  g_autoptr (SvHostStore) store = open_ok ();
  g_autoptr (GArray) got = NULL;
  g_autoptr (GArray) none = NULL;

  save_ok (store, first, G_N_ELEMENTS (first));
  save_ok (store, second, G_N_ELEMENTS (second));
  got = load_ok (store);
  /* 1.1.1.1 and the IPv6 host are gone: a save replaces every row. */
  ck_assert_uint_eq (got->len, 2);
  assert_row_eq (find_row (got, &second[0].addr), &second[0]);
  assert_row_eq (find_row (got, &second[2].addr), &second[2]);
  ck_assert_ptr_null (find_row (got, &first[0].addr));
  ck_assert_ptr_null (find_row (got, &first[2].addr));

  save_ok (store, NULL, 0);
  none = load_ok (store);
  ck_assert_uint_eq (none->len, 0);
}
END_TEST

/* A save that fails leaves the previous rows. */
START_TEST (test_failed_save_keeps_rows)
{
  SvHostCacheRow rows[8];
  guint n = sample_rows (rows);
  g_autoptr (SvHostStore) store = open_ok ();
  g_autoptr (GArray) got = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3 *other = NULL;

  save_ok (store, rows, n);
  /* Another connection holds the write lock: the save cannot start. */
  ck_assert_int_eq (sqlite3_open (db_path, &other), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (other, "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE;"
                                  " DELETE FROM hosts", NULL, NULL, NULL), SQLITE_OK);
  {
    /* Keep the test quick: the store's busy timeout is a few seconds, which is fine. */
    ck_assert (!sv_host_store_save (store, rows, 1, &error));
    ck_assert (g_error_matches (error, SV_HOST_STORE_ERROR, SV_HOST_STORE_ERROR_SQLITE));
  }
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  got = load_ok (store);
  assert_rows_eq (got, rows, n);
}
END_TEST

static void
assert_fresh_after_damage (const char *garbage_note)
{
  SvHostCacheRow rows[8];
  guint n = sample_rows (rows);
  g_autoptr (SvHostStore) store = open_ok ();
  g_autoptr (GArray) got = NULL;
  const char *aside = sv_host_store_moved_aside (store);
  g_autofree char *prefix = g_strconcat (db_path, ".corrupt-", NULL);

  ck_assert_msg (aside != NULL, "%s: not moved aside", garbage_note);
  ck_assert (g_str_has_prefix (aside, prefix));
  ck_assert (g_file_test (aside, G_FILE_TEST_IS_REGULAR));
  got = load_ok (store);
  ck_assert_uint_eq (got->len, 0);
  /* The new file works. */
  save_ok (store, rows, n);
  g_clear_pointer (&got, g_array_unref);
  got = load_ok (store);
  assert_rows_eq (got, rows, n);
}

START_TEST (test_not_a_database)
{
  g_autofree char *aside_text = NULL;
  const char *garbage = "this is not an SQLite file, it is a text file of more than a hundred bytes "
                        "so that SQLite reads a whole header out of it and says it is not a database\n";

  ck_assert (g_file_set_contents (db_path, garbage, -1, NULL));
  assert_fresh_after_damage ("text file");
  /* The damaged bytes are kept for inspection. */
  {
    g_autoptr (SvHostStore) store = NULL;
    g_autoptr (GDir) dir = g_dir_open (tree.state, 0, NULL);
    const char *name;
    guint found = 0;

    while ((name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (name, "hosts.db.corrupt-"))
        {
          g_autofree char *p = g_build_filename (tree.state, name, NULL);

          ck_assert (g_file_get_contents (p, &aside_text, NULL, NULL));
          ck_assert_str_eq (aside_text, garbage);
          found++;
        }
    ck_assert_uint_eq (found, 1);
    /* Reopening the fresh file moves nothing. */
    store = open_ok ();
    ck_assert_ptr_null (sv_host_store_moved_aside (store));
  }
}
END_TEST

START_TEST (test_damaged_pages)
{
  SvHostCacheRow many[600];
  g_autofree char *bytes = NULL;
  gsize len = 0;

  /* A real database of several pages whose b-tree pages are then overwritten. */
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    {
      char text[32];

      g_snprintf (text, sizeof text, "11.%u.%u.1:6346", i / 250, i % 250);
      many[i] = row_v4 (text, SV_HOST_SOURCE_PONG, i % 2, i, i % 5);
    }
  {
    g_autoptr (SvHostStore) store = open_ok ();

    save_ok (store, many, G_N_ELEMENTS (many));
  }
  ck_assert (g_file_get_contents (db_path, &bytes, &len, NULL));
  ck_assert_uint_gt (len, 4 * 4096);
  memset (bytes + 4096, 0xA5, len - 4096);
  ck_assert (g_file_set_contents (db_path, bytes, len, NULL));
  assert_fresh_after_damage ("damaged pages");
}
END_TEST

START_TEST (test_newer_schema)
{
  raw_sql ("PRAGMA user_version = 99");
  assert_fresh_after_damage ("newer schema");
}
END_TEST

START_TEST (test_two_damaged_files_kept)
{
  /* Two damaged files within the same second are both kept, under different names. */
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (SvHostStore) store = NULL;

      ck_assert (g_file_set_contents (db_path, "garbage garbage garbage garbage garbage garbage "
                                      "garbage garbage garbage garbage garbage garbage garbage",
                                      -1, NULL));
      store = open_ok ();
      ck_assert_ptr_nonnull (sv_host_store_moved_aside (store));
    }
  {
    g_autoptr (GDir) dir = g_dir_open (tree.state, 0, NULL);
    const char *name;
    guint found = 0;

    while ((name = g_dir_read_name (dir)) != NULL)
      found += g_str_has_prefix (name, "hosts.db.corrupt-") && !g_str_has_suffix (name, "-wal")
               && !g_str_has_suffix (name, "-shm");
    ck_assert_uint_eq (found, 2);
  }
}
END_TEST

START_TEST (test_missing_directory)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tree.root, "no-such-dir", "hosts.db", NULL);
  SvHostStore *store = sv_host_store_open (path, &error);

  ck_assert_ptr_null (store);
  ck_assert_ptr_nonnull (error);
  ck_assert (strstr (error->message, path) != NULL);
}
END_TEST

START_TEST (test_unreadable_rows_skipped)
{
  g_autoptr (GArray) got = NULL;

  {
    g_autoptr (SvHostStore) store = open_ok ();
  }
  raw_sql ("INSERT INTO hosts VALUES ('not an address', 2, 0, 1, 2, 3, 0, 4);"
           "INSERT INTO hosts VALUES ('4.4.4.4:6346', 77, 1, 10, 20, 30, -3, 40);");
  {
    g_autoptr (SvHostStore) store = open_ok ();
    SvHostAddr want;

    got = load_ok (store);
    ck_assert_uint_eq (got->len, 1);
    ck_assert_int_eq (sv_host_addr_parse ("4.4.4.4:6346", 12, 6346, &want), SV_STATUS_OK);
    ck_assert (sv_host_addr_equal (&g_array_index (got, SvHostCacheRow, 0).addr, &want));
    ck_assert_int_eq (g_array_index (got, SvHostCacheRow, 0).source, SV_HOST_SOURCE_STORE);
    ck_assert_uint_eq (g_array_index (got, SvHostCacheRow, 0).failures, 0);
    ck_assert_int_eq (g_array_index (got, SvHostCacheRow, 0).last_success_us, 30);
  }
}
END_TEST

START_TEST (test_import_into_cache)
{
  const gint64 now = 1700000000000000;
  SvHostCacheRow rows[] = {
    row_v4 ("1.2.3.4:6346", SV_HOST_SOURCE_PONG, TRUE, now - 1000000, 2),
    row_v4 ("[2001:4860:4860::8888]:6347", SV_HOST_SOURCE_SEED, FALSE, now - 2000000, 0),
    row_v4 ("192.168.1.5:6346", SV_HOST_SOURCE_TRY, TRUE, now - 3000000, 0), /* private */
  };
  g_autoptr (GArray) got = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (SvHostCache) cache = NULL;
  SvHostCacheConfig config;
  SvHostCacheRow back;

  {
    g_autoptr (SvHostStore) store = open_ok ();

    save_ok (store, rows, G_N_ELEMENTS (rows));
  }
  {
    g_autoptr (SvHostStore) store = open_ok ();

    got = load_ok (store);
  }
  sv_host_cache_config_init (&config);
  cache = sv_host_cache_new (&config, rand);
  /* The private host is refused outside LAN mode; the others are loaded with their counters. */
  ck_assert_uint_eq (sv_host_cache_import (cache, (SvHostCacheRow *) (void *) got->data, got->len,
                                           now), 2);
  ck_assert_uint_eq (sv_host_cache_size (cache), 2);
  ck_assert (sv_host_cache_lookup (cache, &rows[0].addr, &back));
  ck_assert_uint_eq (back.failures, 2);
  ck_assert (back.ultrapeer);
  ck_assert_int_eq (back.last_seen_us, rows[0].last_seen_us);
  ck_assert_int_eq (back.last_success_us, rows[0].last_success_us);
  ck_assert (sv_host_cache_lookup (cache, &rows[1].addr, &back));
  /* A stored seed is not a seed on this run. */
  ck_assert (!sv_host_cache_is_seed (cache, &rows[1].addr));
  ck_assert_int_eq (back.source, SV_HOST_SOURCE_STORE);
  ck_assert (!sv_host_cache_lookup (cache, &rows[2].addr, &back));

  /* And an export of that cache saves and loads back the same. */
  {
    g_autoptr (GArray) exported = sv_host_cache_export (cache);
    g_autoptr (GArray) again = NULL;
    g_autoptr (SvHostStore) store = open_ok ();

    save_ok (store, (SvHostCacheRow *) (void *) exported->data, exported->len);
    again = load_ok (store);
    assert_rows_eq (again, (SvHostCacheRow *) (void *) exported->data, exported->len);
  }
}
END_TEST

static Suite *
host_store_suite (void)
{
  Suite *s = suite_create ("host-store");
  TCase *tc = tcase_create ("store");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_reopen);
  tcase_add_test (tc, test_replace);
  tcase_add_test (tc, test_failed_save_keeps_rows);
  tcase_add_test (tc, test_not_a_database);
  tcase_add_test (tc, test_damaged_pages);
  tcase_add_test (tc, test_newer_schema);
  tcase_add_test (tc, test_two_damaged_files_kept);
  tcase_add_test (tc, test_missing_directory);
  tcase_add_test (tc, test_unreadable_rows_skipped);
  tcase_add_test (tc, test_import_into_cache);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return store_run (host_store_suite ());
}
