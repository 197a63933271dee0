/* punch.h: TCP simultaneous open, the direct connection two firewalled hosts can make when each
 * knows the address and port the other's NAT shows (a rendezvous told them): both connect to each
 * other from the local port those were seen on, at about the same time, and the SYNs crossing
 * open both NATs' mappings.
 *
 * Every try is a fresh socket with SO_REUSEADDR and SO_REUSEPORT, bound to that local port, where
 * the reservation (sv_punch_reserve) also listens: a SYN of the other side that arrives between
 * two tries, or at a host that is reachable anyway, is accepted there (only from the expected
 * address and port). A try that fails at once (a gateway that answers an early SYN with RST,
 * which also drops our own mapping) is retried after a short random delay, so that the two sides
 * do not stay in lock-step; a try left unanswered is replaced by a new one after
 * SV_PUNCH_TRY_US, sooner than the kernel's own SYN back-off. The delay is short (a try that
 * lasts about a round trip should be out most of the time, as the other side's SYN can only get
 * through while it is) but random, and the tries are capped: at most SV_PUNCH_MAX_TRIES within
 * the window given. The first connection, made or accepted, wins. IPv4 and IPv6. */
#pragma once

#include <gio/gio.h>

#include "host-addr.h"

#define SV_PUNCH_TRY_US       (G_GINT64_CONSTANT (1000) * 1000)   /* one try unanswered */
#define SV_PUNCH_JITTER_MAX_US (G_GINT64_CONSTANT (5) * 1000)     /* before a retry */
#define SV_PUNCH_MAX_TRIES    4000    /* tries in one window, whatever the window */
#define SV_PUNCH_WINDOW_US    (G_GINT64_CONSTANT (5) * G_USEC_PER_SEC)

/* Binds a TCP socket (SO_REUSEADDR, SO_REUSEPORT) to @local's address (nullable or port 0: any
 * address of @family) and a free port, and listens on it: it keeps the port ours until the punch
 * is over. Returns: the socket (close it when done) with the port in @port_out, or -1 with
 * @error. */
int sv_punch_reserve (const SvHostAddr *local, guint8 family, guint16 *port_out, GError **error);

typedef struct _SvPunch SvPunch;

/* @fd: (transfer full) the connected socket, or -1 with @error when the window ended. */
typedef void (*SvPunchDone) (int fd, const GError *error, gpointer user_data);

/* Starts connecting from @local's address (nullable: any) and the port of @reservation (from
 * sv_punch_reserve; not owned, kept open by the caller until the punch ends) to @peer, for
 * @window_us (0: SV_PUNCH_WINDOW_US). @done is called exactly once unless the punch is freed
 * first. Returns: (transfer full). */
SvPunch *sv_punch_start (const SvHostAddr *local, int reservation, const SvHostAddr *peer,
                         gint64 window_us, SvPunchDone done, gpointer user_data);
/* Stops (no callback) and frees. NULL is ignored. */
void sv_punch_free (SvPunch *punch);

/* Tries made so far (one socket each). */
guint sv_punch_tries (const SvPunch *punch);
/* Whether the connection was accepted on the reservation rather than made by a try. */
gboolean sv_punch_accepted (const SvPunch *punch);
