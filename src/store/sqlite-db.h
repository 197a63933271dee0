/* sqlite-db.h: opening the servent's SQLite files, the same way for each of them.
 *
 * One open path for every database the servent keeps (the share index, the host cache, and
 * whatever comes next): WAL mode and synchronous=NORMAL for writers, one busy timeout
 * (SV_SQLITE_DB_BUSY_TIMEOUT_MS), PRAGMA quick_check when a writer opens, schema migrations keyed
 * by PRAGMA user_version (migration N brings the file from N-1 to N, each in its own
 * transaction), and what happens to a file that cannot be used: one that is not a database or
 * fails its check is moved aside as <path>.corrupt-<YYYYmmddTHHMMSS>[-N] (with its -wal/-shm
 * companions), a warning is logged and a fresh file is made; one written by a newer schema is
 * refused, unless the file is only a cache, which is then moved aside too. */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#define SV_SQLITE_DB_ERROR (sv_sqlite_db_error_quark ())
GQuark sv_sqlite_db_error_quark (void);

typedef enum {
  SV_SQLITE_DB_ERROR_SQLITE,     /* SQLite reported an error (the message says which) */
  SV_SQLITE_DB_ERROR_TOO_NEW,    /* the schema is newer than this program knows */
  SV_SQLITE_DB_ERROR_MOVE,       /* a damaged file could not be moved aside */
} SvSqliteDbError;

/* Every connection waits this long for another one's lock before giving up. */
#define SV_SQLITE_DB_BUSY_TIMEOUT_MS 10000

typedef struct {
  const char *what;                   /* names the file in messages ("host cache") */
  const char *const *migrations;      /* SQL of migration 1..n_migrations */
  guint n_migrations;                 /* the schema version this program writes */
  gboolean read_only;                 /* open an existing file as it is: no check, no migration;
                                       * its schema must be the current one */
  gboolean cache;                     /* a newer schema is moved aside rather than refused */
  const char *pragmas;                /* (nullable) run after the standard ones */
} SvSqliteDbConfig;

/* Opens @path (created if needed unless read-only; its directory must exist) as @config says.
 * @moved_aside: (out) (optional) (transfer full) where a damaged file went (NULL: nowhere).
 * Returns: (transfer full) the connection (close with sqlite3_close_v2), or NULL with @error. */
sqlite3 *sv_sqlite_db_open (const char *path, const SvSqliteDbConfig *config, char **moved_aside,
                            GError **error);

/* Runs @sql (one or more statements). Returns: the SQLite result code; @error set unless
 * SQLITE_OK. */
int sv_sqlite_db_exec (sqlite3 *db, const char *sql, GError **error);

/* Returns: (transfer full) (nullable) the first column of the first row of @sql as text; NULL
 * with *@rc (optional) the failure. */
char *sv_sqlite_db_query_text (sqlite3 *db, const char *sql, int *rc);

/* Returns: PRAGMA user_version, or -1 if it cannot be read. */
int sv_sqlite_db_user_version (sqlite3 *db);

/* Returns: (transfer full) (nullable) column @col of the current row of @st as text. */
char *sv_sqlite_db_column_text (sqlite3_stmt *st, int col);
