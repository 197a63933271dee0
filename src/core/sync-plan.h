/* sync-plan.h: what a folder mirror must do to follow its source, decided from two lists: the
 * files the source shares (its browse answer) and the files the folder holds (name, SHA-1, and
 * whether the mirror placed it there and it is unchanged since). No file is touched here.
 *
 * The mirror is flat: a browse answer names files, not folders, so each source file maps to
 * one name in the folder's top level. Per source file, by name:
 *   - the folder has it with the same SHA-1: KEEP (the mirror now counts it as placed);
 *   - the folder has another file under the name that the mirror placed and nobody changed
 *     (the source changed it): REPLACE;
 *   - the folder has a different file of the user's there: CONFLICT, fetched under the
 *     conflict name (sv_sync_plan_conflict_name) unless a file with that name and SHA-1 is
 *     already there; the user's file is never overwritten;
 *   - the name is free and a placed file with the same SHA-1 lost its name at the source (the
 *     source renamed it): RENAME, nothing is fetched;
 *   - the name is free and another local file has the same SHA-1: COPY;
 *   - otherwise FETCH.
 * A placed file the source no longer has is DELETEd only when the mirror was added with
 * delete; files the mirror did not place are never deleted. Source names that cannot be a file
 * name here (empty, ".", "..", a '/', a control character, the mirror's own hidden folder) and
 * second files under one name are skipped and counted. */
#pragma once

#include <glib.h>

#include "urn.h"

#define SV_SYNC_PLAN_STAGING ".servent-sync"    /* the mirror's own folder inside the folder */
#define SV_SYNC_PLAN_CONFLICT_TAG ".sync-conflict-"

typedef struct {
  const char *name;
  guint64 size;
  SvSha1 sha1;
} SvSyncRemote;

typedef struct {
  const char *name;
  guint64 size;
  SvSha1 sha1;
  gboolean placed;           /* the mirror put it there and it has not changed since */
} SvSyncLocal;

typedef enum {
  SV_SYNC_KEEP,              /* local[local] is remote[remote] already */
  SV_SYNC_FETCH,             /* fetch remote[remote] to its name */
  SV_SYNC_REPLACE,           /* fetch remote[remote] over local[local] (placed, unchanged) */
  SV_SYNC_CONFLICT,          /* fetch remote[remote] to its conflict name; local[local] stays */
  SV_SYNC_RENAME,            /* rename local[local] to remote[remote]'s name */
  SV_SYNC_COPY,              /* copy local[local] to remote[remote]'s name */
  SV_SYNC_DELETE,            /* delete local[local] (placed, gone from the source) */
} SvSyncActionKind;

typedef struct {
  SvSyncActionKind kind;
  guint remote;              /* index in the remote list (not for DELETE) */
  guint local;               /* index in the local list (KEEP, REPLACE, CONFLICT, RENAME, COPY,
                              * DELETE) */
} SvSyncAction;

typedef struct {
  guint skipped_names;       /* source names that cannot be used here */
  guint duplicates;          /* second source files under one name */
  guint conflicts;           /* names where the user's file differs from the source's */
} SvSyncPlanCounts;

/* Returns: (transfer full) (element-type SvSyncAction) the actions, sources' order first,
 * then deletions. @counts: (out) (optional). */
GArray *sv_sync_plan (const SvSyncRemote *remote, guint n_remote, const SvSyncLocal *local,
                      guint n_local, gboolean delete_extra, SvSyncPlanCounts *counts);

/* Returns: TRUE when @name can be a file name in the mirror's folder. */
gboolean sv_sync_plan_name_ok (const char *name);

/* Returns: (transfer full) the name a conflicting copy of @name with @sha1 gets:
 * "stem.sync-conflict-XXXXXXXX.ext" (the first 8 characters of the SHA-1 in base32). */
char *sv_sync_plan_conflict_name (const char *name, const SvSha1 *sha1);
