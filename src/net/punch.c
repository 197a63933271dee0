/* punch.c: TCP simultaneous open (see punch.h). */
#include "punch.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "socket-addr.h"

struct _SvPunch {
  SvHostAddr local, peer;
  guint16 port;
  int reservation;           /* listening on @port (not owned) */
  GSource *accept_watch;     /* on @reservation */
  gboolean accepted;
  gint64 deadline_us;
  SvPunchDone done;
  gpointer user_data;
  int fd;                    /* the try in flight (-1: none) */
  GSource *watch;            /* its connect finishing */
  GSource *timer;            /* its end, or the next try */
  guint tries;
  int last_errno;
};

/* Fills @sa for @addr (port @port); @addr NULL or of another family: the wildcard of @family. */
static socklen_t
sockaddr_of (const SvHostAddr *addr, guint8 family, guint16 port, struct sockaddr_storage *sa)
{
  SvHostAddr a = { 0 };

  if (addr != NULL && addr->family == family)
    a = *addr;
  a.family = family;
  a.port = port;
  return sv_socket_addr_to_native (&a, sa);
}

/* A non-blocking TCP socket with both reuse options, bound to @local (any address) and @port. */
static int
bound_socket (const SvHostAddr *local, guint8 family, guint16 port, int *err)
{
  struct sockaddr_storage sa;
  socklen_t len = sockaddr_of (local, family, port, &sa);
  int one = 1;
  int fd = socket (sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    {
      *err = errno;
      return -1;
    }
  if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0
      || bind (fd, (struct sockaddr *) &sa, len) != 0)
    {
      *err = errno;
      close (fd);
      return -1;
    }
  return fd;
}

/* The port @fd is bound to (0: unknown). */
static guint16
local_port (int fd)
{
  struct sockaddr_storage sa;
  socklen_t len = sizeof sa;
  SvHostAddr a;

  if (getsockname (fd, (struct sockaddr *) &sa, &len) != 0
      || !sv_socket_addr_from_native ((struct sockaddr *) &sa, len, &a))
    return 0;
  return a.port;
}

int
sv_punch_reserve (const SvHostAddr *local, guint8 family, guint16 *port_out, GError **error)
{
  int err = 0;
  int fd = bound_socket (local, family, 0, &err);

  if (fd < 0 || listen (fd, 4) != 0 || (*port_out = local_port (fd)) == 0)
    {
      if (fd >= 0)
        {
          err = errno;
          close (fd);
        }
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   "cannot reserve a local port: %s", g_strerror (err));
      return -1;
    }
  return fd;
}

static void
source_clear (GSource **s)
{
  if (*s != NULL)
    {
      g_source_destroy (*s);
      g_source_unref (*s);
      *s = NULL;
    }
}

static void
try_end (SvPunch *p)
{
  source_clear (&p->watch);
  source_clear (&p->timer);
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
}

static void try_next (SvPunch *p, gint64 delay_us);
static void attach (GSource **slot, GSource *s, GSourceFunc fn, SvPunch *p);

static void
finish (SvPunch *p, int fd)
{
  g_autoptr (GError) error = NULL;

  source_clear (&p->accept_watch);
  if (fd < 0)
    error = g_error_new (G_IO_ERROR, g_io_error_from_errno (p->last_errno),
                         "no connection after %u tries (last: %s)", p->tries,
                         p->last_errno != 0 ? g_strerror (p->last_errno) : "no answer");
  p->done (fd, error, p->user_data);
}

static gboolean
on_try_timeout (gpointer user_data)
{
  SvPunch *p = user_data;

  p->last_errno = ETIMEDOUT;
  try_next (p, 0);
  return G_SOURCE_REMOVE;
}

static gboolean
on_writable (gint fd, GIOCondition cond, gpointer user_data)
{
  SvPunch *p = user_data;
  int err = 0;
  socklen_t len = sizeof err;

  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    err = errno;
  if (err == 0)
    {
      int connected = p->fd;

      p->fd = -1;
      try_end (p);
      finish (p, connected);
      return G_SOURCE_REMOVE;
    }
  p->last_errno = err;
  /* Refused (an RST from the other gateway, which also dropped our mapping) or unreachable:
   * again soon, after a random delay so that the two sides fall out of step. */
  try_next (p, g_random_int_range (0, (gint32) SV_PUNCH_JITTER_MAX_US + 1));
  return G_SOURCE_REMOVE;
}

static void
attach (GSource **slot, GSource *s, GSourceFunc fn, SvPunch *p)
{
  *slot = s;
  g_source_set_callback (s, fn, p, NULL);
  g_source_attach (s, g_main_context_get_thread_default ());
}

/* One try now: a fresh socket, connect, wait for it or SV_PUNCH_TRY_US. */
static gboolean
on_try (gpointer user_data)
{
  SvPunch *p = user_data;
  struct sockaddr_storage sa;
  socklen_t len = sockaddr_of (&p->peer, p->peer.family, p->peer.port, &sa);
  gint64 left = p->deadline_us - g_get_monotonic_time ();
  int err = 0;

  source_clear (&p->timer);
  if (left <= 0 || p->tries >= SV_PUNCH_MAX_TRIES)
    {
      finish (p, -1);
      return G_SOURCE_REMOVE;
    }
  p->tries++;
  p->fd = bound_socket (&p->local, p->peer.family, p->port, &err);
  if (p->fd >= 0 && connect (p->fd, (struct sockaddr *) &sa, len) != 0 && errno != EINPROGRESS)
    err = errno;
  if (p->fd < 0 || err != 0)
    {
      p->last_errno = err;
      try_next (p, SV_PUNCH_JITTER_MAX_US + g_random_int_range (0, (gint32) SV_PUNCH_JITTER_MAX_US));
      return G_SOURCE_REMOVE;
    }
  attach (&p->watch, g_unix_fd_source_new (p->fd, G_IO_OUT), G_SOURCE_FUNC (on_writable), p);
  attach (&p->timer, g_timeout_source_new ((guint) (MIN (SV_PUNCH_TRY_US, left) / 1000)),
          on_try_timeout, p);
  return G_SOURCE_REMOVE;
}

static void
try_next (SvPunch *p, gint64 delay_us)
{
  try_end (p);
  attach (&p->timer, g_timeout_source_new ((guint) (delay_us / 1000)), on_try, p);
}

/* A connection on the reservation: the other side's SYN came in while no try of ours was out.
 * Only the peer's address and port are taken. */
static gboolean
on_accept (gint fd, GIOCondition cond, gpointer user_data)
{
  SvPunch *p = user_data;
  struct sockaddr_storage sa;
  socklen_t len = sizeof sa;
  SvHostAddr from;
  int conn = accept4 (fd, (struct sockaddr *) &sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (conn < 0)
    return G_SOURCE_CONTINUE;
  if (!sv_socket_addr_from_native ((struct sockaddr *) &sa, len, &from)
      || !sv_host_addr_equal (&from, &p->peer))
    {
      close (conn);
      return G_SOURCE_CONTINUE;
    }
  p->accepted = TRUE;
  source_clear (&p->accept_watch);
  try_end (p);
  finish (p, conn);
  return G_SOURCE_REMOVE;
}

SvPunch *
sv_punch_start (const SvHostAddr *local, int reservation, const SvHostAddr *peer,
                gint64 window_us, SvPunchDone done, gpointer user_data)
{
  SvPunch *p = g_new0 (SvPunch, 1);

  if (local != NULL)
    p->local = *local;
  p->local.port = 0;
  p->peer = *peer;
  p->reservation = reservation;
  p->port = local_port (reservation);
  attach (&p->accept_watch, g_unix_fd_source_new (reservation, G_IO_IN),
          G_SOURCE_FUNC (on_accept), p);
  p->deadline_us = g_get_monotonic_time () + (window_us > 0 ? window_us : SV_PUNCH_WINDOW_US);
  p->done = done;
  p->user_data = user_data;
  p->fd = -1;
  try_next (p, 0);
  return p;
}

void
sv_punch_free (SvPunch *p)
{
  if (p == NULL)
    return;
  try_end (p);
  source_clear (&p->accept_watch);
  g_free (p);
}

gboolean
sv_punch_accepted (const SvPunch *p)
{
  return p->accepted;
}

guint
sv_punch_tries (const SvPunch *p)
{
  return p->tries;
}
