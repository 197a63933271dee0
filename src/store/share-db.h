/* share-db.h: the share index in SQLite: schema, migrations and every statement, on one connection.
 *
 * Files keep the raw path (BLOB, any bytes), a UTF-8 display name, the canonical words of that name
 * (sv_share_match_words), size, mtime in ns, device+inode, SHA-1 (NULL while it is being computed)
 * and a stable index (INTEGER PRIMARY KEY AUTOINCREMENT: never reused). An external-content FTS5
 * table over the words, kept in sync by triggers, answers keyword queries.
 *
 * Opened through sqlite-db.h: WAL mode with synchronous=NORMAL, migrations keyed by PRAGMA
 * user_version, PRAGMA quick_check when the writer opens. Exactly one connection writes (the
 * indexer's); others open read-only, after it, and keep answering while it writes. A damaged file
 * is moved aside and the index starts afresh (the next scan fills it again from the disk); one
 * written by a newer schema is refused (SV_SQLITE_DB_ERROR_TOO_NEW). A connection is used by one
 * thread at a time. */
#pragma once

#include <gio/gio.h>

#include "share-hash.h"
#include "share-match.h"

#define SV_SHARE_DB_ERROR (sv_share_db_error_quark ())
GQuark sv_share_db_error_quark (void);

typedef enum {
  SV_SHARE_DB_ERROR_SQLITE,     /* SQLite reported an error (message says which) */
  SV_SHARE_DB_ERROR_CORRUPT,    /* sv_share_db_integrity_check() did not answer "ok" */
} SvShareDbError;

/* The schema version this program writes. */
#define SV_SHARE_DB_SCHEMA_VERSION 1

typedef struct _SvShareDb SvShareDb;

/* One indexed file as the indexer sees it. */
typedef struct {
  gint64 id;
  char *path;          /* raw bytes, NUL-terminated for convenience (owned) */
  gsize path_len;
  SvShareStat st;
  gboolean has_sha1;
  SvSha1 sha1;
} SvShareDbRow;

void sv_share_db_row_clear (SvShareDbRow *row);

/* Opens (creating if needed, when @writer) the database at @path and migrates it.
 * Returns: (transfer full) the connection, or NULL with @error set (SV_SQLITE_DB_ERROR when the
 * file could not be opened, SV_SHARE_DB_ERROR when a statement could not be prepared). */
SvShareDb *sv_share_db_open (const char *path, gboolean writer, GError **error);
/* Returns: (transfer none) (nullable) where a damaged file went when the writer opened. */
const char *sv_share_db_moved_aside (const SvShareDb *db);
void sv_share_db_free (SvShareDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvShareDb, sv_share_db_free)

/* Returns: the schema version found on disk (PRAGMA user_version). */
int sv_share_db_schema_version (SvShareDb *db);

/* --- writer --- */

gboolean sv_share_db_begin (SvShareDb *db, GError **error);
gboolean sv_share_db_commit (SvShareDb *db, GError **error);

/* Calls @func for every row (any order). Stops early if @func returns FALSE. */
typedef gboolean (*SvShareDbRowFunc) (const SvShareDbRow *row, gpointer user_data);
gboolean sv_share_db_foreach_row (SvShareDb *db, SvShareDbRowFunc func, gpointer user_data,
                                  GError **error);

/* Returns: TRUE and fills @out if a row has exactly this path. */
gboolean sv_share_db_find_path (SvShareDb *db, const char *path, gsize len, SvShareDbRow *out);

/* Returns: (transfer full) (element-type SvShareDbRow) rows with this device and inode. */
GArray *sv_share_db_find_inode (SvShareDb *db, guint64 dev, guint64 ino);

/* Inserts a file. @sha1 may be NULL (not hashed yet). Returns: the new index, or -1 on error. */
gint64 sv_share_db_insert (SvShareDb *db, const char *path, gsize len, const SvShareStat *st,
                           const SvSha1 *sha1, gint64 added_us, GError **error);

/* Sets the identity and digest (NULL: unknown) of row @id. */
gboolean sv_share_db_update_file (SvShareDb *db, gint64 id, const SvShareStat *st,
                                  const SvSha1 *sha1, GError **error);

/* Gives row @id a new path (rename or move; index and digest kept). */
gboolean sv_share_db_move (SvShareDb *db, gint64 id, const char *path, gsize len, GError **error);

gboolean sv_share_db_delete (SvShareDb *db, gint64 id, GError **error);

/* Deletes every row whose path is @dir/… . Returns: rows deleted, or -1 on error. */
gint64 sv_share_db_delete_under (SvShareDb *db, const char *dir, gsize len, GError **error);

/* --- readers (any connection) --- */

/* Appends to @out (element-type SvShareResult) up to @max hashed files whose words admit every
 * one of @query_words (see share-match.h), newest first. */
gboolean sv_share_db_match_words (SvShareDb *db, char *const *query_words, guint max, GArray *out,
                                  GError **error);

/* Appends hashed files with this SHA-1 (at most @max). */
gboolean sv_share_db_match_sha1 (SvShareDb *db, const SvSha1 *sha1, guint max, GArray *out,
                                 GError **error);

/* Appends the @max most recently added hashed files, newest first. */
gboolean sv_share_db_newest (SvShareDb *db, guint max, GArray *out, GError **error);

/* Appends up to @max hashed files with index > @after, in index order (browse host paging). */
gboolean sv_share_db_browse (SvShareDb *db, gint64 after, guint max, GArray *out, GError **error);

/* Looks up one file by index (uploads). Returns: TRUE and fills @out (clear it) if it exists and
 * is hashed. */
gboolean sv_share_db_get (SvShareDb *db, gint64 index, SvShareDbRow *out);

/* Counts hashed files and their bytes. */
gboolean sv_share_db_count (SvShareDb *db, guint64 *files, guint64 *bytes, GError **error);

/* Calls @func with the words and digest of every hashed file (QRP table building). */
typedef void (*SvShareDbWordsFunc) (const char *words, const SvSha1 *sha1, gpointer user_data);
gboolean sv_share_db_foreach_words (SvShareDb *db, SvShareDbWordsFunc func, gpointer user_data,
                                    GError **error);

/* --- change log (writer) --- */

/* Starts logging, in this connection only, every change to the set of hashed files: a hashed row
 * inserted or deleted, its digest set or cleared, its name changed (a rename logs the old name
 * removed and the new one added). The log lives in a TEMP table filled by TEMP triggers, inside
 * the writer's transactions: a transaction that does not commit leaves no entry. */
gboolean sv_share_db_track_changes (SvShareDb *db, GError **error);

/* One logged change: @added, or removed; display name, canonical words, digest. */
typedef void (*SvShareDbChangeFunc) (gboolean added, const char *name, const char *words,
                                     const SvSha1 *sha1, gpointer user_data);

/* Calls @func for every logged change in the order they were made, then empties the log. Call it
 * outside a transaction, after the commit whose changes it reports. */
gboolean sv_share_db_take_changes (SvShareDb *db, SvShareDbChangeFunc func, gpointer user_data,
                                   GError **error);

/* Runs PRAGMA integrity_check. Returns: TRUE if it answered "ok". */
gboolean sv_share_db_integrity_check (SvShareDb *db, GError **error);

/* Returns: (transfer none) the SQLite handle (tests, benchmarks). */
struct sqlite3 *sv_share_db_handle (SvShareDb *db);
