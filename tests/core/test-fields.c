/* test-fields.c: the describe tree and its one-line text rendering. */
#include "check-util.h"
#include "fields.h"

#include <string.h>

START_TEST (test_text_rendering)
{
  g_autoptr (SvFields) f = sv_fields_new ();
  g_autofree char *text = NULL;
  const guint8 ip[4] = { 127, 0, 0, 3 };
  const guint8 raw[3] = { 0x00, 0xab, 0xff };
  SvFields *arr, *obj;

  sv_fields_add_uint (f, "port", 16350);
  sv_fields_add_int (f, "delta", -3);
  sv_fields_add_bool (f, "firewalled", TRUE);
  sv_fields_add_ipv4 (f, "ip", ip);
  sv_fields_add_hex (f, "raw", raw, sizeof raw);
  sv_fields_add_string (f, "name", "two words", -1);
  sv_fields_add_string (f, "empty", "", -1);
  arr = sv_fields_add_array (f, "ipp");
  sv_fields_add_string (arr, NULL, "1.2.3.4:6346", -1);
  sv_fields_add_string (arr, NULL, "5.6.7.8:1", -1);
  obj = sv_fields_add_object (f, "up");
  sv_fields_add_uint (obj, "leaf_slots", 30);
  sv_fields_add_uint (obj, "up_slots", 2);

  text = sv_fields_to_text (f);
  ck_assert_str_eq (text, "port=16350 delta=-3 firewalled=true ip=127.0.0.3 raw=00abff "
                    "name=\"two words\" empty=\"\" ipp=[1.2.3.4:6346,5.6.7.8:1] "
                    "up={leaf_slots=30 up_slots=2}");
  ck_assert_uint_eq (sv_fields_count (f), 9);
  ck_assert_uint_eq (sv_fields_find (f, "up")->kind, SV_FIELD_OBJECT);
  ck_assert_ptr_null (sv_fields_find (f, "missing"));
}
END_TEST

START_TEST (test_invalid_utf8_and_control_characters)
{
  g_autoptr (SvFields) f = sv_fields_new ();
  g_autofree char *text = NULL;

  sv_fields_add_string (f, "name", "a\xff" "b\n", 4);
  ck_assert (g_utf8_validate (sv_fields_find (f, "name")->v.s, -1, NULL));
  text = sv_fields_to_text (f);
  /* The newline is escaped so that one message stays on one line. */
  ck_assert_ptr_null (strchr (text, '\n'));
  ck_assert_ptr_nonnull (strstr (text, "\\n"));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("fields");
  TCase *tc = tcase_create ("fields");

  tcase_add_test (tc, test_text_rendering);
  tcase_add_test (tc, test_invalid_utf8_and_control_characters);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
