/* rendezvous-call.h: our side of a rendezvous, as the firewalled downloader or as the firewalled
 * leaf that has the file (the broker's side is daemon/rendezvous-broker): reserve a local port,
 * call the broker from it (GET /gnutella/rendezvous?…, which it answers once both sides called,
 * with X-Rendezvous-Peer: where the other side's call came from), then open the connection to
 * that address from the same port by simultaneous open (net/punch). The broker also says where our
 * own call came from: when our NAT changed the port, a punch cannot work (the other side would aim
 * at a port our NAT does not use for it) and the call ends at once, met but unconnected, so that
 * the caller can ask for a relay without waiting out the punch.
 *
 * A broker may only name an address; the file fetched over the connection is checked by its
 * SHA-1 as any other. */
#pragma once

#include "guid.h"
#include "host-addr.h"
#include "http-client.h"

#define SV_RENDEZVOUS_CALL_TIMEOUT_US (G_GINT64_CONSTANT (12) * G_USEC_PER_SEC)

typedef struct _SvRendezvousCall SvRendezvousCall;

/* @fd: (transfer full) connected to @peer (transfer none: valid during the call only), or -1 with
 * @error (the broker refused or named no one, or the punch found no way through). */
typedef void (*SvRendezvousCallDone) (int fd, const SvHostAddr *peer, const GError *error,
                                      gpointer user_data);

/* Calls @broker about @token: as the downloader when @leaf (the source's servent GUID) is set,
 * as that leaf when it is NULL; the leaf with @random_ports says its NAT changes ports, and
 * the downloader then tries no punch either (it asks for a relay at once). @local: (nullable)
 * the address to connect from. @done is called exactly once unless the call is freed first.
 * Returns: (transfer full). */
SvRendezvousCall *sv_rendezvous_call_start (SvHttpClient *http, const SvHostAddr *broker,
                                            const SvGuid *leaf, const SvGuid *token,
                                            const SvHostAddr *local, gboolean random_ports,
                                            SvRendezvousCallDone done, gpointer user_data);
/* Stops (no callback) and frees. NULL is ignored. */
void sv_rendezvous_call_free (SvRendezvousCall *call);

/* Where the broker saw our call come from (@seen), having left from @local_port. Returns: FALSE
 * when it did not say (yet). A call with a token nobody waits for learns just this. */
gboolean sv_rendezvous_call_seen (const SvRendezvousCall *call, guint16 *local_port,
                                  SvHostAddr *seen);
/* Whether the broker answered with the other side's address (the meeting took place, whatever
 * the punch did). */
gboolean sv_rendezvous_call_met (const SvRendezvousCall *call);
/* Punch tries made (0 before the broker answered). */
guint sv_rendezvous_call_tries (const SvRendezvousCall *call);
