/* qrp.c: the QRP hash, presence tables, building from keywords, matching and scaling. */
#include "qrp.h"

#include <string.h>

#include "keyword.h"

/* Dense: a bit per slot. Sparse (after sv_qrp_table_compact, for a mostly empty table such as a
 * leaf's): the present slots in a small open-addressing hash set (linear probing, at most half
 * full, so a lookup is one or two probes in one cache line); the first change makes it dense. */
struct _SvQrpTable {
  guint32 slots;
  guint bits;
  guint8 infinity;
  guint8 *arena;     /* dense: slots / 8 bytes; slot i is bit (7 - i % 8) of byte i / 8; NULL
                      * while sparse */
  guint32 *sparse;   /* sparse: SPARSE_EMPTY or a present slot, sparse_mask + 1 entries (NULL
                      * while dense) */
  guint32 sparse_mask;
  guint sparse_shift;
  guint32 n_sparse;  /* present slots */
};

#define SPARSE_EMPTY G_MAXUINT32   /* never a slot: tables have at most 2^21 */

static inline guint32
sparse_home (const SvQrpTable *table, guint32 slot)
{
  return (slot * 0x9E3779B1u) >> table->sparse_shift;
}

struct _SvQrpQuery {
  GArray *words;     /* guint32 hash codes */
  GArray *urns;      /* guint32 hash codes */
};

guint32
sv_qrp_hashcode (const char *word, gssize len)
{
  guint32 x = 0;
  guint shift = 0;
  gsize left;
  const char *p = word;

  if (word == NULL)
    return 0;
  left = len < 0 ? strlen (word) : (gsize) len;
  while (left > 0 && *p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, (gssize) left);
      const char *next;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      next = g_utf8_next_char (p);
      left -= (gsize) (next - p);
      p = next;
      c = g_unichar_tolower (c);
      if (c > 0xFFFF)
        {
          guint32 v = c - 0x10000;
          guint32 hi = 0xD800 + (v >> 10);
          guint32 lo = 0xDC00 + (v & 0x3FF);

          x ^= (hi & 0xFF) << shift;
          shift = (shift + 8) & 24;
          x ^= (lo & 0xFF) << shift;
        }
      else
        x ^= (c & 0xFF) << shift;
      shift = (shift + 8) & 24;
    }
  return x * SV_QRP_HASH_MULTIPLIER;
}

static inline guint32
qrp_restrict (guint32 hashcode, guint bits)
{
  if (bits == 0)
    return 0;
  return bits >= 32 ? hashcode : hashcode >> (32 - bits);
}

guint32
sv_qrp_hash (const char *word, gssize len, guint bits)
{
  return qrp_restrict (sv_qrp_hashcode (word, len), bits);
}

gboolean
sv_qrp_size_is_valid (guint32 slots)
{
  return slots >= SV_QRP_MIN_TABLE_SLOTS && slots <= SV_QRP_MAX_TABLE_SLOTS
         && (slots & (slots - 1)) == 0;
}

SvQrpTable *
sv_qrp_table_new (guint32 slots, guint8 infinity)
{
  SvQrpTable *table;

  if (!sv_qrp_size_is_valid (slots) || infinity < 1)
    return NULL;
  table = g_new0 (SvQrpTable, 1);
  table->slots = slots;
  table->bits = (guint) g_bit_nth_lsf (slots, -1);
  table->infinity = infinity;
  table->arena = g_malloc0 (slots / 8);
  return table;
}

SvQrpTable *
sv_qrp_table_copy (const SvQrpTable *table)
{
  SvQrpTable *copy = g_new0 (SvQrpTable, 1);

  *copy = *table;
  if (table->arena != NULL)
    copy->arena = g_memdup2 (table->arena, table->slots / 8);
  else
    copy->sparse = g_memdup2 (table->sparse, sizeof *table->sparse * (table->sparse_mask + 1));
  return copy;
}

void
sv_qrp_table_free (SvQrpTable *table)
{
  if (table == NULL)
    return;
  g_free (table->arena);
  g_free (table->sparse);
  g_free (table);
}

/* Makes a sparse table dense again (before a change). */
static void
make_dense (SvQrpTable *table)
{
  if (table->arena != NULL)
    return;
  table->arena = g_malloc0 (table->slots / 8);
  for (guint32 i = 0; i <= table->sparse_mask; i++)
    if (table->sparse[i] != SPARSE_EMPTY)
      table->arena[table->sparse[i] >> 3] |= (guint8) (0x80u >> (table->sparse[i] & 7));
  g_clear_pointer (&table->sparse, g_free);
  table->n_sparse = 0;
}

gboolean
sv_qrp_table_compact (SvQrpTable *table)
{
  guint32 n = sv_qrp_table_count (table);
  guint bits = 3;

  if (table->arena == NULL)
    return TRUE;
  while ((1u << bits) < 2 * n)
    bits++;
  if ((gsize) sizeof (guint32) * SV_QRP_SPARSE_FACTOR << bits > table->slots / 8)
    return FALSE;
  table->sparse_mask = (1u << bits) - 1;
  table->sparse_shift = 32 - bits;
  table->sparse = g_new (guint32, table->sparse_mask + 1);
  memset (table->sparse, 0xff, sizeof *table->sparse * (table->sparse_mask + 1));
  for (guint32 byte = 0; byte < table->slots / 8; byte++)
    for (guint bit = 0; table->arena[byte] != 0 && bit < 8; bit++)
      if (table->arena[byte] & (0x80u >> bit))
        {
          guint32 slot = byte * 8 + bit;
          guint32 h = sparse_home (table, slot);

          while (table->sparse[h] != SPARSE_EMPTY)
            h = (h + 1) & table->sparse_mask;
          table->sparse[h] = slot;
        }
  table->n_sparse = n;
  g_clear_pointer (&table->arena, g_free);
  return TRUE;
}

gboolean
sv_qrp_table_is_sparse (const SvQrpTable *table)
{
  return table->arena == NULL;
}

guint32
sv_qrp_table_slots (const SvQrpTable *table)
{
  return table->slots;
}

guint
sv_qrp_table_bits (const SvQrpTable *table)
{
  return table->bits;
}

guint8
sv_qrp_table_infinity (const SvQrpTable *table)
{
  return table->infinity;
}

guint32
sv_qrp_table_count (const SvQrpTable *table)
{
  guint32 n = 0;

  if (table->arena == NULL)
    return table->n_sparse;
  for (guint32 i = 0; i < table->slots / 8; i++)
    n += (guint32) __builtin_popcount (table->arena[i]);
  return n;
}

/* @slot below the slot count. Inlined into matching: it runs for every leaf and every query. */
static inline gboolean
table_has (const SvQrpTable *table, guint32 slot)
{
  if (table->arena != NULL)
    return (table->arena[slot >> 3] & (0x80u >> (slot & 7))) != 0;
  for (guint32 h = sparse_home (table, slot);; h = (h + 1) & table->sparse_mask)
    {
      guint32 v = table->sparse[h];

      if (v == slot)
        return TRUE;
      if (v == SPARSE_EMPTY)
        return FALSE;
    }
}

gboolean
sv_qrp_table_get (const SvQrpTable *table, guint32 slot)
{
  g_return_val_if_fail (slot < table->slots, FALSE);
  return table_has (table, slot);
}

void
sv_qrp_table_set (SvQrpTable *table, guint32 slot, gboolean present)
{
  guint8 mask = (guint8) (0x80u >> (slot & 7));

  g_return_if_fail (slot < table->slots);
  make_dense (table);
  if (present)
    table->arena[slot >> 3] |= mask;
  else
    table->arena[slot >> 3] &= (guint8) ~mask;
}

void
sv_qrp_table_flip (SvQrpTable *table, guint32 slot)
{
  g_return_if_fail (slot < table->slots);
  make_dense (table);
  table->arena[slot >> 3] ^= (guint8) (0x80u >> (slot & 7));
}

void
sv_qrp_table_clear (SvQrpTable *table)
{
  make_dense (table);
  memset (table->arena, 0, table->slots / 8);
}

gboolean
sv_qrp_table_equal (const SvQrpTable *a, const SvQrpTable *b)
{
  if (a->slots != b->slots)
    return FALSE;
  if (a->arena != NULL && b->arena != NULL)
    return memcmp (a->arena, b->arena, a->slots / 8) == 0;
  if (sv_qrp_table_count (a) != sv_qrp_table_count (b))
    return FALSE;
  for (guint32 i = 0; i < a->slots; i++)
    if (sv_qrp_table_get (a, i) != sv_qrp_table_get (b, i))
      return FALSE;
  return TRUE;
}

const guint8 *
sv_qrp_table_bits_data (const SvQrpTable *table)
{
  /* Only the representation changes: the table's value stays what the caller sees as const. */
  make_dense ((SvQrpTable *) table);
  return table->arena;
}

void
sv_qrp_table_add_hashcode (SvQrpTable *table, guint32 hashcode)
{
  sv_qrp_table_set (table, qrp_restrict (hashcode, table->bits), TRUE);
}

void
sv_qrp_word_hashcodes (const char *word, GArray *out)
{
  gsize bytes = strlen (word);
  guint32 h;
  glong chars;

  if (bytes == 0 || bytes > SV_QRP_MAX_KEYWORD_BYTES || !g_utf8_validate (word, (gssize) bytes, NULL))
    return;
  h = sv_qrp_hashcode (word, (gssize) bytes);
  g_array_append_val (out, h);
  chars = g_utf8_strlen (word, (gssize) bytes);
  for (glong cut = 1; cut <= SV_QRP_MAX_CUT_CHARS; cut++)
    {
      glong keep = chars - cut;
      const char *end;

      if (keep < SV_KEYWORD_MIN_CHARS)
        break;
      end = g_utf8_offset_to_pointer (word, keep);
      h = sv_qrp_hashcode (word, end - word);
      g_array_append_val (out, h);
    }
}

void
sv_qrp_name_hashcodes (const char *name, gssize len, GArray *out)
{
  g_auto (GStrv) words = sv_keyword_split (name, len);

  for (guint i = 0; words[i] != NULL; i++)
    sv_qrp_word_hashcodes (words[i], out);
}

gboolean
sv_qrp_urn_hashcode (const char *urn, guint32 *out)
{
  if (urn == NULL || *urn == '\0')
    return FALSE;
  *out = sv_qrp_hashcode (urn, -1);
  return TRUE;
}

static void
qrp_add_hashcodes (SvQrpTable *table, GArray *codes)
{
  for (guint i = 0; i < codes->len; i++)
    sv_qrp_table_add_hashcode (table, g_array_index (codes, guint32, i));
}

void
sv_qrp_table_add_word (SvQrpTable *table, const char *word)
{
  g_autoptr (GArray) codes = g_array_new (FALSE, FALSE, sizeof (guint32));

  sv_qrp_word_hashcodes (word, codes);
  qrp_add_hashcodes (table, codes);
}

void
sv_qrp_table_add_name (SvQrpTable *table, const char *name, gssize len)
{
  g_autoptr (GArray) codes = g_array_new (FALSE, FALSE, sizeof (guint32));

  sv_qrp_name_hashcodes (name, len, codes);
  qrp_add_hashcodes (table, codes);
}

void
sv_qrp_table_add_urn (SvQrpTable *table, const char *urn)
{
  guint32 h;

  if (sv_qrp_urn_hashcode (urn, &h))
    sv_qrp_table_add_hashcode (table, h);
}

guint32
sv_qrp_table_slot (const SvQrpTable *table, guint32 hashcode)
{
  return qrp_restrict (hashcode, table->bits);
}

gboolean
sv_qrp_table_contains (const SvQrpTable *table, const char *word)
{
  return sv_qrp_table_get (table, sv_qrp_hash (word, -1, table->bits));
}

SvQrpTable *
sv_qrp_table_scale (const SvQrpTable *table, guint32 slots)
{
  SvQrpTable *out = sv_qrp_table_new (slots, table->infinity);

  if (out == NULL)
    return NULL;
  if (table->arena == NULL)
    {
      /* Each present slot covers a range of @out's slots, or shares one with others. */
      for (guint32 i = 0; i <= table->sparse_mask; i++)
        {
          guint32 from = table->sparse[i];

          if (from == SPARSE_EMPTY)
            continue;
          if (slots <= table->slots)
            sv_qrp_table_set (out, from / (table->slots / slots), TRUE);
          else
            for (guint32 j = 0; j < slots / table->slots; j++)
              sv_qrp_table_set (out, from * (slots / table->slots) + j, TRUE);
        }
    }
  else if (slots == table->slots)
    memcpy (out->arena, table->arena, slots / 8);
  else if (slots < table->slots)
    {
      guint32 factor = table->slots / slots;

      for (guint32 i = 0; i < table->slots; i++)
        if (sv_qrp_table_get (table, i))
          sv_qrp_table_set (out, i / factor, TRUE);
    }
  else
    {
      guint32 factor = slots / table->slots;

      for (guint32 j = 0; j < slots; j++)
        if (sv_qrp_table_get (table, j / factor))
          sv_qrp_table_set (out, j, TRUE);
    }
  return out;
}

void
sv_qrp_table_merge (SvQrpTable *dst, const SvQrpTable *src)
{
  g_autoptr (SvQrpTable) scaled = NULL;

  make_dense (dst);
  if (src->arena == NULL && src->slots == dst->slots)
    {
      /* A leaf's sparse table: its slots straight into the bits. */
      for (guint32 i = 0; i <= src->sparse_mask; i++)
        if (src->sparse[i] != SPARSE_EMPTY)
          dst->arena[src->sparse[i] >> 3] |= (guint8) (0x80u >> (src->sparse[i] & 7));
      return;
    }
  scaled = sv_qrp_table_scale (src, dst->slots);
  for (guint32 i = 0; i < dst->slots / 8; i++)
    dst->arena[i] |= scaled->arena[i];
}

static inline gboolean
sig_has (const SvQrpSignature *sig, guint32 hashcode)
{
  guint32 g = qrp_restrict (hashcode, sig->bits) & 255u;

  return (sig->w[g >> 6] >> (g & 63)) & 1u;
}

void
sv_qrp_table_signature (const SvQrpTable *table, SvQrpSignature *out)
{
  memset (out, 0, sizeof *out);
  out->bits = table->bits;
  if (table->arena == NULL)
    {
      for (guint32 i = 0; i <= table->sparse_mask; i++)
        if (table->sparse[i] != SPARSE_EMPTY)
          out->w[(table->sparse[i] & 255u) >> 6] |= G_GUINT64_CONSTANT (1) << (table->sparse[i] & 63);
      return;
    }
  for (guint32 byte = 0; byte < table->slots / 8; byte++)
    for (guint bit = 0; table->arena[byte] != 0 && bit < 8; bit++)
      if (table->arena[byte] & (0x80u >> bit))
        {
          guint32 g = (byte * 8 + bit) & 255u;

          out->w[g >> 6] |= G_GUINT64_CONSTANT (1) << (g & 63);
        }
}

gboolean
sv_qrp_signature_may_match (const SvQrpSignature *sig, const SvQrpQuery *query)
{
  if (sig->bits == 0)
    return TRUE;
  for (guint i = 0; i < query->urns->len; i++)
    if (sig_has (sig, g_array_index (query->urns, guint32, i)))
      return TRUE;
  if (query->words->len == 0)
    return FALSE;
  for (guint i = 0; i < query->words->len; i++)
    if (!sig_has (sig, g_array_index (query->words, guint32, i)))
      return FALSE;
  return TRUE;
}

SvQrpQuery *
sv_qrp_query_new_words (const char *const *words, const char *const *urns)
{
  SvQrpQuery *query = g_new0 (SvQrpQuery, 1);

  query->words = g_array_new (FALSE, FALSE, sizeof (guint32));
  query->urns = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    {
      guint32 h;

      if (strlen (words[i]) > SV_QRP_MAX_KEYWORD_BYTES)
        continue;
      h = sv_qrp_hashcode (words[i], -1);
      g_array_append_val (query->words, h);
    }
  for (guint i = 0; urns != NULL && urns[i] != NULL && i < SV_QUERY_MAX_URNS; i++)
    {
      guint32 h = sv_qrp_hashcode (urns[i], -1);

      g_array_append_val (query->urns, h);
    }
  return query;
}

SvQrpQuery *
sv_qrp_query_new (const char *criteria, gssize len, const char *const *urns)
{
  g_auto (GStrv) words = criteria != NULL ? sv_keyword_split (criteria, len) : NULL;

  return sv_qrp_query_new_words ((const char *const *) words, urns);
}

void
sv_qrp_query_free (SvQrpQuery *query)
{
  if (query == NULL)
    return;
  g_array_unref (query->words);
  g_array_unref (query->urns);
  g_free (query);
}

guint
sv_qrp_query_word_count (const SvQrpQuery *query)
{
  return query->words->len;
}

guint
sv_qrp_query_urn_count (const SvQrpQuery *query)
{
  return query->urns->len;
}

static inline gboolean
qrp_hit (const SvQrpTable *table, guint32 hashcode)
{
  return table_has (table, qrp_restrict (hashcode, table->bits));
}

gboolean
sv_qrp_table_matches (const SvQrpTable *table, const SvQrpQuery *query)
{
  for (guint i = 0; i < query->urns->len; i++)
    if (qrp_hit (table, g_array_index (query->urns, guint32, i)))
      return TRUE;
  if (query->words->len == 0)
    return FALSE;
  for (guint i = 0; i < query->words->len; i++)
    if (!qrp_hit (table, g_array_index (query->words, guint32, i)))
      return FALSE;
  return TRUE;
}
