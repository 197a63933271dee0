/* port-map.c: our listening port forwarded by the NAT's gateway, through libminiupnpc (UPnP
 * IGD) or libnatpmp (NAT-PMP), on a worker thread (see port-map.h). */
#include "port-map.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <arpa/inet.h>

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#define ENABLE_STRNATPMPERR
#include <natpmp.h>

#include "port-lease.h"

#define UPNP_ONLY_PERMANENT_LEASES 725   /* OnlyPermanentLeasesSupported */
#define MAPPING_DESCRIPTION "servent"

struct _SvPortMap {
  gint refs;
  GMutex lock;               /* held by the one request or removal running */
  guint16 port;
  gboolean upnp, natpmp;
  /* Below: only under lock. */
  gboolean have_igd;
  struct UPNPUrls urls;
  struct IGDdatas igd;
  char lan_addr[64];         /* our address towards the IGD */
  SvPortMapping held;        /* proto NONE: nothing held */
};

static SvPortMap *
port_map_ref (SvPortMap *pm)
{
  g_atomic_int_inc (&pm->refs);
  return pm;
}

static void
port_map_unref (gpointer data)
{
  SvPortMap *pm = data;

  if (!g_atomic_int_dec_and_test (&pm->refs))
    return;
  if (pm->have_igd)
    FreeUPNPUrls (&pm->urls);
  g_mutex_clear (&pm->lock);
  g_free (pm);
}

SvPortMap *
sv_port_map_new (guint16 port, gboolean upnp, gboolean natpmp)
{
  SvPortMap *pm = g_new0 (SvPortMap, 1);

  pm->refs = 1;
  g_mutex_init (&pm->lock);
  pm->port = port;
  pm->upnp = upnp;
  pm->natpmp = natpmp;
  return pm;
}

const char *
sv_port_map_proto_name (SvPortMapProto proto)
{
  switch (proto)
    {
    case SV_PORT_MAP_UPNP: return "UPnP IGD";
    case SV_PORT_MAP_NATPMP: return "NAT-PMP";
    case SV_PORT_MAP_NONE: break;
    }
  return "none";
}

/* --- UPnP IGD --- */

static void
forget_igd (SvPortMap *pm)
{
  if (pm->have_igd)
    FreeUPNPUrls (&pm->urls);
  pm->have_igd = FALSE;
}

static gboolean
find_igd (SvPortMap *pm, GString *why)
{
  struct UPNPDev *devices;
  int error = 0, found;

  if (pm->have_igd)
    return TRUE;
  devices = upnpDiscover (SV_PORT_MAP_DISCOVER_MS, NULL, NULL, UPNP_LOCAL_PORT_ANY, 0, 2, &error);
  if (devices == NULL)
    {
      g_string_append (why, "UPnP IGD: no device answered");
      return FALSE;
    }
  memset (&pm->urls, 0, sizeof pm->urls);
  found = UPNP_GetValidIGD (devices, &pm->urls, &pm->igd, pm->lan_addr, sizeof pm->lan_addr);
  freeUPNPDevlist (devices);
  /* 1: connected; 2: an IGD that says it is not connected, or whose external address is
   * reserved (behind another NAT, or a lab): it may still forward, and the daemon uses a
   * mapping only where peers see us at the address the gateway names. */
  if (found != 1 && found != 2)
    {
      if (found != 0)
        FreeUPNPUrls (&pm->urls);
      g_string_append (why, "UPnP IGD: a device answered, but it is no Internet gateway");
      return FALSE;
    }
  if (pm->urls.controlURL == NULL || pm->urls.controlURL[0] == '\0')
    {
      FreeUPNPUrls (&pm->urls);
      g_string_append (why, "UPnP IGD: the gateway names no control URL");
      return FALSE;
    }
  pm->have_igd = TRUE;
  return TRUE;
}

/* Adds @proto ("TCP"/"UDP") for our port. Returns: the UPnP result code; @lease_s is updated
 * to 0 when the gateway takes permanent mappings only. */
static int
upnp_add (SvPortMap *pm, const char *proto, guint *lease_s)
{
  char port[8], lease[16];
  int r;

  g_snprintf (port, sizeof port, "%u", pm->port);
  g_snprintf (lease, sizeof lease, "%u", *lease_s);
  r = UPNP_AddPortMapping (pm->urls.controlURL, pm->igd.first.servicetype, port, port,
                           pm->lan_addr, MAPPING_DESCRIPTION, proto, NULL, lease);
  if (r == UPNP_ONLY_PERMANENT_LEASES && *lease_s != 0)
    {
      *lease_s = 0;
      r = UPNP_AddPortMapping (pm->urls.controlURL, pm->igd.first.servicetype, port, port,
                               pm->lan_addr, MAPPING_DESCRIPTION, proto, NULL, "0");
    }
  return r;
}

static gboolean
upnp_map (SvPortMap *pm, SvPortMapping *out, GString *why)
{
  char ext[40] = "";
  guint lease = SV_PORT_LEASE_REQUEST_S;
  int r;

  if (!find_igd (pm, why))
    return FALSE;
  r = UPNP_GetExternalIPAddress (pm->urls.controlURL, pm->igd.first.servicetype, ext);
  ext[sizeof ext - 1] = '\0';
  if (r != UPNPCOMMAND_SUCCESS
      || sv_host_addr_parse_ip (ext, strlen (ext), &out->external) != SV_STATUS_OK
      || out->external.family != SV_HOST_ADDR_IPV4 || sv_host_addr_is_wildcard (&out->external))
    {
      g_string_append_printf (why, "UPnP IGD: the gateway named no usable external address (%s)",
                              r != UPNPCOMMAND_SUCCESS ? strupnperror (r) : "not an IPv4 address");
      forget_igd (pm);
      return FALSE;
    }
  r = upnp_add (pm, "TCP", &lease);
  if (r != UPNPCOMMAND_SUCCESS)
    {
      const char *text = strupnperror (r);

      g_string_append_printf (why, "UPnP IGD: the gateway refused to forward port %u (%d%s%s)",
                              pm->port, r, text != NULL ? " " : "", text != NULL ? text : "");
      forget_igd (pm);
      return FALSE;
    }
  {
    guint udp_lease = lease;

    out->udp = upnp_add (pm, "UDP", &udp_lease) == UPNPCOMMAND_SUCCESS;
  }
  out->proto = SV_PORT_MAP_UPNP;
  out->external.port = pm->port;
  out->lease_s = lease;
  return TRUE;
}

static void
upnp_remove (SvPortMap *pm)
{
  char port[8];

  if (!pm->have_igd)
    return;
  g_snprintf (port, sizeof port, "%u", pm->port);
  UPNP_DeletePortMapping (pm->urls.controlURL, pm->igd.first.servicetype, port, "TCP", NULL);
  if (pm->held.udp)
    UPNP_DeletePortMapping (pm->urls.controlURL, pm->igd.first.servicetype, port, "UDP", NULL);
}

/* --- NAT-PMP --- */

/* Waits for the answer to the request sent on @np (libnatpmp resends it on its schedule), at
 * most SV_PORT_MAP_NATPMP_WAIT_MS. Returns: a libnatpmp result (NATPMP_TRYAGAIN: no answer). */
static int
natpmp_wait (natpmp_t *np, natpmpresp_t *resp)
{
  gint64 deadline = g_get_monotonic_time () + SV_PORT_MAP_NATPMP_WAIT_MS * 1000;
  int r;

  do
    {
      fd_set fds;
      struct timeval tv;
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0)
        return NATPMP_TRYAGAIN;
      FD_ZERO (&fds);
      FD_SET (np->s, &fds);
      if (getnatpmprequesttimeout (np, &tv) < 0 || tv.tv_sec * G_USEC_PER_SEC + tv.tv_usec > left)
        {
          tv.tv_sec = left / G_USEC_PER_SEC;
          tv.tv_usec = left % G_USEC_PER_SEC;
        }
      if (select (np->s + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR)
        return NATPMP_ERR_RECVFROM;
      r = readnatpmpresponseorretry (np, resp);
    }
  while (r == NATPMP_TRYAGAIN);
  return r;
}

static const char *
natpmp_error (int r)
{
  return r == NATPMP_TRYAGAIN ? "no answer" : strnatpmperr (r);
}

/* Asks for (@lifetime_s > 0) or removes (0) the mapping of our @proto port. Returns: a libnatpmp
 * result; @resp holds the answer on success. */
static int
natpmp_request (natpmp_t *np, SvPortMap *pm, int proto, guint lifetime_s, natpmpresp_t *resp)
{
  int r = sendnewportmappingrequest (np, proto, pm->port, lifetime_s != 0 ? pm->port : 0,
                                     lifetime_s);

  if (r < 0)
    return r;
  r = natpmp_wait (np, resp);
  if (r >= 0 && resp->type != (proto == NATPMP_PROTOCOL_TCP ? NATPMP_RESPTYPE_TCPPORTMAPPING
                                                             : NATPMP_RESPTYPE_UDPPORTMAPPING))
    return NATPMP_ERR_UNSUPPORTEDOPCODE;
  return r;
}

static gboolean
natpmp_map (SvPortMap *pm, SvPortMapping *out, GString *why)
{
  natpmp_t np;
  natpmpresp_t resp;
  int r;

  if ((r = initnatpmp (&np, 0, 0)) < 0)
    {
      g_string_append_printf (why, "NAT-PMP: %s", strnatpmperr (r));
      return FALSE;
    }
  r = sendpublicaddressrequest (&np);
  if (r >= 0)
    r = natpmp_wait (&np, &resp);
  if (r >= 0 && resp.type != NATPMP_RESPTYPE_PUBLICADDRESS)
    r = NATPMP_ERR_UNSUPPORTEDOPCODE;
  if (r < 0)
    {
      g_string_append_printf (why, "NAT-PMP: the gateway's address: %s", natpmp_error (r));
      closenatpmp (&np);
      return FALSE;
    }
  sv_host_addr_set_ipv4 (&out->external, (const guint8 *) &resp.pnu.publicaddress.addr, 0);
  if (sv_host_addr_is_wildcard (&out->external))
    {
      g_string_append (why, "NAT-PMP: the gateway named no external address");
      closenatpmp (&np);
      return FALSE;
    }
  r = natpmp_request (&np, pm, NATPMP_PROTOCOL_TCP, SV_PORT_LEASE_REQUEST_S, &resp);
  if (r >= 0 && (resp.pnu.newportmapping.privateport != pm->port
                 || resp.pnu.newportmapping.mappedpublicport == 0))
    r = NATPMP_ERR_UNDEFINEDERROR;
  if (r < 0)
    {
      g_string_append_printf (why, "NAT-PMP: the gateway did not forward port %u: %s", pm->port,
                              natpmp_error (r));
      closenatpmp (&np);
      return FALSE;
    }
  out->external.port = resp.pnu.newportmapping.mappedpublicport;
  out->lease_s = resp.pnu.newportmapping.lifetime;
  out->proto = SV_PORT_MAP_NATPMP;
  r = natpmp_request (&np, pm, NATPMP_PROTOCOL_UDP, SV_PORT_LEASE_REQUEST_S, &resp);
  out->udp = r >= 0 && resp.pnu.newportmapping.mappedpublicport == out->external.port;
  closenatpmp (&np);
  return TRUE;
}

static void
natpmp_remove (SvPortMap *pm)
{
  natpmp_t np;
  natpmpresp_t resp;

  if (initnatpmp (&np, 0, 0) < 0)
    return;
  natpmp_request (&np, pm, NATPMP_PROTOCOL_TCP, 0, &resp);
  if (pm->held.udp)
    natpmp_request (&np, pm, NATPMP_PROTOCOL_UDP, 0, &resp);
  closenatpmp (&np);
}

/* --- Requests --- */

typedef gboolean (*MapMethod) (SvPortMap *pm, SvPortMapping *out, GString *why);

static void
request_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SvPortMap *pm = task_data;
  g_autoptr (GString) why = g_string_new (NULL);
  SvPortMapping m = { 0 };
  const MapMethod methods[2] = { upnp_map, natpmp_map };
  const gboolean enabled[2] = { pm->upnp, pm->natpmp };
  gboolean ok = FALSE;
  guint first;

  (void) source;
  (void) cancellable;
  g_mutex_lock (&pm->lock);
  /* UPnP IGD first; a renewal asks the method that granted the mapping first. */
  first = pm->held.proto == SV_PORT_MAP_NATPMP ? 1 : 0;
  for (guint k = 0; k < G_N_ELEMENTS (methods) && !ok; k++)
    {
      guint i = (first + k) % G_N_ELEMENTS (methods);

      if (!enabled[i])
        continue;
      if (why->len > 0)
        g_string_append (why, "; ");
      ok = methods[i] (pm, &m, why);
    }
  if (ok)
    pm->held = m;
  else
    memset (&pm->held, 0, sizeof pm->held);
  g_mutex_unlock (&pm->lock);
  if (ok)
    g_task_return_pointer (task, g_memdup2 (&m, sizeof m), g_free);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                             why->len > 0 ? why->str : "no method enabled");
}

void
sv_port_map_request_async (SvPortMap *pm, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, sv_port_map_request_async);
  g_task_set_task_data (task, port_map_ref (pm), port_map_unref);
  g_task_run_in_thread (task, request_thread);
}

gboolean
sv_port_map_request_finish (GAsyncResult *result, SvPortMapping *out, GError **error)
{
  g_autofree SvPortMapping *m = g_task_propagate_pointer (G_TASK (result), error);

  if (m == NULL)
    return FALSE;
  *out = *m;
  return TRUE;
}

void
sv_port_map_free (SvPortMap *pm)
{
  if (pm == NULL)
    return;
  g_mutex_lock (&pm->lock);
  if (pm->held.proto == SV_PORT_MAP_UPNP)
    upnp_remove (pm);
  else if (pm->held.proto == SV_PORT_MAP_NATPMP)
    natpmp_remove (pm);
  memset (&pm->held, 0, sizeof pm->held);
  g_mutex_unlock (&pm->lock);
  port_map_unref (pm);
}
