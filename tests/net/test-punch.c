/* test-punch.c: the punch on loopback: two punches aimed at each other's reserved ports meet in
 * one connection that carries bytes both ways (one side's try lands on the other's reservation);
 * a punch nobody answers ends when its window does, after several tries. The crossing SYNs of a
 * real simultaneous open through two NATs are tested in tests/nat. */
#include "check-util.h"
#include "net-util.h"
#include "punch.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  gboolean done;
  int fd;
  char *error;
} Result;

static void
on_done (int fd, const GError *error, gpointer user_data)
{
  Result *r = user_data;

  r->done = TRUE;
  r->fd = fd;
  r->error = error != NULL ? g_strdup (error->message) : NULL;
}

static void
meet (guint family)
{
  SvHostAddr lo = net_loopback (family, 0);
  guint16 pa = 0, pb = 0;
  g_autoptr (GError) error = NULL;
  int ra = sv_punch_reserve (&lo, lo.family, &pa, &error);
  int rb = sv_punch_reserve (&lo, lo.family, &pb, &error);
  SvHostAddr to_b = net_loopback (family, 0), to_a = net_loopback (family, 0);
  Result a = { .fd = -1 }, b = { .fd = -1 };
  SvPunch *pa_punch, *pb_punch;
  char buf[8] = { 0 };

  ck_assert_msg (ra >= 0 && rb >= 0, "%s", error ? error->message : "");
  ck_assert_uint_ne (pa, 0);
  ck_assert_uint_ne (pa, pb);
  to_b.port = pb;
  to_a.port = pa;
  /* A starts first: B's reservation already listens, so A's first try connects there and B's
   * punch, started later, takes that connection from its reservation. */
  pa_punch = sv_punch_start (&lo, ra, &to_b, 0, on_done, &a);
  net_run_for (150);
  pb_punch = sv_punch_start (&lo, rb, &to_a, 0, on_done, &b);
  ck_assert (net_run_until (&a.done, 10000));
  ck_assert (net_run_until (&b.done, 10000));
  ck_assert_msg (a.fd >= 0, "A: %s", a.error);
  ck_assert_msg (b.fd >= 0, "B: %s", b.error);
  ck_assert_uint_eq (sv_punch_tries (pa_punch), 1);
  ck_assert (!sv_punch_accepted (pa_punch));
  ck_assert (sv_punch_accepted (pb_punch));
  /* One connection: what A writes, B reads, and back. */
  ck_assert_int_eq (write (a.fd, "ping", 4), 4);
  ck_assert_int_eq (write (b.fd, "pong", 4), 4);
  net_run_for (50);
  ck_assert_int_eq (recv (b.fd, buf, sizeof buf, MSG_DONTWAIT), 4);
  ck_assert_mem_eq (buf, "ping", 4);
  ck_assert_int_eq (recv (a.fd, buf, sizeof buf, MSG_DONTWAIT), 4);
  ck_assert_mem_eq (buf, "pong", 4);
  sv_punch_free (pa_punch);
  sv_punch_free (pb_punch);
  close (a.fd);
  close (b.fd);
  close (ra);
  close (rb);
}

START_TEST (test_meet_ipv4)
{
  meet (SV_HOST_ADDR_IPV4);
}
END_TEST

START_TEST (test_meet_ipv6)
{
  meet (SV_HOST_ADDR_IPV6);
}
END_TEST

START_TEST (test_nobody_answers)
{
  SvHostAddr lo = net_loopback (SV_HOST_ADDR_IPV4, 0), peer = lo;
  guint16 port = 0, silent = 0;
  g_autoptr (GError) error = NULL;
  int res = sv_punch_reserve (&lo, lo.family, &port, &error);
  int other = sv_punch_reserve (&lo, lo.family, &silent, &error);
  Result r = { .fd = -1 };
  SvPunch *p;
  gint64 start = g_get_monotonic_time ();

  ck_assert (res >= 0 && other >= 0);
  peer.port = silent;
  /* The silent side only listens: the punch's SYNs get accepted there, not by us. To be
   * refused, aim at a port with nothing bound. */
  close (other);
  other = -1;
  p = sv_punch_start (&lo, res, &peer, 600 * 1000, on_done, &r);
  ck_assert (net_run_until (&r.done, 5000));
  ck_assert_int_eq (r.fd, -1);
  ck_assert_ptr_nonnull (r.error);
  ck_assert_msg (strstr (r.error, "refused") != NULL, "%s", r.error);
  /* Refused tries are repeated within the window, not once. */
  ck_assert_uint_gt (sv_punch_tries (p), 3);
  ck_assert_int_ge (g_get_monotonic_time () - start, 600 * 1000);
  sv_punch_free (p);
  g_free (r.error);
  close (res);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("punch");
  TCase *tc = tcase_create ("net");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_meet_ipv4);
  tcase_add_test (tc, test_meet_ipv6);
  tcase_add_test (tc, test_nobody_answers);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
