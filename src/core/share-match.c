/* share-match.c: name rules of a share and the word/prefix matching shared with QRP. */
#include "share-match.h"

#include "keyword.h"

#include <string.h>

void
sv_share_result_clear (SvShareResult *result)
{
  g_clear_pointer (&result->name, g_free);
}

static gboolean
has_suffix (const char *name, gsize len, const char *suffix)
{
  gsize slen = strlen (suffix);

  return len > slen && g_ascii_strcasecmp (name + len - slen, suffix) == 0;
}

gboolean
sv_share_match_name_is_shared (const char *name)
{
  gsize len;

  if (name == NULL || name[0] == '\0' || name[0] == '.')
    return FALSE;
  len = strlen (name);
  if (has_suffix (name, len, SV_SHARE_PARTIAL_SUFFIX)
      || has_suffix (name, len, SV_SHARE_PARTIAL_SUFFIX_LONG))
    return FALSE;
  return TRUE;
}

char *
sv_share_match_display_name (const char *raw, gssize len)
{
  return g_utf8_make_valid (raw, len);
}

char *
sv_share_match_words (const char *display_name)
{
  g_auto (GStrv) words = sv_keyword_split (display_name, -1);

  return g_strjoinv (" ", words);
}

char **
sv_share_match_query_words (const char *criteria, gssize len)
{
  char **words = sv_keyword_split (criteria, len);
  guint n = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (n < SV_SHARE_MATCH_MAX_QUERY_WORDS && strlen (words[i]) <= SV_QRP_MAX_KEYWORD_BYTES)
        words[n++] = words[i];
      else
        g_free (words[i]);
    }
  words[n] = NULL;
  return words;
}

char *
sv_share_match_fts_expr (char *const *words)
{
  GString *expr;

  if (words == NULL || words[0] == NULL)
    return NULL;
  expr = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (expr, " AND ");
      g_string_append_c (expr, '"');
      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (expr, '"');
          g_string_append_c (expr, *p);
        }
      g_string_append (expr, "\"*");
    }
  return g_string_free (expr, FALSE);
}

static gboolean
word_admits (const char *file_word, gsize file_len, const char *query_word, gsize query_len)
{
  glong fchars, qchars;

  if (file_len > SV_QRP_MAX_KEYWORD_BYTES || query_len > file_len
      || memcmp (file_word, query_word, query_len) != 0)
    return FALSE;
  if (query_len == file_len)
    return TRUE;
  /* A byte prefix of valid UTF-8 that is itself a whole query word ends on a character boundary. */
  fchars = g_utf8_strlen (file_word, (gssize) file_len);
  qchars = g_utf8_strlen (query_word, (gssize) query_len);
  return qchars >= SV_KEYWORD_MIN_CHARS && fchars - qchars <= SV_SHARE_MATCH_MAX_PREFIX_TRIM;
}

gboolean
sv_share_match_word_admits (const char *file_word, const char *query_word)
{
  return word_admits (file_word, strlen (file_word), query_word, strlen (query_word));
}

gboolean
sv_share_match_words_admit (const char *words, char *const *query_words)
{
  if (words == NULL || query_words == NULL || query_words[0] == NULL)
    return FALSE;
  for (guint i = 0; query_words[i] != NULL; i++)
    {
      const char *q = query_words[i];
      gsize qlen = strlen (q);
      gboolean found = FALSE;
      const char *p = words;

      while (!found && *p)
        {
          const char *end = strchr (p, ' ');
          gsize wlen = end ? (gsize) (end - p) : strlen (p);

          found = word_admits (p, wlen, q, qlen);
          p += wlen;
          while (*p == ' ')
            p++;
        }
      if (!found)
        return FALSE;
    }
  return TRUE;
}
