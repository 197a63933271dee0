/* log-limit.h: a per-kind cap on log lines that a remote peer can cause (refusals, failed
 * connections), so that a flood cannot fill the journal while every kind is still reported.
 *
 * Each SvLogLimit lets `burst` lines through per window; further lines in the window are counted
 * and reported as one summary line when the next window opens. Pure: time is an argument. */
#pragma once

#include <glib.h>

#define SV_LOG_LIMIT_BURST 10                                       /* lines per window */
#define SV_LOG_LIMIT_WINDOW_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

typedef struct {
  gint64 window_start_us;
  guint shown;          /* lines let through in this window */
  guint suppressed;     /* lines held back in this window */
} SvLogLimit;

/* Whether to log one more line of this kind at @now_us. When a new window opens and lines were held
 * back in the last one, *@suppressed (optional) receives their number, to be reported first;
 * otherwise it receives 0. */
gboolean sv_log_limit_allow (SvLogLimit *limit, gint64 now_us, guint *suppressed);
