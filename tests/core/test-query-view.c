/* test-query-view.c: a query's canonical words, SHA-1s and QRP codes, worked out once
 * (query-view.h). */
#include "check-util.h"
#include "keyword.h"
#include "query-view.h"

START_TEST (test_words_are_canonical_and_match_tables)
{
  g_autoptr (SvQuery) q = sv_query_new (0, "Björk  JOGA-live");
  g_autoptr (SvQueryView) v = sv_query_view_new (q);
  g_autoptr (SvQrpTable) t = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) other = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);

  /* The same words the share index stores for a file of that name. */
  ck_assert_uint_eq (v->n_words, 3);
  ck_assert_str_eq (v->words[0], "bjork");
  ck_assert_str_eq (v->words[1], "joga");
  ck_assert_str_eq (v->words[2], "live");
  ck_assert_ptr_null (v->words[3]);
  ck_assert_uint_eq (v->n_sha1, 0);
  ck_assert (!v->whats_new);
  ck_assert_uint_eq (sv_qrp_query_word_count (v->qrp), 3);
  sv_qrp_table_add_name (t, "bjork - joga (live).ogg", -1);
  sv_qrp_table_add_name (other, "bjork - hyperballad.ogg", -1);
  ck_assert (sv_qrp_table_matches (t, v->qrp));
  ck_assert (!sv_qrp_table_matches (other, v->qrp));
}
END_TEST

START_TEST (test_long_and_short_words_left_out)
{
  char longword[SV_QRP_MAX_KEYWORD_BYTES + 2];
  g_autofree char *criteria = NULL;
  g_autoptr (SvQuery) q = NULL;
  g_autoptr (SvQueryView) v = NULL;

  memset (longword, 'x', sizeof longword - 1);
  longword[sizeof longword - 1] = '\0';
  criteria = g_strdup_printf ("a %s song", longword);
  q = sv_query_new (0, criteria);
  v = sv_query_view_new (q);
  ck_assert_uint_eq (v->n_words, 1);
  ck_assert_str_eq (v->words[0], "song");
  ck_assert_uint_eq (sv_qrp_query_word_count (v->qrp), 1);
}
END_TEST

START_TEST (test_sha1_and_whats_new)
{
  SvSha1 sha1;
  g_autoptr (SvQuery) q = sv_query_new (0, "\\");
  g_autoptr (SvQueryView) v = NULL;
  g_autoptr (SvQuery) wn = sv_query_new (0, SV_QUERY_WHATS_NEW_CRITERIA);
  g_autoptr (SvQueryView) vwn = NULL;
  const char *text = "urn:sha1:PLSTHIPQGSSZTS5FJUPAKUZWUGYQYPFB";

  ck_assert (sv_urn_parse (text, strlen (text), &sha1));
  sv_query_add_sha1 (q, &sha1);
  v = sv_query_view_new (q);
  ck_assert_uint_eq (v->n_words, 0);
  ck_assert_uint_eq (v->n_sha1, 1);
  ck_assert_mem_eq (&v->sha1s[0], &sha1, sizeof sha1);
  ck_assert_uint_eq (sv_qrp_query_urn_count (v->qrp), 1);

  sv_ggep_add_uint (sv_query_ggep (wn), "WH", 1);
  vwn = sv_query_view_new (wn);
  ck_assert (vwn->whats_new);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("query-view");
  TCase *tc = tcase_create ("query-view");

  tcase_add_test (tc, test_words_are_canonical_and_match_tables);
  tcase_add_test (tc, test_long_and_short_words_left_out);
  tcase_add_test (tc, test_sha1_and_whats_new);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
