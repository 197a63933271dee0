/* test-servent.c: several SvServent instances in one process, on one main context, over loopback
 * (127.0.0.x, port 0, --lan): a line of ultrapeers where a TTL-limited search reaches exactly the
 * servents within reach and the hits come back; a leaf whose QRP table lets through only queries
 * for its files; searches started by a leaf; the servent GUID kept across runs. */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "peer-conn.h"
#include "servent.h"

#define WAIT_MS 15000

static guint max_leaves = 4;   /* up_max_leaves of the next servent started */
static const SvHostAddr *next_uhc;   /* the UDP host cache of the next servent started */

typedef struct {
  char *root;
  char *share;
  char *state;
  SvHostAddr listen;
  SvServent *sv;
} Node;

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*CondFunc) (gpointer data);

/* Iterates the default context until @cond holds or @ms pass. Returns: whether it holds. */
static gboolean
wait_for (CondFunc cond, gpointer data, guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  guint tick = g_timeout_add (20, wake, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Runs the context for @ms (to let traffic that should not happen have its chance). */
static void
settle (guint ms)
{
  wait_for (never, NULL, ms);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  ck_assert (g_file_set_contents (path, text, -1, NULL));
}

/* A servent on 127.0.0.@host sharing @files (NULL-terminated names), dialing @peer (nullable). */
static void
node_start (Node *n, guint host, SvConnRoleMode role, const Node *peer, const char *const *files)
{
  SvServentConfig cfg;
  g_autoptr (GError) error = NULL;
  const char *folders[2];
  g_autofree char *ip = g_strdup_printf ("127.0.0.%u", host);

  if (n->root == NULL)
    {
      n->root = g_dir_make_tmp ("servent-test-XXXXXX", NULL);
      ck_assert (n->root != NULL);
      n->share = g_build_filename (n->root, "share", NULL);
      n->state = g_build_filename (n->root, "state", NULL);
      ck_assert_int_eq (g_mkdir (n->share, 0700), 0);
      for (guint i = 0; files != NULL && files[i] != NULL; i++)
        write_file (n->share, files[i], files[i]);
    }
  ck_assert_int_eq (sv_host_addr_parse (ip, strlen (ip), 0, &n->listen), SV_STATUS_OK);
  n->listen.port = 0;

  sv_servent_config_init (&cfg);
  cfg.state_dir = n->state;
  cfg.listen = &n->listen;
  cfg.n_listen = 1;
  cfg.role_mode = role;
  cfg.lan = TRUE;
  cfg.leaf_min_ultrapeers = 1;
  cfg.leaf_max_ultrapeers = 2;
  cfg.up_min_ultrapeers = 1;       /* a line: each dials only its seed */
  cfg.up_max_ultrapeers = 2;
  cfg.up_max_leaves = max_leaves;
  cfg.reconnect_interval_us = 100 * 1000;
  cfg.qrp_update_ms = 100;
  cfg.hostile_file = g_getenv ("SV_HOSTILE_FILE");
  folders[0] = n->share;
  folders[1] = NULL;
  cfg.shares = folders;
  cfg.watch = FALSE;
  if (next_uhc != NULL)
    {
      cfg.udp_host_caches = next_uhc;
      cfg.n_udp_host_caches = 1;
    }
  if (peer != NULL)
    {
      SvServentStatus st;
      SvHostAddr seed = peer->listen;

      sv_servent_get_status (peer->sv, &st);
      seed.port = st.port;
      cfg.peers = &seed;
      cfg.n_peers = 1;
      n->sv = sv_servent_new (&cfg, &error);
    }
  else
    n->sv = sv_servent_new (&cfg, &error);
  ck_assert_msg (n->sv != NULL, "servent: %s", error ? error->message : "?");
}

static void
node_stop (Node *n)
{
  g_clear_pointer (&n->sv, sv_servent_free);
}

static void
node_clear (Node *n)
{
  node_stop (n);
  if (n->root != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", n->root);
      ck_assert_int_eq (system (cmd), 0);
    }
  g_free (n->root);
  g_free (n->share);
  g_free (n->state);
  memset (n, 0, sizeof *n);
}

static SvServentStatus
status (const Node *n)
{
  SvServentStatus st;

  sv_servent_get_status (n->sv, &st);
  return st;
}

typedef struct {
  Node *nodes;
  guint n;
  const guint *files;       /* files each must share */
  const guint *ultrapeers;  /* links to ultrapeers each must have */
  const guint *leaves;
} Expect;

/* Every node shares its files, has its links, and every link carries a non-empty QRP table
 * where one is expected (leaves and ultrapeers send theirs to ultrapeers). */
static gboolean
network_ready (gpointer data)
{
  const Expect *e = data;

  for (guint i = 0; i < e->n; i++)
    {
      SvServentStatus st = status (&e->nodes[i]);
      g_autoptr (GArray) peers = NULL;

      if (st.scanning || st.shared_files != e->files[i] || st.ultrapeers != e->ultrapeers[i]
          || st.leaves != e->leaves[i])
        return FALSE;
      if (!st.ultrapeer)
        continue;   /* leaves keep no tables */
      peers = sv_servent_get_peers (e->nodes[i].sv);
      for (guint j = 0; j < peers->len; j++)
        {
          SvServentPeer *p = &g_array_index (peers, SvServentPeer, j);

          if (!p->qrp_table || p->qrp_fill_permille == 0)
            return FALSE;
        }
    }
  return TRUE;
}

typedef struct {
  Node *node;
  guint64 id;
  guint want;
} HitWait;

static gboolean
hits_reached (gpointer data)
{
  HitWait *w = data;
  g_autoptr (GArray) hits = sv_servent_search_hits (w->node->sv, w->id);

  return hits != NULL && hits->len >= w->want;
}

static gboolean
hit_named (GArray *hits, const char *name, guint8 *hops)
{
  for (guint i = 0; i < hits->len; i++)
    {
      SvSearchHit *h = &g_array_index (hits, SvSearchHit, i);

      if (g_strcmp0 (h->name, name) == 0)
        {
          if (hops != NULL)
            *hops = h->hops;
          return TRUE;
        }
    }
  return FALSE;
}

/* --- A line of four ultrapeers: A - B - C - D --- */

static Node line[4];

static void
line_setup (void)
{
  static const char *const files[4][3] = {
    { "alpha common.txt", NULL },
    { "bravo common.txt", NULL },
    { "charlie common.txt", NULL },
    { "delta common.txt", "delta extra.txt", NULL },
  };
  static const guint n_files[4] = { 1, 1, 1, 2 };
  static const guint ups[4] = { 1, 2, 2, 1 };
  static const guint leaves[4] = { 0, 0, 0, 0 };
  Expect e = { line, 4, n_files, ups, leaves };

  for (guint i = 0; i < 4; i++)
    node_start (&line[i], 10 + i, SV_CONN_ROLE_MODE_ULTRAPEER, i > 0 ? &line[i - 1] : NULL,
                files[i]);
  ck_assert_msg (wait_for (network_ready, &e, WAIT_MS), "the line did not come up");
}

static void
line_teardown (void)
{
  for (guint i = 0; i < 4; i++)
    node_clear (&line[i]);
}

static guint64
counter_handled (guint i)
{
  return status (&line[i]).counters.queries_handled;
}

START_TEST (test_line_ttl_reach)
{
  SvSearchOptions opt = { .ttl = 2 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) hits = NULL;
  guint64 before[4];
  SvGuid muid;
  guint8 hops = 99;
  guint64 id;

  for (guint i = 0; i < 4; i++)
    before[i] = counter_handled (i);
  id = sv_servent_search_start (line[0].sv, "common", &opt, &muid, &error);
  ck_assert_msg (id != 0, "%s", error ? error->message : "?");

  /* B (1 hop) and C (2 hops) answer; D (3 hops) is out of reach. */
  {
    HitWait w = { &line[0], id, 2 };
    ck_assert (wait_for (hits_reached, &w, WAIT_MS));
  }
  settle (600);
  hits = sv_servent_search_hits (line[0].sv, id);
  ck_assert_uint_eq (hits->len, 2);
  ck_assert (hit_named (hits, "bravo common.txt", &hops));
  ck_assert_uint_eq (hops, 1);
  ck_assert (hit_named (hits, "charlie common.txt", &hops));
  ck_assert_uint_eq (hops, 2);
  ck_assert_uint_eq (counter_handled (0) - before[0], 0);
  ck_assert_uint_eq (counter_handled (1) - before[1], 1);
  ck_assert_uint_eq (counter_handled (2) - before[2], 1);
  ck_assert_uint_eq (counter_handled (3) - before[3], 0);
  ck_assert_uint_eq (status (&line[3]).counters.queries_received, 0);
  ck_assert_uint_ge (status (&line[1]).counters.hits_routed, 1);

  /* The hit carries where to download from: C's bound address, not firewalled (its ultrapeer
   * answered its connect-back request). */
  for (guint i = 0; i < hits->len; i++)
    {
      SvSearchHit *h = &g_array_index (hits, SvSearchHit, i);
      if (g_strcmp0 (h->name, "charlie common.txt") == 0)
        {
          ck_assert (sv_host_addr_same_ip (&h->addr, &line[2].listen));
          ck_assert_uint_eq (h->addr.port, status (&line[2]).port);
          ck_assert (!h->firewalled);
          ck_assert_str_eq (h->vendor, "SVNT");
          ck_assert (h->has_sha1);
          {
            SvServentStatus st = status (&line[2]);
            ck_assert (sv_guid_equal (&h->servent, &st.guid));
          }
        }
    }
}
END_TEST

START_TEST (test_line_ttl_three_reaches_the_end)
{
  SvSearchOptions opt = { .ttl = 3 };
  g_autoptr (GArray) hits = NULL;
  HitWait w = { &line[0], 0, 3 };
  guint8 hops = 0;

  w.id = sv_servent_search_start (line[0].sv, "common", &opt, NULL, NULL);
  ck_assert (w.id != 0);
  ck_assert (wait_for (hits_reached, &w, WAIT_MS));
  settle (300);
  hits = sv_servent_search_hits (line[0].sv, w.id);
  ck_assert_uint_eq (hits->len, 3);
  ck_assert (hit_named (hits, "delta common.txt", &hops));
  ck_assert_uint_eq (hops, 3);
  ck_assert_uint_eq (counter_handled (3), 1);
  /* Each servent handled the query once; the origin never. */
  ck_assert_uint_eq (counter_handled (0), 0);
  ck_assert_uint_eq (counter_handled (1), 1);
}
END_TEST

START_TEST (test_line_no_match_no_hit)
{
  SvSearchOptions opt = { .ttl = 2 };
  g_autoptr (GArray) hits = NULL;
  guint64 id = sv_servent_search_start (line[3].sv, "nothing matches this", &opt, NULL, NULL);

  ck_assert (id != 0);
  settle (1000);
  hits = sv_servent_search_hits (line[3].sv, id);
  ck_assert_uint_eq (hits->len, 0);
  /* C (one hop) answers nothing; B's last-hop table keeps the query's last hop from B. */
  ck_assert_uint_eq (status (&line[2]).counters.queries_handled, 1);
  ck_assert_uint_eq (status (&line[1]).counters.queries_received, 0);
  ck_assert_uint_eq (status (&line[0]).counters.queries_received, 0);
}
END_TEST

typedef struct {
  guint calls;
  guint ends;
  gboolean destroyed;
} SubState;

static void
on_hit (const SvSearchHit *hit, gpointer data)
{
  SubState *s = data;

  if (hit == NULL)
    s->ends++;
  else
    s->calls++;
}

static void
on_destroy (gpointer data)
{
  ((SubState *) data)->destroyed = TRUE;
}

static gboolean
sub_called (gpointer data)
{
  return ((SubState *) data)->calls >= 1;
}

START_TEST (test_line_subscribe_and_stop)
{
  SvSearchOptions opt = { .ttl = 1 };
  SubState s = { 0 };
  g_autoptr (GArray) searches = NULL;
  guint64 id = sv_servent_search_start (line[1].sv, "delta", &opt, NULL, NULL);
  guint sub;

  ck_assert (id != 0);
  sub = sv_servent_search_subscribe (line[1].sv, id, on_hit, &s, on_destroy);
  ck_assert_uint_ne (sub, 0);
  /* B's neighbours are A and C: "delta" lives on D, two hops away. */
  settle (800);
  ck_assert_uint_eq (s.calls, 0);
  ck_assert (sv_servent_search_stop (line[1].sv, id));
  ck_assert_uint_eq (s.ends, 1);
  ck_assert (s.destroyed);
  ck_assert (!sv_servent_search_stop (line[1].sv, id + 1000));
  ck_assert_uint_eq (sv_servent_search_subscribe (line[1].sv, id + 1000, on_hit, &s, NULL), 0);
  /* A stopped search has nothing to follow: no subscription, no call, @user_data untouched. */
  memset (&s, 0, sizeof s);
  ck_assert_uint_eq (sv_servent_search_subscribe (line[1].sv, id, on_hit, &s, on_destroy), 0);
  ck_assert_uint_eq (s.ends, 0);
  ck_assert (!s.destroyed);

  /* From C, D is one hop away: both of its files arrive, one call each. */
  memset (&s, 0, sizeof s);
  id = sv_servent_search_start (line[2].sv, "delta", &opt, NULL, NULL);
  sub = sv_servent_search_subscribe (line[2].sv, id, on_hit, &s, on_destroy);
  ck_assert (wait_for (sub_called, &s, WAIT_MS));
  settle (300);
  ck_assert_uint_eq (s.calls, 2);
  sv_servent_search_unsubscribe (line[2].sv, sub);
  ck_assert (s.destroyed);
  searches = sv_servent_get_searches (line[2].sv);
  ck_assert_uint_eq (searches->len, 1);
  ck_assert_uint_eq (g_array_index (searches, SvServentSearch, 0).hits, 2);
  ck_assert (g_array_index (searches, SvServentSearch, 0).active);
}
END_TEST

/* TTL 0 on an ultrapeer: a dynamic query. The probe (TTL 2: B's last-hop table lacks "delta")
 * stops at B, as C's last-hop table lacks it too; the planner then asks B again with a higher
 * TTL (X-Ext-Probes), the query passes C and D answers. */
START_TEST (test_line_dynamic_query)
{
  HitWait w = { &line[0], 0, 2 };
  g_autoptr (GArray) hits = NULL;

  w.id = sv_servent_search_start (line[0].sv, "delta", NULL, NULL, NULL);
  ck_assert (w.id != 0);
  settle (1000);
  ck_assert_uint_eq (status (&line[1]).counters.queries_handled, 1);
  ck_assert_uint_eq (status (&line[2]).counters.queries_received, 0);
  ck_assert_uint_eq (status (&line[3]).counters.queries_received, 0);
  ck_assert (wait_for (hits_reached, &w, 20000));
  hits = sv_servent_search_hits (line[0].sv, w.id);
  ck_assert (hit_named (hits, "delta common.txt", NULL));
  ck_assert (hit_named (hits, "delta extra.txt", NULL));
  ck_assert_uint_eq (status (&line[3]).counters.queries_handled, 1);
  ck_assert_uint_eq (status (&line[2]).counters.queries_handled, 1);
  /* B saw the same MUID twice: handled once, the re-sent probe was no duplicate. */
  ck_assert_uint_eq (status (&line[1]).counters.queries_handled, 1);
  ck_assert_uint_eq (status (&line[1]).counters.queries_duplicate, 0);
}
END_TEST

START_TEST (test_search_needs_a_word)
{
  g_autoptr (GError) error = NULL;

  ck_assert_uint_eq (sv_servent_search_start (line[0].sv, "a b", NULL, NULL, &error), 0);
  ck_assert (error != NULL);
}
END_TEST

/* --- A leaf behind an ultrapeer --- */

static Node up, leaf;

static void
leaf_setup (void)
{
  static const char *const up_files[] = { "ultra shared.bin", NULL };
  static const char *const leaf_files[] = { "leafy apple.txt", "leafy pear.txt", NULL };
  Node both[2];
  static const guint files[2] = { 1, 2 };
  static const guint ups[2] = { 0, 1 };
  static const guint leaves[2] = { 1, 0 };
  Expect e = { both, 2, files, ups, leaves };

  node_start (&up, 20, SV_CONN_ROLE_MODE_ULTRAPEER, NULL, up_files);
  node_start (&leaf, 21, SV_CONN_ROLE_MODE_LEAF, &up, leaf_files);
  both[0] = up;
  both[1] = leaf;
  ck_assert_msg (wait_for (network_ready, &e, WAIT_MS), "the leaf did not come up");
}

static void
leaf_teardown (void)
{
  node_clear (&leaf);
  node_clear (&up);
}

START_TEST (test_leaf_qrp_admits_only_its_files)
{
  SvSearchOptions opt = { .ttl = 2 };
  g_autoptr (GArray) peers = sv_servent_get_peers (up.sv);
  g_autoptr (GArray) hits = NULL;
  HitWait w = { &up, 0, 1 };
  guint64 id;

  ck_assert_uint_eq (peers->len, 1);
  ck_assert (!g_array_index (peers, SvServentPeer, 0).ultrapeer);
  ck_assert (g_array_index (peers, SvServentPeer, 0).qrp_table);
  ck_assert_uint_ge (status (&up).counters.qrp_tables_received, 1);
  ck_assert_uint_ge (status (&leaf).counters.qrp_tables_sent, 1);

  /* A word the leaf does not have never reaches it. */
  id = sv_servent_search_start (up.sv, "banana", &opt, NULL, NULL);
  ck_assert (id != 0);
  settle (500);
  ck_assert_uint_eq (status (&leaf).counters.queries_received, 0);
  ck_assert_uint_ge (status (&up).counters.queries_qrp_blocked, 1);

  /* One it has does, and its hit comes back. */
  w.id = sv_servent_search_start (up.sv, "apple", &opt, NULL, NULL);
  ck_assert (wait_for (hits_reached, &w, WAIT_MS));
  hits = sv_servent_search_hits (up.sv, w.id);
  ck_assert_uint_eq (hits->len, 1);
  ck_assert_str_eq (g_array_index (hits, SvSearchHit, 0).name, "leafy apple.txt");
  ck_assert_uint_eq (status (&leaf).counters.queries_received, 1);
  ck_assert_uint_eq (status (&leaf).counters.queries_handled, 1);

  /* A dynamic query (TTL 0) of the ultrapeer reaches the matching leaf too. */
  g_clear_pointer (&hits, g_array_unref);
  w.id = sv_servent_search_start (up.sv, "leafy", NULL, NULL, NULL);
  w.want = 2;
  ck_assert (wait_for (hits_reached, &w, WAIT_MS));
  hits = sv_servent_search_hits (up.sv, w.id);
  ck_assert (hit_named (hits, "leafy pear.txt", NULL));
}
END_TEST

START_TEST (test_leaf_search_through_ultrapeer)
{
  HitWait w = { &leaf, 0, 1 };
  g_autoptr (GArray) hits = NULL;

  w.id = sv_servent_search_start (leaf.sv, "ultra", NULL, NULL, NULL);
  ck_assert (w.id != 0);
  ck_assert (wait_for (hits_reached, &w, WAIT_MS));
  hits = sv_servent_search_hits (leaf.sv, w.id);
  ck_assert_str_eq (g_array_index (hits, SvSearchHit, 0).name, "ultra shared.bin");
  ck_assert_uint_eq (status (&up).counters.queries_handled, 1);
  ck_assert_uint_eq (status (&leaf).counters.hits_received, 1);
  /* The leaf does not answer its own query. */
  ck_assert_uint_eq (status (&leaf).counters.queries_handled, 0);
}
END_TEST

/* --- A full ultrapeer --- */

static gboolean
refused_once (gpointer data)
{
  return status (data).counters.refused_busy >= 1;
}

static gboolean
linked (gpointer data)
{
  SvServentStatus st = status (data);
  return st.ultrapeers == 1 && !st.scanning;
}

static gboolean
got_bye (gpointer data)
{
  return status (data).counters.closed[SV_PEER_CONN_CLOSED_BYE] >= 1;
}

START_TEST (test_full_ultrapeer_says_503_and_bye_on_exit)
{
  Node u = { 0 }, l1 = { 0 }, l2 = { 0 };
  SvServentStatus st;

  max_leaves = 1;
  node_start (&u, 40, SV_CONN_ROLE_MODE_ULTRAPEER, NULL, NULL);
  max_leaves = 4;
  node_start (&l1, 41, SV_CONN_ROLE_MODE_LEAF, &u, NULL);
  ck_assert (wait_for (linked, &l1, WAIT_MS));
  node_start (&l2, 42, SV_CONN_ROLE_MODE_LEAF, &u, NULL);
  ck_assert (wait_for (refused_once, &u, WAIT_MS));
  settle (300);
  st = status (&u);
  ck_assert_uint_eq (st.leaves, 1);
  ck_assert_uint_eq (status (&l2).ultrapeers, 0);
  ck_assert_uint_ge (status (&l2).counters.closed[SV_PEER_CONN_CLOSED_REFUSED], 1);

  /* Stopping the ultrapeer says Bye to its leaf. */
  node_stop (&u);
  ck_assert (wait_for (got_bye, &l1, WAIT_MS));
  ck_assert_uint_eq (status (&l1).ultrapeers, 0);
  node_clear (&l2);
  node_clear (&l1);
  node_clear (&u);
}
END_TEST

static gboolean
shares_one (gpointer data)
{
  SvServentStatus st = status (data);
  return !st.scanning && st.shared_files == 1;
}

/* --- A UDP host cache --- */

/* A leaf that knows no peer, only a UDP host cache (an ultrapeer answering SCP pings with the
 * ultrapeers it knows), finds the overlay through it. */
START_TEST (test_udp_host_cache_bootstrap)
{
  Node u = { 0 }, x = { 0 }, c = { 0 };
  SvHostAddr cache;

  node_start (&u, 50, SV_CONN_ROLE_MODE_ULTRAPEER, NULL, NULL);
  node_start (&x, 51, SV_CONN_ROLE_MODE_ULTRAPEER, &u, NULL);
  ck_assert (wait_for (linked, &x, WAIT_MS));
  cache = u.listen;
  cache.port = status (&u).port;
  next_uhc = &cache;
  node_start (&c, 52, SV_CONN_ROLE_MODE_LEAF, NULL, NULL);
  next_uhc = NULL;
  ck_assert_uint_eq (status (&c).host_cache_size, 0);
  ck_assert (wait_for (linked, &c, WAIT_MS));
  ck_assert_uint_ge (status (&c).host_cache_size, 1);
  node_clear (&c);
  node_clear (&x);
  node_clear (&u);
}
END_TEST

/* A search started before the leaf's first link is up goes out when the link comes. */
START_TEST (test_leaf_search_before_link)
{
  static const char *const up_files[] = { "early bird.ogg", NULL };
  Node u = { 0 }, l = { 0 };
  HitWait w = { &l, 0, 1 };

  node_start (&u, 43, SV_CONN_ROLE_MODE_ULTRAPEER, NULL, up_files);
  ck_assert (wait_for (shares_one, &u, WAIT_MS));
  node_start (&l, 44, SV_CONN_ROLE_MODE_LEAF, &u, NULL);
  ck_assert_uint_eq (status (&l).ultrapeers, 0);
  w.id = sv_servent_search_start (l.sv, "early", NULL, NULL, NULL);
  ck_assert (w.id != 0);
  ck_assert (wait_for (hits_reached, &w, WAIT_MS));
  ck_assert_uint_eq (status (&u).counters.queries_handled, 1);
  node_clear (&l);
  node_clear (&u);
}
END_TEST

/* --- State across runs --- */

START_TEST (test_guid_persists)
{
  Node n = { 0 };
  SvServentStatus a, b;
  g_autofree char *guid_path = NULL;
  g_autofree char *text = NULL;
  char hex[SV_GUID_HEX_LEN + 1];

  node_start (&n, 30, SV_CONN_ROLE_MODE_LEAF, NULL, NULL);
  a = status (&n);
  node_stop (&n);
  guid_path = g_build_filename (n.state, "guid", NULL);
  ck_assert (g_file_get_contents (guid_path, &text, NULL, NULL));
  sv_guid_to_hex (&a.guid, hex);
  ck_assert (g_str_has_prefix (text, hex));
  node_start (&n, 30, SV_CONN_ROLE_MODE_LEAF, NULL, NULL);
  b = status (&n);
  ck_assert (sv_guid_equal (&a.guid, &b.guid));
  ck_assert (!b.ultrapeer);
  {
    g_autofree char *db = g_build_filename (n.state, "hosts.db", NULL);
    ck_assert (g_file_test (db, G_FILE_TEST_EXISTS));
  }
  node_clear (&n);
}
END_TEST

static Suite *
servent_suite (void)
{
  Suite *s = suite_create ("servent");
  TCase *tc;

  tc = tcase_create ("line");
  tcase_add_checked_fixture (tc, line_setup, line_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_line_ttl_reach);
  tcase_add_test (tc, test_line_ttl_three_reaches_the_end);
  tcase_add_test (tc, test_line_no_match_no_hit);
  tcase_add_test (tc, test_line_subscribe_and_stop);
  tcase_add_test (tc, test_line_dynamic_query);
  tcase_add_test (tc, test_search_needs_a_word);
  suite_add_tcase (s, tc);

  tc = tcase_create ("leaf");
  tcase_add_checked_fixture (tc, leaf_setup, leaf_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_leaf_qrp_admits_only_its_files);
  tcase_add_test (tc, test_leaf_search_through_ultrapeer);
  suite_add_tcase (s, tc);

  tc = tcase_create ("busy");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_full_ultrapeer_says_503_and_bye_on_exit);
  tcase_add_test (tc, test_leaf_search_before_link);
  tcase_add_test (tc, test_udp_host_cache_bootstrap);
  suite_add_tcase (s, tc);

  tc = tcase_create ("state");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_guid_persists);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (servent_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
