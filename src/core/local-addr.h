/* local-addr.h: our own addresses and what peers are told of them.
 *
 * Holds what the daemon learns (the addresses it was told to listen on, the port it bound, the
 * address peers report seeing us at in Remote-IP, whether another host's connection reached our
 * port) and decides from it the address we announce (handshake Listen-IP, pongs, hits) and
 * whether we say we are firewalled.
 *
 * Firewalled: until an incoming Gnutella connection has completed its handshake (the QueryHit
 * push bit is set). In --lan mode never: a test network has no NAT, the port is bound and every
 * servent on it can connect to it, so hits carry the push bit only on the public network. */
#pragma once

#include <glib.h>

#include "host-addr.h"

typedef struct {
  SvHostAddr *listen;        /* the addresses we were told to listen on (owned) */
  guint n_listen;
  gboolean lan;              /* --lan: private and loopback addresses are ours to announce */
  guint16 port;              /* the port bound (0 until the listener is up) */
  SvHostAddr seen_as;        /* what a peer's Remote-IP said (family 0: nothing yet) */
  gboolean inbound_seen;     /* an incoming Gnutella link completed its handshake */
} SvLocalAddr;

/* @listen: (array length=n_listen) copied. */
void sv_local_addr_init (SvLocalAddr *local, const SvHostAddr *listen, guint n_listen,
                         gboolean lan);
void sv_local_addr_clear (SvLocalAddr *local);

/* TRUE while we must say we are firewalled (above). */
gboolean sv_local_addr_firewalled (const SvLocalAddr *local);
/* The address peers should see (port: the bound port): a bound IPv4 address when it is
 * routable (or in LAN mode, or nothing better is known), else what peers saw, else the bound one;
 * the IPv4 family with a zero address when nothing is known. */
void sv_local_addr_announced (const SvLocalAddr *local, SvHostAddr *out);
/* The first listening address that is not a wildcard, of @family (0: any).
 * Returns: (transfer none) (nullable). */
const SvHostAddr *sv_local_addr_bound (const SvLocalAddr *local, guint family);
/* TRUE if @addr is one of our own addresses (port ignored). */
gboolean sv_local_addr_is_own_ip (const SvLocalAddr *local, const SvHostAddr *addr);
