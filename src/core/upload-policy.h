/* upload-policy.h: who may download from us now: upload slots (in all and per address) and the
 * queue of those waiting for one, as a 503 with a queue position and Retry-After tells them.
 *
 * A requester is named by its address (port ignored) and the file it asks for. A slot is taken
 * by admit() answering SERVE and given back by release(). A requester refused for lack of a slot
 * is queued (up to max_queue) and must ask again within its Retry-After (times two, for slack) to
 * keep its place; when a slot frees, the head of the queue is served before any newcomer. Pure:
 * time comes in as an argument. */
#pragma once

#include <glib.h>

#include "host-addr.h"
#include "urn.h"

#define SV_UPLOAD_POLICY_DEFAULT_SLOTS        8
#define SV_UPLOAD_POLICY_DEFAULT_PER_ADDRESS  2
#define SV_UPLOAD_POLICY_DEFAULT_QUEUE        64
#define SV_UPLOAD_POLICY_DEFAULT_RETRY_S      30
#define SV_UPLOAD_POLICY_MIN_RETRY_S          5

typedef struct {
  guint max_slots;        /* uploads at once; 0: SV_UPLOAD_POLICY_DEFAULT_SLOTS */
  guint max_per_address;  /* uploads at once to one address; 0: default */
  guint max_queue;        /* requesters waiting; 0: default */
  guint retry_after_s;    /* the Retry-After given to the queued; 0: default */
} SvUploadPolicyConfig;

typedef enum {
  SV_UPLOAD_SERVE = 0,    /* a slot was taken: serve now */
  SV_UPLOAD_QUEUED,       /* 503 with the position and Retry-After */
  SV_UPLOAD_BUSY,         /* 503: the queue is full too (Retry-After still given) */
  SV_UPLOAD_ADDRESS_BUSY, /* 503: this address already has its uploads */
} SvUploadAdmit;

typedef struct _SvUploadPolicy SvUploadPolicy;

/* Returns: (transfer full). @config copied (nullable: defaults). */
SvUploadPolicy *sv_upload_policy_new (const SvUploadPolicyConfig *config);
void sv_upload_policy_free (SvUploadPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvUploadPolicy, sv_upload_policy_free)

/* @addr asks for the file @sha1 at @now_us. @position: (out) 1-based queue place when QUEUED;
 * @retry_after_s: (out) when it should ask again (QUEUED, BUSY, ADDRESS_BUSY). */
SvUploadAdmit sv_upload_policy_admit (SvUploadPolicy *policy, const SvHostAddr *addr,
                                      const SvSha1 *sha1, gint64 now_us, guint *position,
                                      guint *retry_after_s);
/* Gives back the slot a SERVE of @addr took. */
void sv_upload_policy_release (SvUploadPolicy *policy, const SvHostAddr *addr);

/* Slots in use and requesters queued now (expired places dropped at @now_us). */
guint sv_upload_policy_active (const SvUploadPolicy *policy);
guint sv_upload_policy_queued (SvUploadPolicy *policy, gint64 now_us);

/* Returns: (transfer none) "serve", "queued", "busy", "address-busy". */
const char *sv_upload_admit_name (SvUploadAdmit verdict);
