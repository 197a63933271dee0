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
  return !local->reachable;
}

gboolean
sv_local_addr_known_firewalled (const SvLocalAddr *local, gint64 now_us)
{
  return !local->reachable && local->connect_back_us != 0
         && now_us - local->connect_back_us >= SV_LOCAL_ADDR_PROOF_WAIT_US;
}

gboolean
sv_local_addr_note_inbound (SvLocalAddr *local, const SvHostAddr *remote)
{
  if (sv_local_addr_is_own_ip (local, remote))
    return FALSE;
  local->inbound++;
  if (local->reachable)
    return FALSE;
  local->reachable = TRUE;
  local->inbound_from = *remote;
  return TRUE;
}

const SvHostAddr *
sv_local_addr_bound (const SvLocalAddr *local, guint family)
{
  for (guint i = 0; i < local->n_listen; i++)
    if (!sv_host_addr_is_wildcard (&local->listen[i]) && (family == 0 || local->listen[i].family == family))
      return &local->listen[i];
  return NULL;
}

void
sv_local_addr_announced (const SvLocalAddr *local, SvHostAddr *out)
{
  const SvHostAddr *bound = sv_local_addr_bound (local, SV_HOST_ADDR_IPV4);

  if (local->port_mapped.family != 0)
    {
      *out = local->port_mapped;
      return;
    }
  memset (out, 0, sizeof *out);
  if (bound != NULL
      && (sv_host_addr_classify (bound) == SV_HOST_CLASS_ROUTABLE || local->seen_as.family == 0
          || (local->lan && !sv_local_addr_behind_nat (local))))
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
sv_local_addr_note_port_map (SvLocalAddr *local, const SvHostAddr *external, const char *by)
{
  if (local->seen_as.family != 0 && !sv_host_addr_same_ip (&local->seen_as, external))
    {
      sv_local_addr_forget_port_map (local);
      return FALSE;
    }
  local->port_mapped = *external;
  local->port_mapped_by = by;
  return TRUE;
}

void
sv_local_addr_forget_port_map (SvLocalAddr *local)
{
  memset (&local->port_mapped, 0, sizeof local->port_mapped);
  local->port_mapped_by = NULL;
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

gboolean
sv_local_addr_behind_nat (const SvLocalAddr *local)
{
  const SvHostAddr *bound = sv_local_addr_bound (local, local->seen_as.family);

  return local->seen_as.family != 0 && bound != NULL && !sv_host_addr_same_ip (bound, &local->seen_as);
}

gboolean
sv_local_addr_note_udp_ping (SvLocalAddr *local, const SvGuid *guid, const SvHostAddr *from)
{
  if (local->udp_connect_backs == 0 || !sv_guid_equal (guid, &local->udp_guid)
      || sv_local_addr_is_own_ip (local, from))
    return FALSE;
  if (!local->udp_reachable)
    {
      local->udp_reachable = TRUE;
      local->udp_from = *from;
    }
  return TRUE;
}

/* Appends what is known of UDP to @why. */
static void
append_udp (const SvLocalAddr *local, char *why, gsize why_len)
{
  gsize n = strlen (why);
  char a[SV_HOST_ADDR_STRLEN];

  if (n + 1 >= why_len)
    return;
  if (local->udp_reachable)
    g_snprintf (why + n, why_len - n, "; UDP: a connect-back ping from %s reached us",
                sv_host_addr_format (&local->udp_from, FALSE, a));
  else
    g_snprintf (why + n, why_len - n, "; UDP: not proven (%" G_GUINT64_FORMAT " request(s))",
                local->udp_connect_backs);
}

static const char *
verdict (const SvLocalAddr *local, gint64 now_us, char *why, gsize why_len)
{
  gboolean known = sv_local_addr_known_firewalled (local, now_us);

  char a[SV_HOST_ADDR_STRLEN], b[SV_HOST_ADDR_STRLEN];

  if (local->reachable)
    {
      g_snprintf (why, why_len, "%" G_GUINT64_FORMAT " connection(s) from other hosts reached our "
                  "port, the first from %s", local->inbound,
                  sv_host_addr_format (&local->inbound_from, FALSE, a));
      return "reachable";
    }
  if (sv_local_addr_behind_nat (local))
    {
      g_snprintf (why, why_len, "peers see us at %s, we are bound to %s; no connection from "
                  "another host has reached our port (%" G_GUINT64_FORMAT " connect-back request(s))",
                  sv_host_addr_format (&local->seen_as, FALSE, a),
                  sv_host_addr_format (sv_local_addr_bound (local, local->seen_as.family), FALSE, b),
                  local->connect_backs);
      return known ? "firewalled-nat" : "unknown";
    }
  g_snprintf (why, why_len, "no connection from another host has reached our port (%"
              G_GUINT64_FORMAT " connect-back request(s))", local->connect_backs);
  return known ? "firewalled" : "unknown";
}

void
sv_local_addr_note_mapping (SvLocalAddr *local, const SvHostAddr *broker, guint16 local_port,
                            const SvHostAddr *seen)
{
  SvLocalAddrMapping *m = &local->mappings[local->next_mapping];

  m->broker = *broker;
  m->local_port = local_port;
  m->seen = *seen;
  local->next_mapping = (local->next_mapping + 1) % SV_LOCAL_ADDR_MAPPINGS;
  local->n_mappings = MIN (local->n_mappings + 1, SV_LOCAL_ADDR_MAPPINGS);
}

SvLocalNat
sv_local_addr_nat (const SvLocalAddr *local, gint64 now_us, char *why, gsize why_len)
{
  char a[SV_HOST_ADDR_STRLEN], b[SV_HOST_ADDR_STRLEN];
  guint kept = 0;

  if (local->reachable && sv_local_addr_behind_nat (local) && local->port_mapped.family != 0)
    {
      g_snprintf (why, why_len, "reachable through the port our NAT forwards (%s): %s, we are "
                  "bound to %s", local->port_mapped_by,
                  sv_host_addr_format (&local->port_mapped, TRUE, a),
                  sv_host_addr_format (sv_local_addr_bound (local, local->seen_as.family), FALSE, b));
      return SV_LOCAL_NAT_MAPPED;
    }
  if (local->reachable && sv_local_addr_behind_nat (local))
    {
      g_snprintf (why, why_len, "reachable through a NAT: peers see us at %s, we are bound to %s",
                  sv_host_addr_format (&local->seen_as, FALSE, a),
                  sv_host_addr_format (sv_local_addr_bound (local, local->seen_as.family), FALSE, b));
      return SV_LOCAL_NAT_MAPPED;
    }
  if (local->reachable)
    {
      g_snprintf (why, why_len, "reachable: connections from other hosts reached our port");
      return SV_LOCAL_NAT_PUBLIC;
    }
  if (!sv_local_addr_behind_nat (local))
    {
      if (!sv_local_addr_known_firewalled (local, now_us))
        {
          g_snprintf (why, why_len, "not known yet");
          return SV_LOCAL_NAT_UNKNOWN;
        }
      g_snprintf (why, why_len, "peers see the address we are bound to, yet nothing reaches our "
                  "port: a firewall drops it");
      return SV_LOCAL_NAT_FIREWALL;
    }
  for (guint i = 0; i < local->n_mappings; i++)
    {
      const SvLocalAddrMapping *m = &local->mappings[i];

      if (m->seen.port != m->local_port)
        {
          g_snprintf (why, why_len, "a connection from our port %u reached %s from port %u: the "
                      "NAT changes ports", m->local_port, sv_host_addr_format (&m->broker, TRUE, a),
                      m->seen.port);
          return SV_LOCAL_NAT_PORT_RANDOMISING;
        }
      kept++;
    }
  if (kept > 0)
    {
      g_snprintf (why, why_len, "%u connection(s) reached reachable servents from the port they "
                  "left (the last seen by %s): the NAT keeps ports", kept,
                  sv_host_addr_format (&local->mappings[(local->next_mapping + SV_LOCAL_ADDR_MAPPINGS - 1)
                                                        % SV_LOCAL_ADDR_MAPPINGS].broker, TRUE, a));
      return SV_LOCAL_NAT_PORT_PRESERVING;
    }
  g_snprintf (why, why_len, "peers see us at %s, we are bound to %s; how the NAT maps ports is "
              "not known yet", sv_host_addr_format (&local->seen_as, FALSE, a),
              sv_host_addr_format (sv_local_addr_bound (local, local->seen_as.family), FALSE, b));
  return SV_LOCAL_NAT_NAT;
}

const char *
sv_local_nat_name (SvLocalNat nat)
{
  switch (nat)
    {
    case SV_LOCAL_NAT_PUBLIC: return "public";
    case SV_LOCAL_NAT_MAPPED: return "mapped";
    case SV_LOCAL_NAT_FIREWALL: return "firewall";
    case SV_LOCAL_NAT_NAT: return "nat";
    case SV_LOCAL_NAT_PORT_PRESERVING: return "port-preserving-nat";
    case SV_LOCAL_NAT_PORT_RANDOMISING: return "port-randomising-nat";
    case SV_LOCAL_NAT_UNKNOWN:
    default: return "unknown";
    }
}

const char *
sv_local_addr_verdict (const SvLocalAddr *local, gint64 now_us, char *why, gsize why_len)
{
  const char *v = verdict (local, now_us, why, why_len);

  append_udp (local, why, why_len);
  return v;
}
