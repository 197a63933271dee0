/* bench-share.c: figures of the shared-file library: hashing throughput against sha1sum and
 * openssl, first index and unchanged rescan of a 100,000-file tree, keyword query latency at 100k
 * and 1M index entries, peak memory. Run through tests/bench/run. */
#include "share-db.h"
#include "share-hash.h"
#include "share-library.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define VOCAB 6000

static char *vocab[VOCAB];

static double
now_s (void)
{
  return (double) g_get_monotonic_time () / 1e6;
}

static void
make_vocab (GRand *rand)
{
  for (int i = 0; i < VOCAB; i++)
    {
      int len = g_rand_int_range (rand, 4, 10);
      char *w = g_malloc (len + 1);

      for (int j = 0; j < len; j++)
        w[j] = (char) ('a' + g_rand_int_range (rand, 0, 26));
      w[len] = '\0';
      vocab[i] = w;
    }
}

static char *
make_name (GRand *rand, int i)
{
  static const char *const ext[] = { "mp3", "ogg", "flac", "avi", "txt", "pdf" };
  int n = g_rand_int_range (rand, 3, 6);
  GString *s = g_string_new (NULL);

  for (int j = 0; j < n; j++)
    g_string_append_printf (s, "%s%s", j ? " " : "", vocab[g_rand_int_range (rand, 0, VOCAB)]);
  g_string_append_printf (s, " %d.%s", i, ext[i % 6]);
  return g_string_free (s, FALSE);
}

static double
run_tool (const char *tool, const char *arg1, const char *file)
{
  const char *argv[] = { tool, arg1, file, NULL };
  double t0 = now_s ();
  int status = 0;

  if (arg1 == NULL)
    {
      argv[1] = file;
      argv[2] = NULL;
    }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) || status != 0)
    return -1;
  return now_s () - t0;
}

static void
bench_hash (const char *dir, guint64 mib)
{
  g_autofree char *path = g_build_filename (dir, "hash-bench.bin", NULL);
  guint8 *buf = g_malloc (1 << 20);
  FILE *f = fopen (path, "wb");
  double ours = 1e9, sha1sum = 1e9, openssl = 1e9;
  SvShareStat st;
  SvSha1 sha;

  for (int i = 0; i < (1 << 20); i++)
    buf[i] = (guint8) (i * 2654435761u >> 13);
  for (guint64 i = 0; i < mib; i++)
    {
      buf[0] = (guint8) i;
      fwrite (buf, 1, 1 << 20, f);
    }
  fclose (f);
  g_free (buf);
  for (int round = 0; round < 3; round++)
    {
      double t0 = now_s (), t;

      if (sv_share_hash_file (path, NULL, &st, &sha, NULL, NULL, NULL) != SV_SHARE_HASH_OK)
        g_error ("hash failed");
      ours = MIN (ours, now_s () - t0);
      t = run_tool ("sha1sum", NULL, path);
      if (t > 0)
        sha1sum = MIN (sha1sum, t);
      {
        const char *argv[] = { "openssl", "dgst", "-sha1", path, NULL };
        int status = 0;
        double t1 = now_s ();

        if (g_spawn_sync (NULL, (char **) argv, NULL,
                          G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                          &status, NULL) && status == 0)
          openssl = MIN (openssl, now_s () - t1);
      }
    }
  printf ("== hashing a %" G_GUINT64_FORMAT " MiB file in %s (best of 3)\n", mib, dir);
  printf ("  %-22s %8.0f MiB/s\n", "servent (EVP, 1 MiB)", mib / ours);
  printf ("  %-22s %8.0f MiB/s\n", "sha1sum", mib / sha1sum);
  printf ("  %-22s %8.0f MiB/s\n", "openssl dgst -sha1", mib / openssl);
  printf ("  ratio servent/openssl: %.2f (goal >= 0.85)\n", openssl / ours);
  g_unlink (path);
}

/* CPU time of this thread: latency without the waits of a shared, loaded machine. */
static double
cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
query_latency (const char *label, const char *db_path, GRand *rand, int n)
{
  g_autoptr (SvShareDb) db = sv_share_db_open (db_path, FALSE, NULL);
  double *t = g_new (double, n);
  double *c = g_new (double, n);
  guint64 results = 0;

  for (int i = 0; i < n; i++)
    {
      g_autoptr (GArray) r = sv_share_results_new ();
      int words = g_rand_int_range (rand, 1, 3);
      GString *q = g_string_new (NULL);
      g_auto (GStrv) qw = NULL;
      double t0, c0;

      for (int j = 0; j < words; j++)
        {
          const char *w = vocab[g_rand_int_range (rand, 0, VOCAB)];
          int len = (int) strlen (w);

          if (g_rand_boolean (rand) && len > 4)
            len -= g_rand_int_range (rand, 1, 3);
          g_string_append_printf (q, "%s%.*s", j ? " " : "", len, w);
        }
      t0 = now_s ();
      c0 = cpu_s ();
      qw = sv_share_match_query_words (q->str, -1);
      sv_share_db_match_words (db, qw, 100, r, NULL);
      t[i] = (now_s () - t0) * 1000;
      c[i] = (cpu_s () - c0) * 1000;
      results += r->len;
      g_string_free (q, TRUE);
    }
  qsort (t, n, sizeof *t, cmp_double);
  qsort (c, n, sizeof *c, cmp_double);
  printf ("  %-22s wall p50 %.3f ms  p99 %.3f ms | cpu p50 %.3f ms  p99 %.3f ms"
          "  (%d queries, up to 100 results, %.1f avg; goal p99 < 2 ms)\n",
          label, t[n / 2], t[n * 99 / 100], c[n / 2], c[n * 99 / 100], n, (double) results / n);
  g_free (t);
  g_free (c);
}

static void
bench_tree (const char *dir, int n_files, GRand *rand)
{
  g_autofree char *share = g_build_filename (dir, "tree", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *db = g_build_filename (state, "index.db", NULL);
  const char *folders[] = { share, NULL };
  SvShareLibraryConfig cfg = { 0 };
  SvShareLibrary *lib;
  SvShareStats s0, s1;
  double t0, t_create, t_first, t_rescan;
  guint64 files = 0;

  g_mkdir_with_parents (state, 0755);
  t0 = now_s ();
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s/d%03d", share, i % 200);
      g_autofree char *name = make_name (rand, i);
      g_autofree char *path = g_build_filename (sub, name, NULL);
      char body[64];
      int fd, len = g_snprintf (body, sizeof body, "file %d body %u", i, g_rand_int (rand));

      if (i < 200)
        g_mkdir_with_parents (sub, 0755);
      fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || write (fd, body, len) != len)
        g_error ("create %s", path);
      close (fd);
    }
  t_create = now_s () - t0;

  cfg.db_path = db;
  cfg.folders = folders;
  cfg.state_dir = state;
  lib = sv_share_library_new (&cfg, NULL);
  t0 = now_s ();
  sv_share_library_rescan (lib);
  sv_share_library_wait_idle (lib, 600000);
  t_first = now_s () - t0;
  sv_share_library_get_stats (lib, &s0);
  sv_share_library_count (lib, &files, NULL);
  t0 = now_s ();
  sv_share_library_rescan (lib);
  sv_share_library_wait_idle (lib, 600000);
  t_rescan = now_s () - t0;
  sv_share_library_get_stats (lib, &s1);
  sv_share_library_free (lib);

  printf ("== a tree of %d small files in %s (created in %.1f s)\n", n_files, dir, t_create);
  printf ("  %-28s %7.2f s  (%" G_GUINT64_FORMAT " files indexed, %.0f files/s)\n", "first index",
          t_first, files, files / t_first);
  printf ("  %-28s %7.2f s  (files read: %" G_GUINT64_FORMAT ", bytes read: %" G_GUINT64_FORMAT
          "; goal < 2 s, none read)\n", "unchanged rescan", t_rescan,
          s1.files_hashed - s0.files_hashed, s1.bytes_hashed - s0.bytes_hashed);
  if (s1.files_hashed != s0.files_hashed || files != (guint64) n_files)
    {
      printf ("  FAILED: the unchanged rescan read files, or files are missing\n");
      exit (1);
    }
  query_latency ("keyword query @100k", db, rand, 2000);
}

static void
bench_million (const char *dir, int n_rows, GRand *rand)
{
  g_autofree char *db_path = g_build_filename (dir, "million.db", NULL);
  g_autoptr (SvShareDb) db = sv_share_db_open (db_path, TRUE, NULL);
  double t0 = now_s ();
  SvShareStat st = { 1000, 1, 1, 0 };
  SvSha1 sha;

  sv_share_db_begin (db, NULL);
  for (int i = 0; i < n_rows; i++)
    {
      g_autofree char *name = make_name (rand, i);
      g_autofree char *path = g_strdup_printf ("/synthetic/d%04d/%s", i % 5000, name);

      st.ino = (guint64) i + 1;
      st.size = (guint64) g_rand_int (rand);
      memcpy (sha.b, &i, sizeof i);
      memset (sha.b + sizeof i, 0x5A, SV_SHA1_LEN - sizeof i);
      sv_share_db_insert (db, path, strlen (path), &st, &sha, i, NULL);
      if (i % 100000 == 99999)
        {
          sv_share_db_commit (db, NULL);
          sv_share_db_begin (db, NULL);
        }
    }
  sv_share_db_commit (db, NULL);
  g_clear_pointer (&db, sv_share_db_free);
  printf ("== %d index entries synthesised through sv_share_db_insert in %.1f s\n", n_rows,
          now_s () - t0);
  query_latency ("keyword query @1M", db_path, rand, 2000);
}

int
main (int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : "/dev/shm";
  guint64 hash_mib = argc > 2 ? g_ascii_strtoull (argv[2], NULL, 10) : 1024;
  int tree_files = argc > 3 ? atoi (argv[3]) : 100000;
  int rows = argc > 4 ? atoi (argv[4]) : 1000000;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  struct rusage ru;

  make_vocab (rand);
  bench_hash (dir, hash_mib);
  bench_tree (dir, tree_files, rand);
  bench_million (dir, rows, rand);
  getrusage (RUSAGE_SELF, &ru);
  printf ("== peak memory (ru_maxrss): %ld MiB\n", ru.ru_maxrss / 1024);
  for (int i = 0; i < VOCAB; i++)
    g_free (vocab[i]);
  return 0;
}
