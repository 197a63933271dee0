/* share-match.h: which names a share exposes and how query words meet file names (pure rules).
 *
 * The share index stores, for each file, the canonical words of its display name (from
 * sv_keyword_split) joined by single spaces; its FTS5 table tokenizes exactly that text, so the
 * index and the QRP table see the same words. A query word matches a file word when it is the
 * word itself or one of the prefixes QRP inserts for it: at least SV_KEYWORD_MIN_CHARS characters
 * and at most SV_SHARE_MATCH_MAX_PREFIX_TRIM characters shorter than the word (qrp.h's rule).
 * Words longer than SV_QRP_MAX_KEYWORD_BYTES are left out on both sides, as QRP does. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "qrp.h"
#include "urn.h"

/* Partial downloads are never shared: files whose name ends in one of these suffixes ... */
#define SV_SHARE_PARTIAL_SUFFIX         ".part"
#define SV_SHARE_PARTIAL_SUFFIX_LONG    ".partial"
/* ... and everything under a directory of this name (hidden anyway, named for clarity). */
#define SV_SHARE_PARTIAL_DIR            ".servent-partial"
/* A prefix admitted for a word is at most this many characters shorter than the word. */
#define SV_SHARE_MATCH_MAX_PREFIX_TRIM  SV_QRP_MAX_CUT_CHARS
/* Words of one query that are looked up; the rest are ignored. */
#define SV_SHARE_MATCH_MAX_QUERY_WORDS  16

/* One shared file as a query answers it. */
typedef struct {
  guint64 index;     /* stable file index (/get/<index>/) */
  guint64 size;      /* bytes; 64-bit, files over 4 GiB are normal */
  char *name;        /* display name, valid UTF-8 (owned) */
  SvSha1 sha1;
} SvShareResult;

/* Frees the name; the struct itself belongs to the caller (GArray clear function). */
void sv_share_result_clear (SvShareResult *result);

/* Returns: TRUE if a directory entry called @name (raw bytes, NUL-terminated) may be shared:
 * not hidden (leading '.'), not "." or "..", not a partial download. */
gboolean sv_share_match_name_is_shared (const char *name);

/* Returns: (transfer full) @raw (@len bytes, or -1 for NUL-terminated) as valid UTF-8; invalid
 * sequences become U+FFFD. */
char *sv_share_match_display_name (const char *raw, gssize len);

/* Returns: (transfer full) the canonical words of @display_name joined by single spaces ("" when
 * it has none). This is the text the index stores and tokenizes. */
char *sv_share_match_words (const char *display_name);

/* Splits query criteria into its canonical words (those QRP hashes), at most
 * SV_SHARE_MATCH_MAX_QUERY_WORDS.
 * Returns: (transfer full) NULL-terminated; empty when the query has no usable word. */
char **sv_share_match_query_words (const char *criteria, gssize len);

/* Returns: (transfer full) an FTS5 MATCH expression requiring every word as a prefix
 * ("w1"* AND "w2"*), or NULL when @words is empty. */
char *sv_share_match_fts_expr (char *const *words);

/* Returns: TRUE if @query_word is @file_word or a prefix of it admitted by the QRP rules. */
gboolean sv_share_match_word_admits (const char *file_word, const char *query_word);

/* Returns: TRUE if every query word is admitted by some word of @words (space-separated, as
 * sv_share_match_words returns). An empty @query_words admits nothing. */
gboolean sv_share_match_words_admit (const char *words, char *const *query_words);
