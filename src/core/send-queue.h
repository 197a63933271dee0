/* send-queue.h: one connection's bounded queue of encoded messages, with flow control.
 *
 * Bytes waiting to be written are counted exactly. When a push would take the queue past the high
 * watermark, the queue enters flow control and sheds broadcast traffic already queued to make
 * room: queries first, highest hops first (newest first among equal hops), then broadcast pongs
 * (newest first). Routed replies (hits, pushes, pongs answering our pings) and control messages
 * are never shed. While in flow control, new broadcast messages are dropped on arrival; flow
 * control ends once the queue drains to the low watermark (hysteresis). A message that still does
 * not fit under the hard cap after every broadcast message is gone earns the verdict "kick with
 * Bye 502". Kept messages leave in the order they were pushed; a message whose first bytes were
 * already written is never shed. Pure: no sockets; the caller writes what sv_send_queue_head()
 * shows and reports it with sv_send_queue_consume(). */
#pragma once

#include <glib.h>

#include "limits.h"

typedef enum {
  SV_SEND_QUERY = 0,   /* a Query we relay or originate: shed first, highest hops first */
  SV_SEND_PONG,        /* a broadcast/cached pong: shed after queries */
  SV_SEND_ROUTED,      /* routed reply: QueryHit, Push, a pong answering a ping of ours */
  SV_SEND_CONTROL,     /* our own link messages: QRP, vendor, keep-alive ping, Bye */
} SvSendClass;
#define SV_SEND_N_CLASSES 4

typedef struct {
  gsize low_watermark;   /* flow control ends at or below this */
  gsize high_watermark;  /* flow control starts above this */
  gsize hard_cap;        /* beyond this even replies do not fit: Bye 502 (<= SV_SEND_QUEUE_MAX_BYTES) */
} SvSendQueueConfig;

/* Defaults: low 32 KiB, high 64 KiB, hard cap SV_SEND_QUEUE_MAX_BYTES (96 KiB). */
void sv_send_queue_config_init (SvSendQueueConfig *config);

typedef enum {
  SV_SEND_QUEUED,      /* the message will be sent */
  SV_SEND_DROPPED,     /* the message was shed (flow control); the link is fine */
  SV_SEND_KICK,        /* the message cannot fit under the hard cap: send Bye 502 and close */
} SvSendVerdict;

typedef struct {
  guint64 dropped_msgs[SV_SEND_N_CLASSES];   /* shed, on arrival or from the queue */
  guint64 dropped_bytes[SV_SEND_N_CLASSES];
  guint64 flow_control_entries;              /* times the high watermark was crossed */
} SvSendQueueStats;

typedef struct _SvSendQueue SvSendQueue;

/* @config is copied and made consistent (low <= high <= hard <= SV_SEND_QUEUE_MAX_BYTES).
 * Returns: (transfer full). */
SvSendQueue *sv_send_queue_new (const SvSendQueueConfig *config);
void sv_send_queue_free (SvSendQueue *queue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvSendQueue, sv_send_queue_free)

/* Queues one encoded message (header and payload). @msg: (transfer none) a reference is taken when
 * queued. @hops is the hops field as it will be sent (used to rank queries). An empty message is
 * queued as nothing (SV_SEND_QUEUED). */
SvSendVerdict sv_send_queue_push (SvSendQueue *queue, GBytes *msg, SvSendClass klass, guint8 hops);

/* The unwritten bytes of the oldest message. Returns: (transfer none) NULL when empty; valid until
 * the next call on the queue. */
const guint8 *sv_send_queue_head (const SvSendQueue *queue, gsize *len);

/* @n bytes of the head were written (n <= the head's length; more is clamped). A finished message
 * leaves the queue; reaching the low watermark ends flow control. */
void sv_send_queue_consume (SvSendQueue *queue, gsize n);

/* Drops everything (for example before the final Bye). */
void sv_send_queue_clear (SvSendQueue *queue);

gsize sv_send_queue_bytes (const SvSendQueue *queue);     /* unwritten bytes queued */
guint sv_send_queue_length (const SvSendQueue *queue);    /* messages queued */
gboolean sv_send_queue_flow_controlled (const SvSendQueue *queue);
const SvSendQueueStats *sv_send_queue_stats (const SvSendQueue *queue);
