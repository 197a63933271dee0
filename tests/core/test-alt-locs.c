/* test-alt-locs.c: alternate locations per file: learning from X-Alt, the caps, the order they
 * are offered in, and the requester left out. */
#include "check-util.h"
#include "alt-locs.h"

#include <string.h>

static SvSha1
sha1_of (guint8 b)
{
  SvSha1 s;
  memset (&s, b, sizeof s);
  return s;
}

static SvHostAddr
addr (const char *text)
{
  SvHostAddr a;
  ck_assert_int_eq (sv_host_addr_parse (text, strlen (text), 6346, &a), SV_STATUS_OK);
  return a;
}

START_TEST (test_header_round_trip)
{
  g_autoptr (SvAltLocs) locs = sv_alt_locs_new ();
  SvSha1 f = sha1_of (1), g = sha1_of (2);
  SvHostAddr requester = addr ("198.51.100.2:7000");
  g_autofree char *h = NULL;
  g_autofree char *none = NULL;

  /* gtk-gnutella writes "ip:port" items; a missing port means 6346; junk is skipped, and so are
   * private and documentation addresses outside LAN mode. */
  ck_assert_uint_eq (sv_alt_locs_add_header (locs, &f, "10.0.0.1:6346, 192.0.2.1:6346", FALSE, 100), 0);
  ck_assert_uint_eq (sv_alt_locs_add_header (locs, &f, "203.0.113.5:6348, 198.51.100.2:7000,"
                                             " 192.0.2.9, junk", TRUE, 100), 3);
  h = sv_alt_locs_header (locs, &f, &requester, 10);
  ck_assert_ptr_nonnull (h);
  ck_assert (strstr (h, "203.0.113.5:6348") != NULL);
  ck_assert (strstr (h, "192.0.2.9:6346") != NULL);
  ck_assert (strstr (h, "198.51.100.2") == NULL);   /* the requester is not sent itself */
  none = sv_alt_locs_header (locs, &g, NULL, 10);
  ck_assert_ptr_null (none);
  /* In LAN mode a private address is a location too; a public one always is. */
  ck_assert_uint_eq (sv_alt_locs_add_header (locs, &g, "10.0.0.1:6346, 8.8.8.8:6346", TRUE, 100), 2);
  ck_assert_uint_eq (sv_alt_locs_add_header (locs, &g, "9.9.9.9", FALSE, 100), 1);
}
END_TEST

START_TEST (test_newest_first_and_cap)
{
  g_autoptr (SvAltLocs) locs = sv_alt_locs_new ();
  SvSha1 f = sha1_of (3);
  SvHostAddr out[SV_ALT_LOCS_PER_FILE + 4];

  for (guint i = 0; i < SV_ALT_LOCS_PER_FILE + 4; i++)
    {
      g_autofree char *t = g_strdup_printf ("203.0.113.%u:6346", i + 1);
      SvHostAddr a = addr (t);
      ck_assert (sv_alt_locs_add (locs, &f, &a, TRUE, 1000 + i));
    }
  ck_assert_uint_eq (sv_alt_locs_get (locs, &f, NULL, out, G_N_ELEMENTS (out)), SV_ALT_LOCS_PER_FILE);
  /* The newest first; the four oldest made room. */
  ck_assert_uint_eq (out[0].ip[3], SV_ALT_LOCS_PER_FILE + 4);
  ck_assert_uint_eq (out[SV_ALT_LOCS_PER_FILE - 1].ip[3], 5);
  /* Confirming an old one moves it to the front, without a duplicate. */
  {
    SvHostAddr a = addr ("203.0.113.5:6346");
    ck_assert (sv_alt_locs_add (locs, &f, &a, TRUE, 5000));
    ck_assert_uint_eq (sv_alt_locs_get (locs, &f, NULL, out, 3), 3);
    ck_assert (sv_host_addr_equal (&out[0], &a));
    sv_alt_locs_remove (locs, &f, &a);
    ck_assert_uint_eq (sv_alt_locs_get (locs, &f, NULL, out, G_N_ELEMENTS (out)), SV_ALT_LOCS_PER_FILE - 1);
    ck_assert (!sv_host_addr_equal (&out[0], &a));
  }
  /* No port: not a location. */
  {
    SvHostAddr a = addr ("203.0.113.99:6346");
    a.port = 0;
    ck_assert (!sv_alt_locs_add (locs, &f, &a, TRUE, 6000));
  }
}
END_TEST

START_TEST (test_files_cap)
{
  g_autoptr (SvAltLocs) locs = sv_alt_locs_new ();
  SvHostAddr a = addr ("203.0.113.7:6346"), out[2];
  SvSha1 first;

  for (guint i = 0; i < SV_ALT_LOCS_MAX_FILES + 10; i++)
    {
      SvSha1 s = sha1_of (0);
      memcpy (s.b, &i, sizeof i);
      if (i == 0)
        first = s;
      ck_assert (sv_alt_locs_add (locs, &s, &a, TRUE, i));
    }
  ck_assert_uint_eq (sv_alt_locs_n_files (locs), SV_ALT_LOCS_MAX_FILES);
  ck_assert_uint_eq (sv_alt_locs_get (locs, &first, NULL, out, 2), 0);   /* the oldest went */
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("alt-locs");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_header_round_trip);
  tcase_add_test (tc, test_newest_first_and_cap);
  tcase_add_test (tc, test_files_cap);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
