/* query-view.c: a query's canonical words, requested SHA-1s and QRP hash codes (see
 * query-view.h). */
#include "config.h"

#include "query-view.h"

#include <string.h>

#include "keyword.h"

SvQueryView *
sv_query_view_new (const SvQuery *query)
{
  SvQueryView *view = g_new0 (SvQueryView, 1);
  const char *urns[SV_QUERY_MAX_URNS + 1];
  char texts[SV_QUERY_MAX_URNS][SV_URN_SHA1_LEN + 1];
  guint n = 0;

  view->words = sv_keyword_split (query->criteria, (gssize) query->criteria_len);
  for (guint i = 0; view->words[i] != NULL; i++)
    {
      if (strlen (view->words[i]) <= SV_QRP_MAX_KEYWORD_BYTES)
        view->words[n++] = view->words[i];
      else
        g_free (view->words[i]);
    }
  view->words[n] = NULL;
  view->n_words = n;

  view->n_sha1 = sv_query_requested_sha1 (query, view->sha1s, SV_QUERY_MAX_URNS);
  for (guint i = 0; i < view->n_sha1; i++)
    {
      sv_urn_sha1_format (&view->sha1s[i], texts[i]);
      urns[i] = texts[i];
    }
  urns[view->n_sha1] = NULL;
  view->whats_new = sv_query_is_whats_new (query);
  view->qrp = sv_qrp_query_new_words ((const char *const *) view->words, urns);
  return view;
}

void
sv_query_view_free (SvQueryView *view)
{
  if (view == NULL)
    return;
  g_strfreev (view->words);
  sv_qrp_query_free (view->qrp);
  g_free (view);
}
