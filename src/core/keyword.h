/* keyword.h: keyword canonicalisation shared by QRP, query matching and the share index.
 *
 * One function decides what the words of a file name or a query are: lower-cased, accents
 * stripped (NFKD then combining marks dropped), split on every character that is not a letter or
 * a digit. QRP tables, the SQLite index and query matching all use it, so that what a table
 * advertises and what matching finds agree exactly. */
#pragma once

#include <glib.h>

/* Minimum length (in Unicode characters) of a keyword that is indexed or routed. */
#define SV_KEYWORD_MIN_CHARS 3

/* Canonicalises one piece of UTF-8 text (invalid UTF-8 is repaired with U+FFFD first).
 * Returns: (transfer full) the canonical form: lower case, no accents; word separators kept. */
char *sv_keyword_canonicalize (const char *text, gssize len);

/* Splits @text (file name or query criteria) into canonical words of at least
 * SV_KEYWORD_MIN_CHARS characters, in order, duplicates removed.
 * Returns: (transfer full) (element-type utf8) a NULL-terminated vector of words. */
char **sv_keyword_split (const char *text, gssize len);
