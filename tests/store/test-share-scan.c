/* test-share-scan.c: full scans over real folders: what is shared, hashes, renames, moves, deletes,
 * appends, touches, links, unreadable and special files, odd names, restarts. */
#include "store-util.h"

#include "share-db.h"
#include "share-hash.h"
#include "sqlite-db.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/capability.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

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
open_share (void)
{
  const char *folders[] = { tree.share, NULL };

  return store_open (tree.db, folders, tree.state);
}

static void
assert_sha1_of (SvShareLibrary *lib, const char *criteria, const char *name, const void *data,
                gsize len)
{
  g_autoptr (GArray) r = sv_share_library_query (lib, criteria, -1, 100);
  SvSha1 want;
  gboolean found = FALSE;

  sv_share_hash_bytes (data, len, &want);
  for (guint i = 0; i < r->len; i++)
    {
      SvShareResult *res = &g_array_index (r, SvShareResult, i);

      if (strcmp (res->name, name) != 0)
        continue;
      found = TRUE;
      ck_assert_uint_eq (res->size, len);
      ck_assert_mem_eq (res->sha1.b, want.b, SV_SHA1_LEN);
    }
  ck_assert_msg (found, "%s not found by '%s'", name, criteria);
}

START_TEST (test_scan_indexes_and_answers)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autoptr (GArray) newest = NULL;
  g_autoptr (GArray) by_hash = NULL;
  g_autofree char *a = store_write_text (tree.share, "Free Jazz Collective - Élan.mp3", "jazz bytes");
  g_autofree char *b = store_write_text (tree.share, "sub/dir/rock_anthem.ogg", "rock!");
  g_autofree char *c = store_write (tree.share, "empty thing.txt", "", 0);
  SvShareStats s;
  SvSha1 sha;
  guint64 files = 0, bytes = 0, idx = 0;
  SvShareDbRow row = { 0 };

  lib = open_share ();
  store_scan (lib);
  s = store_stats (lib);
  ck_assert_uint_eq (s.files_hashed, 3);
  ck_assert_uint_eq (s.scans, 1);
  sv_share_library_count (lib, &files, &bytes);
  ck_assert_uint_eq (files, 3);
  ck_assert_uint_eq (bytes, 10 + 5);

  assert_sha1_of (lib, "free jazz", "Free Jazz Collective - Élan.mp3", "jazz bytes", 10);
  assert_sha1_of (lib, "elan", "Free Jazz Collective - Élan.mp3", "jazz bytes", 10);
  assert_sha1_of (lib, "ÉLAN collect", "Free Jazz Collective - Élan.mp3", "jazz bytes", 10);
  assert_sha1_of (lib, "anthem", "rock_anthem.ogg", "rock!", 5);
  assert_sha1_of (lib, "empty", "empty thing.txt", "", 0);
  /* Every word must match. */
  ck_assert_uint_eq (store_count_query (lib, "jazz rock"), 0);
  ck_assert_uint_eq (store_count_query (lib, "nothing"), 0);
  /* Words too short to route are not looked up: a query of only those finds nothing. */
  ck_assert_uint_eq (store_count_query (lib, "a b"), 0);

  /* urn:sha1 lookups use the digest. */
  sv_share_hash_bytes ("rock!", 5, &sha);
  by_hash = sv_share_library_query_sha1 (lib, &sha, 10);
  ck_assert_uint_eq (by_hash->len, 1);
  ck_assert_str_eq (g_array_index (by_hash, SvShareResult, 0).name, "rock_anthem.ogg");

  /* Uploads find the path by index. */
  ck_assert (store_find (lib, "rock", "rock_anthem.ogg", &idx));
  ck_assert (sv_share_library_get (lib, idx, &row));
  ck_assert_str_eq (row.path, b);
  sv_share_db_row_clear (&row);
  ck_assert (!sv_share_library_get (lib, idx + 1000, &row));

  /* What's New: newest first, capped. */
  newest = sv_share_library_newest (lib, 2);
  ck_assert_uint_eq (newest->len, 2);
  ck_assert_uint_gt (g_array_index (newest, SvShareResult, 0).index,
                     g_array_index (newest, SvShareResult, 1).index);
}
END_TEST

/* Another set of folders at run time: the new folder is indexed, the one left out is dropped,
 * and a file the two have in common by path keeps its index number. */
START_TEST (test_set_folders)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *other = g_build_filename (tree.root, "other", NULL);
  g_autofree char *a = store_write_text (tree.share, "kept alpaca.txt", "alpaca");
  g_autofree char *b = store_write_text (other, "added bison.txt", "bison");
  const char *both[] = { tree.share, other, NULL };
  const char *only_other[] = { other, NULL };
  guint64 files = 0, bytes = 0, alpaca = 0, alpaca_again = 0;

  lib = open_share ();
  store_scan (lib);
  ck_assert (store_find (lib, "alpaca", "kept alpaca.txt", &alpaca));
  ck_assert_uint_eq (store_count_query (lib, "bison"), 0);

  sv_share_library_set_folders (lib, both);
  ck_assert (sv_share_library_wait_idle (lib, 60000));
  ck_assert (store_find (lib, "alpaca", "kept alpaca.txt", &alpaca_again));
  ck_assert_uint_eq (alpaca, alpaca_again);
  ck_assert_uint_eq (store_count_query (lib, "bison"), 1);

  sv_share_library_set_folders (lib, only_other);
  ck_assert (sv_share_library_wait_idle (lib, 60000));
  ck_assert_uint_eq (store_count_query (lib, "alpaca"), 0);
  ck_assert_uint_eq (store_count_query (lib, "bison"), 1);
  sv_share_library_count (lib, &files, &bytes);
  ck_assert_uint_eq (files, 1);
  /* A rescan keeps to the new set. */
  store_scan (lib);
  ck_assert_uint_eq (store_count_query (lib, "alpaca"), 0);
}
END_TEST

START_TEST (test_max_results_and_browse)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autoptr (GArray) r = NULL;
  g_autoptr (SvShareBrowse) it = NULL;
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  SvShareResult res;
  guint64 last = 0;

  for (int i = 0; i < 600; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%d/song number %d.mp3", i % 7, i);
      g_autofree char *body = g_strdup_printf ("body %d", i);
      g_autofree char *p = store_write_text (tree.share, name, body);
    }
  lib = open_share ();
  store_scan (lib);
  r = sv_share_library_query (lib, "song", -1, 25);
  ck_assert_uint_eq (r->len, 25);
  /* Browse host walks every file once, in index order, across pages. */
  it = sv_share_browse_new (lib);
  while (sv_share_browse_next (it, &res))
    {
      ck_assert_uint_gt (res.index, last);
      last = res.index;
      ck_assert (!g_hash_table_contains (names, res.name));
      g_hash_table_add (names, res.name);
    }
  ck_assert_uint_eq (g_hash_table_size (names), 600);
}
END_TEST

START_TEST (test_hidden_partial_state_never_shared)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *state_in_share = g_build_filename (tree.share, "statedir", NULL);
  g_autofree char *db = g_build_filename (state_in_share, "index.db", NULL);
  const char *folders[] = { tree.share, NULL };
  guint64 files = 0;

  g_free (store_write_text (tree.share, ".hidden secret.txt", "x"));
  g_free (store_write_text (tree.share, ".cache/visible name.txt", "x"));
  g_free (store_write_text (tree.share, "movie download.avi.part", "x"));
  g_free (store_write_text (tree.share, "other download.partial", "x"));
  g_free (store_write_text (tree.share, ".servent-partial/incoming file.bin", "x"));
  g_free (store_write_text (tree.share, "statedir/servent state.txt", "x"));
  g_free (store_write_text (tree.share, "shared ok.txt", "x"));
  lib = store_open (db, folders, state_in_share);
  store_scan (lib);
  sv_share_library_count (lib, &files, NULL);
  ck_assert_uint_eq (files, 1);
  ck_assert_uint_eq (store_count_query (lib, "shared"), 1);
  ck_assert_uint_eq (store_count_query (lib, "secret"), 0);
  ck_assert_uint_eq (store_count_query (lib, "visible"), 0);
  ck_assert_uint_eq (store_count_query (lib, "download"), 0);
  ck_assert_uint_eq (store_count_query (lib, "incoming"), 0);
  ck_assert_uint_eq (store_count_query (lib, "servent"), 0);
  ck_assert_uint_eq (store_count_query (lib, "index"), 0);
}
END_TEST

START_TEST (test_unchanged_rescan_reads_nothing)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *p = NULL;
  struct timespec times[2] = { { 0, 0 }, { 0, UTIME_OMIT } };
  struct stat st;
  SvShareStats s;

  for (int i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("file %d.dat", i);
      g_free (store_write_text (tree.share, name, name));
    }
  p = g_build_filename (tree.share, "file 7.dat", NULL);
  lib = open_share ();
  store_scan (lib);
  ck_assert_uint_eq (store_stats (lib).files_hashed, 50);

  /* Access time changes, and an mtime set back to the same value, are no change. */
  times[0].tv_sec = 12345;
  ck_assert_int_eq (utimensat (AT_FDCWD, p, times, 0), 0);
  ck_assert_int_eq (stat (p, &st), 0);
  times[0] = (struct timespec) { 0, UTIME_OMIT };
  times[1] = st.st_mtim;
  ck_assert_int_eq (utimensat (AT_FDCWD, p, times, 0), 0);
  store_scan (lib);
  s = store_stats (lib);
  ck_assert_uint_eq (s.files_hashed, 50);
  ck_assert_uint_eq (s.bytes_hashed, s.bytes_hashed);
  ck_assert_uint_eq (s.files_unchanged, 50);
  ck_assert_uint_eq (s.scans, 2);

  /* A touch that moves the mtime is a change: read again, same index kept. */
  {
    guint64 before = 0, after = 0;

    ck_assert (store_find (lib, "file", "file 7.dat", &before));
    times[1].tv_sec += 10;
    ck_assert_int_eq (utimensat (AT_FDCWD, p, times, 0), 0);
    store_scan (lib);
    ck_assert_uint_eq (store_stats (lib).files_hashed, 51);
    ck_assert (store_find (lib, "file", "file 7.dat", &after));
    ck_assert_uint_eq (before, after);
  }
}
END_TEST

START_TEST (test_rename_move_delete_append)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *other = g_build_filename (tree.root, "second share", NULL);
  const char *folders[] = { tree.share, other, NULL };
  g_autofree char *a = store_write_text (tree.share, "alpha original.txt", "alpha content");
  g_autofree char *b = store_write_text (tree.share, "inner/bravo tune.txt", "bravo content");
  g_autofree char *c = store_write_text (tree.share, "charlie doomed.txt", "charlie");
  g_autofree char *d = store_write_text (tree.share, "delta growing.log", "delta v1");
  g_autofree char *a2 = g_build_filename (tree.share, "alpha renamed.txt", NULL);
  g_autofree char *b2 = NULL;
  guint64 ia = 0, ia2 = 0, ib = 0, ib2 = 0, id = 0, id2 = 0, files = 0;
  SvShareStats s;
  FILE *f;

  ck_assert_int_eq (g_mkdir (other, 0755), 0);
  b2 = g_build_filename (other, "moved bravo tune.txt", NULL);
  lib = store_open (tree.db, folders, tree.state);
  store_scan (lib);
  ck_assert_uint_eq (store_stats (lib).files_hashed, 4);
  ck_assert (store_find (lib, "alpha", "alpha original.txt", &ia));
  ck_assert (store_find (lib, "bravo", "bravo tune.txt", &ib));
  ck_assert (store_find (lib, "delta", "delta growing.log", &id));

  ck_assert_int_eq (g_rename (a, a2), 0);
  ck_assert_int_eq (g_rename (b, b2), 0);
  ck_assert_int_eq (g_unlink (c), 0);
  f = fopen (d, "a");
  fputs (" and more", f);
  fclose (f);
  store_scan (lib);
  s = store_stats (lib);
  ck_assert_uint_eq (s.renames, 2);
  ck_assert_uint_eq (s.files_hashed, 5);    /* only the appended file */
  ck_assert_uint_eq (s.removed, 1);

  ck_assert (!store_find (lib, "original", "alpha original.txt", NULL));
  ck_assert (store_find (lib, "renamed", "alpha renamed.txt", &ia2));
  ck_assert_uint_eq (ia, ia2);
  ck_assert (store_find (lib, "moved bravo", "moved bravo tune.txt", &ib2));
  ck_assert_uint_eq (ib, ib2);
  ck_assert_uint_eq (store_count_query (lib, "charlie"), 0);
  ck_assert (store_find (lib, "delta", "delta growing.log", &id2));
  ck_assert_uint_eq (id, id2);
  assert_sha1_of (lib, "delta", "delta growing.log", "delta v1 and more", 17);
  assert_sha1_of (lib, "renamed", "alpha renamed.txt", "alpha content", 13);
  sv_share_library_count (lib, &files, NULL);
  ck_assert_uint_eq (files, 3);

  /* A path event for a moved file is recognised too (what live sync sends). */
  {
    g_autofree char *a3 = g_build_filename (tree.share, "inner", "alpha third.txt", NULL);
    guint64 ia3 = 0;

    ck_assert_int_eq (g_rename (a2, a3), 0);
    sv_share_library_notify_path (lib, a3);
    sv_share_library_notify_path (lib, a2);
    ck_assert (sv_share_library_wait_idle (lib, 10000));
    ck_assert (store_find (lib, "third", "alpha third.txt", &ia3));
    ck_assert_uint_eq (ia3, ia);
    ck_assert_uint_eq (store_stats (lib).files_hashed, 5);
    ck_assert_uint_eq (store_count_query (lib, "renamed"), 0);
  }
}
END_TEST

START_TEST (test_symlinks_inside_loops_and_outside)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *outside = g_build_filename (tree.root, "outside", NULL);
  g_autofree char *l1 = g_build_filename (tree.share, "music", "loop to top", NULL);
  g_autofree char *l2 = g_build_filename (tree.share, "escape hatch", NULL);
  g_autofree char *l3 = g_build_filename (tree.share, "linked jingle.mp3", NULL);
  g_autofree char *l4 = g_build_filename (tree.share, "dangling link.mp3", NULL);
  g_autofree char *l5 = g_build_filename (tree.share, "secret alias.txt", NULL);
  g_autofree char *target = store_write_text (tree.share, "music/real jingle.mp3", "jingle");
  g_autofree char *outside_file = NULL;
  SvShareStats s;

  ck_assert_int_eq (g_mkdir (outside, 0755), 0);
  outside_file = store_write_text (outside, "private diary.txt", "dear diary");
  ck_assert_int_eq (symlink (tree.share, l1), 0);        /* a loop */
  ck_assert_int_eq (symlink (outside, l2), 0);           /* leads out */
  ck_assert_int_eq (symlink (target, l3), 0);            /* stays inside */
  ck_assert_int_eq (symlink ("/nonexistent/x", l4), 0);  /* dangling */
  ck_assert_int_eq (symlink (outside_file, l5), 0);      /* a file outside */
  lib = open_share ();
  store_scan (lib);
  s = store_stats (lib);
  ck_assert_uint_ge (s.loops, 1);
  ck_assert_uint_eq (s.links_outside, 3);
  ck_assert_uint_eq (store_count_query (lib, "diary"), 0);
  ck_assert_uint_eq (store_count_query (lib, "private"), 0);
  ck_assert_uint_eq (store_count_query (lib, "alias"), 0);
  ck_assert_uint_eq (store_count_query (lib, "real jingle"), 1);   /* once, not once per loop turn */
  ck_assert_uint_eq (store_count_query (lib, "linked jingle"), 1);
}
END_TEST

/* Drops the capabilities that let root read any file, for this thread and the threads it
 * starts afterwards. Returns: FALSE if the kernel refused. */
static gboolean
drop_dac_override (void)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];

  if (syscall (SYS_capget, &hdr, data) != 0)
    return FALSE;
  data[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
  return syscall (SYS_capset, &hdr, data) == 0;
}

START_TEST (test_unreadable_and_special_files)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autofree char *locked = store_write_text (tree.share, "locked box.txt", "no entry");
  g_autofree char *locked_dir = g_build_filename (tree.share, "sealed room", NULL);
  g_autofree char *fifo = g_build_filename (tree.share, "pipe dream", NULL);
  g_autofree char *sock_path = g_build_filename (tree.share, "socket wrench", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_autofree char *ok = store_write_text (tree.share, "readable ok.txt", "fine");
  gboolean can_deny;
  int sock;
  SvShareStats s;

  g_free (store_write_text (locked_dir, "hidden treasure.txt", "gold"));
  ck_assert_int_eq (mkfifo (fifo, 0644), 0);
  sock = socket (AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge (sock, 0);
  ck_assert_uint_lt (strlen (sock_path), sizeof addr.sun_path);
  strcpy (addr.sun_path, sock_path);
  ck_assert_int_eq (bind (sock, (struct sockaddr *) &addr, sizeof addr), 0);
  ck_assert_int_eq (chmod (locked, 0), 0);
  ck_assert_int_eq (chmod (locked_dir, 0), 0);
  /* Root reads everything; without CAP_DAC_OVERRIDE it obeys the mode bits like anyone. */
  can_deny = getuid () != 0 || drop_dac_override ();

  lib = open_share ();
  store_scan (lib);   /* must not hang on the FIFO */
  s = store_stats (lib);
  ck_assert_uint_eq (s.special, 2);
  ck_assert_uint_eq (store_count_query (lib, "readable"), 1);
  ck_assert_uint_eq (store_count_query (lib, "pipe"), 0);
  ck_assert_uint_eq (store_count_query (lib, "socket"), 0);
  if (can_deny)
    {
      ck_assert_uint_eq (s.unreadable, 2);   /* the file and the directory */
      ck_assert_uint_eq (store_count_query (lib, "locked"), 0);
      ck_assert_uint_eq (store_count_query (lib, "treasure"), 0);
      ck_assert_uint_eq (s.files_hashed, 1);
    }
  else
    printf ("test_unreadable_and_special_files: cannot drop CAP_DAC_OVERRIDE as root; "
            "unreadable-file assertions skipped\n");
  close (sock);
}
END_TEST

START_TEST (test_odd_names)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  const char bad_name[] = "caf\xe9 latin1 tr\xe8s.txt";    /* not UTF-8 */
  g_autofree char *bad = store_write_text (tree.share, bad_name, "latin");
  g_autofree char *nl = store_write_text (tree.share, "line one\nline two.txt", "newline");
  g_autoptr (GArray) r = NULL;
  SvShareDbRow row = { 0 };
  guint64 idx = 0;

  lib = open_share ();
  store_scan (lib);
  ck_assert_uint_eq (store_stats (lib).files_hashed, 2);
  r = sv_share_library_query (lib, "latin1", -1, 10);
  ck_assert_uint_eq (r->len, 1);
  ck_assert (g_utf8_validate (g_array_index (r, SvShareResult, 0).name, -1, NULL));
  ck_assert (sv_share_library_get (lib, g_array_index (r, SvShareResult, 0).index, &row));
  ck_assert_uint_eq (row.path_len, strlen (bad));
  ck_assert_mem_eq (row.path, bad, row.path_len);
  sv_share_db_row_clear (&row);
  ck_assert (store_find (lib, "line two", "line one\nline two.txt", &idx));
  /* An unchanged rescan recognises both raw paths. */
  store_scan (lib);
  ck_assert_uint_eq (store_stats (lib).files_hashed, 2);
  ck_assert_uint_eq (store_stats (lib).removed, 0);
}
END_TEST

typedef struct {
  const char *path;
  gint fired;
} RewriteHook;

static void
rewrite_once (const char *path, guint64 offset, gpointer user_data)
{
  RewriteHook *hook = user_data;
  FILE *f;

  if (strcmp (path, hook->path) != 0 || !g_atomic_int_compare_and_exchange (&hook->fired, 0, 1))
    return;
  f = fopen (path, "a");
  fputs ("tail written while hashing", f);
  fclose (f);
}

START_TEST (test_file_rewritten_during_hash)
{
  g_autoptr (SvShareLibrary) lib = NULL;
  gsize len = 3 * SV_SHARE_HASH_BUFFER_BYTES;
  g_autofree guint8 *data = g_malloc (len);
  g_autofree char *p = NULL;
  g_autofree char *final = NULL;
  gsize final_len = 0;
  SvShareLibraryConfig cfg = { 0 };
  const char *folders[] = { tree.share, NULL };
  RewriteHook hook = { NULL, 0 };

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7);
  p = store_write (tree.share, "moving target.bin", data, len);
  hook.path = p;
  cfg.db_path = tree.db;
  cfg.folders = folders;
  cfg.state_dir = tree.state;
  cfg.hash_hook = rewrite_once;
  cfg.hash_hook_data = &hook;
  lib = sv_share_library_new (&cfg, NULL);
  ck_assert (lib != NULL);
  store_scan (lib);
  ck_assert_int_eq (g_atomic_int_get (&hook.fired), 1);
  ck_assert_uint_ge (store_stats (lib).hash_retries, 1);
  ck_assert (g_file_get_contents (p, &final, &final_len, NULL));
  ck_assert_uint_eq (final_len, len + strlen ("tail written while hashing"));
  assert_sha1_of (lib, "moving target", "moving target.bin", final, final_len);
}
END_TEST

START_TEST (test_restart_answers_at_once)
{
  SvShareLibrary *lib;
  g_autoptr (GArray) r = NULL;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("persistent item %d.txt", i);
      g_free (store_write_text (tree.share, name, name));
    }
  lib = open_share ();
  store_scan (lib);
  sv_share_library_free (lib);

  lib = open_share ();
  /* Before any scan, the index answers. */
  r = sv_share_library_query (lib, "persistent", -1, 100);
  ck_assert_uint_eq (r->len, 20);
  store_scan (lib);
  ck_assert_uint_eq (store_stats (lib).files_hashed, 0);
  ck_assert_uint_eq (store_stats (lib).files_unchanged, 20);
  sv_share_library_free (lib);
}
END_TEST

START_TEST (test_db_schema_and_64bit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SvShareDb) db = sv_share_db_open (tree.db, TRUE, &error);
  SvShareStat st = { G_GUINT64_CONSTANT (6) << 30, G_GINT64_CONSTANT (1700000000123456789),
                     G_GUINT64_CONSTANT (0xFFFFFFFF00001234), G_GUINT64_CONSTANT (0x1FFFFFFFF) };
  SvSha1 sha = { { 1, 2, 3 } };
  SvShareDbRow row = { 0 };
  g_autoptr (GArray) r = sv_share_results_new ();
  const char path[] = "/big/huge disk image.iso";
  gint64 id;
  char **words = NULL;

  ck_assert_msg (db != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (sv_share_db_schema_version (db), SV_SHARE_DB_SCHEMA_VERSION);
  ck_assert (sv_share_db_begin (db, NULL));
  id = sv_share_db_insert (db, path, strlen (path), &st, &sha, 1, &error);
  ck_assert_int_gt (id, 0);
  ck_assert (sv_share_db_commit (db, NULL));
  ck_assert (sv_share_db_find_path (db, path, strlen (path), &row));
  ck_assert_uint_eq (row.st.size, st.size);
  ck_assert_int_eq (row.st.mtime_ns, st.mtime_ns);
  ck_assert_uint_eq (row.st.dev, st.dev);
  ck_assert_uint_eq (row.st.ino, st.ino);
  sv_share_db_row_clear (&row);
  words = sv_share_match_query_words ("huge image", -1);
  ck_assert (sv_share_db_match_words (db, words, 10, r, NULL));
  g_strfreev (words);
  ck_assert_uint_eq (r->len, 1);
  ck_assert_uint_eq (g_array_index (r, SvShareResult, 0).size, st.size);
  ck_assert (sv_share_db_integrity_check (db, NULL));
  /* Indexes are never reused, even after a delete. */
  ck_assert (sv_share_db_delete (db, id, NULL));
  ck_assert_int_gt (sv_share_db_insert (db, path, strlen (path), &st, &sha, 2, NULL), id);
  g_clear_pointer (&db, sv_share_db_free);

  /* Reopening does not migrate again; a newer schema is refused. */
  db = sv_share_db_open (tree.db, TRUE, &error);
  ck_assert (db != NULL);
  ck_assert (sqlite3_exec (sv_share_db_handle (db), "PRAGMA user_version = 99", NULL, NULL, NULL)
             == 0);
  g_clear_pointer (&db, sv_share_db_free);
  db = sv_share_db_open (tree.db, TRUE, &error);
  ck_assert (db == NULL);
  ck_assert (g_error_matches (error, SV_SQLITE_DB_ERROR, SV_SQLITE_DB_ERROR_TOO_NEW));
}
END_TEST

START_TEST (test_corrupt_db_moved_aside)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SvShareDb) db = NULL;
  g_autoptr (SvShareDb) reader = NULL;
  g_autofree char *junk = g_malloc (8192);
  g_autofree char *kept = NULL;
  g_autofree char *prefix = g_strconcat (tree.db, ".corrupt-", NULL);
  gsize kept_len = 0;

  memset (junk, 0x5A, 8192);
  memcpy (junk, "SQLite format 3", 16);
  ck_assert (g_file_set_contents (tree.db, junk, 8192, NULL));
  /* A reader never touches a damaged file. */
  reader = sv_share_db_open (tree.db, FALSE, &error);
  ck_assert (reader == NULL);
  ck_assert (error != NULL);
  g_clear_error (&error);
  ck_assert (g_file_test (tree.db, G_FILE_TEST_IS_REGULAR));

  /* The writer keeps the damaged bytes aside and starts a fresh index that works. */
  db = sv_share_db_open (tree.db, TRUE, &error);
  ck_assert_msg (db != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_nonnull (sv_share_db_moved_aside (db));
  ck_assert (g_str_has_prefix (sv_share_db_moved_aside (db), prefix));
  ck_assert (g_file_get_contents (sv_share_db_moved_aside (db), &kept, &kept_len, NULL));
  ck_assert_uint_eq (kept_len, 8192);
  ck_assert_mem_eq (kept, junk, 8192);
  ck_assert_int_eq (sv_share_db_schema_version (db), SV_SHARE_DB_SCHEMA_VERSION);
  ck_assert (sv_share_db_integrity_check (db, NULL));
  reader = sv_share_db_open (tree.db, FALSE, &error);
  ck_assert_msg (reader != NULL, "%s", error ? error->message : "");
}
END_TEST

/* A real file over 4 GiB (sparse, so it costs no disk): its 64-bit size and its SHA-1 come out
 * right through the scan, the index and the keyword query. */
START_TEST (test_real_file_over_4gib)
{
  static const char tail[] = "servent large file tail";
  const goffset zeros = (G_GINT64_CONSTANT (4) << 30) + 4096;
  g_autoptr (SvShareLibrary) lib = NULL;
  g_autoptr (GArray) r = NULL;
  g_autofree char *path = g_build_filename (tree.share, "huge disk image.iso", NULL);
  char want[SV_URN_SHA1_LEN + 1];
  char got[SV_URN_SHA1_LEN + 1];
  int fd;

  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pwrite (fd, tail, strlen (tail), zeros), (ssize_t) strlen (tail));
  ck_assert_int_eq (close (fd), 0);

  lib = open_share ();
  store_scan (lib);
  r = sv_share_library_query (lib, "huge image", -1, 10);
  ck_assert_uint_eq (r->len, 1);
  ck_assert_uint_eq (g_array_index (r, SvShareResult, 0).size, (guint64) zeros + strlen (tail));
  /* Reference digest of the same bytes from coreutils: truncate -s 4294971392 f;
   * printf 'servent large file tail' >> f; sha1sum f */
  static const SvSha1 ref = { {
    0xfa, 0xfa, 0xbe, 0xc4, 0xd2, 0x88, 0x1f, 0x9a, 0x32, 0xad,
    0x4e, 0x94, 0x09, 0x5a, 0x07, 0xe6, 0x3c, 0x66, 0xa7, 0x90,
  } };
  sv_urn_sha1_format (&ref, want);
  sv_urn_sha1_format (&g_array_index (r, SvShareResult, 0).sha1, got);
  ck_assert_str_eq (got, want);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("share-scan");
  TCase *tc = tcase_create ("scan");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_scan_indexes_and_answers);
  tcase_add_test (tc, test_max_results_and_browse);
  tcase_add_test (tc, test_hidden_partial_state_never_shared);
  tcase_add_test (tc, test_unchanged_rescan_reads_nothing);
  tcase_add_test (tc, test_rename_move_delete_append);
  tcase_add_test (tc, test_symlinks_inside_loops_and_outside);
  tcase_add_test (tc, test_unreadable_and_special_files);
  tcase_add_test (tc, test_odd_names);
  tcase_add_test (tc, test_file_rewritten_during_hash);
  tcase_add_test (tc, test_restart_answers_at_once);
  tcase_add_test (tc, test_db_schema_and_64bit);
  tcase_add_test (tc, test_corrupt_db_moved_aside);
  tcase_add_test (tc, test_set_folders);
  suite_add_tcase (s, tc);
  /* Hashing 4 GiB takes seconds, more on a loaded machine or under sanitizers. */
  tc = tcase_create ("large");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 600);
  tcase_add_test (tc, test_real_file_over_4gib);
  suite_add_tcase (s, tc);
  return store_run (s);
}
