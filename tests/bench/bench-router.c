/* bench-router.c: routed queries per CPU-second through the route table and the router of an
 * ultrapeer with 32 fake connections (24 ultrapeers, 8 leaves with QRP tables), with a share of
 * duplicates and the hits routed back. CPU time from CLOCK_PROCESS_CPUTIME_ID. Then the heap an
 * hour's worth of routes takes (malloc's own count, before and after filling a table). */
#include "route-table.h"
#include "router.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_PEERS 32
#define N_LEAVES 8

static double
cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
  guint64 n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 2000000;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  SvGuid ours;
  SvRouterConfig cfg;
  g_autoptr (SvRouter) router = NULL;
  SvRouterPeer peers[N_PEERS];
  SvQrpTable *tables[N_LEAVES];
  SvQrpQuery *queries[4];
  const char *words[] = { "jazz", "rock", "linux iso", "holiday video" };
  SvRouterVerdict v;
  guint64 forwarded = 0, dropped = 0, targets = 0, hits = 0;
  double t0, t1;

  sv_guid_new_servent (&ours, rand);
  sv_router_config_init (&cfg, SV_ROUTER_ROLE_ULTRAPEER, &ours);
  router = sv_router_new (&cfg, rand);
  for (guint i = 0; i < N_LEAVES; i++)
    {
      tables[i] = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);
      sv_qrp_table_add_name (tables[i], words[i % 4], -1);
    }
  for (guint i = 0; i < 4; i++)
    queries[i] = sv_qrp_query_new (words[i], -1, NULL);
  for (guint i = 0; i < N_PEERS; i++)
    peers[i] = (SvRouterPeer) {
      .id = 1000 + i,
      .role = i < N_PEERS - N_LEAVES ? SV_ROUTER_ROLE_ULTRAPEER : SV_ROUTER_ROLE_LEAF,
      .qrp = i < N_PEERS - N_LEAVES ? NULL : tables[i - (N_PEERS - N_LEAVES)],
      .hops_flow = SV_ROUTER_HOPS_FLOW_ANY,
      .ggep = TRUE,
    };
  sv_router_verdict_init (&v);

  t0 = cpu_s ();
  for (guint64 i = 0; i < n; i++)
    {
      SvRouterInput in = { 0 };
      gint64 now = (gint64) i * 100;     /* 10,000 messages per second of simulated time */

      /* One in eight is a copy of a recent query arriving on another link. */
      guint64 seq = (i % 8 == 7) ? i - 5 : i;

      memset (in.hdr.guid.b, 0, SV_GUID_LEN);
      memcpy (in.hdr.guid.b, &seq, sizeof seq);
      in.hdr.guid.b[8] = 0xFF;
      in.hdr.type = SV_MSG_QUERY;
      in.hdr.ttl = 1 + (guint8) (seq % 4);
      in.hdr.hops = (guint8) (seq % 3);
      in.hdr.length = 40;
      in.conn = peers[i % (N_PEERS - N_LEAVES)].id;
      in.query = queries[seq % 4];
      if (sv_router_route (router, &in, peers, N_PEERS, now, &v) == SV_ROUTE_FORWARD)
        {
          forwarded++;
          targets += v.targets->len;
          /* Every fourth forwarded query draws a hit, routed back. */
          if (i % 4 == 0)
            {
              SvRouterInput hit = { 0 };
              SvGuid servent = in.hdr.guid;

              hit.hdr = in.hdr;
              hit.hdr.type = SV_MSG_QUERYHIT;
              hit.hdr.ttl = 6;
              hit.hdr.hops = 1;
              hit.conn = g_array_index (v.targets, guint64, 0);
              servent.b[15] ^= 0x5A;
              hit.servent = &servent;
              if (sv_router_route (router, &hit, peers, N_PEERS, now, &v) == SV_ROUTE_FORWARD)
                hits++;
            }
        }
      else
        dropped++;
    }
  t1 = cpu_s ();

  printf ("bench-router: %" G_GUINT64_FORMAT " queries (+%" G_GUINT64_FORMAT
          " hits routed back) in %.3f CPU-s: %.0f queries/CPU-s\n",
          n, hits, t1 - t0, (double) n / (t1 - t0));
  printf ("  forwarded %" G_GUINT64_FORMAT " (%.1f targets each), dropped %" G_GUINT64_FORMAT
          " (duplicates %" G_GUINT64_FORMAT "), routes kept %u\n",
          forwarded, forwarded ? (double) targets / forwarded : 0.0, dropped,
          sv_router_drop_count (router, SV_ROUTE_DROP_DUPLICATE),
          sv_route_table_size (sv_router_route_table (router)));

  {
    /* 100,000 routes, as an ultrapeer relaying ~28 queries a second keeps for an hour. */
    size_t before = mallinfo2 ().uordblks;
    g_autoptr (SvRouteTable) t = sv_route_table_new (SV_ROUTE_TABLE_MAX_ENTRIES,
                                                     SV_ROUTE_TABLE_LIFETIME_US, rand);
    size_t after;

    for (guint i = 0; i < 100000; i++)
      {
        SvGuid m;

        sv_guid_new_message (&m, rand, 0);
        (void) sv_route_table_record (t, &m, SV_MSG_QUERY, 1000 + i % 32, 3, FALSE, i);
      }
    after = mallinfo2 ().uordblks;
    printf ("  route table: %u routes in %.2f MB of heap, %.0f bytes a route\n",
            sv_route_table_size (t), (double) (after - before) / 1e6,
            (double) (after - before) / sv_route_table_size (t));
  }

  sv_router_verdict_clear (&v);
  for (guint i = 0; i < N_LEAVES; i++)
    sv_qrp_table_free (tables[i]);
  for (guint i = 0; i < 4; i++)
    sv_qrp_query_free (queries[i]);
  return forwarded > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
