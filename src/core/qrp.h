/* qrp.h: Query Routing Protocol tables: the hash, presence tables, building, matching, scaling.
 *
 * A table has a power-of-two number of slots (SV_QRP_MIN_TABLE_SLOTS..SV_QRP_MAX_TABLE_SLOTS)
 * and an "infinity" value; each slot is either present (some file has a word hashing there) or
 * absent (infinity). Leaf tables only ever carry these two states, so slots are kept as bits.
 *
 * What a table we build holds, for every canonical keyword (sv_keyword_split) of every name:
 * - the word itself;
 * - every prefix of at least SV_KEYWORD_MIN_CHARS characters obtained by removing 1 to
 *   SV_QRP_MAX_CUT_CHARS trailing characters. This is the union of gtk-gnutella's rule (up to 5
 *   successively shorter prefixes, never 3 bytes or less) and LimeWire's (words of more than 4
 *   characters also go in without their last 1 and last 2 characters), so a query word typed as
 *   either servent's users expect to be found still routes to us;
 * - for every file with a SHA-1, "urn:sha1:<base32>" (the hash lower-cases it, as LimeWire
 *   does). gtk-gnutella 1.2.3 leaves do not put URNs in their tables.
 *
 * Matching a query (sv_qrp_table_matches): its criteria are split with sv_keyword_split (words
 * shorter than SV_KEYWORD_MIN_CHARS are ignored, as gtk-gnutella does); the query routes when
 * any of its URNs hits, or when it has at least one word and every word hits. A query with
 * neither words nor URNs never routes. */
#pragma once

#include <glib.h>

#include "limits.h"

#define SV_QRP_MAX_CUT_CHARS      5    /* gtk-gnutella's QRP_MAX_CUT_CHARS */
#define SV_QRP_HASH_MULTIPLIER    0x4F1BBCDCu
#define SV_QRP_GTKG_INFINITY      2    /* gtk-gnutella's leaf tables */
#define SV_QRP_LIMEWIRE_INFINITY  7    /* LimeWire's leaf tables */

/* The 32-bit QRP hash code of @word (UTF-8, @len bytes or -1): each character is lower-cased and
 * encoded in UTF-16 (surrogate pairs for characters above U+FFFF); the low byte of each code unit
 * is XOR-ed into a little-endian 32-bit accumulator, which is multiplied by 0x4F1BBCDC.
 * Invalid UTF-8 stops the hash at the first bad byte. */
guint32 sv_qrp_hashcode (const char *word, gssize len);

/* The slot of @word in a table of 2^@bits slots (1 <= @bits <= 32): the top @bits bits of the
 * hash code. */
guint32 sv_qrp_hash (const char *word, gssize len, guint bits);

/* TRUE when @slots is a power of two within SV_QRP_MIN_TABLE_SLOTS..SV_QRP_MAX_TABLE_SLOTS. */
gboolean sv_qrp_size_is_valid (guint32 slots);

typedef struct _SvQrpTable SvQrpTable;

/* A table with every slot absent. @slots must satisfy sv_qrp_size_is_valid() and @infinity be
 * at least 1. Returns: (transfer full) (nullable) NULL when they do not. */
SvQrpTable *sv_qrp_table_new (guint32 slots, guint8 infinity);
/* Returns: (transfer full) a copy of @table. */
SvQrpTable *sv_qrp_table_copy (const SvQrpTable *table);
void sv_qrp_table_free (SvQrpTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvQrpTable, sv_qrp_table_free)

guint32 sv_qrp_table_slots (const SvQrpTable *table);
/* log2 of the slot count. */
guint sv_qrp_table_bits (const SvQrpTable *table);
guint8 sv_qrp_table_infinity (const SvQrpTable *table);
/* Number of present slots. */
guint32 sv_qrp_table_count (const SvQrpTable *table);

/* A table holds its slots as bits, or, when few are present, as a small hash set of those (a
 * leaf's table of 64Ki slots with a hundred words: 1 KiB instead of 8). Compacting is worth it
 * when the set takes at most 1/SV_QRP_SPARSE_FACTOR of the bits; any change makes the table
 * bits again. Returns: TRUE if @table is sparse now. */
#define SV_QRP_SPARSE_FACTOR 2
gboolean sv_qrp_table_compact (SvQrpTable *table);
gboolean sv_qrp_table_is_sparse (const SvQrpTable *table);

/* Slot access; @slot must be below the slot count. */
gboolean sv_qrp_table_get (const SvQrpTable *table, guint32 slot);
void sv_qrp_table_set (SvQrpTable *table, guint32 slot, gboolean present);
void sv_qrp_table_flip (SvQrpTable *table, guint32 slot);
/* Sets every slot absent. */
void sv_qrp_table_clear (SvQrpTable *table);

/* TRUE when both have the same size and the same present slots (infinity is not compared). */
gboolean sv_qrp_table_equal (const SvQrpTable *a, const SvQrpTable *b);

/* The slots as a bit string: slot i is bit (7 - i % 8) of byte i / 8, 1 for present (a sparse
 * table becomes bits first). Returns: (transfer none) sv_qrp_table_slots() / 8 bytes. */
const guint8 *sv_qrp_table_bits_data (const SvQrpTable *table);

/* The hash codes a table built here sets for one canonical keyword and its prefixes (see the top
 * of this file), appended to @out (element-type guint32), in order, repeats kept. Nothing for an
 * empty word, invalid UTF-8 or a word longer than SV_QRP_MAX_KEYWORD_BYTES.
 * sv_qrp_table_add_word() sets exactly these; reference-counted tables use the same list to add
 * and remove a file. */
void sv_qrp_word_hashcodes (const char *word, GArray *out);
/* The same for every word of @name (@len bytes or -1) split with sv_keyword_split(). */
void sv_qrp_name_hashcodes (const char *name, gssize len, GArray *out);
/* The hash code of a URN given as text. Returns: FALSE (nothing set) for NULL or "". */
gboolean sv_qrp_urn_hashcode (const char *urn, guint32 *out);
/* The slot of hash code @hashcode in @table (its top bits). */
guint32 sv_qrp_table_slot (const SvQrpTable *table, guint32 hashcode);

/* Marks the slot of the hash code @hashcode present. */
void sv_qrp_table_add_hashcode (SvQrpTable *table, guint32 hashcode);
/* Adds one canonical keyword and its prefixes (see the top of this file). Words longer than
 * SV_QRP_MAX_KEYWORD_BYTES are skipped. */
void sv_qrp_table_add_word (SvQrpTable *table, const char *word);
/* Splits @name (@len bytes or -1) with sv_keyword_split() and adds every word. */
void sv_qrp_table_add_name (SvQrpTable *table, const char *name, gssize len);
/* Adds a URN given as text, e.g. "urn:sha1:<32 base32>" (case does not matter). */
void sv_qrp_table_add_urn (SvQrpTable *table, const char *urn);

/* TRUE when the slot of @word (hashed as given, no canonicalisation) is present. */
gboolean sv_qrp_table_contains (const SvQrpTable *table, const char *word);

/* Rescales @table to @slots slots. Slot i of an m-slot table covers slots
 * [i*m'/m, (i+1)*m'/m) of an m'-slot table: shrinking, a slot is present if any slot it covers
 * is present (the minimum of the hop counts); growing, each slot copies the one that covers it.
 * Returns: (transfer full) (nullable) NULL when @slots is not a valid size. */
SvQrpTable *sv_qrp_table_scale (const SvQrpTable *table, guint32 slots);

/* Adds the present slots of @src (rescaled to @dst's size) to @dst: the union an ultrapeer sends
 * for itself and its leaves. */
void sv_qrp_table_merge (SvQrpTable *dst, const SvQrpTable *src);

/* The routing view of one query: hash codes of its words and URNs. */
typedef struct _SvQrpQuery SvQrpQuery;

/* Builds the view of a query from its criteria text (@len bytes or -1; may be NULL) and a
 * NULL-terminated list of URNs as text (may be NULL). At most SV_QUERY_MAX_URNS URNs are kept;
 * words longer than SV_QRP_MAX_KEYWORD_BYTES are not hashed.
 * Returns: (transfer full). */
SvQrpQuery *sv_qrp_query_new (const char *criteria, gssize len, const char *const *urns);
/* The same from words already canonical (sv_keyword_split; NULL-terminated, may be NULL).
 * Returns: (transfer full). */
SvQrpQuery *sv_qrp_query_new_words (const char *const *words, const char *const *urns);
void sv_qrp_query_free (SvQrpQuery *query);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvQrpQuery, sv_qrp_query_free)

guint sv_qrp_query_word_count (const SvQrpQuery *query);
guint sv_qrp_query_urn_count (const SvQrpQuery *query);

/* TRUE when @query should be sent to the peer that sent @table (rules at the top of this file). */
gboolean sv_qrp_table_matches (const SvQrpTable *table, const SvQrpQuery *query);

/* A table's signature: one bit per group of slots (slot mod 256), kept beside the table where a
 * router scans its peers, so that most tables can refuse a query without being touched. A
 * mostly empty table (a leaf's) refuses nearly every query it does not match this way; a full
 * one refuses none and is matched in full. */
typedef struct {
  guint bits;                    /* the table's log2 size; 0: no signature (never refuses) */
  guint64 w[4];
} SvQrpSignature;

void sv_qrp_table_signature (const SvQrpTable *table, SvQrpSignature *out);
/* FALSE when the table behind @sig certainly refuses @query; TRUE when it may admit it (then ask
 * sv_qrp_table_matches). */
gboolean sv_qrp_signature_may_match (const SvQrpSignature *sig, const SvQrpQuery *query);
