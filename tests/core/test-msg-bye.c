/* test-msg-bye.c: Bye payloads: captured gtk-gnutella bytes, codes, reasons with headers, missing
 * NUL, the GnucDNA form without a code, malformed input. */
#include "check-util.h"
#include "messages-txt.h"
#include "msg-bye.h"
#include "msg-header.h"

#include <string.h>

#define FIXTURE_DIR "gtk-gnutella/run-3peers-push/"

static void
assert_roundtrip (const guint8 *p, gsize len)
{
  g_autoptr (SvBye) bye = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();

  ck_assert_int_eq (sv_bye_decode (p, len, &bye), SV_STATUS_OK);
  sv_bye_encode (bye, out);
  ck_assert_uint_eq (out->len, len);
  ck_assert_mem_eq (out->data, p, len);
}

static void
check_shutdown (GBytes *msg)
{
  g_autoptr (SvBye) bye = NULL;
  g_autoptr (SvFields) f = sv_fields_new ();
  SvMsgHeader hdr;
  gsize len;
  const guint8 *p = sv_test_msg_payload (msg, &hdr, &len);

  ck_assert_uint_eq (hdr.type, SV_MSG_BYE);
  ck_assert_uint_eq (hdr.length, 19);
  ck_assert_int_eq (sv_bye_decode (p, len, &bye), SV_STATUS_OK);
  ck_assert_uint_eq (bye->code, SV_BYE_SHUTDOWN);
  ck_assert_str_eq (bye->reason, "Servent shutdown");
  ck_assert_uint_eq (bye->reason_len, 16);
  ck_assert (bye->terminated);
  ck_assert_ptr_null (bye->trailing);
  ck_assert (!bye->legacy_no_code);

  sv_bye_describe (bye, f);
  ck_assert_uint_eq (sv_fields_find (f, "code")->v.u, 200);
  ck_assert_str_eq (sv_fields_find (f, "code_name")->v.s, "shutdown");
  ck_assert_str_eq (sv_fields_find (f, "reason")->v.s, "Servent shutdown");
  ck_assert_ptr_null (sv_fields_find (f, "headers"));
  ck_assert_ptr_null (sv_fields_find (f, "unterminated"));
  assert_roundtrip (p, len);
}

START_TEST (test_captured_byes)
{
  for (guint n = 1; n <= 2; n++)
    {
      g_autofree char *name = g_strdup_printf (FIXTURE_DIR "msg_bye_%u.bin", n);
      g_autoptr (GBytes) msg = sv_test_read_fixture (name);
      check_shutdown (msg);
    }
}
END_TEST

START_TEST (test_messages_txt)
{
  g_autoptr (GPtrArray) byes = sv_test_messages_txt ("bye");

  ck_assert_uint_eq (byes->len, 2);
  for (guint i = 0; i < byes->len; i++)
    check_shutdown (byes->pdata[i]);
}
END_TEST

START_TEST (test_truncated_at_every_byte)
{
  g_autoptr (GBytes) msg = sv_test_read_fixture (FIXTURE_DIR "msg_bye_1.bin");
  gsize total;
  const guint8 *p = (const guint8 *) g_bytes_get_data (msg, &total) + SV_MSG_HEADER_SIZE;
  gsize len = total - SV_MSG_HEADER_SIZE;

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (p, cut);
      SvBye *bye = (SvBye *) 0x1;
      SvStatus st = sv_bye_decode (copy, cut, &bye);

      if (cut < SV_BYE_MIN_SIZE)
        {
          ck_assert_int_eq (st, SV_STATUS_TRUNCATED);
          ck_assert_ptr_null (bye);
          continue;
        }
      /* Like gtk-gnutella, a reason cut before its NUL is accepted as it is. */
      ck_assert_int_eq (st, SV_STATUS_OK);
      ck_assert_uint_eq (bye->code, 200);
      ck_assert (!bye->terminated);
      ck_assert_uint_eq (bye->reason_len, cut - 2);
      ck_assert (strncmp (bye->reason, "Servent shutdown", cut - 2) == 0);
      sv_bye_free (bye);
      assert_roundtrip (copy, cut);
    }
}
END_TEST

START_TEST (test_headers_and_early_nul)
{
  static const char text[] = "\x95\x01" "Inactivity\r\nServer: gtk-gnutella/1.2.3\r\nX-Extra: 1\r\n\r\n";
  static const guint8 early[] = { 0xF4, 0x01, 'x', 0, 'j', 'u', 'n', 'k' };
  g_autoptr (SvBye) bye = NULL;
  g_autoptr (SvBye) early_bye = NULL;
  g_autoptr (SvFields) f = sv_fields_new ();
  g_autoptr (SvFields) g = sv_fields_new ();
  const SvField *headers;

  /* sizeof includes the final NUL: a well-formed Bye with header lines. */
  ck_assert_int_eq (sv_bye_decode ((const guint8 *) text, sizeof text, &bye), SV_STATUS_OK);
  ck_assert_uint_eq (bye->code, SV_BYE_INACTIVITY);
  ck_assert (bye->terminated);
  sv_bye_describe (bye, f);
  ck_assert_str_eq (sv_fields_find (f, "code_name")->v.s, "inactivity");
  ck_assert_str_eq (sv_fields_find (f, "reason")->v.s, "Inactivity");
  headers = sv_fields_find (f, "headers");
  ck_assert_ptr_nonnull (headers);
  ck_assert_uint_eq (sv_fields_count (headers->v.obj), 2);
  ck_assert_str_eq (sv_fields_nth (headers->v.obj, 0)->v.s, "Server: gtk-gnutella/1.2.3");
  ck_assert_str_eq (sv_fields_nth (headers->v.obj, 1)->v.s, "X-Extra: 1");
  assert_roundtrip ((const guint8 *) text, sizeof text);

  /* Bytes after an early NUL are kept and re-encoded. */
  ck_assert_int_eq (sv_bye_decode (early, sizeof early, &early_bye), SV_STATUS_OK);
  ck_assert_uint_eq (early_bye->code, SV_BYE_INTERNAL_ERROR);
  ck_assert_str_eq (early_bye->reason, "x");
  ck_assert_uint_eq (g_bytes_get_size (early_bye->trailing), 4);
  sv_bye_describe (early_bye, g);
  ck_assert_str_eq (sv_fields_find (g, "trailing")->v.s, "6a756e6b");
  assert_roundtrip (early, sizeof early);
}
END_TEST

START_TEST (test_legacy_without_code)
{
  static const guint8 gnucdna[] = { 'S', 'h', 'u', 't', 0 };
  static const guint8 high_code[] = { 0xE8, 0x03, 'a', 0 };   /* 1000, not ASCII: a real code */
  g_autoptr (SvBye) bye = NULL;
  g_autoptr (SvBye) high = NULL;
  g_autoptr (SvFields) f = sv_fields_new ();

  ck_assert_int_eq (sv_bye_decode (gnucdna, sizeof gnucdna, &bye), SV_STATUS_OK);
  ck_assert (bye->legacy_no_code);
  ck_assert_uint_eq (bye->code, SV_BYE_LEGACY_NO_CODE);
  ck_assert_str_eq (bye->reason, "Shut");
  sv_bye_describe (bye, f);
  ck_assert (sv_fields_find (f, "legacy_no_code")->v.b);
  assert_roundtrip (gnucdna, sizeof gnucdna);

  ck_assert_int_eq (sv_bye_decode (high_code, sizeof high_code, &high), SV_STATUS_OK);
  ck_assert (!high->legacy_no_code);
  ck_assert_uint_eq (high->code, 1000);
  ck_assert_str_eq (sv_bye_code_name (high->code), "unknown");
}
END_TEST

START_TEST (test_build_and_names)
{
  g_autoptr (SvBye) bye = sv_bye_new (SV_BYE_MESSAGE_TOO_BIG, "Message too big\r\nServer: servent\r\n\r\n");
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (SvBye) back = NULL;

  sv_bye_encode (bye, out);
  ck_assert_uint_eq (out->data[0], 0x90);
  ck_assert_uint_eq (out->data[1], 0x01);
  ck_assert_uint_eq (out->data[out->len - 1], 0);
  ck_assert_int_eq (sv_bye_decode (out->data, out->len, &back), SV_STATUS_OK);
  ck_assert_uint_eq (back->code, 400);
  ck_assert_str_eq (back->reason, bye->reason);

  ck_assert_str_eq (sv_bye_code_name (SV_BYE_SHUTDOWN), "shutdown");
  ck_assert_str_eq (sv_bye_code_name (SV_BYE_USER_CLOSED), "user-closed");
  ck_assert_str_eq (sv_bye_code_name (SV_BYE_TTL_HOPS_LIMIT), "ttl-hops-limit");
  ck_assert_str_eq (sv_bye_code_name (SV_BYE_SEND_QUEUE_FULL), "send-queue-full");
  ck_assert_str_eq (sv_bye_code_name (299), "unknown");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-bye");
  TCase *tc = tcase_create ("bye");

  tcase_add_test (tc, test_captured_byes);
  tcase_add_test (tc, test_messages_txt);
  tcase_add_test (tc, test_truncated_at_every_byte);
  tcase_add_test (tc, test_headers_and_early_nul);
  tcase_add_test (tc, test_legacy_without_code);
  tcase_add_test (tc, test_build_and_names);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
