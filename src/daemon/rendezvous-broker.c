/* rendezvous-broker.c: meetings held on upload connections (see rendezvous-broker.h). */
#include "rendezvous-broker.h"

#include <unistd.h>

#include "fd-relay.h"
#include "rendezvous.h"
#include "token-bucket.h"

/* Two relay calls that met: answered, waiting for both sockets, then spliced. */
typedef struct {
  SvRendezvousBroker *broker;
  SvUploadConn *conn[2];      /* until detached (not owned) */
  int fd[2];
  SvFdRelay *relay;
  guint64 last_total;         /* bytes moved at the last idle check */
  gint64 last_change_us;
} Relay;

struct _SvRendezvousBroker {
  SvRendezvous *meetings;     /* handles are SvUploadConn* held (not owned) */
  SvRendezvous *relay_meetings;
  GPtrArray *relays;          /* (element-type Relay) (owned) met, then splicing */
  guint max_relays;
  SvTokenBucket relay_rate;   /* bytes per second, all relays (0: no limit) */
  guint idle_timer;
  SvRendezvousNotify notify;
  gpointer user_data;
  guint timer;                /* wakes for the next expiry (0: none) */
  SvRendezvousBrokerCounters counters;
};

static void
relay_free (gpointer data)
{
  Relay *r = data;
  guint64 ab = 0, ba = 0;

  if (r->relay != NULL)
    {
      sv_fd_relay_counts (r->relay, &ab, &ba);
      r->broker->counters.relay_bytes += ab + ba;
      sv_fd_relay_free (r->relay);
    }
  for (guint i = 0; i < 2; i++)
    if (r->fd[i] >= 0)
      close (r->fd[i]);
  g_free (r);
}

/* Closes relays that moved nothing for SV_RENDEZVOUS_BROKER_RELAY_IDLE_US: two hosts must not
 * hold a place by keeping a relay open and silent. */
static gboolean
on_idle_check (gpointer user_data)
{
  SvRendezvousBroker *b = user_data;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < b->relays->len;)
    {
      Relay *r = g_ptr_array_index (b->relays, i);
      guint64 ab = 0, ba = 0;

      if (r->relay != NULL)
        sv_fd_relay_counts (r->relay, &ab, &ba);
      if (ab + ba != r->last_total || r->last_change_us == 0)
        {
          r->last_total = ab + ba;
          r->last_change_us = now;
        }
      else if (now - r->last_change_us >= SV_RENDEZVOUS_BROKER_RELAY_IDLE_US)
        {
          b->counters.relays_idle++;
          g_ptr_array_remove_index_fast (b->relays, i);
          continue;
        }
      i++;
    }
  return G_SOURCE_CONTINUE;
}

/* The relays' shared token bucket: what is read is spent at once. */
static gsize
relay_budget (gsize want, gpointer user_data)
{
  SvRendezvousBroker *b = user_data;
  guint64 n = sv_token_bucket_available (&b->relay_rate, want, g_get_monotonic_time ());

  sv_token_bucket_spend (&b->relay_rate, n);
  return (gsize) n;
}

SvRendezvousBroker *
sv_rendezvous_broker_new (SvRendezvousNotify notify, guint max_relays, guint64 relay_rate,
                          gpointer user_data)
{
  SvRendezvousBroker *b = g_new0 (SvRendezvousBroker, 1);

  sv_token_bucket_init (&b->relay_rate, relay_rate, 0, g_get_monotonic_time ());
  b->idle_timer = g_timeout_add_seconds (10, on_idle_check, b);

  b->meetings = sv_rendezvous_new ();
  b->relay_meetings = sv_rendezvous_new ();
  b->relays = g_ptr_array_new_with_free_func (relay_free);
  b->max_relays = max_relays;
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
  g_source_remove (b->idle_timer);
  g_ptr_array_unref (b->relays);
  sv_rendezvous_free (b->meetings);
  sv_rendezvous_free (b->relay_meetings);
  g_free (b);
}

/* A closing answer with no body; with @peer, the X-Rendezvous-Peer header (and, with @self,
 * X-Rendezvous-Self: where the caller's own call came from). */
static void
answer_with_self (SvUploadReply *reply, guint code, const SvHostAddr *peer, const SvHostAddr *self)
{
  char text[SV_HOST_ADDR_STRLEN];

  reply->code = code;
  reply->close = TRUE;
  reply->defer = FALSE;
  if (peer == NULL && self == NULL)
    return;
  if (reply->headers == NULL)
    reply->headers = g_string_new (NULL);
  if (peer != NULL)
    g_string_append_printf (reply->headers, "X-Rendezvous-Peer: %s\r\n",
                            sv_host_addr_format (peer, TRUE, text));
  if (self != NULL)
    g_string_append_printf (reply->headers, "X-Rendezvous-Self: %s\r\n",
                            sv_host_addr_format (self, TRUE, text));
}

static void
answer_with (SvUploadReply *reply, guint code, const SvHostAddr *peer)
{
  answer_with_self (reply, code, peer, NULL);
}

/* Answers the held call on @conn; @peer_random_ports: the other side said its NAT changes
 * ports (X-Rendezvous-Peer-Ports: random), so that no punch is tried. */
static void
answer_held (SvUploadConn *conn, guint code, const SvHostAddr *peer, gboolean detach,
             gboolean peer_random_ports)
{
  SvUploadReply reply;

  sv_upload_reply_init (&reply);
  answer_with_self (&reply, code, peer, peer != NULL ? sv_upload_conn_remote (conn) : NULL);
  if (peer_random_ports)
    g_string_append (reply.headers, "X-Rendezvous-Peer-Ports: random\r\n");
  reply.detach = detach;
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
  while ((conn = sv_rendezvous_pop_expired (b->meetings, g_get_monotonic_time ())) != NULL
         || (conn = sv_rendezvous_pop_expired (b->relay_meetings, g_get_monotonic_time ())) != NULL)
    {
      b->counters.expired++;
      answer_held (conn, 504, NULL, FALSE, FALSE);
    }
  arm_timer (b);
  return G_SOURCE_REMOVE;
}

static void
arm_timer (SvRendezvousBroker *b)
{
  gint64 next = sv_rendezvous_next_deadline (b->meetings);
  gint64 relay_next = sv_rendezvous_next_deadline (b->relay_meetings);

  if (relay_next != 0 && (next == 0 || relay_next < next))
    next = relay_next;
  if (b->timer != 0)
    g_source_remove (b->timer);
  b->timer = 0;
  if (next != 0)
    b->timer = g_timeout_add ((guint) MAX (0, (next - g_get_monotonic_time ()) / 1000) + 1,
                              on_timer, b);
}

/* Both calls of a relay came: answer both, splice once both sockets are handed over. */
static void
relay_met (SvRendezvousBroker *b, SvUploadConn *waiting, SvUploadConn *conn, SvUploadReply *reply)
{
  Relay *r;

  if (b->relays->len >= b->max_relays)
    {
      b->counters.relays_refused++;
      answer_held (waiting, 503, NULL, FALSE, FALSE);
      answer_with (reply, 503, NULL);
      return;
    }
  r = g_new0 (Relay, 1);
  r->broker = b;
  r->conn[0] = waiting;
  r->conn[1] = conn;
  r->fd[0] = r->fd[1] = -1;
  g_ptr_array_add (b->relays, r);
  answer_held (waiting, 200, NULL, TRUE, FALSE);
  answer_with (reply, 200, NULL);
  reply->detach = TRUE;
}

void
sv_rendezvous_broker_request (SvRendezvousBroker *b, SvUploadConn *conn,
                              const SvGnetHttpRequest *req, SvUploadReply *reply)
{
  const SvHostAddr *seen = sv_upload_conn_remote (conn);
  gboolean relay = req->target == SV_GNET_HTTP_TARGET_RELAY;
  SvRendezvous *meetings = relay ? b->relay_meetings : b->meetings;
  gint64 now = g_get_monotonic_time ();
  SvRendezvousVerdict v;

  if (relay && b->max_relays == 0)
    {
      b->counters.relays_refused++;
      answer_with (reply, 503, NULL);
      return;
    }
  if (!req->push_has_guid)
    {
      /* The leaf's call: both sides learn where the other's call came from, or are spliced. */
      SvHostAddr requester;
      SvUploadConn *waiting = sv_rendezvous_take (meetings, &req->rendezvous_token, now, &requester);

      if (waiting == NULL)
        {
          /* Nobody waits with that token. The answer still says where the call came from: a
           * firewalled servent learns so how its NAT maps ports. */
          b->counters.refused++;
          answer_with_self (reply, 404, NULL, seen);
          return;
        }
      b->counters.met++;
      if (relay)
        relay_met (b, waiting, conn, reply);
      else
        {
          answer_held (waiting, 200, seen, FALSE, req->rendezvous_random_ports);
          answer_with_self (reply, 200, &requester, seen);
        }
      arm_timer (b);
      return;
    }
  v = sv_rendezvous_open (meetings, &req->rendezvous_token, seen, conn, now);
  if (v != SV_RENDEZVOUS_OPENED)
    {
      g_info ("rendezvous refused: %s", sv_rendezvous_verdict_name (v));
      b->counters.refused++;
      answer_with (reply, 503, NULL);
      return;
    }
  if (!b->notify (&req->push_guid, &req->rendezvous_token, relay,
                  seen->family == SV_HOST_ADDR_IPV6, b->user_data))
    {
      sv_rendezvous_cancel (meetings, conn);
      b->counters.refused++;
      answer_with (reply, 404, NULL);
      return;
    }
  b->counters.opened++;
  reply->defer = TRUE;
  arm_timer (b);
}

static void
on_relay_done (SvFdRelay *relay, gpointer user_data)
{
  Relay *r = user_data;

  g_ptr_array_remove (r->broker->relays, r);   /* frees @r and the relay */
}

static Relay *
relay_of (SvRendezvousBroker *b, SvUploadConn *conn, guint *side)
{
  for (guint i = 0; i < b->relays->len; i++)
    {
      Relay *r = g_ptr_array_index (b->relays, i);

      for (guint k = 0; k < 2; k++)
        if (r->conn[k] == conn)
          {
            *side = k;
            return r;
          }
    }
  return NULL;
}

void
sv_rendezvous_broker_detached (SvRendezvousBroker *b, SvUploadConn *conn, int fd)
{
  guint side;
  Relay *r = relay_of (b, conn, &side);

  if (r == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  r->conn[side] = NULL;
  r->fd[side] = fd;
  if (fd < 0)
    {
      g_ptr_array_remove (b->relays, r);
      return;
    }
  if (r->fd[1 - side] < 0)
    return;
  b->counters.relays++;
  r->relay = sv_fd_relay_new (r->fd[0], r->fd[1], on_relay_done, r);
  sv_fd_relay_set_budget (r->relay, relay_budget, b);
  r->fd[0] = r->fd[1] = -1;
}

void
sv_rendezvous_broker_forget (SvRendezvousBroker *b, SvUploadConn *conn)
{
  guint side;
  Relay *r;

  if (b == NULL)
    return;
  sv_rendezvous_cancel (b->meetings, conn);
  sv_rendezvous_cancel (b->relay_meetings, conn);
  /* A relay one side of which went away before handing its socket over is off. */
  if ((r = relay_of (b, conn, &side)) != NULL)
    g_ptr_array_remove (b->relays, r);
}

void
sv_rendezvous_broker_get_counters (const SvRendezvousBroker *b, SvRendezvousBrokerCounters *out)
{
  *out = b->counters;
  out->relays_active = b->relays->len;
}
