/* route-table.h: duplicate suppression and reverse-path routes, keyed by (MUID, payload type).
 *
 * Every broadcast message that arrives (Ping, Query, Push) is recorded with the connection it came
 * from, so that a second copy is recognised as a duplicate and a reply (Pong, QueryHit) can be sent
 * back along the path its request took. Connections are opaque guint64 ids chosen by the caller.
 *
 * Bounded in memory and in time: at most @max_entries routes are kept (inserting past the cap
 * evicts the oldest) and a route is forgotten @lifetime_us after it was recorded. Hashing is
 * salted with bytes drawn from the caller's GRand, so a peer cannot precompute colliding MUIDs.
 * Duplicates are counted per connection. Pure: time comes in as `now_us`. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "limits.h"

typedef struct _SvRouteTable SvRouteTable;

typedef enum {
  SV_ROUTE_SEEN_NEW,        /* first time: recorded */
  SV_ROUTE_SEEN_DUPLICATE,  /* already recorded (and not a higher-TTL re-send): counted */
  SV_ROUTE_SEEN_RESENT,     /* already recorded, but re-sent with a higher TTL by a peer that
                             * advertised X-Ext-Probes, from the same connection: accepted */
} SvRouteSeen;

/* @max_entries: at least 1 (SV_ROUTE_TABLE_MAX_ENTRIES is the deployed figure); @lifetime_us:
 * above 0. @rand: (nullable) salt source; NULL leaves the hash unsalted (tests).
 * Returns: (transfer full). */
SvRouteTable *sv_route_table_new (guint max_entries, gint64 lifetime_us, GRand *rand);
void sv_route_table_free (SvRouteTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvRouteTable, sv_route_table_free)

/* Records that (@muid, @type) arrived from @conn with @ttl at @now_us, or recognises a duplicate.
 * With @accept_higher_ttl (the sender advertised X-Ext-Probes), a copy from the same connection
 * with a TTL above every TTL seen so far for this key is SV_ROUTE_SEEN_RESENT, not a duplicate.
 * Expired routes are dropped first, so a key seen longer than the lifetime ago is new again. */
SvRouteSeen sv_route_table_record (SvRouteTable *table, const SvGuid *muid, guint8 type,
                                   guint64 conn, guint8 ttl, gboolean accept_higher_ttl,
                                   gint64 now_us);

/* The connection (@muid, @type) came from, for reverse-path routing: a QueryHit's route is
 * looked up with type SV_MSG_QUERY, a Pong's with SV_MSG_PING.
 * Returns: FALSE when there is no live route (never recorded, evicted or expired). */
gboolean sv_route_table_lookup (SvRouteTable *table, const SvGuid *muid, guint8 type,
                                gint64 now_us, guint64 *conn_out);

/* Drops every route recorded before @now_us - lifetime. Also done by _record. */
void sv_route_table_expire (SvRouteTable *table, gint64 now_us);

/* Routes currently kept (never above the cap). */
guint sv_route_table_size (const SvRouteTable *table);
guint sv_route_table_capacity (const SvRouteTable *table);

/* Duplicates counted against @conn since it was first seen (or last forgotten). */
guint64 sv_route_table_duplicates (const SvRouteTable *table, guint64 conn);

/* Forgets @conn's duplicate counter (the connection closed). Its routes stay until they expire:
 * the router checks that a route's connection is still open. */
void sv_route_table_forget_connection (SvRouteTable *table, guint64 conn);

/* Connections with a duplicate counter (bounded by SV_ROUTER_MAX_PEER_STATS). */
guint sv_route_table_counter_count (const SvRouteTable *table);
