/* test-bootstrap-list.c: bootstrap entries (UDP host caches, GWebCaches) and list files. */
#include "check-util.h"
#include "bootstrap-list.h"

#include <string.h>

static void
assert_uhc (const char *text, const char *host, guint16 port)
{
  SvBootstrapEntry e;

  ck_assert_msg (sv_bootstrap_entry_parse (text, &e) == SV_STATUS_OK, "%s", text);
  ck_assert_int_eq (e.kind, SV_BOOTSTRAP_UHC);
  ck_assert_str_eq (e.host, host);
  ck_assert_uint_eq (e.port, port);
  ck_assert_ptr_null (e.url);
  sv_bootstrap_entry_clear (&e);
}

static void
assert_bad (const char *text)
{
  SvBootstrapEntry e;

  ck_assert_msg (sv_bootstrap_entry_parse (text, &e) != SV_STATUS_OK, "'%s' accepted", text);
  ck_assert_ptr_null (e.host);
  ck_assert_ptr_null (e.url);
}

START_TEST (test_entries)
{
  SvBootstrapEntry e;
  g_autofree char *s1 = NULL, *s2 = NULL;

  assert_uhc ("uhc:uhc.example.org:9999", "uhc.example.org", 9999);
  assert_uhc ("  UHC:192.0.2.4:6346 ", "192.0.2.4", 6346);
  assert_uhc ("uhc:[2001:db8::1]:6346", "2001:db8::1", 6346);
  assert_uhc ("uhc:localhost:1", "localhost", 1);

  ck_assert_int_eq (sv_bootstrap_entry_parse ("http://gwc.example.org/gwc.php", &e), SV_STATUS_OK);
  ck_assert_int_eq (e.kind, SV_BOOTSTRAP_GWC);
  ck_assert_str_eq (e.url, "http://gwc.example.org/gwc.php");
  s1 = sv_bootstrap_entry_to_string (&e);
  ck_assert_str_eq (s1, "http://gwc.example.org/gwc.php");
  sv_bootstrap_entry_clear (&e);
  ck_assert_int_eq (sv_bootstrap_entry_parse ("uhc:[2001:db8::2]:7", &e), SV_STATUS_OK);
  s2 = sv_bootstrap_entry_to_string (&e);
  ck_assert_str_eq (s2, "uhc:[2001:db8::2]:7");
  sv_bootstrap_entry_clear (&e);

  assert_bad ("");
  assert_bad ("uhc:");
  assert_bad ("uhc:host");
  assert_bad ("uhc:host:0");
  assert_bad ("uhc:host:65536");
  assert_bad ("uhc:host:port");
  assert_bad ("uhc:ho st:6346");
  assert_bad ("uhc:host_name:6346");
  assert_bad ("uhc:[example.org]:6346");
  assert_bad ("uhc:[2001:db8::1]6346");
  assert_bad ("uhc:2001:db8::1:6346");
  assert_bad ("ftp://gwc.example.org/");
  assert_bad ("http://");
  assert_bad ("http:// spaced.example.org/");
  assert_bad ("gwc.example.org");
  assert_bad ("http://gwc.example.org/\x01");
  {
    GString *s = g_string_new ("http://gwc.example.org/");
    for (int i = 0; i < SV_BOOTSTRAP_MAX_ENTRY_BYTES; i++)
      g_string_append_c (s, 'a');
    ck_assert_int_eq (sv_bootstrap_entry_parse (s->str, &e), SV_STATUS_TOO_BIG);
    g_string_free (s, TRUE);
  }
}
END_TEST

START_TEST (test_list_file)
{
  static const char text[] = "# the shipped list\r\n"
                             "uhc:uhc1.example.org:9999   # a comment\r\n"
                             "\n"
                             "   \n"
                             "http://gwc.example.org/gwc.php\n"
                             "not an entry\n"
                             "uhc:[2001:db8::9]:6346";
  guint bad = 99;
  g_auto (GStrv) list = sv_bootstrap_list_parse (text, strlen (text), &bad);

  ck_assert_uint_eq (g_strv_length (list), 3);
  ck_assert_str_eq (list[0], "uhc:uhc1.example.org:9999");
  ck_assert_str_eq (list[1], "http://gwc.example.org/gwc.php");
  ck_assert_str_eq (list[2], "uhc:[2001:db8::9]:6346");
  ck_assert_uint_eq (bad, 1);
}
END_TEST

START_TEST (test_list_caps)
{
  GString *s = g_string_new (NULL);
  g_auto (GStrv) list = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append_printf (s, "uhc:h%d.example.org:%d\n", i, 1000 + i);
  list = sv_bootstrap_list_parse (s->str, s->len, NULL);
  ck_assert_uint_eq (g_strv_length (list), SV_BOOTSTRAP_MAX_ENTRIES);
  g_string_free (s, TRUE);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("bootstrap-list");
  TCase *tc = tcase_create ("bootstrap-list");

  tcase_add_test (tc, test_entries);
  tcase_add_test (tc, test_list_file);
  tcase_add_test (tc, test_list_caps);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
