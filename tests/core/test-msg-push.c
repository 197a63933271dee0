/* test-msg-push.c: Push payloads: captured gtk-gnutella bytes, GGEP callbacks, malformed input. */
#include "check-util.h"
#include "messages-txt.h"
#include "msg-header.h"
#include "msg-push.h"

#include <string.h>

#define FIXTURE_DIR "gtk-gnutella/run-3peers-push/"

static const guint8 *
payload_of (GBytes *msg, gsize *len)
{
  SvMsgHeader hdr;
  const guint8 *p = sv_test_msg_payload (msg, &hdr, len);

  ck_assert_uint_eq (hdr.type, SV_MSG_PUSH);
  return p;
}

static void
assert_roundtrip (const SvPush *push, const guint8 *p, gsize len)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  sv_push_encode (push, out);
  ck_assert_uint_eq (out->len, len);
  ck_assert_mem_eq (out->data, p, len);
}

/* What the .hex comments say: leafB's servent GUID, file index 0, and the address to call back:
 * leafA 127.0.0.3:16350 (pushes 1 and 3, relayed with hops 1) or up2 127.0.0.1:16348 (push 2). */
static void
check_push (const SvPush *push, guint8 last_ip_byte, guint16 port)
{
  g_autoptr (SvFields) f = sv_fields_new ();
  char hex[SV_GUID_HEX_LEN + 1];
  char ip[16];

  sv_guid_to_hex (&push->servent_guid, hex);
  ck_assert_str_eq (hex, "7a80310213277edcf7378b115cdf03f5");
  ck_assert_uint_eq (push->file_index, SV_PUSH_FILE_INDEX_ANY);
  ck_assert_uint_eq (push->ip[0], 127);
  ck_assert_uint_eq (push->ip[3], last_ip_byte);
  ck_assert_uint_eq (push->port, port);
  ck_assert_ptr_null (push->ggep);
  ck_assert_ptr_null (push->trailing);

  sv_push_describe (push, f);
  ck_assert_str_eq (sv_fields_find (f, "servent_guid")->v.s, hex);
  ck_assert_uint_eq (sv_fields_find (f, "file_index")->v.u, 0);
  g_snprintf (ip, sizeof ip, "127.0.0.%u", last_ip_byte);
  ck_assert_str_eq (sv_fields_find (f, "ip")->v.s, ip);
  ck_assert_uint_eq (sv_fields_find (f, "port")->v.u, port);
  ck_assert_ptr_null (sv_fields_find (f, "tls"));
}

START_TEST (test_captured_pushes)
{
  static const struct { guint8 ip; guint16 port; } want[] = { { 3, 16350 }, { 1, 16348 }, { 3, 16350 } };

  for (guint n = 1; n <= 3; n++)
    {
      g_autofree char *name = g_strdup_printf (FIXTURE_DIR "msg_push_%u.bin", n);
      g_autoptr (GBytes) msg = sv_test_read_fixture (name);
      gsize len;
      const guint8 *p = payload_of (msg, &len);
      g_autoptr (SvPush) push = NULL;

      ck_assert_uint_eq (len, SV_PUSH_FIXED_SIZE);
      ck_assert_int_eq (sv_push_decode (p, len, &push), SV_STATUS_OK);
      check_push (push, want[n - 1].ip, want[n - 1].port);
      assert_roundtrip (push, p, len);
    }
}
END_TEST

START_TEST (test_messages_txt)
{
  g_autoptr (GPtrArray) pushes = sv_test_messages_txt ("push");

  ck_assert_uint_eq (pushes->len, 5);
  for (guint i = 0; i < pushes->len; i++)
    {
      gsize len;
      const guint8 *p = payload_of (pushes->pdata[i], &len);
      g_autoptr (SvPush) push = NULL;

      ck_assert_int_eq (sv_push_decode (p, len, &push), SV_STATUS_OK);
      /* Every push of the capture targets leafB and asks for a loopback callback. */
      ck_assert (push->port == 16350 || push->port == 16348);
      check_push (push, push->port == 16350 ? 3 : 1, push->port);
      assert_roundtrip (push, p, len);
    }
}
END_TEST

START_TEST (test_truncated_at_every_byte)
{
  g_autoptr (GBytes) msg = sv_test_read_fixture (FIXTURE_DIR "msg_push_2.bin");
  gsize len;
  const guint8 *p = payload_of (msg, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (p, cut);
      SvPush *push = (SvPush *) 0x1;

      ck_assert_int_eq (sv_push_decode (copy, cut, &push), SV_STATUS_TRUNCATED);
      ck_assert_ptr_null (push);
    }
}
END_TEST

START_TEST (test_ggep_callbacks)
{
  static const SvGuid guid = { { 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 10, 11, 12, 13, 14, 15, 0 } };
  static const guint8 ip[4] = { 192, 0, 2, 1 };
  static const guint8 v6[16] = { 0xfe, 0x80, [15] = 0x42 };
  g_autoptr (SvPush) push = sv_push_new (&guid, SV_PUSH_FILE_INDEX_RUDP, ip, 6346);
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (SvPush) back = NULL;
  g_autoptr (SvFields) f = sv_fields_new ();
  const SvField *ids;

  sv_push_add_ipv6 (push, v6);
  sv_push_add_tls (push);
  sv_push_encode (push, bytes);
  ck_assert_uint_gt (bytes->len, SV_PUSH_FIXED_SIZE);
  ck_assert_uint_eq (bytes->data[SV_PUSH_FIXED_SIZE], 0xC3);
  /* Byte order: file index LE, IP BE, port LE. */
  ck_assert_uint_eq (bytes->data[16], 0xFD);
  ck_assert_uint_eq (bytes->data[19], 0x7F);
  ck_assert_uint_eq (bytes->data[20], 192);
  ck_assert_uint_eq (bytes->data[24], 0xCA);
  ck_assert_uint_eq (bytes->data[25], 0x18);

  ck_assert_int_eq (sv_push_decode (bytes->data, bytes->len, &back), SV_STATUS_OK);
  ck_assert (sv_guid_equal (&back->servent_guid, &guid));
  ck_assert_uint_eq (back->file_index, SV_PUSH_FILE_INDEX_RUDP);
  ck_assert_uint_eq (back->port, 6346);
  ck_assert (back->has_ipv6);
  ck_assert_mem_eq (back->ipv6, v6, 16);
  ck_assert (back->tls);
  assert_roundtrip (back, bytes->data, bytes->len);

  sv_push_describe (back, f);
  ck_assert_str_eq (sv_fields_find (f, "ipv6")->v.s, "fe80::42");
  ck_assert (sv_fields_find (f, "tls")->v.b);
  ids = sv_fields_find (f, "ggep");
  ck_assert_uint_eq (sv_fields_count (ids->v.obj), 2);
  ck_assert_ptr_null (sv_fields_find (f, "unknown_ggep"));
}
END_TEST

START_TEST (test_malformed_ggep)
{
  static const SvGuid guid = { { 9 } };
  static const guint8 ip[4] = { 10, 0, 0, 1 };
  g_autoptr (SvPush) push = sv_push_new (&guid, 0, ip, 1);
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  static const guint8 v6_short[15] = { 0 };
  SvPush *back = NULL;

  /* A "6" extension one byte short of an IPv6 address. */
  push->ggep = sv_ggep_new ();
  ck_assert (sv_ggep_add (push->ggep, "6", v6_short, sizeof v6_short, SV_GGEP_ENC_NONE));
  sv_push_encode (push, bytes);
  ck_assert_int_eq (sv_push_decode (bytes->data, bytes->len, &back), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (back);

  /* Its length byte claiming one more byte than present. */
  ck_assert_uint_eq (bytes->data[SV_PUSH_FIXED_SIZE + 3], 0x40 | 15);
  bytes->data[SV_PUSH_FIXED_SIZE + 3] = 0x40 | 16;
  ck_assert_int_eq (sv_push_decode (bytes->data, bytes->len, &back), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (back);

  /* Bytes after the fixed part that are not GGEP are kept and written back. */
  g_byte_array_set_size (bytes, SV_PUSH_FIXED_SIZE);
  g_byte_array_append (bytes, (const guint8 *) "\0\1", 2);
  ck_assert_int_eq (sv_push_decode (bytes->data, bytes->len, &back), SV_STATUS_OK);
  ck_assert_uint_eq (g_bytes_get_size (back->trailing), 2);
  assert_roundtrip (back, bytes->data, bytes->len);
  sv_push_free (back);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-push");
  TCase *tc = tcase_create ("push");

  tcase_add_test (tc, test_captured_pushes);
  tcase_add_test (tc, test_messages_txt);
  tcase_add_test (tc, test_truncated_at_every_byte);
  tcase_add_test (tc, test_ggep_callbacks);
  tcase_add_test (tc, test_malformed_ggep);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
