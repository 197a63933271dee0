/* sqlite-db.c: one way to open, check, migrate and recover the servent's SQLite files (see
 * sqlite-db.h). */
#include "sqlite-db.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK (sv-sqlite-db-error-quark, sv_sqlite_db_error)

/* Why opening failed: damage is repaired by moving the file aside, anything else is reported. */
typedef enum {
  OPEN_FAILED,
  OPEN_DAMAGED,
} OpenFailure;

static gboolean
is_damage (int rc)
{
  rc &= 0xff;
  return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

int
sv_sqlite_db_exec (sqlite3 *db, const char *sql, GError **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    g_set_error (error, SV_SQLITE_DB_ERROR, SV_SQLITE_DB_ERROR_SQLITE, "%s: %s: %s",
                 sqlite3_db_filename (db, "main"), sql, msg ? msg : sqlite3_errstr (rc));
  sqlite3_free (msg);
  return rc;
}

char *
sv_sqlite_db_query_text (sqlite3 *db, const char *sql, int *rc_out)
{
  sqlite3_stmt *st = NULL;
  char *out = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (st);
      if (rc == SQLITE_ROW)
        {
          out = g_strdup ((const char *) sqlite3_column_text (st, 0));
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (st);
  if (rc_out != NULL)
    *rc_out = rc;
  return out;
}

int
sv_sqlite_db_user_version (sqlite3 *db)
{
  g_autofree char *v = sv_sqlite_db_query_text (db, "PRAGMA user_version", NULL);

  return v != NULL ? atoi (v) : -1;
}

static gboolean
migrate (sqlite3 *db, const SvSqliteDbConfig *cfg, int version, OpenFailure *why, GError **error)
{
  for (int v = version; v < (int) cfg->n_migrations; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      int rc = sv_sqlite_db_exec (db, "BEGIN IMMEDIATE", error);

      if (rc == SQLITE_OK && (rc = sv_sqlite_db_exec (db, cfg->migrations[v], error)) == SQLITE_OK
          && (rc = sv_sqlite_db_exec (db, bump, error)) == SQLITE_OK)
        rc = sv_sqlite_db_exec (db, "COMMIT", error);
      if (rc != SQLITE_OK)
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          *why = is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;
          return FALSE;
        }
    }
  return TRUE;
}

/* Opens and checks @path. Returns: the connection, or NULL with *@why saying whether the file is
 * damaged (to be moved aside) or could not be used for another reason. */
static sqlite3 *
open_checked (const char *path, const SvSqliteDbConfig *cfg, OpenFailure *why, GError **error)
{
  int flags = cfg->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  g_autofree char *check = NULL;
  sqlite3 *db = NULL;
  int rc;
  int version;

  *why = OPEN_FAILED;
  rc = sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SV_SQLITE_DB_ERROR, SV_SQLITE_DB_ERROR_SQLITE, "%s %s: %s", cfg->what,
                   path, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      goto fail;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, SV_SQLITE_DB_BUSY_TIMEOUT_MS);
  rc = cfg->read_only ? SQLITE_OK : sv_sqlite_db_exec (db, "PRAGMA journal_mode = WAL", error);
  if (rc == SQLITE_OK)
    rc = sv_sqlite_db_exec (db, "PRAGMA synchronous = NORMAL", error);
  if (rc == SQLITE_OK && cfg->pragmas != NULL)
    rc = sv_sqlite_db_exec (db, cfg->pragmas, error);
  if (rc != SQLITE_OK)
    {
      *why = is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;
      goto fail;
    }
  /* A read-only connection opens what a writer has just checked (a second pass over a large
   * file at start-up would only repeat it). */
  if (!cfg->read_only)
    {
      check = sv_sqlite_db_query_text (db, "PRAGMA quick_check", &rc);
      if (check == NULL || strcmp (check, "ok") != 0)
        {
          if (check != NULL)
            g_strdelimit (check, "\r\n", ' ');   /* one log line */
          g_set_error (error, SV_SQLITE_DB_ERROR, SV_SQLITE_DB_ERROR_SQLITE,
                       "%s %s: quick_check says: %s", cfg->what, path,
                       check ? check : sqlite3_errstr (rc));
          *why = (check != NULL || is_damage (rc)) ? OPEN_DAMAGED : OPEN_FAILED;
          goto fail;
        }
    }
  g_clear_pointer (&check, g_free);
  check = sv_sqlite_db_query_text (db, "PRAGMA user_version", &rc);
  if (check == NULL)
    {
      g_set_error (error, SV_SQLITE_DB_ERROR, SV_SQLITE_DB_ERROR_SQLITE, "%s %s: user_version: %s",
                   cfg->what, path, sqlite3_errstr (rc));
      *why = is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;
      goto fail;
    }
  version = atoi (check);
  if (version < 0 || version > (int) cfg->n_migrations
      || (cfg->read_only && version != (int) cfg->n_migrations))
    {
      g_set_error (error, SV_SQLITE_DB_ERROR, SV_SQLITE_DB_ERROR_TOO_NEW,
                   "%s %s: schema %d is not one this program uses (%u)", cfg->what, path, version,
                   cfg->n_migrations);
      *why = cfg->cache && !cfg->read_only ? OPEN_DAMAGED : OPEN_FAILED;
      goto fail;
    }
  if (!cfg->read_only && !migrate (db, cfg, version, why, error))
    goto fail;
  return db;

fail:
  sqlite3_close_v2 (db);
  return NULL;
}

/* Renames @from to @to if @from exists. */
static gboolean
move_if_present (const char *from, const char *to, GError **error)
{
  if (g_rename (from, to) == 0 || errno == ENOENT)
    return TRUE;
  g_set_error (error, SV_SQLITE_DB_ERROR, SV_SQLITE_DB_ERROR_MOVE, "cannot move %s to %s: %s",
               from, to, g_strerror (errno));
  return FALSE;
}

/* Moves @path and its -wal/-shm files to <path>.corrupt-<time>[-N].
 * Returns: (transfer full) where it went, or NULL with @error. */
static char *
move_aside (const char *path, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  static const char *const companions[] = { "-wal", "-shm" };

  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS) && n < 1000; n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);
    }
  if (!move_if_present (path, target, error))
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *from = g_strconcat (path, companions[i], NULL);
      g_autofree char *to = g_strconcat (target, companions[i], NULL);

      if (!move_if_present (from, to, error))
        return NULL;
    }
  return g_steal_pointer (&target);
}

sqlite3 *
sv_sqlite_db_open (const char *path, const SvSqliteDbConfig *config, char **moved_aside,
                   GError **error)
{
  g_autoptr (GError) damage = NULL;
  g_autofree char *aside = NULL;
  OpenFailure why;
  sqlite3 *db;

  g_return_val_if_fail (path != NULL && config != NULL, NULL);
  if (moved_aside != NULL)
    *moved_aside = NULL;
  db = open_checked (path, config, &why, &damage);
  if (db != NULL)
    return db;
  if (why != OPEN_DAMAGED || config->read_only)
    {
      g_propagate_error (error, g_steal_pointer (&damage));
      return NULL;
    }
  aside = move_aside (path, error);
  if (aside == NULL)
    return NULL;
  g_warning ("%s %s was damaged (%s); moved it to %s and started a new one", config->what, path,
             damage->message, aside);
  db = open_checked (path, config, &why, error);
  if (db != NULL && moved_aside != NULL)
    *moved_aside = g_steal_pointer (&aside);
  return db;
}

char *
sv_sqlite_db_column_text (sqlite3_stmt *st, int col)
{
  const unsigned char *t = sqlite3_column_text (st, col);

  return t != NULL ? g_strdup ((const char *) t) : NULL;
}
