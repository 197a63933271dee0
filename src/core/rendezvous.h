/* rendezvous.h: the meetings a reachable ultrapeer brokers between a firewalled downloader and a
 * firewalled leaf of its own, so that the two can open a TCP connection to each other at once.
 *
 * The downloader calls GET /gnutella/rendezvous?ServerId=<leaf>&token=T from the local port it
 * will connect from; its request is held open (a meeting, opened here) while the leaf is told
 * by vendor message (SVNT/1) to call /gnutella/rendezvous?token=T from its own chosen port. The
 * leaf's call takes the meeting: each side is answered with the address and port the other's
 * call came from, as the ultrapeer saw it (so across their NATs), and nothing else. Addresses
 * are only ever ones the broker saw a TCP connection come from, so a meeting cannot be aimed at a
 * third host.
 *
 * Bounded: SV_RENDEZVOUS_MAX_PENDING meetings at once, SV_RENDEZVOUS_MAX_PER_ADDR per requesting
 * address, each for SV_RENDEZVOUS_WAIT_US. Pure: time comes in as `now_us`; the caller's
 * handle for the held request is opaque here. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "host-addr.h"

#define SV_RENDEZVOUS_MAX_PENDING   64
#define SV_RENDEZVOUS_MAX_PER_ADDR  4
#define SV_RENDEZVOUS_WAIT_US       (G_GINT64_CONSTANT (8) * G_USEC_PER_SEC)

typedef enum {
  SV_RENDEZVOUS_OPENED,
  SV_RENDEZVOUS_FULL,          /* SV_RENDEZVOUS_MAX_PENDING meetings wait already */
  SV_RENDEZVOUS_ADDR_LIMIT,    /* this address has SV_RENDEZVOUS_MAX_PER_ADDR waiting */
  SV_RENDEZVOUS_TOKEN_TAKEN,   /* a meeting with this token waits already */
} SvRendezvousVerdict;

typedef struct _SvRendezvous SvRendezvous;

/* Returns: (transfer full). */
SvRendezvous *sv_rendezvous_new (void);
void sv_rendezvous_free (SvRendezvous *rdv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvRendezvous, sv_rendezvous_free)

/* The downloader at @requester (as seen) waits for token @token; @handle (not owned, not NULL)
 * is the caller's held request. Expired meetings are dropped first (see _pop_expired). */
SvRendezvousVerdict sv_rendezvous_open (SvRendezvous *rdv, const SvGuid *token,
                                        const SvHostAddr *requester, gpointer handle,
                                        gint64 now_us);

/* The leaf's call with @token: ends the meeting. Returns: its handle, with the requester's
 * address in @requester_out, or NULL when no live meeting has this token. */
gpointer sv_rendezvous_take (SvRendezvous *rdv, const SvGuid *token, gint64 now_us,
                             SvHostAddr *requester_out);

/* The held request @handle went away: forget its meeting (if any). */
void sv_rendezvous_cancel (SvRendezvous *rdv, gpointer handle);

/* Returns: the handle of one meeting whose wait ended by @now_us (removed), or NULL. */
gpointer sv_rendezvous_pop_expired (SvRendezvous *rdv, gint64 now_us);

/* Meetings waiting. */
guint sv_rendezvous_size (const SvRendezvous *rdv);

/* The soonest end of a wait, or 0 when none waits. */
gint64 sv_rendezvous_next_deadline (const SvRendezvous *rdv);

const char *sv_rendezvous_verdict_name (SvRendezvousVerdict verdict);

/* The request target of a call to a broker: /gnutella/rendezvous (or /gnutella/relay with
 * @relay) with ServerId=@leaf (base32) when the downloader calls, and token=@token (hex);
 * &ports=random when the leaf says its NAT changes ports. Returns: (transfer full). */
char *sv_rendezvous_target (gboolean relay, const SvGuid *leaf, const SvGuid *token,
                            gboolean random_ports);
