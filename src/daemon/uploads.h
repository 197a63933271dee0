/* uploads.h: the upload service of the Gnutella port: every upload connection (adopted from the
 * listener, or dialled out after a PUSH for us), the slots and queue (core/upload-policy), and
 * the resolution of a request to a shared file.
 *
 * Files are found only through the share index, by file index or SHA-1, never by a path taken
 * from a request. A file is opened and then checked by its descriptor: it must be a regular file
 * inside a share folder (its resolved path, so a symbolic link swapped in after indexing is
 * refused) with the size, mtime and inode the index holds; a file that changed is refused with
 * 404 and queued for re-hashing, never served under its old hash.
 *
 * Browse host ("GET /" accepting application/x-gnutella-packets) answers with every shared file
 * (at most SV_UPLOADS_BROWSE_MAX_FILES) as QueryHit messages, deflated when the client accepts
 * it; it takes no upload slot. */
#pragma once

#include <gio/gio.h>

#include "alt-locs.h"

#include "guid.h"
#include "host-addr.h"
#include "msg-push.h"
#include "msg-queryhit.h"
#include "rendezvous-broker.h"
#include "share-library.h"
#include "upload-policy.h"

#define SV_UPLOADS_BROWSE_MAX_FILES 65536
#define SV_UPLOADS_ALT_PER_ANSWER   10      /* hosts named in one X-Alt */

typedef struct _SvUploads SvUploads;

typedef struct {
  SvShareLibrary *library;           /* (not owned) outlives the uploads */
  const char *const *folders;        /* share folders (copied, resolved) */
  const char *server;                /* Server header (copied) */
  SvUploadPolicyConfig policy;
  guint64 rate;                      /* upload bytes per second in all (0: no limit) */
  /* Fills what our QueryHits say of us (address, GUID, firewalled), for browse host. */
  void (*hit_own) (SvQueryHitOwn *own, gpointer user_data);
  /* A push-proxy request (GET /gnutella/push-proxy?ServerId=…) for the leaf @guid: PUSH it to
   * connect to @to for @index. Returns: FALSE when @guid is not a leaf we proxy for. */
  gboolean (*proxy_push) (const SvGuid *guid, guint32 index, const SvHostAddr *to,
                          gpointer user_data);
  gpointer user_data;
  gboolean lan;                      /* PUSH call-backs to private addresses allowed */
  SvAltLocs *alt_locs;               /* (not owned) (nullable) other hosts with our files: named in
                                      * X-Alt, and learnt from the X-Alt requesters send */
  SvRendezvousBroker *broker;        /* (not owned) (nullable) answers /gnutella/rendezvous;
                                      * NULL: 404 */
} SvUploadsConfig;

typedef struct {
  guint64 requests;                  /* requests answered */
  guint64 served;                    /* answers with a body (200/206) */
  guint64 completed;                 /* bodies sent whole */
  guint64 body_bytes;
  guint64 not_found;                 /* 404 */
  guint64 refused_busy;              /* 503, or closed at once when its address or network holds
                                      * its share of connections */
  guint64 evicted;                   /* silent connections closed to make room for a newcomer */
  guint64 changed;                   /* files refused because they changed since indexing */
  guint64 outside;                   /* files refused as no longer inside a share */
  guint64 bad_request;               /* heads refused by the parser, 4xx */
  guint64 browses;                   /* browse-host answers */
  guint64 proxy_pushes;              /* push-proxy requests relayed to a leaf (202) */
  guint64 proxy_refused;             /* push-proxy requests for no leaf of ours, or without X-Node */
  guint64 pushes_honoured;           /* GIV connections dialled */
  guint64 pushes_refused;            /* PUSHes refused (address, throttle, cap) */
  guint64 push_connect_failed;       /* GIV connections that did not connect */
} SvUploadsCounters;

/* Returns: (transfer full). */
SvUploads *sv_uploads_new (const SvUploadsConfig *config);
/* Closes every upload connection. */
void sv_uploads_free (SvUploads *uploads);
/* The upload bandwidth limit in bytes per second (0: none), from now on. */
void sv_uploads_set_rate (SvUploads *uploads, guint64 rate);
/* The share folders files may be served from (resolved; a missing one is left out). */
void sv_uploads_set_folders (SvUploads *uploads, const char *const *folders);

/* A request arrived on our port (the listener read @prefix). */
void sv_uploads_adopt (SvUploads *uploads, GSocketConnection *connection, const SvHostAddr *remote,
                       const guint8 *prefix, gsize prefix_len);

/* A PUSH for our servent GUID (@self): connect out to its address, say GIV, serve. @local: the
 * address to connect from (nullable). Returns: FALSE when it was refused (counted). */
gboolean sv_uploads_push (SvUploads *uploads, const SvPush *push, const SvGuid *self,
                          const SvHostAddr *local, gint64 now_us);

void sv_uploads_get_counters (SvUploads *uploads, SvUploadsCounters *out);

/* One upload connection now. */
typedef struct {
  SvHostAddr remote;
  char *name;                        /* (owned) (nullable) the file being sent */
  guint64 offset, end;               /* the span being sent (equal: between requests) */
  guint64 body_bytes;
  gboolean pushed;
} SvUploadInfo;
void sv_upload_info_clear (SvUploadInfo *info);

/* Returns: (transfer full) (element-type SvUploadInfo) the connections; @queued: requesters in
 * the queue. */
GArray *sv_uploads_list (SvUploads *uploads, guint *queued);
