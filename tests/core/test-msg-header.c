/* test-msg-header.c: the 23-byte header, framing caps and TTL/hops rules. */
#include "check-util.h"
#include "msg-header.h"

#include <string.h>

START_TEST (test_decode_captured_ping)
{
  g_autoptr (GBytes) bytes = sv_test_read_fixture ("gtk-gnutella/run-3peers-push/msg_ping_1.bin");
  gsize len;
  const guint8 *buf = g_bytes_get_data (bytes, &len);
  SvMsgHeader hdr;
  char hex[SV_GUID_HEX_LEN + 1];
  guint8 again[SV_MSG_HEADER_SIZE];
  gsize total = 0;

  ck_assert_int_eq (sv_msg_header_decode (buf, len, &hdr), SV_STATUS_OK);
  sv_guid_to_hex (&hdr.guid, hex);
  ck_assert_str_eq (hex, "7c4531024b0b3df4ff2740a038e5d103");
  ck_assert_uint_eq (hdr.type, SV_MSG_PING);
  ck_assert_uint_eq (hdr.ttl, 4);
  ck_assert_uint_eq (hdr.hops, 0);
  ck_assert_uint_eq (hdr.length, 7);
  ck_assert (sv_guid_is_modern (&hdr.guid));
  ck_assert_int_eq (sv_msg_header_frame (buf, len, &hdr, &total), SV_STATUS_OK);
  ck_assert_uint_eq (total, len);
  sv_msg_header_encode (&hdr, again);
  ck_assert_mem_eq (again, buf, SV_MSG_HEADER_SIZE);

  /* The whole message again from its header and payload, whatever length the header held. */
  {
    g_autoptr (GBytes) msg = NULL;

    hdr.length = 9999;
    msg = sv_msg_encode (&hdr, buf + SV_MSG_HEADER_SIZE, len - SV_MSG_HEADER_SIZE);
    ck_assert_uint_eq (g_bytes_get_size (msg), len);
    ck_assert_mem_eq (g_bytes_get_data (msg, NULL), buf, len);
  }
}
END_TEST

START_TEST (test_frame_needs_more_at_every_cut)
{
  g_autoptr (GBytes) bytes = sv_test_read_fixture ("gtk-gnutella/run-3peers-push/msg_pong_1.bin");
  gsize len;
  const guint8 *buf = g_bytes_get_data (bytes, &len);
  SvMsgHeader hdr;
  gsize total;

  for (gsize cut = 0; cut < len; cut++)
    ck_assert_int_eq (sv_msg_header_frame (buf, cut, &hdr, &total), SV_STATUS_NEED_MORE);
}
END_TEST

static void
frame_with_length (guint8 type, guint32 length, SvStatus expect)
{
  SvMsgHeader hdr = { .type = type, .ttl = 1, .hops = 0, .length = length };
  guint8 buf[SV_MSG_HEADER_SIZE];
  SvMsgHeader out;
  gsize total;

  sv_msg_header_encode (&hdr, buf);
  ck_assert_int_eq (sv_msg_header_frame (buf, sizeof buf, &out, &total), expect);
}

START_TEST (test_caps_exceeded_by_one)
{
  frame_with_length (SV_MSG_QUERY, SV_MSG_MAX_QUERY_BYTES, SV_STATUS_NEED_MORE);
  frame_with_length (SV_MSG_QUERY, SV_MSG_MAX_QUERY_BYTES + 1, SV_STATUS_TOO_BIG);
  frame_with_length (SV_MSG_QUERYHIT, SV_MSG_MAX_QUERYHIT_BYTES, SV_STATUS_NEED_MORE);
  frame_with_length (SV_MSG_QUERYHIT, SV_MSG_MAX_QUERYHIT_BYTES + 1, SV_STATUS_TOO_BIG);
  frame_with_length (SV_MSG_PING, SV_MSG_MAX_OTHER_BYTES, SV_STATUS_NEED_MORE);
  frame_with_length (SV_MSG_PING, SV_MSG_MAX_OTHER_BYTES + 1, SV_STATUS_TOO_BIG);
  frame_with_length (SV_MSG_HSEP, SV_MSG_MAX_OTHER_BYTES + 1, SV_STATUS_TOO_BIG);
  frame_with_length (SV_MSG_QUERYHIT, G_MAXUINT32, SV_STATUS_TOO_BIG);
}
END_TEST

START_TEST (test_ttl_rules)
{
  SvMsgHeader hdr = { .ttl = 7, .hops = 1 };

  ck_assert_int_eq (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT), SV_TTL_TRIMMED);
  ck_assert_uint_eq (hdr.ttl, SV_MSG_MAX_TTL);

  hdr.ttl = 3; hdr.hops = 1;
  ck_assert_int_eq (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT), SV_TTL_OK);

  hdr.ttl = 255; hdr.hops = 0;
  ck_assert_int_eq (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT), SV_TTL_DROP);

  hdr.ttl = 10; hdr.hops = 6;  /* 16 > 15 */
  ck_assert_int_eq (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT), SV_TTL_DROP);
  hdr.ttl = 10; hdr.hops = 5;  /* 15 is allowed, then trimmed */
  ck_assert_int_eq (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT), SV_TTL_TRIMMED);

  hdr.ttl = 0; hdr.hops = 3;
  ck_assert_int_eq (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT), SV_TTL_EXPIRED);

  hdr.ttl = 0; hdr.hops = 255;
  ck_assert_int_eq (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT), SV_TTL_DROP);
}
END_TEST

START_TEST (test_hop)
{
  SvMsgHeader hdr = { .ttl = 2, .hops = 0 };

  ck_assert (sv_msg_header_hop (&hdr));
  ck_assert_uint_eq (hdr.ttl, 1);
  ck_assert_uint_eq (hdr.hops, 1);
  ck_assert (!sv_msg_header_hop (&hdr));        /* would arrive with TTL 0 */
  ck_assert_uint_eq (hdr.ttl, 1);
  hdr.ttl = 5; hdr.hops = 255;
  ck_assert (!sv_msg_header_hop (&hdr));        /* hops never wraps */
  ck_assert_uint_eq (hdr.hops, 255);
}
END_TEST

START_TEST (test_guid_marks_and_hex)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  SvGuid g, back;
  char hex[SV_GUID_HEX_LEN + 1];

  sv_guid_new_message (&g, rand, SV_GUID_FLAG_PONG_CACHING);
  ck_assert_uint_eq (g.b[8], 0xFF);
  ck_assert_uint_eq (g.b[15], SV_GUID_FLAG_PONG_CACHING);
  sv_guid_to_hex (&g, hex);
  ck_assert (sv_guid_from_hex (hex, strlen (hex), &back));
  ck_assert (sv_guid_equal (&g, &back));
  ck_assert (!sv_guid_from_hex (hex, 31, &back));
  hex[5] = 'z';
  ck_assert (!sv_guid_from_hex (hex, 32, &back));
  ck_assert (sv_guid_from_hex ("00C23102F2A6F92F81D79880195FD7A4", 32, &back));
  ck_assert_uint_eq (back.b[1], 0xC2);
}
END_TEST

START_TEST (test_type_names)
{
  ck_assert_str_eq (sv_msg_type_name (SV_MSG_QUERYHIT), "queryhit");
  ck_assert_str_eq (sv_msg_type_name (SV_MSG_HSEP), "unknown");
  ck_assert (!sv_msg_type_is_known (SV_MSG_HSEP));
  ck_assert (sv_msg_type_is_known (SV_MSG_QRP));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-header");
  TCase *tc = tcase_create ("header");

  tcase_add_test (tc, test_decode_captured_ping);
  tcase_add_test (tc, test_frame_needs_more_at_every_cut);
  tcase_add_test (tc, test_caps_exceeded_by_one);
  tcase_add_test (tc, test_ttl_rules);
  tcase_add_test (tc, test_hop);
  tcase_add_test (tc, test_guid_marks_and_hex);
  tcase_add_test (tc, test_type_names);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
