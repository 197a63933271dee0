/* host-store.h: the host cache kept across runs, in SQLite (<state>/hosts.db).
 *
 * One table of SvHostCacheRow, keyed by the address in its text form ("a.b.c.d:port" or
 * "[v6]:port", sv_host_addr_format), so that `sqlite3 hosts.db 'SELECT * FROM hosts'` is
 * readable. The whole cache is written at once (sv_host_store_save replaces every row in one
 * transaction) and read at once at start.
 *
 * Opened through sqlite-db.h (WAL, quick_check, migrations by user_version). The host cache is
 * only a cache: a file that is not a database, fails its check, or was written by a newer schema
 * is moved aside as <path>.corrupt-<YYYYmmddTHHMMSS> (with its -wal/-shm companions), a warning
 * is logged, and a fresh database is created. */
#pragma once

#include <gio/gio.h>

#include "host-cache.h"

#define SV_HOST_STORE_ERROR (sv_host_store_error_quark ())
GQuark sv_host_store_error_quark (void);

typedef enum {
  SV_HOST_STORE_ERROR_SQLITE,     /* SQLite reported an error (the message says which) */
} SvHostStoreError;

/* The schema version this program writes. */
#define SV_HOST_STORE_SCHEMA_VERSION 1

typedef struct _SvHostStore SvHostStore;

/* Opens (creating if needed) the database at @path and migrates it; a damaged one is replaced
 * as described above. The directory must exist.
 * Returns: (transfer full) the store, or NULL with @error set (SV_SQLITE_DB_ERROR: unwritable
 * directory, a damaged file that cannot be moved, …). */
SvHostStore *sv_host_store_open (const char *path, GError **error);
void sv_host_store_free (SvHostStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvHostStore, sv_host_store_free)

/* Returns: (transfer none) the path of the damaged file moved aside when this store was opened,
 * or NULL if none was. */
const char *sv_host_store_moved_aside (const SvHostStore *store);

/* Every stored row, in no particular order. Rows whose address no longer parses are skipped; an
 * unknown source becomes SV_HOST_SOURCE_STORE.
 * Returns: (transfer full) (element-type SvHostCacheRow) the rows, or NULL with @error. */
GArray *sv_host_store_load (SvHostStore *store, GError **error);

/* Replaces the stored rows with @rows (@n of them; NULL when @n is 0) in one transaction. Rows
 * without an address family are skipped; of two rows with the same address, the later wins.
 * Returns: FALSE with @error set (the previous rows are kept then). */
gboolean sv_host_store_save (SvHostStore *store, const SvHostCacheRow *rows, guint n, GError **error);
