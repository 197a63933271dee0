/* test-fd-watch.c: SvFdWatch over real socket pairs: readiness reported level-triggered until
 * read, nothing while nothing is watched, a peer's close seen by the reader, a watch removed by
 * another's callback in the same wakeup never called, many sockets each reported once, and the
 * watches of a pushed main context running on that context only. */
#include "check-util.h"
#include "fd-watch.h"
#include "net-util.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TEST_TIMEOUT_MS 5000
#define MANY_PAIRS 300

typedef struct {
  int fds[2];          /* [0] watched, [1] the peer */
  SvFdWatch *watch;
  guint n_in;
  guint n_out;
  gboolean read_it;    /* the callback reads what is there */
  gboolean got_eof;
  SvFdWatch **victim;  /* removed by this watch's callback (then cleared) */
  gboolean fired;
} Pair;

static void
pair_open (Pair *p)
{
  memset (p, 0, sizeof *p);
  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p->fds), 0);
}

static void
pair_close (Pair *p)
{
  sv_fd_watch_remove (p->watch);
  p->watch = NULL;
  if (p->fds[0] >= 0)
    close (p->fds[0]);
  if (p->fds[1] >= 0)
    close (p->fds[1]);
}

static void
on_ready (SvFdWatch *watch, GIOCondition cond, gpointer user_data)
{
  Pair *p = user_data;

  ck_assert_ptr_eq (watch, p->watch);
  p->fired = TRUE;
  if (cond & G_IO_IN)
    {
      p->n_in++;
      if (p->read_it)
        {
          char buf[64];
          ssize_t n = read (p->fds[0], buf, sizeof buf);

          if (n == 0)
            p->got_eof = TRUE;
        }
    }
  if (cond & G_IO_OUT)
    p->n_out++;
  if (p->victim != NULL && *p->victim != NULL)
    {
      sv_fd_watch_remove (*p->victim);
      *p->victim = NULL;
    }
}

/* Unread data is reported on every wakeup; once read, or once unwatched, no more. */
START_TEST (test_level_triggered_until_read)
{
  Pair p;

  pair_open (&p);
  p.watch = sv_fd_watch_add (p.fds[0], G_IO_IN, on_ready, &p);
  ck_assert_ptr_nonnull (p.watch);
  net_run_for (50);
  ck_assert_uint_eq (p.n_in, 0);   /* nothing to read: no report */
  ck_assert_int_eq (write (p.fds[1], "x", 1), 1);
  net_run_for (50);
  ck_assert_uint_gt (p.n_in, 1);   /* not read: reported again and again */
  sv_fd_watch_set (p.watch, 0);
  ck_assert_uint_eq (sv_fd_watch_get (p.watch), 0);
  p.n_in = 0;
  net_run_for (50);
  ck_assert_uint_eq (p.n_in, 0);   /* unwatched: silent although unread */
  sv_fd_watch_set (p.watch, G_IO_IN | G_IO_OUT);
  p.read_it = TRUE;
  p.fired = FALSE;
  ck_assert (net_run_until (&p.fired, TEST_TIMEOUT_MS));
  net_run_for (20);
  ck_assert_uint_ge (p.n_out, 1);
  sv_fd_watch_set (p.watch, G_IO_IN);
  p.n_in = 0;
  net_run_for (50);
  ck_assert_uint_eq (p.n_in, 0);   /* read: no more reports */
  pair_close (&p);
}
END_TEST

/* The peer's close reaches a reader as readable, and the read finds the end. A writer-only watch
 * of a hung-up socket is told too (its write finds the error) and can stop. */
START_TEST (test_peer_close_reaches_the_reader)
{
  Pair p;

  pair_open (&p);
  p.read_it = TRUE;
  p.watch = sv_fd_watch_add (p.fds[0], G_IO_IN, on_ready, &p);
  close (p.fds[1]);
  p.fds[1] = -1;
  ck_assert (net_run_until (&p.got_eof, TEST_TIMEOUT_MS));
  sv_fd_watch_set (p.watch, G_IO_OUT);
  p.n_out = 0;
  net_run_for (20);
  ck_assert_uint_ge (p.n_out, 1);
  pair_close (&p);
}
END_TEST

/* Two sockets ready in the same wakeup; whichever callback runs first removes the other watch,
 * which is then never called although its event was already collected. */
START_TEST (test_removed_in_same_wakeup_not_called)
{
  Pair a, b;

  pair_open (&a);
  pair_open (&b);
  ck_assert_int_eq (write (a.fds[1], "x", 1), 1);
  ck_assert_int_eq (write (b.fds[1], "x", 1), 1);
  a.watch = sv_fd_watch_add (a.fds[0], G_IO_IN, on_ready, &a);
  b.watch = sv_fd_watch_add (b.fds[0], G_IO_IN, on_ready, &b);
  a.victim = &b.watch;
  b.victim = &a.watch;
  g_main_context_iteration (NULL, TRUE);
  ck_assert_uint_eq (a.n_in + b.n_in, 1);
  ck_assert (a.watch == NULL || b.watch == NULL);
  net_run_for (50);
  ck_assert (a.watch != NULL ? a.n_in > 1 && b.n_in == 0 : b.n_in > 1 && a.n_in == 0);
  a.victim = b.victim = NULL;
  pair_close (&a);
  pair_close (&b);
}
END_TEST

/* Hundreds of sockets, more than one wakeup collects: each is reported, each read once. */
START_TEST (test_many_sockets_each_reported)
{
  Pair *pairs = g_new (Pair, MANY_PAIRS);
  gint64 end = g_get_monotonic_time () + TEST_TIMEOUT_MS * 1000;
  guint done = 0;

  for (guint i = 0; i < MANY_PAIRS; i++)
    {
      pair_open (&pairs[i]);
      pairs[i].read_it = TRUE;
      pairs[i].watch = sv_fd_watch_add (pairs[i].fds[0], G_IO_IN, on_ready, &pairs[i]);
      ck_assert_int_eq (write (pairs[i].fds[1], "x", 1), 1);
    }
  while (done < MANY_PAIRS && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      done = 0;
      for (guint i = 0; i < MANY_PAIRS; i++)
        done += pairs[i].n_in > 0;
    }
  ck_assert_uint_eq (done, MANY_PAIRS);
  for (guint i = 0; i < MANY_PAIRS; i++)
    {
      ck_assert_uint_eq (pairs[i].n_in, 1);   /* read at once: not reported again */
      pair_close (&pairs[i]);
    }
  g_free (pairs);
}
END_TEST

/* A watch added under a pushed thread-default context runs there, not on the default one. */
START_TEST (test_pushed_context)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  Pair p;

  pair_open (&p);
  g_main_context_push_thread_default (ctx);
  p.read_it = TRUE;
  p.watch = sv_fd_watch_add (p.fds[0], G_IO_IN, on_ready, &p);
  g_main_context_pop_thread_default (ctx);
  ck_assert_int_eq (write (p.fds[1], "x", 1), 1);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  ck_assert_uint_eq (p.n_in, 0);
  for (int i = 0; i < 100 && p.n_in == 0; i++)
    {
      g_main_context_iteration (ctx, FALSE);
      g_usleep (1000);
    }
  ck_assert_uint_eq (p.n_in, 1);
  g_main_context_push_thread_default (ctx);
  pair_close (&p);
  g_main_context_pop_thread_default (ctx);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("fd-watch");
  TCase *tc = tcase_create ("fd-watch");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_level_triggered_until_read);
  tcase_add_test (tc, test_peer_close_reaches_the_reader);
  tcase_add_test (tc, test_removed_in_same_wakeup_not_called);
  tcase_add_test (tc, test_many_sockets_each_reported);
  tcase_add_test (tc, test_pushed_context);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
