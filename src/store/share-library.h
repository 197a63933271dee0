/* share-library.h: the shared-file library: folders kept indexed, hashed and searchable.
 *
 * One indexer thread owns the writer connection of the SQLite index (share-db.h); hashing runs in a
 * pool of worker threads (share-hash.h); queries use their own read-only connection and answer from
 * the moment the library is opened, also while a scan is running. A full scan reads a file only when
 * its size, mtime or inode changed; a file met at a new path with the identity of a vanished one is a
 * rename and keeps its index and digest; files that vanished leave the index.
 *
 * With config.watch, every shared directory gets a GFileMonitor on config.context: a file is
 * (re)indexed once it has had no event for config.debounce_ms, and a full rescan runs every
 * config.rescan_interval_s all the same (inotify can overflow, watches are capped). Callbacks
 * (progress, changed, file_changed) run on config.context, or on the indexer thread when it is NULL.
 *
 * Query functions may be called from any one thread at a time (they share one connection). */
#pragma once

#include <gio/gio.h>

#include "share-db.h"
#include "share-hash.h"
#include "share-match.h"

typedef struct _SvShareLibrary SvShareLibrary;

/* Progress of the hashing work queued since the library was last idle. */
typedef struct {
  guint64 files_done;
  guint64 files_total;     /* grows while the walk still finds files */
  guint64 bytes_done;
  guint64 bytes_total;
  gboolean walking;        /* the directory walk has not finished yet */
  gboolean finished;       /* last report of this batch: everything queued is done */
} SvShareProgress;

typedef void (*SvShareProgressFunc) (const SvShareProgress *progress, gpointer user_data);
typedef void (*SvShareChangedFunc) (gpointer user_data);

/* One file entering or leaving the shared set (hashed files). A new or newly hashed file is
 * ADDED; a deleted, unshared or rewritten (digest cleared for rehashing) file is REMOVED; a
 * rename is REMOVED with the old name then ADDED with the new one. */
typedef enum {
  SV_SHARE_FILE_ADDED,
  SV_SHARE_FILE_REMOVED,
} SvShareFileEvent;

typedef struct {
  SvShareFileEvent event;
  const char *name;        /* display name (UTF-8) */
  const char *words;       /* its canonical words, as the index stores them (share-match.h) */
  SvSha1 sha1;
  guint64 generation;      /* sv_share_library_generation() of the commit that made it */
} SvShareFileChange;

/* Called once per change, in commit order, after the commit that made them; the strings are
 * only valid during the call. */
typedef void (*SvShareFileFunc) (const SvShareFileChange *change, gpointer user_data);

typedef struct {
  const char *db_path;               /* the index file (created if missing) */
  const char *const *folders;        /* share folders, NULL-terminated */
  const char *state_dir;             /* never shared, even inside a share (nullable) */
  GMainContext *context;             /* callbacks and watches run here (nullable: no watches) */
  gboolean watch;                    /* live sync with GFileMonitor (needs @context) */
  guint debounce_ms;                 /* quiet time before a changed file is indexed; 0: 1000 */
  guint rescan_interval_s;           /* periodic full rescan while watching; 0: none */
  guint hash_threads;                /* 0: 2 */
  guint max_watches;                 /* directories watched at most; 0: 8192 */
  guint progress_interval_ms;        /* between progress reports; 0: 100 */
  SvShareProgressFunc progress;      /* nullable */
  gpointer progress_data;
  SvShareChangedFunc changed;        /* the index changed (QRP rebuild, What's New); nullable */
  gpointer changed_data;
  SvShareHashHook hash_hook;         /* tests: called after every block read; nullable */
  gpointer hash_hook_data;
  SvShareFileFunc file_changed;      /* per-file changes (incremental QRP); nullable */
  gpointer file_changed_data;
} SvShareLibraryConfig;

/* Counters since the library was opened. */
typedef struct {
  guint64 scans;             /* full scans completed */
  guint64 files_seen;        /* regular files met by walks */
  guint64 files_unchanged;   /* met with the same size, mtime and inode: not read */
  guint64 files_hashed;      /* digests computed and recorded */
  guint64 bytes_hashed;
  guint64 hash_retries;      /* files that changed while being hashed, hashed again */
  guint64 renames;           /* rows moved to a new path without hashing */
  guint64 removed;           /* rows deleted (file gone, unreadable, no longer shared) */
  guint64 unreadable;        /* files that could not be read, directories not listed */
  guint64 special;           /* FIFOs, sockets, devices skipped */
  guint64 hidden;            /* hidden names, partial downloads, state directory skipped */
  guint64 links_outside;     /* symbolic links out of the shares, not followed */
  guint64 loops;             /* directories reached twice (link loops) */
  guint64 watches;           /* directories watched now */
} SvShareStats;

/* Opens the index (migrating it) and starts the indexer. Does not scan: call
 * sv_share_library_rescan. With config->watch, the first scan also sets up the watches.
 * Returns: (transfer full) the library, or NULL with @error set. */
SvShareLibrary *sv_share_library_new (const SvShareLibraryConfig *config, GError **error);

/* Stops the indexer (work in progress is committed or dropped, never half-written). */
void sv_share_library_free (SvShareLibrary *lib);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvShareLibrary, sv_share_library_free)

/* Queues a full scan of every share folder. */
void sv_share_library_rescan (SvShareLibrary *lib);

/* Shares @folders (NULL-terminated, copied) from now on instead of the folders it was opened
 * with: a full scan follows, indexing a new folder and dropping the rows of one no longer
 * shared. Watches follow the directories that scan finds. */
void sv_share_library_set_folders (SvShareLibrary *lib, const char *const *folders);

/* Queues a check of one path (file or directory, present or gone). */
void sv_share_library_notify_path (SvShareLibrary *lib, const char *path);

/* Returns: TRUE when nothing is queued, hashing or uncommitted. */
gboolean sv_share_library_is_idle (SvShareLibrary *lib);

/* Blocks until idle or @timeout_ms passed. Returns: TRUE if idle. Does not run any main context. */
gboolean sv_share_library_wait_idle (SvShareLibrary *lib, guint timeout_ms);

void sv_share_library_get_stats (SvShareLibrary *lib, SvShareStats *out);

/* Returns: a number that grows each time a change to the index is committed. */
guint64 sv_share_library_generation (SvShareLibrary *lib);

/* Keyword query: every word of @criteria must match (QRP's prefix rules).
 * Returns: (transfer full) (element-type SvShareResult) at most @max results, newest first. */
GArray *sv_share_library_query (SvShareLibrary *lib, const char *criteria, gssize len, guint max);
/* The same for words already canonical (SvQueryView's; the first
 * SV_SHARE_MATCH_MAX_QUERY_WORDS are looked up). Returns: as sv_share_library_query(). */
GArray *sv_share_library_query_words (SvShareLibrary *lib, char *const *words, guint max);

/* Returns: (transfer full) (element-type SvShareResult) files with this SHA-1. */
GArray *sv_share_library_query_sha1 (SvShareLibrary *lib, const SvSha1 *sha1, guint max);

/* What's New: Returns: (transfer full) (element-type SvShareResult) the newest @max files. */
GArray *sv_share_library_newest (SvShareLibrary *lib, guint max);

/* Looks a file up by index for an upload. Returns: TRUE and fills @out (clear it). */
gboolean sv_share_library_get (SvShareLibrary *lib, guint64 index, SvShareDbRow *out);

/* Counts the files shared now (hashed) and their bytes. */
void sv_share_library_count (SvShareLibrary *lib, guint64 *files, guint64 *bytes);

/* Calls @func with the words and digest of every shared file (QRP table building). */
gboolean sv_share_library_foreach_words (SvShareLibrary *lib, SvShareDbWordsFunc func,
                                         gpointer user_data, GError **error);

/* As sv_share_library_foreach_words, over the index exactly as of one commit, whose generation is
 * stored in @generation: file_changed calls with a generation up to it are already included, those
 * above are not (seeding a table kept up to date by config.file_changed). Commits wait meanwhile. */
gboolean sv_share_library_foreach_words_at (SvShareLibrary *lib, SvShareDbWordsFunc func,
                                            gpointer user_data, guint64 *generation,
                                            GError **error);

/* Browse host: every shared file in index order, read in pages (no long read transaction). */
typedef struct _SvShareBrowse SvShareBrowse;

/* Returns: (transfer full) an iterator over @lib (which must outlive it). */
SvShareBrowse *sv_share_browse_new (SvShareLibrary *lib);

/* Returns: TRUE and fills @out (clear it with sv_share_result_clear), FALSE at the end. */
gboolean sv_share_browse_next (SvShareBrowse *it, SvShareResult *out);
void sv_share_browse_free (SvShareBrowse *it);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvShareBrowse, sv_share_browse_free)

/* Returns: (transfer full) an empty array of SvShareResult that clears its elements. */
GArray *sv_share_results_new (void);
