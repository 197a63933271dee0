/* test-download-plan.c: spans, sources and retries of a download (download-plan.h). */
#include "check-util.h"
#include "download-plan.h"

#include <string.h>

#define MiB (G_GUINT64_CONSTANT (1024) * 1024)
#define S G_USEC_PER_SEC

static SvDownloadSourceInfo
source (const char *ip, gboolean firewalled, guint8 guid_byte)
{
  SvDownloadSourceInfo s = { 0 };

  ck_assert_int_eq (sv_host_addr_parse (ip, strlen (ip), 6346, &s.addr), SV_STATUS_OK);
  s.firewalled = firewalled;
  memset (s.servent.b, guid_byte, sizeof s.servent.b);
  s.index = 1;
  return s;
}

START_TEST (test_spans_merge)
{
  g_autoptr (SvDownloadPlan) p = sv_download_plan_new (100);
  g_autoptr (GArray) spans = g_array_new (FALSE, FALSE, sizeof (guint64));

  sv_download_plan_mark_done (p, 10, 10);
  sv_download_plan_mark_done (p, 40, 10);
  sv_download_plan_mark_done (p, 20, 5);     /* touches the first */
  sv_download_plan_mark_done (p, 90, 50);    /* clipped at the end */
  sv_download_plan_mark_done (p, 200, 5);    /* outside: ignored */
  sv_download_plan_done_spans (p, spans);
  ck_assert_uint_eq (spans->len, 6);
  ck_assert_uint_eq (g_array_index (spans, guint64, 0), 10);
  ck_assert_uint_eq (g_array_index (spans, guint64, 1), 25);
  ck_assert_uint_eq (g_array_index (spans, guint64, 2), 40);
  ck_assert_uint_eq (g_array_index (spans, guint64, 3), 50);
  ck_assert_uint_eq (g_array_index (spans, guint64, 4), 90);
  ck_assert_uint_eq (g_array_index (spans, guint64, 5), 100);
  ck_assert_uint_eq (sv_download_plan_done_bytes (p), 35);
  sv_download_plan_mark_done (p, 0, 95);      /* swallows everything before */
  ck_assert_uint_eq (sv_download_plan_done_bytes (p), 100);
  sv_download_plan_done_spans (p, spans);
  ck_assert_uint_eq (spans->len, 2);
}
END_TEST

START_TEST (test_direct_sources_share_the_file)
{
  g_autoptr (SvDownloadPlan) p = sv_download_plan_new (40 * MiB);
  SvDownloadSourceInfo a = source ("198.51.100.1", FALSE, 1), b = source ("198.51.100.2", FALSE, 2);
  SvDownloadTask t1, t2, t3;
  gint64 wake;

  ck_assert_int_eq (sv_download_plan_add_source (p, &a), 0);
  ck_assert_int_eq (sv_download_plan_add_source (p, &b), 1);
  ck_assert_int_eq (sv_download_plan_add_source (p, &a), 0);   /* known: same number */
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t1, &wake), SV_DOWNLOAD_NEXT_START);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t2, &wake), SV_DOWNLOAD_NEXT_START);
  ck_assert_uint_ne (t1.source, t2.source);
  ck_assert_uint_eq (t1.first, 0);
  ck_assert_uint_eq (t1.length, 5 * MiB);                       /* an eighth of the file */
  ck_assert_uint_eq (t2.first, 5 * MiB);                        /* never the same bytes twice */
  /* Both busy: nothing more to start. */
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t3, &wake), SV_DOWNLOAD_NEXT_WAIT);
  /* The first delivers half its span, then is cut: the rest goes back to the pool. */
  sv_download_plan_progress (p, t1.source, t1.length / 2);
  sv_download_plan_finish (p, t1.source, SV_DOWNLOAD_OUTCOME_CUT, 0, 0);
  ck_assert_uint_eq (sv_download_plan_done_bytes (p), t1.length / 2);
  ck_assert_int_eq (sv_download_plan_source (p, t1.source)->state, SV_DOWNLOAD_SOURCE_BACKOFF);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t3, &wake), SV_DOWNLOAD_NEXT_WAIT);
  ck_assert_int_eq (wake, SV_DOWNLOAD_PLAN_BACKOFF_US);
  /* After the backoff it resumes where the data stops. */
  ck_assert_int_eq (sv_download_plan_next (p, wake, 0, TRUE, &t3, &wake), SV_DOWNLOAD_NEXT_START);
  ck_assert_uint_eq (t3.source, t1.source);
  ck_assert_uint_eq (t3.first, t1.length / 2);
  ck_assert_uint_eq (t3.length, t1.length / 2);   /* up to the span the other one holds */
  ck_assert_uint_eq (sv_download_plan_used (p), 1);
}
END_TEST

START_TEST (test_chunk_sizes)
{
  g_autoptr (SvDownloadPlan) small = sv_download_plan_new (MiB);
  g_autoptr (SvDownloadPlan) big = sv_download_plan_new (4096 * MiB);
  SvDownloadSourceInfo a = source ("198.51.100.1", FALSE, 1);
  SvDownloadTask t;
  gint64 wake;

  sv_download_plan_add_source (small, &a);
  sv_download_plan_add_source (big, &a);
  ck_assert_int_eq (sv_download_plan_next (small, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
  ck_assert_uint_eq (t.length, SV_DOWNLOAD_PLAN_MIN_CHUNK_BYTES);
  ck_assert_int_eq (sv_download_plan_next (big, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
  ck_assert_uint_eq (t.length, SV_DOWNLOAD_PLAN_CHUNK_BYTES);
}
END_TEST

START_TEST (test_pushed_source_takes_the_gap_and_is_unreachable_when_we_cannot_be_reached)
{
  g_autoptr (SvDownloadPlan) p = sv_download_plan_new (100 * MiB);
  SvDownloadSourceInfo f = source ("198.51.100.3", TRUE, 3);
  SvDownloadTask t;
  gint64 wake;
  guint active = 0;

  sv_download_plan_add_source (p, &f);
  /* We are firewalled too: a pushed source cannot be used, and it is all there is. */
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, FALSE, &t, &wake), SV_DOWNLOAD_NEXT_UNREACHABLE);
  ck_assert_int_eq (wake, 0);
  /* A direct source beside it, even one backing off, is worth waiting for. */
  {
    g_autoptr (SvDownloadPlan) q = sv_download_plan_new (100 * MiB);
    SvDownloadSourceInfo d = source ("198.51.100.4", FALSE, 4);

    sv_download_plan_add_source (q, &f);
    sv_download_plan_add_source (q, &d);
    ck_assert_int_eq (sv_download_plan_next (q, 0, 0, FALSE, &t, &wake), SV_DOWNLOAD_NEXT_START);
    ck_assert_uint_eq (t.source, 1);
    sv_download_plan_finish (q, 1, SV_DOWNLOAD_OUTCOME_BUSY, 30, 0);
    ck_assert_int_eq (sv_download_plan_next (q, 1, 0, FALSE, &t, &wake), SV_DOWNLOAD_NEXT_WAIT);
    ck_assert_int_gt (wake, 0);
    /* Once the direct one is dead, nothing can be done. */
    sv_download_plan_finish (q, 1, SV_DOWNLOAD_OUTCOME_BAD, 0, 2);
    ck_assert_int_eq (sv_download_plan_next (q, 3, 0, FALSE, &t, &wake), SV_DOWNLOAD_NEXT_UNREACHABLE);
  }
  ck_assert_uint_eq (sv_download_plan_alive (p, &active), 1);
  ck_assert_uint_eq (active, 0);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
  ck_assert_uint_eq (t.first, 0);
  ck_assert_uint_eq (t.length, 100 * MiB);   /* its connection is not reused: the whole gap */
  /* The same firewalled servent at another address is the same source (by GUID). */
  f.addr.port = 7000;
  ck_assert_int_eq (sv_download_plan_add_source (p, &f), 0);
}
END_TEST

START_TEST (test_firewalled_source_with_proxies_met_by_rendezvous)
{
  g_autoptr (SvDownloadPlan) p = sv_download_plan_new (10 * MiB);
  SvDownloadSourceInfo f = source ("198.51.100.3", TRUE, 3);
  SvDownloadTask t;
  gint64 wake;

  /* Its hit named a push proxy: though we are firewalled too, we can meet it there. */
  ck_assert (sv_host_addr_parse ("198.51.100.9:6346", 17, 0, &f.proxies[0]) == SV_STATUS_OK);
  f.n_proxies = 1;
  sv_download_plan_add_source (p, &f);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, FALSE, &t, &wake), SV_DOWNLOAD_NEXT_START);
  ck_assert_uint_eq (t.source, 0);
  ck_assert_uint_eq (t.length, 10 * MiB);
  /* Once it failed for good, nothing is left. */
  sv_download_plan_finish (p, 0, SV_DOWNLOAD_OUTCOME_BAD, 0, 0);
  ck_assert_int_eq (sv_download_plan_next (p, 1, 0, FALSE, &t, &wake), SV_DOWNLOAD_NEXT_NO_SOURCE);
}
END_TEST

START_TEST (test_failures_back_off_then_drop)
{
  g_autoptr (SvDownloadPlan) p = sv_download_plan_new (10);
  SvDownloadSourceInfo a = source ("198.51.100.1", FALSE, 1);
  SvDownloadTask t;
  gint64 now = 0, wake = 0, last_gap = 0;

  sv_download_plan_add_source (p, &a);
  for (guint i = 0; i < SV_DOWNLOAD_PLAN_MAX_FAILURES; i++)
    {
      ck_assert_int_eq (sv_download_plan_next (p, now, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
      sv_download_plan_finish (p, t.source, SV_DOWNLOAD_OUTCOME_FAILED, 0, now);
      if (i + 1 == SV_DOWNLOAD_PLAN_MAX_FAILURES)
        break;
      ck_assert_int_eq (sv_download_plan_next (p, now, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_WAIT);
      ck_assert_int_gt (wake - now, last_gap - 1);   /* never shorter than before */
      ck_assert_int_le (wake - now, SV_DOWNLOAD_PLAN_MAX_BACKOFF_US);
      last_gap = wake - now;
      now = wake;
    }
  ck_assert_int_eq (sv_download_plan_source (p, 0)->state, SV_DOWNLOAD_SOURCE_DEAD);
  ck_assert_int_eq (sv_download_plan_next (p, now, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_NO_SOURCE);
  /* A dead (not lying) source comes back when a new hit names it, or on resume. */
  sv_download_plan_add_source (p, &a);
  ck_assert_int_eq (sv_download_plan_source (p, 0)->state, SV_DOWNLOAD_SOURCE_IDLE);
}
END_TEST

START_TEST (test_busy_honours_retry_after_and_liars_stay_dropped)
{
  g_autoptr (SvDownloadPlan) p = sv_download_plan_new (10);
  SvDownloadSourceInfo a = source ("198.51.100.1", FALSE, 1);
  SvDownloadTask t;
  gint64 wake;

  sv_download_plan_add_source (p, &a);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
  sv_download_plan_finish (p, 0, SV_DOWNLOAD_OUTCOME_BUSY, 45, 0);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_WAIT);
  ck_assert_int_eq (wake, 45 * S);
  ck_assert_int_eq (sv_download_plan_next (p, 45 * S, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
  sv_download_plan_finish (p, 0, SV_DOWNLOAD_OUTCOME_BAD, 0, 45 * S);
  ck_assert (sv_download_plan_source (p, 0)->lied);
  sv_download_plan_add_source (p, &a);
  sv_download_plan_revive (p);
  ck_assert_int_eq (sv_download_plan_source (p, 0)->state, SV_DOWNLOAD_SOURCE_DEAD);
  ck_assert_int_eq (sv_download_plan_next (p, 50 * S, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_NO_SOURCE);
}
END_TEST

START_TEST (test_done_and_reset)
{
  g_autoptr (SvDownloadPlan) p = sv_download_plan_new (10);
  SvDownloadSourceInfo a = source ("198.51.100.1", FALSE, 1);
  SvDownloadTask t;
  gint64 wake;

  sv_download_plan_add_source (p, &a);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
  sv_download_plan_progress (p, 0, 100);   /* more than claimed: only the span counts */
  ck_assert_uint_eq (sv_download_plan_done_bytes (p), 10);
  sv_download_plan_finish (p, 0, SV_DOWNLOAD_OUTCOME_OK, 0, 0);
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_DONE);
  ck_assert_uint_eq (sv_download_plan_used (p), 1);
  sv_download_plan_reset (p);
  ck_assert_uint_eq (sv_download_plan_done_bytes (p), 0);
  ck_assert_uint_eq (sv_download_plan_used (p), 0);   /* a new round: nobody gave bytes yet */
  ck_assert_int_eq (sv_download_plan_next (p, 0, 0, TRUE, &t, &wake), SV_DOWNLOAD_NEXT_START);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("download-plan");
  TCase *tc = tcase_create ("download-plan");

  tcase_add_test (tc, test_spans_merge);
  tcase_add_test (tc, test_direct_sources_share_the_file);
  tcase_add_test (tc, test_chunk_sizes);
  tcase_add_test (tc, test_pushed_source_takes_the_gap_and_is_unreachable_when_we_cannot_be_reached);
  tcase_add_test (tc, test_firewalled_source_with_proxies_met_by_rendezvous);
  tcase_add_test (tc, test_failures_back_off_then_drop);
  tcase_add_test (tc, test_busy_honours_retry_after_and_liars_stay_dropped);
  tcase_add_test (tc, test_done_and_reset);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
