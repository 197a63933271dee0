/* progress.h: the progress bar `servent` draws on a terminal's standard error (get, sync now
 * --wait): "[####....]  42% of 5.0 MB  256.0 kB/s  ETA 0:12 LABEL", redrawn in place. Callers
 * draw only when stderr is a terminal and at most about ten times a second. */
#pragma once

#include <glib.h>

/* Draws the bar for @done of @size bytes at @rate bytes per second, then @label (nullable). */
void sv_cli_progress_draw (guint64 done, guint64 size, guint64 rate, const char *label);
/* Clears the line the bar (or any other progress line, as share rescan's) was on. */
void sv_cli_progress_clear (void);
