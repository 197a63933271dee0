/* keyword.c: canonical keywords of file names and query text (see keyword.h).
 *
 * Canonical form: invalid UTF-8 repaired, lower case, NFKD, combining marks dropped, then NFC so
 * that scripts whose letters decompose into other letters (Hangul) come back whole. The kana
 * voicing marks (U+3099, U+309A) are kept and recomposed, since they are not accents.
 *
 * A word character is a letter or a number (Unicode L*, N*) or a private-use character: the
 * classes SQLite FTS5's `unicode61` tokenizer keeps, so that the share index and QRP agree.
 * Known, deliberate differences from `unicode61 remove_diacritics 2` on raw text: NFKD also
 * folds compatibility forms (full-width letters, ligatures, superscript digits), which FTS5
 * keeps as they are. Feeding FTS5 the canonical text removes the difference. */
#include "keyword.h"

#include <string.h>

static gboolean
keyword_is_dropped_mark (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return c != 0x3099 && c != 0x309A;
    default:
      return FALSE;
    }
}

static gboolean
keyword_is_word_char (gunichar c)
{
  if (g_unichar_isalnum (c))
    return TRUE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
    case G_UNICODE_PRIVATE_USE:
      return TRUE;
    default:
      return FALSE;
    }
}

char *
sv_keyword_canonicalize (const char *text, gssize len)
{
  g_autofree char *valid = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *nfkd = NULL;
  g_autofree char *again = NULL;
  GString *stripped;
  char *nfc;

  if (text == NULL)
    return g_strdup ("");
  valid = g_utf8_make_valid (text, len);
  lower = g_utf8_strdown (valid, -1);
  nfkd = g_utf8_normalize (lower, -1, G_NORMALIZE_ALL);
  if (nfkd == NULL)
    return g_strdup ("");
  stripped = g_string_sized_new (strlen (nfkd));
  for (const char *p = nfkd; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!keyword_is_dropped_mark (c))
        g_string_append_unichar (stripped, c);
    }
  /* NFKD may expose upper-case letters (Roman numerals, some compatibility forms). */
  again = g_utf8_strdown (stripped->str, (gssize) stripped->len);
  g_string_free (stripped, TRUE);
  nfc = g_utf8_normalize (again, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  return nfc != NULL ? nfc : g_strdup ("");
}

char **
sv_keyword_split (const char *text, gssize len)
{
  g_autofree char *canon = sv_keyword_canonicalize (text, len);
  g_autoptr (GPtrArray) words = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *p = canon;

  while (*p != '\0')
    {
      const char *start;
      glong chars = 0;

      while (*p != '\0' && !keyword_is_word_char (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      start = p;
      while (*p != '\0' && keyword_is_word_char (g_utf8_get_char (p)))
        {
          p = g_utf8_next_char (p);
          chars++;
        }
      if (chars >= SV_KEYWORD_MIN_CHARS)
        {
          char *word = g_strndup (start, (gsize) (p - start));

          if (g_hash_table_contains (seen, word))
            g_free (word);
          else
            {
              g_hash_table_add (seen, word);
              g_ptr_array_add (words, word);
            }
        }
    }
  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}
