/* test-keyword-fts5.c: sv_keyword_split agrees with SQLite FTS5's `unicode61 remove_diacritics 2`
 * tokenizer (the share index's) on ordinary file names, and on any name once FTS5 is fed the
 * canonical text. */
#include "check-util.h"
#include "keyword.h"

#include <sqlite3.h>
#include <string.h>

/* Names whose raw FTS5 tokens must equal ours (words of 3+ characters, first occurrence). */
static const char *const ordinary_names[] = {
  "Café Déjà Vu.mp3",
  "leafB_zebrafile_1.bin",
  "Beyoncé - Crazy in Love (Remix).MP3",
  "Sigur Rós - Hoppípolla.ogg",
  "Motörhead – Ace of Spades [1980].flac",
  "Žluťoučký kůň úpěl ďábelské ódy.txt",
  "Łódź Đorđe straße Ærø.pdf",
  "İstanbul ΑΘΗΝΑ Ωmega.avi",
  "Москва — Водка 2019.mkv",
  "日本語テスト データ.zip",
  "한국어 노래 모음.mp3",
  "naïve_façade-coöperate.doc",
  "The.Matrix.1999.1080p.BluRay.x264",
  "don't stop me now (live at wembley '86)",
  "Ça, c'est la vie! (encore)",
  NULL,
};

/* Names that only agree once FTS5 gets the canonical text: compatibility forms (FTS5 does no
 * NFKD), and marks outside Latin (FTS5 strips only Latin diacritics, keeps Greek and Cyrillic
 * ones and splits words at Arabic, Hebrew and Indic marks; we drop them all). */
static const char *const other_names[] = {
  "ＦＵＬＬ ﬁle Ⅷ x²y³z",
  "Ⓐbc ǅemal ﬀ",
  "Йошкар-Ола Ёлка.mp3",
  "Αθήνα Ελλάδα.jpg",
  "عَرَبِيّ شَمْس",
  "שָׁלוֹם עֲלֵיכֶם",
  "हिन्दी गाना",
  NULL,
};

static sqlite3 *
open_fts (void)
{
  sqlite3 *db = NULL;

  ck_assert_int_eq (sqlite3_open (":memory:", &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db,
                                  "CREATE VIRTUAL TABLE t USING fts5(x, tokenize="
                                  "'unicode61 remove_diacritics 2');"
                                  "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');",
                                  NULL, NULL, NULL),
                    SQLITE_OK);
  return db;
}

/* FTS5's tokens of @text, reduced like sv_keyword_split (3+ characters, duplicates dropped). */
static char *
fts_words (sqlite3 *db, const char *text)
{
  sqlite3_stmt *st = NULL;
  GString *out = g_string_new (NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  ck_assert_int_eq (sqlite3_exec (db, "DELETE FROM t;", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, "INSERT INTO t(rowid, x) VALUES (1, ?)", -1, &st,
                                        NULL), SQLITE_OK);
  sqlite3_bind_text (st, 1, text, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (st), SQLITE_DONE);
  sqlite3_finalize (st);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, "SELECT term FROM v ORDER BY offset", -1, &st, NULL),
                    SQLITE_OK);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *term = (const char *) sqlite3_column_text (st, 0);

      if (g_utf8_strlen (term, -1) < SV_KEYWORD_MIN_CHARS || g_hash_table_contains (seen, term))
        continue;
      g_hash_table_add (seen, g_strdup (term));
      if (out->len > 0)
        g_string_append_c (out, '|');
      g_string_append (out, term);
    }
  sqlite3_finalize (st);
  return g_string_free (out, FALSE);
}

static char *
our_words (const char *text)
{
  g_auto (GStrv) words = sv_keyword_split (text, -1);

  return g_strjoinv ("|", words);
}

START_TEST (test_ordinary_names_agree)
{
  sqlite3 *db = open_fts ();

  for (guint i = 0; ordinary_names[i] != NULL; i++)
    {
      g_autofree char *theirs = fts_words (db, ordinary_names[i]);
      g_autofree char *ours = our_words (ordinary_names[i]);

      ck_assert_msg (strcmp (theirs, ours) == 0, "\"%s\": fts5 [%s] keyword [%s]",
                     ordinary_names[i], theirs, ours);
      ck_assert_msg (ours[0] != '\0', "\"%s\" gave no words", ordinary_names[i]);
    }
  sqlite3_close (db);
}
END_TEST

START_TEST (test_canonical_text_agrees_everywhere)
{
  sqlite3 *db = open_fts ();

  for (int pass = 0; pass < 2; pass++)
    {
      const char *const *names = pass == 0 ? ordinary_names : other_names;

      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autofree char *canon = sv_keyword_canonicalize (names[i], -1);
          g_autofree char *theirs = fts_words (db, canon);
          g_autofree char *ours = our_words (names[i]);

          ck_assert_msg (strcmp (theirs, ours) == 0, "\"%s\": fts5(canonical) [%s] keyword [%s]",
                         names[i], theirs, ours);
        }
    }
  sqlite3_close (db);
}
END_TEST

START_TEST (test_known_differences_on_raw_text)
{
  /* Documents the differences: FTS5 keeps full-width letters and the Cyrillic diaeresis. */
  sqlite3 *db = open_fts ();
  g_autofree char *fw_theirs = fts_words (db, "ＦＵＬＬ");
  g_autofree char *fw_ours = our_words ("ＦＵＬＬ");
  g_autofree char *yo_theirs = fts_words (db, "Ёлка");
  g_autofree char *yo_ours = our_words ("Ёлка");

  ck_assert_str_eq (fw_ours, "full");
  ck_assert_str_ne (fw_theirs, fw_ours);
  ck_assert_str_eq (yo_ours, "елка");
  ck_assert_str_eq (yo_theirs, "ёлка");
  sqlite3_close (db);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("keyword-fts5");
  TCase *tc = tcase_create ("fts5");

  tcase_add_test (tc, test_ordinary_names_agree);
  tcase_add_test (tc, test_canonical_text_agrees_everywhere);
  tcase_add_test (tc, test_known_differences_on_raw_text);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
