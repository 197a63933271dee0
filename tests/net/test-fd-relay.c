/* test-fd-relay.c: two socket pairs spliced: bytes pass both ways in order, an end is passed on
 * as a half close, a budget stops the reading where it says,
 * and a trickle of budget is read once per throttle period. */
#include "check-util.h"
#include "fd-relay.h"
#include "net-util.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  gboolean done;
} Ended;

static void
on_done (SvFdRelay *relay, gpointer user_data)
{
  ((Ended *) user_data)->done = TRUE;
}

/* Reads what is there now from @fd (non-blocking) into @out. */
static void
drain (int fd, GByteArray *out)
{
  guint8 buf[65536];
  ssize_t n;

  while ((n = recv (fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
    g_byte_array_append (out, buf, (guint) n);
}

START_TEST (test_both_ways_and_half_close)
{
  int a[2], b[2];
  Ended ended = { FALSE };
  SvFdRelay *relay;
  g_autoptr (GByteArray) at_b = g_byte_array_new ();
  g_autoptr (GByteArray) at_a = g_byte_array_new ();
  g_autofree guint8 *big = g_malloc (600000);
  guint64 ab, ba;
  gsize sent = 0;

  for (gsize i = 0; i < 600000; i++)
    big[i] = (guint8) (i * 7);
  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM, 0, b), 0);
  relay = sv_fd_relay_new (a[1], b[1], on_done, &ended);
  /* More than the relay holds, so that flow control is exercised. */
  while (sent < 600000 || at_b->len < 600000)
    {
      if (sent < 600000)
        {
          ssize_t n = send (a[0], big + sent, MIN (65536, 600000 - sent), MSG_DONTWAIT);

          if (n > 0)
            sent += (gsize) n;
        }
      net_run_for (5);
      drain (b[0], at_b);
      ck_assert (!ended.done);
    }
  ck_assert_mem_eq (at_b->data, big, 600000);
  ck_assert_int_eq (write (b[0], "back", 4), 4);
  shutdown (a[0], SHUT_WR);
  shutdown (b[0], SHUT_WR);
  ck_assert (net_run_until (&ended.done, 5000));
  drain (a[0], at_a);
  ck_assert_uint_eq (at_a->len, 4);
  ck_assert_mem_eq (at_a->data, "back", 4);
  sv_fd_relay_counts (relay, &ab, &ba);
  ck_assert_uint_eq (ab, 600000);
  ck_assert_uint_eq (ba, 4);
  sv_fd_relay_free (relay);
  close (a[0]);
  close (b[0]);
}
END_TEST

/* Two socket pairs spliced by a relay whose reading @budget limits, @len bytes of @buf already
 * sent into one end (a[0]); what passes comes out at b[0]. */
typedef struct {
  int a[2], b[2];
  Ended ended;
  SvFdRelay *relay;
} Budgeted;

static void
budgeted_start (Budgeted *t, SvFdRelayBudget budget, gpointer data, const guint8 *buf, gsize len)
{
  t->ended.done = FALSE;
  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM, 0, t->a), 0);
  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM, 0, t->b), 0);
  t->relay = sv_fd_relay_new (t->a[1], t->b[1], on_done, &t->ended);
  sv_fd_relay_set_budget (t->relay, budget, data);
  ck_assert_int_eq (send (t->a[0], buf, len, 0), (ssize_t) len);
}

static void
budgeted_stop (Budgeted *t)
{
  sv_fd_relay_free (t->relay);
  close (t->a[0]);
  close (t->b[0]);
}

static gsize
allow (gsize want, gpointer user_data)
{
  gsize *left = user_data;
  gsize n = MIN (want, *left);

  *left -= n;
  return n;
}

START_TEST (test_budget_stops_reading)
{
  Budgeted t;
  gsize left = 1000;
  guint8 buf[5000];
  g_autoptr (GByteArray) at_b = g_byte_array_new ();

  memset (buf, 'x', sizeof buf);
  budgeted_start (&t, allow, &left, buf, sizeof buf);
  net_run_for (200);
  drain (t.b[0], at_b);
  /* 1,000 bytes were allowed, and no more passed in 10 throttle periods. */
  ck_assert_uint_eq (at_b->len, 1000);
  /* More budget: the rest follows. */
  left = 100000;
  net_run_for (200);
  drain (t.b[0], at_b);
  ck_assert_uint_eq (at_b->len, sizeof buf);
  budgeted_stop (&t);
}
END_TEST

static gsize
trickle (gsize want, gpointer user_data)
{
  guint *calls = user_data;

  (*calls)++;
  return MIN (want, (gsize) 100);
}

/* A budget that trickles in (100 bytes at a time) is read a trickle per throttle period, not
 * in a loop that keeps the main loop spinning. */
START_TEST (test_trickle_waits)
{
  Budgeted t;
  guint calls = 0;
  guint8 buf[50000];
  g_autoptr (GByteArray) at_b = g_byte_array_new ();

  memset (buf, 'y', sizeof buf);
  budgeted_start (&t, trickle, &calls, buf, sizeof buf);
  net_run_for (200);
  drain (t.b[0], at_b);
  /* About one read per SV_FD_RELAY_THROTTLE_MS in 200 ms; each passed its 100 bytes on. */
  ck_assert_uint_ge (calls, 1);
  ck_assert_uint_le (calls, 200 / SV_FD_RELAY_THROTTLE_MS + 5);
  ck_assert_uint_le (at_b->len, calls * 100);
  ck_assert_uint_ge (at_b->len, (calls - 1) * 100);
  budgeted_stop (&t);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("fd-relay");
  TCase *tc = tcase_create ("net");

  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_both_ways_and_half_close);
  tcase_add_test (tc, test_budget_stops_reading);
  tcase_add_test (tc, test_trickle_waits);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
