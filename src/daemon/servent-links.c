/* servent-links.c: the servent's peer links: the listener and its callbacks (per-IP accept
 * throttle, hostile list, handshake configurations with leaf guidance and 503 + X-Try-Ultrapeers),
 * outgoing connections picked from the host cache, what the handshake teaches the host cache
 * (X-Try-Ultrapeers, failures and backoff), the connection manager tick (targets per role, closing
 * over target, keep-alive pings, Bye 405/406), the auto role (promotion when no ultrapeer can be
 * joined, demotion when ultrapeers abound and leaves are missing) and the final Bye 200 to
 * everyone. Every refusal, role change and failed attempt is logged with its reason, capped per
 * kind where a remote peer can cause it. */
#include "config.h"

#include "servent-private.h"

#include <stdarg.h>
#include <string.h>

#include "admission.h"
#include "msg-bye.h"

static const SvPeerConnCallbacks link_callbacks;

static const char *
addr_text (const SvHostAddr *a, char buf[SV_HOST_ADDR_STRLEN])
{
  return sv_host_addr_format (a, TRUE, buf);
}

/* Runs as @role from now on; the router keeps its routes (our searches' hits still come
 * back, push routes stay). */
static void
set_role (SvServent *sv, SvConnRole role, const char *why)
{
  gint64 now = g_get_monotonic_time ();

  if (role == sv->role)
    return;
  g_message ("role: %s (%s)", role == SV_CONN_ROLE_ULTRAPEER ? "ultrapeer" : "leaf",
             why != NULL ? why : "");
  sv->role = role;
  sv->orphan_since_us = sv->leafless_since_us = now;
  sv->leaf_refusals = 0;
  sv_router_set_role (sv->router, role == SV_CONN_ROLE_ULTRAPEER ? SV_ROUTER_ROLE_ULTRAPEER
                                                                 : SV_ROUTER_ROLE_LEAF);
}

/* Logs one line of a kind a remote peer can cause, within its cap (log-limit.h). */
static void
log_limited (SvLogLimit *limit, const char *kind, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
log_limited (SvLogLimit *limit, const char *kind, const char *fmt, ...)
{
  guint suppressed;
  va_list ap;
  g_autofree char *line = NULL;

  if (suppressed = 0, !sv_log_limit_allow (limit, g_get_monotonic_time (), &suppressed))
    return;
  if (suppressed > 0)
    g_message ("%u more %s not logged in the last minute", suppressed, kind);
  va_start (ap, fmt);
  line = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_message ("%s", line);
}

/* What the auto role is decided on (conn-policy). */
static void
role_input (SvServent *sv, gint64 now, SvConnRoleInput *in)
{
  const SvConnPolicyConfig *pc = sv_conn_policy_config (sv->policy);
  SvConnCounts counts;
  SvLink *const *links;
  guint n_links;
  gboolean all_full = TRUE;

  sv_link_set_counts (sv->link_set, &counts);
  memset (in, 0, sizeof *in);
  in->uptime_us = now - sv->started_us;
  in->firewalled = sv_local_addr_firewalled (&sv->local);
  in->current = sv->role;
  /* No bandwidth estimate yet: assume the minimum a broadband host has. */
  in->down_bps = pc->up_min_down_bps;
  in->up_bps = pc->up_min_up_bps;
  in->reachable = sv->local.reachable;
  in->ultrapeers = counts.ultrapeers;
  in->leaves = counts.leaves;
  in->orphan_us = sv->orphan_since_us != 0 ? now - sv->orphan_since_us : 0;
  in->nothing_to_try = sv->nothing_to_try;
  in->leaf_refusals = sv->leaf_refusals;
  in->leafless_us = sv->leafless_since_us != 0 ? now - sv->leafless_since_us : 0;
  links = sv_link_set_up (sv->link_set, &n_links);
  for (guint i = 0; i < n_links; i++)
    if (links[i]->ultrapeer && links[i]->ultrapeer_needed)
      all_full = FALSE;
  in->ultrapeers_full = counts.ultrapeers > 0 && all_full;
}

/* --- Links --- */

static void
handshake_config (SvServent *sv, const SvHostAddr *remote, gboolean incoming,
                  SvHandshakeConfig *hs, SvHostAddr try_hosts[SV_HANDSHAKE_MAX_TRY_HOSTS])
{
  SvConnCounts counts;
  SvConnTargets targets;

  sv_link_set_counts (sv->link_set, &counts);
  sv_conn_policy_targets (sv->policy, sv->role, &targets);
  memset (hs, 0, sizeof *hs);
  hs->ultrapeer_capable = sv->role == SV_CONN_ROLE_ULTRAPEER;
  switch (sv->cfg.role_mode)
    {
    case SV_CONN_ROLE_MODE_LEAF:
      hs->force = SV_HANDSHAKE_FORCE_LEAF;
      break;
    case SV_CONN_ROLE_MODE_ULTRAPEER:
      hs->force = SV_HANDSHAKE_FORCE_ULTRAPEER;
      break;
    case SV_CONN_ROLE_MODE_AUTO:
    default:
      /* An ultrapeer in auto mode may follow leaf guidance only while no link is up: taking
       * it turns the whole servent into a leaf (on_established). */
      if (sv->role != SV_CONN_ROLE_ULTRAPEER)
        hs->force = SV_HANDSHAKE_FORCE_LEAF;
      else if (counts.ultrapeers + counts.leaves == 0)
        hs->force = SV_HANDSHAKE_FORCE_NONE;
      else
        hs->force = SV_HANDSHAKE_FORCE_ULTRAPEER;
      break;
    }
  hs->leaf_count = counts.leaves;
  hs->leaf_target = targets.max_leaves;
  hs->up_count = counts.ultrapeers;
  hs->up_target = targets.max_ultrapeers;
  hs->user_agent = sv->user_agent;
  hs->guid = sv->guid;
  sv_local_addr_announced (&sv->local, &hs->listen);
  if (sv_local_addr_firewalled (&sv->local))
    hs->listen.port = sv->local.port;   /* still reachable perhaps: let peers try */
  /* Over IPv6, the IPv6 address we listen on (no NAT there to hide it). */
  if (remote != NULL && remote->family == SV_HOST_ADDR_IPV6)
    {
      const SvHostAddr *v6 = sv_local_addr_bound (&sv->local, SV_HOST_ADDR_IPV6);

      if (v6 != NULL && sv_host_addr_is_connectable (v6, sv->cfg.lan))
        {
          hs->listen = *v6;
          hs->listen.port = sv->local.port;
        }
    }
  if (remote != NULL)
    hs->remote = *remote;
  hs->deflate = sv->cfg.deflate;
  hs->qrp_version = SV_HANDSHAKE_VERSION (0, 2);
  hs->degree = targets.max_ultrapeers;
  hs->max_ttl = SV_MSG_MAX_TTL;
  hs->n_try_hosts = sv_host_cache_sample_ultrapeers (sv->hosts, try_hosts,
                                                     SV_HANDSHAKE_MAX_TRY_HOSTS);
  hs->try_hosts = try_hosts;
  hs->ultrapeer_needed = sv_conn_policy_ultrapeer_needed (sv->policy, sv->role, &counts);
  /* A leaf that would promote itself now, asked by another host's leaf to serve it, does: the
   * connection itself proves that we are reachable. */
  if (incoming && sv->cfg.role_mode == SV_CONN_ROLE_MODE_AUTO && sv->role == SV_CONN_ROLE_LEAF
      && remote != NULL && !sv_local_addr_is_own_ip (&sv->local, remote))
    {
      SvConnRoleInput in;
      SvConnTargets up;

      role_input (sv, g_get_monotonic_time (), &in);
      in.reachable = TRUE;
      if (sv_conn_policy_decide_role (sv->policy, sv->cfg.role_mode, &in, NULL)
          == SV_CONN_ROLE_ULTRAPEER)
        {
          sv_conn_policy_targets (sv->policy, SV_CONN_ROLE_ULTRAPEER, &up);
          hs->may_promote = TRUE;
          hs->leaf_target = up.max_leaves;
        }
    }
}

static void
peer_conn_config (SvServent *sv, SvPeerConnConfig *pc)
{
  /* A servent told to listen on one address connects from it too, so that peers see the
   * address it announces (and count connects per address correctly). */
  const SvHostAddr *bound = sv_local_addr_bound (&sv->local, 0);

  sv_peer_conn_config_init (pc);
  if (bound != NULL)
    pc->local = *bound;
  if (sv->cfg.handshake_timeout_us > 0)
    pc->handshake_timeout_us = sv->cfg.handshake_timeout_us;
}

static gboolean
linked_to (SvServent *sv, const SvHostAddr *addr)
{
  g_autoptr (GPtrArray) all = sv_link_set_all (sv->link_set);

  for (guint i = 0; i < all->len; i++)
    {
      const SvLink *l = all->pdata[i];

      if ((l->outgoing && sv_host_addr_equal (&l->dialed, addr))
          || (l->listen.family != 0 && sv_host_addr_equal (&l->listen, addr)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_self (SvServent *sv, const SvHostAddr *addr)
{
  return addr->port == sv->local.port && sv_local_addr_is_own_ip (&sv->local, addr);
}

static void
connect_to (SvServent *sv, const SvHostAddr *addr)
{
  SvHandshakeConfig hs;
  SvHostAddr try_hosts[SV_HANDSHAKE_MAX_TRY_HOSTS];
  SvPeerConnConfig pc;
  SvPeerConn *conn;
  SvLink *l;
  char a[SV_HOST_ADDR_STRLEN];

  handshake_config (sv, addr, FALSE, &hs, try_hosts);
  peer_conn_config (sv, &pc);
  conn = sv_peer_conn_new_outgoing (addr, &hs, &pc, &link_callbacks, sv);
  l = sv_link_set_add (sv->link_set, conn, TRUE);
  l->dialed = *addr;
  l->seed = sv_host_cache_is_seed (sv->hosts, addr);
  g_debug ("connecting to %s", addr_text (addr, a));
}

/* --- Link callbacks --- */

static void
learn_try_hosts (SvServent *sv, const SvHandshakeResult *r, gint64 now)
{
  if (r != NULL && r->n_try_hosts > 0)
    sv_host_cache_add_many (sv->hosts, r->try_hosts, r->n_try_hosts, SV_HOST_SOURCE_TRY, TRUE, now);
}

/* @l, just established with the servent @guid, may be a second link with a servent we are
 * linked with already (over its other IP family, or because each of us dialled the other), or
 * one to ourselves. Returns: the link to close (@l, the older one, or NULL: none, or not ours
 * to close). Two links dialled by the same side: that side closes the newer. Each dialled the
 * other: the side with the greater GUID closes the one it dialled, so that both keep the same. */
static SvLink *
duplicate_to_close (SvServent *sv, SvLink *l, const SvGuid *guid)
{
  SvLink *const *up;
  guint n_up;

  if (sv_guid_equal (guid, &sv->guid))
    return l;
  up = sv_link_set_up (sv->link_set, &n_up);   /* @l is not among them yet */
  for (guint i = 0; i < n_up; i++)
    {
      SvLink *o = up[i];

      if (!o->has_peer_guid || !sv_guid_equal (&o->peer_guid, guid))
        continue;
      if (o->outgoing == l->outgoing)
        return l->outgoing ? l : NULL;
      if (memcmp (sv->guid.b, guid->b, SV_GUID_LEN) > 0)
        return l->outgoing ? l : o;
      return NULL;
    }
  return NULL;
}

/* Closes @l, a second link with a servent; the address we dialled is that servent already. */
static void
close_duplicate (SvServent *sv, SvLink *l)
{
  char a[SV_HOST_ADDR_STRLEN];

  g_info ("closing %s: a second link with the same servent", addr_text (&l->remote, a));
  if (l->outgoing && !sv_host_cache_is_seed (sv->hosts, &l->dialed))
    sv_host_cache_remove (sv->hosts, &l->dialed);
  l->duplicate = TRUE;
  sv->counters.duplicate_links++;
  sv_peer_conn_bye (l->conn, SV_BYE_SHUTDOWN, "Duplicate Connection");
}

static void
on_established (SvPeerConn *conn, const SvHandshakeResult *r, gpointer user_data)
{
  SvServent *sv = user_data;
  guint64 id = sv_peer_conn_id (conn);
  SvLink *l = sv_link_set_lookup (sv->link_set, id);
  gint64 now = g_get_monotonic_time ();
  char a[SV_HOST_ADDR_STRLEN];

  if (l == NULL)
    return;
  l->established_us = now;
  l->ultrapeer = r->peer_role == SV_HANDSHAKE_ROLE_ULTRAPEER;
  l->user_agent = g_strdup (r->user_agent);
  l->deflate_in = r->deflate_in;
  l->deflate_out = r->deflate_out;
  l->degree = r->degree;
  l->max_ttl = r->max_ttl;
  l->ggep = r->ggep;
  l->ext_probes = r->ext_probes;
  l->up_query_routing = r->up_query_routing;
  l->qrp_version = r->qrp_version;
  l->ultrapeer_needed = r->ultrapeer_needed;
  if (l->outgoing)
    {
      l->listen = l->dialed;
      if (r->we_became_leaf && sv->role == SV_CONN_ROLE_ULTRAPEER)
        set_role (sv, SV_CONN_ROLE_LEAF, "took leaf guidance");
    }
  else
    {
      sv->handshakes_in--;
      /* Its announced listening address is learnt below as a connected host. */
      if (r->listen.family != 0 && r->listen.port != 0)
        l->listen = r->listen;
      if (r->we_promoted)
        set_role (sv, SV_CONN_ROLE_ULTRAPEER, "a leaf asked to join and no ultrapeer serves us");
    }
  /* Negotiated under the role we had when it started: a link that began before a role change
   * would run on a wrong footing. Say so and let the manager dial again in the new role. */
  if ((r->our_role == SV_HANDSHAKE_ROLE_ULTRAPEER) != (sv->role == SV_CONN_ROLE_ULTRAPEER))
    {
      g_message ("closing %s: negotiated as %s, we are now %s", addr_text (&l->remote, a),
                 sv_handshake_role_name (r->our_role),
                 sv->role == SV_CONN_ROLE_ULTRAPEER ? "ultrapeer" : "leaf");
      if (l->outgoing)
        sv_host_cache_busy (sv->hosts, &l->dialed, now);
      l->role_mismatch = TRUE;
      sv_peer_conn_bye (l->conn, SV_BYE_SHUTDOWN, "Role Changed");
      return;
    }
  if (r->has_guid)
    {
      SvLink *dup = duplicate_to_close (sv, l, &r->guid);

      if (dup == l)
        {
          close_duplicate (sv, l);
          return;
        }
      if (dup != NULL)
        close_duplicate (sv, dup);
    }
  l->has_peer_guid = r->has_guid;
  l->peer_guid = r->guid;
  sv_link_set_established (sv->link_set, l);
  if (l->ultrapeer)
    {
      sv->leaf_refusals = 0;
      sv->orphan_since_us = 0;
    }
  else
    sv->leafless_since_us = 0;
  /* Remote-IP over IPv4 tells whether a NAT is in the way (IPv6 has none to find). */
  if (r->seen_as.family == SV_HOST_ADDR_IPV4)
    {
      sv->local.seen_as = r->seen_as;
      sv_servent_port_map_consider (sv);
    }
  if (l->listen.family != 0)
    sv_host_cache_connected (sv->hosts, &l->listen, l->ultrapeer, now);
  learn_try_hosts (sv, r, now);
  g_info ("%s %s %s established (%s, %s)", l->outgoing ? "to" : "from",
          l->ultrapeer ? "ultrapeer" : "leaf", addr_text (&l->remote, a),
          r->user_agent != NULL ? r->user_agent : "?",
          r->deflate_in || r->deflate_out ? "deflate" : "plain");
}

static void
on_message (SvPeerConn *conn, const SvMsgHeader *hdr, const guint8 *payload, gpointer user_data)
{
  SvServent *sv = user_data;
  guint64 id = sv_peer_conn_id (conn);
  SvLink *l = sv_link_set_lookup (sv->link_set, id);

  if (l == NULL || !l->established)
    return;
  sv_servent_route_message (sv, l, hdr, payload);
}

static gboolean
reason_is_misbehaviour (SvPeerConnCloseReason reason, gboolean outgoing)
{
  switch (reason)
    {
    case SV_PEER_CONN_CLOSED_OVERSIZE:
    case SV_PEER_CONN_CLOSED_INFLATE:
    case SV_PEER_CONN_CLOSED_HANDSHAKE:
    case SV_PEER_CONN_CLOSED_SEND_QUEUE:
      return TRUE;
    case SV_PEER_CONN_CLOSED_TIMEOUT:
      return !outgoing;
    default:
      return FALSE;
    }
}

static void
on_closed (SvPeerConn *conn, SvPeerConnCloseReason reason, const SvHandshakeResult *r,
           const char *detail, gpointer user_data)
{
  SvServent *sv = user_data;
  guint64 id = sv_peer_conn_id (conn);
  SvLink *l = sv_link_set_lookup (sv->link_set, id);
  gint64 now = g_get_monotonic_time ();
  char a[SV_HOST_ADDR_STRLEN];

  if (l == NULL)
    return;
  if ((guint) reason < G_N_ELEMENTS (sv->counters.closed))
    sv->counters.closed[reason]++;
  /* A send-queue kick was counted when the send said so. */
  if (reason != SV_PEER_CONN_CLOSED_SEND_QUEUE && reason_is_misbehaviour (reason, l->outgoing))
    sv_link_set_count_kick (sv->link_set);
  if (!l->outgoing && l->established_us == 0)
    {
      sv->handshakes_in--;   /* still in its handshake (on_established counted the others) */
      if (reason == SV_PEER_CONN_CLOSED_TIMEOUT)
        sv->counters.handshake_timeouts++;
    }
  if (reason == SV_PEER_CONN_CLOSED_REFUSED && r != NULL && r->refused_by_us
      && r->code == SV_HANDSHAKE_CODE_BUSY && !l->outgoing)
    sv->counters.refused_busy++;
  learn_try_hosts (sv, r, now);

  if (l->role_mismatch)
    {
      if (l->outgoing)
        sv_host_cache_busy (sv->hosts, &l->dialed, now);
    }
  else if (l->duplicate)
    ;   /* nothing to learn of the host: we are linked with it already */
  else if (l->established)
    {
      if (l->listen.family != 0)
        sv_host_cache_disconnected (sv->hosts, &l->listen, now);
      /* A peer that takes our connection and drops it at once (slots full after all) is a
       * failed attempt: back off rather than dial it again at the next tick. */
      if (l->outgoing && now - l->established_us < SV_SERVENT_EARLY_CLOSE_US
          && (reason == SV_PEER_CONN_CLOSED_EOF || reason == SV_PEER_CONN_CLOSED_IO_ERROR))
        sv_host_cache_failed (sv->hosts, &l->dialed, now);
      g_info ("link %s closed: %s%s%s", addr_text (&l->remote, a),
              sv_peer_conn_close_reason_name (reason), detail ? ": " : "", detail ? detail : "");
    }
  else if (l->outgoing && reason == SV_PEER_CONN_CLOSED_REFUSED && r != NULL && !r->refused_by_us)
    {
      /* Alive but not taking us now: try again soon, not as a dead host. */
      sv_host_cache_busy (sv->hosts, &l->dialed, now);
      sv->counters.retries_busy++;
      if (r->peer_role == SV_HANDSHAKE_ROLE_LEAF && sv->role == SV_CONN_ROLE_LEAF)
        sv->leaf_refusals++;
      log_limited (&sv->log_refused_out, "refusals of our connections",
                   "%s refused us: %u %s (it is %s; %u other hosts offered)",
                   addr_text (&l->dialed, a), r->code, r->reason != NULL ? r->reason : "",
                   sv_handshake_role_name (r->peer_role), r->n_try_hosts);
    }
  else if (l->outgoing)
    {
      SvPeerConnStats st;

      sv_peer_conn_get_stats (conn, &st);
      if (reason == SV_PEER_CONN_CLOSED_REFUSED && r != NULL)
        sv_host_cache_busy (sv->hosts, &l->dialed, now);   /* we said no to its terms */
      else if (st.wire_bytes_out > 0 && reason != SV_PEER_CONN_CLOSED_HANDSHAKE)
        {
          /* It took the connection and closed it during the handshake: a busy host (or one
           * under a flood), not a dead one. */
          sv_host_cache_busy (sv->hosts, &l->dialed, now);
          sv->counters.retries_busy++;
        }
      else
        sv_host_cache_failed (sv->hosts, &l->dialed, now);
      log_limited (&sv->log_failed_out, "failed connections",
                   "connection to %s failed: %s%s%s%s%s", addr_text (&l->dialed, a),
                   sv_peer_conn_close_reason_name (reason), detail ? ": " : "", detail ? detail : "",
                   r != NULL && r->refused_by_us ? ": we refused: " : "",
                   r != NULL && r->refused_by_us && r->reason != NULL ? r->reason : "");
    }
  else if (reason == SV_PEER_CONN_CLOSED_REFUSED && r != NULL && r->refused_by_us)
    log_limited (&sv->log_refused_in, "refused connections",
                 "refused %s (%s, %s): %u %s", addr_text (&l->remote, a),
                 r->user_agent != NULL ? r->user_agent : "no user agent",
                 sv_handshake_role_name (r->peer_role), r->code, r->reason ? r->reason : "");
  else
    log_limited (&sv->log_refused_in, "refused connections",
                 "incoming connection from %s failed: %s%s%s", addr_text (&l->remote, a),
                 sv_peer_conn_close_reason_name (reason), detail ? ": " : "", detail ? detail : "");
  sv_link_set_remove (sv->link_set, l);   /* the routes, searches and tables follow */
}

static const SvPeerConnCallbacks link_callbacks = {
  .established = on_established,
  .message = on_message,
  .closed = on_closed,
};

/* --- Listener callbacks --- */

static SvListenerVerdict
on_accept (SvListener *listener, const SvHostAddr *remote, gpointer user_data)
{
  SvServent *sv = user_data;
  char a[SV_HOST_ADDR_STRLEN];

  if (sv_hostile_contains (sv->hostile, remote))
    {
      log_limited (&sv->log_refused_in, "refused connections", "refused %s: hostile address",
                   addr_text (remote, a));
      sv->counters.accept_rejected++;
      return SV_LISTENER_REJECT;
    }
  /* Whatever it wants, it reached our port: proof that we are not firewalled. */
  if (sv_local_addr_note_inbound (&sv->local, remote))
    g_message ("reachable: a connection from %s reached our port", addr_text (remote, a));
  return SV_LISTENER_ACCEPT;
}

/* The per-address connect throttle of Gnutella links (uploads keep their own caps). Returns:
 * FALSE when @remote is refused. */
static gboolean
admit_gnutella (SvServent *sv, const SvHostAddr *remote)
{
  char a[SV_HOST_ADDR_STRLEN];
  SvConnAccept v = sv_conn_policy_accept (sv->policy, remote, sv->handshakes_in,
                                          g_get_monotonic_time ());

  /* Too many handshakes in progress: the peer is answered 503 once it has said who it is
   * (on_gnutella), like any other refusal. */
  if (v != SV_CONN_ACCEPT_OK && v != SV_CONN_ACCEPT_BUSY)
    {
      log_limited (&sv->log_refused_in, "refused connections", "refused %s: %s",
                   addr_text (remote, a),
                   v == SV_CONN_ACCEPT_HAMMERING ? "connecting too often, banned" : "banned");
      sv->counters.accept_rejected++;
      return FALSE;
    }
  return TRUE;
}

/* Answers a CONNECT we have no room to handshake with a 503 (and X-Try-Ultrapeers), written at
 * once on the fresh socket (it fits its empty send buffer), then closed by the listener. */
static void
refuse_early (SvServent *sv, GSocketConnection *sock, const SvHostAddr *remote,
              const SvHandshakeConfig *hs, SvAdmissionVerdict why)
{
  g_autoptr (GBytes) reply = sv_handshake_refusal (hs, SV_HANDSHAKE_CODE_BUSY, "Too Many Handshakes");
  GSocket *s = g_socket_connection_get_socket (sock);
  gsize len;
  const char *data = g_bytes_get_data (reply, &len);
  char a[SV_HOST_ADDR_STRLEN];

  (void) g_socket_send (s, data, len, NULL, NULL);
  sv->counters.accept_rejected++;
  sv->counters.refused_busy++;
  if (why == SV_ADMISSION_ADDR_CAP)
    sv->counters.refused_addr_cap++;
  else if (why == SV_ADMISSION_NET_CAP)
    sv->counters.refused_net_cap++;
  log_limited (&sv->log_refused_in, "refused connections",
               "refused %s: 503 too many handshakes in progress (%s)", addr_text (remote, a),
               sv_admission_verdict_name (why));
}

/* Whether @remote gets a handshake place: when every place is held, the handshake that has sent
 * the least for the longest is closed to make room (see core/admission.h). */
static SvAdmissionVerdict
admit_handshake (SvServent *sv, const SvHostAddr *remote)
{
  SvAdmissionConfig ac = {
    .max = sv_conn_policy_config (sv->policy)->max_handshakes,
    .per_addr = SV_HANDSHAKES_PER_ADDR,
    .per_net = SV_HANDSHAKES_PER_NET,
    .protect = SV_HANDSHAKE_PROGRESS_BLOCK,
    .caps_from = sv_conn_policy_config (sv->policy)->max_handshakes / 4,
  };
  g_autoptr (GPtrArray) all = sv_link_set_all (sv->link_set);
  g_autoptr (GArray) held = g_array_new (FALSE, FALSE, sizeof (SvAdmissionEntry));
  g_autoptr (GPtrArray) owners = g_ptr_array_new ();
  SvAdmissionVerdict v;
  guint victim = 0;

  for (guint i = 0; i < all->len; i++)
    {
      SvLink *l = g_ptr_array_index (all, i);
      SvPeerConnStats st;
      SvAdmissionEntry e;

      if (l->outgoing || l->established_us != 0 || l->evicted)
        continue;
      sv_peer_conn_get_stats (l->conn, &st);
      e.addr = l->remote;
      e.since_us = st.created_us;
      e.progress = sv_peer_conn_handshake_progress (l->conn);
      g_array_append_val (held, e);
      g_ptr_array_add (owners, l);
    }
  v = sv_admission_decide (&ac, (const SvAdmissionEntry *) held->data, held->len, remote, &victim);
  if (v == SV_ADMISSION_EVICT)
    {
      SvLink *l = g_ptr_array_index (owners, victim);

      l->evicted = TRUE;
      sv->counters.handshakes_evicted++;
      sv_peer_conn_close (l->conn);   /* closed follows from idle */
    }
  return v;
}

static void
on_gnutella (SvListener *listener, GSocketConnection *sock, const SvHostAddr *remote,
             const guint8 *prefix, gsize prefix_len, gpointer user_data)
{
  SvServent *sv = user_data;
  SvHandshakeConfig hs;
  SvHostAddr try_hosts[SV_HANDSHAKE_MAX_TRY_HOSTS];
  SvPeerConnConfig pc;
  SvPeerConn *conn;
  SvAdmissionVerdict v;

  if (sv->freeing || !admit_gnutella (sv, remote))
    return;
  handshake_config (sv, remote, TRUE, &hs, try_hosts);
  v = admit_handshake (sv, remote);
  if (v != SV_ADMISSION_OK && v != SV_ADMISSION_EVICT)
    {
      refuse_early (sv, sock, remote, &hs, v);
      return;
    }
  peer_conn_config (sv, &pc);
  conn = sv_peer_conn_new_incoming (sock, prefix, prefix_len, &hs, &pc, &link_callbacks, sv);
  sv_link_set_add (sv->link_set, conn, FALSE);
  sv->handshakes_in++;
}

static void
on_http (SvListener *listener, GSocketConnection *sock, const SvHostAddr *remote,
         SvGnetSniff kind, const guint8 *prefix, gsize prefix_len, gpointer user_data)
{
  SvServent *sv = user_data;

  if (sv->freeing || sv->uploads == NULL)
    return;
  sv_uploads_adopt (sv->uploads, sock, remote, prefix, prefix_len);
}

static void
on_giv (SvListener *listener, GSocketConnection *sock, const SvHostAddr *remote,
        const guint8 *prefix, gsize prefix_len, gpointer user_data)
{
  SvServent *sv = user_data;

  if (sv->freeing || sv->giv_reader == NULL)
    return;
  sv_giv_reader_add (sv->giv_reader, sock, remote, prefix, prefix_len);
}

static void
on_datagram (SvListener *listener, const SvHostAddr *from, const guint8 *data, gsize len,
             gpointer user_data)
{
  SvServent *sv = user_data;

  if (sv_hostile_contains (sv->hostile, from))
    return;
  sv_servent_route_datagram (sv, from, data, len);
}

static const SvListenerCallbacks listener_callbacks = {
  .accept = on_accept,
  .gnutella = on_gnutella,
  .http = on_http,
  .giv = on_giv,
  .datagram = on_datagram,
};

gboolean
sv_servent_links_start (SvServent *sv, GError **error)
{
  SvHostAddr fallback[2];
  const SvHostAddr *addrs = sv->local.listen;
  guint n = sv->local.n_listen;

  if (n == 0)
    {
      memset (fallback, 0, sizeof fallback);
      fallback[0].family = SV_HOST_ADDR_IPV4;
      fallback[0].port = SV_HOST_ADDR_DEFAULT_PORT;
      fallback[1].family = SV_HOST_ADDR_IPV6;
      fallback[1].port = SV_HOST_ADDR_DEFAULT_PORT;
      addrs = fallback;
      n = 2;
    }
  sv->listener = sv_listener_new (addrs, n, 0, &listener_callbacks, sv, error);
  if (sv->listener == NULL)
    return FALSE;
  sv->local.port = sv_listener_port (sv->listener);
  return TRUE;
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
sv_servent_links_stop (SvServent *sv)
{
  g_autoptr (GPtrArray) all = NULL;
  gint64 deadline;
  GSource *src;
  guint n_bye = 0;

  if (sv->link_set == NULL)
    return;
  /* No new connections while we say goodbye. */
  g_clear_pointer (&sv->listener, sv_listener_free);
  all = sv_link_set_all (sv->link_set);
  for (guint i = 0; i < all->len; i++)
    {
      SvLink *l = all->pdata[i];

      if (l->established)
        {
          sv_peer_conn_bye (l->conn, SV_BYE_SHUTDOWN, "Servent Shutdown");
          n_bye++;
        }
      else
        sv_peer_conn_close (l->conn);
    }
  /* Let the Byes leave (bounded): closed callbacks free the links. */
  deadline = g_get_monotonic_time () + (n_bye > 0 ? 2 : 1) * G_USEC_PER_SEC / 2;
  src = g_timeout_source_new (20);
  g_source_set_callback (src, wake_up, NULL, NULL);
  g_source_attach (src, sv->context);
  while (sv_link_set_size (sv->link_set) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (sv->context, TRUE);
  g_source_destroy (src);
  g_source_unref (src);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = sv_link_set_all (sv->link_set);
  for (guint i = 0; i < all->len; i++)
    {
      SvLink *l = all->pdata[i];

      if (l->established && l->listen.family != 0)
        sv_host_cache_disconnected (sv->hosts, &l->listen, g_get_monotonic_time ());
      sv_link_set_remove (sv->link_set, l);
    }
}

/* --- The connection manager --- */

static void
keep_alive (SvServent *sv, gint64 now)
{
  g_autoptr (GPtrArray) kick = g_ptr_array_new ();
  SvLink *const *links;
  guint n_links;

  links = sv_link_set_up (sv->link_set, &n_links);
  for (guint i = 0; i < n_links; i++)
    {
      SvLink *l = links[i];
      SvPeerConnStats st;
      SvConnActivity act;

      sv_peer_conn_get_stats (l->conn, &st);
      act.last_rx_us = st.last_rx_us;
      act.ping_sent_us = l->ping_sent_us;
      switch (sv_conn_policy_idle (sv->policy, &act, now, NULL))
        {
        case SV_CONN_IDLE_OK:
          break;
        case SV_CONN_IDLE_PING:
          sv_servent_route_send_keepalive (sv, l, now);
          break;
        case SV_CONN_IDLE_BYE_405:
        case SV_CONN_IDLE_BYE_406:
          g_ptr_array_add (kick, l);
          break;
        }
    }
  for (guint i = 0; i < kick->len; i++)
    {
      SvLink *l = kick->pdata[i];
      gboolean silent = l->ping_sent_us == 0;
      char a[SV_HOST_ADDR_STRLEN];

      g_info ("closing %s: %s", addr_text (&l->remote, a),
              silent ? "inactivity" : "no reply to ping");
      sv_peer_conn_bye (l->conn, silent ? SV_BYE_INACTIVITY : SV_BYE_NO_PING_REPLY,
                        silent ? "Inactivity Timeout" : "No Ping Reply");
    }
}

static void
close_over_target (SvServent *sv)
{
  g_autoptr (GArray) infos = g_array_new (FALSE, FALSE, sizeof (SvConnInfo));
  g_autoptr (GPtrArray) links = g_ptr_array_new ();
  g_autofree guint *out = NULL;
  SvLink *const *up;
  guint n, n_up;

  up = sv_link_set_up (sv->link_set, &n_up);
  for (guint i = 0; i < n_up; i++)
    {
      SvLink *l = up[i];
      SvConnInfo info;

      info.ultrapeer = l->ultrapeer;
      info.connected_since_us = l->established_us;
      info.preferred = l->seed;
      g_array_append_val (infos, info);
      g_ptr_array_add (links, l);
    }
  if (infos->len == 0)
    return;
  out = g_new (guint, infos->len);
  n = sv_conn_policy_pick_close (sv->policy, sv->role, (const SvConnInfo *) (void *) infos->data,
                                 infos->len, out);
  for (guint i = 0; i < n; i++)
    {
      SvLink *l = links->pdata[out[i]];
      char a[SV_HOST_ADDR_STRLEN];

      g_info ("closing %s: over the connection target", addr_text (&l->remote, a));
      sv_peer_conn_bye (l->conn, SV_BYE_SHUTDOWN, "Too Many Connections");
    }
}

/* Closes every link: they were negotiated in the role we are leaving. */
static void
bye_all (SvServent *sv, const char *reason)
{
  g_autoptr (GPtrArray) all = sv_link_set_all (sv->link_set);

  for (guint i = 0; i < all->len; i++)
    {
      SvLink *l = all->pdata[i];

      l->role_mismatch = TRUE;
      if (l->established)
        sv_peer_conn_bye (l->conn, SV_BYE_SHUTDOWN, reason);
      else
        sv_peer_conn_close (l->conn);
    }
}

static void
decide_role (SvServent *sv, gint64 now)
{
  SvConnRoleInput in;
  SvConnRole role;
  const char *why = NULL;

  if (sv->cfg.role_mode != SV_CONN_ROLE_MODE_AUTO)
    return;
  role_input (sv, now, &in);
  role = sv_conn_policy_decide_role (sv->policy, sv->cfg.role_mode, &in, &why);
  if (role == sv->role)
    return;
  if (role == SV_CONN_ROLE_ULTRAPEER)
    {
      /* A leaf with ultrapeer links keeps them: promotion waits until it has none. */
      if (in.ultrapeers > 0)
        return;
      set_role (sv, role, why);
      return;
    }
  set_role (sv, role, why);
  bye_all (sv, "Becoming Leaf");
}

void
sv_servent_links_tick (SvServent *sv, gint64 now)
{
  SvConnCounts counts;
  SvHostAddr picks[16];
  guint want, n, dialled = 0;

  if (sv->freeing || sv->listener == NULL)
    return;
  sv_link_set_counts (sv->link_set, &counts);
  if (sv->role == SV_CONN_ROLE_LEAF && counts.ultrapeers == 0 && sv->orphan_since_us == 0)
    sv->orphan_since_us = now;
  if (sv->role == SV_CONN_ROLE_ULTRAPEER && counts.leaves == 0 && sv->leafless_since_us == 0)
    sv->leafless_since_us = now;
  decide_role (sv, now);
  keep_alive (sv, now);
  close_over_target (sv);

  sv_link_set_counts (sv->link_set, &counts);
  want = sv_conn_policy_want_outgoing (sv->policy, sv->role, &counts);
  want = MIN (want, G_N_ELEMENTS (picks));
  if (want == 0)
    {
      sv->nothing_to_try = FALSE;
      return;
    }
  n = sv_host_cache_pick (sv->hosts, now, TRUE, picks, want);
  for (guint i = 0; i < n; i++)
    {
      if (linked_to (sv, &picks[i]))
        continue;
      if (is_self (sv, &picks[i]))
        {
          sv_host_cache_remove (sv->hosts, &picks[i]);
          continue;
        }
      connect_to (sv, &picks[i]);
      dialled++;
    }
  /* Nobody left to try in the host cache: ask the bootstrap sources. */
  if (dialled == 0 && counts.connecting == 0)
    sv_bootstrap_tick (sv->bootstrap, now);
  sv->nothing_to_try = dialled == 0 && counts.connecting == 0
                       && !sv_bootstrap_pending (sv->bootstrap, now);
}
