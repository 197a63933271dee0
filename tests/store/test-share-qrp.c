/* test-share-qrp.c: the reference-counted QRP table fed by the library's per-file changes always
 * equals a table rebuilt from the index, through scans, live checks, deletions, renames and
 * rewrites; a word leaves only with the last file that has it. */
#include "store-util.h"

#include "qrp.h"
#include "share-qrp.h"
#include "urn.h"

#include <glib/gstdio.h>
#include <string.h>

static StoreTree tree;

static void
setup (void)
{
  store_tree_init (&tree);
}

static void
teardown (void)
{
  store_tree_clear (&tree);
}

static SvShareLibrary *
open_lib (SvShareQrp *qrp, GMainContext *ctx)
{
  const char *folders[] = { tree.share, NULL };
  SvShareLibraryConfig cfg = { 0 };
  g_autoptr (GError) error = NULL;
  SvShareLibrary *lib;

  cfg.db_path = tree.db;
  cfg.folders = folders;
  cfg.state_dir = tree.state;
  cfg.context = ctx;
  cfg.file_changed = sv_share_qrp_file_changed;
  cfg.file_changed_data = qrp;
  lib = sv_share_library_new (&cfg, &error);
  ck_assert_msg (lib != NULL, "open: %s", error ? error->message : "?");
  return lib;
}

static void
rebuild_add (const char *words, const SvSha1 *sha1, gpointer user_data)
{
  char urn[SV_URN_SHA1_LEN + 1];

  sv_qrp_table_add_name (user_data, words, -1);
  sv_urn_sha1_format (sha1, urn);
  sv_qrp_table_add_urn (user_data, urn);
}

/* A table built from scratch from the index, as callers did before incremental updates. */
static SvQrpTable *
rebuild (SvShareLibrary *lib, guint32 slots)
{
  SvQrpTable *t = sv_qrp_table_new (slots, SV_QRP_GTKG_INFINITY);

  ck_assert (sv_share_library_foreach_words (lib, rebuild_add, t, NULL));
  return t;
}

/* The incremental table equals the rebuilt one slot by slot, and its counts agree with it. */
static void
assert_matches_index (SvShareQrp *qrp, SvShareLibrary *lib)
{
  g_autoptr (SvQrpTable) inc = sv_share_qrp_snapshot (qrp, NULL);
  g_autoptr (SvQrpTable) full = rebuild (lib, sv_qrp_table_slots (inc));
  guint64 files = 0;
  guint32 wrong = 0;

  ck_assert_msg (sv_qrp_table_equal (inc, full), "incremental %u slots, rebuilt %u",
                 sv_qrp_table_count (inc), sv_qrp_table_count (full));
  for (guint32 i = 0; i < sv_qrp_table_slots (inc); i++)
    if ((sv_share_qrp_refcount (qrp, i) > 0) != sv_qrp_table_get (full, i))
      wrong++;
  ck_assert_uint_eq (wrong, 0);
  sv_share_library_count (lib, &files, NULL);
  ck_assert_uint_eq (sv_share_qrp_files (qrp), files);
}

static gboolean
has_word (SvShareQrp *qrp, const char *word)
{
  g_autoptr (SvQrpTable) t = sv_share_qrp_snapshot (qrp, NULL);

  return sv_qrp_table_contains (t, word);
}

/* TRUE when the urn:sha1 of the file called @name (found by a keyword query) is in the table. */
static gboolean
has_urn_of (SvShareQrp *qrp, SvShareLibrary *lib, const char *criteria, const char *name)
{
  g_autoptr (GArray) r = sv_share_library_query (lib, criteria, -1, 100);
  g_autoptr (SvQrpTable) t = sv_share_qrp_snapshot (qrp, NULL);

  for (guint i = 0; i < r->len; i++)
    {
      SvShareResult *res = &g_array_index (r, SvShareResult, i);
      char urn[SV_URN_SHA1_LEN + 1];

      if (strcmp (res->name, name) != 0)
        continue;
      sv_urn_sha1_format (&res->sha1, urn);
      return sv_qrp_table_contains (t, urn);
    }
  ck_abort_msg ("no file %s for '%s'", name, criteria);
  return FALSE;
}

static void
notify (SvShareLibrary *lib, const char *path)
{
  sv_share_library_notify_path (lib, path);
  ck_assert (sv_share_library_wait_idle (lib, 20000));
}

/* The hash codes qrp.c enumerates are exactly those its table builders set. */
START_TEST (test_hashcodes_agree_with_builders)
{
  const char *names[] = { "Björk - Jóga (Live) 1997.FLAC", "free jazz free", "日本語の歌詞.mp3",
                          "ab", "", "symphonies no 9 \xff bad", NULL };
  g_autofree char *longword = g_strnfill (SV_QRP_MAX_KEYWORD_BYTES + 1, 'q');

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (SvQrpTable) a = sv_qrp_table_new (1u << 16, 2);
      g_autoptr (SvQrpTable) b = sv_qrp_table_new (1u << 16, 2);
      g_autoptr (GArray) codes = g_array_new (FALSE, FALSE, sizeof (guint32));

      sv_qrp_table_add_name (a, names[i], -1);
      sv_qrp_name_hashcodes (names[i], -1, codes);
      for (guint j = 0; j < codes->len; j++)
        sv_qrp_table_add_hashcode (b, g_array_index (codes, guint32, j));
      ck_assert (sv_qrp_table_equal (a, b));
      ck_assert_uint_le (sv_qrp_table_count (a), codes->len);
    }
  {
    g_autoptr (GArray) codes = g_array_new (FALSE, FALSE, sizeof (guint32));
    guint32 h = 0;

    sv_qrp_word_hashcodes ("symphony", codes);   /* the word and 5 prefixes */
    ck_assert_uint_eq (codes->len, 6);
    ck_assert_uint_eq (g_array_index (codes, guint32, 0), sv_qrp_hashcode ("symphony", -1));
    ck_assert_uint_eq (g_array_index (codes, guint32, 5), sv_qrp_hashcode ("sym", -1));
    g_array_set_size (codes, 0);
    sv_qrp_word_hashcodes (longword, codes);
    sv_qrp_word_hashcodes ("", codes);
    ck_assert_uint_eq (codes->len, 0);
    ck_assert (!sv_qrp_urn_hashcode ("", &h));
    ck_assert (!sv_qrp_urn_hashcode (NULL, &h));
    ck_assert (sv_qrp_urn_hashcode ("urn:sha1:ABC", &h));
    ck_assert_uint_eq (h, sv_qrp_hashcode ("urn:sha1:abc", -1));
  }
}
END_TEST

/* Reference counts without a library: a word stays while any file has it. */
START_TEST (test_refcounts)
{
  g_autoptr (SvShareQrp) qrp = sv_share_qrp_new (1u << 16, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) empty = sv_qrp_table_new (1u << 16, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) t = NULL;
  SvSha1 a = { { 1 } }, b = { { 2 } };
  guint32 slot = sv_qrp_hash ("jazz", -1, 16);
  guint64 gen;

  ck_assert_ptr_null (sv_share_qrp_new (1000, 2));
  ck_assert_ptr_null (sv_share_qrp_new (SV_QRP_MAX_TABLE_SLOTS * 2, 2));
  ck_assert_ptr_null (sv_share_qrp_new (1u << 16, 0));
  ck_assert (!sv_share_qrp_dirty (qrp));
  sv_share_qrp_add_file (qrp, "free jazz", &a);
  sv_share_qrp_add_file (qrp, "cool jazz", &b);
  ck_assert (sv_share_qrp_dirty (qrp));
  ck_assert_uint_eq (sv_share_qrp_refcount (qrp, slot), 2);
  ck_assert_uint_eq (sv_share_qrp_refcount (qrp, 1u << 16), 0);
  t = sv_share_qrp_snapshot (qrp, &gen);
  ck_assert (!sv_share_qrp_dirty (qrp));
  ck_assert_uint_eq (gen, sv_share_qrp_generation (qrp));
  sv_share_qrp_add_file (qrp, "free jazz", &a);     /* nothing new turns on */
  ck_assert (!sv_share_qrp_dirty (qrp));
  sv_share_qrp_remove_file (qrp, "free jazz", &a);
  sv_share_qrp_remove_file (qrp, "free jazz", &a);
  ck_assert (sv_share_qrp_dirty (qrp));            /* "free" turned off */
  ck_assert (has_word (qrp, "jazz"));
  ck_assert (!has_word (qrp, "free"));
  sv_share_qrp_remove_file (qrp, "cool jazz", &b);
  ck_assert (!has_word (qrp, "jazz"));
  g_clear_pointer (&t, sv_qrp_table_free);
  t = sv_share_qrp_snapshot (qrp, NULL);
  ck_assert (sv_qrp_table_equal (t, empty));
  ck_assert_uint_eq (sv_share_qrp_files (qrp), 0);
  sv_share_qrp_remove_file (qrp, "never added", &a);   /* counts stay at 0 */
  ck_assert_uint_eq (sv_share_qrp_refcount (qrp, sv_qrp_hash ("never", -1, 16)), 0);
}
END_TEST

START_TEST (test_incremental_equals_rebuild)
{
  g_autoptr (SvShareQrp) qrp = sv_share_qrp_new (SV_SHARE_QRP_DEFAULT_SLOTS,
                                                 SV_QRP_GTKG_INFINITY);
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *jazz1 = store_write_text (tree.share, "free jazz live.mp3", "one");
  g_autofree char *jazz2 = store_write_text (tree.share, "sub/jazz standards.ogg", "two");
  g_autofree char *zebra = store_write_text (tree.share, "sub/zebra crossing.txt", "three");
  g_autofree char *dup = store_write_text (tree.share, "copy of zebra.txt", "three");
  g_autofree char *other = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *fresh = NULL;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("bulk/track %02u of album%u.mp3", i, i % 5);
      g_autofree char *body = g_strdup_printf ("body %u", i);

      g_free (store_write_text (tree.share, name, body));
    }
  lib = open_lib (qrp, NULL);
  ck_assert (sv_share_qrp_seed (qrp, lib, NULL));     /* empty index */
  assert_matches_index (qrp, lib);
  ck_assert (!has_word (qrp, "jazz"));

  /* Full scan. */
  store_scan (lib);
  assert_matches_index (qrp, lib);
  ck_assert_uint_eq (sv_share_qrp_files (qrp), 44);
  ck_assert (has_word (qrp, "jazz"));
  ck_assert (has_word (qrp, "zebr"));                  /* a prefix */
  ck_assert (has_urn_of (qrp, lib, "zebra crossing", "zebra crossing.txt"));
  ck_assert (sv_share_qrp_dirty (qrp) == FALSE);       /* the snapshots above took it */

  /* A rescan with nothing changed changes nothing. */
  store_scan (lib);
  ck_assert (!sv_share_qrp_dirty (qrp));
  assert_matches_index (qrp, lib);

  /* Added, live. */
  other = store_write_text (tree.share, "sub/moonlight sonata.flac", "four");
  notify (lib, other);
  assert_matches_index (qrp, lib);
  ck_assert (has_word (qrp, "moonlight"));
  ck_assert (has_urn_of (qrp, lib, "moonlight", "moonlight sonata.flac"));

  /* Deleted: "jazz" stays (another file has it), "free" goes. */
  ck_assert_int_eq (g_unlink (jazz1), 0);
  notify (lib, jazz1);
  assert_matches_index (qrp, lib);
  ck_assert (has_word (qrp, "jazz"));
  ck_assert (!has_word (qrp, "free"));
  ck_assert (has_word (qrp, "standards"));

  /* Same content twice: its urn stays until both copies are gone. */
  ck_assert_int_eq (g_unlink (dup), 0);
  store_scan (lib);
  assert_matches_index (qrp, lib);
  ck_assert (has_urn_of (qrp, lib, "zebra crossing", "zebra crossing.txt"));
  ck_assert (!has_word (qrp, "copy"));

  /* Renamed (same inode: the row moves, digest kept): old words out, new words in. */
  renamed = g_build_filename (tree.share, "sub", "quagga herd.txt", NULL);
  ck_assert_int_eq (g_rename (zebra, renamed), 0);
  store_scan (lib);
  assert_matches_index (qrp, lib);
  ck_assert (!has_word (qrp, "zebra"));
  ck_assert (!has_word (qrp, "crossing"));
  ck_assert (has_word (qrp, "quagga"));
  ck_assert (has_urn_of (qrp, lib, "quagga", "quagga herd.txt"));

  /* Rewritten: the old digest leaves, the new one enters. */
  {
    g_autoptr (GArray) before = sv_share_library_query (lib, "moonlight", -1, 10);
    char old_urn[SV_URN_SHA1_LEN + 1];
    g_autoptr (SvQrpTable) t = NULL;

    ck_assert_uint_eq (before->len, 1);
    sv_urn_sha1_format (&g_array_index (before, SvShareResult, 0).sha1, old_urn);
    g_free (store_write_text (tree.share, "sub/moonlight sonata.flac", "four, longer now"));
    notify (lib, other);
    assert_matches_index (qrp, lib);
    ck_assert (has_urn_of (qrp, lib, "moonlight", "moonlight sonata.flac"));
    t = sv_share_qrp_snapshot (qrp, NULL);
    ck_assert (!sv_qrp_table_contains (t, old_urn));
  }

  /* A directory removed at once, then a new file, by rescan. */
  {
    g_autofree char *bulk = g_build_filename (tree.share, "bulk", NULL);
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", bulk);

    ck_assert_int_eq (system (cmd), 0);
    fresh = store_write_text (tree.share, "fresh arrival.ogg", "five");
    store_scan (lib);
    assert_matches_index (qrp, lib);
    ck_assert (!has_word (qrp, "album3"));
    ck_assert (!has_word (qrp, "track"));
    ck_assert (has_word (qrp, "arrival"));
    ck_assert_uint_eq (sv_share_qrp_files (qrp), 4);
  }

  /* Everything gone: the table is empty again. */
  {
    g_autoptr (SvQrpTable) t = NULL;

    ck_assert_int_eq (g_unlink (jazz2), 0);
    ck_assert_int_eq (g_unlink (renamed), 0);
    ck_assert_int_eq (g_unlink (other), 0);
    ck_assert_int_eq (g_unlink (fresh), 0);
    store_scan (lib);
    assert_matches_index (qrp, lib);
    t = sv_share_qrp_snapshot (qrp, NULL);
    ck_assert_uint_eq (sv_qrp_table_count (t), 0);
  }
}
END_TEST

/* Seeding from an index left by an earlier run, and changes that arrived before the seed. */
START_TEST (test_seed_reopen_and_held_changes)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *a = store_write_text (tree.share, "alpha centauri.txt", "a");
  g_autofree char *b = store_write_text (tree.share, "beta pictoris.txt", "b");

  {
    g_autoptr (SvShareQrp) first = sv_share_qrp_new (1u << 12, SV_QRP_GTKG_INFINITY);

    lib = open_lib (first, NULL);
    store_scan (lib);                        /* changes held: not seeded yet */
    ck_assert (sv_share_qrp_seed (first, lib, NULL));
    assert_matches_index (first, lib);       /* held changes already in the seed: not doubled */
    ck_assert_int_eq (g_unlink (a), 0);
    store_scan (lib);
    assert_matches_index (first, lib);
    ck_assert (!has_word (first, "centauri"));
    g_clear_pointer (&lib, sv_share_library_free);
  }
  {
    g_autoptr (SvShareQrp) second = sv_share_qrp_new (SV_QRP_MAX_TABLE_SLOTS,
                                                      SV_QRP_LIMEWIRE_INFINITY);

    lib = open_lib (second, NULL);
    ck_assert (sv_share_qrp_seed (second, lib, NULL));
    assert_matches_index (second, lib);
    ck_assert (has_word (second, "pictoris"));
    g_free (store_write_text (tree.share, "gamma ray burst.txt", "g"));
    store_scan (lib);
    assert_matches_index (second, lib);
    ck_assert (has_word (second, "burst"));
  }
}
END_TEST

/* With a context, changes are delivered there; those the seed already read are ignored. */
START_TEST (test_context_delivery)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SvShareQrp) qrp = sv_share_qrp_new (1u << 16, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *a = store_write_text (tree.share, "delta quadrant.txt", "d");

  g_free (store_write_text (tree.share, "epsilon eridani.txt", "e"));
  lib = open_lib (qrp, ctx);
  store_scan (lib);
  ck_assert (sv_share_qrp_seed (qrp, lib, NULL));
  while (g_main_context_iteration (ctx, FALSE))   /* the scan's changes: already seeded */
    ;
  assert_matches_index (qrp, lib);
  ck_assert (has_word (qrp, "quadrant"));

  ck_assert_int_eq (g_unlink (a), 0);
  store_scan (lib);
  ck_assert (has_word (qrp, "quadrant"));          /* not delivered yet */
  while (g_main_context_iteration (ctx, FALSE))
    ;
  assert_matches_index (qrp, lib);
  ck_assert (!has_word (qrp, "quadrant"));
  ck_assert (has_word (qrp, "eridani"));
}
END_TEST

static Suite *
share_qrp_suite (void)
{
  Suite *s = suite_create ("share-qrp");
  TCase *tc = tcase_create ("qrp");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_hashcodes_agree_with_builders);
  tcase_add_test (tc, test_refcounts);
  tcase_add_test (tc, test_incremental_equals_rebuild);
  tcase_add_test (tc, test_seed_reopen_and_held_changes);
  tcase_add_test (tc, test_context_delivery);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return store_run (share_qrp_suite ());
}
