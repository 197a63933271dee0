/* rate-window.h: "at most N events per address per window", the throttle behind per-target caps
 * (PUSH call-backs to one address, connect-back answers to one host). Each key (an address with
 * its port ignored, plus a small kind number) has a fixed window that opens with its first event;
 * once the window is over, the count starts again.
 *
 * Bounded: at most max_keys keys; when full, keys whose window is over are forgotten first, and
 * if none is, every key is (a flood of new addresses then cannot grow memory, at worst it lets
 * one more event through per address). Pure: time is an argument. */
#pragma once

#include <glib.h>

#include "host-addr.h"

typedef struct _SvRateWindow SvRateWindow;

/* Returns: (transfer full). */
SvRateWindow *sv_rate_window_new (guint max_events, gint64 window_us, guint max_keys);
void sv_rate_window_free (SvRateWindow *rw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvRateWindow, sv_rate_window_free)

/* Counts one event for (@addr, @kind) at @now_us when it fits in its window. Returns: TRUE
 * when it fitted (and was counted), FALSE when the window is full. */
gboolean sv_rate_window_take (SvRateWindow *rw, const SvHostAddr *addr, guint kind, gint64 now_us);

/* Keys held now. */
guint sv_rate_window_size (const SvRateWindow *rw);
