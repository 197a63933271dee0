/* local-addr.c: our own addresses and what peers are told of them (see local-addr.h). */
#include "config.h"

#include "local-addr.h"

#include <string.h>

void
sv_local_addr_init (SvLocalAddr *local, const SvHostAddr *listen, guint n_listen, gboolean lan)
{
  memset (local, 0, sizeof *local);
  local->listen = n_listen > 0 ? g_memdup2 (listen, sizeof *listen * n_listen) : NULL;
  local->n_listen = n_listen;
  local->lan = lan;
}

void
sv_local_addr_clear (SvLocalAddr *local)
{
  g_free (local->listen);
  memset (local, 0, sizeof *local);
}

gboolean
sv_local_addr_firewalled (const SvLocalAddr *local)
{
  return !local->lan && !local->inbound_seen;
}

/* A bound address, not the wildcard. */
static gboolean
is_specific (const SvHostAddr *a)
{
  static const guint8 zero[16] = { 0 };

  return a->family != 0 && memcmp (a->ip, zero, sizeof zero) != 0;
}

const SvHostAddr *
sv_local_addr_bound (const SvLocalAddr *local, guint family)
{
  for (guint i = 0; i < local->n_listen; i++)
    if (is_specific (&local->listen[i]) && (family == 0 || local->listen[i].family == family))
      return &local->listen[i];
  return NULL;
}

void
sv_local_addr_announced (const SvLocalAddr *local, SvHostAddr *out)
{
  const SvHostAddr *bound = sv_local_addr_bound (local, SV_HOST_ADDR_IPV4);

  memset (out, 0, sizeof *out);
  if (bound != NULL
      && (local->lan || sv_host_addr_classify (bound) == SV_HOST_CLASS_ROUTABLE
          || local->seen_as.family == 0))
    *out = *bound;
  else if (local->seen_as.family != 0)
    *out = local->seen_as;
  else if (bound != NULL)
    *out = *bound;
  else
    out->family = SV_HOST_ADDR_IPV4;
  out->port = local->port;
}

gboolean
sv_local_addr_is_own_ip (const SvLocalAddr *local, const SvHostAddr *addr)
{
  SvHostAddr me;

  sv_local_addr_announced (local, &me);
  if (sv_host_addr_same_ip (&me, addr))
    return TRUE;
  for (guint i = 0; i < local->n_listen; i++)
    if (sv_host_addr_same_ip (&local->listen[i], addr))
      return TRUE;
  return FALSE;
}
