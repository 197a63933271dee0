/* host-store.c: the persistent host cache: schema, migrations, load/save and recovery of a
 * damaged file. */
#include "host-store.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

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
  char *msg = NULL;
  int rc = sqlite3_exec (store->db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    g_set_error (error, SV_HOST_STORE_ERROR, SV_HOST_STORE_ERROR_SQLITE, "%s: %s: %s", store->path,
                 sql, msg ? msg : sqlite3_errstr (rc));
  sqlite3_free (msg);
  return rc;
}

/* The first column of the first row of @sql as text, or NULL with *@rc the failure. */
static char *
query_text (SvHostStore *store, const char *sql, int *rc)
{
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  *rc = sqlite3_prepare_v2 (store->db, sql, -1, &st, NULL);
  if (*rc == SQLITE_OK)
    {
      *rc = sqlite3_step (st);
      if (*rc == SQLITE_ROW)
        {
          out = g_strdup ((const char *) sqlite3_column_text (st, 0));
          *rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (st);
  return out;
}

static gboolean
migrate (SvHostStore *store, int version, OpenFailure *why, GError **error)
{
  for (int v = version; v < SV_HOST_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      int rc = exec (store, "BEGIN IMMEDIATE", error);

      if (rc == SQLITE_OK && (rc = exec (store, migrations[v], error)) == SQLITE_OK
          && (rc = exec (store, bump, error)) == SQLITE_OK)
        rc = exec (store, "COMMIT", error);
      if (rc != SQLITE_OK)
        {
          sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
          *why = is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;
          return FALSE;
        }
    }
  return TRUE;
}

/* Opens and checks store->path. On failure, store->db is closed and *@why says whether the file
 * is damaged (to be moved aside) or could not be used for another reason. */
static gboolean
open_checked (SvHostStore *store, OpenFailure *why, GError **error)
{
  g_autofree char *check = NULL;
  g_autofree char *version_text = NULL;
  int rc;
  int version;

  *why = OPEN_FAILED;
  rc = sqlite3_open_v2 (store->path, &store->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (store, error, "open");
      goto fail;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, 5000);
  rc = exec (store, "PRAGMA journal_mode = WAL", error);
  if (rc == SQLITE_OK)
    rc = exec (store, "PRAGMA synchronous = NORMAL", error);
  if (rc != SQLITE_OK)
    {
      *why = is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;
      goto fail;
    }
  check = query_text (store, "PRAGMA quick_check", &rc);
  if (check == NULL || strcmp (check, "ok") != 0)
    {
      if (check != NULL)
        g_strdelimit (check, "\r\n", ' ');   /* one log line */
      g_set_error (error, SV_HOST_STORE_ERROR, SV_HOST_STORE_ERROR_SQLITE,
                   "%s: quick_check says: %s", store->path,
                   check ? check : sqlite3_errstr (rc));
      *why = (check != NULL || is_damage (rc)) ? OPEN_DAMAGED : OPEN_FAILED;
      goto fail;
    }
  version_text = query_text (store, "PRAGMA user_version", &rc);
  if (version_text == NULL)
    {
      set_error (store, error, "user_version");
      *why = is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;
      goto fail;
    }
  version = atoi (version_text);
  if (version < 0 || version > SV_HOST_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SV_HOST_STORE_ERROR, SV_HOST_STORE_ERROR_SQLITE,
                   "%s: schema %d is not one this program knows (up to %d)", store->path, version,
                   SV_HOST_STORE_SCHEMA_VERSION);
      *why = OPEN_DAMAGED;
      goto fail;
    }
  if (!migrate (store, version, why, error))
    goto fail;
  return TRUE;

fail:
  sqlite3_close_v2 (store->db);
  store->db = NULL;
  return FALSE;
}

/* Renames @from to @to if @from exists. */
static gboolean
move_if_present (const char *from, const char *to, GError **error)
{
  if (g_rename (from, to) == 0 || errno == ENOENT)
    return TRUE;
  g_set_error (error, SV_HOST_STORE_ERROR, SV_HOST_STORE_ERROR_MOVE, "cannot move %s to %s: %s",
               from, to, g_strerror (errno));
  return FALSE;
}

/* Moves store->path and its -wal/-shm files to <path>.corrupt-<time>[-N]. */
static gboolean
move_aside (SvHostStore *store, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", store->path, stamp);
  static const char *const companions[] = { "-wal", "-shm" };

  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS) && n < 1000; n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", store->path, stamp, n);
    }
  if (!move_if_present (store->path, target, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *from = g_strconcat (store->path, companions[i], NULL);
      g_autofree char *to = g_strconcat (target, companions[i], NULL);

      if (!move_if_present (from, to, error))
        return FALSE;
    }
  store->moved_aside = g_steal_pointer (&target);
  return TRUE;
}

SvHostStore *
sv_host_store_open (const char *path, GError **error)
{
  g_autoptr (SvHostStore) store = g_new0 (SvHostStore, 1);
  g_autoptr (GError) damage = NULL;
  OpenFailure why;

  g_return_val_if_fail (path != NULL, NULL);

  store->path = g_strdup (path);
  if (open_checked (store, &why, &damage))
    return g_steal_pointer (&store);
  if (why != OPEN_DAMAGED)
    {
      g_propagate_error (error, g_steal_pointer (&damage));
      return NULL;
    }
  if (!move_aside (store, error))
    return NULL;
  g_warning ("host cache %s was damaged (%s); moved it to %s and started a new one", path,
             damage->message, store->moved_aside);
  if (!open_checked (store, &why, error))
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
