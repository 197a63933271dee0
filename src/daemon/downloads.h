/* downloads.h: the download service: every download, its partial file under the state
 * directory, its sources and fetches (libcurl through net/http-client), the PUSHes it waits on,
 * and its state kept in SQLite (store/download-store) so that it resumes after a restart.
 *
 * Which bytes come from which source is core/download-plan's decision; this file carries it out.
 * Bytes are written where they belong in <state>/partial/<SHA-1>.part; every
 * SV_DOWNLOADS_SAVE_US the file is synced and the spans written are stored. When every byte is
 * here the file is hashed (in a worker thread) and, when its SHA-1 is the one asked for, moved
 * into the download folder under its name (a free variant of it when the name is taken). A
 * mismatch discards the data and drops the sources that sent it.
 *
 * A firewalled source is asked for a PUSH through the host (servent-route sends it along the
 * route its hit came by) and through each of its push proxies (GET /gnutella/push-proxy with
 * our address in X-Node); the GIV that answers is matched by servent GUID and the file is fetched
 * on that socket. When we are firewalled too, the source is met at one of its push proxies
 * instead (net/rendezvous-call: the proxy names each side's address as it saw it, then both
 * connect at once, TCP simultaneous open) and the file is fetched on that connection; a source
 * without push proxies cannot be used then, and a download that has no other source fails at
 * once, saying so. */
#pragma once

#include <gio/gio.h>

#include "alt-locs.h"
#include "download-plan.h"
#include "giv.h"
#include "host-addr.h"
#include "urn.h"

#define SV_DOWNLOADS_SAVE_US      (G_GINT64_CONSTANT (2) * G_USEC_PER_SEC)
#define SV_DOWNLOADS_PUSH_WAIT_US (G_GINT64_CONSTANT (20) * G_USEC_PER_SEC)
#define SV_DOWNLOADS_MAX          256     /* downloads kept (complete and failed ones included) */
#define SV_DOWNLOADS_PUNCH_ROUNDS 2       /* rendezvous (fresh ports each) before asking a relay */

typedef struct _SvDownloads SvDownloads;

typedef struct {
  /* Sends a PUSH asking @servent to connect to us for @index. Returns: FALSE when no route to it
   * is known. */
  gboolean (*send_push) (const SvGuid *servent, guint32 index, gpointer user_data);
  /* TRUE once we know we cannot be reached (a PUSH cannot work). */
  gboolean (*firewalled) (gpointer user_data);
  /* TRUE while the NAT in front of us forwards our port to us (a GIV then comes through it).
   * May be NULL. */
  gboolean (*port_mapped) (gpointer user_data);
  /* Fills @out with the address we announce (where a GIV should come to). */
  void (*announced) (SvHostAddr *out, gpointer user_data);
  /* Looks for more sources of @sha1 (a search by URN); hits come back through
   * sv_downloads_add_source(). May be NULL. */
  void (*find_sources) (const SvSha1 *sha1, gpointer user_data);
} SvDownloadsHost;

typedef struct {
  const char *state_dir;            /* partial files and downloads.db go here */
  const char *download_dir;         /* complete files go here (created if missing) */
  const char *user_agent;
  SvDownloadsHost host;
  gpointer host_data;
  SvAltLocs *alt_locs;              /* (not owned) (nullable) sources that served a file well are
                                     * offered to others in X-Alt; those that lied are dropped */
  gboolean lan;                     /* private addresses count as alternate locations */
  gboolean ipv6;                    /* we listen on an IPv6 address too (a rendezvous may use
                                     * it) */
} SvDownloadsConfig;

/* Opens the download list and resumes what was active. Returns: (transfer full) or NULL with
 * @error (the state cannot be opened or the folders cannot be made). */
SvDownloads *sv_downloads_new (const SvDownloadsConfig *config, GError **error);
/* Saves progress and stops every fetch (partial data is kept). */
void sv_downloads_free (SvDownloads *downloads);

#define SV_DOWNLOADS_ERROR (sv_downloads_error_quark ())
GQuark sv_downloads_error_quark (void);
typedef enum {
  SV_DOWNLOADS_ERROR_EXISTS,        /* this SHA-1 is already being downloaded (id in message) */
  SV_DOWNLOADS_ERROR_INVALID,       /* size 0 or over the limit, no name */
  SV_DOWNLOADS_ERROR_STORE,         /* the list could not be written */
  SV_DOWNLOADS_ERROR_FULL,          /* SV_DOWNLOADS_MAX downloads kept */
  SV_DOWNLOADS_ERROR_NOT_FOUND,     /* no such download */
} SvDownloadsError;

/* Starts downloading @sha1 (@size bytes, saved as @name) from @sources (@n of them; more may
 * come later). Returns: its id (> 0), or 0 with @error. */
gint64 sv_downloads_add (SvDownloads *downloads, const SvSha1 *sha1, const char *name,
                         guint64 size, const SvDownloadSourceInfo *sources, guint n,
                         GError **error);
/* The same, saved in @dir (nullable: the download folder) instead. */
gint64 sv_downloads_add_to (SvDownloads *downloads, const char *dir, const SvSha1 *sha1,
                            const char *name, guint64 size, const SvDownloadSourceInfo *sources,
                            guint n, GError **error);
/* Asks the firewalled @source to connect to us (a PUSH routed to it, and one through each of its
 * push proxies); the GIV that answers goes wherever servent.c sends it. Returns: FALSE when no
 * way to it is known. */
gboolean sv_downloads_ask_push (SvDownloads *downloads, const SvDownloadSourceInfo *source);
/* A host that has @sha1 (a hit, an alternate location). Ignored unless a download wants it. */
void sv_downloads_add_source (SvDownloads *downloads, const SvSha1 *sha1, guint64 size,
                              const SvDownloadSourceInfo *source);
/* A GIV arrived (@fd: transfer full). Returns: TRUE when a download was waiting for it. */
gboolean sv_downloads_giv (SvDownloads *downloads, const SvGiv *giv, int fd,
                           const SvHostAddr *remote);

gboolean sv_downloads_pause (SvDownloads *downloads, gint64 id, GError **error);
gboolean sv_downloads_resume (SvDownloads *downloads, gint64 id, GError **error);
/* Stops @id and forgets it; its partial file is deleted (a complete file stays). */
gboolean sv_downloads_cancel (SvDownloads *downloads, gint64 id, GError **error);

typedef struct {
  gint64 id;
  SvSha1 sha1;
  char *name;                       /* owned */
  guint64 size, done;
  const char *state;                /* "active", "paused", "verifying", "complete", "failed" */
  char *path;                       /* owned (nullable): the complete file */
  char *dir;                        /* owned (nullable): its folder, when not the download folder */
  char *error;                      /* owned (nullable) */
  guint64 rate;                     /* bytes per second, recent */
  guint sources, sources_alive, sources_active;
  guint sources_used;               /* sources that gave bytes (since the last SHA-1 mismatch) */
  guint mismatches;                 /* SHA-1 checks the data failed */
  const char *method;               /* "direct", "push", "mapped", "simultaneous-open" or
                                     * "relay": what carried the last bytes; NULL */
  SvHostAddr from;                  /* where they came from (the relay for a relayed download;
                                     * family 0: nothing yet) */
  guint64 first_byte_ms;            /* from its start (or the daemon's) to its first bytes (0:
                                     * none yet) */
  guint pushes_sent, pushes_answered; /* PUSHes and rendezvous asked for, and those answered */
} SvDownloadInfo;
void sv_download_info_clear (SvDownloadInfo *info);

/* Returns: (transfer full) (element-type SvDownloadInfo) every download, oldest first. */
GArray *sv_downloads_list (SvDownloads *downloads);
/* Returns: TRUE and fills @out (clear it) for @id. */
gboolean sv_downloads_get (SvDownloads *downloads, gint64 id, SvDownloadInfo *out);
