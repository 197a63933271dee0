/* fd-relay.c: two sockets spliced on the main loop (see fd-relay.h). */
#include "fd-relay.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd-watch.h"

typedef struct {
  guint8 *buf;
  gsize start, end;        /* bytes waiting: buf[start, end) */
  gboolean eof;            /* the source ended */
  gboolean shut;           /* the end was passed on */
  guint64 moved;
} Direction;

struct _SvFdRelay {
  int fd[2];
  SvFdWatch *watch[2];
  Direction dir[2];        /* dir[0]: fd[0] -> fd[1]; dir[1]: fd[1] -> fd[0] */
  SvFdRelayDone done;
  gpointer user_data;
  gboolean finished;
  guint busy;
  gboolean freed;
  SvFdRelayBudget budget;
  gpointer budget_data;
  gboolean throttled;      /* the budget said 0: no reading until the timer */
  guint throttle_timer;
};

static void update (SvFdRelay *r);
static void throttle (SvFdRelay *r);

static void
finish (SvFdRelay *r)
{
  if (r->finished)
    return;
  r->finished = TRUE;
  for (int i = 0; i < 2; i++)
    g_clear_pointer (&r->watch[i], sv_fd_watch_remove);
  if (r->throttle_timer != 0)
    g_source_remove (r->throttle_timer);
  r->throttle_timer = 0;
  if (r->done != NULL)
    r->done (r, r->user_data);
}

static gboolean
on_throttle_end (gpointer user_data)
{
  SvFdRelay *r = user_data;

  r->throttle_timer = 0;
  r->throttled = FALSE;
  update (r);
  return G_SOURCE_REMOVE;
}

/* The budget is spent: stop reading for SV_FD_RELAY_THROTTLE_MS. */
static void
throttle (SvFdRelay *r)
{
  r->throttled = TRUE;
  if (r->throttle_timer == 0)
    r->throttle_timer = g_timeout_add (SV_FD_RELAY_THROTTLE_MS, on_throttle_end, r);
}

/* Moves what it can in direction @d (from fd[d] to fd[1-d]). Returns: FALSE on an error. */
static gboolean
pump (SvFdRelay *r, int d, GIOCondition ready_in, GIOCondition ready_out)
{
  Direction *x = &r->dir[d];
  int from = r->fd[d], to = r->fd[1 - d];

  if ((ready_in & G_IO_IN) && !x->eof && x->end < SV_FD_RELAY_BUFFER_BYTES && !r->throttled)
    {
      gsize want = SV_FD_RELAY_BUFFER_BYTES - x->end;
      gboolean trickle = FALSE;
      ssize_t n;

      if (r->budget != NULL)
        {
          gsize got = r->budget (want, r->budget_data);

          if (got == 0)
            {
              throttle (r);
              return TRUE;
            }
          /* A trickle is read, then waits for more rather than spin on tiny reads. */
          trickle = got < want && got < SV_FD_RELAY_MIN_GRANT;
          want = got;
        }
      n = read (from, x->buf + x->end, want);
      if (trickle)
        throttle (r);

      if (n > 0)
        x->end += (gsize) n;
      else if (n == 0)
        x->eof = TRUE;
      else if (errno != EAGAIN && errno != EINTR)
        return FALSE;
    }
  if ((ready_out & G_IO_OUT) && x->end > x->start)
    {
      ssize_t n = send (to, x->buf + x->start, x->end - x->start, MSG_NOSIGNAL);

      if (n > 0)
        {
          x->start += (gsize) n;
          x->moved += (guint64) n;
          if (x->start == x->end)
            x->start = x->end = 0;
        }
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        return FALSE;
    }
  if (x->eof && x->end == x->start && !x->shut)
    {
      shutdown (to, SHUT_WR);
      x->shut = TRUE;
    }
  return TRUE;
}

static void
on_ready (SvFdWatch *watch, GIOCondition cond, gpointer user_data)
{
  SvFdRelay *r = user_data;
  int side = watch == r->watch[0] ? 0 : 1;
  GIOCondition in[2] = { 0, 0 }, out[2] = { 0, 0 };

  /* Readable side feeds its direction; writable side drains the other one. */
  in[side] = cond & G_IO_IN;
  out[1 - side] = cond & G_IO_OUT;
  r->busy++;
  if (!pump (r, side, in[side], 0) || !pump (r, 1 - side, 0, out[1 - side]))
    finish (r);
  else if (r->dir[0].shut && r->dir[1].shut)
    finish (r);
  else
    update (r);
  r->busy--;
  if (r->freed && r->busy == 0)
    g_free (r);
}

/* What each socket waits for: reading while its direction has room, writing while the other
 * direction holds bytes. */
static void
update (SvFdRelay *r)
{
  for (int i = 0; i < 2 && !r->finished; i++)
    {
      GIOCondition c = 0;

      if (!r->dir[i].eof && r->dir[i].end < SV_FD_RELAY_BUFFER_BYTES && !r->throttled)
        c |= G_IO_IN;
      if (r->dir[1 - i].end > r->dir[1 - i].start)
        c |= G_IO_OUT;
      sv_fd_watch_set (r->watch[i], c);
    }
}

SvFdRelay *
sv_fd_relay_new (int a, int b, SvFdRelayDone done, gpointer user_data)
{
  SvFdRelay *r = g_new0 (SvFdRelay, 1);

  r->fd[0] = a;
  r->fd[1] = b;
  r->done = done;
  r->user_data = user_data;
  for (int i = 0; i < 2; i++)
    {
      int fl = fcntl (r->fd[i], F_GETFL);

      if (fl >= 0)
        fcntl (r->fd[i], F_SETFL, fl | O_NONBLOCK);
      r->dir[i].buf = g_malloc (SV_FD_RELAY_BUFFER_BYTES);
      r->watch[i] = sv_fd_watch_add (r->fd[i], G_IO_IN, on_ready, r);
    }
  if (r->watch[0] == NULL || r->watch[1] == NULL)
    r->finished = TRUE;   /* nothing will move; the owner sees no progress and times out */
  return r;
}

void
sv_fd_relay_free (SvFdRelay *r)
{
  if (r == NULL || r->freed)
    return;
  if (r->throttle_timer != 0)
    g_source_remove (r->throttle_timer);
  r->throttle_timer = 0;
  for (int i = 0; i < 2; i++)
    {
      g_clear_pointer (&r->watch[i], sv_fd_watch_remove);
      close (r->fd[i]);
      g_free (r->dir[i].buf);
      r->dir[i].buf = NULL;
    }
  r->finished = TRUE;
  r->freed = TRUE;
  if (r->busy == 0)
    g_free (r);
}

void
sv_fd_relay_set_budget (SvFdRelay *r, SvFdRelayBudget budget, gpointer user_data)
{
  r->budget = budget;
  r->budget_data = user_data;
}

void
sv_fd_relay_counts (const SvFdRelay *r, guint64 *a_to_b, guint64 *b_to_a)
{
  *a_to_b = r->dir[0].moved;
  *b_to_a = r->dir[1].moved;
}
