/* connect-back.h: answering connect-back requests. TCP (BEAR/7): a peer that does not know whether
 * others can reach it asks us to connect to its port; we dial, say "\n\n" (as gtk-gnutella does)
 * and hang up. The peer learns it is reachable from the connection itself. UDP (GTKG/7): the peer
 * asks for a UDP ping with a GUID it chose; the caller sends the datagram once this says yes.
 *
 * Bounded: at most SV_CONNECT_BACK_MAX_DIALS dials at once, one answer of each kind (TCP, UDP) per
 * address per SV_CONNECT_BACK_GAP_US; the rest are refused and counted, so that the request cannot turn
 * us into a connection or datagram cannon. */
#pragma once

#include <glib.h>

#include "host-addr.h"

#define SV_CONNECT_BACK_MAX_DIALS  8
#define SV_CONNECT_BACK_GAP_US     (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define SV_CONNECT_BACK_TIMEOUT_US (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)

typedef struct _SvConnectBack SvConnectBack;

/* Returns: (transfer full). Dials from @local (nullable, copied) when set. */
SvConnectBack *sv_connect_back_new (const SvHostAddr *local);
void sv_connect_back_free (SvConnectBack *cb);

/* Dials @addr unless a cap says no. Returns: FALSE when refused. */
gboolean sv_connect_back_dial (SvConnectBack *cb, const SvHostAddr *addr, gint64 now_us);

/* Whether to send the UDP ping a GTKG/7 request asks for to @addr (counted). */
gboolean sv_connect_back_udp (SvConnectBack *cb, const SvHostAddr *addr, gint64 now_us);

typedef struct {
  guint64 dialled;
  guint64 connected;
  guint64 udp_pings;        /* UDP connect-back pings allowed */
  guint64 refused;
} SvConnectBackCounters;
void sv_connect_back_get_counters (const SvConnectBack *cb, SvConnectBackCounters *out);
