/* servent-portmap.c: our listening port forwarded by the NAT in front of us.
 *
 * Once a peer's Remote-IP shows that we are behind a NAT, net/port-map asks the gateway (UPnP
 * IGD, then NAT-PMP) to forward our port; the mapping is announced from then on, a new round of
 * connect-back requests proves that it reaches us (only then are we reachable, see
 * core/local-addr), it is renewed on core/port-lease's schedule and removed at exit. A gateway
 * that names an external address peers do not see us at is not believed. */
#include "servent-private.h"

#include "port-lease.h"

static void request (SvServent *sv);

static gboolean
on_timer (gpointer user_data)
{
  SvServent *sv = user_data;

  sv->port_map_timer = 0;
  request (sv);
  return G_SOURCE_REMOVE;
}

static void
schedule (SvServent *sv, guint seconds)
{
  GSource *src = g_timeout_source_new_seconds (seconds);

  g_source_set_callback (src, on_timer, sv, NULL);
  sv->port_map_timer = g_source_attach (src, sv->context);
  g_source_unref (src);
}

/* Asks every peer we dialled to connect back to the port just forwarded. */
static void
prove (SvServent *sv)
{
  g_autoptr (GPtrArray) links = NULL;

  if (!sv_local_addr_firewalled (&sv->local))
    return;
  sv->local.connect_backs = 0;
  sv->local.connect_back_us = 0;
  links = sv_link_set_all (sv->link_set);
  for (guint i = 0; i < links->len; i++)
    {
      SvLink *link = g_ptr_array_index (links, i);

      if (link->established)
        sv_servent_route_ask_connect_back (sv, link);
    }
}

static void
failed (SvServent *sv, const char *why)
{
  sv->port_map_failures++;
  sv->port_map_refused++;
  if (g_strcmp0 (why, sv->port_map_error) != 0)
    g_message ("port %u not forwarded: %s", sv->local.port, why);
  g_free (sv->port_map_error);
  sv->port_map_error = g_strdup (why);
  memset (&sv->port_mapping, 0, sizeof sv->port_mapping);
  sv_local_addr_forget_port_map (&sv->local);
  schedule (sv, sv_port_lease_retry_in (sv->port_map_failures));
}

static void
on_mapped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SvPortMapping m;
  SvServent *sv;
  gboolean was_mapped;
  char a[SV_HOST_ADDR_STRLEN], b[SV_HOST_ADDR_STRLEN];

  (void) source;
  if (!sv_port_map_request_finish (result, &m, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;   /* the servent is going away: user_data may be gone */
      sv = user_data;
      g_clear_object (&sv->port_map_cancel);
      failed (sv, error->message);
      return;
    }
  sv = user_data;
  g_clear_object (&sv->port_map_cancel);
  was_mapped = sv->local.port_mapped.family != 0;
  if (!sv_local_addr_note_port_map (&sv->local, &m.external, sv_port_map_proto_name (m.proto)))
    {
      g_autofree char *why = g_strdup_printf ("%s names %s, but peers see us at %s",
                                              sv_port_map_proto_name (m.proto),
                                              sv_host_addr_format (&m.external, FALSE, a),
                                              sv_host_addr_format (&sv->local.seen_as, FALSE, b));
      failed (sv, why);
      return;
    }
  sv->port_mapping = m;
  sv->port_map_failures = 0;
  g_clear_pointer (&sv->port_map_error, g_free);
  if (!was_mapped)
    {
      g_message ("port %u forwarded by %s: %s (lease %u s%s)", sv->local.port,
                 sv_port_map_proto_name (m.proto), sv_host_addr_format (&m.external, TRUE, a),
                 m.lease_s, m.udp ? ", UDP too" : "");
      prove (sv);
    }
  schedule (sv, sv_port_lease_renew_in (m.lease_s));
}

static void
request (SvServent *sv)
{
  sv->port_map_requests++;
  sv->port_map_cancel = g_cancellable_new ();
  sv_port_map_request_async (sv->port_map, sv->port_map_cancel, on_mapped, sv);
}

void
sv_servent_port_map_consider (SvServent *sv)
{
  if (sv->port_map != NULL || (!sv->cfg.upnp && !sv->cfg.natpmp) || sv->local.port == 0
      || !sv_local_addr_behind_nat (&sv->local))
    return;
  sv->port_map = sv_port_map_new (sv->local.port, sv->cfg.upnp, sv->cfg.natpmp);
  request (sv);
}

void
sv_servent_port_map_clear (SvServent *sv)
{
  if (sv->port_map_timer != 0)
    {
      GSource *src = g_main_context_find_source_by_id (sv->context, sv->port_map_timer);

      if (src != NULL)
        g_source_destroy (src);
      sv->port_map_timer = 0;
    }
  if (sv->port_map_cancel != NULL)
    g_cancellable_cancel (sv->port_map_cancel);
  g_clear_object (&sv->port_map_cancel);
  g_clear_pointer (&sv->port_map, sv_port_map_free);   /* waits for a request in flight */
  g_clear_pointer (&sv->port_map_error, g_free);
}

void
sv_servent_port_map_status (SvServent *sv, SvServentPortMap *out)
{
  memset (out, 0, sizeof *out);
  out->protocol = sv_port_map_proto_name (sv->port_mapping.proto);
  out->external = sv->port_mapping.external;
  out->lease_s = sv->port_mapping.lease_s;
  out->udp = sv->port_mapping.udp;
  out->requests = sv->port_map_requests;
  out->refused = sv->port_map_refused;
  out->error = sv->port_map_error;
}
