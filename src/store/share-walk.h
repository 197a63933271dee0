/* share-walk.h: which files of the share folders are shared, found by walking the directories.
 *
 * Rules: hidden entries (leading '.'), partial downloads (share-match.h) and the excluded state
 * directory are never shared; only regular files are; a symbolic link is followed only when its
 * target lies inside one of the share folders, and a directory already visited in the same walk
 * (a link loop, nested shares) is not entered twice. Unreadable directories and special files are
 * skipped and counted. Paths handed out are raw bytes (any encoding). */
#pragma once

#include <glib.h>
#include <sys/stat.h>

typedef struct _SvShareWalk SvShareWalk;

/* What a walk skipped. */
typedef struct {
  guint64 hidden;          /* hidden names, partial downloads, the state directory */
  guint64 special;         /* FIFOs, sockets, devices */
  guint64 unreadable;      /* directories that could not be listed, entries that could not be stat'ed */
  guint64 links_outside;   /* symbolic links leading out of the shares (or dangling) */
  guint64 loops;           /* directories reached a second time */
} SvShareWalkCounts;

typedef struct {
  /* A regular file to share; @st is the file's own (symlinks followed). */
  void (*file) (const char *path, gsize len, const struct stat *st, gpointer user_data);
  /* A directory entered (for watches). May be NULL. */
  void (*dir) (const char *path, gsize len, gpointer user_data);
} SvShareWalkFuncs;

typedef enum {
  SV_SHARE_WALK_GONE,      /* does not exist (or not any more) */
  SV_SHARE_WALK_SKIP,      /* exists, but is not shared */
  SV_SHARE_WALK_FILE,
  SV_SHARE_WALK_DIR,
} SvShareWalkKind;

/* @roots: the share folders (resolved with realpath; missing ones are kept so that their files
 * are not forgotten while a disk is away). @exclude_dir: never shared (nullable).
 * Returns: (transfer full). */
SvShareWalk *sv_share_walk_new (const char *const *roots, const char *exclude_dir);
void sv_share_walk_free (SvShareWalk *walk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvShareWalk, sv_share_walk_free)

/* Returns: (transfer none) (array zero-terminated=1) the resolved roots. */
const char *const *sv_share_walk_roots (SvShareWalk *walk);

/* Returns: TRUE if root @i could be opened during the last sv_share_walk_run. */
gboolean sv_share_walk_root_present (SvShareWalk *walk, guint i);

/* Forgets the directories visited, so the next walks may enter them again. */
void sv_share_walk_reset (SvShareWalk *walk);

/* Walks @dir (a root, or a directory under one) recursively. */
void sv_share_walk_dir (SvShareWalk *walk, const char *dir, const SvShareWalkFuncs *funcs,
                        gpointer user_data, SvShareWalkCounts *counts);

/* Resets the visited set and walks every root. */
void sv_share_walk_run (SvShareWalk *walk, const SvShareWalkFuncs *funcs, gpointer user_data,
                        SvShareWalkCounts *counts);

/* Classifies one path (a watch event) by the same rules; fills @st for FILE and DIR. */
SvShareWalkKind sv_share_walk_classify (SvShareWalk *walk, const char *path, struct stat *st);

/* Returns: TRUE if @path is lexically inside one of the roots (or is one). */
gboolean sv_share_walk_is_under_root (SvShareWalk *walk, const char *path);
