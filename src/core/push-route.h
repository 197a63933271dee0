/* push-route.h: servent GUID -> connection routes for Push messages, learned from QueryHits.
 *
 * A Push names the firewalled servent by the GUID at the end of its QueryHit, not by a MUID: it
 * goes to the connection that delivered a hit from that servent. Every hit seen (relayed or for
 * one of our own queries) refreshes the route. Bounded: at most @max_entries routes, the least
 * recently refreshed evicted first, each forgotten @lifetime_us after its last refresh. Pure. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "limits.h"

typedef struct _SvPushRoute SvPushRoute;

/* @max_entries at least 1 (SV_PUSH_ROUTE_MAX_ENTRIES); @lifetime_us above 0.
 * Returns: (transfer full). */
SvPushRoute *sv_push_route_new (guint max_entries, gint64 lifetime_us);
void sv_push_route_free (SvPushRoute *routes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvPushRoute, sv_push_route_free)

/* A hit from servent @servent arrived on @conn at @now_us: (re)learn the route and make it the
 * most recent. */
void sv_push_route_learn (SvPushRoute *routes, const SvGuid *servent, guint64 conn, gint64 now_us);

/* Returns: FALSE when no live route to @servent is known. */
gboolean sv_push_route_lookup (SvPushRoute *routes, const SvGuid *servent, gint64 now_us,
                               guint64 *conn_out);

/* Drops routes not refreshed since @now_us - lifetime. Also done by _learn. */
void sv_push_route_expire (SvPushRoute *routes, gint64 now_us);

/* Drops every route through @conn (the connection closed). Linear in the table size. */
void sv_push_route_forget_connection (SvPushRoute *routes, guint64 conn);

guint sv_push_route_size (const SvPushRoute *routes);
