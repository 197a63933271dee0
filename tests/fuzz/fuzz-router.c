/* fuzz-router.c: random header sequences from a few fake connections through the router.
 *
 * Each 6-byte record is one message: connection, type, TTL, hops, MUID pick, flags (time step,
 * GGEP, which query words, which servent GUID). Small table caps make eviction and expiry
 * happen. Invariants checked after every message: table sizes within their caps, forward targets
 * are open connections other than the sender, replies and pushes go to exactly one. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define N_PEERS 5
#define ROUTES 32
#define PUSHES 8

static const guint8 types[] = {
  SV_MSG_PING, SV_MSG_PONG, SV_MSG_BYE, SV_MSG_QRP, SV_MSG_VENDOR, SV_MSG_PUSH,
  SV_MSG_QUERY, SV_MSG_QUERYHIT, SV_MSG_HSEP, 0x77,
};

static SvGuid
pick_guid (guint8 n)
{
  SvGuid g;

  memset (g.b, 0x5A, sizeof g.b);
  g.b[0] = n;
  return g;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvRouterConfig cfg;
  SvGuid ours = pick_guid (0);
  SvQrpTable *jazz = sv_qrp_table_new (1024, SV_QRP_GTKG_INFINITY);
  SvQrpTable *rock = sv_qrp_table_new (1024, SV_QRP_GTKG_INFINITY);
  SvQrpQuery *queries[2];
  SvRouterPeer peers[N_PEERS];
  SvRouter *router;
  SvRouterVerdict v;
  gint64 now = 0;
  GRand *rand = g_rand_new_with_seed (size);

  sv_qrp_table_add_name (jazz, "free jazz", -1);
  sv_qrp_table_add_name (rock, "hard rock", -1);
  queries[0] = sv_qrp_query_new ("jazz", -1, NULL);
  queries[1] = sv_qrp_query_new ("rock", -1, NULL);

  sv_router_config_init (&cfg, size > 0 && (data[0] & 0x80) ? SV_ROUTER_ROLE_LEAF
                                                            : SV_ROUTER_ROLE_ULTRAPEER, &ours);
  cfg.route_entries = ROUTES;
  cfg.push_entries = PUSHES;
  cfg.route_lifetime_us = 5000;
  cfg.push_lifetime_us = 5000;
  cfg.window_us = 3000;
  router = sv_router_new (&cfg, rand);
  sv_router_verdict_init (&v);

  for (guint i = 0; i < N_PEERS; i++)
    peers[i] = (SvRouterPeer) {
      .id = 10 + i,
      .role = i < 3 ? SV_ROUTER_ROLE_ULTRAPEER : SV_ROUTER_ROLE_LEAF,
      .qrp = i == 1 || i == 3 ? jazz : i == 4 ? rock : NULL,
      .hops_flow = i == 2 ? 2 : SV_ROUTER_HOPS_FLOW_ANY,
      .ggep = i % 2 == 0,
      .ext_probes = i == 0,
    };

  for (size_t off = 0; off + 6 <= size; off += 6)
    {
      const uint8_t *r = data + off;
      SvRouterInput in = { 0 };
      SvGuid servent = pick_guid (r[5] >> 5);
      guint n_peers = N_PEERS;
      SvRouteAction a;

      in.conn = r[0] % 7 == 6 ? 99 : 10 + r[0] % 7 % N_PEERS;
      in.hdr.guid = pick_guid (r[4] & 0x3F);
      in.hdr.type = types[r[1] % G_N_ELEMENTS (types)];
      in.hdr.ttl = r[2];
      in.hdr.hops = r[3];
      in.hdr.length = (guint32) (r[1] >> 4) * 2048;
      in.has_ggep = r[5] & 1;
      in.query = (r[5] & 2) ? queries[(r[5] >> 2) & 1] : NULL;
      in.servent = (r[5] & 8) ? &servent : NULL;
      now += (r[5] & 0x10) ? 1000 : 1;
      if (r[4] & 0x40)
        sv_router_originate (router, &in.hdr.guid, SV_MSG_QUERY, now);
      if ((r[4] & 0x80) && r[0] < 8)
        {
          sv_router_forget_connection (router, 10 + r[0] % N_PEERS);
          n_peers = N_PEERS - 1;        /* the last peer looks closed for this message */
        }

      a = sv_router_route (router, &in, peers, n_peers, now, &v);
      if (a == SV_ROUTE_FORWARD)
        {
          if (v.targets->len == 0)
            abort ();
          if ((in.hdr.type == SV_MSG_QUERYHIT || in.hdr.type == SV_MSG_PONG
               || in.hdr.type == SV_MSG_PUSH) && v.targets->len != 1)
            abort ();
          if (cfg.role == SV_ROUTER_ROLE_LEAF)
            abort ();
          for (guint t = 0; t < v.targets->len; t++)
            {
              guint64 id = g_array_index (v.targets, guint64, t);
              gboolean open = FALSE;

              for (guint p = 0; p < n_peers; p++)
                open |= peers[p].id == id;
              if (!open || id == in.conn)
                abort ();
            }
          if (v.hdr.hops <= in.hdr.hops && in.hdr.hops != G_MAXUINT8)
            abort ();
        }
      else if (v.targets->len != 0)
        abort ();
      if (a == SV_ROUTE_KICK && v.bye_code == 0)
        abort ();
      if (sv_route_table_size (sv_router_route_table (router)) > ROUTES
          || sv_push_route_size (sv_router_push_route (router)) > PUSHES
          || sv_router_peer_stats_count (router) > SV_ROUTER_MAX_PEER_STATS)
        abort ();
    }

  sv_router_verdict_clear (&v);
  sv_router_free (router);
  sv_qrp_query_free (queries[0]);
  sv_qrp_query_free (queries[1]);
  sv_qrp_table_free (jazz);
  sv_qrp_table_free (rock);
  g_rand_free (rand);
  return 0;
}
