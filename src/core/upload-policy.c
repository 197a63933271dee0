/* upload-policy.c: upload slots and the queue (see upload-policy.h). */
#include "upload-policy.h"

#include <string.h>

typedef struct {
  guint8 ip[16];
  guint family;
  SvSha1 sha1;
  gint64 expires_us;
} Waiter;

typedef struct {
  guint8 ip[16];
  guint family;
  guint count;
} Holder;

struct _SvUploadPolicy {
  SvUploadPolicyConfig cfg;
  guint active;
  GArray *holders;   /* (element-type Holder) addresses holding slots */
  GArray *queue;     /* (element-type Waiter) oldest first */
};

SvUploadPolicy *
sv_upload_policy_new (const SvUploadPolicyConfig *config)
{
  SvUploadPolicy *p = g_new0 (SvUploadPolicy, 1);

  if (config != NULL)
    p->cfg = *config;
  if (p->cfg.max_slots == 0)
    p->cfg.max_slots = SV_UPLOAD_POLICY_DEFAULT_SLOTS;
  if (p->cfg.max_per_address == 0)
    p->cfg.max_per_address = SV_UPLOAD_POLICY_DEFAULT_PER_ADDRESS;
  if (p->cfg.max_queue == 0)
    p->cfg.max_queue = SV_UPLOAD_POLICY_DEFAULT_QUEUE;
  if (p->cfg.retry_after_s == 0)
    p->cfg.retry_after_s = SV_UPLOAD_POLICY_DEFAULT_RETRY_S;
  p->cfg.retry_after_s = MAX (p->cfg.retry_after_s, SV_UPLOAD_POLICY_MIN_RETRY_S);
  p->holders = g_array_new (FALSE, TRUE, sizeof (Holder));
  p->queue = g_array_new (FALSE, TRUE, sizeof (Waiter));
  return p;
}

void
sv_upload_policy_free (SvUploadPolicy *p)
{
  if (p == NULL)
    return;
  g_array_unref (p->holders);
  g_array_unref (p->queue);
  g_free (p);
}

static gboolean
same_ip (const guint8 *ip, guint family, const SvHostAddr *addr)
{
  return family == addr->family && memcmp (ip, addr->ip, sizeof addr->ip) == 0;
}

static Holder *
find_holder (SvUploadPolicy *p, const SvHostAddr *addr, guint *index)
{
  for (guint i = 0; i < p->holders->len; i++)
    {
      Holder *h = &g_array_index (p->holders, Holder, i);

      if (same_ip (h->ip, h->family, addr))
        {
          if (index != NULL)
            *index = i;
          return h;
        }
    }
  return NULL;
}

static void
expire (SvUploadPolicy *p, gint64 now_us)
{
  for (guint i = 0; i < p->queue->len;)
    {
      if (g_array_index (p->queue, Waiter, i).expires_us <= now_us)
        g_array_remove_index (p->queue, i);
      else
        i++;
    }
}

static gint
find_waiter (SvUploadPolicy *p, const SvHostAddr *addr, const SvSha1 *sha1)
{
  for (guint i = 0; i < p->queue->len; i++)
    {
      Waiter *w = &g_array_index (p->queue, Waiter, i);

      if (same_ip (w->ip, w->family, addr) && memcmp (&w->sha1, sha1, sizeof *sha1) == 0)
        return (gint) i;
    }
  return -1;
}

SvUploadAdmit
sv_upload_policy_admit (SvUploadPolicy *p, const SvHostAddr *addr, const SvSha1 *sha1,
                        gint64 now_us, guint *position, guint *retry_after_s)
{
  gint64 keep_us = (gint64) p->cfg.retry_after_s * 2 * G_USEC_PER_SEC;
  Holder *h = find_holder (p, addr, NULL);
  guint free_slots, ahead;
  gint place;

  *position = 0;
  *retry_after_s = p->cfg.retry_after_s;
  expire (p, now_us);
  if (h != NULL && h->count >= p->cfg.max_per_address)
    return SV_UPLOAD_ADDRESS_BUSY;
  place = find_waiter (p, addr, sha1);
  /* Served when a slot is free for it: those queued ahead of it come first. */
  free_slots = p->cfg.max_slots > p->active ? p->cfg.max_slots - p->active : 0;
  ahead = place < 0 ? p->queue->len : (guint) place;
  if (ahead < free_slots)
    {
      if (place >= 0)
        g_array_remove_index (p->queue, (guint) place);
      if (h == NULL)
        {
          Holder n = { 0 };

          memcpy (n.ip, addr->ip, sizeof n.ip);
          n.family = addr->family;
          g_array_append_val (p->holders, n);
          h = &g_array_index (p->holders, Holder, p->holders->len - 1);
        }
      h->count++;
      p->active++;
      return SV_UPLOAD_SERVE;
    }
  if (place < 0)
    {
      Waiter w = { 0 };

      if (p->queue->len >= p->cfg.max_queue)
        return SV_UPLOAD_BUSY;
      memcpy (w.ip, addr->ip, sizeof w.ip);
      w.family = addr->family;
      w.sha1 = *sha1;
      g_array_append_val (p->queue, w);
      place = (gint) p->queue->len - 1;
    }
  g_array_index (p->queue, Waiter, place).expires_us = now_us + keep_us;
  *position = (guint) place + 1;
  return SV_UPLOAD_QUEUED;
}

void
sv_upload_policy_release (SvUploadPolicy *p, const SvHostAddr *addr)
{
  guint i;
  Holder *h = find_holder (p, addr, &i);

  g_return_if_fail (h != NULL && p->active > 0);
  p->active--;
  if (--h->count == 0)
    g_array_remove_index_fast (p->holders, i);
}

guint
sv_upload_policy_active (const SvUploadPolicy *p)
{
  return p->active;
}

guint
sv_upload_policy_queued (SvUploadPolicy *p, gint64 now_us)
{
  expire (p, now_us);
  return p->queue->len;
}

const char *
sv_upload_admit_name (SvUploadAdmit verdict)
{
  switch (verdict)
    {
    case SV_UPLOAD_SERVE: return "serve";
    case SV_UPLOAD_QUEUED: return "queued";
    case SV_UPLOAD_BUSY: return "busy";
    case SV_UPLOAD_ADDRESS_BUSY: return "address-busy";
    }
  return "unknown";
}
