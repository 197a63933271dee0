/* servent-route.c: what the servent does with each message a peer sends: the router's verdict
 * carried out (drop and count, Bye for a KICK, forward to the targets in the right send class,
 * handle locally), pings answered from the pong cache and with our own pong, pongs feeding the
 * pong cache and the host cache, queries answered from the share library, hits routed back or
 * collected for our searches, pushes relayed; UDP pongs (host caches) and pings. */
#include "config.h"

#include "servent-private.h"

#include <string.h>

#include "msg-bye.h"
#include "msg-ping.h"
#include "msg-push.h"
#include "msg-vendor.h"
#include "msg-query.h"
#include "msg-queryhit.h"
#include "share-hits.h"

/* --- Pings and pongs --- */

/* Returns: (transfer full) our own pong: address, shared files, UP slots, vendor. */
/* An IPv6 address we listen on, on @port (the one our pongs and hits name), that peers may use;
 * NULL when none. */
static const SvHostAddr *
own_ipv6 (SvServent *sv, guint16 port)
{
  const SvHostAddr *v6 = sv_local_addr_bound (&sv->local, SV_HOST_ADDR_IPV6);

  return v6 != NULL && v6->port == port && sv_host_addr_is_connectable (v6, sv->cfg.lan) ? v6 : NULL;
}

static SvPong *
own_pong (SvServent *sv)
{
  SvHostAddr me;
  SvPong *pong;
  guint8 ip[4] = { 0 };

  sv_local_addr_announced (&sv->local, &me);
  if (me.family == SV_HOST_ADDR_IPV4)
    memcpy (ip, me.ip, 4);
  pong = sv_pong_new_own (ip, me.port, (guint32) MIN (sv->pong_files, G_MAXUINT32),
                          (guint32) MIN (sv->pong_bytes / 1024, G_MAXUINT32),
                          sv->role == SV_CONN_ROLE_ULTRAPEER);
  if (sv->role == SV_CONN_ROLE_ULTRAPEER)
    {
      SvConnCounts counts;
      SvConnTargets t;

      sv_link_set_counts (sv->link_set, &counts);
      sv_conn_policy_targets (sv->policy, sv->role, &t);
      sv_pong_add_up (pong, 0,
                      (guint8) MIN (t.max_leaves > counts.leaves ? t.max_leaves - counts.leaves : 0,
                                    255),
                      (guint8) MIN (t.max_ultrapeers > counts.ultrapeers
                                    ? t.max_ultrapeers - counts.ultrapeers : 0, 255));
    }
  sv_pong_add_vc (pong, SV_QHIT_VENDOR_CODE, 1);
  {
    const SvHostAddr *v6 = own_ipv6 (sv, me.port);

    if (v6 != NULL)
      sv_pong_add_ipv6 (pong, v6->ip);
  }
  return pong;
}

static GBytes *
own_pong_payload (SvServent *sv)
{
  g_autoptr (SvPong) pong = own_pong (sv);
  g_autoptr (GByteArray) out = g_byte_array_new ();

  sv_pong_encode (pong, out);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* --- Link set listener --- */

void
sv_servent_route_send_vendor (SvServent *sv, SvLink *link, const SvVendorMsg *msg,
                              const SvGuid *guid)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SvMsgHeader h = { 0 };

  sv_vendor_msg_encode (msg, out);
  if (guid != NULL)
    h.guid = *guid;
  else
    sv_guid_new_message (&h.guid, sv->rand, 0);
  h.type = SV_MSG_VENDOR;
  h.ttl = 1;
  sv_link_set_send (sv->link_set, link, &h, out->data, out->len, SV_SEND_CONTROL);
}

void
sv_servent_route_ask_connect_back (SvServent *sv, SvLink *link)
{
  SvHostAddr announced;

  if (!link->outgoing || !sv_local_addr_firewalled (&sv->local) || sv->local.port == 0
      || sv->local.connect_backs >= SV_SERVENT_CONNECT_BACKS)
    return;
  /* The port peers should try: the one our NAT forwards when it forwards one. */
  sv_local_addr_announced (&sv->local, &announced);
  {
    g_autoptr (SvVendorMsg) cb = sv_vendor_msg_new_tcp_connect_back (announced.port != 0
                                                                     ? announced.port
                                                                     : sv->local.port);

    sv_servent_route_send_vendor (sv, link, cb, NULL);
  }
  sv->local.connect_backs++;
  if (sv->local.connect_back_us == 0)
    sv->local.connect_back_us = g_get_monotonic_time ();
}

static void
on_link_up (SvLink *link, gpointer user_data)
{
  SvServent *sv = user_data;

  /* Learn the neighbourhood (the peer answers from its pong cache). */
  sv_servent_route_send_ping (sv, link, SV_SERVENT_DISCOVERY_TTL);
  /* A leaf asks each of its ultrapeers to be its push proxy (LIME/21, our servent GUID as the
   * message GUID). */
  if (sv->role == SV_CONN_ROLE_LEAF && link->ultrapeer)
    {
      g_autoptr (SvVendorMsg) req = sv_vendor_msg_new_push_proxy_req (2);

      sv_servent_route_send_vendor (sv, link, req, &sv->guid);
    }
  sv_servent_route_ask_connect_back (sv, link);
  /* Whether unsolicited datagrams reach us: ask for a UDP ping carrying a GUID of ours (GTKG/7
   * v2: the message GUID is the one to ping back with). */
  if (link->outgoing && !sv->local.udp_reachable && sv->local.port != 0
      && sv->local.udp_connect_backs < SV_SERVENT_CONNECT_BACKS)
    {
      g_autoptr (SvVendorMsg) cb = sv_vendor_msg_new_udp_connect_back (sv->local.port, NULL);

      if (sv->local.udp_connect_backs == 0)
        sv_guid_new_message (&sv->local.udp_guid, sv->rand, 0);
      sv_servent_route_send_vendor (sv, link, cb, &sv->local.udp_guid);
      sv->local.udp_connect_backs++;
    }
}

/* Answers a GTKG/7 request: a TTL-1 ping with the GUID asked for, to the link's address at the
 * port asked for, within the connect-back caps. */
static void
udp_connect_back (SvServent *sv, SvLink *link, const SvMsgHeader *hdr, const SvVendorMsg *msg,
                  gint64 now)
{
  SvHostAddr target = link->remote;
  SvMsgHeader h = { 0 };
  guint8 ping[SV_MSG_HEADER_SIZE];

  target.port = msg->port;
  if (sv->listener == NULL || !sv_host_addr_is_connectable (&target, sv->cfg.lan)
      || !sv_connect_back_udp (sv->connect_back, &target, now))
    return;
  h.guid = msg->version == 1 ? msg->guid : hdr->guid;
  h.type = SV_MSG_PING;
  h.ttl = 1;
  sv_msg_header_encode (&h, ping);
  sv_listener_send_datagram (sv->listener, &target, ping, sizeof ping);
}

/* Sends a PUSH we originate on @link: @servent is to connect to @to for @index. */
static void
send_push (SvServent *sv, SvLink *link, const SvGuid *servent, guint32 index, const SvHostAddr *to,
           guint8 ttl, gint64 now)
{
  g_autoptr (SvPush) push = sv_push_new (servent, index, to->ip, to->port);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SvMsgHeader h = { 0 };

  sv_push_encode (push, out);
  sv_guid_new_message (&h.guid, sv->rand, 0);
  h.type = SV_MSG_PUSH;
  h.ttl = ttl;
  sv_router_originate (sv->router, &h.guid, SV_MSG_PUSH, now);
  sv_link_set_send (sv->link_set, link, &h, out->data, out->len, SV_SEND_ROUTED);
}

gboolean
sv_servent_route_send_push (SvServent *sv, const SvGuid *servent, guint32 index)
{
  guint64 conn;
  SvLink *link;
  SvHostAddr me;
  char a[SV_HOST_ADDR_STRLEN], b[SV_HOST_ADDR_STRLEN];
  gint64 now = g_get_monotonic_time ();

  sv_local_addr_announced (&sv->local, &me);
  if (me.family != SV_HOST_ADDR_IPV4 || me.port == 0)
    return FALSE;
  if (!sv_push_route_lookup (sv_router_push_route (sv->router), servent, now, &conn)
      || (link = sv_link_set_lookup (sv->link_set, conn)) == NULL || !link->established)
    {
      g_message ("PUSH not sent: no route to the servent that sent the hit");
      return FALSE;
    }
  send_push (sv, link, servent, index, &me, SV_SERVENT_PUSH_TTL, now);
  g_info ("PUSH sent towards %s, call back to %s", sv_host_addr_format (&link->remote, TRUE, a),
          sv_host_addr_format (&me, TRUE, b));
  return TRUE;
}

static void
note_unsolicited_push (SvServent *sv, SvLink *link)
{
  char a[SV_HOST_ADDR_STRLEN];

  g_debug ("PUSH from %s refused: no hit of ours went that way",
           sv_host_addr_format (&link->remote, TRUE, a));
}

/* A vendor message from @link. */
/* LIME/21 from a leaf: remember it by the GUID it sent, and say where we can be reached. */
static void
push_proxy_request (SvServent *sv, SvLink *link, const SvMsgHeader *hdr)
{
  g_autoptr (SvVendorMsg) ack = NULL;
  SvHostAddr me;

  if (sv->role != SV_CONN_ROLE_ULTRAPEER || link->ultrapeer || sv_local_addr_firewalled (&sv->local))
    return;
  sv_local_addr_announced (&sv->local, &me);
  if (me.family != SV_HOST_ADDR_IPV4 || me.port == 0)
    return;
  if (g_hash_table_size (sv->proxied) >= SV_SERVENT_MAX_PROXIED)
    return;
  g_hash_table_insert (sv->proxied, g_memdup2 (&hdr->guid, sizeof hdr->guid),
                       g_memdup2 (&link->id, sizeof link->id));
  ack = sv_vendor_msg_new_push_proxy_ack (me.ip, me.port);
  sv_servent_route_send_vendor (sv, link, ack, &hdr->guid);
}

/* LIME/22 from an ultrapeer: it is one of our push proxies now. */
static void
push_proxy_ack (SvServent *sv, SvLink *link, const SvVendorMsg *msg)
{
  SvHostAddr proxy = link->remote;

  if (!link->ultrapeer || sv->n_push_proxies >= SV_SERVENT_MAX_PUSH_PROXIES)
    return;
  if (msg->version >= 2)
    sv_host_addr_set_ipv4 (&proxy, msg->ip, msg->port);
  else
    proxy.port = msg->port;
  for (guint i = 0; i < sv->n_push_proxies; i++)
    if (sv->push_proxy_links[i] == link->id)
      return;
  sv->push_proxies[sv->n_push_proxies] = proxy;
  sv->push_proxy_links[sv->n_push_proxies] = link->id;
  sv->n_push_proxies++;
  link->push_proxy = TRUE;
  sv_servent_rendezvous_probe (sv, link);
}

gboolean
sv_servent_route_proxy_push (SvServent *sv, const SvGuid *guid, guint32 index, const SvHostAddr *to)
{
  guint64 *id = g_hash_table_lookup (sv->proxied, guid);
  SvLink *link = id != NULL ? sv_link_set_lookup (sv->link_set, *id) : NULL;

  if (link == NULL || !link->established || to->family != SV_HOST_ADDR_IPV4 || to->port == 0)
    return FALSE;
  send_push (sv, link, guid, index, to, 1, g_get_monotonic_time ());
  return TRUE;
}

static void
vendor_message (SvServent *sv, SvLink *link, const SvMsgHeader *hdr, const guint8 *payload,
                gsize len, gint64 now)
{
  g_autoptr (SvVendorMsg) msg = NULL;
  SvHostAddr target;

  if (sv_vendor_msg_decode (payload, len, &msg) != SV_STATUS_OK)
    return;
  if (msg->kind == SV_VENDOR_PUSH_PROXY_REQ)
    push_proxy_request (sv, link, hdr);
  else if (msg->kind == SV_VENDOR_PUSH_PROXY_ACK)
    push_proxy_ack (sv, link, msg);
  else if (msg->kind == SV_VENDOR_TCP_CONNECT_BACK)
    {
      target = link->remote;
      target.port = msg->port;
      if (sv_host_addr_is_connectable (&target, sv->cfg.lan))
        sv_connect_back_dial (sv->connect_back, &target, now);
    }
  else if (msg->kind == SV_VENDOR_UDP_CONNECT_BACK)
    udp_connect_back (sv, link, hdr, msg, now);
  else if (msg->kind == SV_VENDOR_RENDEZVOUS || msg->kind == SV_VENDOR_RELAY)
    sv_servent_rendezvous_answer (sv, link, &msg->guid, msg->kind == SV_VENDOR_RELAY,
                                  msg->kind == SV_VENDOR_RENDEZVOUS && msg->version == 2);
}

static void
on_link_closed (SvLink *link, gpointer user_data)
{
  SvServent *sv = user_data;
  GHashTableIter it;
  gpointer value;

  sv_router_forget_connection (sv->router, link->id);
  g_hash_table_iter_init (&it, sv->proxied);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (*(guint64 *) value == link->id)
      g_hash_table_iter_remove (&it);
  for (guint i = 0; i < sv->n_push_proxies;)
    {
      if (sv->push_proxy_links[i] == link->id)
        {
          sv->n_push_proxies--;
          sv->push_proxies[i] = sv->push_proxies[sv->n_push_proxies];
          sv->push_proxy_links[i] = sv->push_proxy_links[sv->n_push_proxies];
        }
      else
        i++;
    }
}

void
sv_servent_route_init (SvServent *sv)
{
  static const SvLinkListener listener = { on_link_up, on_link_closed };

  sv_link_set_listen (sv->link_set, &listener, sv);
}

static void
send_ping_header (SvServent *sv, SvLink *link, guint8 ttl, SvGuid *muid_out)
{
  SvMsgHeader h = { 0 };

  sv_guid_new_message (&h.guid, sv->rand, SV_GUID_FLAG_PONG_CACHING);
  h.type = SV_MSG_PING;
  h.ttl = ttl;
  h.hops = 0;
  sv_link_set_send (sv->link_set, link, &h, NULL, 0, SV_SEND_CONTROL);
  *muid_out = h.guid;
}

void
sv_servent_route_send_ping (SvServent *sv, SvLink *link, guint8 ttl)
{
  SvGuid muid;

  send_ping_header (sv, link, ttl, &muid);
  sv_router_originate (sv->router, &muid, SV_MSG_PING, g_get_monotonic_time ());
}

void
sv_servent_route_send_keepalive (SvServent *sv, SvLink *link, gint64 now_us)
{
  /* Its pong is recognised by link->ping_muid (SvRouterInput.answers_keepalive): a route
   * table entry would outlive the link's need for it by an hour. */
  send_ping_header (sv, link, 1, &link->ping_muid);
  link->ping_sent_us = now_us;
}

static void
answer_ping (SvServent *sv, SvLink *link, const SvMsgHeader *hdr, gint64 now)
{
  SvPongCacheHit hits[SV_PONG_CACHE_MAX_PONGS];
  g_autoptr (GBytes) own = own_pong_payload (sv);
  SvMsgHeader h = { 0 };
  guint n;

  h.guid = hdr->guid;
  h.type = SV_MSG_PONG;
  h.ttl = (guint8) MIN (hdr->hops + 1, SV_MSG_MAX_TTL);
  h.hops = 0;
  sv_link_set_send (sv->link_set, link, &h, g_bytes_get_data (own, NULL), g_bytes_get_size (own),
                        SV_SEND_ROUTED);
  if (hdr->ttl <= 1)
    return;   /* a keep-alive or neighbour probe: our own pong is the answer */
  n = sv_pong_cache_answer (sv->pongs, hdr->ttl, link->id, now, hits, G_N_ELEMENTS (hits) - 1);
  for (guint i = 0; i < n; i++)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (hits[i].payload, &len);

      h.hops = (guint8) MIN (hits[i].hops + 1, SV_MSG_HARD_TTL_LIMIT);
      sv_link_set_send (sv->link_set, link, &h, p, len, SV_SEND_PONG);
    }
}

static void
learn_pong (SvServent *sv, const SvPong *pong, const SvMsgHeader *hdr, SvHostSource source,
            gint64 now)
{
  SvHostAddr a;

  sv_host_addr_set_ipv4 (&a, pong->ip, pong->port);
  if (a.port != 0)
    sv_host_cache_add (sv->hosts, &a, source, sv_pong_is_ultrapeer_marked (pong->kbytes), now);
  for (guint i = 0; i < pong->n_ipp; i++)
    {
      sv_host_addr_set_ipv4 (&a, pong->ipp[i].ip, pong->ipp[i].port);
      sv_host_cache_add (sv->hosts, &a, source, TRUE, now);
    }
  for (guint i = 0; i < pong->n_ipp6; i++)
    {
      sv_host_addr_set_ipv6 (&a, pong->ipp6[i].ip, pong->ipp6[i].port);
      sv_host_cache_add (sv->hosts, &a, source, TRUE, now);
    }
  /* The host's own IPv6 address (GGEP "6"), on the port the pong names. */
  if (pong->has_ipv6 && pong->port != 0)
    {
      sv_host_addr_set_ipv6 (&a, pong->ipv6, pong->port);
      if (sv_host_addr_is_connectable (&a, sv->cfg.lan))
        sv_host_cache_add (sv->hosts, &a, source, sv_pong_is_ultrapeer_marked (pong->kbytes), now);
    }
}

/* --- Queries --- */

/* TRUE when our QRP table admits @qq: every file the index would match is admitted by the
 * table built from it (share-qrp.h), so a query it refuses needs no index lookup at all. The
 * copy is refreshed whenever a slot turned on or off. */
static gboolean
our_table_admits (SvServent *sv, const SvQrpQuery *qq)
{
  guint64 gen;

  if (sv_qrp_query_word_count (qq) == 0 && sv_qrp_query_urn_count (qq) == 0)
    return TRUE;   /* nothing hashed: let the index decide */
  gen = sv_share_qrp_generation (sv->share_qrp);

  if (sv->answer_table == NULL || gen != sv->answer_table_generation)
    {
      g_clear_pointer (&sv->answer_table, sv_qrp_table_free);
      sv->answer_table = sv_share_qrp_copy (sv->share_qrp, &sv->answer_table_generation);
    }
  return sv_qrp_table_matches (sv->answer_table, qq);
}

/* Answers @q (@view: what it asks for) from our library on @link. */
static void
answer_query (SvServent *sv, SvLink *link, const SvMsgHeader *hdr, const SvQuery *q,
              const SvQueryView *view)
{
  g_autoptr (GArray) results = NULL;
  g_autoptr (GPtrArray) payloads = NULL;
  SvQueryHitOwn own = { 0 };
  SvMsgHeader h = { 0 };

  if (view->n_sha1 > 0)
    {
      results = sv_share_results_new ();
      for (guint i = 0; i < view->n_sha1 && results->len < SV_SERVENT_MAX_ANSWERS; i++)
        {
          g_autoptr (GArray) r = sv_share_library_query_sha1 (sv->library, &view->sha1s[i],
                                                              SV_SERVENT_MAX_ANSWERS);
          for (guint j = 0; j < r->len; j++)
            {
              SvShareResult *src = &g_array_index (r, SvShareResult, j);
              SvShareResult copy = *src;

              copy.name = g_steal_pointer (&src->name);
              g_array_append_val (results, copy);
            }
        }
    }
  else if (view->whats_new)
    results = sv_share_library_newest (sv->library, SV_MSG_MAX_RESULTS_PER_HIT);
  else if (our_table_admits (sv, view->qrp))
    results = sv_share_library_query_words (sv->library, (char *const *) view->words,
                                            SV_SERVENT_MAX_ANSWERS);
  if (results == NULL || results->len == 0)
    return;

  sv_servent_route_hit_own (sv, &own);
  own.urn_style = (q->flags & SV_QUERY_F_MARK) && (q->flags & SV_QUERY_F_GGEP_H)
                  ? SV_QUERYHIT_URN_GGEP_H : SV_QUERYHIT_URN_HUGE;
  payloads = sv_share_hits_build (&own, (const SvShareResult *) (void *) results->data,
                                  results->len);
  h.guid = hdr->guid;
  h.type = SV_MSG_QUERYHIT;
  h.ttl = (guint8) MIN (hdr->hops + 2, SV_MSG_HARD_TTL_LIMIT);
  h.hops = 0;
  for (guint i = 0; i < payloads->len; i++)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (payloads->pdata[i], &len);

      sv_link_set_send (sv->link_set, link, &h, p, len, SV_SEND_ROUTED);
      sv->counters.hits_sent++;
      link->hit_sent_us = g_get_monotonic_time ();
    }
  g_debug ("query \"%s\": %u file(s) in %u hit(s)", q->criteria, results->len, payloads->len);
}

void
sv_servent_route_hit_own (SvServent *sv, SvQueryHitOwn *own)
{
  SvHostAddr me;

  memset (own, 0, sizeof *own);
  sv_local_addr_announced (&sv->local, &me);
  own->port = me.port;
  if (me.family == SV_HOST_ADDR_IPV4)
    memcpy (own->ip, me.ip, 4);
  own->speed = SV_SERVENT_HIT_SPEED;
  own->firewalled = sv_local_addr_firewalled (&sv->local);
  own->browse_host = TRUE;
  {
    const SvHostAddr *v6 = own_ipv6 (sv, me.port);   /* GGEP "6" */

    if (v6 != NULL)
      {
        own->has_ipv6 = TRUE;
        memcpy (own->ipv6, v6->ip, 16);
      }
  }
  own->servent = sv->guid;
  if (own->firewalled && sv->n_push_proxies > 0)
    {
      for (guint i = 0; i < sv->n_push_proxies; i++)
        {
          memcpy (sv->push_proxy_hosts[i].ip, sv->push_proxies[i].ip, 4);
          sv->push_proxy_hosts[i].port = sv->push_proxies[i].port;
        }
      own->push_proxies = sv->push_proxy_hosts;
      own->n_push_proxies = sv->n_push_proxies;
      /* Those that also listen over IPv6, when we do too (a downloader meets us there). */
      for (guint i = 0; own->has_ipv6 && i < sv->n_push_proxies; i++)
        {
          SvLink *link = sv_link_set_lookup (sv->link_set, sv->push_proxy_links[i]);

          if (link == NULL || link->listen6.family != SV_HOST_ADDR_IPV6)
            continue;
          memcpy (sv->push_proxy_hosts6[own->n_push_proxies6].ip, link->listen6.ip, 16);
          sv->push_proxy_hosts6[own->n_push_proxies6].port = link->listen6.port;
          own->n_push_proxies6++;
        }
      own->push_proxies6 = sv->push_proxy_hosts6;
    }
}

/* --- Dispatch --- */

static void
forward (SvServent *sv, const SvRouterVerdict *v, const guint8 *payload, gsize len,
         SvSendClass klass)
{
  g_autoptr (GBytes) msg = NULL;

  if (v->targets->len == 0)
    return;
  msg = sv_msg_encode (&v->hdr, payload, len);   /* one copy for every target */
  for (guint i = 0; i < v->targets->len; i++)
    {
      guint64 id = g_array_index (v->targets, guint64, i);
      SvLink *t = sv_link_set_lookup (sv->link_set, id);

      if (t == NULL)
        continue;
      sv_link_set_send_bytes (sv->link_set, t, msg, v->hdr.hops, klass);
      if (klass == SV_SEND_QUERY)
        sv->counters.queries_forwarded++;
    }
}

void
sv_servent_route_message (SvServent *sv, SvLink *link, const SvMsgHeader *hdr,
                          const guint8 *payload)
{
  const GArray *peers = sv_link_set_router_peers (sv->link_set);
  SvRouterInput in = { 0 };
  SvRouterVerdict *v = &sv->verdict;
  g_autoptr (SvQuery) query = NULL;
  g_autoptr (SvQueryView) view = NULL;
  g_autoptr (SvQueryHit) hit = NULL;
  g_autoptr (SvPong) pong = NULL;
  g_autoptr (SvPush) push = NULL;
  gint64 now = g_get_monotonic_time ();
  gsize len = hdr->length;
  char a[SV_HOST_ADDR_STRLEN];

  in.hdr = *hdr;
  in.conn = link->id;

  switch (hdr->type)
    {
    case SV_MSG_QUERY:
      sv->counters.queries_received++;
      if (sv_query_decode (payload, len, &query) != SV_STATUS_OK)
        {
          g_debug ("undecodable query from %s dropped",
                   sv_host_addr_format (&link->remote, TRUE, a));
          return;
        }
      view = sv_query_view_new (query);
      in.query = view->qrp;
      break;
    case SV_MSG_QUERYHIT:
      if (sv_queryhit_decode (payload, len, &hit) != SV_STATUS_OK)
        {
          g_debug ("undecodable hit from %s dropped", sv_host_addr_format (&link->remote, TRUE, a));
          return;
        }
      {
        SvHostAddr from;

        sv_host_addr_set_ipv4 (&from, hit->ip, hit->port);
        if (sv_hostile_contains (sv->hostile, &from))
          return;
      }
      in.servent = &hit->servent;
      break;
    case SV_MSG_PONG:
      if (sv_pong_decode (payload, len, &pong) != SV_STATUS_OK)
        return;
      in.has_ggep = pong->ggep != NULL;
      in.answers_keepalive = link->ping_sent_us != 0
                             && sv_guid_equal (&hdr->guid, &link->ping_muid);
      break;
    case SV_MSG_PING:
      in.has_ggep = len > 0;
      break;
    case SV_MSG_PUSH:
      if (sv_push_decode (payload, len, &push) != SV_STATUS_OK)
        return;
      in.servent = &push->servent_guid;
      in.has_ggep = push->ggep != NULL;
      break;
    default:
      break;
    }

  sv_router_route (sv->router, &in, (const SvRouterPeer *) (void *) peers->data, peers->len, now,
                   v);
  switch (v->action)
    {
    case SV_ROUTE_DROP:
      if (hdr->type == SV_MSG_QUERY && v->reason == SV_ROUTE_DROP_DUPLICATE)
        sv->counters.queries_duplicate++;
      return;
    case SV_ROUTE_KICK:
      if (hdr->type == SV_MSG_QUERY && v->reason == SV_ROUTE_DROP_DUPLICATE)
        sv->counters.queries_duplicate++;
      sv_link_set_kick (sv->link_set, link, v->bye_code, sv_bye_code_name (v->bye_code));
      return;
    case SV_ROUTE_HANDLE_LOCAL:
    case SV_ROUTE_FORWARD:
      break;
    }

  switch (hdr->type)
    {
    case SV_MSG_PING:
      if (v->handle_local)
        answer_ping (sv, link, &v->hdr, now);
      break;
    case SV_MSG_PONG:
      {
        GBytes *b = g_bytes_new (payload, len);

        sv_pong_cache_add (sv->pongs, b, hdr->hops, link->id, now);
        g_bytes_unref (b);
        learn_pong (sv, pong, hdr, SV_HOST_SOURCE_PONG, now);
        /* The peer's own pong: where it also listens over IPv6 (a push proxy's is named in our
         * hits, and called over IPv6 for a rendezvous). */
        if (hdr->hops == 0 && pong->has_ipv6 && pong->port != 0)
          {
            SvHostAddr v6;

            sv_host_addr_set_ipv6 (&v6, pong->ipv6, pong->port);
            if (sv_host_addr_is_connectable (&v6, sv->cfg.lan))
              link->listen6 = v6;
          }
        if (v->action == SV_ROUTE_HANDLE_LOCAL && link->ping_sent_us != 0
            && sv_guid_equal (&hdr->guid, &link->ping_muid))
          link->ping_sent_us = 0;
        if (v->action == SV_ROUTE_FORWARD)
          {
            if (v->strip_ggep && pong->ggep != NULL)
              {
                g_autoptr (GByteArray) out = g_byte_array_new ();

                g_clear_pointer (&pong->ggep, sv_ggep_free);
                sv_pong_encode (pong, out);
                forward (sv, v, out->data, out->len, SV_SEND_ROUTED);
              }
            else
              forward (sv, v, payload, len, SV_SEND_ROUTED);
          }
      }
      break;
    case SV_MSG_QUERY:
      sv->counters.queries_qrp_blocked += v->qrp_blocked;
      if (v->action == SV_ROUTE_FORWARD)
        forward (sv, v, payload, len, SV_SEND_QUERY);
      if (v->handle_local)
        {
          sv->counters.queries_handled++;
          answer_query (sv, link, hdr, query, view);
        }
      if (v->dynamic_query)   /* it keeps the view for links that come up later */
        sv_servent_search_leaf_query (sv, link, hdr, payload, g_steal_pointer (&view));
      break;
    case SV_MSG_QUERYHIT:
      if (v->action == SV_ROUTE_FORWARD)
        {
          forward (sv, v, payload, len, SV_SEND_ROUTED);
          sv->counters.hits_routed++;
          sv_servent_search_routed_hit (sv, hdr, hit);
        }
      else
        {
          sv->counters.hits_received++;
          sv_servent_search_hit (sv, hdr, hit);
        }
      break;
    case SV_MSG_PUSH:
      if (v->action == SV_ROUTE_FORWARD)
        forward (sv, v, payload, len, SV_SEND_ROUTED);
      else if (sv_guid_equal (&push->servent_guid, &sv->guid))
        {
          /* A PUSH for us travels back along the path our hit took, or comes from one of our
           * push proxies; one from a link we never sent a hit on is a reflection attempt (it
           * would make us connect to a host that never searched). */
          if (link->push_proxy
              || (link->hit_sent_us != 0 && now - link->hit_sent_us < SV_SERVENT_PUSH_AFTER_HIT_US))
            sv_uploads_push (sv->uploads, push, &sv->guid, sv_local_addr_bound (&sv->local, 0), now);
          else
            {
              sv->counters.pushes_unsolicited++;
              note_unsolicited_push (sv, link);
            }
        }
      break;
    case SV_MSG_QRP:
      sv_servent_qrp_receive (sv, link, payload, len);
      break;
    case SV_MSG_BYE:
      {
        g_autoptr (SvBye) bye = NULL;

        if (sv_bye_decode (payload, len, &bye) == SV_STATUS_OK)
          g_info ("%s says Bye %u (%s): %s", sv_host_addr_format (&link->remote, TRUE, a),
                  bye->code, sv_bye_code_name (bye->code), bye->reason);
      }
      break;
    case SV_MSG_VENDOR:
    case SV_MSG_VENDOR_STD:
      vendor_message (sv, link, hdr, payload, len, now);
      break;
    default:
      break;
    }
}

/* --- UDP --- */

/* Sends @hdr + @payload as one datagram to @to. Returns: FALSE if it could not be sent. */
static gboolean
send_datagram (SvServent *sv, const SvHostAddr *to, const SvMsgHeader *hdr, const GByteArray *payload)
{
  g_autoptr (GBytes) msg = sv_msg_encode (hdr, payload->data, payload->len);
  gsize len;
  const guint8 *data = g_bytes_get_data (msg, &len);

  return sv_listener_send_datagram (sv->listener, to, data, len);
}

gboolean
sv_servent_route_uhc_ping (SvServent *sv, const SvHostAddr *to, gint64 now)
{
  g_autoptr (SvPing) ping = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SvMsgHeader h = { 0 };
  guint slot;
  char a[SV_HOST_ADDR_STRLEN];

  if (sv->listener == NULL)
    return FALSE;
  slot = sv->uhc_next++ % SV_SERVENT_UHC_PINGS;
  sv->uhc_to[slot] = *to;
  ping = sv_ping_new ();
  /* IPv6 hosts too when we listen on IPv6. */
  sv_ping_set_scp (ping, SV_PING_SCP_ULTRAPEERS
                   | (sv_local_addr_bound (&sv->local, SV_HOST_ADDR_IPV6) != NULL ? SV_PING_SCP_IPV6 : 0));
  sv_guid_new_message (&h.guid, sv->rand, 0);
  h.type = SV_MSG_PING;
  h.ttl = 1;
  sv_ping_encode (ping, out);
  sv->uhc_muids[slot] = h.guid;
  sv->uhc_sent_us[slot] = now;
  g_debug ("asking UDP host cache %s for ultrapeers", sv_host_addr_format (to, TRUE, a));
  return send_datagram (sv, to, &h, out);
}

/* TRUE when @muid answers one of our UHC pings to @from that is not too old; a pong nobody
 * asked for (or from another address) could only poison the host cache. */
static gboolean
uhc_awaited (SvServent *sv, const SvGuid *muid, const SvHostAddr *from, gint64 now)
{
  for (guint i = 0; i < SV_SERVENT_UHC_PINGS; i++)
    if (sv->uhc_sent_us[i] != 0 && now - sv->uhc_sent_us[i] < SV_SERVENT_UHC_ANSWER_US
        && sv_guid_equal (&sv->uhc_muids[i], muid) && sv_host_addr_equal (&sv->uhc_to[i], from))
      return TRUE;
  return FALSE;
}

void
sv_servent_route_datagram (SvServent *sv, const SvHostAddr *from, const guint8 *data, gsize len)
{
  SvMsgHeader hdr;
  gsize total = 0;
  const guint8 *payload = data + SV_MSG_HEADER_SIZE;

  if (sv_msg_header_frame (data, len, &hdr, &total) != SV_STATUS_OK || total != len)
    return;
  if (hdr.type == SV_MSG_PONG)
    {
      g_autoptr (SvPong) pong = NULL;

      if (!uhc_awaited (sv, &hdr.guid, from, g_get_monotonic_time ()))
        {
          char a[SV_HOST_ADDR_STRLEN];

          g_debug ("unsolicited UDP pong from %s ignored", sv_host_addr_format (from, TRUE, a));
          return;
        }
      if (sv_pong_decode (payload, hdr.length, &pong) != SV_STATUS_OK)
        return;
      learn_pong (sv, pong, &hdr, SV_HOST_SOURCE_UHC, g_get_monotonic_time ());
      g_debug ("UDP pong: %u IPP host(s)", pong->n_ipp);
    }
  else if (hdr.type == SV_MSG_PING && sv_local_addr_note_udp_ping (&sv->local, &hdr.guid, from))
    {
      char a[SV_HOST_ADDR_STRLEN];

      g_message ("UDP reachable: the connect-back ping from %s reached our port",
                 sv_host_addr_format (from, TRUE, a));
    }
  else if (hdr.type == SV_MSG_PING && sv->listener != NULL)
    {
      /* A UDP ping: our pong, with ultrapeers we know when we are one (a small host cache):
       * IPv4 ones (IPP) unless the ping asks for none, IPv6 ones (IPP6) when it asks for them. */
      g_autoptr (SvPong) pong = own_pong (sv);
      g_autoptr (SvPing) ping = NULL;
      SvMsgHeader h = { 0 };
      g_autoptr (GByteArray) out = g_byte_array_new ();
      guint8 scp = sv_ping_decode (payload, hdr.length, &ping) == SV_STATUS_OK
                   ? sv_ping_scp (ping) : 0;

      if (sv->role == SV_CONN_ROLE_ULTRAPEER)
        {
          SvHostAddr ups[SV_PONG_MAX_IPP_ENTRIES];
          SvPongIpp ipp[SV_PONG_MAX_IPP_ENTRIES];
          SvPongIpp6 ipp6[SV_PONG_MAX_IPP_ENTRIES];
          guint n = sv_host_cache_sample_ultrapeers (sv->hosts, ups, G_N_ELEMENTS (ups));
          guint k = 0, k6 = 0;

          for (guint i = 0; i < n; i++)
            if (ups[i].family == SV_HOST_ADDR_IPV4 && !(scp & SV_PING_SCP_NO_IPV4))
              {
                memcpy (ipp[k].ip, ups[i].ip, 4);
                ipp[k++].port = ups[i].port;
              }
            else if (ups[i].family == SV_HOST_ADDR_IPV6 && (scp & SV_PING_SCP_IPV6))
              {
                memcpy (ipp6[k6].ip, ups[i].ip, 16);
                ipp6[k6++].port = ups[i].port;
              }
          if (k > 0)
            sv_pong_add_ipp (pong, ipp, k);
          if (k6 > 0)
            sv_pong_add_ipp6 (pong, ipp6, k6);
        }
      h.guid = hdr.guid;
      h.type = SV_MSG_PONG;
      h.ttl = 1;
      sv_pong_encode (pong, out);
      send_datagram (sv, from, &h, out);
    }
}
