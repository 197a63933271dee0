/* host-store.c: the persistent host cache: its schema, load and save (opening, checks and
 * recovery of a damaged file are sqlite-db.c's). */
#include "host-store.h"

#include <string.h>

#include "sqlite-db.h"

G_DEFINE_QUARK (sv-host-store-error-quark, sv_host_store_error)

/* Migration N brings user_version from N-1 to N. Append only; never edit a shipped one. */
static const char *const migrations[] = {
  /* 1: one row per known host, keyed by its "ip:port" text. */
  "CREATE TABLE hosts ("
  "  addr TEXT PRIMARY KEY NOT NULL,"
  "  source INTEGER NOT NULL,"
  "  ultrapeer INTEGER NOT NULL,"
  "  last_seen_us INTEGER NOT NULL,"
  "  last_attempt_us INTEGER NOT NULL,"
  "  last_success_us INTEGER NOT NULL,"
  "  failures INTEGER NOT NULL,"
  "  backoff_until_us INTEGER NOT NULL"
  ") WITHOUT ROWID;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SV_HOST_STORE_SCHEMA_VERSION);

#define COLUMNS "addr, source, ultrapeer, last_seen_us, last_attempt_us, last_success_us, failures," \
                " backoff_until_us"

struct _SvHostStore {
  sqlite3 *db;
  char *path;
  char *moved_aside;
};

static const SvSqliteDbConfig db_config = {
  .what = "host cache",
  .migrations = migrations,
  .n_migrations = G_N_ELEMENTS (migrations),
  .cache = TRUE,
};

static void
set_error (SvHostStore *store, GError **error, const char *what)
{
  g_set_error (error, SV_HOST_STORE_ERROR, SV_HOST_STORE_ERROR_SQLITE, "%s: %s: %s", store->path,
               what, sqlite3_errmsg (store->db));
}

/* Runs @sql. Returns: the SQLite result code (SQLITE_OK on success, @error set otherwise). */
static int
exec (SvHostStore *store, const char *sql, GError **error)
{
  GError *e = NULL;
  int rc = sv_sqlite_db_exec (store->db, sql, &e);

  if (e != NULL)
    {
      g_set_error_literal (error, SV_HOST_STORE_ERROR, SV_HOST_STORE_ERROR_SQLITE, e->message);
      g_error_free (e);
    }
  return rc;
}

SvHostStore *
sv_host_store_open (const char *path, GError **error)
{
  g_autoptr (SvHostStore) store = g_new0 (SvHostStore, 1);

  g_return_val_if_fail (path != NULL, NULL);

  store->path = g_strdup (path);
  store->db = sv_sqlite_db_open (path, &db_config, &store->moved_aside, error);
  if (store->db == NULL)
    return NULL;
  return g_steal_pointer (&store);
}

void
sv_host_store_free (SvHostStore *store)
{
  if (store == NULL)
    return;
  sqlite3_close_v2 (store->db);
  g_free (store->path);
  g_free (store->moved_aside);
  g_free (store);
}

const char *
sv_host_store_moved_aside (const SvHostStore *store)
{
  return store->moved_aside;
}

GArray *
sv_host_store_load (SvHostStore *store, GError **error)
{
  g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (SvHostCacheRow));
  sqlite3_stmt *st = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (sqlite3_prepare_v2 (store->db, "SELECT " COLUMNS " FROM hosts", -1, &st, NULL) != SQLITE_OK)
    {
      set_error (store, error, "load");
      return NULL;
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (st, 0);
      SvHostCacheRow row = { 0 };
      sqlite3_int64 source = sqlite3_column_int64 (st, 1);
      sqlite3_int64 failures = sqlite3_column_int64 (st, 6);

      if (text == NULL
          || sv_host_addr_parse (text, strlen (text), SV_HOST_ADDR_DEFAULT_PORT, &row.addr)
             != SV_STATUS_OK)
        {
          g_debug ("host cache %s: skipping unreadable address '%s'", store->path,
                   text ? text : "(null)");
          continue;
        }
      row.source = (source >= SV_HOST_SOURCE_SEED && source <= SV_HOST_SOURCE_LAST)
                     ? (guint8) source : SV_HOST_SOURCE_STORE;
      row.ultrapeer = sqlite3_column_int64 (st, 2) != 0;
      row.last_seen_us = sqlite3_column_int64 (st, 3);
      row.last_attempt_us = sqlite3_column_int64 (st, 4);
      row.last_success_us = sqlite3_column_int64 (st, 5);
      row.failures = (guint) CLAMP (failures, 0, G_MAXUINT);
      row.backoff_until_us = sqlite3_column_int64 (st, 7);
      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      set_error (store, error, "load");
      sqlite3_finalize (st);
      return NULL;
    }
  sqlite3_finalize (st);
  return g_steal_pointer (&rows);
}

gboolean
sv_host_store_save (SvHostStore *store, const SvHostCacheRow *rows, guint n, GError **error)
{
  sqlite3_stmt *st = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (rows != NULL || n == 0, FALSE);

  if (exec (store, "BEGIN IMMEDIATE", error) != SQLITE_OK)
    return FALSE;
  if (exec (store, "DELETE FROM hosts", error) != SQLITE_OK)
    goto rollback;
  if (sqlite3_prepare_v2 (store->db, "INSERT OR REPLACE INTO hosts (" COLUMNS ")"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL) != SQLITE_OK)
    {
      set_error (store, error, "save");
      goto rollback;
    }
  for (guint i = 0; i < n; i++)
    {
      const SvHostCacheRow *row = &rows[i];
      char text[SV_HOST_ADDR_STRLEN];

      if (row->addr.family != SV_HOST_ADDR_IPV4 && row->addr.family != SV_HOST_ADDR_IPV6)
        continue;
      sv_host_addr_format (&row->addr, TRUE, text);
      sqlite3_reset (st);
      sqlite3_bind_text (st, 1, text, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (st, 2, row->source);
      sqlite3_bind_int64 (st, 3, row->ultrapeer ? 1 : 0);
      sqlite3_bind_int64 (st, 4, row->last_seen_us);
      sqlite3_bind_int64 (st, 5, row->last_attempt_us);
      sqlite3_bind_int64 (st, 6, row->last_success_us);
      sqlite3_bind_int64 (st, 7, row->failures);
      sqlite3_bind_int64 (st, 8, row->backoff_until_us);
      if (sqlite3_step (st) != SQLITE_DONE)
        {
          set_error (store, error, "save");
          goto rollback;
        }
    }
  sqlite3_finalize (st);
  st = NULL;
  if (exec (store, "COMMIT", error) != SQLITE_OK)
    goto rollback;
  return TRUE;

rollback:
  sqlite3_finalize (st);
  sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}
