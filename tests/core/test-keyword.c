/* test-keyword.c: canonical keywords of names and queries (keyword.h). */
#include "check-util.h"
#include "keyword.h"

#include <string.h>

/* Asserts that splitting @text gives exactly the NULL-terminated @expected words. */
static void
assert_split (const char *text, gssize len, const char *const *expected)
{
  g_auto (GStrv) words = sv_keyword_split (text, len);
  guint n = g_strv_length (words);
  guint want = g_strv_length ((GStrv) expected);
  g_autofree char *got = g_strjoinv ("|", words);

  ck_assert_msg (n == want, "split(\"%s\") gave %u words [%s], expected %u", text, n, got, want);
  for (guint i = 0; i < n; i++)
    ck_assert_str_eq (words[i], expected[i]);
}

#define SPLIT(text, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__, NULL }; \
    assert_split ((text), -1, want_); \
  } while (0)

START_TEST (test_accented_file_name)
{
  g_autofree char *canon = sv_keyword_canonicalize ("Café Déjà Vu.mp3", -1);

  ck_assert_str_eq (canon, "cafe deja vu.mp3");
  /* "vu" is shorter than SV_KEYWORD_MIN_CHARS */
  SPLIT ("Café Déjà Vu.mp3", "cafe", "deja", "mp3");
  /* the same name typed with combining accents (NFD) gives the same words */
  SPLIT ("Cafe\xcc\x81 De\xcc\x81ja\xcc\x80 Vu.mp3", "cafe", "deja", "mp3");
}
END_TEST

START_TEST (test_separators_and_case)
{
  SPLIT ("leafB_zebrafile_1.bin", "leafb", "zebrafile", "bin");
  SPLIT ("The-Band - Live@Home (2004) [FLAC]+bonus", "the", "band", "live", "home", "2004",
         "flac", "bonus");
  SPLIT ("don't stop", "don", "stop");
  SPLIT ("İstanbul ΑΘΗΝΑ Ωmega", "istanbul", "αθηνα", "ωmega");
}
END_TEST

START_TEST (test_dedup_keeps_first_order)
{
  SPLIT ("Foo bar FOO baz foo BAR", "foo", "bar", "baz");
  SPLIT ("Été ete ÉTÉ", "ete");
}
END_TEST

START_TEST (test_min_length_counts_characters)
{
  /* 3 characters but 6 and 9 bytes: kept; 2 characters: dropped */
  SPLIT ("été 日本語 日本 ab abc", "ete", "日本語", "abc");
}
END_TEST

START_TEST (test_non_latin_scripts_stay_whole)
{
  /* Hangul syllables decompose to jamo under NFKD and are recomposed; kana voicing marks stay */
  SPLIT ("한국어 노래", "한국어");
  SPLIT ("データ テスト.txt", "データ", "テスト", "txt");
  SPLIT ("Москва Ёлка", "москва", "елка");
}
END_TEST

START_TEST (test_compatibility_forms_fold)
{
  SPLIT ("ＦＵＬＬ ﬁle Ⅷ x²y³z", "full", "file", "viii", "x2y3z");
}
END_TEST

START_TEST (test_invalid_utf8_repaired)
{
  g_autofree char *canon = sv_keyword_canonicalize ("abc\xff" "def", -1);

  ck_assert (g_utf8_validate (canon, -1, NULL));
  ck_assert_str_eq (canon, "abc\xef\xbf\xbd" "def");
  SPLIT ("abc\xff" "def \xc3(xyz", "abc", "def", "xyz");
}
END_TEST

START_TEST (test_length_bounds_the_input)
{
  const char *const want[] = { "abcdef", NULL };
  const char *const none[] = { NULL };

  assert_split ("abcdef ghijkl", 6, want);
  assert_split ("", -1, none);
  assert_split ("a b c -- !! ..", -1, none);
  assert_split ("abcdef", 0, none);
}
END_TEST

START_TEST (test_canonicalize_keeps_separators)
{
  g_autofree char *a = sv_keyword_canonicalize ("Œuvre  Complète_01.FLAC", -1);
  g_autofree char *b = sv_keyword_canonicalize (NULL, -1);

  ck_assert_str_eq (a, "œuvre  complete_01.flac");
  ck_assert_str_eq (b, "");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("keyword");
  TCase *tc = tcase_create ("keyword");

  tcase_add_test (tc, test_accented_file_name);
  tcase_add_test (tc, test_separators_and_case);
  tcase_add_test (tc, test_dedup_keeps_first_order);
  tcase_add_test (tc, test_min_length_counts_characters);
  tcase_add_test (tc, test_non_latin_scripts_stay_whole);
  tcase_add_test (tc, test_compatibility_forms_fold);
  tcase_add_test (tc, test_invalid_utf8_repaired);
  tcase_add_test (tc, test_length_bounds_the_input);
  tcase_add_test (tc, test_canonicalize_keeps_separators);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
