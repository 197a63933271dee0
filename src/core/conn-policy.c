/* conn-policy.c: connection targets, role choice, admission, closing, accept throttling, keep-alive. */
#include "conn-policy.h"

#include <string.h>

typedef struct {
  SvHostAddr key;               /* port 0; IPv6 with the interface half zeroed */
  guint n;                      /* connects inside the window, oldest first in stamps[] */
  gint64 stamps[SV_CONN_ACCEPT_MAX_PER_WINDOW];
  gint64 banned_until_us;
  gint64 ban_us;                /* length of its last ban (0: never banned): the next doubles */
  gint64 last_us;
} IpRecord;

struct _SvConnPolicy {
  SvConnPolicyConfig config;
  GHashTable *ips;              /* SvHostAddr* (inside IpRecord) -> IpRecord* (owned) */
};

void
sv_conn_policy_config_init (SvConnPolicyConfig *c)
{
  memset (c, 0, sizeof *c);
  c->leaf_min_ultrapeers = 3;
  c->leaf_max_ultrapeers = 4;
  c->up_min_ultrapeers = 32;
  c->up_max_ultrapeers = 32;
  c->up_max_leaves = 300;
  c->max_connecting = 8;
  c->max_handshakes = 128;
  c->accept_per_ip = 5;
  c->accept_window_us = 60 * G_USEC_PER_SEC;
  c->accept_ban_us = 5 * 60 * G_USEC_PER_SEC;
  c->accept_ban_max_us = G_GINT64_CONSTANT (3) * 3600 * G_USEC_PER_SEC;
  c->idle_ping_us = 60 * G_USEC_PER_SEC;
  c->ping_timeout_us = 60 * G_USEC_PER_SEC;
  c->idle_drop_us = 180 * G_USEC_PER_SEC;
  c->up_min_uptime_us = G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  c->up_min_down_bps = 15 * 1024;
  c->up_min_up_bps = 10 * 1024;
  c->promote_after_us = 20 * G_USEC_PER_SEC;
  c->demote_after_us = 15 * 60 * G_USEC_PER_SEC;
}

SvConnPolicy *
sv_conn_policy_new (const SvConnPolicyConfig *config)
{
  SvConnPolicy *p = g_new0 (SvConnPolicy, 1);
  SvConnPolicyConfig *c = &p->config;

  *c = *config;
  c->leaf_max_ultrapeers = MAX (c->leaf_max_ultrapeers, c->leaf_min_ultrapeers);
  c->up_max_ultrapeers = MAX (c->up_max_ultrapeers, c->up_min_ultrapeers);
  c->accept_per_ip = CLAMP (c->accept_per_ip, 1, SV_CONN_ACCEPT_MAX_PER_WINDOW);
  if (c->accept_ban_max_us < c->accept_ban_us)
    c->accept_ban_max_us = c->accept_ban_us;
  p->ips = g_hash_table_new_full (sv_host_addr_hash, sv_host_addr_key_equal, NULL, g_free);
  return p;
}

void
sv_conn_policy_free (SvConnPolicy *policy)
{
  if (policy == NULL)
    return;
  g_hash_table_unref (policy->ips);
  g_free (policy);
}

const SvConnPolicyConfig *
sv_conn_policy_config (const SvConnPolicy *policy)
{
  return &policy->config;
}

/* --- Role --- */

static SvConnRole
decide_ultrapeer (const SvConnPolicyConfig *c, const SvConnRoleInput *in, const char **why)
{
  /* Demote only on a clear drop, so that the role does not flap around the thresholds. */
  if (in->down_bps < c->up_min_down_bps / 2 || in->up_bps < c->up_min_up_bps / 2)
    {
      *why = "bandwidth fell below half the ultrapeer minimum";
      return SV_CONN_ROLE_LEAF;
    }
  if (in->leaves == 0 && in->leafless_us >= c->demote_after_us && in->ultrapeers > 0
      && (in->ultrapeers >= c->leaf_min_ultrapeers || in->ultrapeers_full))
    {
      *why = "no leaf to serve and enough ultrapeers around";
      return SV_CONN_ROLE_LEAF;
    }
  *why = "remains ultrapeer";
  return SV_CONN_ROLE_ULTRAPEER;
}

static SvConnRole
decide_leaf (const SvConnPolicyConfig *c, const SvConnRoleInput *in, const char **why)
{
  gboolean orphan = in->ultrapeers == 0;

  if (orphan && in->reachable && in->nothing_to_try)
    {
      *why = "reachable and no ultrapeer left to try";
      return SV_CONN_ROLE_ULTRAPEER;
    }
  if (orphan && in->reachable && in->orphan_us >= c->promote_after_us)
    {
      *why = "reachable and no ultrapeer to join";
      return SV_CONN_ROLE_ULTRAPEER;
    }
  if (orphan && in->leaf_refusals > 0 && in->orphan_us >= c->promote_after_us)
    {
      *why = "every servent reached is a leaf";
      return SV_CONN_ROLE_ULTRAPEER;
    }
  if (in->firewalled)
    *why = "firewalled";
  else if (in->uptime_us < c->up_min_uptime_us)
    *why = "uptime too short";
  else if (in->down_bps < c->up_min_down_bps || in->up_bps < c->up_min_up_bps)
    *why = "not enough bandwidth";
  else
    {
      *why = "reachable, stable and fast enough";
      return SV_CONN_ROLE_ULTRAPEER;
    }
  return SV_CONN_ROLE_LEAF;
}

SvConnRole
sv_conn_policy_decide_role (const SvConnPolicy *policy, SvConnRoleMode mode,
                            const SvConnRoleInput *in, const char **reason)
{
  const char *why;
  SvConnRole role;

  if (mode == SV_CONN_ROLE_MODE_LEAF)
    {
      why = "configured as leaf";
      role = SV_CONN_ROLE_LEAF;
    }
  else if (mode == SV_CONN_ROLE_MODE_ULTRAPEER)
    {
      why = "configured as ultrapeer";
      role = SV_CONN_ROLE_ULTRAPEER;
    }
  else if (in->current == SV_CONN_ROLE_ULTRAPEER)
    role = decide_ultrapeer (&policy->config, in, &why);
  else
    role = decide_leaf (&policy->config, in, &why);
  if (reason != NULL)
    *reason = why;
  return role;
}

/* --- Targets, opening, admitting, closing --- */

void
sv_conn_policy_targets (const SvConnPolicy *policy, SvConnRole role, SvConnTargets *out)
{
  const SvConnPolicyConfig *c = &policy->config;

  if (role == SV_CONN_ROLE_ULTRAPEER)
    {
      out->min_ultrapeers = c->up_min_ultrapeers;
      out->max_ultrapeers = c->up_max_ultrapeers;
      out->max_leaves = c->up_max_leaves;
    }
  else
    {
      out->min_ultrapeers = c->leaf_min_ultrapeers;
      out->max_ultrapeers = c->leaf_max_ultrapeers;
      out->max_leaves = 0;
    }
}

guint
sv_conn_policy_want_outgoing (const SvConnPolicy *policy, SvConnRole role,
                              const SvConnCounts *counts)
{
  SvConnTargets t;
  guint have, missing, room;

  sv_conn_policy_targets (policy, role, &t);
  have = counts->ultrapeers + counts->connecting;
  if (have < counts->ultrapeers || have >= t.min_ultrapeers)
    return 0;
  missing = t.min_ultrapeers - have;
  room = counts->connecting >= policy->config.max_connecting
           ? 0 : policy->config.max_connecting - counts->connecting;
  return MIN (missing, room);
}

SvConnAdmit
sv_conn_policy_admit (const SvConnPolicy *policy, SvConnRole role, const SvConnCounts *counts,
                      gboolean peer_is_ultrapeer)
{
  SvConnTargets t;

  sv_conn_policy_targets (policy, role, &t);
  if (peer_is_ultrapeer)
    {
      if (counts->ultrapeers < t.max_ultrapeers)
        return SV_CONN_ADMIT_OK;
      if (role == SV_CONN_ROLE_ULTRAPEER && counts->leaves < t.max_leaves)
        return SV_CONN_ADMIT_AS_LEAF;
      return SV_CONN_ADMIT_BUSY;
    }
  return counts->leaves < t.max_leaves ? SV_CONN_ADMIT_OK : SV_CONN_ADMIT_BUSY;
}

gboolean
sv_conn_policy_ultrapeer_needed (const SvConnPolicy *policy, SvConnRole role,
                                 const SvConnCounts *counts)
{
  SvConnTargets t;

  sv_conn_policy_targets (policy, role, &t);
  return role == SV_CONN_ROLE_ULTRAPEER && counts->ultrapeers < t.max_ultrapeers;
}

typedef struct {
  const SvConnInfo *conns;
} CloseCtx;

/* Closing order: non-preferred first, then youngest first; index breaks ties (stable). */
static gint
close_order (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const CloseCtx *ctx = user_data;
  guint ia = *(const guint *) a, ib = *(const guint *) b;
  const SvConnInfo *x = &ctx->conns[ia], *y = &ctx->conns[ib];

  if (x->preferred != y->preferred)
    return x->preferred ? 1 : -1;
  if (x->connected_since_us != y->connected_since_us)
    return x->connected_since_us > y->connected_since_us ? -1 : 1;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

static guint
close_excess (const SvConnInfo *conns, guint n, gboolean ultrapeers, guint keep, guint *out)
{
  g_autoptr (GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));
  CloseCtx ctx = { conns };
  guint excess;

  for (guint i = 0; i < n; i++)
    if ((conns[i].ultrapeer != FALSE) == ultrapeers)
      g_array_append_val (idx, i);
  if (idx->len <= keep)
    return 0;
  g_array_sort_with_data (idx, close_order, &ctx);
  excess = idx->len - keep;
  memcpy (out, idx->data, excess * sizeof (guint));
  return excess;
}

guint
sv_conn_policy_pick_close (const SvConnPolicy *policy, SvConnRole role, const SvConnInfo *conns,
                           guint n, guint *out)
{
  SvConnTargets t;
  guint k;

  sv_conn_policy_targets (policy, role, &t);
  k = close_excess (conns, n, TRUE, t.max_ultrapeers, out);
  k += close_excess (conns, n, FALSE, t.max_leaves, out + k);
  return k;
}

/* --- Inbound throttling --- */

static void
throttle_key (const SvHostAddr *addr, SvHostAddr *key)
{
  memset (key, 0, sizeof *key);
  key->family = addr->family;
  if (addr->family == SV_HOST_ADDR_IPV4)
    memcpy (key->ip, addr->ip, 4);
  else if (addr->family == SV_HOST_ADDR_IPV6)
    memcpy (key->ip, addr->ip, 8);       /* one /64 is one subscriber */
}

/* Drops the stamps that left the window. */
static void
slide (const SvConnPolicyConfig *c, IpRecord *r, gint64 now_us)
{
  guint keep = 0;

  for (guint i = 0; i < r->n; i++)
    if (now_us - r->stamps[i] < c->accept_window_us)
      r->stamps[keep++] = r->stamps[i];
  r->n = keep;
}

static gboolean
record_stale (const SvConnPolicyConfig *c, IpRecord *r, gint64 now_us)
{
  slide (c, r, now_us);
  /* A banned address is remembered for as long again after its ban, so that a repeat doubles it. */
  return r->n == 0 && r->banned_until_us + r->ban_us <= now_us;
}

static gboolean
expire_one (gpointer key, gpointer value, gpointer user_data)
{
  const SvConnPolicy *p = ((gpointer *) user_data)[0];
  const gint64 *now = ((gpointer *) user_data)[1];

  return record_stale (&p->config, value, *now);
}

guint
sv_conn_policy_expire (SvConnPolicy *policy, gint64 now_us)
{
  gpointer ctx[2] = { policy, &now_us };

  return g_hash_table_foreach_remove (policy->ips, expire_one, ctx);
}

/* Makes room for one more record: stale ones first, else the one idle the longest among those
 * without a ban, else the ban that ends soonest (a flood must not wash bans out). */
static void
make_room (SvConnPolicy *policy, gint64 now_us)
{
  GHashTableIter it;
  gpointer value;
  IpRecord *victim = NULL;

  if (g_hash_table_size (policy->ips) < SV_CONN_ACCEPT_MAX_TRACKED)
    return;
  if (sv_conn_policy_expire (policy, now_us) > 0)
    return;
  g_hash_table_iter_init (&it, policy->ips);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      IpRecord *r = value;
      gboolean r_banned = r->banned_until_us > now_us;

      if (victim == NULL)
        victim = r;
      else if (victim->banned_until_us > now_us)
        {
          if (!r_banned || r->banned_until_us < victim->banned_until_us)
            victim = r;
        }
      else if (!r_banned && r->last_us < victim->last_us)
        victim = r;
    }
  if (victim != NULL)
    g_hash_table_remove (policy->ips, &victim->key);
}

SvConnAccept
sv_conn_policy_accept (SvConnPolicy *policy, const SvHostAddr *addr, guint handshakes,
                       gint64 now_us)
{
  const SvConnPolicyConfig *c = &policy->config;
  SvHostAddr key;
  IpRecord *r;

  throttle_key (addr, &key);
  r = g_hash_table_lookup (policy->ips, &key);
  if (r == NULL)
    {
      make_room (policy, now_us);
      r = g_new0 (IpRecord, 1);
      r->key = key;
      g_hash_table_insert (policy->ips, &r->key, r);
    }
  r->last_us = now_us;
  if (r->banned_until_us > now_us)
    return SV_CONN_ACCEPT_BANNED;

  slide (c, r, now_us);
  if (r->n >= c->accept_per_ip)
    {
      r->ban_us = r->ban_us == 0 ? c->accept_ban_us : MIN (r->ban_us * 2, c->accept_ban_max_us);
      r->banned_until_us = now_us + r->ban_us;
      r->n = 0;
      return SV_CONN_ACCEPT_HAMMERING;
    }
  r->stamps[r->n++] = now_us;

  if (handshakes >= c->max_handshakes)
    return SV_CONN_ACCEPT_BUSY;
  return SV_CONN_ACCEPT_OK;
}

gboolean
sv_conn_policy_is_banned (const SvConnPolicy *policy, const SvHostAddr *addr, gint64 now_us)
{
  SvHostAddr key;
  const IpRecord *r;

  throttle_key (addr, &key);
  r = g_hash_table_lookup (policy->ips, &key);
  return r != NULL && r->banned_until_us > now_us;
}

guint
sv_conn_policy_n_tracked (const SvConnPolicy *policy)
{
  return g_hash_table_size (policy->ips);
}

/* --- Keep-alive --- */

SvConnIdle
sv_conn_policy_idle (const SvConnPolicy *policy, const SvConnActivity *a, gint64 now_us,
                     gint64 *next_us)
{
  const SvConnPolicyConfig *c = &policy->config;
  gint64 drop_at = a->last_rx_us + c->idle_drop_us;
  gint64 next;

  if (now_us >= drop_at)
    {
      if (next_us != NULL)
        *next_us = now_us;
      return SV_CONN_IDLE_BYE_405;
    }
  if (a->ping_sent_us != 0)
    {
      gint64 pong_due = a->ping_sent_us + c->ping_timeout_us;

      if (now_us >= pong_due)
        {
          if (next_us != NULL)
            *next_us = now_us;
          return SV_CONN_IDLE_BYE_406;
        }
      next = MIN (pong_due, drop_at);
    }
  else
    {
      gint64 ping_at = a->last_rx_us + c->idle_ping_us;

      if (now_us >= ping_at)
        {
          if (next_us != NULL)
            *next_us = MIN (now_us + c->ping_timeout_us, drop_at);
          return SV_CONN_IDLE_PING;
        }
      next = MIN (ping_at, drop_at);
    }
  if (next_us != NULL)
    *next_us = next;
  return SV_CONN_IDLE_OK;
}
