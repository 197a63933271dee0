/* servent-rendezvous.c: the servent's two parts in a rendezvous between two firewalled hosts.
 * As a reachable ultrapeer it brokers meetings for its leaves: the broker (rendezvous-broker)
 * answers on the upload port and is told here which link to send SVNT/1 on. As a firewalled leaf
 * it answers SVNT/1 from one of its push proxies: it calls that proxy, opens the connection to
 * the downloader the proxy names by simultaneous open, and serves uploads on it as on any
 * connection that came to its port. */
#include "servent-private.h"

#include <unistd.h>

#include "socket-addr.h"

typedef struct {
  SvServent *sv;
  SvHostAddr broker;
  SvRendezvousCall *call;    /* a rendezvous answered, or … */
  SvRelayCall *relay;        /* … a relay */
} Answer;

static gboolean
notify_leaf (const SvGuid *leaf, const SvGuid *token, gboolean relay, gboolean ipv6,
             gpointer user_data)
{
  SvServent *sv = user_data;
  guint64 *id = g_hash_table_lookup (sv->proxied, leaf);
  SvLink *link = id != NULL ? sv_link_set_lookup (sv->link_set, *id) : NULL;
  g_autoptr (SvVendorMsg) msg = NULL;

  if (link == NULL || !link->established)
    return FALSE;
  msg = sv_vendor_msg_new_rendezvous (token, relay);
  if (ipv6 && !relay)
    msg->version = 2;   /* call over IPv6 (a relay splices whatever the families) */
  sv_servent_route_send_vendor (sv, link, msg, NULL);
  return TRUE;
}

static void
answer_free (gpointer data)
{
  Answer *a = data;

  sv_rendezvous_call_free (a->call);
  sv_relay_call_free (a->relay);
  g_free (a);
}

void
sv_servent_rendezvous_init (SvServent *sv)
{
  guint relays = !sv->cfg.relay ? 0 : sv->cfg.relay_streams != 0 ? sv->cfg.relay_streams
                                                                 : SV_RENDEZVOUS_BROKER_RELAYS;

  guint64 rate = (guint64) (sv->cfg.relay_rate_kib != 0 ? sv->cfg.relay_rate_kib
                                                        : SV_RENDEZVOUS_BROKER_RELAY_KIB) * 1024;

  sv->broker = sv_rendezvous_broker_new (notify_leaf, relays, rate, sv);
  sv->rendezvous_answers = g_ptr_array_new_with_free_func (answer_free);
}

void
sv_servent_rendezvous_clear (SvServent *sv)
{
  g_clear_pointer (&sv->rendezvous_answers, g_ptr_array_unref);
  g_clear_pointer (&sv->rendezvous_http, sv_http_client_free);
  g_clear_pointer (&sv->broker, sv_rendezvous_broker_free);
}

/* The punched or relayed connection becomes an upload connection, as if it had come to our
 * port; @extra: (nullable) bytes of the first request that came with the relay's answer. */
static void
serve_on (SvServent *sv, int fd, const SvHostAddr *peer, GBytes *extra)
{
  gsize extra_len = 0;
  const guint8 *extra_data = extra != NULL ? g_bytes_get_data (extra, &extra_len) : NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = g_socket_new_from_fd (fd, &error);
  g_autoptr (GSocketConnection) conn = NULL;

  if (sock == NULL)
    {
      g_warning ("rendezvous connection unusable: %s", error->message);
      close (fd);
      return;
    }
  conn = g_socket_connection_factory_create_connection (sock);
  sv_uploads_adopt (sv->uploads, conn, peer, extra_data, extra_len);
}

/* The address of the push proxy on @link to call over IPv6 (@ipv6) or IPv4: the one we dialled
 * (a leaf's links are ours) when it is of that family; else, for IPv4, the one its LIME/22 named,
 * and for IPv6 the one its own pong named. Returns: (nullable) NULL when none is known. */
static const SvHostAddr *
proxy_address (const SvServent *sv, const SvLink *link, gboolean ipv6)
{
  const SvHostAddr *a = link->outgoing ? &link->dialed : &link->listen;
  guint family = ipv6 ? SV_HOST_ADDR_IPV6 : SV_HOST_ADDR_IPV4;

  if (a->family == family)
    return a;
  if (ipv6)
    return link->listen6.family == family ? &link->listen6 : NULL;
  for (guint i = 0; i < sv->n_push_proxies; i++)
    if (sv->push_proxy_links[i] == link->id && sv->push_proxies[i].family == family)
      return &sv->push_proxies[i];
  return NULL;
}

/* A call to @broker about to start, kept in the answers (freed when it ends). */
static Answer *
answer_new (SvServent *sv, const SvHostAddr *broker)
{
  Answer *a = g_new0 (Answer, 1);

  if (sv->rendezvous_http == NULL)
    sv->rendezvous_http = sv_http_client_new (sv->user_agent);
  a->sv = sv;
  a->broker = *broker;
  g_ptr_array_add (sv->rendezvous_answers, a);
  return a;
}

/* What the broker saw of our call tells how our NAT maps ports. */
static void
note_mapping (Answer *a)
{
  guint16 port;
  SvHostAddr seen;

  if (sv_rendezvous_call_seen (a->call, &port, &seen))
    sv_local_addr_note_mapping (&a->sv->local, &a->broker, port, &seen);
}

static void
on_probed (int fd, const SvHostAddr *peer, const GError *error, gpointer user_data)
{
  Answer *a = user_data;

  if (fd >= 0)
    close (fd);   /* nobody should have been met: the token was fresh */
  note_mapping (a);
  g_ptr_array_remove (a->sv->rendezvous_answers, a);   /* frees @a */
}

void
sv_servent_rendezvous_probe (SvServent *sv, SvLink *link)
{
  const SvHostAddr *broker = proxy_address (sv, link, FALSE);   /* how our IPv4 NAT maps */
  SvGuid token;
  Answer *a;

  if (broker == NULL || broker->port == 0 || sv->rendezvous_answers->len >= SV_SERVENT_RENDEZVOUS_ANSWERS)
    return;
  sv_guid_new_message (&token, sv->rand, 0);
  a = answer_new (sv, broker);
  a->call = sv_rendezvous_call_start (sv->rendezvous_http, broker, NULL, &token,
                                      sv_local_addr_bound (&sv->local, broker->family), FALSE,
                                      on_probed, a);
}

static void
on_answered (int fd, const SvHostAddr *peer, const GError *error, gpointer user_data)
{
  Answer *a = user_data;
  SvServent *sv = a->sv;
  char text[SV_HOST_ADDR_STRLEN];

  note_mapping (a);
  if (fd >= 0)
    {
      sv->rendezvous_answered++;
      g_info ("rendezvous: connected to %s after %u tries, serving on it",
              sv_host_addr_format (peer, TRUE, text), sv_rendezvous_call_tries (a->call));
      serve_on (sv, fd, peer, NULL);
    }
  else
    {
      sv->rendezvous_failed++;
      g_message ("rendezvous: no connection: %s", error != NULL ? error->message : "?");
    }
  g_ptr_array_remove (sv->rendezvous_answers, a);   /* frees @a */
}

static void
on_relayed (int fd, GBytes *extra, const GError *error, gpointer user_data)
{
  Answer *a = user_data;
  SvServent *sv = a->sv;

  if (fd >= 0)
    {
      char text[SV_HOST_ADDR_STRLEN];

      sv->rendezvous_answered++;
      g_info ("relay: connected through %s, serving on it",
              sv_host_addr_format (&a->broker, TRUE, text));
      serve_on (sv, fd, &a->broker, extra);
    }
  else
    {
      sv->rendezvous_failed++;
      g_message ("relay: no connection: %s", error != NULL ? error->message : "?");
    }
  g_ptr_array_remove (sv->rendezvous_answers, a);   /* frees @a */
}

void
sv_servent_rendezvous_answer (SvServent *sv, SvLink *link, const SvGuid *token, gboolean relay,
                              gboolean ipv6)
{
  /* The proxy over the family the downloader called it on (IPv6 when we listen there too). */
  const SvHostAddr *broker = ipv6 && sv_local_addr_bound (&sv->local, SV_HOST_ADDR_IPV6) == NULL
                             ? NULL : proxy_address (sv, link, ipv6);
  char why[256];
  Answer *a;

  /* Only a push proxy of ours, the host our hits name for reaching us, may send us calling;
   * and only to its own address, never to one a message names. */
  if (!link->push_proxy || broker == NULL || broker->port == 0 || sv->uploads == NULL
      || sv->rendezvous_answers->len >= SV_SERVENT_RENDEZVOUS_ANSWERS)
    {
      sv->rendezvous_refused++;
      return;
    }
  a = answer_new (sv, broker);
  if (relay)
    {
      a->relay = sv_relay_call_start (broker, NULL, token, on_relayed, a);
      return;
    }
  /* A leaf whose NAT is known to change ports says so: the downloader then tries no punch. */
  a->call = sv_rendezvous_call_start (sv->rendezvous_http, broker, NULL, token,
                                      sv_local_addr_bound (&sv->local, broker->family),
                                      sv_local_addr_nat (&sv->local, g_get_monotonic_time (), why,
                                                         sizeof why)
                                      == SV_LOCAL_NAT_PORT_RANDOMISING,
                                      on_answered, a);
}

void
sv_servent_rendezvous_counters (SvServent *sv, SvServentRendezvousCounters *out)
{
  sv_rendezvous_broker_get_counters (sv->broker, &out->broker);
  out->answered = sv->rendezvous_answered;
  out->answer_failed = sv->rendezvous_failed;
  out->answer_refused = sv->rendezvous_refused;
}
