/* rendezvous-broker.c: meetings held on upload connections (see rendezvous-broker.h). */
#include "rendezvous-broker.h"

#include "rendezvous.h"

struct _SvRendezvousBroker {
  SvRendezvous *meetings;     /* handles are SvUploadConn* held (not owned) */
  SvRendezvousNotify notify;
  gpointer user_data;
  guint timer;                /* wakes for the next expiry (0: none) */
  SvRendezvousBrokerCounters counters;
};

SvRendezvousBroker *
sv_rendezvous_broker_new (SvRendezvousNotify notify, gpointer user_data)
{
  SvRendezvousBroker *b = g_new0 (SvRendezvousBroker, 1);

  b->meetings = sv_rendezvous_new ();
  b->notify = notify;
  b->user_data = user_data;
  return b;
}

void
sv_rendezvous_broker_free (SvRendezvousBroker *b)
{
  if (b == NULL)
    return;
  if (b->timer != 0)
    g_source_remove (b->timer);
  sv_rendezvous_free (b->meetings);
  g_free (b);
}

/* A closing answer with no body; with @peer, the X-Rendezvous-Peer header. */
static void
answer_with (SvUploadReply *reply, guint code, const SvHostAddr *peer)
{
  char text[SV_HOST_ADDR_STRLEN];

  reply->code = code;
  reply->close = TRUE;
  reply->defer = FALSE;
  if (peer == NULL)
    return;
  if (reply->headers == NULL)
    reply->headers = g_string_new (NULL);
  g_string_append_printf (reply->headers, "X-Rendezvous-Peer: %s\r\n",
                          sv_host_addr_format (peer, TRUE, text));
}

static void
answer_held (SvUploadConn *conn, guint code, const SvHostAddr *peer)
{
  SvUploadReply reply;

  sv_upload_reply_init (&reply);
  answer_with (&reply, code, peer);
  sv_upload_conn_answer (conn, &reply);
  sv_upload_reply_clear (&reply);
}

static void arm_timer (SvRendezvousBroker *b);

static gboolean
on_timer (gpointer user_data)
{
  SvRendezvousBroker *b = user_data;
  SvUploadConn *conn;

  b->timer = 0;
  while ((conn = sv_rendezvous_pop_expired (b->meetings, g_get_monotonic_time ())) != NULL)
    {
      b->counters.expired++;
      answer_held (conn, 504, NULL);
    }
  arm_timer (b);
  return G_SOURCE_REMOVE;
}

static void
arm_timer (SvRendezvousBroker *b)
{
  gint64 next = sv_rendezvous_next_deadline (b->meetings);

  if (b->timer != 0)
    g_source_remove (b->timer);
  b->timer = 0;
  if (next != 0)
    b->timer = g_timeout_add ((guint) MAX (0, (next - g_get_monotonic_time ()) / 1000) + 1,
                              on_timer, b);
}

void
sv_rendezvous_broker_request (SvRendezvousBroker *b, SvUploadConn *conn,
                              const SvGnetHttpRequest *req, SvUploadReply *reply)
{
  const SvHostAddr *seen = sv_upload_conn_remote (conn);
  gint64 now = g_get_monotonic_time ();
  SvRendezvousVerdict v;

  if (!req->push_has_guid)
    {
      /* The leaf's call: both sides learn where the other's call came from. */
      SvHostAddr requester;
      SvUploadConn *waiting = sv_rendezvous_take (b->meetings, &req->rendezvous_token, now,
                                                  &requester);

      if (waiting == NULL)
        {
          b->counters.refused++;
          answer_with (reply, 404, NULL);
          return;
        }
      b->counters.met++;
      answer_held (waiting, 200, seen);
      answer_with (reply, 200, &requester);
      arm_timer (b);
      return;
    }
  v = sv_rendezvous_open (b->meetings, &req->rendezvous_token, seen, conn, now);
  if (v != SV_RENDEZVOUS_OPENED)
    {
      g_info ("rendezvous refused: %s", sv_rendezvous_verdict_name (v));
      b->counters.refused++;
      answer_with (reply, 503, NULL);
      return;
    }
  if (!b->notify (&req->push_guid, &req->rendezvous_token, b->user_data))
    {
      sv_rendezvous_cancel (b->meetings, conn);
      b->counters.refused++;
      answer_with (reply, 404, NULL);
      return;
    }
  b->counters.opened++;
  reply->defer = TRUE;
  arm_timer (b);
}

void
sv_rendezvous_broker_forget (SvRendezvousBroker *b, SvUploadConn *conn)
{
  if (b != NULL)
    sv_rendezvous_cancel (b->meetings, conn);
}

void
sv_rendezvous_broker_get_counters (const SvRendezvousBroker *b, SvRendezvousBrokerCounters *out)
{
  *out = b->counters;
}
