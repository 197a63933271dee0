/* syncs.h: folder mirrors: each keeps a folder a copy of another servent's share.
 *
 * A run browses the source (GET / for application/x-gnutella-packets, read by
 * core/browse-reader; a source named by servent GUID is asked for a PUSH and browsed on the
 * connection its GIV opens), reads the folder (sync-folder), lets core/sync-plan decide, renames,
 * copies and deletes at once, and fetches the rest by SHA-1 through the download service into the
 * folder's staging folder (resume, verification and atomic placement are the downloads'), moving
 * each file into place as it completes. Runs repeat every interval and when asked.
 *
 * The mirrors and the files they placed live in <state>/sync.db (store/sync-store). A run killed
 * at any point is finished by the next one, which starts soon after the daemon does: downloads
 * in progress resume where they were, and a file already placed or staged is not fetched again. */
#pragma once

#include <gio/gio.h>

#include "downloads.h"
#include "giv.h"
#include "host-addr.h"

#define SV_SYNCS_DEFAULT_INTERVAL_S 300
#define SV_SYNCS_MIN_INTERVAL_S     10
#define SV_SYNCS_MAX_INTERVAL_S     (7 * 24 * 3600)
#define SV_SYNCS_MAX                64      /* mirrors kept */
/* Downloads one mirror runs at once: all come from one source, which serves one address no more
 * than its per-address slots at once (SV_UPLOAD_POLICY_DEFAULT_PER_ADDRESS here); more would only
 * be answered busy and wait out a retry. */
#define SV_SYNCS_FETCHING           2
#define SV_SYNCS_GIV_WAIT_US        (G_GINT64_CONSTANT (20) * G_USEC_PER_SEC)
#define SV_SYNCS_BROWSE_INDEX       0       /* file index of a PUSH that asks for a browse */

typedef struct _SvSyncs SvSyncs;

typedef struct {
  const char *state_dir;           /* sync.db goes here */
  const char *user_agent;
  SvDownloads *downloads;          /* (not owned) fetches go through it; outlives the mirrors */
} SvSyncsConfig;

/* Opens the mirror list; each mirror runs soon after. Returns: (transfer full) or NULL with
 * @error (the list cannot be opened). */
SvSyncs *sv_syncs_new (const SvSyncsConfig *config, GError **error);
/* Stops every run (downloads stay, to be resumed). */
void sv_syncs_free (SvSyncs *syncs);

#define SV_SYNCS_ERROR (sv_syncs_error_quark ())
GQuark sv_syncs_error_quark (void);
typedef enum {
  SV_SYNCS_ERROR_INVALID,          /* the source or folder cannot be used (message says why) */
  SV_SYNCS_ERROR_EXISTS,           /* the folder is mirrored already */
  SV_SYNCS_ERROR_NOT_FOUND,        /* no such mirror */
  SV_SYNCS_ERROR_FULL,             /* SV_SYNCS_MAX mirrors */
  SV_SYNCS_ERROR_STORE,            /* the list could not be written */
} SvSyncsError;

/* Adds a mirror of @source ("host:port" or a 32-hex-digit servent GUID) into @dir (an absolute
 * path; created if missing). @interval_s: 0 for the default. The first run starts at once.
 * Returns: its id (> 0), or 0 with @error. */
gint64 sv_syncs_add (SvSyncs *syncs, const char *source, const char *dir, gboolean delete_extra,
                     guint interval_s, GError **error);
/* Forgets @id; its downloads are cancelled; the folder's files stay. */
gboolean sv_syncs_remove (SvSyncs *syncs, gint64 id, GError **error);
/* Runs @id (0: every mirror) now, or once more when it is running. */
gboolean sv_syncs_run_now (SvSyncs *syncs, gint64 id, GError **error);
/* A GIV arrived (@fd: transfer full when TRUE is returned). Returns: TRUE when a mirror was
 * waiting for it to browse its source. */
gboolean sv_syncs_giv (SvSyncs *syncs, const SvGiv *giv, int fd, const SvHostAddr *remote);

typedef struct {
  gint64 id;
  char *source;                    /* owned */
  char *dir;                       /* owned */
  gboolean delete_extra;
  guint interval_s;
  const char *state;               /* "idle", "browsing", "scanning", "fetching" */
  gint64 last_run_s;               /* wall clock (0: never) */
  gint64 next_run_s;               /* wall clock of the next run (running: 0) */
  char *last_error;                /* owned (nullable) */
  guint files;                     /* files the source shares (that a mirror can hold) */
  guint pending;                   /* of those, not in place yet */
  guint conflicts;                 /* names where a local file differs from the source's */
  guint skipped;                   /* source files the last run left out: no SHA-1, a name that
                                    * cannot be a file here, a second file under one name */
  guint64 runs;                    /* runs finished since the daemon started */
  guint64 fetch_bytes;             /* running: bytes this run fetches (0 when idle) */
  guint64 fetched_bytes;           /* running: of those, bytes here */
  guint64 rate;                    /* running: bytes per second coming in */
} SvSyncInfo;
void sv_sync_info_clear (SvSyncInfo *info);

/* Returns: (transfer full) (element-type SvSyncInfo) every mirror, oldest first. */
GArray *sv_syncs_list (SvSyncs *syncs);
