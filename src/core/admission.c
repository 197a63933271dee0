/* admission.c: places for connections that have yet to prove themselves: caps per address and
 * per network, and taking back the place of the slowest when all are held. */
#include "config.h"

#include "admission.h"

#include <string.h>

gboolean
sv_admission_same_net (const SvHostAddr *a, const SvHostAddr *b)
{
  if (a->family != b->family)
    return FALSE;
  if (a->family == SV_HOST_ADDR_IPV4)
    return memcmp (a->ip, b->ip, 3) == 0;
  if (a->family == SV_HOST_ADDR_IPV6)
    return memcmp (a->ip, b->ip, 8) == 0;
  return FALSE;
}

SvAdmissionVerdict
sv_admission_decide (const SvAdmissionConfig *config, const SvAdmissionEntry *held, guint n,
                     const SvHostAddr *newcomer, guint *victim)
{
  guint same_addr = 0, same_net = 0;
  gboolean found = FALSE;
  guint best = 0;

  for (guint i = 0; i < n && n >= config->caps_from; i++)
    if (sv_admission_same_net (&held[i].addr, newcomer))
      {
        same_net++;
        if (sv_host_addr_same_ip (&held[i].addr, newcomer))
          same_addr++;
      }
  if (config->per_addr > 0 && same_addr >= config->per_addr)
    return SV_ADMISSION_ADDR_CAP;
  if (config->per_net > 0 && same_net >= config->per_net)
    return SV_ADMISSION_NET_CAP;
  if (n < config->max)
    return SV_ADMISSION_OK;

  for (guint i = 0; i < n; i++)
    {
      const SvAdmissionEntry *e = &held[i];

      if (e->progress >= config->protect)
        continue;
      if (!found || e->progress < held[best].progress
          || (e->progress == held[best].progress && e->since_us < held[best].since_us))
        {
          best = i;
          found = TRUE;
        }
    }
  if (!found)
    return SV_ADMISSION_FULL;
  if (victim != NULL)
    *victim = best;
  return SV_ADMISSION_EVICT;
}

SvAdmissionVerdict
sv_admission_decide_in (const SvAdmissionConfig *config, GHashTable *set, SvAdmissionDescribe describe,
                        const SvHostAddr *newcomer, gpointer *victim)
{
  guint n = g_hash_table_size (set), i = 0, v = 0;
  g_autofree SvAdmissionEntry *held = g_new (SvAdmissionEntry, n + 1);
  g_autofree gpointer *keys = g_new (gpointer, n + 1);
  GHashTableIter it;
  gpointer key;
  SvAdmissionVerdict verdict;

  g_hash_table_iter_init (&it, set);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      describe (key, &held[i]);
      keys[i++] = key;
    }
  verdict = sv_admission_decide (config, held, n, newcomer, &v);
  if (verdict == SV_ADMISSION_EVICT && victim != NULL)
    *victim = keys[v];
  return verdict;
}

const char *
sv_admission_verdict_name (SvAdmissionVerdict verdict)
{
  switch (verdict)
    {
    case SV_ADMISSION_OK:
      return "ok";
    case SV_ADMISSION_EVICT:
      return "evict";
    case SV_ADMISSION_FULL:
      return "full";
    case SV_ADMISSION_ADDR_CAP:
      return "address-cap";
    case SV_ADMISSION_NET_CAP:
      return "network-cap";
    }
  return "unknown";
}
