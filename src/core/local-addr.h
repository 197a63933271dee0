/* local-addr.h: our own addresses and what peers are told of them.
 *
 * Holds what the daemon learns (the addresses it was told to listen on, the port it bound, the
 * address peers report seeing us at in Remote-IP, whether another host's connection reached our
 * port) and decides from it the address we announce (handshake Listen-IP, pongs, hits) and
 * whether we say we are firewalled.
 *
 * Firewalled until proven otherwise, from evidence only: a TCP connection from another host
 * reached our port (an incoming link, a request, or the call a TCP connect-back request asks a
 * peer to make). --lan only says which addresses may be peers; it decides nothing here. Peers'
 * Remote-IP against our bound address tells whether a NAT sits between us (the address we
 * announce is then the NAT's outer one). How that NAT maps ports is told by reachable servents
 * that saw a connection of ours come from a port we know we used (a rendezvous broker's
 * X-Rendezvous-Self): the same port every time is a port-preserving NAT, which a simultaneous open
 * can cross; another port, or two brokers seeing two ports, one that picks ports at random. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "host-addr.h"

#define SV_LOCAL_ADDR_MAPPINGS 4    /* port observations kept, the latest */

typedef struct {
  SvHostAddr broker;         /* the reachable servent that saw the connection */
  guint16 local_port;        /* the port it left from */
  SvHostAddr seen;           /* where the broker saw it come from */
} SvLocalAddrMapping;

typedef struct {
  SvHostAddr *listen;        /* the addresses we were told to listen on (owned) */
  guint n_listen;
  gboolean lan;              /* --lan: private and loopback addresses are ours to announce */
  guint16 port;              /* the port bound (0 until the listener is up) */
  SvHostAddr seen_as;        /* what a peer's Remote-IP said (family 0: nothing yet) */
  gboolean reachable;        /* another host's connection reached our port */
  guint64 inbound;           /* connections from other hosts that reached our port */
  SvHostAddr inbound_from;   /* the first of them */
  guint64 connect_backs;     /* connect-back requests we sent */
  gint64 connect_back_us;    /* when the first was sent (monotonic; 0: none yet) */
  /* UDP: a GTKG/7 request asks a peer for a ping carrying udp_guid; one arriving from another
   * host proves that unsolicited datagrams reach our port. */
  SvGuid udp_guid;
  guint64 udp_connect_backs; /* GTKG/7 requests we sent */
  gboolean udp_reachable;
  SvHostAddr udp_from;       /* the host whose ping proved it */
  SvLocalAddrMapping mappings[SV_LOCAL_ADDR_MAPPINGS];
  guint n_mappings, next_mapping;
  SvHostAddr port_mapped;    /* the address and port our NAT's gateway forwards to us (family
                              * 0: none) */
  const char *port_mapped_by;   /* (static) how it was asked for ("UPnP IGD", "NAT-PMP") */
} SvLocalAddr;

/* @listen: (array length=n_listen) copied. */
void sv_local_addr_init (SvLocalAddr *local, const SvHostAddr *listen, guint n_listen,
                         gboolean lan);
void sv_local_addr_clear (SvLocalAddr *local);

/* A connection from @remote reached our port. Returns: TRUE when this is the first proof that
 * we are reachable (a connection from one of our own addresses proves nothing). */
gboolean sv_local_addr_note_inbound (SvLocalAddr *local, const SvHostAddr *remote);
/* A UDP ping with GUID @guid arrived from @from. Returns: TRUE when it answers our UDP
 * connect-back request (the first such proof sets udp_reachable). */
gboolean sv_local_addr_note_udp_ping (SvLocalAddr *local, const SvGuid *guid, const SvHostAddr *from);
/* TRUE when peers see us at an address that is not the one we are bound to (a NAT between). */
gboolean sv_local_addr_behind_nat (const SvLocalAddr *local);
/* Returns: (transfer none) "reachable", "firewalled", "firewalled-nat" (known firewalled, with
 * a NAT between) or "unknown" (not proven either way yet, at @now_us), and writes one line of
 * evidence into @why (@why_len bytes), ending with what is known of UDP. */
const char *sv_local_addr_verdict (const SvLocalAddr *local, gint64 now_us, char *why,
                                   gsize why_len);
/* The gateway in front of us forwards @external (its address, the port) to our port, by @by
 * (a static string). It is announced from then on. Returns: FALSE, and nothing is kept, when peers
 * see us at another address (a second NAT beyond the gateway, or a gateway that names a wrong
 * one): the mapping would not reach us. */
gboolean sv_local_addr_note_port_map (SvLocalAddr *local, const SvHostAddr *external,
                                      const char *by);
/* The mapping is gone (removed, or not renewed). */
void sv_local_addr_forget_port_map (SvLocalAddr *local);
/* @broker saw a connection of ours that left from @local_port come from @seen. */
void sv_local_addr_note_mapping (SvLocalAddr *local, const SvHostAddr *broker, guint16 local_port,
                                 const SvHostAddr *seen);

typedef enum {
  SV_LOCAL_NAT_UNKNOWN = 0,         /* not proven reachable, nothing seen of a NAT yet */
  SV_LOCAL_NAT_PUBLIC,              /* reachable, at the address we are bound to */
  SV_LOCAL_NAT_MAPPED,              /* reachable through a NAT (its port forwarded to us) */
  SV_LOCAL_NAT_FIREWALL,            /* firewalled, no NAT: a host firewall drops what comes in */
  SV_LOCAL_NAT_NAT,                 /* firewalled behind a NAT whose port mapping is not known */
  SV_LOCAL_NAT_PORT_PRESERVING,     /* … that keeps our ports: a simultaneous open can cross it */
  SV_LOCAL_NAT_PORT_RANDOMISING,    /* … that changes them: only a relay gets through */
} SvLocalNat;

/* How we are reached, from the evidence so far at @now_us; one line of it in @why. */
SvLocalNat sv_local_addr_nat (const SvLocalAddr *local, gint64 now_us, char *why, gsize why_len);
/* Returns: (transfer none) "public", "mapped", "firewall", "nat", "port-preserving-nat",
 * "port-randomising-nat" or "unknown". */
const char *sv_local_nat_name (SvLocalNat nat);

/* How long after the first connect-back request an unanswered one counts as proof. */
#define SV_LOCAL_ADDR_PROOF_WAIT_US (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)

/* TRUE once we know we are firewalled: not reachable although a peer was asked to connect back
 * at least SV_LOCAL_ADDR_PROOF_WAIT_US before @now_us. (Firewalled alone is only the cautious
 * default of a servent that has not found out yet.) */
gboolean sv_local_addr_known_firewalled (const SvLocalAddr *local, gint64 now_us);
/* TRUE while we must say we are firewalled (above). */
gboolean sv_local_addr_firewalled (const SvLocalAddr *local);
/* The address peers should see (port: the bound port): the one our NAT forwards to us when
 * there is one (with its port), else a bound IPv4 address when it is routable, or in LAN mode when no NAT was seen, else what peers saw, else the bound one;
 * the IPv4 family with a zero address when nothing is known. */
void sv_local_addr_announced (const SvLocalAddr *local, SvHostAddr *out);
/* The first listening address that is not a wildcard, of @family (0: any).
 * Returns: (transfer none) (nullable). */
const SvHostAddr *sv_local_addr_bound (const SvLocalAddr *local, guint family);
/* TRUE if @addr is one of our own addresses (port ignored). */
gboolean sv_local_addr_is_own_ip (const SvLocalAddr *local, const SvHostAddr *addr);
