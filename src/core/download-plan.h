/* download-plan.h: the decisions of one download: which bytes are still missing, which source
 * fetches which span next, and when a source that failed may be tried again.
 *
 * A source is a host that has the file: reached directly, or through a PUSH when it is
 * firewalled. Spans are handed out so that no byte is fetched twice at once: a direct source gets
 * an eighth of the file, at least SV_DOWNLOAD_PLAN_MIN_CHUNK_BYTES and at most
 * SV_DOWNLOAD_PLAN_CHUNK_BYTES (so that several sources share even a small file), a pushed one
 * the whole gap it starts in (its connection is not reused). A failure puts the source in backoff (doubling from SV_DOWNLOAD_PLAN_BACKOFF_US,
 * or the Retry-After it gave); a source that is wrong about the file (404, a bad answer, a lie)
 * is dropped, and so is one that failed SV_DOWNLOAD_PLAN_MAX_FAILURES times in a row. Pure: time
 * comes in as an argument. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "host-addr.h"

#define SV_DOWNLOAD_PLAN_CHUNK_BYTES   (G_GUINT64_CONSTANT (16) * 1024 * 1024)
#define SV_DOWNLOAD_PLAN_MIN_CHUNK_BYTES (G_GUINT64_CONSTANT (512) * 1024)
#define SV_DOWNLOAD_PLAN_BACKOFF_US    (G_GINT64_CONSTANT (2) * G_USEC_PER_SEC)
#define SV_DOWNLOAD_PLAN_MAX_BACKOFF_US (G_GINT64_CONSTANT (300) * G_USEC_PER_SEC)
#define SV_DOWNLOAD_PLAN_MAX_FAILURES  8
#define SV_DOWNLOAD_PLAN_MAX_SOURCES   64
#define SV_DOWNLOAD_PLAN_MAX_ACTIVE    4      /* sources fetching at once */
#define SV_DOWNLOAD_PLAN_MAX_PROXIES   8      /* push proxies kept per firewalled source (IPv4
                                                * and IPv6 addresses) */

typedef struct {
  SvHostAddr addr;          /* where it listens (a firewalled one's may be useless) */
  SvGuid servent;           /* its servent GUID (zero: unknown) */
  gboolean firewalled;      /* reached through a PUSH */
  guint32 index;            /* its file index (for /get/ and the PUSH) */
  guint n_proxies;          /* firewalled: its push proxies (from its hit) */
  SvHostAddr proxies[SV_DOWNLOAD_PLAN_MAX_PROXIES];
} SvDownloadSourceInfo;

typedef enum {
  SV_DOWNLOAD_SOURCE_IDLE = 0,
  SV_DOWNLOAD_SOURCE_ACTIVE,
  SV_DOWNLOAD_SOURCE_BACKOFF,
  SV_DOWNLOAD_SOURCE_DEAD,
} SvDownloadSourceState;

typedef enum {
  SV_DOWNLOAD_OUTCOME_OK = 0,       /* the span came whole */
  SV_DOWNLOAD_OUTCOME_CUT,          /* some bytes came, then the connection ended */
  SV_DOWNLOAD_OUTCOME_FAILED,       /* no connection, no answer, or a push without GIV */
  SV_DOWNLOAD_OUTCOME_BUSY,         /* 503 (queued or busy): try after retry_after */
  SV_DOWNLOAD_OUTCOME_GONE,         /* 404/410: it does not have the file */
  SV_DOWNLOAD_OUTCOME_BAD,          /* a wrong answer, or its data failed the hash: dropped */
} SvDownloadOutcome;

typedef struct {
  SvDownloadSourceInfo info;
  SvDownloadSourceState state;
  guint failures;           /* in a row */
  gint64 retry_at_us;       /* BACKOFF: not before */
  guint64 first, end;       /* ACTIVE: the span claimed; first advances as bytes come */
  guint64 bytes;            /* bytes it gave since the last reset */
  gboolean lied;            /* dropped for a wrong answer or data that failed the hash */
} SvDownloadSource;

typedef enum {
  SV_DOWNLOAD_NEXT_START = 0,   /* start @task */
  SV_DOWNLOAD_NEXT_WAIT,        /* nothing to start now; ask again at *wake_us (0: when
                                 * something changes) */
  SV_DOWNLOAD_NEXT_DONE,        /* every byte is here */
  SV_DOWNLOAD_NEXT_NO_SOURCE,   /* bytes missing, no source alive and none active */
  SV_DOWNLOAD_NEXT_UNREACHABLE, /* bytes missing, none active, and every source alive needs a
                                 * PUSH that cannot work (we are firewalled too) and has no push
                                 * proxy to meet it at */
} SvDownloadNext;

typedef struct {
  guint source;
  guint64 first, length;
} SvDownloadTask;

typedef struct _SvDownloadPlan SvDownloadPlan;

/* Returns: (transfer full) a plan for a file of @size bytes, none of them here. */
SvDownloadPlan *sv_download_plan_new (guint64 size);
void sv_download_plan_free (SvDownloadPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvDownloadPlan, sv_download_plan_free)

guint64 sv_download_plan_size (const SvDownloadPlan *plan);

/* Adds a source (a known one, by address or by servent GUID for a firewalled one, is updated and
 * revived unless it lied). Returns: its number, or -1 when the list is full. */
gint sv_download_plan_add_source (SvDownloadPlan *plan, const SvDownloadSourceInfo *info);
guint sv_download_plan_n_sources (const SvDownloadPlan *plan);
/* Returns: (transfer none). */
const SvDownloadSource *sv_download_plan_source (const SvDownloadPlan *plan, guint source);
/* Sources that gave bytes since the last reset. */
guint sv_download_plan_used (const SvDownloadPlan *plan);
/* Sources neither dead nor lying, and of them those active. */
guint sv_download_plan_alive (const SvDownloadPlan *plan, guint *active);

/* Bytes [first, first+length) are here (resumed state, or written). */
void sv_download_plan_mark_done (SvDownloadPlan *plan, guint64 first, guint64 length);
/* Forgets every byte (the file failed its hash), and what each source gave. */
void sv_download_plan_reset (SvDownloadPlan *plan);
guint64 sv_download_plan_done_bytes (const SvDownloadPlan *plan);
/* The spans here, sorted, as pairs (first, end) in @out (element-type guint64). */
void sv_download_plan_done_spans (const SvDownloadPlan *plan, GArray *out);

/* What to start next at @now_us; @max_active: sources fetching at once (0: default).
 * @can_push: FALSE when a PUSH cannot work (we are firewalled too): firewalled sources are then
 * reached by rendezvous at one of their push proxies; those without any wait, and when they are
 * all that is left the answer is SV_DOWNLOAD_NEXT_UNREACHABLE.
 * On START the source is ACTIVE with the span claimed. */
SvDownloadNext sv_download_plan_next (SvDownloadPlan *plan, gint64 now_us, guint max_active,
                                      gboolean can_push, SvDownloadTask *task, gint64 *wake_us);

/* @source gave @len more bytes of its span (written at its current first). */
void sv_download_plan_progress (SvDownloadPlan *plan, guint source, guint64 len);
/* @source's fetch ended with @outcome (@retry_after_s for BUSY). Its unfetched span goes back. */
void sv_download_plan_finish (SvDownloadPlan *plan, guint source, SvDownloadOutcome outcome,
                              guint retry_after_s, gint64 now_us);

/* Gives every source dropped for failures (not for lying) a fresh start. */
void sv_download_plan_revive (SvDownloadPlan *plan);

/* Returns: (transfer none) a stable token ("ok", "cut", "failed", "busy", "gone", "bad"). */
const char *sv_download_outcome_name (SvDownloadOutcome outcome);
const char *sv_download_source_state_name (SvDownloadSourceState state);

/* A source's push proxies as text, the way the stores keep them: "ip:port,ip:port".
 * _parse appends to @s->proxies (at most SV_DOWNLOAD_PLAN_MAX_PROXIES; unparsable entries and
 * port 0 skipped; @text nullable). _format returns (transfer full) the text ("" for none). */
void sv_download_plan_proxies_parse (const char *text, SvDownloadSourceInfo *s);
char *sv_download_plan_proxies_format (const SvDownloadSourceInfo *s);
