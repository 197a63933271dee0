/* test-router.c: routing verdicts: duplicates, TTL rules and kicks, reverse paths, push routes,
 * QRP targets for leaves and last-hop ultrapeers, hops-flow, a line of ultrapeers. */
#include "check-util.h"
#include "msg-bye.h"
#include "router.h"

#include <string.h>

static SvGuid our_guid;

static SvGuid
guid_of (guint n)
{
  SvGuid g;

  memset (g.b, 0x11, sizeof g.b);
  g.b[0] = (guint8) n;
  g.b[1] = (guint8) (n >> 8);
  g.b[8] = SV_GUID_MODERN_MARK;
  return g;
}

static SvRouter *
router_new (SvRouterRole role)
{
  SvRouterConfig cfg;

  our_guid = guid_of (0xFFF);
  sv_router_config_init (&cfg, role, &our_guid);
  return sv_router_new (&cfg, NULL);
}

static SvRouterPeer
up (guint64 id)
{
  return (SvRouterPeer) { .id = id, .role = SV_ROUTER_ROLE_ULTRAPEER,
                          .hops_flow = SV_ROUTER_HOPS_FLOW_ANY, .ggep = TRUE };
}

/* A leaf with its table's signature, as the daemon keeps it: every leaf test also checks that
 * the signature refuses nothing the table admits. */
static SvRouterPeer
leaf (guint64 id, const SvQrpTable *qrp)
{
  SvRouterPeer p = { .id = id, .role = SV_ROUTER_ROLE_LEAF, .qrp = qrp,
                     .hops_flow = SV_ROUTER_HOPS_FLOW_ANY, .ggep = TRUE };

  if (qrp != NULL)
    sv_qrp_table_signature (qrp, &p.qrp_sig);
  return p;
}

static SvRouterInput
msg (guint8 type, guint muid, guint8 ttl, guint8 hops, guint64 conn)
{
  SvRouterInput in = { 0 };

  in.hdr.guid = guid_of (muid);
  in.hdr.type = type;
  in.hdr.ttl = ttl;
  in.hdr.hops = hops;
  in.hdr.length = 30;
  in.conn = conn;
  return in;
}

static SvQrpTable *
table_with (const char *name)
{
  SvQrpTable *t = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);

  sv_qrp_table_add_name (t, name, -1);
  return t;
}

static gboolean
has_target (const SvRouterVerdict *v, guint64 id)
{
  for (guint i = 0; i < v->targets->len; i++)
    if (g_array_index (v->targets, guint64, i) == id)
      return TRUE;
  return FALSE;
}

START_TEST (test_duplicate_dropped_and_counted)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (1), up (2), up (3) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 3, 0, 1);

  sv_router_verdict_init (&v);
  ck_assert_int_eq (sv_router_route (r, &q, peers, 3, 0, &v), SV_ROUTE_FORWARD);
  ck_assert_uint_eq (v.targets->len, 2);
  ck_assert (has_target (&v, 2) && has_target (&v, 3) && !has_target (&v, 1));
  ck_assert (v.handle_local);

  q.conn = 2;
  ck_assert_int_eq (sv_router_route (r, &q, peers, 3, 1, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_DUPLICATE);
  ck_assert_uint_eq (v.targets->len, 0);
  ck_assert_uint_eq (sv_router_drop_count (r, SV_ROUTE_DROP_DUPLICATE), 1);
  ck_assert_uint_eq (sv_route_table_duplicates (sv_router_route_table (r), 2), 1);
  ck_assert_str_eq (sv_router_drop_reason_name (v.reason), "duplicate");

  /* Same MUID, another type: not a duplicate. */
  SvRouterInput p = msg (SV_MSG_PING, 1, 3, 0, 2);
  ck_assert_int_eq (sv_router_route (r, &p, peers, 3, 2, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert_uint_eq (sv_router_drop_count (r, SV_ROUTE_DROP_DUPLICATE), 1);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_ext_probes_resend)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (1), up (2), up (3) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 9, 1, 0, 1);

  sv_router_verdict_init (&v);
  peers[0].ext_probes = TRUE;
  sv_router_route (r, &q, peers, 3, 0, &v);
  ck_assert (v.handle_local);
  q.hdr.ttl = 3;
  ck_assert_int_eq (sv_router_route (r, &q, peers, 3, 1, &v), SV_ROUTE_FORWARD);
  ck_assert (!v.handle_local);          /* answered the first time */
  ck_assert_uint_eq (v.targets->len, 2);
  ck_assert_uint_eq (v.hdr.ttl, 2);

  /* The same from a peer without X-Ext-Probes is a duplicate. */
  SvRouterInput q2 = msg (SV_MSG_QUERY, 10, 1, 0, 2);
  sv_router_route (r, &q2, peers, 3, 2, &v);
  q2.hdr.ttl = 3;
  ck_assert_int_eq (sv_router_route (r, &q2, peers, 3, 3, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_DUPLICATE);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_reverse_path_hit)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (3), up (5), up (7), up (9) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 42, 3, 1, 7);
  SvGuid servent = guid_of (500);
  SvRouterInput hit = msg (SV_MSG_QUERYHIT, 42, 6, 2, 3);

  sv_router_verdict_init (&v);
  sv_router_route (r, &q, peers, 4, 0, &v);
  hit.servent = &servent;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 4, 10, &v), SV_ROUTE_FORWARD);
  ck_assert_uint_eq (v.targets->len, 1);
  ck_assert_uint_eq (g_array_index (v.targets, guint64, 0), 7);
  ck_assert_uint_eq (v.hdr.ttl, 5);
  ck_assert_uint_eq (v.hdr.hops, 3);
  ck_assert (!v.handle_local);

  /* No route: dropped, never broadcast. */
  SvRouterInput stray = msg (SV_MSG_QUERYHIT, 43, 6, 2, 3);
  ck_assert_int_eq (sv_router_route (r, &stray, peers, 4, 11, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NO_ROUTE);
  ck_assert_uint_eq (v.targets->len, 0);

  /* The route's connection closed: dropped too. */
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 2, 12, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NO_ROUTE);

  /* A hit back to where the query came from is a loop. */
  hit.conn = 7;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 4, 13, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_ROUTE_LOOP);

  /* Too big to relay. */
  hit.conn = 3;
  hit.hdr.length = SV_MSG_MAX_QUERYHIT_FORWARD_BYTES + 1;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 4, 14, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_TOO_BIG);

  /* TTL running out before the next hop. */
  hit.hdr.length = 100;
  hit.hdr.ttl = 1;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 4, 15, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_TTL_EXPIRED);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_own_query_and_ping)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_LEAF);
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;
  SvGuid mine = guid_of (77);
  SvGuid servent = guid_of (600);
  SvRouterInput hit = msg (SV_MSG_QUERYHIT, 77, 5, 3, 2);
  SvRouterInput pong = msg (SV_MSG_PONG, 78, 5, 1, 1);
  guint64 conn = 0;

  sv_router_verdict_init (&v);
  sv_router_originate (r, &mine, SV_MSG_QUERY, 0);
  mine = guid_of (78);
  sv_router_originate (r, &mine, SV_MSG_PING, 0);
  hit.servent = &servent;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 2, 5, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert (v.handle_local);
  ck_assert_uint_eq (v.targets->len, 0);
  /* The hit taught where pushes for its servent go. */
  ck_assert (sv_push_route_lookup (sv_router_push_route (r), &servent, 6, &conn));
  ck_assert_uint_eq (conn, 2);
  ck_assert_int_eq (sv_router_route (r, &pong, peers, 2, 6, &v), SV_ROUTE_HANDLE_LOCAL);

  /* Our own query echoed back by a peer is a duplicate. */
  SvRouterInput echo = msg (SV_MSG_QUERY, 77, 2, 2, 1);
  ck_assert_int_eq (sv_router_route (r, &echo, peers, 2, 7, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_DUPLICATE);

  /* A role change keeps what the router learnt: more hits for our query still come to us,
   * and the push route is still known. */
  sv_router_set_role (r, SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterInput hit2 = msg (SV_MSG_QUERYHIT, 77, 5, 3, 1);
  hit2.servent = &servent;
  ck_assert_int_eq (sv_router_route (r, &hit2, peers, 2, 8, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert (sv_push_route_lookup (sv_router_push_route (r), &servent, 9, &conn));
  ck_assert_uint_eq (sv_router_drop_count (r, SV_ROUTE_DROP_DUPLICATE), 1);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_push_routing)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (3), up (7), leaf (8, NULL) };
  SvRouterVerdict v;
  SvGuid servent = guid_of (900), unknown = guid_of (901);
  SvRouterInput q = msg (SV_MSG_QUERY, 50, 3, 0, 7);
  SvRouterInput hit = msg (SV_MSG_QUERYHIT, 50, 5, 2, 3);
  SvRouterInput push = msg (SV_MSG_PUSH, 51, 5, 0, 7);

  sv_router_verdict_init (&v);
  peers[0].ggep = FALSE;
  sv_router_route (r, &q, peers, 3, 0, &v);
  hit.servent = &servent;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 3, 1, &v), SV_ROUTE_FORWARD);

  push.servent = &servent;
  push.has_ggep = TRUE;
  ck_assert_int_eq (sv_router_route (r, &push, peers, 3, 2, &v), SV_ROUTE_FORWARD);
  ck_assert_uint_eq (v.targets->len, 1);
  ck_assert_uint_eq (g_array_index (v.targets, guint64, 0), 3);
  ck_assert_uint_eq (v.hdr.ttl, 4);
  ck_assert_uint_eq (v.hdr.hops, 1);
  ck_assert (v.strip_ggep);             /* peer 3 did not advertise GGEP */

  SvRouterInput lost = msg (SV_MSG_PUSH, 52, 5, 0, 7);
  lost.servent = &unknown;
  ck_assert_int_eq (sv_router_route (r, &lost, peers, 3, 3, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NO_ROUTE);
  ck_assert_uint_eq (v.targets->len, 0);

  SvRouterInput ours = msg (SV_MSG_PUSH, 53, 5, 0, 7);
  ours.servent = &our_guid;
  ck_assert_int_eq (sv_router_route (r, &ours, peers, 3, 4, &v), SV_ROUTE_HANDLE_LOCAL);

  /* A copy of the same push is a duplicate. */
  ck_assert_int_eq (sv_router_route (r, &push, peers, 3, 5, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_DUPLICATE);

  /* Connection 3 closes: its push routes go with it. */
  sv_router_forget_connection (r, 3);
  SvRouterInput again = msg (SV_MSG_PUSH, 54, 5, 0, 7);
  again.servent = &servent;
  ck_assert_int_eq (sv_router_route (r, &again, peers, 3, 6, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NO_ROUTE);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_ttl_trim_and_hard_limit_kick)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 7, 1, 1);

  sv_router_verdict_init (&v);
  /* A TTL above the max is trimmed to it, then hopped. */
  ck_assert_int_eq (sv_router_route (r, &q, peers, 2, 0, &v), SV_ROUTE_FORWARD);
  ck_assert_uint_eq (v.hdr.ttl, SV_MSG_MAX_TTL - 1);
  ck_assert_uint_eq (v.hdr.hops, 2);

  /* TTL 255 (and any hops + TTL above 15) is over the hard limit (msg-header's rule: the limit
   * is checked before trimming): dropped, and repeated, kicked with 403. */
  for (guint i = 0; i < SV_ROUTER_DEFAULT_TTL_VIOLATIONS; i++)
    {
      SvRouterInput bad = i == 0 ? msg (SV_MSG_QUERY, 100, 255, 0, 1)
                                 : msg (SV_MSG_QUERY, 100 + i, 10, 6, 1);

      ck_assert_int_eq (sv_router_route (r, &bad, peers, 2, 1 + i, &v), SV_ROUTE_DROP);
      ck_assert_int_eq (v.reason, SV_ROUTE_DROP_TTL_LIMIT);
      ck_assert_uint_eq (v.targets->len, 0);
    }
  SvRouterInput bad = msg (SV_MSG_QUERY, 999, 9, 7, 1);
  ck_assert_int_eq (sv_router_route (r, &bad, peers, 2, 50, &v), SV_ROUTE_KICK);
  ck_assert_uint_eq (v.bye_code, SV_BYE_TTL_HOPS_LIMIT);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_TTL_LIMIT);
  ck_assert_uint_eq (sv_router_drop_count (r, SV_ROUTE_DROP_TTL_LIMIT),
                     SV_ROUTER_DEFAULT_TTL_VIOLATIONS + 1);
  /* Exactly 15 is allowed. */
  SvRouterInput edge = msg (SV_MSG_QUERY, 1000, 4, 11, 2);
  ck_assert_int_ne (sv_router_route (r, &edge, peers, 2, 51, &v), SV_ROUTE_KICK);
  ck_assert_int_ne (v.reason, SV_ROUTE_DROP_TTL_LIMIT);
  /* Another connection is not held responsible. */
  SvRouterInput other = msg (SV_MSG_QUERY, 1001, 10, 6, 2);
  ck_assert_int_eq (sv_router_route (r, &other, peers, 2, 52, &v), SV_ROUTE_DROP);
  /* Outside the window, the count starts over. */
  SvRouterInput later = msg (SV_MSG_QUERY, 1002, 10, 6, 1);
  ck_assert_int_eq (sv_router_route (r, &later, peers, 2, 50 + SV_ROUTER_DEFAULT_WINDOW_US, &v),
                    SV_ROUTE_DROP);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_duplicates_kick)
{
  SvRouterConfig cfg;
  g_autoptr (SvRouter) r = NULL;
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 3, 0, 1);

  sv_router_config_init (&cfg, SV_ROUTER_ROLE_ULTRAPEER, &our_guid);
  cfg.max_duplicates = 3;
  r = sv_router_new (&cfg, NULL);
  sv_router_verdict_init (&v);
  sv_router_route (r, &q, peers, 2, 0, &v);
  q.conn = 2;
  for (guint i = 0; i < 3; i++)
    ck_assert_int_eq (sv_router_route (r, &q, peers, 2, 1 + i, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (sv_router_route (r, &q, peers, 2, 5, &v), SV_ROUTE_KICK);
  ck_assert_uint_eq (v.bye_code, SV_BYE_TOO_MANY_DUPLICATES);
  sv_router_verdict_clear (&v);
}
END_TEST

/* A line of ultrapeers 1 - 2 - … - 8, each only linked to its neighbours: a query injected at
 * router 1 with TTL t reaches exactly t routers. */
START_TEST (test_line_of_connections)
{
  for (guint8 ttl = 1; ttl <= SV_MSG_MAX_TTL; ttl++)
    {
      enum { N = 8 };
      SvRouter *line[N];
      SvRouterVerdict v;
      SvRouterInput in = msg (SV_MSG_QUERY, 300 + ttl, ttl, 0, 0);
      guint reached = 0;

      sv_router_verdict_init (&v);
      for (guint i = 0; i < N; i++)
        line[i] = router_new (SV_ROUTER_ROLE_ULTRAPEER);
      /* Connection ids: router i reaches router i-1 (or the origin) on 100+i, router i+1 on
       * 101+i, which is what router i+1 sees as 100+(i+1). */
      for (guint i = 0; i < N; i++)
        {
          SvRouterPeer peers[2] = { up (100 + i), up (101 + i) };
          SvRouteAction a;

          in.conn = 100 + i;
          a = sv_router_route (line[i], &in, peers, 2, 0, &v);
          ck_assert (v.handle_local);
          reached++;
          if (a != SV_ROUTE_FORWARD)
            break;
          ck_assert_uint_eq (v.targets->len, 1);
          ck_assert_uint_eq (g_array_index (v.targets, guint64, 0), 101 + i);
          ck_assert_uint_eq (v.hdr.ttl + v.hdr.hops, ttl);
          in.hdr = v.hdr;
        }
      ck_assert_uint_eq (reached, ttl);
      for (guint i = 0; i < N; i++)
        sv_router_free (line[i]);
      sv_router_verdict_clear (&v);
    }
}
END_TEST

START_TEST (test_leaves_by_qrp)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  g_autoptr (SvQrpTable) jazz = table_with ("free jazz live.mp3");
  g_autoptr (SvQrpTable) rock = table_with ("hard rock anthem.ogg");
  g_autoptr (SvQrpQuery) qjazz = sv_qrp_query_new ("jazz", -1, NULL);
  SvRouterPeer peers[] = { up (1), up (2), leaf (10, jazz), leaf (11, rock), leaf (12, NULL) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 3, 0, 1);

  sv_router_verdict_init (&v);
  q.query = qjazz;
  ck_assert_int_eq (sv_router_route (r, &q, peers, 5, 0, &v), SV_ROUTE_FORWARD);
  ck_assert (has_target (&v, 2));
  ck_assert (has_target (&v, 10));
  ck_assert (!has_target (&v, 11));
  ck_assert (!has_target (&v, 12));
  ck_assert (!has_target (&v, 1));
  /* The rock leaf's table held it back; the leaf with no table is not counted as held back. */
  ck_assert_uint_eq (v.qrp_blocked, 1);

  /* Arriving with TTL 1: no ultrapeer, but matching leaves still get it. */
  SvRouterInput last = msg (SV_MSG_QUERY, 2, 1, 3, 1);
  last.query = qjazz;
  ck_assert_int_eq (sv_router_route (r, &last, peers, 5, 1, &v), SV_ROUTE_FORWARD);
  ck_assert_uint_eq (v.targets->len, 1);
  ck_assert (has_target (&v, 10));
  ck_assert_uint_eq (v.hdr.ttl, 1);
  ck_assert_uint_eq (v.hdr.hops, 4);

  /* A query without routing view reaches no leaf. */
  SvRouterInput blind = msg (SV_MSG_QUERY, 3, 1, 0, 1);
  ck_assert_int_eq (sv_router_route (r, &blind, peers, 5, 2, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert_uint_eq (v.targets->len, 0);

  /* A duplicate reaches nobody and nothing is counted as held back. */
  ck_assert_int_eq (sv_router_route (r, &q, peers, 5, 3, &v), SV_ROUTE_DROP);
  ck_assert_uint_eq (v.qrp_blocked, 0);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_last_hop_qrp)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  g_autoptr (SvQrpTable) rock = table_with ("hard rock anthem.ogg");
  g_autoptr (SvQrpQuery) qjazz = sv_qrp_query_new ("jazz", -1, NULL);
  g_autoptr (SvQrpQuery) qrock = sv_qrp_query_new ("rock", -1, NULL);
  SvRouterPeer peers[] = { up (1), up (2), up (3) };
  SvRouterVerdict v;

  sv_router_verdict_init (&v);
  peers[1].qrp = rock;
  /* Would arrive with TTL 1: peer 2's table decides. */
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 2, 1, 1);
  q.query = qjazz;
  ck_assert_int_eq (sv_router_route (r, &q, peers, 3, 0, &v), SV_ROUTE_FORWARD);
  ck_assert (!has_target (&v, 2));
  ck_assert (has_target (&v, 3));
  q = msg (SV_MSG_QUERY, 2, 2, 1, 1);
  q.query = qrock;
  sv_router_route (r, &q, peers, 3, 1, &v);
  ck_assert (has_target (&v, 2) && has_target (&v, 3));
  /* Not the last hop: the table is not consulted. */
  q = msg (SV_MSG_QUERY, 3, 3, 0, 1);
  q.query = qjazz;
  sv_router_route (r, &q, peers, 3, 2, &v);
  ck_assert (has_target (&v, 2) && has_target (&v, 3));
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_hops_flow)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  g_autoptr (SvQrpTable) jazz = table_with ("jazz");
  g_autoptr (SvQrpQuery) qjazz = sv_qrp_query_new ("jazz", -1, NULL);
  SvRouterPeer peers[] = { up (1), up (2), leaf (10, jazz), leaf (11, jazz) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 3, 0, 1);

  sv_router_verdict_init (&v);
  peers[1].hops_flow = 0;        /* no queries at all */
  peers[2].hops_flow = 1;        /* hops < 1: the query leaves with hops 1, so not sent */
  peers[3].hops_flow = 2;
  q.query = qjazz;
  ck_assert_int_eq (sv_router_route (r, &q, peers, 4, 0, &v), SV_ROUTE_FORWARD);
  ck_assert_uint_eq (v.targets->len, 1);
  ck_assert (has_target (&v, 11));
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_leaf_never_forwards)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_LEAF);
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 3, 0, 1);
  SvGuid servent = guid_of (44);

  sv_router_verdict_init (&v);
  ck_assert_int_eq (sv_router_route (r, &q, peers, 2, 0, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert_uint_eq (v.targets->len, 0);
  /* A hit for that query, arriving on the other link, is not relayed by a leaf. */
  SvRouterInput hit = msg (SV_MSG_QUERYHIT, 1, 5, 2, 2);
  hit.servent = &servent;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 2, 1, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NOT_FOR_LEAF);
  SvRouterInput push = msg (SV_MSG_PUSH, 2, 5, 0, 2);
  push.servent = &servent;
  ck_assert_int_eq (sv_router_route (r, &push, peers, 2, 2, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NOT_FOR_LEAF);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_query_from_leaf)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  g_autoptr (SvQrpTable) jazz = table_with ("jazz");
  g_autoptr (SvQrpQuery) qjazz = sv_qrp_query_new ("jazz", -1, NULL);
  SvRouterPeer peers[] = { up (1), up (2), leaf (10, jazz), leaf (11, jazz) };
  SvRouterVerdict v;
  SvRouterInput q = msg (SV_MSG_QUERY, 1, 4, 0, 10);
  guint64 back = 0;

  sv_router_verdict_init (&v);
  q.query = qjazz;
  ck_assert_int_eq (sv_router_route (r, &q, peers, 4, 0, &v), SV_ROUTE_FORWARD);
  ck_assert (v.dynamic_query);
  ck_assert (v.handle_local);
  ck_assert_uint_eq (v.targets->len, 1);        /* the other leaf; ultrapeers via dyn-query */
  ck_assert (has_target (&v, 11));
  ck_assert_uint_eq (v.hdr.hops, 1);
  ck_assert_uint_eq (v.hdr.ttl, 1);
  ck_assert (sv_route_table_lookup (sv_router_route_table (r), &q.hdr.guid, SV_MSG_QUERY, 1, &back));
  ck_assert_uint_eq (back, 10);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_link_level_unknown_and_strangers)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;
  const guint8 link[] = { SV_MSG_BYE, SV_MSG_QRP, SV_MSG_VENDOR, SV_MSG_VENDOR_STD };

  sv_router_verdict_init (&v);
  for (guint i = 0; i < G_N_ELEMENTS (link); i++)
    {
      SvRouterInput m = msg (link[i], 1, 1, 0, 1);

      ck_assert_int_eq (sv_router_route (r, &m, peers, 2, 0, &v), SV_ROUTE_HANDLE_LOCAL);
      ck_assert_uint_eq (v.targets->len, 0);
    }
  SvRouterInput stranger = msg (SV_MSG_QUERY, 5, 3, 0, 99);
  ck_assert_int_eq (sv_router_route (r, &stranger, peers, 2, 0, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_UNKNOWN_CONN);

  SvRouterInput hsep = msg (SV_MSG_HSEP, 6, 1, 0, 1);
  for (guint i = 0; i < 100; i++)
    ck_assert_int_eq (sv_router_route (r, &hsep, peers, 2, 0, &v), SV_ROUTE_DROP);
  for (guint i = 0; i < SV_ROUTER_DEFAULT_UNKNOWN; i++)
    {
      SvRouterInput odd = msg (0x77, 7 + i, 1, 0, 1);

      ck_assert_int_eq (sv_router_route (r, &odd, peers, 2, 0, &v), SV_ROUTE_DROP);
      ck_assert_int_eq (v.reason, SV_ROUTE_DROP_UNKNOWN_TYPE);
    }
  SvRouterInput odd = msg (0x77, 500, 1, 0, 1);
  ck_assert_int_eq (sv_router_route (r, &odd, peers, 2, 0, &v), SV_ROUTE_KICK);
  ck_assert_uint_eq (v.bye_code, SV_BYE_TOO_MANY_UNKNOWN);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_pings_answered_not_relayed)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (1), up (2), up (3) };
  SvRouterVerdict v;
  SvRouterInput p = msg (SV_MSG_PING, 1, 4, 0, 1);

  sv_router_verdict_init (&v);
  ck_assert_int_eq (sv_router_route (r, &p, peers, 3, 0, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert_uint_eq (v.targets->len, 0);
  ck_assert_int_eq (sv_router_route (r, &p, peers, 3, 1, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_DUPLICATE);
  /* A pong for that ping (not ours) goes back to connection 1. */
  SvRouterInput pong = msg (SV_MSG_PONG, 1, 3, 1, 2);
  ck_assert_int_eq (sv_router_route (r, &pong, peers, 3, 2, &v), SV_ROUTE_FORWARD);
  ck_assert_uint_eq (v.targets->len, 1);
  ck_assert (has_target (&v, 1));
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_keepalive_pings_not_recorded)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;
  guint before;

  sv_router_verdict_init (&v);
  before = sv_route_table_size (sv_router_route_table (r));
  /* A thousand neighbours' keep-alives: each answered, none kept, none a duplicate. */
  for (guint i = 0; i < 1000; i++)
    {
      SvRouterInput p = msg (SV_MSG_PING, 100 + i, 1, 0, 1 + i % 2);

      ck_assert_int_eq (sv_router_route (r, &p, peers, 2, i, &v), SV_ROUTE_HANDLE_LOCAL);
      ck_assert (v.handle_local);
    }
  SvRouterInput again = msg (SV_MSG_PING, 100, 1, 0, 1);
  ck_assert_int_eq (sv_router_route (r, &again, peers, 2, 2000, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert_uint_eq (sv_route_table_size (sv_router_route_table (r)), before);
  ck_assert_uint_eq (sv_router_drop_count (r, SV_ROUTE_DROP_DUPLICATE), 0);
  /* A ping that went a hop (or may go further) is still recorded. */
  SvRouterInput relayed = msg (SV_MSG_PING, 5000, 1, 1, 1);
  ck_assert_int_eq (sv_router_route (r, &relayed, peers, 2, 3000, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert_uint_eq (sv_route_table_size (sv_router_route_table (r)), before + 1);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_keepalive_pong_recognised_by_caller)
{
  g_autoptr (SvRouter) r = router_new (SV_ROUTER_ROLE_ULTRAPEER);
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;
  guint before = sv_route_table_size (sv_router_route_table (r));

  sv_router_verdict_init (&v);
  /* Our own keep-alive is not in the table: its pong, matched by the caller, is ours. */
  SvRouterInput pong = msg (SV_MSG_PONG, 77, 1, 0, 1);
  pong.answers_keepalive = TRUE;
  ck_assert_int_eq (sv_router_route (r, &pong, peers, 2, 10, &v), SV_ROUTE_HANDLE_LOCAL);
  ck_assert (v.handle_local);
  ck_assert_uint_eq (sv_route_table_size (sv_router_route_table (r)), before);
  /* Unmatched, the same pong has no route. */
  pong.answers_keepalive = FALSE;
  ck_assert_int_eq (sv_router_route (r, &pong, peers, 2, 20, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NO_ROUTE);
  /* The flag means nothing on a hit: it is routed by the table as always. */
  SvRouterInput hit = msg (SV_MSG_QUERYHIT, 78, 1, 0, 1);
  hit.answers_keepalive = TRUE;
  ck_assert_int_eq (sv_router_route (r, &hit, peers, 2, 30, &v), SV_ROUTE_DROP);
  ck_assert_int_eq (v.reason, SV_ROUTE_DROP_NO_ROUTE);
  sv_router_verdict_clear (&v);
}
END_TEST

START_TEST (test_bounded_tables)
{
  SvRouterConfig cfg;
  g_autoptr (SvRouter) r = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  SvRouterPeer peers[] = { up (1), up (2) };
  SvRouterVerdict v;

  sv_router_config_init (&cfg, SV_ROUTER_ROLE_ULTRAPEER, &our_guid);
  cfg.route_entries = 64;
  cfg.push_entries = 16;
  r = sv_router_new (&cfg, rand);
  sv_router_verdict_init (&v);
  for (guint i = 0; i < 1000; i++)
    {
      SvRouterInput q = msg (SV_MSG_QUERY, i, 3, 0, 1 + i % 2);
      SvRouterInput hit = msg (SV_MSG_QUERYHIT, i, 5, 1, 2 - i % 2);
      SvGuid servent = guid_of (5000 + i);

      hit.servent = &servent;
      sv_router_route (r, &q, peers, 2, i, &v);
      ck_assert_int_eq (sv_router_route (r, &hit, peers, 2, i, &v), SV_ROUTE_FORWARD);
      ck_assert_uint_le (sv_route_table_size (sv_router_route_table (r)), 64);
      ck_assert_uint_le (sv_push_route_size (sv_router_push_route (r)), 16);
    }
  ck_assert_uint_eq (sv_route_table_size (sv_router_route_table (r)), 64);
  sv_router_verdict_clear (&v);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("router");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_duplicate_dropped_and_counted);
  tcase_add_test (tc, test_ext_probes_resend);
  tcase_add_test (tc, test_reverse_path_hit);
  tcase_add_test (tc, test_own_query_and_ping);
  tcase_add_test (tc, test_push_routing);
  tcase_add_test (tc, test_ttl_trim_and_hard_limit_kick);
  tcase_add_test (tc, test_duplicates_kick);
  tcase_add_test (tc, test_line_of_connections);
  tcase_add_test (tc, test_leaves_by_qrp);
  tcase_add_test (tc, test_last_hop_qrp);
  tcase_add_test (tc, test_hops_flow);
  tcase_add_test (tc, test_leaf_never_forwards);
  tcase_add_test (tc, test_query_from_leaf);
  tcase_add_test (tc, test_link_level_unknown_and_strangers);
  tcase_add_test (tc, test_pings_answered_not_relayed);
  tcase_add_test (tc, test_keepalive_pings_not_recorded);
  tcase_add_test (tc, test_keepalive_pong_recognised_by_caller);
  tcase_add_test (tc, test_bounded_tables);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
