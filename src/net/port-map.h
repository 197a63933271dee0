/* port-map.h: asking the NAT in front of us to forward our listening port to us: UPnP IGD
 * (libminiupnpc) first, then NAT-PMP (libnatpmp); renewing the mapping and removing it.
 *
 * The libraries block (discovery waits SV_PORT_MAP_DISCOVER_MS, a NAT-PMP request at most
 * SV_PORT_MAP_NATPMP_WAIT_MS), so a request runs on a worker thread, one at a time, and its
 * result comes back on the caller's main context. The TCP port is what a mapping is for; the UDP
 * port of the same number is asked for too, and counted as forwarded only when granted. What a
 * gateway answers is checked before use: an external address that is no IPv4 address, or a
 * mapping for another port than ours, is an error like any refusal. */
#pragma once

#include <gio/gio.h>

#include "host-addr.h"

#define SV_PORT_MAP_DISCOVER_MS    2000   /* SSDP answers awaited */
#define SV_PORT_MAP_NATPMP_WAIT_MS 2000   /* one NAT-PMP request, resends included */

typedef enum {
  SV_PORT_MAP_NONE = 0,
  SV_PORT_MAP_UPNP,          /* UPnP IGD (WANIPConnection) */
  SV_PORT_MAP_NATPMP,        /* NAT-PMP (RFC 6886) */
} SvPortMapProto;

typedef struct {
  SvPortMapProto proto;
  SvHostAddr external;       /* the gateway's external address and the port it forwards to us */
  guint lease_s;             /* granted lease (0: permanent) */
  gboolean udp;              /* the UDP port is forwarded too */
} SvPortMapping;

typedef struct _SvPortMap SvPortMap;

/* A mapper for our listening @port (asked for as the external port too), trying UPnP IGD when
 * @upnp and NAT-PMP when @natpmp. Nothing is sent until the first request. */
SvPortMap *sv_port_map_new (guint16 port, gboolean upnp, gboolean natpmp);
/* Removes the mapping held, if any (bounded by the waits above), after waiting for a request in
 * flight, and frees @pm (a request in flight finishes with G_IO_ERROR_CANCELLED if its
 * @cancellable was cancelled). */
void sv_port_map_free (SvPortMap *pm);

/* Asks for the mapping (or renews the one held) on a worker thread; @callback runs on the
 * thread-default main context. */
void sv_port_map_request_async (SvPortMap *pm, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
/* Returns: TRUE with @out filled, or FALSE with @error saying what each method answered. */
gboolean sv_port_map_request_finish (GAsyncResult *result, SvPortMapping *out, GError **error);

/* Returns: (transfer none) "UPnP IGD", "NAT-PMP" or "none". */
const char *sv_port_map_proto_name (SvPortMapProto proto);
