/* share-hits.h: QueryHit payloads answering a query from share-index results.
 *
 * The results are cut into as many hits as needed by the QueryHit builder (msg-queryhit.h): at
 * most SV_MSG_MAX_RESULTS_PER_HIT results per hit, each payload kept near
 * SV_MSG_OWN_QUERYHIT_FLUSH_BYTES, sizes of 2^31 and more in GGEP LF. A result whose index does not
 * fit the 32-bit wire field is left out. */
#pragma once

#include <glib.h>

#include "msg-queryhit.h"
#include "share-match.h"

/* Builds the payloads for @results[0..n). Returns: (transfer full) (element-type GBytes) the
 * payloads in order; empty when no result can be sent. */
GPtrArray *sv_share_hits_build (const SvQueryHitOwn *own, const SvShareResult *results, guint n);
