/* test-qrp.c: the QRP hash, tables built from names, query matching and scaling (qrp.h). */
#include "check-util.h"
#include "qrp.h"

START_TEST (test_published_hash_vectors)
{
  ck_assert_uint_eq (sv_qrp_hash ("", -1, 13), 0);
  ck_assert_uint_eq (sv_qrp_hash ("eb", -1, 13), 6791);
  ck_assert_uint_eq (sv_qrp_hash ("ebcklmenq", -1, 13), 3527);
  ck_assert_uint_eq (sv_qrp_hash ("n", -1, 16), 65003);
  ck_assert_uint_eq (sv_qrp_hash ("ndflaleme", -1, 16), 45559);
  ck_assert_uint_eq (sv_qrp_hash ("3NJA9", -1, 10), 581);
  ck_assert_uint_eq (sv_qrp_hash ("3nja9", -1, 10), 581);
  ck_assert_uint_eq (sv_qrp_hash ("zzzzzzzzzzz", -1, 10), 944);
  /* gtk-gnutella's self-test values */
  ck_assert_uint_eq (sv_qrp_hash ("ndflalem", -1, 16), 37658);
  ck_assert_uint_eq (sv_qrp_hash ("7777a88a8a8a8", -1, 10), 342);
  ck_assert_uint_eq (sv_qrp_hash ("2459345938032343", -1, 10), 146);
}
END_TEST

START_TEST (test_non_ascii_hash_uses_utf16_low_bytes)
{
  /* gtk-gnutella's non-ASCII vectors (10 bits): a-ni-me, ra, "voice actor" */
  ck_assert_uint_eq (sv_qrp_hash ("\xe3\x82\xa2\xe3\x83\x8b\xe3\x83\xa1", -1, 10), 46);
  ck_assert_uint_eq (sv_qrp_hash ("\xe3\x83\xa9", -1, 10), 0);
  ck_assert_uint_eq (sv_qrp_hash ("\xe5\xa3\xb0\xe5\x84\xaa", -1, 10), 731);
  /* U+10428 is the surrogate pair D801 DC28: low bytes 01 28 */
  ck_assert_uint_eq (sv_qrp_hash ("\xf0\x90\x90\xa8", -1, 10), 658);
  ck_assert_uint_eq (sv_qrp_hash ("\x01\x28", -1, 10), 658);
  /* upper-case U+10400 is lower-cased to U+10428 first (LimeWire's rule) */
  ck_assert_uint_eq (sv_qrp_hash ("\xf0\x90\x90\x80", -1, 10), 658);
  /* É lower-cases to é */
  ck_assert_uint_eq (sv_qrp_hashcode ("CAF\xc3\x89", -1), sv_qrp_hashcode ("caf\xc3\xa9", -1));
  ck_assert_uint_ne (sv_qrp_hash ("caf\xc3\xa9", -1, 16), sv_qrp_hash ("cafe", -1, 16));
}
END_TEST

START_TEST (test_hash_of_e_acute_is_its_code_point)
{
  /* x = 'c' | 'a' << 8 | 'f' << 16 | 0xE9 << 24, times the multiplier */
  guint32 x = 0x63u | (0x61u << 8) | (0x66u << 16) | (0xE9u << 24);

  ck_assert_uint_eq (sv_qrp_hashcode ("caf\xc3\xa9", -1), x * SV_QRP_HASH_MULTIPLIER);
}
END_TEST

START_TEST (test_hash_length_and_bad_utf8)
{
  ck_assert_uint_eq (sv_qrp_hash ("ebcklmenqXYZ", 9, 13), 3527);
  /* decoding stops at the first invalid byte */
  ck_assert_uint_eq (sv_qrp_hashcode ("eb\xff" "cd", -1), sv_qrp_hashcode ("eb", -1));
  ck_assert_uint_eq (sv_qrp_hashcode ("eb\xe3\x82", -1), sv_qrp_hashcode ("eb", -1));
  ck_assert_uint_eq (sv_qrp_hashcode (NULL, -1), 0);
}
END_TEST

START_TEST (test_smaller_table_hash_is_a_shift)
{
  const char *words[] = { "zebrafile", "leafb", "x", "mp3", "日本語", "urn:sha1:abc" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    for (guint bits = 4; bits <= 21; bits++)
      ck_assert_uint_eq (sv_qrp_hash (words[i], -1, bits - 1),
                         sv_qrp_hash (words[i], -1, bits) >> 1);
}
END_TEST

START_TEST (test_table_sizes)
{
  ck_assert (!sv_qrp_size_is_valid (0));
  ck_assert (!sv_qrp_size_is_valid (8));
  ck_assert (sv_qrp_size_is_valid (SV_QRP_MIN_TABLE_SLOTS));
  ck_assert (!sv_qrp_size_is_valid (24));
  ck_assert (!sv_qrp_size_is_valid (65535));
  ck_assert (sv_qrp_size_is_valid (65536));
  ck_assert (sv_qrp_size_is_valid (SV_QRP_MAX_TABLE_SLOTS));
  ck_assert (!sv_qrp_size_is_valid (SV_QRP_MAX_TABLE_SLOTS * 2));
  ck_assert_ptr_null (sv_qrp_table_new (100, 2));
  ck_assert_ptr_null (sv_qrp_table_new (1024, 0));
  for (guint32 slots = SV_QRP_MIN_TABLE_SLOTS; slots <= SV_QRP_MAX_TABLE_SLOTS; slots *= 2)
    {
      g_autoptr (SvQrpTable) t = sv_qrp_table_new (slots, 7);

      ck_assert_ptr_nonnull (t);
      ck_assert_uint_eq (sv_qrp_table_slots (t), slots);
      ck_assert_uint_eq (1u << sv_qrp_table_bits (t), slots);
      ck_assert_uint_eq (sv_qrp_table_infinity (t), 7);
      ck_assert_uint_eq (sv_qrp_table_count (t), 0);
    }
}
END_TEST

START_TEST (test_slot_access)
{
  g_autoptr (SvQrpTable) t = sv_qrp_table_new (64, 2);
  g_autoptr (SvQrpTable) c = NULL;

  sv_qrp_table_set (t, 0, TRUE);
  sv_qrp_table_set (t, 63, TRUE);
  sv_qrp_table_flip (t, 9);
  ck_assert (sv_qrp_table_get (t, 0) && sv_qrp_table_get (t, 63) && sv_qrp_table_get (t, 9));
  ck_assert (!sv_qrp_table_get (t, 1));
  ck_assert_uint_eq (sv_qrp_table_bits_data (t)[0], 0x80);
  ck_assert_uint_eq (sv_qrp_table_bits_data (t)[1], 0x40);
  ck_assert_uint_eq (sv_qrp_table_bits_data (t)[7], 0x01);
  ck_assert_uint_eq (sv_qrp_table_count (t), 3);
  c = sv_qrp_table_copy (t);
  ck_assert (sv_qrp_table_equal (t, c));
  sv_qrp_table_flip (c, 9);
  ck_assert (!sv_qrp_table_get (c, 9));
  ck_assert (!sv_qrp_table_equal (t, c));
  sv_qrp_table_set (t, 0, FALSE);
  ck_assert_uint_eq (sv_qrp_table_count (t), 2);
  sv_qrp_table_clear (t);
  ck_assert_uint_eq (sv_qrp_table_count (t), 0);
}
END_TEST

START_TEST (test_word_prefixes_cover_gtkg_and_limewire)
{
  g_autoptr (SvQrpTable) t = sv_qrp_table_new (SV_QRP_MAX_TABLE_SLOTS, 2);
  const char *zebra[] = { "zebrafile", "zebrafil", "zebrafi", "zebraf", "zebra", "zebr" };

  sv_qrp_table_add_word (t, "zebrafile");
  for (guint i = 0; i < G_N_ELEMENTS (zebra); i++)
    ck_assert_msg (sv_qrp_table_contains (t, zebra[i]), "%s", zebra[i]);
  ck_assert (!sv_qrp_table_contains (t, "zeb"));    /* 6 cuts: never more than 5 */
  ck_assert_uint_eq (sv_qrp_table_count (t), G_N_ELEMENTS (zebra));

  /* LimeWire: a 5-character word also goes in without its last 2 characters */
  sv_qrp_table_clear (t);
  sv_qrp_table_add_word (t, "leafb");
  ck_assert (sv_qrp_table_contains (t, "leafb") && sv_qrp_table_contains (t, "leaf")
             && sv_qrp_table_contains (t, "lea"));
  ck_assert_uint_eq (sv_qrp_table_count (t), 3);

  sv_qrp_table_clear (t);
  sv_qrp_table_add_word (t, "bin");
  ck_assert_uint_eq (sv_qrp_table_count (t), 1);

  /* prefixes are cut at characters, not bytes */
  sv_qrp_table_clear (t);
  sv_qrp_table_add_word (t, "日本語テスト");
  ck_assert (sv_qrp_table_contains (t, "日本語テス") && sv_qrp_table_contains (t, "日本語テ")
             && sv_qrp_table_contains (t, "日本語"));
  ck_assert_uint_eq (sv_qrp_table_count (t), 4);

  /* too long or invalid words are skipped */
  sv_qrp_table_clear (t);
  {
    g_autofree char *lng = g_strnfill (SV_QRP_MAX_KEYWORD_BYTES + 1, 'a');
    g_autofree char *ok = g_strnfill (SV_QRP_MAX_KEYWORD_BYTES, 'a');

    sv_qrp_table_add_word (t, lng);
    sv_qrp_table_add_word (t, "ab\xff" "cdef");
    ck_assert_uint_eq (sv_qrp_table_count (t), 0);
    sv_qrp_table_add_word (t, ok);
    ck_assert (sv_qrp_table_contains (t, ok));
  }
}
END_TEST

START_TEST (test_name_and_query_match)
{
  g_autoptr (SvQrpTable) t = sv_qrp_table_new (1u << 16, SV_QRP_LIMEWIRE_INFINITY);
  const char *urns[] = { "urn:sha1:QY2JLSMMJYG7XRQNKNMV56U7AFLRSPFB", NULL };
  const char *other_urns[] = { "urn:sha1:BENPU4ABSQBN7S6H4KGYUYRW3OGBSF3Y", NULL };
  const char *lower_urns[] = { "urn:sha1:qy2jlsmmjyg7xrqnknmv56u7aflrspfb", NULL };
  struct { const char *criteria; const char *const *urns; gboolean routes; } cases[] = {
    { "deja", NULL, TRUE },
    { "Déjà vu", NULL, TRUE },                  /* "vu" is ignored: too short */
    { "CAFE DEJA", NULL, TRUE },
    { "cafe deja mp3", NULL, TRUE },
    { "caf", NULL, TRUE },                      /* LimeWire prefix */
    { "cafe jazz", NULL, FALSE },               /* every word must hit */
    { "jazz", NULL, FALSE },
    { "", NULL, FALSE },                        /* nothing to route on */
    { "a b", NULL, FALSE },
    { NULL, urns, TRUE },                       /* a URN query */
    { NULL, lower_urns, TRUE },                 /* URN case does not matter */
    { NULL, other_urns, FALSE },
    { "jazz", urns, TRUE },                     /* any URN hit suffices */
    { "deja", other_urns, TRUE },               /* or all the words */
  };

  sv_qrp_table_add_name (t, "Café Déjà Vu.mp3", -1);
  sv_qrp_table_add_urn (t, urns[0]);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (SvQrpQuery) q = sv_qrp_query_new (cases[i].criteria, -1, cases[i].urns);

      ck_assert_msg (sv_qrp_table_matches (t, q) == cases[i].routes, "case %u (%s)", i,
                     cases[i].criteria ? cases[i].criteria : "(urn)");
    }
}
END_TEST

START_TEST (test_query_limits)
{
  g_autoptr (SvQrpTable) t = sv_qrp_table_new (1u << 12, 2);
  g_autofree char *lng = g_strnfill (SV_QRP_MAX_KEYWORD_BYTES + 1, 'x');
  g_autofree char *criteria = g_strconcat ("zebrafile ", lng, NULL);
  const char *many[SV_QUERY_MAX_URNS + 3];
  g_autoptr (SvQrpQuery) q = sv_qrp_query_new (criteria, -1, NULL);
  g_autoptr (SvQrpQuery) q2 = NULL;
  g_autoptr (SvQrpQuery) q3 = sv_qrp_query_new ("zebrafile tail", 9, NULL);

  sv_qrp_table_add_word (t, "zebrafile");
  /* the over-long word is not hashed, so the query routes on "zebrafile" alone */
  ck_assert_uint_eq (sv_qrp_query_word_count (q), 1);
  ck_assert (sv_qrp_table_matches (t, q));
  for (guint i = 0; i < G_N_ELEMENTS (many) - 1; i++)
    many[i] = "urn:sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  many[G_N_ELEMENTS (many) - 1] = NULL;
  q2 = sv_qrp_query_new (NULL, -1, many);
  ck_assert_uint_eq (sv_qrp_query_urn_count (q2), SV_QUERY_MAX_URNS);
  ck_assert_uint_eq (sv_qrp_query_word_count (q3), 1);
}
END_TEST

static SvQrpTable *
build (guint32 slots, const char *const *names)
{
  SvQrpTable *t = sv_qrp_table_new (slots, 2);

  for (guint i = 0; names[i] != NULL; i++)
    sv_qrp_table_add_name (t, names[i], -1);
  return t;
}

START_TEST (test_scaling)
{
  const char *names[] = { "Café Déjà Vu.mp3", "leafB_zebrafile_1.bin", "The.Matrix.1999.mkv",
                          "한국어 노래", "Sigur Rós - Hoppípolla.ogg", NULL };
  g_autoptr (SvQrpTable) big = build (1u << 16, names);
  g_autoptr (SvQrpTable) small = build (1u << 10, names);
  g_autoptr (SvQrpTable) down = sv_qrp_table_scale (big, 1u << 10);
  g_autoptr (SvQrpTable) up = sv_qrp_table_scale (small, 1u << 16);
  g_autoptr (SvQrpTable) back = sv_qrp_table_scale (up, 1u << 10);
  g_autoptr (SvQrpTable) same = sv_qrp_table_scale (big, 1u << 16);
  g_autoptr (SvQrpQuery) q = sv_qrp_query_new ("matrix zebrafile hoppipolla", -1, NULL);

  /* shrinking a table gives exactly the table built at the smaller size */
  ck_assert (sv_qrp_table_equal (down, small));
  ck_assert_uint_eq (sv_qrp_table_infinity (down), 2);
  /* growing keeps every word routable, and shrinking back restores the original */
  ck_assert (sv_qrp_table_matches (up, q));
  ck_assert (sv_qrp_table_equal (back, small));
  ck_assert_uint_eq (sv_qrp_table_count (up), sv_qrp_table_count (small) * 64);
  ck_assert (sv_qrp_table_equal (same, big));
  ck_assert_ptr_null (sv_qrp_table_scale (big, 1000));
  /* slot i of the small table covers slots [64 i, 64 i + 64) of the big one */
  {
    g_autoptr (SvQrpTable) one = sv_qrp_table_new (1u << 16, 2);
    g_autoptr (SvQrpTable) s = NULL;

    sv_qrp_table_set (one, 64 * 5 + 63, TRUE);
    s = sv_qrp_table_scale (one, 1u << 10);
    ck_assert_uint_eq (sv_qrp_table_count (s), 1);
    ck_assert (sv_qrp_table_get (s, 5));
  }
}
END_TEST

START_TEST (test_merge_is_a_union)
{
  const char *a_names[] = { "leafB_zebrafile_1.bin", NULL };
  const char *b_names[] = { "Café Déjà Vu.mp3", NULL };
  g_autoptr (SvQrpTable) merged = sv_qrp_table_new (1u << 17, 2);
  g_autoptr (SvQrpTable) a = build (1u << 14, a_names);
  g_autoptr (SvQrpTable) b = build (1u << 21, b_names);
  g_autoptr (SvQrpQuery) qa = sv_qrp_query_new ("zebrafile", -1, NULL);
  g_autoptr (SvQrpQuery) qb = sv_qrp_query_new ("deja", -1, NULL);
  g_autoptr (SvQrpQuery) qn = sv_qrp_query_new ("nothingelse", -1, NULL);

  sv_qrp_table_merge (merged, a);
  sv_qrp_table_merge (merged, b);
  ck_assert (sv_qrp_table_matches (merged, qa));
  ck_assert (sv_qrp_table_matches (merged, qb));
  ck_assert (!sv_qrp_table_matches (merged, qn));
}
END_TEST

/* A mostly empty table held as a list answers, scales, merges and patches like the bits it
 * stands for; a full one stays bits. */
START_TEST (test_sparse_tables)
{
  g_autoptr (SvQrpTable) dense = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) sparse = NULL;
  g_autoptr (SvQrpTable) full = sv_qrp_table_new (8192, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) small_d = NULL;
  g_autoptr (SvQrpTable) small_s = NULL;
  g_autoptr (SvQrpTable) big_d = NULL;
  g_autoptr (SvQrpTable) big_s = NULL;
  g_autoptr (SvQrpTable) union_d = sv_qrp_table_new (16384, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) union_s = sv_qrp_table_new (16384, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpQuery) hit = sv_qrp_query_new ("jazz live", -1, NULL);
  g_autoptr (SvQrpQuery) miss = sv_qrp_query_new ("jazz rock", -1, NULL);

  sv_qrp_table_add_name (dense, "free jazz live.mp3", -1);
  sv_qrp_table_set (dense, 0, TRUE);
  sv_qrp_table_set (dense, 65535, TRUE);
  sparse = sv_qrp_table_copy (dense);
  ck_assert (sv_qrp_table_compact (sparse));
  ck_assert (sv_qrp_table_is_sparse (sparse));
  ck_assert (!sv_qrp_table_is_sparse (dense));
  ck_assert_uint_eq (sv_qrp_table_count (sparse), sv_qrp_table_count (dense));
  ck_assert (sv_qrp_table_equal (sparse, dense));
  ck_assert (sv_qrp_table_equal (dense, sparse));
  for (guint32 i = 0; i < 65536; i++)
    ck_assert_msg (sv_qrp_table_get (sparse, i) == sv_qrp_table_get (dense, i), "slot %u", i);
  ck_assert (sv_qrp_table_matches (sparse, hit));
  ck_assert (!sv_qrp_table_matches (sparse, miss));

  /* Scaling down and up, and merging, give what the bits give. */
  small_d = sv_qrp_table_scale (dense, 8192);
  small_s = sv_qrp_table_scale (sparse, 8192);
  ck_assert (sv_qrp_table_equal (small_d, small_s));
  big_d = sv_qrp_table_scale (dense, 131072);
  big_s = sv_qrp_table_scale (sparse, 131072);
  ck_assert (sv_qrp_table_equal (big_d, big_s));
  sv_qrp_table_merge (union_d, dense);
  sv_qrp_table_merge (union_s, sparse);
  ck_assert (sv_qrp_table_equal (union_d, union_s));
  {
    /* Same size: the sparse slots go straight into the bits. */
    g_autoptr (SvQrpTable) same_d = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);
    g_autoptr (SvQrpTable) same_s = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);

    sv_qrp_table_set (same_d, 7, TRUE);
    sv_qrp_table_set (same_s, 7, TRUE);
    sv_qrp_table_merge (same_d, dense);
    sv_qrp_table_merge (same_s, sparse);
    ck_assert (sv_qrp_table_equal (same_d, same_s));
    ck_assert_uint_eq (sv_qrp_table_count (same_s), sv_qrp_table_count (dense) + 1);
  }
  ck_assert_mem_eq (sv_qrp_table_bits_data (sparse), sv_qrp_table_bits_data (dense), 65536 / 8);

  /* A change makes it bits again, with the change applied. */
  ck_assert (sv_qrp_table_compact (sparse));
  sv_qrp_table_flip (sparse, 12345);
  ck_assert (!sv_qrp_table_is_sparse (sparse));
  ck_assert (sv_qrp_table_get (sparse, 12345) != sv_qrp_table_get (dense, 12345));

  /* Half full: bits are smaller, so it stays bits. */
  for (guint32 i = 0; i < 8192; i += 2)
    sv_qrp_table_set (full, i, TRUE);
  ck_assert (!sv_qrp_table_compact (full));
  ck_assert (!sv_qrp_table_is_sparse (full));
}
END_TEST

/* The signature never refuses what the table admits, and refuses most of what it does not. */
START_TEST (test_signature)
{
  g_autoptr (SvQrpTable) leaf = sv_qrp_table_new (65536, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) big = sv_qrp_table_new (1024, SV_QRP_GTKG_INFINITY);
  SvQrpSignature sig, none = { 0 }, full;
  guint refused = 0, tried = 0;

  sv_qrp_table_add_name (leaf, "free jazz live.mp3", -1);
  sv_qrp_table_compact (leaf);
  sv_qrp_table_signature (leaf, &sig);
  for (guint32 i = 0; i < 1024; i++)
    sv_qrp_table_set (big, i, TRUE);
  sv_qrp_table_signature (big, &full);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *words = g_strdup_printf ("word%u other%u", i, i * 7);
      g_autoptr (SvQrpQuery) q = sv_qrp_query_new (words, -1, NULL);

      tried++;
      if (sv_qrp_table_matches (leaf, q))
        ck_assert (sv_qrp_signature_may_match (&sig, q));
      else if (!sv_qrp_signature_may_match (&sig, q))
        refused++;
      ck_assert (sv_qrp_signature_may_match (&none, q));   /* no signature: no opinion */
      ck_assert (sv_qrp_signature_may_match (&full, q));   /* a full table refuses nothing */
    }
  ck_assert_uint_gt (refused, tried * 9 / 10);
  {
    g_autoptr (SvQrpQuery) hit = sv_qrp_query_new ("jazz live", -1, NULL);

    ck_assert (sv_qrp_signature_may_match (&sig, hit));
  }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("qrp");
  TCase *tc = tcase_create ("qrp");

  tcase_add_test (tc, test_published_hash_vectors);
  tcase_add_test (tc, test_non_ascii_hash_uses_utf16_low_bytes);
  tcase_add_test (tc, test_hash_of_e_acute_is_its_code_point);
  tcase_add_test (tc, test_hash_length_and_bad_utf8);
  tcase_add_test (tc, test_smaller_table_hash_is_a_shift);
  tcase_add_test (tc, test_table_sizes);
  tcase_add_test (tc, test_slot_access);
  tcase_add_test (tc, test_word_prefixes_cover_gtkg_and_limewire);
  tcase_add_test (tc, test_name_and_query_match);
  tcase_add_test (tc, test_query_limits);
  tcase_add_test (tc, test_scaling);
  tcase_add_test (tc, test_merge_is_a_union);
  tcase_add_test (tc, test_sparse_tables);
  tcase_add_test (tc, test_signature);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
