/* conn-policy.h: how many connections to keep and which to open, accept, ping or close.
 *
 * The daemon consults this for: connection targets per role (a leaf keeps 3-4 ultrapeers; an
 * ultrapeer about 32 ultrapeers and a few hundred leaves), how many outgoing attempts to start now,
 * which links to close when over target, whether to run as leaf or ultrapeer in "auto" mode, whether
 * to take an inbound connection at all (per-IP connect throttle with a ban, a global cap on
 * handshakes in progress), whether to admit a handshaken peer in its role, and keep-alive timing
 * (ping after an idle spell, Bye 405 after silence, Bye 406 when our ping goes unanswered).
 *
 * Pure: time is a `now_us` argument; the only state is the per-IP accept record. */
#pragma once

#include <glib.h>

#include "host-addr.h"
#include "limits.h"

typedef enum {
  SV_CONN_ROLE_LEAF = 0,
  SV_CONN_ROLE_ULTRAPEER,
} SvConnRole;

typedef enum {
  SV_CONN_ROLE_MODE_AUTO = 0,
  SV_CONN_ROLE_MODE_LEAF,
  SV_CONN_ROLE_MODE_ULTRAPEER,
} SvConnRoleMode;

typedef struct {
  /* Targets. Outgoing attempts are started until `min` ultrapeers are connected (or being
   * connected); inbound ones are admitted up to `max`. */
  guint leaf_min_ultrapeers;   /* 3 */
  guint leaf_max_ultrapeers;   /* 4 */
  guint up_min_ultrapeers;     /* 32 */
  guint up_max_ultrapeers;     /* 32 */
  guint up_max_leaves;         /* 300 */
  guint max_connecting;        /* outgoing attempts in flight at once: 8 */

  /* Inbound throttling. More than `accept_per_ip` connects from one address within
   * `accept_window_us` bans it for `accept_ban_us` (IPv6: per /64); a repeat while it is still
   * remembered doubles the ban, up to `accept_ban_max_us`. */
  guint max_handshakes;        /* handshakes in progress, all peers together: 128 */
  guint accept_per_ip;         /* 5 (clamped to 1..SV_CONN_ACCEPT_MAX_PER_WINDOW) */
  gint64 accept_window_us;     /* 60 s */
  gint64 accept_ban_us;        /* 5 min */
  gint64 accept_ban_max_us;    /* 3 h */

  /* Keep-alive. */
  gint64 idle_ping_us;         /* send a TTL=1 ping after this long without traffic: 60 s */
  gint64 ping_timeout_us;      /* no pong to it within this: Bye 406: 60 s */
  gint64 idle_drop_us;         /* no traffic at all for this long: Bye 405: 180 s */

  /* "auto" role: become an ultrapeer when not firewalled, up long enough, fast enough. */
  gint64 up_min_uptime_us;     /* 1 h */
  guint32 up_min_down_bps;     /* 15 KiB/s (bytes per second) */
  guint32 up_min_up_bps;       /* 10 KiB/s */
  /* ...or when no ultrapeer can be joined: a leaf without any ultrapeer link for this long that
   * is reachable, or whose attempts were refused by leaves, promotes itself. */
  gint64 promote_after_us;     /* 20 s */
  /* An ultrapeer without a single leaf for this long, among enough other ultrapeers, returns
   * to being a leaf. */
  gint64 demote_after_us;      /* 15 min */
} SvConnPolicyConfig;

/* Fills @config with the defaults noted above. */
void sv_conn_policy_config_init (SvConnPolicyConfig *config);

typedef struct _SvConnPolicy SvConnPolicy;

/* @config is copied. Returns: (transfer full). */
SvConnPolicy *sv_conn_policy_new (const SvConnPolicyConfig *config);
void sv_conn_policy_free (SvConnPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvConnPolicy, sv_conn_policy_free)

/* Returns: (transfer none) the policy's configuration (after clamping). */
const SvConnPolicyConfig *sv_conn_policy_config (const SvConnPolicy *policy);

/* --- Role --- */

typedef struct {
  gint64 uptime_us;            /* since the daemon started */
  gboolean firewalled;         /* no inbound TCP connection reached us (or connect-back failed) */
  guint32 down_bps, up_bps;    /* bandwidth estimates, bytes per second */
  SvConnRole current;          /* the role we run now */
  /* What the links say (all zero: nothing known, the classic rules alone apply). */
  gboolean reachable;          /* another host's connection reached our port */
  guint ultrapeers;            /* ultrapeer links up now */
  guint leaves;                /* leaf links up now (as an ultrapeer) */
  gint64 orphan_us;            /* as a leaf: how long we have had no ultrapeer link */
  gboolean nothing_to_try;     /* as a leaf: no host left to dial, none being dialled */
  guint leaf_refusals;         /* our attempts refused by leaves since the last ultrapeer link */
  gint64 leafless_us;          /* as an ultrapeer: how long we have had no leaf */
  gboolean ultrapeers_full;    /* every ultrapeer peer said X-Ultrapeer-Needed: False */
} SvConnRoleInput;

/* Forced modes return their role. In auto mode a leaf is promoted
 * - when it is not firewalled, its uptime reaches up_min_uptime_us and both bandwidth estimates
 *   reach their minimum (gtk-gnutella's rule);
 * - when it is reachable and has had no ultrapeer to join for promote_after_us, or at once when it
 *   is reachable and has no host left to try: someone must serve the leaves around it;
 * - when its attempts were refused by leaves and it has had no ultrapeer for promote_after_us.
 * An ultrapeer is demoted when an estimate drops below half its minimum (so a short dip does not
 * flip the role), or when it has had no leaf for demote_after_us while linked to at least
 * leaf_min_ultrapeers ultrapeers (or to ultrapeers that all say they need no more): too many
 * ultrapeers, too few leaves. @reason: (out) (optional) (transfer none) why, for logs. */
SvConnRole sv_conn_policy_decide_role (const SvConnPolicy *policy, SvConnRoleMode mode,
                                       const SvConnRoleInput *input, const char **reason);

/* --- Targets, opening, admitting, closing --- */

typedef struct {
  guint min_ultrapeers;
  guint max_ultrapeers;
  guint max_leaves;            /* 0 for a leaf */
} SvConnTargets;

void sv_conn_policy_targets (const SvConnPolicy *policy, SvConnRole role, SvConnTargets *out);

typedef struct {
  guint ultrapeers;            /* established links to ultrapeers */
  guint leaves;                /* established links to leaves */
  guint connecting;            /* our outgoing attempts not yet established */
} SvConnCounts;

/* How many new outgoing attempts to start now: the ultrapeers missing to reach the minimum,
 * less those being connected, and no more than max_connecting in flight. */
guint sv_conn_policy_want_outgoing (const SvConnPolicy *policy, SvConnRole role,
                                    const SvConnCounts *counts);

typedef enum {
  SV_CONN_ADMIT_OK,            /* take the peer in the role it asked for */
  SV_CONN_ADMIT_AS_LEAF,       /* an ultrapeer-capable peer, UP slots full, leaf slots free:
                                * answer X-Ultrapeer-Needed: False (leaf guidance) */
  SV_CONN_ADMIT_BUSY,          /* refuse with 503 (and X-Try-Ultrapeers) */
} SvConnAdmit;

/* Whether to take an inbound peer that announced itself as ultrapeer or leaf, given the links we
 * have. A leaf takes no leaves (leaf-to-leaf is 503). */
SvConnAdmit sv_conn_policy_admit (const SvConnPolicy *policy, SvConnRole role,
                                  const SvConnCounts *counts, gboolean peer_is_ultrapeer);

/* X-Ultrapeer-Needed value to announce as an ultrapeer: TRUE while UP slots are free. */
gboolean sv_conn_policy_ultrapeer_needed (const SvConnPolicy *policy, SvConnRole role,
                                          const SvConnCounts *counts);

typedef struct {
  gboolean ultrapeer;          /* the peer is an ultrapeer (else a leaf) */
  gint64 connected_since_us;
  gboolean preferred;          /* a --peer seed or otherwise kept: closed last */
} SvConnInfo;

/* Chooses the links to close so that each kind is back within its maximum for @role (a leaf keeps
 * no leaf links). Within a kind, non-preferred links go first, then the youngest (the longest
 * links have proven themselves). @out receives indexes into @conns; it must hold @n entries.
 * Returns: how many indexes were written. */
guint sv_conn_policy_pick_close (const SvConnPolicy *policy, SvConnRole role,
                                 const SvConnInfo *conns, guint n, guint *out);

/* --- Inbound throttling --- */

typedef enum {
  SV_CONN_ACCEPT_OK,
  SV_CONN_ACCEPT_BANNED,       /* the address is serving a ban: close at once */
  SV_CONN_ACCEPT_HAMMERING,    /* this connect went over the per-IP rate: banned from now */
  SV_CONN_ACCEPT_BUSY,         /* too many handshakes in progress: refuse for now (503) */
} SvConnAccept;

/* Called for each new inbound connection before reading from it. Records the connect against its
 * address (the port is ignored; IPv6 counts per /64) even when the verdict is BUSY.
 * @handshakes: handshakes already in progress. */
SvConnAccept sv_conn_policy_accept (SvConnPolicy *policy, const SvHostAddr *addr,
                                    guint handshakes, gint64 now_us);

/* TRUE while @addr serves a ban. */
gboolean sv_conn_policy_is_banned (const SvConnPolicy *policy, const SvHostAddr *addr, gint64 now_us);

/* Forgets per-IP records with no ban and no connect within the window. Returns: how many. */
guint sv_conn_policy_expire (SvConnPolicy *policy, gint64 now_us);

/* Addresses currently tracked (at most SV_CONN_ACCEPT_MAX_TRACKED). */
guint sv_conn_policy_n_tracked (const SvConnPolicy *policy);

/* --- Keep-alive --- */

typedef struct {
  gint64 last_rx_us;           /* last byte received from the peer (the connect time at first) */
  gint64 ping_sent_us;         /* our keep-alive ping still waiting for its pong; 0 if none */
} SvConnActivity;

typedef enum {
  SV_CONN_IDLE_OK,
  SV_CONN_IDLE_PING,           /* send a TTL=1 ping now and set ping_sent_us */
  SV_CONN_IDLE_BYE_405,        /* inactivity timeout: Bye 405, close */
  SV_CONN_IDLE_BYE_406,        /* our TTL=1 ping went unanswered: Bye 406, close */
} SvConnIdle;

/* The keep-alive verdict at @now_us. @next_us: (out) (optional) the time at which the verdict may
 * change, for the caller's timer. */
SvConnIdle sv_conn_policy_idle (const SvConnPolicy *policy, const SvConnActivity *activity,
                                gint64 now_us, gint64 *next_us);
