/* test-conn-policy.c: role choice, targets, admission, closing, accept throttling, keep-alive. */
#include "check-util.h"
#include "conn-policy.h"

#include <string.h>

#define SEC G_GINT64_CONSTANT (1000000)
#define T0 (G_GINT64_CONSTANT (1700000000) * SEC)

static SvHostAddr
addr (const char *text)
{
  SvHostAddr a;

  ck_assert (sv_host_addr_parse (text, strlen (text), SV_HOST_ADDR_DEFAULT_PORT, &a) == SV_STATUS_OK);
  return a;
}

static SvConnPolicy *
policy_default (void)
{
  SvConnPolicyConfig c;

  sv_conn_policy_config_init (&c);
  return sv_conn_policy_new (&c);
}

START_TEST (test_role_decision)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  const SvConnPolicyConfig *c = sv_conn_policy_config (p);
  SvConnRoleInput in = { .uptime_us = 2 * 3600 * SEC, .firewalled = FALSE,
                         .down_bps = 100 * 1024, .up_bps = 50 * 1024, .current = SV_CONN_ROLE_LEAF };
  const char *why = NULL;

  /* Forced modes win over everything. */
  in.firewalled = TRUE;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_ULTRAPEER, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  in.firewalled = FALSE;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_LEAF, &in, &why), SV_CONN_ROLE_LEAF);

  /* Auto: every criterion met → ultrapeer. */
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  ck_assert_ptr_nonnull (why);
  /* Each criterion alone keeps a leaf a leaf. */
  in.firewalled = TRUE;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_LEAF);
  ck_assert_str_eq (why, "firewalled");
  in.firewalled = FALSE;
  in.uptime_us = c->up_min_uptime_us - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, NULL), SV_CONN_ROLE_LEAF);
  in.uptime_us = c->up_min_uptime_us;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, NULL), SV_CONN_ROLE_ULTRAPEER);
  in.down_bps = c->up_min_down_bps - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, NULL), SV_CONN_ROLE_LEAF);
  in.down_bps = c->up_min_down_bps;
  in.up_bps = c->up_min_up_bps - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, NULL), SV_CONN_ROLE_LEAF);

  /* Hysteresis: an ultrapeer whose bandwidth dips a little stays one; a big drop demotes it. An
   * ultrapeer serving leaves stays one whatever the reachability verdict says. */
  in.current = SV_CONN_ROLE_ULTRAPEER;
  in.up_bps = c->up_min_up_bps / 2;
  in.down_bps = c->up_min_down_bps / 2;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, NULL), SV_CONN_ROLE_ULTRAPEER);
  in.up_bps = c->up_min_up_bps / 2 - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, NULL), SV_CONN_ROLE_LEAF);
  in.up_bps = c->up_min_up_bps;
  in.firewalled = TRUE;
  in.leaves = 5;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, NULL), SV_CONN_ROLE_ULTRAPEER);
}
END_TEST

/* A new servent with the minimum bandwidth and a few seconds of uptime. */
static SvConnRoleInput
fresh_leaf (const SvConnPolicyConfig *c)
{
  SvConnRoleInput in = { .uptime_us = 5 * SEC, .firewalled = TRUE, .down_bps = c->up_min_down_bps,
                         .up_bps = c->up_min_up_bps, .current = SV_CONN_ROLE_LEAF };
  return in;
}

START_TEST (test_role_orphan_promotion)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  const SvConnPolicyConfig *c = sv_conn_policy_config (p);
  SvConnRoleInput in = fresh_leaf (c);
  const char *why = NULL;

  ck_assert_int_eq (c->promote_after_us, 20 * SEC);
  /* Orphaned but never reached from outside, nothing refused: stays a leaf however long. */
  in.orphan_us = 3600 * SEC;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_LEAF);
  /* Reachable: promoted once orphaned for promote_after, not before. */
  in.reachable = TRUE;
  in.orphan_us = c->promote_after_us - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_LEAF);
  in.orphan_us = c->promote_after_us;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  ck_assert_str_eq (why, "reachable and no ultrapeer to join");
  /* ...at once when there is nobody left to try. */
  in.orphan_us = 0;
  in.nothing_to_try = TRUE;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  ck_assert_str_eq (why, "reachable and no ultrapeer left to try");
  /* One ultrapeer link is enough to stay a leaf. */
  in.ultrapeers = 1;
  in.orphan_us = 3600 * SEC;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_LEAF);
  /* Refused by leaves: promoted after promote_after even when not known to be reachable. */
  in = fresh_leaf (c);
  in.leaf_refusals = 2;
  in.orphan_us = c->promote_after_us - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_LEAF);
  in.orphan_us = c->promote_after_us;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  ck_assert_str_eq (why, "every servent reached is a leaf");
  /* Forced modes ignore all of it. */
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_LEAF, &in, &why), SV_CONN_ROLE_LEAF);
}
END_TEST

START_TEST (test_role_demotion)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  const SvConnPolicyConfig *c = sv_conn_policy_config (p);
  SvConnRoleInput in = fresh_leaf (c);
  const char *why = NULL;

  in.current = SV_CONN_ROLE_ULTRAPEER;
  in.ultrapeers = c->leaf_min_ultrapeers;
  in.leafless_us = c->demote_after_us - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  in.leafless_us = c->demote_after_us;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_LEAF);
  ck_assert_str_eq (why, "no leaf to serve and enough ultrapeers around");
  /* A single leaf keeps it up. */
  in.leaves = 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  /* Too few ultrapeers around: the overlay needs it, unless they all say they need no more. */
  in.leaves = 0;
  in.ultrapeers = c->leaf_min_ultrapeers - 1;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  in.ultrapeers_full = TRUE;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_LEAF);
  /* Alone: never demoted (nobody to be a leaf of). */
  in.ultrapeers = 0;
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_AUTO, &in, &why), SV_CONN_ROLE_ULTRAPEER);
  ck_assert_int_eq (sv_conn_policy_decide_role (p, SV_CONN_ROLE_MODE_ULTRAPEER, &in, &why), SV_CONN_ROLE_ULTRAPEER);
}
END_TEST

START_TEST (test_targets_and_outgoing)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  SvConnTargets t;
  SvConnCounts n = { 0 };

  sv_conn_policy_targets (p, SV_CONN_ROLE_LEAF, &t);
  ck_assert_uint_eq (t.min_ultrapeers, 3);
  ck_assert_uint_eq (t.max_ultrapeers, 4);
  ck_assert_uint_eq (t.max_leaves, 0);
  sv_conn_policy_targets (p, SV_CONN_ROLE_ULTRAPEER, &t);
  ck_assert_uint_eq (t.min_ultrapeers, 32);
  ck_assert_uint_eq (t.max_leaves, 300);

  /* A fresh leaf dials 3; attempts in flight count towards the target. */
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_LEAF, &n), 3);
  n.connecting = 2;
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_LEAF, &n), 1);
  n.ultrapeers = 1;
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_LEAF, &n), 0);
  n.ultrapeers = 4;
  n.connecting = 0;
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_LEAF, &n), 0);

  /* An ultrapeer is paced by max_connecting. */
  n.ultrapeers = 0;
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_ULTRAPEER, &n), 8);
  n.connecting = 8;
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_ULTRAPEER, &n), 0);
  n.connecting = 3;
  n.ultrapeers = 27;
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_ULTRAPEER, &n), 2);
  n.connecting = G_MAXUINT;
  n.ultrapeers = 5;                 /* no wrap-around on silly counts */
  ck_assert_uint_eq (sv_conn_policy_want_outgoing (p, SV_CONN_ROLE_ULTRAPEER, &n), 0);
}
END_TEST

START_TEST (test_admit)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  SvConnCounts n = { 0 };

  /* Leaf: ultrapeers up to 4, leaves never (leaf-to-leaf is 503). */
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_LEAF, &n, TRUE), SV_CONN_ADMIT_OK);
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_LEAF, &n, FALSE), SV_CONN_ADMIT_BUSY);
  n.ultrapeers = 4;
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_LEAF, &n, TRUE), SV_CONN_ADMIT_BUSY);
  ck_assert (!sv_conn_policy_ultrapeer_needed (p, SV_CONN_ROLE_LEAF, &n));

  /* Ultrapeer: UP slots, then leaf guidance, then busy. */
  n.ultrapeers = 31;
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_ULTRAPEER, &n, TRUE), SV_CONN_ADMIT_OK);
  ck_assert (sv_conn_policy_ultrapeer_needed (p, SV_CONN_ROLE_ULTRAPEER, &n));
  n.ultrapeers = 32;
  ck_assert (!sv_conn_policy_ultrapeer_needed (p, SV_CONN_ROLE_ULTRAPEER, &n));
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_ULTRAPEER, &n, TRUE), SV_CONN_ADMIT_AS_LEAF);
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_ULTRAPEER, &n, FALSE), SV_CONN_ADMIT_OK);
  n.leaves = 300;
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_ULTRAPEER, &n, TRUE), SV_CONN_ADMIT_BUSY);
  ck_assert_int_eq (sv_conn_policy_admit (p, SV_CONN_ROLE_ULTRAPEER, &n, FALSE), SV_CONN_ADMIT_BUSY);
}
END_TEST

START_TEST (test_pick_close)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  /* Six ultrapeers and two leaves while we are a leaf (max 4 UPs, no leaves). */
  SvConnInfo conns[] = {
    { TRUE, T0 + 10, FALSE },   /* 0 */
    { TRUE, T0 + 60, TRUE },    /* 1: youngest, but preferred */
    { TRUE, T0 + 50, FALSE },   /* 2: youngest non-preferred */
    { FALSE, T0 + 5, FALSE },   /* 3: a leaf */
    { TRUE, T0 + 20, FALSE },   /* 4 */
    { TRUE, T0 + 40, FALSE },   /* 5 */
    { TRUE, T0 + 1, FALSE },    /* 6: oldest */
    { FALSE, T0 + 7, TRUE },    /* 7: a preferred leaf */
  };
  guint out[G_N_ELEMENTS (conns)];
  guint k = sv_conn_policy_pick_close (p, SV_CONN_ROLE_LEAF, conns, G_N_ELEMENTS (conns), out);

  ck_assert_uint_eq (k, 4);
  ck_assert_uint_eq (out[0], 2);
  ck_assert_uint_eq (out[1], 5);
  /* Both leaves go, the non-preferred first. */
  ck_assert_uint_eq (out[2], 3);
  ck_assert_uint_eq (out[3], 7);

  /* As an ultrapeer the same set is within target: nothing to close. */
  ck_assert_uint_eq (sv_conn_policy_pick_close (p, SV_CONN_ROLE_ULTRAPEER, conns, G_N_ELEMENTS (conns), out), 0);
  ck_assert_uint_eq (sv_conn_policy_pick_close (p, SV_CONN_ROLE_LEAF, conns, 0, out), 0);
}
END_TEST

START_TEST (test_accept_throttle_per_ip)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  SvHostAddr a = addr ("8.8.8.8:40001"), a2 = addr ("8.8.8.8:40002"), b = addr ("9.9.9.9:1");
  gint64 now = T0, ban1, ban2;

  /* Five connects a minute are fine (the port does not matter): a servent retrying a busy host
   * every 15 s or so is never banned. */
  for (guint i = 0; i < 5; i++)
    ck_assert_int_eq (sv_conn_policy_accept (p, i % 2 ? &a2 : &a, 0, now + i * 12 * SEC), SV_CONN_ACCEPT_OK);
  /* The sixth within 60 s bans the address for five minutes. */
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, now + 59 * SEC), SV_CONN_ACCEPT_HAMMERING);
  ck_assert (sv_conn_policy_is_banned (p, &a, now + 59 * SEC));
  /* Others are unaffected. */
  ck_assert_int_eq (sv_conn_policy_accept (p, &b, 0, now + 59 * SEC), SV_CONN_ACCEPT_OK);
  ban1 = now + 59 * SEC + 300 * SEC;
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, now + 120 * SEC), SV_CONN_ACCEPT_BANNED);
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, ban1 - 1), SV_CONN_ACCEPT_BANNED);
  ck_assert (!sv_conn_policy_is_banned (p, &a, ban1));
  /* Hammering again soon after doubles the ban. */
  for (guint i = 0; i < 5; i++)
    ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, ban1 + i), SV_CONN_ACCEPT_OK);
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, ban1 + 5), SV_CONN_ACCEPT_HAMMERING);
  ban2 = ban1 + 5 + 600 * SEC;
  ck_assert (sv_conn_policy_is_banned (p, &a, ban2 - 1));
  ck_assert (!sv_conn_policy_is_banned (p, &a, ban2));
  /* Long forgotten afterwards, an address starts again from five minutes. */
  sv_conn_policy_expire (p, ban2 + 3600 * SEC);
  for (guint i = 0; i < 5; i++)
    ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, ban2 + 3600 * SEC + i), SV_CONN_ACCEPT_OK);
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, ban2 + 3600 * SEC + 5), SV_CONN_ACCEPT_HAMMERING);
  ck_assert (!sv_conn_policy_is_banned (p, &a, ban2 + 3600 * SEC + 5 + 300 * SEC));
}
END_TEST

START_TEST (test_accept_sliding_window)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  SvHostAddr a = addr ("8.8.4.4:1");

  /* One connect every 13 s never has more than five in any 60 s window. */
  for (gint64 i = 0; i < 40; i++)
    ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, T0 + i * 13 * SEC), SV_CONN_ACCEPT_OK);
  /* One every 11 s does: the sixth lands inside the window of the first. */
  a = addr ("8.8.4.5:1");
  for (gint64 i = 0; i < 5; i++)
    ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, T0 + i * 11 * SEC), SV_CONN_ACCEPT_OK);
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, T0 + 55 * SEC), SV_CONN_ACCEPT_HAMMERING);
}
END_TEST

START_TEST (test_accept_ipv6_per_64)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  SvHostAddr a = addr ("[2a00:1:2:3::1]:1"), b = addr ("[2a00:1:2:3:ffff::9]:1"), c = addr ("[2a00:1:2:4::1]:1");

  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, T0), SV_CONN_ACCEPT_OK);
  for (gint64 i = 1; i < 5; i++)
    ck_assert_int_eq (sv_conn_policy_accept (p, &b, 0, T0 + i), SV_CONN_ACCEPT_OK);
  ck_assert_int_eq (sv_conn_policy_accept (p, &b, 0, T0 + 5), SV_CONN_ACCEPT_HAMMERING);
  ck_assert (sv_conn_policy_is_banned (p, &a, T0 + 6));
  ck_assert_int_eq (sv_conn_policy_accept (p, &c, 0, T0 + 6), SV_CONN_ACCEPT_OK);
}
END_TEST

START_TEST (test_accept_global_cap_and_table_cap)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  guint cap = sv_conn_policy_config (p)->max_handshakes;
  SvHostAddr a;

  sv_host_addr_set_ipv4_u32 (&a, 0x05000001, 1);
  ck_assert_uint_eq (cap, 128);   /* the default: a burst of 80 connecting leaves fits */
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, cap - 1, T0), SV_CONN_ACCEPT_OK);
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, cap, T0 + 1), SV_CONN_ACCEPT_BUSY);
  /* A BUSY refusal still counts towards the per-IP rate. */
  for (gint64 i = 2; i < 5; i++)
    ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, T0 + i), SV_CONN_ACCEPT_OK);
  ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, T0 + 5), SV_CONN_ACCEPT_HAMMERING);

  /* A flood from many addresses never grows the table past its cap. */
  for (guint i = 0; i < SV_CONN_ACCEPT_MAX_TRACKED + 100; i++)
    {
      sv_host_addr_set_ipv4_u32 (&a, 0x06000000 + i, 1);
      ck_assert_int_eq (sv_conn_policy_accept (p, &a, 0, T0 + 10 + i), SV_CONN_ACCEPT_OK);
      ck_assert_uint_le (sv_conn_policy_n_tracked (p), SV_CONN_ACCEPT_MAX_TRACKED);
    }
  /* The flood did not wash out the ban; once the window has passed, everything else is forgotten. */
  sv_host_addr_set_ipv4_u32 (&a, 0x05000001, 1);
  ck_assert (sv_conn_policy_is_banned (p, &a, T0 + 120 * SEC));
  sv_conn_policy_expire (p, T0 + 120 * SEC);
  ck_assert_uint_eq (sv_conn_policy_n_tracked (p), 1);
  sv_conn_policy_expire (p, T0 + 2 * 3600 * SEC);
  ck_assert_uint_eq (sv_conn_policy_n_tracked (p), 0);
}
END_TEST

START_TEST (test_keepalive)
{
  g_autoptr (SvConnPolicy) p = policy_default ();
  SvConnActivity act = { .last_rx_us = T0, .ping_sent_us = 0 };
  gint64 next = 0;

  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 59 * SEC, &next), SV_CONN_IDLE_OK);
  ck_assert_int_eq (next, T0 + 60 * SEC);
  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 60 * SEC, &next), SV_CONN_IDLE_PING);
  act.ping_sent_us = T0 + 60 * SEC;
  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 61 * SEC, &next), SV_CONN_IDLE_OK);
  ck_assert_int_eq (next, T0 + 120 * SEC);
  /* No pong within the timeout: 406. */
  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 120 * SEC, NULL), SV_CONN_IDLE_BYE_406);
  /* Traffic but no pong still earns 406: the link does not answer pings. */
  act.last_rx_us = T0 + 100 * SEC;
  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 120 * SEC, NULL), SV_CONN_IDLE_BYE_406);
  /* The pong arrived: back to normal. */
  act.ping_sent_us = 0;
  act.last_rx_us = T0 + 110 * SEC;
  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 120 * SEC, NULL), SV_CONN_IDLE_OK);
  /* Total silence past the drop time: 405, whatever the ping state. */
  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 290 * SEC, NULL), SV_CONN_IDLE_BYE_405);
  act.ping_sent_us = T0 + 280 * SEC;
  ck_assert_int_eq (sv_conn_policy_idle (p, &act, T0 + 290 * SEC, NULL), SV_CONN_IDLE_BYE_405);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("conn-policy");
  TCase *tc = tcase_create ("conn-policy");

  tcase_add_test (tc, test_role_decision);
  tcase_add_test (tc, test_role_orphan_promotion);
  tcase_add_test (tc, test_role_demotion);
  tcase_add_test (tc, test_targets_and_outgoing);
  tcase_add_test (tc, test_admit);
  tcase_add_test (tc, test_pick_close);
  tcase_add_test (tc, test_accept_throttle_per_ip);
  tcase_add_test (tc, test_accept_sliding_window);
  tcase_add_test (tc, test_accept_ipv6_per_64);
  tcase_add_test (tc, test_accept_global_cap_and_table_cap);
  tcase_add_test (tc, test_keepalive);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
