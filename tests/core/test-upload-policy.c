/* test-upload-policy.c: upload slots and the queue (upload-policy.h). */
#include "check-util.h"
#include "upload-policy.h"

#include <string.h>

#define S G_USEC_PER_SEC

static SvHostAddr
ip (const char *text)
{
  SvHostAddr a;

  ck_assert_int_eq (sv_host_addr_parse (text, strlen (text), 6346, &a), SV_STATUS_OK);
  return a;
}

static SvSha1
file (guint8 b)
{
  SvSha1 s;

  memset (s.b, b, sizeof s.b);
  return s;
}

START_TEST (test_slots_then_queue_in_order)
{
  SvUploadPolicyConfig c = { .max_slots = 2, .max_per_address = 1, .max_queue = 2, .retry_after_s = 10 };
  g_autoptr (SvUploadPolicy) p = sv_upload_policy_new (&c);
  SvHostAddr a = ip ("198.51.100.1"), b = ip ("198.51.100.2"), q1 = ip ("198.51.100.3"),
             q2 = ip ("198.51.100.4"), q3 = ip ("198.51.100.5");
  SvSha1 f = file (1);
  guint pos, retry;

  ck_assert_int_eq (sv_upload_policy_admit (p, &a, &f, 0, &pos, &retry), SV_UPLOAD_SERVE);
  ck_assert_int_eq (sv_upload_policy_admit (p, &a, &f, 0, &pos, &retry), SV_UPLOAD_ADDRESS_BUSY);
  ck_assert_int_eq (sv_upload_policy_admit (p, &b, &f, 0, &pos, &retry), SV_UPLOAD_SERVE);
  ck_assert_uint_eq (sv_upload_policy_active (p), 2);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q1, &f, 0, &pos, &retry), SV_UPLOAD_QUEUED);
  ck_assert_uint_eq (pos, 1);
  ck_assert_uint_eq (retry, 10);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q2, &f, 0, &pos, &retry), SV_UPLOAD_QUEUED);
  ck_assert_uint_eq (pos, 2);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q3, &f, 0, &pos, &retry), SV_UPLOAD_BUSY);
  /* Asking again keeps the place. */
  ck_assert_int_eq (sv_upload_policy_admit (p, &q2, &f, 5 * S, &pos, &retry), SV_UPLOAD_QUEUED);
  ck_assert_uint_eq (pos, 2);
  /* A slot frees: the head of the queue gets it, not a newcomer nor the second in line. */
  sv_upload_policy_release (p, &a);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q2, &f, 6 * S, &pos, &retry), SV_UPLOAD_QUEUED);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q3, &f, 6 * S, &pos, &retry), SV_UPLOAD_BUSY);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q1, &f, 6 * S, &pos, &retry), SV_UPLOAD_SERVE);
  ck_assert_uint_eq (sv_upload_policy_queued (p, 6 * S), 1);
}
END_TEST

START_TEST (test_a_place_not_claimed_in_time_is_lost)
{
  SvUploadPolicyConfig c = { .max_slots = 1, .max_queue = 4, .retry_after_s = 10 };
  g_autoptr (SvUploadPolicy) p = sv_upload_policy_new (&c);
  SvHostAddr a = ip ("198.51.100.1"), q1 = ip ("198.51.100.3"), q2 = ip ("198.51.100.4");
  SvSha1 f = file (1);
  guint pos, retry;

  ck_assert_int_eq (sv_upload_policy_admit (p, &a, &f, 0, &pos, &retry), SV_UPLOAD_SERVE);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q1, &f, 0, &pos, &retry), SV_UPLOAD_QUEUED);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q2, &f, 1 * S, &pos, &retry), SV_UPLOAD_QUEUED);
  ck_assert_uint_eq (pos, 2);
  /* q1 never came back within twice its Retry-After: q2 moves up. */
  ck_assert_int_eq (sv_upload_policy_admit (p, &q2, &f, 21 * S, &pos, &retry), SV_UPLOAD_QUEUED);
  ck_assert_uint_eq (pos, 1);
  sv_upload_policy_release (p, &a);
  ck_assert_uint_eq (sv_upload_policy_active (p), 0);
  ck_assert_int_eq (sv_upload_policy_admit (p, &q2, &f, 22 * S, &pos, &retry), SV_UPLOAD_SERVE);
}
END_TEST

START_TEST (test_defaults)
{
  g_autoptr (SvUploadPolicy) p = sv_upload_policy_new (NULL);
  SvSha1 f = file (2);
  guint pos, retry, served = 0;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("198.51.100.%u", i + 1);
      SvHostAddr a = ip (text);

      if (sv_upload_policy_admit (p, &a, &f, 0, &pos, &retry) == SV_UPLOAD_SERVE)
        served++;
    }
  ck_assert_uint_eq (served, SV_UPLOAD_POLICY_DEFAULT_SLOTS);
  ck_assert_uint_eq (sv_upload_policy_queued (p, 0), 20 - SV_UPLOAD_POLICY_DEFAULT_SLOTS);
  ck_assert_str_eq (sv_upload_admit_name (SV_UPLOAD_QUEUED), "queued");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("upload-policy");
  TCase *tc = tcase_create ("upload-policy");

  tcase_add_test (tc, test_slots_then_queue_in_order);
  tcase_add_test (tc, test_a_place_not_claimed_in_time_is_lost);
  tcase_add_test (tc, test_defaults);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
