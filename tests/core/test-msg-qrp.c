/* test-msg-qrp.c: the QRP RESET / PATCH payload codec on gtk-gnutella's bytes (msg-qrp.h). */
#include "check-util.h"
#include "msg-header.h"
#include "msg-qrp.h"

#include <string.h>

#define FIXTURES "gtk-gnutella/run-3peers-push/"

/* The payload of a captured message (header checked: QRP, TTL 1, hops 0). */
static GBytes *
payload_of (const char *name)
{
  SvMsgHeader hdr;
  GBytes *payload = sv_test_fixture_payload (name, &hdr);

  ck_assert_uint_eq (hdr.type, SV_MSG_QRP);
  ck_assert_uint_eq (hdr.ttl, 1);
  ck_assert_uint_eq (hdr.hops, 0);
  return payload;
}

static void
assert_reencodes (const SvMsgQrp *msg, const guint8 *buf, gsize len)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  sv_msg_qrp_encode (msg, out);
  ck_assert_uint_eq (out->len, len);
  ck_assert_mem_eq (out->data, buf, len);
}

START_TEST (test_captured_reset)
{
  const char *names[] = { FIXTURES "msg_qrp_1.bin", FIXTURES "msg_qrp_3.bin" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GBytes) p = payload_of (names[i]);
      gsize len;
      const guint8 *buf = g_bytes_get_data (p, &len);
      SvMsgQrp msg;

      ck_assert_int_eq (sv_msg_qrp_decode (buf, len, &msg), SV_STATUS_OK);
      ck_assert_uint_eq (msg.variant, SV_MSG_QRP_RESET);
      ck_assert_uint_eq (msg.table_length, 16384);
      ck_assert_uint_eq (msg.infinity, 2);
      assert_reencodes (&msg, buf, len);
    }
}
END_TEST

START_TEST (test_captured_patch)
{
  g_autoptr (GBytes) p = payload_of (FIXTURES "msg_qrp_2.bin");
  gsize len;
  const guint8 *buf = g_bytes_get_data (p, &len);
  SvMsgQrp msg;

  ck_assert_int_eq (sv_msg_qrp_decode (buf, len, &msg), SV_STATUS_OK);
  ck_assert_uint_eq (msg.variant, SV_MSG_QRP_PATCH);
  ck_assert_uint_eq (msg.seq_no, 1);
  ck_assert_uint_eq (msg.seq_size, 1);
  ck_assert_uint_eq (msg.compressor, SV_MSG_QRP_COMPRESSOR_ZLIB);
  ck_assert_uint_eq (msg.entry_bits, 4);
  ck_assert_uint_eq (msg.data_len, 74);
  ck_assert_ptr_eq (msg.data, buf + 5);
  ck_assert_uint_eq (msg.data[0], 0x78);      /* zlib header */
  assert_reencodes (&msg, buf, len);
}
END_TEST

START_TEST (test_truncated_at_every_byte)
{
  const char *names[] = { FIXTURES "msg_qrp_1.bin", FIXTURES "msg_qrp_2.bin" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GBytes) p = payload_of (names[i]);
      gsize len;
      const guint8 *buf = g_bytes_get_data (p, &len);
      gsize fixed = buf[0] == SV_MSG_QRP_RESET ? SV_MSG_QRP_RESET_SIZE
                                               : SV_MSG_QRP_PATCH_HEADER_SIZE;

      for (gsize cut = 0; cut < len; cut++)
        {
          SvMsgQrp msg;
          SvStatus st = sv_msg_qrp_decode (buf, cut, &msg);

          if (cut < fixed)
            ck_assert_int_eq (st, SV_STATUS_TRUNCATED);
          else
            {
              /* a PATCH with its header is well-formed; the shorter data is the receiver's
               * business */
              ck_assert_int_eq (st, SV_STATUS_OK);
              ck_assert_uint_eq (msg.data_len, cut - fixed);
            }
        }
    }
}
END_TEST

START_TEST (test_bad_layouts)
{
  static const guint8 long_reset[] = { 0x00, 0x00, 0x40, 0x00, 0x00, 0x02, 0x00 };
  static const guint8 variant2[] = { 0x02, 0x01, 0x01, 0x00, 0x04 };
  static const guint8 empty_patch[] = { 0x01, 0x01, 0x01, 0x00, 0x04 };
  g_autofree guint8 *big = g_malloc0 (SV_MSG_MAX_OTHER_BYTES + 1);
  SvMsgQrp msg;

  ck_assert_int_eq (sv_msg_qrp_decode (long_reset, sizeof long_reset, &msg), SV_STATUS_BAD_LENGTH);
  ck_assert_int_eq (sv_msg_qrp_decode (variant2, sizeof variant2, &msg), SV_STATUS_UNSUPPORTED);
  ck_assert_int_eq (sv_msg_qrp_decode (NULL, 0, &msg), SV_STATUS_TRUNCATED);
  ck_assert_int_eq (sv_msg_qrp_decode (empty_patch, sizeof empty_patch, &msg), SV_STATUS_OK);
  ck_assert_uint_eq (msg.data_len, 0);
  big[0] = SV_MSG_QRP_PATCH;
  ck_assert_int_eq (sv_msg_qrp_decode (big, SV_MSG_MAX_OTHER_BYTES + 1, &msg), SV_STATUS_TOO_BIG);
  ck_assert_int_eq (sv_msg_qrp_decode (big, SV_MSG_MAX_OTHER_BYTES, &msg), SV_STATUS_OK);
  ck_assert_uint_eq (msg.data_len, SV_MSG_MAX_OTHER_BYTES - SV_MSG_QRP_PATCH_HEADER_SIZE);
}
END_TEST

START_TEST (test_encode_layout)
{
  static const guint8 data[] = { 0xAB, 0xCD };
  SvMsgQrp reset = { .variant = SV_MSG_QRP_RESET, .table_length = 0x00020000, .infinity = 7 };
  SvMsgQrp patch = { .variant = SV_MSG_QRP_PATCH, .seq_no = 2, .seq_size = 3, .compressor = 0,
                     .entry_bits = 8, .data = data, .data_len = 2 };
  static const guint8 want_reset[] = { 0x00, 0x00, 0x00, 0x02, 0x00, 0x07 };
  static const guint8 want_patch[] = { 0x01, 0x02, 0x03, 0x00, 0x08, 0xAB, 0xCD };

  assert_reencodes (&reset, want_reset, sizeof want_reset);
  assert_reencodes (&patch, want_patch, sizeof want_patch);
}
END_TEST

START_TEST (test_describe)
{
  g_autoptr (GBytes) r = payload_of (FIXTURES "msg_qrp_1.bin");
  g_autoptr (GBytes) p = payload_of (FIXTURES "msg_qrp_2.bin");
  g_autoptr (SvFields) fr = sv_fields_new ();
  g_autoptr (SvFields) fp = sv_fields_new ();
  g_autoptr (SvFields) fo = sv_fields_new ();
  SvMsgQrp msg;
  SvMsgQrp odd = { .variant = SV_MSG_QRP_PATCH, .compressor = 9, .entry_bits = 3 };
  gsize len;
  const guint8 *buf = g_bytes_get_data (r, &len);

  ck_assert_int_eq (sv_msg_qrp_decode (buf, len, &msg), SV_STATUS_OK);
  sv_msg_qrp_describe (&msg, fr);
  ck_assert_str_eq (sv_fields_find (fr, "variant")->v.s, "reset");
  ck_assert_uint_eq (sv_fields_find (fr, "table_length")->v.u, 16384);
  ck_assert_uint_eq (sv_fields_find (fr, "infinity")->v.u, 2);

  buf = g_bytes_get_data (p, &len);
  ck_assert_int_eq (sv_msg_qrp_decode (buf, len, &msg), SV_STATUS_OK);
  sv_msg_qrp_describe (&msg, fp);
  ck_assert_str_eq (sv_fields_find (fp, "variant")->v.s, "patch");
  ck_assert_uint_eq (sv_fields_find (fp, "seq_no")->v.u, 1);
  ck_assert_uint_eq (sv_fields_find (fp, "seq_size")->v.u, 1);
  ck_assert_str_eq (sv_fields_find (fp, "compressor")->v.s, "zlib");
  ck_assert_uint_eq (sv_fields_find (fp, "entry_bits")->v.u, 4);
  ck_assert_uint_eq (sv_fields_find (fp, "data_len")->v.u, 74);

  sv_msg_qrp_describe (&odd, fo);
  ck_assert_int_eq (sv_fields_find (fo, "compressor")->kind, SV_FIELD_UINT);
  ck_assert_uint_eq (sv_fields_find (fo, "compressor")->v.u, 9);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-qrp");
  TCase *tc = tcase_create ("codec");

  tcase_add_test (tc, test_captured_reset);
  tcase_add_test (tc, test_captured_patch);
  tcase_add_test (tc, test_truncated_at_every_byte);
  tcase_add_test (tc, test_bad_layouts);
  tcase_add_test (tc, test_encode_layout);
  tcase_add_test (tc, test_describe);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
