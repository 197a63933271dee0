/* share-db.c: SQLite schema, migrations and prepared statements of the share index. */
#include "share-db.h"

#include <string.h>

#include "sqlite-db.h"

G_DEFINE_QUARK (sv-share-db-error-quark, sv_share_db_error)

/* Migration N brings user_version from N-1 to N. Append only; never edit a shipped one. */
static const char *const migrations[] = {
  /* 1: files, the FTS5 index over their words, triggers keeping it in sync. */
  "CREATE TABLE files ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  path BLOB NOT NULL UNIQUE,"
  "  name TEXT NOT NULL,"
  "  words TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  mtime_ns INTEGER NOT NULL,"
  "  dev INTEGER NOT NULL,"
  "  ino INTEGER NOT NULL,"
  "  sha1 BLOB,"
  "  added_us INTEGER NOT NULL);"
  "CREATE INDEX files_sha1 ON files (sha1) WHERE sha1 IS NOT NULL;"
  "CREATE INDEX files_inode ON files (dev, ino);"
  "CREATE VIRTUAL TABLE files_fts USING fts5 (words, content='files', content_rowid='id',"
  "  tokenize=\"unicode61 remove_diacritics 2\", prefix='3');"
  "CREATE TRIGGER files_ai AFTER INSERT ON files BEGIN"
  "  INSERT INTO files_fts (rowid, words) VALUES (new.id, new.words);"
  "END;"
  "CREATE TRIGGER files_ad AFTER DELETE ON files BEGIN"
  "  INSERT INTO files_fts (files_fts, rowid, words) VALUES ('delete', old.id, old.words);"
  "END;"
  "CREATE TRIGGER files_au AFTER UPDATE OF words ON files BEGIN"
  "  INSERT INTO files_fts (files_fts, rowid, words) VALUES ('delete', old.id, old.words);"
  "  INSERT INTO files_fts (rowid, words) VALUES (new.id, new.words);"
  "END;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SV_SHARE_DB_SCHEMA_VERSION);

typedef enum {
  ST_BEGIN,
  ST_COMMIT,
  ST_ALL_ROWS,
  ST_FIND_PATH,
  ST_FIND_INODE,
  ST_INSERT,
  ST_UPDATE_FILE,
  ST_MOVE,
  ST_DELETE,
  ST_DELETE_UNDER,
  ST_MATCH_WORDS,
  ST_MATCH_SHA1,
  ST_NEWEST,
  ST_BROWSE,
  ST_GET,
  ST_COUNT,
  ST_ALL_WORDS,
  N_STATEMENTS
} Statement;

#define ROW_COLUMNS "id, path, size, mtime_ns, dev, ino, sha1"
#define RESULT_COLUMNS "f.id, f.size, f.name, f.sha1"

static const char *const statement_sql[N_STATEMENTS] = {
  [ST_BEGIN] = "BEGIN IMMEDIATE",
  [ST_COMMIT] = "COMMIT",
  [ST_ALL_ROWS] = "SELECT " ROW_COLUMNS " FROM files",
  [ST_FIND_PATH] = "SELECT " ROW_COLUMNS " FROM files WHERE path = ?1",
  [ST_FIND_INODE] = "SELECT " ROW_COLUMNS " FROM files WHERE dev = ?1 AND ino = ?2",
  [ST_INSERT] = "INSERT INTO files (path, name, words, size, mtime_ns, dev, ino, sha1, added_us)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  [ST_UPDATE_FILE] = "UPDATE files SET size = ?2, mtime_ns = ?3, dev = ?4, ino = ?5, sha1 = ?6"
                     " WHERE id = ?1",
  [ST_MOVE] = "UPDATE files SET path = ?2, name = ?3, words = ?4 WHERE id = ?1",
  [ST_DELETE] = "DELETE FROM files WHERE id = ?1",
  [ST_DELETE_UNDER] = "DELETE FROM files WHERE path > ?1 AND path < ?2",
  [ST_MATCH_WORDS] = "SELECT " RESULT_COLUMNS ", f.words FROM files_fts"
                     " JOIN files f ON f.id = files_fts.rowid"
                     " WHERE files_fts MATCH ?1 AND f.sha1 IS NOT NULL"
                     " ORDER BY files_fts.rowid DESC",
  [ST_MATCH_SHA1] = "SELECT " RESULT_COLUMNS " FROM files f WHERE f.sha1 = ?1 LIMIT ?2",
  [ST_NEWEST] = "SELECT " RESULT_COLUMNS " FROM files f WHERE f.sha1 IS NOT NULL"
                " ORDER BY f.id DESC LIMIT ?1",
  [ST_BROWSE] = "SELECT " RESULT_COLUMNS " FROM files f WHERE f.id > ?1 AND f.sha1 IS NOT NULL"
                " ORDER BY f.id LIMIT ?2",
  [ST_GET] = "SELECT " ROW_COLUMNS " FROM files WHERE id = ?1 AND sha1 IS NOT NULL",
  [ST_COUNT] = "SELECT count(*), coalesce(sum(size), 0) FROM files WHERE sha1 IS NOT NULL",
  [ST_ALL_WORDS] = "SELECT words, sha1 FROM files WHERE sha1 IS NOT NULL",
};

struct _SvShareDb {
  sqlite3 *db;
  gboolean writer;
  char *moved_aside;             /* a damaged file moved aside at open (NULL: none) */
  sqlite3_stmt *st[N_STATEMENTS];
};

static const SvSqliteDbConfig writer_config = {
  .what = "share index",
  .migrations = migrations,
  .n_migrations = G_N_ELEMENTS (migrations),
  .pragmas = "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384",
};

static void
set_error (SvShareDb *db, GError **error, const char *what)
{
  g_set_error (error, SV_SHARE_DB_ERROR, SV_SHARE_DB_ERROR_SQLITE, "%s: %s", what,
               sqlite3_errmsg (db->db));
}

void
sv_share_db_row_clear (SvShareDbRow *row)
{
  g_clear_pointer (&row->path, g_free);
}

static gboolean
exec (SvShareDb *db, const char *sql, GError **error)
{
  GError *e = NULL;

  if (sv_sqlite_db_exec (db->db, sql, &e) == SQLITE_OK)
    return TRUE;
  g_set_error_literal (error, SV_SHARE_DB_ERROR, SV_SHARE_DB_ERROR_SQLITE, e->message);
  g_error_free (e);
  return FALSE;
}

int
sv_share_db_schema_version (SvShareDb *db)
{
  return sv_sqlite_db_user_version (db->db);
}

SvShareDb *
sv_share_db_open (const char *path, gboolean writer, GError **error)
{
  g_autoptr (SvShareDb) db = g_new0 (SvShareDb, 1);
  SvSqliteDbConfig cfg = writer_config;

  cfg.read_only = !writer;
  db->writer = writer;
  db->db = sv_sqlite_db_open (path, &cfg, writer ? &db->moved_aside : NULL, error);
  if (db->db == NULL)
    return NULL;
  for (int i = 0; i < N_STATEMENTS; i++)
    if (sqlite3_prepare_v3 (db->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i],
                            NULL) != SQLITE_OK)
      {
        set_error (db, error, statement_sql[i]);
        return NULL;
      }
  return g_steal_pointer (&db);
}

const char *
sv_share_db_moved_aside (const SvShareDb *db)
{
  return db->moved_aside;
}

void
sv_share_db_free (SvShareDb *db)
{
  if (db == NULL)
    return;
  for (int i = 0; i < N_STATEMENTS; i++)
    sqlite3_finalize (db->st[i]);
  if (db->writer && db->db != NULL)
    sqlite3_exec (db->db, "PRAGMA optimize", NULL, NULL, NULL);
  sqlite3_close_v2 (db->db);
  g_free (db->moved_aside);
  g_free (db);
}

struct sqlite3 *
sv_share_db_handle (SvShareDb *db)
{
  return db->db;
}

/* Takes statement @which, reset and unbound. */
static sqlite3_stmt *
stmt (SvShareDb *db, Statement which)
{
  sqlite3_stmt *st = db->st[which];

  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  return st;
}

/* Steps a statement that returns no row. */
static gboolean
run (SvShareDb *db, sqlite3_stmt *st, GError **error)
{
  int rc = sqlite3_step (st);

  sqlite3_reset (st);
  if (rc != SQLITE_DONE)
    {
      set_error (db, error, sqlite3_sql (st));
      return FALSE;
    }
  return TRUE;
}

gboolean
sv_share_db_begin (SvShareDb *db, GError **error)
{
  return run (db, stmt (db, ST_BEGIN), error);
}

gboolean
sv_share_db_commit (SvShareDb *db, GError **error)
{
  return run (db, stmt (db, ST_COMMIT), error);
}

static void
read_row (sqlite3_stmt *st, SvShareDbRow *row)
{
  const void *path = sqlite3_column_blob (st, 1);
  int len = sqlite3_column_bytes (st, 1);

  row->id = sqlite3_column_int64 (st, 0);
  row->path = g_malloc (len + 1);
  if (len > 0)
    memcpy (row->path, path, len);
  row->path[len] = '\0';
  row->path_len = len;
  row->st.size = (guint64) sqlite3_column_int64 (st, 2);
  row->st.mtime_ns = sqlite3_column_int64 (st, 3);
  row->st.dev = (guint64) sqlite3_column_int64 (st, 4);
  row->st.ino = (guint64) sqlite3_column_int64 (st, 5);
  row->has_sha1 = sqlite3_column_bytes (st, 6) == SV_SHA1_LEN;
  if (row->has_sha1)
    memcpy (row->sha1.b, sqlite3_column_blob (st, 6), SV_SHA1_LEN);
  else
    memset (row->sha1.b, 0, SV_SHA1_LEN);
}

gboolean
sv_share_db_foreach_row (SvShareDb *db, SvShareDbRowFunc func, gpointer user_data, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_ALL_ROWS);
  int rc;

  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvShareDbRow row = { 0 };
      gboolean more;

      read_row (st, &row);
      more = func (&row, user_data);
      sv_share_db_row_clear (&row);
      if (!more)
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_reset (st);
  if (rc != SQLITE_DONE)
    {
      set_error (db, error, "listing files");
      return FALSE;
    }
  return TRUE;
}

gboolean
sv_share_db_find_path (SvShareDb *db, const char *path, gsize len, SvShareDbRow *out)
{
  sqlite3_stmt *st = stmt (db, ST_FIND_PATH);
  gboolean found;

  sqlite3_bind_blob64 (st, 1, path, len, SQLITE_STATIC);
  found = sqlite3_step (st) == SQLITE_ROW;
  if (found)
    read_row (st, out);
  sqlite3_reset (st);
  return found;
}

GArray *
sv_share_db_find_inode (SvShareDb *db, guint64 dev, guint64 ino)
{
  sqlite3_stmt *st = stmt (db, ST_FIND_INODE);
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (SvShareDbRow));

  g_array_set_clear_func (rows, (GDestroyNotify) sv_share_db_row_clear);
  sqlite3_bind_int64 (st, 1, (sqlite3_int64) dev);
  sqlite3_bind_int64 (st, 2, (sqlite3_int64) ino);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      SvShareDbRow row = { 0 };

      read_row (st, &row);
      g_array_append_val (rows, row);
    }
  sqlite3_reset (st);
  return rows;
}

/* Binds the display name (?@name_col) and words (?@name_col+1) of @path's last component. */
static void
bind_name (sqlite3_stmt *st, int name_col, const char *path, gsize len)
{
  const char *slash = memrchr (path, '/', len);
  const char *base = slash ? slash + 1 : path;
  char *name = sv_share_match_display_name (base, (gssize) (path + len - base));
  char *words = sv_share_match_words (name);

  sqlite3_bind_text (st, name_col, name, -1, g_free);
  sqlite3_bind_text (st, name_col + 1, words, -1, g_free);
}

static void
bind_sha1 (sqlite3_stmt *st, int col, const SvSha1 *sha1)
{
  if (sha1 != NULL)
    sqlite3_bind_blob (st, col, sha1->b, SV_SHA1_LEN, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, col);
}

gint64
sv_share_db_insert (SvShareDb *db, const char *path, gsize len, const SvShareStat *s,
                    const SvSha1 *sha1, gint64 added_us, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_INSERT);

  sqlite3_bind_blob64 (st, 1, path, len, SQLITE_STATIC);
  bind_name (st, 2, path, len);
  sqlite3_bind_int64 (st, 4, (sqlite3_int64) s->size);
  sqlite3_bind_int64 (st, 5, s->mtime_ns);
  sqlite3_bind_int64 (st, 6, (sqlite3_int64) s->dev);
  sqlite3_bind_int64 (st, 7, (sqlite3_int64) s->ino);
  bind_sha1 (st, 8, sha1);
  sqlite3_bind_int64 (st, 9, added_us);
  if (!run (db, st, error))
    return -1;
  return sqlite3_last_insert_rowid (db->db);
}

gboolean
sv_share_db_update_file (SvShareDb *db, gint64 id, const SvShareStat *s, const SvSha1 *sha1,
                         GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_UPDATE_FILE);

  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_int64 (st, 2, (sqlite3_int64) s->size);
  sqlite3_bind_int64 (st, 3, s->mtime_ns);
  sqlite3_bind_int64 (st, 4, (sqlite3_int64) s->dev);
  sqlite3_bind_int64 (st, 5, (sqlite3_int64) s->ino);
  bind_sha1 (st, 6, sha1);
  return run (db, st, error);
}

gboolean
sv_share_db_move (SvShareDb *db, gint64 id, const char *path, gsize len, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_MOVE);

  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_blob64 (st, 2, path, len, SQLITE_STATIC);
  bind_name (st, 3, path, len);
  return run (db, st, error);
}

gboolean
sv_share_db_delete (SvShareDb *db, gint64 id, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_DELETE);

  sqlite3_bind_int64 (st, 1, id);
  return run (db, st, error);
}

gint64
sv_share_db_delete_under (SvShareDb *db, const char *dir, gsize len, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_DELETE_UNDER);
  g_autofree char *lo = g_malloc (len + 1);
  g_autofree char *hi = g_malloc (len + 1);

  /* Paths under "dir/" sort strictly between "dir/" and "dir0" ('0' follows '/'). */
  memcpy (lo, dir, len);
  memcpy (hi, dir, len);
  lo[len] = '/';
  hi[len] = '0';
  sqlite3_bind_blob64 (st, 1, lo, len + 1, SQLITE_STATIC);
  sqlite3_bind_blob64 (st, 2, hi, len + 1, SQLITE_STATIC);
  if (!run (db, st, error))
    return -1;
  return sqlite3_changes64 (db->db);
}

static void
read_result (sqlite3_stmt *st, SvShareResult *r)
{
  r->index = (guint64) sqlite3_column_int64 (st, 0);
  r->size = (guint64) sqlite3_column_int64 (st, 1);
  r->name = g_strdup ((const char *) sqlite3_column_text (st, 2));
  if (sqlite3_column_bytes (st, 3) == SV_SHA1_LEN)
    memcpy (r->sha1.b, sqlite3_column_blob (st, 3), SV_SHA1_LEN);
  else
    memset (r->sha1.b, 0, SV_SHA1_LEN);
}

/* Steps @st, appending every row to @out (at most @max when @max > 0). */
static gboolean
collect (SvShareDb *db, sqlite3_stmt *st, guint max, GArray *out, GError **error)
{
  guint n = 0;
  int rc;

  while ((max == 0 || n < max) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvShareResult r = { 0 };

      read_result (st, &r);
      g_array_append_val (out, r);
      n++;
    }
  if (max != 0 && n == max)
    rc = SQLITE_DONE;
  sqlite3_reset (st);
  if (rc != SQLITE_DONE)
    {
      set_error (db, error, sqlite3_sql (st));
      return FALSE;
    }
  return TRUE;
}

gboolean
sv_share_db_match_words (SvShareDb *db, char *const *query_words, guint max, GArray *out,
                         GError **error)
{
  g_autofree char *expr = sv_share_match_fts_expr (query_words);
  sqlite3_stmt *st;
  guint n = 0;
  int rc = SQLITE_DONE;

  if (expr == NULL || max == 0)
    return TRUE;
  st = stmt (db, ST_MATCH_WORDS);
  sqlite3_bind_text (st, 1, expr, -1, SQLITE_STATIC);
  /* FTS5 finds every word as a prefix; keep the rows whose prefixes QRP would also admit. */
  while (n < max && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvShareResult r = { 0 };

      if (!sv_share_match_words_admit ((const char *) sqlite3_column_text (st, 4), query_words))
        continue;
      read_result (st, &r);
      g_array_append_val (out, r);
      n++;
    }
  if (n == max)
    rc = SQLITE_DONE;
  sqlite3_reset (st);
  if (rc != SQLITE_DONE)
    {
      set_error (db, error, "keyword query");
      return FALSE;
    }
  return TRUE;
}

gboolean
sv_share_db_match_sha1 (SvShareDb *db, const SvSha1 *sha1, guint max, GArray *out, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_MATCH_SHA1);

  sqlite3_bind_blob (st, 1, sha1->b, SV_SHA1_LEN, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, max);
  return collect (db, st, 0, out, error);
}

gboolean
sv_share_db_newest (SvShareDb *db, guint max, GArray *out, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_NEWEST);

  sqlite3_bind_int64 (st, 1, max);
  return collect (db, st, 0, out, error);
}

gboolean
sv_share_db_browse (SvShareDb *db, gint64 after, guint max, GArray *out, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_BROWSE);

  sqlite3_bind_int64 (st, 1, after);
  sqlite3_bind_int64 (st, 2, max);
  return collect (db, st, 0, out, error);
}

gboolean
sv_share_db_get (SvShareDb *db, gint64 index, SvShareDbRow *out)
{
  sqlite3_stmt *st = stmt (db, ST_GET);
  gboolean found;

  sqlite3_bind_int64 (st, 1, index);
  found = sqlite3_step (st) == SQLITE_ROW;
  if (found)
    read_row (st, out);
  sqlite3_reset (st);
  return found;
}

gboolean
sv_share_db_count (SvShareDb *db, guint64 *files, guint64 *bytes, GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_COUNT);

  if (sqlite3_step (st) != SQLITE_ROW)
    {
      set_error (db, error, "counting files");
      sqlite3_reset (st);
      return FALSE;
    }
  if (files)
    *files = (guint64) sqlite3_column_int64 (st, 0);
  if (bytes)
    *bytes = (guint64) sqlite3_column_int64 (st, 1);
  sqlite3_reset (st);
  return TRUE;
}

gboolean
sv_share_db_foreach_words (SvShareDb *db, SvShareDbWordsFunc func, gpointer user_data,
                           GError **error)
{
  sqlite3_stmt *st = stmt (db, ST_ALL_WORDS);
  int rc;

  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvSha1 sha1;

      if (sqlite3_column_bytes (st, 1) != SV_SHA1_LEN)
        continue;
      memcpy (sha1.b, sqlite3_column_blob (st, 1), SV_SHA1_LEN);
      func ((const char *) sqlite3_column_text (st, 0), &sha1, user_data);
    }
  sqlite3_reset (st);
  if (rc != SQLITE_DONE)
    {
      set_error (db, error, "listing words");
      return FALSE;
    }
  return TRUE;
}

#define CHANGE_LOG_SQL \
  "CREATE TEMP TABLE IF NOT EXISTS files_changes (" \
  "  seq INTEGER PRIMARY KEY, added INTEGER NOT NULL, name TEXT NOT NULL," \
  "  words TEXT NOT NULL, sha1 BLOB NOT NULL);" \
  "CREATE TEMP TRIGGER IF NOT EXISTS files_changes_ai AFTER INSERT ON main.files" \
  "  WHEN new.sha1 IS NOT NULL BEGIN" \
  "  INSERT INTO files_changes (added, name, words, sha1)" \
  "    VALUES (1, new.name, new.words, new.sha1);" \
  "END;" \
  "CREATE TEMP TRIGGER IF NOT EXISTS files_changes_ad AFTER DELETE ON main.files" \
  "  WHEN old.sha1 IS NOT NULL BEGIN" \
  "  INSERT INTO files_changes (added, name, words, sha1)" \
  "    VALUES (0, old.name, old.words, old.sha1);" \
  "END;" \
  "CREATE TEMP TRIGGER IF NOT EXISTS files_changes_au AFTER UPDATE OF name, words, sha1" \
  "  ON main.files WHEN old.sha1 IS NOT new.sha1 OR old.name IS NOT new.name" \
  "    OR old.words IS NOT new.words BEGIN" \
  "  INSERT INTO files_changes (added, name, words, sha1)" \
  "    SELECT 0, old.name, old.words, old.sha1 WHERE old.sha1 IS NOT NULL;" \
  "  INSERT INTO files_changes (added, name, words, sha1)" \
  "    SELECT 1, new.name, new.words, new.sha1 WHERE new.sha1 IS NOT NULL;" \
  "END;"

gboolean
sv_share_db_track_changes (SvShareDb *db, GError **error)
{
  return exec (db, CHANGE_LOG_SQL, error);
}

gboolean
sv_share_db_take_changes (SvShareDb *db, SvShareDbChangeFunc func, gpointer user_data,
                          GError **error)
{
  sqlite3_stmt *st = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db->db, "SELECT added, name, words, sha1 FROM temp.files_changes"
                          " ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
    {
      set_error (db, error, "reading the change log");
      return FALSE;
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      SvSha1 sha1;

      if (sqlite3_column_bytes (st, 3) != SV_SHA1_LEN)
        continue;   /* sv_share_db_foreach_words skips these rows too */
      memcpy (sha1.b, sqlite3_column_blob (st, 3), SV_SHA1_LEN);
      func (sqlite3_column_int (st, 0) != 0, (const char *) sqlite3_column_text (st, 1),
            (const char *) sqlite3_column_text (st, 2), &sha1, user_data);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      set_error (db, error, "reading the change log");
      return FALSE;
    }
  return exec (db, "DELETE FROM temp.files_changes", error);
}

gboolean
sv_share_db_integrity_check (SvShareDb *db, GError **error)
{
  g_autofree char *check = sv_sqlite_db_query_text (db->db, "PRAGMA integrity_check", NULL);

  if (check == NULL || strcmp (check, "ok") != 0)
    {
      g_set_error (error, SV_SHARE_DB_ERROR, SV_SHARE_DB_ERROR_CORRUPT, "integrity_check: %s",
                   check ? check : sqlite3_errmsg (db->db));
      return FALSE;
    }
  return TRUE;
}
