/* test-sync-plan.c: a folder mirror's decisions: fetch what is missing, keep what matches,
 * rename what the source renamed, never overwrite the user's file, delete only with delete and
 * only what the mirror placed, and refuse source names that cannot be file names here. */
#include "check-util.h"
#include "sync-plan.h"

#include <string.h>

static SvSha1
sha (guint8 v)
{
  SvSha1 s;

  memset (s.b, v, sizeof s.b);
  return s;
}

static SvSyncRemote
rem (const char *name, guint8 v)
{
  SvSyncRemote r = { name, 100, sha (v) };

  return r;
}

static SvSyncLocal
loc (const char *name, guint8 v, gboolean placed)
{
  SvSyncLocal l = { name, 100, sha (v), placed };

  return l;
}

static const SvSyncAction *
action (GArray *plan, guint i)
{
  ck_assert_uint_lt (i, plan->len);
  return &g_array_index (plan, SvSyncAction, i);
}

START_TEST (test_fetch_keep_and_copy)
{
  SvSyncRemote r[] = { rem ("a", 1), rem ("b", 2), rem ("c", 3) };
  SvSyncLocal l[] = { loc ("a", 1, FALSE), loc ("other", 3, FALSE) };
  g_autoptr (GArray) plan = sv_sync_plan (r, 3, l, 2, FALSE, NULL);

  ck_assert_uint_eq (plan->len, 3);
  ck_assert_int_eq (action (plan, 0)->kind, SV_SYNC_KEEP);
  ck_assert_uint_eq (action (plan, 0)->local, 0);
  ck_assert_int_eq (action (plan, 1)->kind, SV_SYNC_FETCH);
  ck_assert_uint_eq (action (plan, 1)->remote, 1);
  /* The content of c is here under another name of the user's: copied, not fetched. */
  ck_assert_int_eq (action (plan, 2)->kind, SV_SYNC_COPY);
  ck_assert_uint_eq (action (plan, 2)->local, 1);
}
END_TEST

START_TEST (test_rename_at_source_is_a_rename_here)
{
  SvSyncRemote r[] = { rem ("new name", 7) };
  SvSyncLocal l[] = { loc ("old name", 7, TRUE) };
  g_autoptr (GArray) plan = sv_sync_plan (r, 1, l, 1, TRUE, NULL);

  /* Renamed, and not deleted although delete is on. */
  ck_assert_uint_eq (plan->len, 1);
  ck_assert_int_eq (action (plan, 0)->kind, SV_SYNC_RENAME);
  ck_assert_uint_eq (action (plan, 0)->local, 0);
}
END_TEST

START_TEST (test_placed_file_still_named_at_source_is_copied)
{
  SvSyncRemote r[] = { rem ("x", 7), rem ("y", 7) };
  SvSyncLocal l[] = { loc ("x", 7, TRUE) };
  g_autoptr (GArray) plan = sv_sync_plan (r, 2, l, 1, FALSE, NULL);

  ck_assert_uint_eq (plan->len, 2);
  ck_assert_int_eq (action (plan, 0)->kind, SV_SYNC_KEEP);
  ck_assert_int_eq (action (plan, 1)->kind, SV_SYNC_COPY);
}
END_TEST

START_TEST (test_user_file_is_never_overwritten)
{
  SvSyncRemote r[] = { rem ("notes.txt", 1) };
  SvSyncLocal mine[] = { loc ("notes.txt", 2, FALSE) };
  g_autofree char *cname = sv_sync_plan_conflict_name ("notes.txt", &r[0].sha1);
  SvSyncLocal with_copy[] = { loc ("notes.txt", 2, FALSE), loc (cname, 1, FALSE) };
  SvSyncPlanCounts c;
  g_autoptr (GArray) plan = sv_sync_plan (r, 1, mine, 1, TRUE, &c);
  g_autoptr (GArray) again = NULL;

  ck_assert_uint_eq (plan->len, 1);
  ck_assert_int_eq (action (plan, 0)->kind, SV_SYNC_CONFLICT);
  ck_assert_uint_eq (c.conflicts, 1);
  ck_assert (g_str_has_prefix (cname, "notes.sync-conflict-"));
  ck_assert (g_str_has_suffix (cname, ".txt"));
  /* Once the conflict copy is there, nothing more is fetched; the conflict is still counted. */
  again = sv_sync_plan (r, 1, with_copy, 2, TRUE, &c);
  ck_assert_uint_eq (again->len, 0);
  ck_assert_uint_eq (c.conflicts, 1);
}
END_TEST

START_TEST (test_source_update_replaces_placed_copy)
{
  SvSyncRemote r[] = { rem ("song.ogg", 9) };
  SvSyncLocal l[] = { loc ("song.ogg", 8, TRUE) };
  g_autoptr (GArray) plan = sv_sync_plan (r, 1, l, 1, FALSE, NULL);

  ck_assert_uint_eq (plan->len, 1);
  ck_assert_int_eq (action (plan, 0)->kind, SV_SYNC_REPLACE);
}
END_TEST

START_TEST (test_delete_only_with_delete_and_only_placed)
{
  SvSyncRemote r[] = { rem ("kept", 1) };
  SvSyncLocal l[] = { loc ("kept", 1, TRUE), loc ("gone", 2, TRUE), loc ("users", 3, FALSE) };
  g_autoptr (GArray) without = sv_sync_plan (r, 1, l, 3, FALSE, NULL);
  g_autoptr (GArray) with = sv_sync_plan (r, 1, l, 3, TRUE, NULL);

  ck_assert_uint_eq (without->len, 1);
  ck_assert_int_eq (action (without, 0)->kind, SV_SYNC_KEEP);
  ck_assert_uint_eq (with->len, 2);
  ck_assert_int_eq (action (with, 1)->kind, SV_SYNC_DELETE);
  ck_assert_uint_eq (action (with, 1)->local, 1);
}
END_TEST

START_TEST (test_bad_names_and_duplicates_skipped)
{
  SvSyncRemote r[] = { rem ("../etc", 1), rem ("..", 2), rem ("a/b", 3), rem ("", 4),
                       rem (SV_SYNC_PLAN_STAGING, 5), rem ("tab\there", 6), rem ("ok", 7),
                       rem ("ok", 8) };
  SvSyncPlanCounts c;
  g_autoptr (GArray) plan = sv_sync_plan (r, G_N_ELEMENTS (r), NULL, 0, FALSE, &c);

  ck_assert_uint_eq (plan->len, 1);
  ck_assert_int_eq (action (plan, 0)->kind, SV_SYNC_FETCH);
  ck_assert_uint_eq (action (plan, 0)->remote, 6);
  ck_assert_uint_eq (c.skipped_names, 6);
  ck_assert_uint_eq (c.duplicates, 1);
  ck_assert (!sv_sync_plan_name_ok ("\xff\xfe"));
  ck_assert (sv_sync_plan_name_ok ("Ünïcode name (1).mp3"));
}
END_TEST

START_TEST (test_conflict_name_without_extension)
{
  SvSha1 s = sha (0);
  g_autofree char *a = sv_sync_plan_conflict_name ("README", &s);
  g_autofree char *b = sv_sync_plan_conflict_name (".hidden", &s);

  ck_assert_str_eq (a, "README.sync-conflict-AAAAAAAA");
  ck_assert_str_eq (b, ".hidden.sync-conflict-AAAAAAAA");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("sync-plan");
  TCase *tc = tcase_create ("sync-plan");

  tcase_add_test (tc, test_fetch_keep_and_copy);
  tcase_add_test (tc, test_rename_at_source_is_a_rename_here);
  tcase_add_test (tc, test_placed_file_still_named_at_source_is_copied);
  tcase_add_test (tc, test_user_file_is_never_overwritten);
  tcase_add_test (tc, test_source_update_replaces_placed_copy);
  tcase_add_test (tc, test_delete_only_with_delete_and_only_placed);
  tcase_add_test (tc, test_bad_names_and_duplicates_skipped);
  tcase_add_test (tc, test_conflict_name_without_extension);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
