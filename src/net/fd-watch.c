/* fd-watch.c: one epoll set per main context, dispatched as one GSource (see fd-watch.h). */
#include "fd-watch.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#define EVENTS_PER_WAKEUP 256

typedef struct {
  GSource source;
  int epfd;
  gpointer tag;            /* the epoll descriptor in the context's poll set */
  GPtrArray *dead;         /* watches removed during a dispatch, freed after it */
  gboolean dispatching;
} Poller;

struct _SvFdWatch {
  Poller *poller;
  int fd;
  GIOCondition cond;
  gboolean in_set;         /* in the epoll set (only while something is watched: an idle
                            * descriptor's hang-up would otherwise be reported forever) */
  gboolean removed;
  SvFdWatchFunc func;
  gpointer user_data;
};

static gboolean
poller_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  Poller *p = (Poller *) source;
  struct epoll_event ev[EVENTS_PER_WAKEUP];
  int n = epoll_wait (p->epfd, ev, EVENTS_PER_WAKEUP, 0);

  p->dispatching = TRUE;
  for (int i = 0; i < n; i++)
    {
      SvFdWatch *w = ev[i].data.ptr;
      GIOCondition cond = 0;

      if (w->removed)
        continue;
      if (ev[i].events & (EPOLLIN | EPOLLRDHUP))
        cond |= G_IO_IN;
      if (ev[i].events & EPOLLOUT)
        cond |= G_IO_OUT;
      if (ev[i].events & (EPOLLHUP | EPOLLERR))
        cond |= G_IO_IN | G_IO_OUT;   /* whichever the owner waits for finds the end */
      cond &= w->cond;
      if (cond != 0)
        w->func (w, cond, w->user_data);
    }
  p->dispatching = FALSE;
  g_ptr_array_set_size (p->dead, 0);
  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  Poller *p = (Poller *) source;

  g_ptr_array_unref (p->dead);
  close (p->epfd);
}

static GSourceFuncs poller_funcs = {
  .dispatch = poller_dispatch,
  .finalize = poller_finalize,
};

/* The thread's pollers, one per main context it runs (tests push contexts of their own). */
static void
pollers_free (gpointer data)
{
  g_hash_table_unref (data);
}

static GPrivate pollers_key = G_PRIVATE_INIT (pollers_free);

static void
poller_drop (gpointer data)
{
  GSource *s = data;

  g_source_destroy (s);
  g_source_unref (s);
}

static Poller *
poller_get (void)
{
  GHashTable *pollers = g_private_get (&pollers_key);
  GMainContext *ctx = g_main_context_get_thread_default ();
  GSource *s;
  Poller *p;
  int epfd;

  if (ctx == NULL)
    ctx = g_main_context_default ();
  if (pollers == NULL)
    {
      pollers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, poller_drop);
      g_private_set (&pollers_key, pollers);
    }
  s = g_hash_table_lookup (pollers, ctx);
  if (s != NULL && !g_source_is_destroyed (s) && g_source_get_context (s) == ctx)
    return (Poller *) s;
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    return NULL;
  s = g_source_new (&poller_funcs, sizeof (Poller));
  p = (Poller *) s;
  p->epfd = epfd;
  p->dead = g_ptr_array_new_with_free_func (g_free);
  p->tag = g_source_add_unix_fd (s, epfd, G_IO_IN);
  g_source_set_name (s, "servent fd-watch");
  g_source_attach (s, ctx);
  g_hash_table_replace (pollers, ctx, s);
  return p;
}

static guint32
epoll_events (GIOCondition cond)
{
  return ((cond & G_IO_IN) ? EPOLLIN | EPOLLRDHUP : 0) | ((cond & G_IO_OUT) ? EPOLLOUT : 0);
}

/* Brings the epoll set in line with w->cond. Returns: FALSE if epoll refused the descriptor. */
static gboolean
sync_set (SvFdWatch *w)
{
  struct epoll_event ev = { 0 };

  ev.events = epoll_events (w->cond);
  ev.data.ptr = w;
  if (w->cond == 0)
    {
      if (w->in_set)
        epoll_ctl (w->poller->epfd, EPOLL_CTL_DEL, w->fd, NULL);
      w->in_set = FALSE;
      return TRUE;
    }
  if (epoll_ctl (w->poller->epfd, w->in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, w->fd, &ev) != 0)
    return FALSE;
  w->in_set = TRUE;
  return TRUE;
}

SvFdWatch *
sv_fd_watch_add (int fd, GIOCondition cond, SvFdWatchFunc func, gpointer user_data)
{
  Poller *p = poller_get ();
  SvFdWatch *w;

  if (p == NULL)
    return NULL;
  w = g_new0 (SvFdWatch, 1);
  w->poller = p;
  w->fd = fd;
  w->cond = cond & (G_IO_IN | G_IO_OUT);
  w->func = func;
  w->user_data = user_data;
  if (!sync_set (w))
    {
      g_free (w);
      return NULL;
    }
  g_source_ref ((GSource *) p);
  return w;
}

void
sv_fd_watch_set (SvFdWatch *w, GIOCondition cond)
{
  cond &= G_IO_IN | G_IO_OUT;
  if (w->removed || w->cond == cond)
    return;
  w->cond = cond;
  sync_set (w);
}

GIOCondition
sv_fd_watch_get (const SvFdWatch *w)
{
  return w->cond;
}

void
sv_fd_watch_remove (SvFdWatch *w)
{
  Poller *p;

  if (w == NULL || w->removed)
    return;
  p = w->poller;
  w->removed = TRUE;
  if (w->in_set)
    epoll_ctl (p->epfd, EPOLL_CTL_DEL, w->fd, NULL);
  if (p->dispatching)
    g_ptr_array_add (p->dead, w);   /* an event for it may still be in this wakeup's batch */
  else
    g_free (w);
  g_source_unref ((GSource *) p);
}
