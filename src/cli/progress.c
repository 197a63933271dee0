/* progress.c: the terminal progress bar (see progress.h). */
#include "config.h"

#include "progress.h"

#include <stdio.h>
#include <string.h>

#define BAR_WIDTH 30

void
sv_cli_progress_draw (guint64 done, guint64 size, guint64 rate, const char *label)
{
  guint fill = size > 0 ? (guint) (MIN (done, size) * BAR_WIDTH / size) : 0;
  g_autofree char *sz = g_format_size (size);
  g_autofree char *r = g_format_size (rate);
  char bar[BAR_WIDTH + 1];
  char eta[32] = "--:--";

  memset (bar, '#', fill);
  memset (bar + fill, '.', BAR_WIDTH - fill);
  bar[BAR_WIDTH] = '\0';
  if (rate > 0 && size > done)
    {
      guint64 s = (size - done) / rate;

      g_snprintf (eta, sizeof eta, "%" G_GUINT64_FORMAT ":%02u", s / 60, (guint) (s % 60));
    }
  fprintf (stderr, "\r\033[K[%s] %3u%% of %s  %s/s  ETA %s %s", bar,
           size > 0 ? (guint) (MIN (done, size) * 100 / size) : 0, sz, r, eta, label != NULL ? label : "");
}

void
sv_cli_progress_clear (void)
{
  fputs ("\r\033[K", stderr);
}
