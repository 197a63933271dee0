/* query-view.h: what a query asks for, worked out once per query.
 *
 * The criteria are split into canonical words once (sv_keyword_split: case folded, accents
 * removed, punctuation as separators; words longer than SV_QRP_MAX_KEYWORD_BYTES left out, as QRP
 * leaves them out), the SHA-1s it requests decoded once, and the QRP hash codes of both computed
 * from those. The router and the dynamic queries read the hash codes, the share index the words
 * and SHA-1s: all of them see the same words. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "msg-query.h"
#include "qrp.h"
#include "urn.h"

typedef struct {
  char **words;                       /* canonical words, NULL-terminated (owned) */
  guint n_words;
  SvSha1 sha1s[SV_QUERY_MAX_URNS];    /* urn:sha1 values it requests */
  guint n_sha1;
  gboolean whats_new;                 /* the "What's New" query */
  SvQrpQuery *qrp;                    /* hash codes of the words and SHA-1 URNs (owned) */
} SvQueryView;

/* Returns: (transfer full) the view of @query (which is not referenced afterwards). */
SvQueryView *sv_query_view_new (const SvQuery *query);
void sv_query_view_free (SvQueryView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvQueryView, sv_query_view_free)
