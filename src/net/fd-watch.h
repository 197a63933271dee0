/* fd-watch.h: readiness of many sockets through one epoll descriptor on the main loop.
 *
 * GLib's main loop polls every source's descriptor on every iteration, which costs time in
 * proportion to the connections held: with thousands of leaves, most of an idle ultrapeer's CPU.
 * Here every watched socket of a thread sits in one epoll set, and the main loop polls only that
 * set's descriptor; a wakeup costs what is ready, not what is held. Level-triggered, like a
 * GSocket source: a readable socket is reported again until it has been read.
 *
 * A watch may be changed or removed from any callback, its own included; a removed watch gets no
 * further call, even for an event already collected in the same wakeup. */
#pragma once

#include <glib.h>

typedef struct _SvFdWatch SvFdWatch;

/* @cond: what is ready, among what is watched (G_IO_IN, G_IO_OUT; a hang-up or an error comes as
 * whichever of the two is watched, so that the owner's read or write finds it). */
typedef void (*SvFdWatchFunc) (SvFdWatch *watch, GIOCondition cond, gpointer user_data);

/* Watches @fd for @cond (G_IO_IN and/or G_IO_OUT; 0: nothing yet) on the thread-default main
 * context. Returns: (transfer full) the watch, or NULL if the descriptor cannot be watched. */
SvFdWatch *sv_fd_watch_add (int fd, GIOCondition cond, SvFdWatchFunc func, gpointer user_data);
/* Changes what is watched. */
void sv_fd_watch_set (SvFdWatch *watch, GIOCondition cond);
GIOCondition sv_fd_watch_get (const SvFdWatch *watch);
/* Stops watching (before the descriptor is closed) and frees. NULL is ignored. */
void sv_fd_watch_remove (SvFdWatch *watch);
