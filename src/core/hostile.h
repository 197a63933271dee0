/* hostile.h: the hostile-address list: parse CIDR lines, answer "is this address hostile".
 *
 * Format, one entry a line: `a.b.c.d/len`, `a.b.c.d` (one host), `v6/len` or `v6`. `#` starts a
 * comment (a whole line or after an entry), blank lines are skipped, CRLF is accepted. Host bits
 * below the prefix are ignored (10.1.2.3/8 is 10.0.0.0/8). A malformed line is counted and skipped;
 * lines past SV_HOSTILE_MAX_LINES are not read. The ranges are kept sorted and merged per family, so
 * a lookup is a binary search. Listed hosts are never connected to, never accepted, and their hits
 * and PUSH callbacks are dropped by the caller. */
#pragma once

#include <glib.h>

#include "host-addr.h"
#include "limits.h"

typedef struct _SvHostile SvHostile;

typedef struct {
  guint lines;              /* lines read (at most SV_HOSTILE_MAX_LINES) */
  guint entries;            /* well-formed entries */
  guint malformed;          /* lines skipped as malformed (too long, bad address, bad prefix) */
  guint first_malformed;    /* 1-based number of the first malformed line; 0 if none */
  gboolean truncated;       /* the text had more than SV_HOSTILE_MAX_LINES lines */
} SvHostileStats;

/* An empty list. Returns: (transfer full). */
SvHostile *sv_hostile_new (void);

/* Parses @len bytes of list text (need not be NUL-terminated; a NUL byte makes its line malformed).
 * @stats: (out) (optional). Returns: (transfer full) the list, never NULL. */
SvHostile *sv_hostile_parse (const char *text, gsize len, SvHostileStats *stats);

void sv_hostile_free (SvHostile *hostile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvHostile, sv_hostile_free)

/* TRUE when @addr (port ignored) lies inside a listed range. A NULL list holds nothing. */
gboolean sv_hostile_contains (const SvHostile *hostile, const SvHostAddr *addr);

/* Disjoint ranges kept after merging, per family. */
guint sv_hostile_n_ranges_v4 (const SvHostile *hostile);
guint sv_hostile_n_ranges_v6 (const SvHostile *hostile);
