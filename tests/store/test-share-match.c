/* test-share-match.c: name rules, words and prefixes; the index and the QRP table built from it
 * agree: every file a keyword query finds is admitted by that table. */
#include "store-util.h"

#include "keyword.h"
#include "msg-queryhit.h"
#include "qrp.h"
#include "share-hits.h"
#include "share-match.h"
#include "urn.h"

#include <string.h>

START_TEST (test_name_rules)
{
  ck_assert (sv_share_match_name_is_shared ("song.mp3"));
  ck_assert (sv_share_match_name_is_shared ("part.mp3"));
  ck_assert (sv_share_match_name_is_shared ("a.parted"));
  ck_assert (!sv_share_match_name_is_shared (".hidden"));
  ck_assert (!sv_share_match_name_is_shared ("."));
  ck_assert (!sv_share_match_name_is_shared (".."));
  ck_assert (!sv_share_match_name_is_shared (""));
  ck_assert (!sv_share_match_name_is_shared ("movie.avi.part"));
  ck_assert (!sv_share_match_name_is_shared ("movie.avi.PART"));
  ck_assert (!sv_share_match_name_is_shared ("movie.partial"));
  ck_assert (!sv_share_match_name_is_shared (SV_SHARE_PARTIAL_DIR));
  ck_assert (!sv_share_match_name_is_shared (NULL));
}
END_TEST

START_TEST (test_words_and_expr)
{
  g_autofree char *w = sv_share_match_words ("Björk - Jóga (Live) 1997.FLAC");
  g_autofree char *none = sv_share_match_words ("a-b");
  g_autofree char *disp = sv_share_match_display_name ("ok\xff\xfe.txt", -1);
  g_auto (GStrv) q = sv_share_match_query_words ("JOGA  bjork", -1);
  g_auto (GStrv) empty = sv_share_match_query_words ("a b", -1);
  g_autofree char *expr = sv_share_match_fts_expr (q);
  g_autofree char *longword = g_strnfill (SV_QRP_MAX_KEYWORD_BYTES + 1, 'x');
  g_auto (GStrv) qlong = sv_share_match_query_words (longword, -1);

  ck_assert_str_eq (w, "bjork joga live 1997 flac");
  ck_assert_str_eq (none, "");
  ck_assert (g_utf8_validate (disp, -1, NULL));
  ck_assert_str_eq (q[0], "joga");
  ck_assert_str_eq (q[1], "bjork");
  ck_assert_ptr_null (q[2]);
  ck_assert_ptr_null (empty[0]);
  ck_assert_ptr_null (sv_share_match_fts_expr (empty));
  ck_assert_str_eq (expr, "\"joga\"* AND \"bjork\"*");
  ck_assert_ptr_null (qlong[0]);   /* QRP does not hash it either */
}
END_TEST

START_TEST (test_prefix_rules)
{
  g_autofree char *w33 = NULL;

  ck_assert (sv_share_match_word_admits ("symphony", "symphony"));
  ck_assert (sv_share_match_word_admits ("symphony", "symph"));
  ck_assert (sv_share_match_word_admits ("symphony", "sym"));        /* 5 cut */
  ck_assert (!sv_share_match_word_admits ("symphonies", "sym"));     /* 7 cut: not in QRP */
  ck_assert (sv_share_match_word_admits ("symphonies", "symph"));    /* 5 cut */
  ck_assert (!sv_share_match_word_admits ("symphony", "sy"));        /* under 3 characters */
  ck_assert (!sv_share_match_word_admits ("symphony", "symphonyx"));
  ck_assert (!sv_share_match_word_admits ("symphony", "ymph"));
  ck_assert (sv_share_match_word_admits ("日本語の歌詞", "日本語"));   /* characters, not bytes */
  ck_assert (sv_share_match_words_admit ("free jazz live", (char *[]) { "jaz", "liv", NULL }));
  ck_assert (!sv_share_match_words_admit ("free jazz live", (char *[]) { "jaz", "rock", NULL }));
  ck_assert (!sv_share_match_words_admit ("free jazz", (char *[]) { NULL }));
  w33 = g_strnfill (SV_QRP_MAX_KEYWORD_BYTES + 1, 'y');
  ck_assert (!sv_share_match_word_admits (w33, "yyyy"));
}
END_TEST

typedef struct {
  SvQrpTable *table;
} QrpBuild;

static void
add_to_qrp (const char *words, const SvSha1 *sha1, gpointer user_data)
{
  QrpBuild *b = user_data;
  g_auto (GStrv) split = g_strsplit (words, " ", -1);
  char urn[SV_URN_SHA1_LEN + 1];

  for (guint i = 0; split[i] != NULL; i++)
    if (split[i][0] != '\0')
      sv_qrp_table_add_word (b->table, split[i]);
  sv_urn_sha1_format (sha1, urn);
  sv_qrp_table_add_urn (b->table, urn);
}

static const char *const agreement_names[] = {
  "Éléphant Rose - Café Crème.mp3",
  "Motörhead_Ace of Spades (1980).flac",
  "naïve-façade_coöperate.txt",
  "Dvořák Symphony No.9 'From the New World'.ogg",
  "ÆSIR saga – Ørsted.pdf",
  "Straße der Lieder.mp3",
  "日本語の歌詞 vol2.txt",
  "track01.mp3",
  "track 02 remix.mp3",
  "2001 a space odyssey.mkv",
  "C++ Primer (5th ed).pdf",
  "rock'n'roll high school.avi",
  "email@example.com backup.zip",
  "supercalifragilisticexpialidocious.wav",
  "x.y.z...dots...txt",
  "ﬁnal ﬂight.ogg",
  "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ.txt",
  "Ελληνικά τραγούδια.mp3",
  "Русская песня.mp3",
  NULL
};

static const char *const agreement_queries[] = {
  "elephant", "éléphant", "ELEPH", "cafe creme", "cre", "motorhead", "motor", "motorh", "ace spades",
  "1980", "198", "naive", "facade", "cooperate", "coop", "dvorak", "symphony", "symph", "sym",
  "new world", "aesir", "æsir", "orsted", "ørsted", "strasse", "straße", "stra", "lieder",
  "日本語", "日本語の歌詞", "vol2", "track01", "track", "tra", "remix", "2001", "space odyssey",
  "primer", "5th", "rock roll", "high school", "example", "email", "backup",
  "supercalifragilisticexpialidocious", "supercal", "supercalifragilisticexpiali",
  "supercalifragilisticexpialido", "dots", "final flight", "fin", "fullwidth", "text",
  "ελληνικά", "ελλην", "τραγουδια", "русская", "песня", "pes", "xyz", "zzz", "jazz", NULL
};

START_TEST (test_index_matches_are_qrp_admitted)
{
  StoreTree tree;
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autoptr (SvQrpTable) table = sv_qrp_table_new (1u << 16, SV_QRP_GTKG_INFINITY);
  QrpBuild b = { table };
  guint matched = 0, files = 0;

  store_tree_init (&tree);
  for (guint i = 0; agreement_names[i] != NULL; i++)
    g_free (store_write_text (tree.share, agreement_names[i], agreement_names[i]));
  {
    const char *folders[] = { tree.share, NULL };

    lib = store_open (tree.db, folders, tree.state);
  }
  store_scan (lib);
  ck_assert (sv_share_library_foreach_words (lib, add_to_qrp, &b, NULL));
  for (guint i = 0; agreement_queries[i] != NULL; i++)
    {
      const char *q = agreement_queries[i];
      g_autoptr (GArray) r = sv_share_library_query (lib, q, -1, 100);
      g_autoptr (SvQrpQuery) qq = sv_qrp_query_new (q, -1, NULL);

      if (r->len > 0)
        {
          matched++;
          ck_assert_msg (sv_qrp_table_matches (table, qq),
                         "index finds '%s' (e.g. '%s') but the QRP table would not route it", q,
                         g_array_index (r, SvShareResult, 0).name);
        }
    }
  /* Each file is found by an exact query of its own words. */
  for (guint i = 0; agreement_names[i] != NULL; i++)
    {
      g_autofree char *words = sv_share_match_words (agreement_names[i]);
      g_autoptr (GArray) r = NULL;

      if (words[0] == '\0')
        continue;
      r = sv_share_library_query (lib, words, -1, 100);
      files++;
      ck_assert_msg (r->len >= 1, "'%s' not found by its own words '%s'", agreement_names[i], words);
    }
  /* And by its hash, which QRP also carries. */
  {
    g_autoptr (GArray) all = sv_share_library_newest (lib, 100);

    for (guint i = 0; i < all->len; i++)
      {
        SvShareResult *res = &g_array_index (all, SvShareResult, i);
        char urn[SV_URN_SHA1_LEN + 1];
        const char *urns[] = { urn, NULL };
        g_autoptr (GArray) by_hash = sv_share_library_query_sha1 (lib, &res->sha1, 10);
        g_autoptr (SvQrpQuery) qq = NULL;

        sv_urn_sha1_format (&res->sha1, urn);
        qq = sv_qrp_query_new ("", 0, urns);
        ck_assert_uint_ge (by_hash->len, 1);
        ck_assert (sv_qrp_table_matches (table, qq));
      }
  }
  ck_assert_uint_gt (matched, 40);
  ck_assert_uint_eq (files, G_N_ELEMENTS (agreement_names) - 1);
  g_clear_pointer (&lib, sv_share_library_free);
  store_tree_clear (&tree);
}
END_TEST

START_TEST (test_results_to_hits)
{
  SvShareResult results[25];
  SvQueryHitOwn own = { 0 };
  g_autoptr (GPtrArray) hits = NULL;
  guint seen = 0;

  own.port = 6346;
  own.ip[0] = 192;
  own.ip[1] = 0;
  own.ip[2] = 2;
  own.ip[3] = 1;
  own.speed = 1000;
  own.urn_style = SV_QUERYHIT_URN_HUGE;
  for (guint i = 0; i < 25; i++)
    {
      results[i].index = i + 1;
      results[i].size = i == 3 ? (G_GUINT64_CONSTANT (5) << 30) : 1000 + i;
      results[i].name = g_strdup_printf ("result number %u.mp3", i);
      memset (results[i].sha1.b, (int) i, SV_SHA1_LEN);
    }
  results[24].index = G_GUINT64_CONSTANT (1) << 32;   /* does not fit the wire: left out */
  hits = sv_share_hits_build (&own, results, 25);
  ck_assert_uint_eq (hits->len, 3);
  for (guint h = 0; h < hits->len; h++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (hits->pdata[h], &len);
      g_autoptr (SvQueryHit) hit = NULL;

      ck_assert_uint_le (len, SV_MSG_MAX_QUERYHIT_FORWARD_BYTES);
      ck_assert_int_eq (sv_queryhit_decode (data, len, &hit), SV_STATUS_OK);
      ck_assert_uint_le (hit->results->len, SV_MSG_MAX_RESULTS_PER_HIT);
      for (guint i = 0; i < hit->results->len; i++)
        {
          SvQueryHitResult *r = hit->results->pdata[i];
          SvShareResult *want = &results[seen++];

          ck_assert_uint_eq (r->index, want->index);
          ck_assert_uint_eq (r->size, want->size);
          ck_assert_str_eq (r->name, want->name);
          ck_assert (r->has_sha1);
          ck_assert_mem_eq (r->sha1.b, want->sha1.b, SV_SHA1_LEN);
          if (want->size >= G_MAXINT32)
            ck_assert_uint_eq (r->size32, SV_QUERYHIT_SIZE_ESCAPE);
        }
    }
  ck_assert_uint_eq (seen, 24);
  for (guint i = 0; i < 25; i++)
    sv_share_result_clear (&results[i]);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("share-match");
  TCase *tc = tcase_create ("match");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_name_rules);
  tcase_add_test (tc, test_words_and_expr);
  tcase_add_test (tc, test_prefix_rules);
  tcase_add_test (tc, test_index_matches_are_qrp_admitted);
  tcase_add_test (tc, test_results_to_hits);
  suite_add_tcase (s, tc);
  return store_run (s);
}
