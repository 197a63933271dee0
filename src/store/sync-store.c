/* sync-store.c: folder mirrors kept across restarts (see sync-store.h). */
#include "sync-store.h"

#include <string.h>

#include "sqlite-db.h"

G_DEFINE_QUARK (sv-sync-store-error-quark, sv_sync_store_error)

/* Migration N brings user_version from N-1 to N. Append only; never edit a shipped one. */
static const char *const migrations[] = {
  /* 1: mirrors and the files of their folders. */
  "CREATE TABLE syncs ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"   /* a removed mirror's number is not reused */
  "  source TEXT NOT NULL,"
  "  dir TEXT NOT NULL UNIQUE,"
  "  delete_extra INTEGER NOT NULL,"
  "  interval_s INTEGER NOT NULL,"
  "  created_s INTEGER NOT NULL,"
  "  last_run_s INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  files INTEGER NOT NULL DEFAULT 0,"
  "  pending INTEGER NOT NULL DEFAULT 0,"
  "  conflicts INTEGER NOT NULL DEFAULT 0,"
  "  proxies TEXT"
  ");"
  "CREATE TABLE files ("
  "  sync_id INTEGER NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  mtime_ns INTEGER NOT NULL,"
  "  urn TEXT NOT NULL,"
  "  placed INTEGER NOT NULL,"
  "  PRIMARY KEY (sync_id, name)"
  ") WITHOUT ROWID;",
};
G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SV_SYNC_STORE_SCHEMA_VERSION);

struct _SvSyncStore {
  sqlite3 *db;
  char *path;
};

static const SvSqliteDbConfig db_config = {
  .what = "folder mirror list",
  .migrations = migrations,
  .n_migrations = G_N_ELEMENTS (migrations),
  .pragmas = "PRAGMA foreign_keys = ON;",
};

static gboolean
fail (SvSyncStore *store, GError **error, const char *what)
{
  g_set_error (error, SV_SYNC_STORE_ERROR, SV_SYNC_STORE_ERROR_SQLITE, "%s: %s: %s", store->path,
               what, sqlite3_errmsg (store->db));
  return FALSE;
}

/* Prepares @sql. Returns: the statement, or NULL with @error. */
static sqlite3_stmt *
prepare (SvSyncStore *store, const char *sql, const char *what, GError **error)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      fail (store, error, what);
      return NULL;
    }
  return st;
}

/* Steps @st once, expecting no row, and finalizes it. */
static gboolean
run (SvSyncStore *store, sqlite3_stmt *st, const char *what, GError **error)
{
  gboolean ok = sqlite3_step (st) == SQLITE_DONE;

  if (!ok)
    fail (store, error, what);
  sqlite3_finalize (st);
  return ok;
}

void
sv_sync_row_clear (SvSyncRow *row)
{
  g_clear_pointer (&row->source, g_free);
  g_clear_pointer (&row->dir, g_free);
  g_clear_pointer (&row->last_error, g_free);
  g_clear_pointer (&row->proxies, g_free);
}

void
sv_sync_file_row_clear (SvSyncFileRow *row)
{
  g_clear_pointer (&row->name, g_free);
}

SvSyncStore *
sv_sync_store_open (const char *path, GError **error)
{
  SvSyncStore *store = g_new0 (SvSyncStore, 1);

  store->path = g_strdup (path);
  store->db = sv_sqlite_db_open (path, &db_config, NULL, error);
  if (store->db == NULL)
    {
      sv_sync_store_free (store);
      return NULL;
    }
  return store;
}

void
sv_sync_store_free (SvSyncStore *store)
{
  if (store == NULL)
    return;
  if (store->db != NULL)
    sqlite3_close_v2 (store->db);
  g_free (store->path);
  g_free (store);
}

GArray *
sv_sync_store_load (SvSyncStore *store, GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (SvSyncRow));
  sqlite3_stmt *st = prepare (store, "SELECT id, source, dir, delete_extra, interval_s, last_run_s,"
                              " last_error, files, pending, conflicts, proxies FROM syncs ORDER BY id",
                              "reading mirrors", error);
  int rc;

  if (st == NULL)
    return NULL;
  g_array_set_clear_func (out, (GDestroyNotify) sv_sync_row_clear);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvSyncRow row = { 0 };

      row.id = sqlite3_column_int64 (st, 0);
      row.source = sv_sqlite_db_column_text (st, 1);
      row.dir = sv_sqlite_db_column_text (st, 2);
      row.delete_extra = sqlite3_column_int (st, 3) != 0;
      row.interval_s = (guint) sqlite3_column_int64 (st, 4);
      row.last_run_s = sqlite3_column_int64 (st, 5);
      row.last_error = sv_sqlite_db_column_text (st, 6);
      row.files = (guint) sqlite3_column_int64 (st, 7);
      row.pending = (guint) sqlite3_column_int64 (st, 8);
      row.conflicts = (guint) sqlite3_column_int64 (st, 9);
      row.proxies = sv_sqlite_db_column_text (st, 10);
      if (row.source == NULL || row.dir == NULL)
        {
          sv_sync_row_clear (&row);
          continue;
        }
      g_array_append_val (out, row);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      fail (store, error, "reading mirrors");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gint64
sv_sync_store_add (SvSyncStore *store, const char *source, const char *dir, gboolean delete_extra,
                   guint interval_s, GError **error)
{
  sqlite3_stmt *st = prepare (store, "INSERT INTO syncs (source, dir, delete_extra, interval_s,"
                              " created_s) VALUES (?, ?, ?, ?, ?)", "adding a mirror", error);
  gint64 id = 0;
  int rc;

  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, dir, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 3, delete_extra ? 1 : 0);
  sqlite3_bind_int64 (st, 4, interval_s);
  sqlite3_bind_int64 (st, 5, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (store->db);
  else if (sqlite3_extended_errcode (store->db) == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, SV_SYNC_STORE_ERROR, SV_SYNC_STORE_ERROR_EXISTS,
                 "%s is mirrored already; 'servent sync list' shows it", dir);
  else
    fail (store, error, "adding a mirror");
  sqlite3_finalize (st);
  return id;
}

gboolean
sv_sync_store_remove (SvSyncStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *st = prepare (store, "DELETE FROM syncs WHERE id = ?", "removing a mirror", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  return run (store, st, "removing a mirror", error);
}

gboolean
sv_sync_store_set_result (SvSyncStore *store, gint64 id, gint64 last_run_s, const char *last_error,
                          guint files, guint pending, guint conflicts, GError **error)
{
  sqlite3_stmt *st = prepare (store, "UPDATE syncs SET last_run_s = ?, last_error = ?, files = ?,"
                              " pending = ?, conflicts = ? WHERE id = ?", "saving a run", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, last_run_s);
  sqlite3_bind_text (st, 2, last_error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, files);
  sqlite3_bind_int64 (st, 4, pending);
  sqlite3_bind_int64 (st, 5, conflicts);
  sqlite3_bind_int64 (st, 6, id);
  return run (store, st, "saving a run", error);
}

gboolean
sv_sync_store_set_proxies (SvSyncStore *store, gint64 id, const char *proxies, GError **error)
{
  sqlite3_stmt *st = prepare (store, "UPDATE syncs SET proxies = ? WHERE id = ?",
                              "saving push proxies", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, proxies, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, id);
  return run (store, st, "saving push proxies", error);
}

GArray *
sv_sync_store_files (SvSyncStore *store, gint64 id, GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (SvSyncFileRow));
  sqlite3_stmt *st = prepare (store, "SELECT name, size, mtime_ns, urn, placed FROM files"
                              " WHERE sync_id = ? ORDER BY name", "reading a mirror's files", error);
  int rc;

  if (st == NULL)
    return NULL;
  g_array_set_clear_func (out, (GDestroyNotify) sv_sync_file_row_clear);
  sqlite3_bind_int64 (st, 1, id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvSyncFileRow row = { 0 };
      const char *urn = (const char *) sqlite3_column_text (st, 3);

      if (urn == NULL || !sv_urn_parse (urn, strlen (urn), &row.sha1)
          || sqlite3_column_text (st, 0) == NULL)
        continue;
      row.name = sv_sqlite_db_column_text (st, 0);
      row.size = (guint64) sqlite3_column_int64 (st, 1);
      row.mtime_ns = sqlite3_column_int64 (st, 2);
      row.placed = sqlite3_column_int (st, 4) != 0;
      g_array_append_val (out, row);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      fail (store, error, "reading a mirror's files");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
sv_sync_store_put_file (SvSyncStore *store, gint64 id, const SvSyncFileRow *file, GError **error)
{
  sqlite3_stmt *st = prepare (store, "INSERT OR REPLACE INTO files (sync_id, name, size, mtime_ns,"
                              " urn, placed) VALUES (?, ?, ?, ?, ?, ?)", "saving a file", error);
  char urn[SV_URN_SHA1_LEN + 1];

  if (st == NULL)
    return FALSE;
  sv_urn_sha1_format (&file->sha1, urn);
  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_text (st, 2, file->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, (sqlite3_int64) file->size);
  sqlite3_bind_int64 (st, 4, file->mtime_ns);
  sqlite3_bind_text (st, 5, urn, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 6, file->placed ? 1 : 0);
  return run (store, st, "saving a file", error);
}

gboolean
sv_sync_store_drop_file (SvSyncStore *store, gint64 id, const char *name, GError **error)
{
  sqlite3_stmt *st = prepare (store, "DELETE FROM files WHERE sync_id = ? AND name = ?",
                              "forgetting a file", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_TRANSIENT);
  return run (store, st, "forgetting a file", error);
}
