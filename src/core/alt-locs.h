/* alt-locs.h: alternate locations: for a file (by SHA-1), other hosts known to serve it, as
 * uploads name them in X-Alt and downloads learn them.
 *
 * Bounded: at most SV_ALT_LOCS_PER_FILE hosts a file (the least recently confirmed makes room)
 * and SV_ALT_LOCS_MAX_FILES files (the file touched least recently is forgotten). Pure: time is an
 * argument. */
#pragma once

#include <glib.h>

#include "host-addr.h"
#include "urn.h"

#define SV_ALT_LOCS_PER_FILE   16
#define SV_ALT_LOCS_MAX_FILES  4096

typedef struct _SvAltLocs SvAltLocs;

/* Returns: (transfer full). */
SvAltLocs *sv_alt_locs_new (void);
void sv_alt_locs_free (SvAltLocs *locs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvAltLocs, sv_alt_locs_free)

/* @addr serves @sha1 (seen at @now_us). Hosts with no port, or not connectable (@lan: private and
 * loopback addresses allowed), are ignored. Returns: TRUE when it was added or refreshed. */
gboolean sv_alt_locs_add (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *addr, gboolean lan,
                          gint64 now_us);

/* Every "ip:port" of @x_alt (an X-Alt value: comma-separated, ports optional and 6346 when
 * absent) serves @sha1. Returns: how many were taken. */
guint sv_alt_locs_add_header (SvAltLocs *locs, const SvSha1 *sha1, const char *x_alt, gboolean lan,
                              gint64 now_us);

/* A host that failed to serve @sha1 is dropped. */
void sv_alt_locs_remove (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *addr);

/* Up to @max hosts for @sha1, most recently confirmed first, leaving out @exclude's address
 * (nullable: the requester). Returns: how many were written to @out. */
guint sv_alt_locs_get (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *exclude,
                       SvHostAddr *out, guint max);

/* An X-Alt value for @sha1 ("ip:port, ip:port"), at most @max hosts, without @exclude's address.
 * Returns: (transfer full) (nullable) NULL when no host is known. */
char *sv_alt_locs_header (SvAltLocs *locs, const SvSha1 *sha1, const SvHostAddr *exclude, guint max);

guint sv_alt_locs_n_files (const SvAltLocs *locs);
