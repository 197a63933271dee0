/* download-store.c: downloads kept across restarts (see download-store.h). */
#include "download-store.h"

#include <string.h>

#include "sqlite-db.h"

G_DEFINE_QUARK (sv-download-store-error-quark, sv_download_store_error)

/* Migration N brings user_version from N-1 to N. Append only; never edit a shipped one. */
static const char *const migrations[] = {
  /* 1: downloads and their sources. done holds little-endian 64-bit (first, end) pairs. */
  "CREATE TABLE downloads ("
  "  id INTEGER PRIMARY KEY,"
  "  urn TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  path TEXT,"
  "  error TEXT,"
  "  created_s INTEGER NOT NULL,"
  "  done BLOB"
  ");"
  "CREATE TABLE sources ("
  "  download_id INTEGER NOT NULL REFERENCES downloads(id) ON DELETE CASCADE,"
  "  addr TEXT NOT NULL,"
  "  servent TEXT NOT NULL,"
  "  firewalled INTEGER NOT NULL,"
  "  file_index INTEGER NOT NULL,"
  "  PRIMARY KEY (download_id, addr, servent)"
  ") WITHOUT ROWID;",
  /* 2: a firewalled source's push proxies ("ip:port,ip:port"), so that a download resumed
   * after a restart can still reach it when no route is left for a PUSH. */
  "ALTER TABLE sources ADD COLUMN proxies TEXT NOT NULL DEFAULT '';",
  /* 3: the folder a download goes to when it is not the download folder (a folder mirror's). */
  "ALTER TABLE downloads ADD COLUMN dir TEXT;",
};
G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SV_DOWNLOAD_STORE_SCHEMA_VERSION);

struct _SvDownloadStore {
  sqlite3 *db;
  char *path;
};

static const SvSqliteDbConfig db_config = {
  .what = "download list",
  .migrations = migrations,
  .n_migrations = G_N_ELEMENTS (migrations),
  .pragmas = "PRAGMA foreign_keys = ON;",
};

static gboolean
fail (SvDownloadStore *store, GError **error, const char *what)
{
  g_set_error (error, SV_DOWNLOAD_STORE_ERROR, SV_DOWNLOAD_STORE_ERROR_SQLITE, "%s: %s: %s",
               store->path, what, sqlite3_errmsg (store->db));
  return FALSE;
}

void
sv_download_row_clear (SvDownloadRow *row)
{
  g_clear_pointer (&row->name, g_free);
  g_clear_pointer (&row->state, g_free);
  g_clear_pointer (&row->path, g_free);
  g_clear_pointer (&row->error, g_free);
  g_clear_pointer (&row->dir, g_free);
  g_clear_pointer (&row->done, g_array_unref);
  g_clear_pointer (&row->sources, g_array_unref);
}

SvDownloadStore *
sv_download_store_open (const char *path, GError **error)
{
  SvDownloadStore *store = g_new0 (SvDownloadStore, 1);

  store->path = g_strdup (path);
  store->db = sv_sqlite_db_open (path, &db_config, NULL, error);
  if (store->db == NULL)
    {
      sv_download_store_free (store);
      return NULL;
    }
  return store;
}

void
sv_download_store_free (SvDownloadStore *store)
{
  if (store == NULL)
    return;
  if (store->db != NULL)
    sqlite3_close_v2 (store->db);
  g_free (store->path);
  g_free (store);
}

static gboolean
load_sources (SvDownloadStore *store, SvDownloadRow *row, GError **error)
{
  sqlite3_stmt *st = NULL;
  int rc;

  if (sqlite3_prepare_v2 (store->db, "SELECT addr, servent, firewalled, file_index, proxies FROM sources"
                          " WHERE download_id = ?", -1, &st, NULL) != SQLITE_OK)
    return fail (store, error, "reading sources");
  sqlite3_bind_int64 (st, 1, row->id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvDownloadSourceInfo s = { 0 };
      const char *addr = (const char *) sqlite3_column_text (st, 0);
      const char *guid = (const char *) sqlite3_column_text (st, 1);

      if (addr == NULL || sv_host_addr_parse (addr, strlen (addr), 0, &s.addr) != SV_STATUS_OK)
        continue;
      if (guid != NULL && strlen (guid) == SV_GUID_HEX_LEN)
        (void) sv_guid_from_hex (guid, SV_GUID_HEX_LEN, &s.servent);
      s.firewalled = sqlite3_column_int (st, 2) != 0;
      s.index = (guint32) sqlite3_column_int64 (st, 3);
      sv_download_plan_proxies_parse ((const char *) sqlite3_column_text (st, 4), &s);
      g_array_append_val (row->sources, s);
    }
  sqlite3_finalize (st);
  return rc == SQLITE_DONE ? TRUE : fail (store, error, "reading sources");
}

GArray *
sv_download_store_load (SvDownloadStore *store, GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (SvDownloadRow));
  sqlite3_stmt *st = NULL;
  int rc;

  g_array_set_clear_func (out, (GDestroyNotify) sv_download_row_clear);
  if (sqlite3_prepare_v2 (store->db, "SELECT id, urn, name, size, state, path, error, created_s,"
                          " done, dir FROM downloads ORDER BY id", -1, &st, NULL) != SQLITE_OK)
    {
      fail (store, error, "reading downloads");
      return NULL;
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvDownloadRow row = { 0 };
      g_autofree char *urn = sv_sqlite_db_column_text (st, 1);
      const guint8 *done = sqlite3_column_blob (st, 8);
      int done_len = sqlite3_column_bytes (st, 8);

      if (urn == NULL || !sv_urn_parse (urn, strlen (urn), &row.sha1))
        continue;
      row.id = sqlite3_column_int64 (st, 0);
      row.name = sv_sqlite_db_column_text (st, 2);
      row.size = (guint64) sqlite3_column_int64 (st, 3);
      row.state = sv_sqlite_db_column_text (st, 4);
      row.path = sv_sqlite_db_column_text (st, 5);
      row.error = sv_sqlite_db_column_text (st, 6);
      row.created_s = sqlite3_column_int64 (st, 7);
      row.dir = sv_sqlite_db_column_text (st, 9);
      row.done = g_array_new (FALSE, FALSE, sizeof (guint64));
      for (int i = 0; done != NULL && i + 16 <= done_len; i += 16)
        {
          guint64 pair[2];

          memcpy (pair, done + i, 16);
          pair[0] = GUINT64_FROM_LE (pair[0]);
          pair[1] = GUINT64_FROM_LE (pair[1]);
          g_array_append_vals (row.done, pair, 2);
        }
      row.sources = g_array_new (FALSE, TRUE, sizeof (SvDownloadSourceInfo));
      if (row.name == NULL)
        row.name = g_strdup ("file");
      if (row.state == NULL)
        row.state = g_strdup ("active");
      g_array_append_val (out, row);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      fail (store, error, "reading downloads");
      return NULL;
    }
  for (guint i = 0; i < out->len; i++)
    if (!load_sources (store, &g_array_index (out, SvDownloadRow, i), error))
      return NULL;
  return g_steal_pointer (&out);
}

gint64
sv_download_store_add (SvDownloadStore *store, const SvSha1 *sha1, const char *name, guint64 size,
                       const char *dir, GError **error)
{
  sqlite3_stmt *st = NULL;
  char urn[SV_URN_SHA1_LEN + 1];
  gint64 id = 0;

  sv_urn_sha1_format (sha1, urn);
  if (sqlite3_prepare_v2 (store->db, "INSERT INTO downloads (urn, name, size, state, created_s,"
                          " dir) VALUES (?, ?, ?, 'active', ?, ?)", -1, &st, NULL) != SQLITE_OK)
    {
      fail (store, error, "adding a download");
      return 0;
    }
  sqlite3_bind_text (st, 1, urn, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, (sqlite3_int64) size);
  sqlite3_bind_int64 (st, 4, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_text (st, 5, dir, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (st) == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (store->db);
  else
    fail (store, error, "adding a download");
  sqlite3_finalize (st);
  return id;
}

gboolean
sv_download_store_set_state (SvDownloadStore *store, gint64 id, const char *state,
                             const char *path, const char *error_text, GError **error)
{
  sqlite3_stmt *st = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (store->db, "UPDATE downloads SET state = ?, path = ?, error = ?"
                          " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
    return fail (store, error, "updating a download");
  sqlite3_bind_text (st, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, error_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 4, id);
  ok = sqlite3_step (st) == SQLITE_DONE;
  sqlite3_finalize (st);
  return ok ? TRUE : fail (store, error, "updating a download");
}

gboolean
sv_download_store_set_done (SvDownloadStore *store, gint64 id, const GArray *done, GError **error)
{
  sqlite3_stmt *st = NULL;
  g_autofree guint64 *le = g_new (guint64, done->len + 1);
  gboolean ok;

  for (guint i = 0; i < done->len; i++)
    le[i] = GUINT64_TO_LE (g_array_index (done, guint64, i));
  if (sqlite3_prepare_v2 (store->db, "UPDATE downloads SET done = ? WHERE id = ?", -1, &st, NULL)
      != SQLITE_OK)
    return fail (store, error, "saving progress");
  sqlite3_bind_blob (st, 1, le, (int) (done->len * sizeof (guint64)), SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, id);
  ok = sqlite3_step (st) == SQLITE_DONE;
  sqlite3_finalize (st);
  return ok ? TRUE : fail (store, error, "saving progress");
}

gboolean
sv_download_store_add_source (SvDownloadStore *store, gint64 id, const SvDownloadSourceInfo *s,
                              GError **error)
{
  sqlite3_stmt *st = NULL;
  char addr[SV_HOST_ADDR_STRLEN], guid[SV_GUID_HEX_LEN + 1];
  g_autofree char *proxies = sv_download_plan_proxies_format (s);
  gboolean ok;

  sv_host_addr_format (&s->addr, TRUE, addr);
  sv_guid_to_hex (&s->servent, guid);
  if (sqlite3_prepare_v2 (store->db, "INSERT OR REPLACE INTO sources (download_id, addr, servent,"
                          " firewalled, file_index, proxies) VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL)
      != SQLITE_OK)
    return fail (store, error, "saving a source");
  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_text (st, 2, addr, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, guid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 4, s->firewalled ? 1 : 0);
  sqlite3_bind_int64 (st, 5, s->index);
  sqlite3_bind_text (st, 6, proxies, -1, SQLITE_TRANSIENT);
  ok = sqlite3_step (st) == SQLITE_DONE;
  sqlite3_finalize (st);
  return ok ? TRUE : fail (store, error, "saving a source");
}

gboolean
sv_download_store_remove (SvDownloadStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *st = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (store->db, "DELETE FROM downloads WHERE id = ?", -1, &st, NULL)
      != SQLITE_OK)
    return fail (store, error, "removing a download");
  sqlite3_bind_int64 (st, 1, id);
  ok = sqlite3_step (st) == SQLITE_DONE;
  sqlite3_finalize (st);
  return ok ? TRUE : fail (store, error, "removing a download");
}
