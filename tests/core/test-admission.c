/* test-admission.c: places for unproven connections: the caps per address and per network, and
 * which place is taken back when a newcomer arrives at a full table. */
#include "check-util.h"
#include "admission.h"

static SvAdmissionConfig
config (guint max, guint per_addr, guint per_net, guint protect)
{
  SvAdmissionConfig c = { max, per_addr, per_net, protect, 0 };
  return c;
}

static void
v4 (SvHostAddr *a, guint8 x, guint8 y, guint8 z, guint8 w)
{
  guint8 ip[4] = { x, y, z, w };
  sv_host_addr_set_ipv4 (a, ip, 6346);
}

static void
v6 (SvHostAddr *a, guint8 subnet, guint8 host)
{
  guint8 ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, subnet, 0, 0, 0, 0, 0, 0, 0, host };
  sv_host_addr_set_ipv6 (a, ip, 6346);
}

START_TEST (test_free_place)
{
  SvAdmissionConfig c = config (4, 2, 3, 10);
  SvAdmissionEntry held[2] = { 0 };
  SvHostAddr n;

  v4 (&held[0].addr, 192, 0, 2, 1);
  v4 (&held[1].addr, 198, 51, 100, 1);
  v4 (&n, 203, 0, 113, 9);
  ck_assert_int_eq (sv_admission_decide (&c, held, 2, &n, NULL), SV_ADMISSION_OK);
  ck_assert_int_eq (sv_admission_decide (&c, NULL, 0, &n, NULL), SV_ADMISSION_OK);
}
END_TEST

START_TEST (test_caps)
{
  SvAdmissionConfig c = config (100, 2, 3, 10);
  SvAdmissionEntry held[3] = { 0 };
  SvHostAddr n;

  v4 (&held[0].addr, 192, 0, 2, 1);
  v4 (&held[1].addr, 192, 0, 2, 1);
  v4 (&held[2].addr, 192, 0, 2, 7);
  /* The same address a third time. */
  v4 (&n, 192, 0, 2, 1);
  ck_assert_int_eq (sv_admission_decide (&c, held, 2, &n, NULL), SV_ADMISSION_ADDR_CAP);
  /* Another address of the same /24, which already holds three places. */
  v4 (&n, 192, 0, 2, 200);
  ck_assert_int_eq (sv_admission_decide (&c, held, 3, &n, NULL), SV_ADMISSION_NET_CAP);
  /* The next /24 is another network. */
  v4 (&n, 192, 0, 3, 1);
  ck_assert_int_eq (sv_admission_decide (&c, held, 3, &n, NULL), SV_ADMISSION_OK);
  /* With caps_from, a burst from one host is let in while the table is little used. */
  c.caps_from = 4;
  v4 (&n, 192, 0, 2, 1);
  ck_assert_int_eq (sv_admission_decide (&c, held, 3, &n, NULL), SV_ADMISSION_OK);
  c.caps_from = 3;
  ck_assert_int_eq (sv_admission_decide (&c, held, 3, &n, NULL), SV_ADMISSION_ADDR_CAP);
  /* Caps of 0 mean none. */
  c = config (100, 0, 0, 10);
  v4 (&n, 192, 0, 2, 1);
  ck_assert_int_eq (sv_admission_decide (&c, held, 3, &n, NULL), SV_ADMISSION_OK);
}
END_TEST

START_TEST (test_ipv6_net_is_64)
{
  SvAdmissionConfig c = config (100, 1, 2, 10);
  SvAdmissionEntry held[2] = { 0 };
  SvHostAddr n;

  v6 (&held[0].addr, 1, 1);
  v6 (&held[1].addr, 1, 2);
  v6 (&n, 1, 3);                       /* same /64, new address */
  ck_assert_int_eq (sv_admission_decide (&c, held, 2, &n, NULL), SV_ADMISSION_NET_CAP);
  v6 (&n, 2, 1);                       /* the next /64 */
  ck_assert_int_eq (sv_admission_decide (&c, held, 2, &n, NULL), SV_ADMISSION_OK);
  v6 (&n, 2, 1);
  held[0].addr = n;
  ck_assert_int_eq (sv_admission_decide (&c, held, 2, &n, NULL), SV_ADMISSION_ADDR_CAP);
  /* An IPv4 address never shares a network with an IPv6 one. */
  v4 (&n, 32, 1, 13, 184);
  ck_assert (!sv_admission_same_net (&n, &held[1].addr));
}
END_TEST

START_TEST (test_evicts_least_progress_oldest)
{
  SvAdmissionConfig c = config (4, 0, 0, 3);
  SvAdmissionEntry held[4] = { 0 };
  SvHostAddr n;
  guint victim = 99;

  for (guint i = 0; i < 4; i++)
    v4 (&held[i].addr, 198, 18, (guint8) i, 1);
  held[0] = (SvAdmissionEntry) { held[0].addr, 100, 2 };   /* old, some header lines */
  held[1] = (SvAdmissionEntry) { held[1].addr, 300, 1 };   /* younger, first line only */
  held[2] = (SvAdmissionEntry) { held[2].addr, 200, 1 };   /* older, first line only */
  held[3] = (SvAdmissionEntry) { held[3].addr, 50, 3 };    /* the oldest, but done: protected */
  v4 (&n, 203, 0, 113, 1);
  ck_assert_int_eq (sv_admission_decide (&c, held, 4, &n, &victim), SV_ADMISSION_EVICT);
  ck_assert_uint_eq (victim, 2);
  /* Once the slow ones have progressed, the least progress still goes first. */
  held[1].progress = 2;
  held[2].progress = 2;
  ck_assert_int_eq (sv_admission_decide (&c, held, 4, &n, &victim), SV_ADMISSION_EVICT);
  ck_assert_uint_eq (victim, 0);
}
END_TEST

START_TEST (test_protected_are_never_evicted)
{
  SvAdmissionConfig c = config (3, 0, 0, 2);
  SvAdmissionEntry held[3] = { 0 };
  SvHostAddr n;
  guint victim = 99;

  for (guint i = 0; i < 3; i++)
    {
      v4 (&held[i].addr, 198, 19, (guint8) i, 1);
      held[i].since_us = i;
      held[i].progress = 2 + i;
    }
  v4 (&n, 203, 0, 113, 1);
  ck_assert_int_eq (sv_admission_decide (&c, held, 3, &n, &victim), SV_ADMISSION_FULL);
  ck_assert_uint_eq (victim, 99);
  /* A table of 0 places refuses everyone. */
  c = config (0, 0, 0, 2);
  ck_assert_int_eq (sv_admission_decide (&c, NULL, 0, &n, &victim), SV_ADMISSION_FULL);
  ck_assert_str_eq (sv_admission_verdict_name (SV_ADMISSION_NET_CAP), "network-cap");
}
END_TEST

/* A flood of slow handshakes from many addresses: each newcomer takes the oldest slow place, and
 * a quick peer in the table keeps its own throughout. */
START_TEST (test_flood_keeps_quick_peer)
{
  SvAdmissionConfig c = config (8, 1, 0, 3);
  SvAdmissionEntry held[8];
  guint n = 0;

  for (guint i = 0; i < 2000; i++)
    {
      SvHostAddr a;
      guint victim;
      SvAdmissionVerdict v;

      v4 (&a, 127, 3, (guint8) (i / 250), (guint8) (i % 250 + 1));
      v = sv_admission_decide (&c, held, n, &a, &victim);
      if (i == 5)
        ck_assert_int_eq (v, n < 8 ? SV_ADMISSION_OK : SV_ADMISSION_EVICT);
      if (v == SV_ADMISSION_OK)
        victim = n++;
      else
        ck_assert_int_eq (v, SV_ADMISSION_EVICT);
      held[victim] = (SvAdmissionEntry) { a, i, 1 };
      if (i == 3)
        held[victim].progress = 3;     /* this one sent its whole handshake */
    }
  ck_assert_uint_eq (n, 8);
  {
    gboolean kept = FALSE;
    for (guint i = 0; i < n; i++)
      kept |= held[i].since_us == 3 && held[i].progress == 3;
    ck_assert (kept);
  }
}
END_TEST

static void
describe_addr (gconstpointer key, SvAdmissionEntry *out)
{
  const SvAdmissionEntry *e = key;

  *out = *e;
}

/* The same verdict over a set: the victim comes back as the set's key. */
START_TEST (test_decide_in_set)
{
  SvAdmissionConfig c = config (2, 0, 0, 5);
  SvAdmissionEntry a = { 0 }, b = { 0 };
  g_autoptr (GHashTable) set = g_hash_table_new (g_direct_hash, g_direct_equal);
  SvHostAddr n;
  gpointer victim = NULL;

  v4 (&a.addr, 198, 18, 0, 1);
  a.since_us = 10;
  a.progress = 1;
  v4 (&b.addr, 198, 18, 1, 1);
  b.since_us = 5;
  b.progress = 5;                      /* protected */
  v4 (&n, 203, 0, 113, 4);
  g_hash_table_add (set, &a);
  ck_assert_int_eq (sv_admission_decide_in (&c, set, describe_addr, &n, &victim), SV_ADMISSION_OK);
  g_hash_table_add (set, &b);
  ck_assert_int_eq (sv_admission_decide_in (&c, set, describe_addr, &n, &victim), SV_ADMISSION_EVICT);
  ck_assert_ptr_eq (victim, &a);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("admission");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_free_place);
  tcase_add_test (tc, test_caps);
  tcase_add_test (tc, test_ipv6_net_is_64);
  tcase_add_test (tc, test_evicts_least_progress_oldest);
  tcase_add_test (tc, test_protected_are_never_evicted);
  tcase_add_test (tc, test_flood_keeps_quick_peer);
  tcase_add_test (tc, test_decide_in_set);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
