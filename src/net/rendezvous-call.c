/* rendezvous-call.c: the broker's call, then the punch (see rendezvous-call.h). */
#include "rendezvous-call.h"

#include <string.h>
#include <unistd.h>

#include "punch.h"
#include "rendezvous.h"

struct _SvRendezvousCall {
  SvHttpClient *http;
  guint64 request;           /* the broker call in flight (0: none) */
  SvPunch *punch;
  int reservation;           /* our port, listening (-1: none) */
  SvHostAddr local, peer, self;
  gboolean has_peer, has_self;
  gboolean met;              /* the broker named the other side */
  gboolean peer_random_ports; /* … and said its NAT changes ports */
  SvRendezvousCallDone done;
  gpointer user_data;
  GSource *idle;             /* reports a failure to start, from the main loop */
  GError *early;
};

static void
finish (SvRendezvousCall *call, int fd, const GError *error)
{
  call->request = 0;
  call->done (fd, &call->peer, error, call->user_data);
}

static void
on_punched (int fd, const GError *error, gpointer user_data)
{
  finish (user_data, fd, error);
}

static gboolean
on_head (const SvHttpFetchHead *head, gpointer user_data)
{
  SvRendezvousCall *call = user_data;
  const char *peer = head->headers != NULL ? g_hash_table_lookup (head->headers, "x-rendezvous-peer")
                                           : NULL;

  const char *self = head->headers != NULL ? g_hash_table_lookup (head->headers, "x-rendezvous-self")
                                           : NULL;

  call->has_peer = head->status == 200 && peer != NULL
                   && sv_host_addr_parse (peer, strlen (peer), 0, &call->peer) == SV_STATUS_OK
                   && call->peer.port != 0;
  call->peer_random_ports = head->headers != NULL
                            && g_hash_table_lookup (head->headers, "x-rendezvous-peer-ports") != NULL;
  call->has_self = self != NULL
                   && sv_host_addr_parse (self, strlen (self), 0, &call->self) == SV_STATUS_OK;
  return TRUE;
}

static void
on_answered (guint status, const GError *error, gpointer user_data)
{
  SvRendezvousCall *call = user_data;
  g_autoptr (GError) why = NULL;

  call->request = 0;
  if (error == NULL && call->has_peer && call->has_self && call->self.port != call->local.port)
    {
      /* Our NAT gave the call another port than ours: it will give the punch yet another, which
       * the other side was not told. No try can meet; say so at once. */
      call->met = TRUE;
      why = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                         "our NAT changes ports (%u went out as %u): no direct connection",
                         call->local.port, call->self.port);
      finish (call, -1, why);
      return;
    }
  if (error == NULL && call->has_peer && call->peer_random_ports)
    {
      call->met = TRUE;
      why = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                         "the other side's NAT changes ports: no direct connection");
      finish (call, -1, why);
      return;
    }
  if (error == NULL && call->has_peer)
    {
      call->met = TRUE;
      call->punch = sv_punch_start (&call->local, call->reservation, &call->peer, 0, on_punched,
                                    call);
      return;
    }
  if (error == NULL)
    why = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the broker named no peer");
  else if (status == 504)
    why = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "the other side did not come to the rendezvous");
  else if (status != 0)
    why = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "the broker answered %u", status);
  else
    why = g_error_copy (error);
  finish (call, -1, why);
}

static const SvHttpFetchCallbacks broker_callbacks = {
  .head = on_head,
  .done = on_answered,
};

static gboolean
on_early_failure (gpointer user_data)
{
  SvRendezvousCall *call = user_data;

  g_clear_pointer (&call->idle, g_source_unref);
  finish (call, -1, call->early);
  return G_SOURCE_REMOVE;
}

SvRendezvousCall *
sv_rendezvous_call_start (SvHttpClient *http, const SvHostAddr *broker, const SvGuid *leaf,
                          const SvGuid *token, const SvHostAddr *local, gboolean random_ports,
                          SvRendezvousCallDone done, gpointer user_data)
{
  SvRendezvousCall *call = g_new0 (SvRendezvousCall, 1);
  char b[SV_HOST_ADDR_STRLEN];
  g_autofree char *target = NULL;
  g_autofree char *url = NULL;
  SvHttpFetchOptions opt;
  guint16 port = 0;

  call->http = http;
  call->done = done;
  call->user_data = user_data;
  if (local != NULL)
    call->local = *local;
  call->local.family = broker->family;
  call->reservation = sv_punch_reserve (local != NULL && local->family == broker->family ? local : NULL,
                                        broker->family, &port, &call->early);
  if (call->reservation < 0)
    {
      call->idle = g_idle_source_new ();
      g_source_set_callback (call->idle, on_early_failure, call, NULL);
      g_source_attach (call->idle, g_main_context_get_thread_default ());
      return call;
    }
  call->local.port = port;
  target = sv_rendezvous_target (FALSE, leaf, token, random_ports && leaf == NULL);
  url = g_strdup_printf ("http://%s%s", sv_host_addr_format (broker, TRUE, b), target);
  sv_http_fetch_options_init (&opt);
  opt.local = &call->local;
  opt.stall_timeout_us = SV_RENDEZVOUS_CALL_TIMEOUT_US;
  call->request = sv_http_client_fetch (http, url, &opt, &broker_callbacks, call);
  return call;
}

void
sv_rendezvous_call_free (SvRendezvousCall *call)
{
  if (call == NULL)
    return;
  if (call->request != 0)
    sv_http_client_cancel (call->http, call->request);
  sv_punch_free (call->punch);
  if (call->idle != NULL)
    {
      g_source_destroy (call->idle);
      g_source_unref (call->idle);
    }
  g_clear_error (&call->early);
  if (call->reservation >= 0)
    close (call->reservation);
  g_free (call);
}

gboolean
sv_rendezvous_call_seen (const SvRendezvousCall *call, guint16 *local_port, SvHostAddr *seen)
{
  if (!call->has_self)
    return FALSE;
  *local_port = call->local.port;
  *seen = call->self;
  return TRUE;
}

gboolean
sv_rendezvous_call_met (const SvRendezvousCall *call)
{
  return call->met;
}

guint
sv_rendezvous_call_tries (const SvRendezvousCall *call)
{
  return call->punch != NULL ? sv_punch_tries (call->punch) : 0;
}
