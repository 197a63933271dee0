/* download-plan.c: spans, sources and retries of one download (see download-plan.h). */
#include "download-plan.h"

#include <string.h>

struct _SvDownloadPlan {
  guint64 size;
  GArray *done;       /* (element-type guint64) sorted, disjoint pairs first, end */
  GArray *sources;    /* (element-type SvDownloadSource) */
};

SvDownloadPlan *
sv_download_plan_new (guint64 size)
{
  SvDownloadPlan *p = g_new0 (SvDownloadPlan, 1);

  p->size = size;
  p->done = g_array_new (FALSE, FALSE, sizeof (guint64));
  p->sources = g_array_new (FALSE, TRUE, sizeof (SvDownloadSource));
  return p;
}

void
sv_download_plan_free (SvDownloadPlan *p)
{
  if (p == NULL)
    return;
  g_array_unref (p->done);
  g_array_unref (p->sources);
  g_free (p);
}

guint64
sv_download_plan_size (const SvDownloadPlan *p)
{
  return p->size;
}

#define SPAN(p, i) g_array_index ((p)->done, guint64, (i))

void
sv_download_plan_mark_done (SvDownloadPlan *p, guint64 first, guint64 length)
{
  guint64 end;
  guint i = 0, j;
  GArray *n;

  if (length == 0 || first >= p->size)
    return;
  end = length > p->size - first ? p->size : first + length;
  /* Merge [first, end) into the sorted list. */
  n = g_array_sized_new (FALSE, FALSE, sizeof (guint64), p->done->len + 2);
  while (i < p->done->len && SPAN (p, i + 1) < first)
    {
      g_array_append_vals (n, &SPAN (p, i), 2);
      i += 2;
    }
  for (j = i; j < p->done->len && SPAN (p, j) <= end; j += 2)
    {
      first = MIN (first, SPAN (p, j));
      end = MAX (end, SPAN (p, j + 1));
    }
  g_array_append_val (n, first);
  g_array_append_val (n, end);
  if (j < p->done->len)
    g_array_append_vals (n, &SPAN (p, j), p->done->len - j);
  g_array_unref (p->done);
  p->done = n;
}

void
sv_download_plan_reset (SvDownloadPlan *p)
{
  g_array_set_size (p->done, 0);
  for (guint i = 0; i < p->sources->len; i++)
    g_array_index (p->sources, SvDownloadSource, i).bytes = 0;
}

guint64
sv_download_plan_done_bytes (const SvDownloadPlan *p)
{
  guint64 n = 0;

  for (guint i = 0; i < p->done->len; i += 2)
    n += SPAN (p, i + 1) - SPAN (p, i);
  return n;
}

void
sv_download_plan_done_spans (const SvDownloadPlan *p, GArray *out)
{
  g_array_set_size (out, 0);
  g_array_append_vals (out, p->done->data, p->done->len);
}

static gboolean
same_source (const SvDownloadSourceInfo *a, const SvDownloadSourceInfo *b)
{
  static const SvGuid zero = { { 0 } };

  if (a->firewalled && b->firewalled && !sv_guid_equal (&a->servent, &zero))
    return sv_guid_equal (&a->servent, &b->servent);
  return sv_host_addr_equal (&a->addr, &b->addr);
}

gint
sv_download_plan_add_source (SvDownloadPlan *p, const SvDownloadSourceInfo *info)
{
  SvDownloadSource s = { 0 };

  for (guint i = 0; i < p->sources->len; i++)
    {
      SvDownloadSource *o = &g_array_index (p->sources, SvDownloadSource, i);

      if (same_source (&o->info, info))
        {
          if (o->state != SV_DOWNLOAD_SOURCE_ACTIVE)
            o->info = *info;
          if (o->state == SV_DOWNLOAD_SOURCE_DEAD && !o->lied)
            {
              o->state = SV_DOWNLOAD_SOURCE_IDLE;
              o->failures = 0;
            }
          return (gint) i;
        }
    }
  if (p->sources->len >= SV_DOWNLOAD_PLAN_MAX_SOURCES)
    return -1;
  s.info = *info;
  g_array_append_val (p->sources, s);
  return (gint) p->sources->len - 1;
}

guint
sv_download_plan_n_sources (const SvDownloadPlan *p)
{
  return p->sources->len;
}

const SvDownloadSource *
sv_download_plan_source (const SvDownloadPlan *p, guint source)
{
  g_return_val_if_fail (source < p->sources->len, NULL);
  return &g_array_index (p->sources, SvDownloadSource, source);
}

guint
sv_download_plan_used (const SvDownloadPlan *p)
{
  guint n = 0;

  for (guint i = 0; i < p->sources->len; i++)
    n += g_array_index (p->sources, SvDownloadSource, i).bytes > 0;
  return n;
}

guint
sv_download_plan_alive (const SvDownloadPlan *p, guint *active)
{
  guint alive = 0, act = 0;

  for (guint i = 0; i < p->sources->len; i++)
    {
      const SvDownloadSource *s = &g_array_index (p->sources, SvDownloadSource, i);

      if (s->state != SV_DOWNLOAD_SOURCE_DEAD)
        alive++;
      if (s->state == SV_DOWNLOAD_SOURCE_ACTIVE)
        act++;
    }
  if (active != NULL)
    *active = act;
  return alive;
}

/* The first byte at or after @from that is neither here nor claimed, and the end of the gap it
 * starts. Returns: FALSE when there is none. */
static gboolean
first_gap (const SvDownloadPlan *p, guint64 *first, guint64 *end)
{
  guint64 pos = 0;

  for (;;)
    {
      guint64 next_end = p->size;
      gboolean moved = FALSE;

      if (pos >= p->size)
        return FALSE;
      for (guint i = 0; i < p->done->len; i += 2)
        if (SPAN (p, i) <= pos && pos < SPAN (p, i + 1))
          {
            pos = SPAN (p, i + 1);
            moved = TRUE;
          }
      for (guint i = 0; i < p->sources->len; i++)
        {
          const SvDownloadSource *s = &g_array_index (p->sources, SvDownloadSource, i);

          if (s->state == SV_DOWNLOAD_SOURCE_ACTIVE && s->first <= pos && pos < s->end)
            {
              pos = s->end;
              moved = TRUE;
            }
        }
      if (moved)
        continue;
      /* pos is free: the gap runs to the next span here or claimed. */
      for (guint i = 0; i < p->done->len; i += 2)
        if (SPAN (p, i) > pos)
          next_end = MIN (next_end, SPAN (p, i));
      for (guint i = 0; i < p->sources->len; i++)
        {
          const SvDownloadSource *s = &g_array_index (p->sources, SvDownloadSource, i);

          if (s->state == SV_DOWNLOAD_SOURCE_ACTIVE && s->first > pos && s->first < s->end)
            next_end = MIN (next_end, s->first);
        }
      *first = pos;
      *end = next_end;
      return TRUE;
    }
}

/* A firewalled source needs a PUSH (@can_push), or else a rendezvous at one of its push
 * proxies (when we are firewalled too). */
static gboolean
source_reachable (const SvDownloadSource *s, gboolean can_push)
{
  return !s->info.firewalled || can_push || s->info.n_proxies > 0;
}

SvDownloadNext
sv_download_plan_next (SvDownloadPlan *p, gint64 now_us, guint max_active, gboolean can_push,
                       SvDownloadTask *task, gint64 *wake_us)
{
  guint active = 0, alive;
  gint best = -1;
  gint64 wake = 0;
  guint64 first, end;

  *wake_us = 0;
  if (sv_download_plan_done_bytes (p) >= p->size)
    return SV_DOWNLOAD_NEXT_DONE;
  if (max_active == 0)
    max_active = SV_DOWNLOAD_PLAN_MAX_ACTIVE;
  alive = sv_download_plan_alive (p, &active);
  if (alive == 0)
    return SV_DOWNLOAD_NEXT_NO_SOURCE;
  if (!can_push && active == 0)
    {
      gboolean direct = FALSE;

      for (guint i = 0; i < p->sources->len && !direct; i++)
        {
          const SvDownloadSource *s = &g_array_index (p->sources, SvDownloadSource, i);

          direct = s->state != SV_DOWNLOAD_SOURCE_DEAD && source_reachable (s, FALSE);
        }
      if (!direct)
        return SV_DOWNLOAD_NEXT_UNREACHABLE;
    }
  if (active >= max_active || !first_gap (p, &first, &end))
    return SV_DOWNLOAD_NEXT_WAIT;
  for (guint i = 0; i < p->sources->len; i++)
    {
      SvDownloadSource *s = &g_array_index (p->sources, SvDownloadSource, i);

      if (s->state == SV_DOWNLOAD_SOURCE_BACKOFF && s->retry_at_us <= now_us)
        s->state = SV_DOWNLOAD_SOURCE_IDLE;
      if (s->state == SV_DOWNLOAD_SOURCE_BACKOFF)
        wake = wake == 0 ? s->retry_at_us : MIN (wake, s->retry_at_us);
      if (s->state != SV_DOWNLOAD_SOURCE_IDLE || !source_reachable (s, can_push))
        continue;
      /* Direct sources first, then the fewest failures. */
      if (best < 0)
        best = (gint) i;
      else
        {
          const SvDownloadSource *b = &g_array_index (p->sources, SvDownloadSource, best);

          if ((b->info.firewalled && !s->info.firewalled)
              || (b->info.firewalled == s->info.firewalled && s->failures < b->failures))
            best = (gint) i;
        }
    }
  if (best < 0)
    {
      *wake_us = wake;
      return SV_DOWNLOAD_NEXT_WAIT;
    }
  {
    SvDownloadSource *s = &g_array_index (p->sources, SvDownloadSource, best);

    if (!s->info.firewalled)
      end = MIN (end, first + CLAMP (p->size / 8, SV_DOWNLOAD_PLAN_MIN_CHUNK_BYTES,
                                     SV_DOWNLOAD_PLAN_CHUNK_BYTES));
    s->state = SV_DOWNLOAD_SOURCE_ACTIVE;
    s->first = first;
    s->end = end;
    task->source = (guint) best;
    task->first = first;
    task->length = end - first;
  }
  return SV_DOWNLOAD_NEXT_START;
}

void
sv_download_plan_progress (SvDownloadPlan *p, guint source, guint64 len)
{
  SvDownloadSource *s;

  g_return_if_fail (source < p->sources->len);
  s = &g_array_index (p->sources, SvDownloadSource, source);
  g_return_if_fail (s->state == SV_DOWNLOAD_SOURCE_ACTIVE);
  len = MIN (len, s->end - s->first);
  sv_download_plan_mark_done (p, s->first, len);
  s->first += len;
  s->bytes += len;
}

void
sv_download_plan_finish (SvDownloadPlan *p, guint source, SvDownloadOutcome outcome,
                         guint retry_after_s, gint64 now_us)
{
  SvDownloadSource *s;
  gint64 backoff;

  g_return_if_fail (source < p->sources->len);
  s = &g_array_index (p->sources, SvDownloadSource, source);
  s->first = s->end = 0;
  switch (outcome)
    {
    case SV_DOWNLOAD_OUTCOME_OK:
      s->failures = 0;
      s->state = SV_DOWNLOAD_SOURCE_IDLE;
      return;
    case SV_DOWNLOAD_OUTCOME_BAD:
      s->lied = TRUE;
      s->state = SV_DOWNLOAD_SOURCE_DEAD;
      return;
    case SV_DOWNLOAD_OUTCOME_GONE:
      s->state = SV_DOWNLOAD_SOURCE_DEAD;
      return;
    case SV_DOWNLOAD_OUTCOME_BUSY:
      s->state = SV_DOWNLOAD_SOURCE_BACKOFF;
      s->retry_at_us = now_us + (gint64) MAX (retry_after_s, 1u) * G_USEC_PER_SEC;
      return;
    case SV_DOWNLOAD_OUTCOME_CUT:
    case SV_DOWNLOAD_OUTCOME_FAILED:
      break;
    }
  /* A cut after progress is a fresh start; repeated failures back off further. */
  if (outcome == SV_DOWNLOAD_OUTCOME_CUT)
    s->failures = MIN (s->failures, 1u);
  s->failures++;
  if (s->failures >= SV_DOWNLOAD_PLAN_MAX_FAILURES)
    {
      s->state = SV_DOWNLOAD_SOURCE_DEAD;
      return;
    }
  backoff = SV_DOWNLOAD_PLAN_BACKOFF_US << MIN (s->failures - 1, 16u);
  s->state = SV_DOWNLOAD_SOURCE_BACKOFF;
  s->retry_at_us = now_us + MIN (backoff, SV_DOWNLOAD_PLAN_MAX_BACKOFF_US);
}

void
sv_download_plan_revive (SvDownloadPlan *p)
{
  for (guint i = 0; i < p->sources->len; i++)
    {
      SvDownloadSource *s = &g_array_index (p->sources, SvDownloadSource, i);

      if (s->state == SV_DOWNLOAD_SOURCE_DEAD && !s->lied)
        {
          s->state = SV_DOWNLOAD_SOURCE_IDLE;
          s->failures = 0;
        }
    }
}

const char *
sv_download_outcome_name (SvDownloadOutcome outcome)
{
  switch (outcome)
    {
    case SV_DOWNLOAD_OUTCOME_OK: return "ok";
    case SV_DOWNLOAD_OUTCOME_CUT: return "cut";
    case SV_DOWNLOAD_OUTCOME_FAILED: return "failed";
    case SV_DOWNLOAD_OUTCOME_BUSY: return "busy";
    case SV_DOWNLOAD_OUTCOME_GONE: return "gone";
    case SV_DOWNLOAD_OUTCOME_BAD: return "bad";
    }
  return "unknown";
}

const char *
sv_download_source_state_name (SvDownloadSourceState state)
{
  switch (state)
    {
    case SV_DOWNLOAD_SOURCE_IDLE: return "idle";
    case SV_DOWNLOAD_SOURCE_ACTIVE: return "active";
    case SV_DOWNLOAD_SOURCE_BACKOFF: return "backoff";
    case SV_DOWNLOAD_SOURCE_DEAD: return "dead";
    }
  return "unknown";
}

void
sv_download_plan_proxies_parse (const char *text, SvDownloadSourceInfo *s)
{
  g_auto (GStrv) items = text != NULL ? g_strsplit (text, ",", SV_DOWNLOAD_PLAN_MAX_PROXIES + 1) : NULL;

  for (guint i = 0; items != NULL && items[i] != NULL && s->n_proxies < SV_DOWNLOAD_PLAN_MAX_PROXIES; i++)
    if (sv_host_addr_parse (items[i], strlen (items[i]), 0, &s->proxies[s->n_proxies]) == SV_STATUS_OK
        && s->proxies[s->n_proxies].port != 0)
      s->n_proxies++;
}

char *
sv_download_plan_proxies_format (const SvDownloadSourceInfo *s)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < s->n_proxies && i < SV_DOWNLOAD_PLAN_MAX_PROXIES; i++)
    {
      char a[SV_HOST_ADDR_STRLEN];

      g_string_append_printf (out, "%s%s", i ? "," : "", sv_host_addr_format (&s->proxies[i], TRUE, a));
    }
  return g_string_free (out, FALSE);
}
