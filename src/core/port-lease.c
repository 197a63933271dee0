/* port-lease.c: renewal and retry times of a NAT port mapping (see port-lease.h). */
#include "port-lease.h"

guint
sv_port_lease_renew_in (guint granted_s)
{
  if (granted_s == 0)
    return SV_PORT_LEASE_RECHECK_S;
  return MAX (granted_s / 2, (guint) SV_PORT_LEASE_MIN_RENEW_S);
}

guint
sv_port_lease_retry_in (guint failures)
{
  guint wait = SV_PORT_LEASE_RETRY_S;

  for (guint i = 1; i < failures && wait < SV_PORT_LEASE_RETRY_MAX_S; i++)
    wait *= 2;
  return MIN (wait, (guint) SV_PORT_LEASE_RETRY_MAX_S);
}
