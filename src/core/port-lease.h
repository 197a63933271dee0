/* port-lease.h: when to renew a port mapping a NAT granted us, and when to ask again after a
 * failure. Pure: durations in, durations out.
 *
 * A lease is renewed half-way through, never sooner than SV_PORT_LEASE_MIN_RENEW_S after it was
 * granted; a permanent one (a gateway that grants only those) is asked for again every
 * SV_PORT_LEASE_RECHECK_S, so that a gateway that restarted and forgot it is noticed. A failed
 * request is retried after SV_PORT_LEASE_RETRY_S, doubling with every failure in a row up to
 * SV_PORT_LEASE_RETRY_MAX_S. */
#pragma once

#include <glib.h>

#define SV_PORT_LEASE_REQUEST_S   3600    /* the lease we ask for */
#define SV_PORT_LEASE_MIN_RENEW_S 30
#define SV_PORT_LEASE_RECHECK_S   3600
#define SV_PORT_LEASE_RETRY_S     60
#define SV_PORT_LEASE_RETRY_MAX_S 3600

/* Seconds until a mapping granted for @granted_s (0: permanent) is asked for again. */
guint sv_port_lease_renew_in (guint granted_s);
/* Seconds until the next request after @failures (1 or more) failed requests in a row. */
guint sv_port_lease_retry_in (guint failures);
