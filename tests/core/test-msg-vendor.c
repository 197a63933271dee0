/* test-msg-vendor.c: vendor messages: captured gtk-gnutella bytes, every typed layout, builders,
 * generic pass-through, caps and malformed input. */
#include "check-util.h"
#include "messages-txt.h"
#include "msg-header.h"
#include "msg-vendor.h"

#include <string.h>

#define FIXTURE_DIR "gtk-gnutella/run-3peers-push/"

static const guint8 *
payload_of (GBytes *msg, gsize *len)
{
  SvMsgHeader hdr;
  const guint8 *p = sv_test_msg_payload (msg, &hdr, len);

  ck_assert_uint_eq (hdr.type, SV_MSG_VENDOR);
  ck_assert_uint_eq (hdr.ttl, 1);
  ck_assert_uint_eq (hdr.hops, 0);
  return p;
}

static SvVendorMsg *
decode_ok (const guint8 *p, gsize len)
{
  SvVendorMsg *msg = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();

  ck_assert_int_eq (sv_vendor_msg_decode (p, len, &msg), SV_STATUS_OK);
  ck_assert_ptr_nonnull (msg);
  sv_vendor_msg_encode (msg, out);
  ck_assert_uint_eq (out->len, len);
  ck_assert_mem_eq (out->data, p, len);
  return msg;
}

/* Encodes @msg, decodes it back and checks the bytes survive a second round. */
static SvVendorMsg *
through_wire (const SvVendorMsg *msg)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  sv_vendor_msg_encode (msg, out);
  return decode_ok (out->data, out->len);
}

static void
check_messages_supported (const SvVendorMsg *msg)
{
  g_autoptr (SvFields) f = sv_fields_new ();
  const SvVendorSupported *e;
  const SvField *arr;

  ck_assert_int_eq (msg->kind, SV_VENDOR_MESSAGES_SUPPORTED);
  ck_assert_uint_eq (msg->selector, 0);
  ck_assert_uint_eq (msg->version, 0);
  ck_assert_uint_eq (msg->supported->len, 26);
  e = &g_array_index (msg->supported, SvVendorSupported, 0);
  ck_assert_mem_eq (e->vendor, "BEAR", 4);
  ck_assert_uint_eq (e->selector, 4);
  ck_assert_uint_eq (e->version, 1);
  e = &g_array_index (msg->supported, SvVendorSupported, 25);
  ck_assert_mem_eq (e->vendor, "LIME", 4);
  ck_assert_uint_eq (e->selector, 24);
  ck_assert_uint_eq (e->version, 2);
  ck_assert_ptr_null (msg->trailing);

  sv_vendor_msg_describe (msg, f);
  ck_assert_str_eq (sv_fields_find (f, "vendor")->v.s, "");
  ck_assert_str_eq (sv_fields_find (f, "name")->v.s, "messages-supported");
  arr = sv_fields_find (f, "messages");
  ck_assert_uint_eq (sv_fields_count (arr->v.obj), 26);
  ck_assert_str_eq (sv_fields_nth (arr->v.obj, 0)->v.s, "BEAR/4v1");
  ck_assert_str_eq (sv_fields_nth (arr->v.obj, 5)->v.s, "GTKG/7v2");
  ck_assert_str_eq (sv_fields_nth (arr->v.obj, 18)->v.s, "LIME/21v1");
}

static void
check_features_supported (const SvVendorMsg *msg)
{
  static const char *const want[] = { "HSEP/1", "WHAT/1", "QRP1/1", "F2FT/65535", "TCPI/0" };
  g_autoptr (SvFields) f = sv_fields_new ();
  const SvField *arr;

  ck_assert_int_eq (msg->kind, SV_VENDOR_FEATURES_SUPPORTED);
  ck_assert_uint_eq (msg->selector, 10);
  ck_assert_uint_eq (msg->features->len, 5);
  ck_assert_mem_eq (g_array_index (msg->features, SvVendorFeature, 3).name, "F2FT", 4);
  ck_assert_uint_eq (g_array_index (msg->features, SvVendorFeature, 3).version, 0xFFFF);
  sv_vendor_msg_describe (msg, f);
  ck_assert_str_eq (sv_fields_find (f, "name")->v.s, "features-supported");
  arr = sv_fields_find (f, "features");
  ck_assert_uint_eq (sv_fields_count (arr->v.obj), G_N_ELEMENTS (want));
  /* TCPI's version differs between the peers of the capture. */
  for (guint i = 0; i < G_N_ELEMENTS (want) - 1; i++)
    ck_assert_str_eq (sv_fields_nth (arr->v.obj, i)->v.s, want[i]);
  ck_assert (g_str_has_prefix (sv_fields_nth (arr->v.obj, 4)->v.s, "TCPI/"));
}

static void
check_proxy_req (const SvVendorMsg *msg)
{
  g_autoptr (SvFields) f = sv_fields_new ();

  ck_assert_int_eq (msg->kind, SV_VENDOR_PUSH_PROXY_REQ);
  ck_assert_mem_eq (msg->vendor, "LIME", 4);
  ck_assert_uint_eq (msg->selector, 21);
  ck_assert_uint_eq (msg->version, 1);
  ck_assert_ptr_null (msg->trailing);
  sv_vendor_msg_describe (msg, f);
  ck_assert_str_eq (sv_fields_find (f, "vendor")->v.s, "LIME");
  ck_assert_uint_eq (sv_fields_find (f, "selector")->v.u, 21);
  ck_assert_uint_eq (sv_fields_find (f, "version")->v.u, 1);
  ck_assert_str_eq (sv_fields_find (f, "name")->v.s, "push-proxy-req");
}

START_TEST (test_captured_fixtures)
{
  g_autoptr (GBytes) m1 = sv_test_read_fixture (FIXTURE_DIR "msg_vendor_1.bin");
  g_autoptr (GBytes) m2 = sv_test_read_fixture (FIXTURE_DIR "msg_vendor_2.bin");
  g_autoptr (GBytes) m3 = sv_test_read_fixture (FIXTURE_DIR "msg_vendor_3.bin");
  gsize len;
  const guint8 *p;
  g_autoptr (SvVendorMsg) a = NULL;
  g_autoptr (SvVendorMsg) b = NULL;
  g_autoptr (SvVendorMsg) c = NULL;

  p = payload_of (m1, &len);
  ck_assert_uint_eq (len, 218);
  a = decode_ok (p, len);
  check_messages_supported (a);
  p = payload_of (m2, &len);
  ck_assert_uint_eq (len, 40);
  b = decode_ok (p, len);
  check_features_supported (b);
  p = payload_of (m3, &len);
  ck_assert_uint_eq (len, 8);
  c = decode_ok (p, len);
  check_proxy_req (c);
}
END_TEST

START_TEST (test_messages_txt)
{
  g_autoptr (GPtrArray) all = sv_test_messages_txt ("vendor");
  guint kinds[SV_VENDOR_OOB_REPLY_IND + 1] = { 0 };

  ck_assert_uint_eq (all->len, 15);
  for (guint i = 0; i < all->len; i++)
    {
      gsize len;
      const guint8 *p = payload_of (all->pdata[i], &len);
      g_autoptr (SvVendorMsg) msg = decode_ok (p, len);

      kinds[msg->kind]++;
      if (msg->kind == SV_VENDOR_MESSAGES_SUPPORTED)
        check_messages_supported (msg);
      else if (msg->kind == SV_VENDOR_FEATURES_SUPPORTED)
        check_features_supported (msg);
      else
        check_proxy_req (msg);
    }
  ck_assert_uint_eq (kinds[SV_VENDOR_MESSAGES_SUPPORTED], 4);
  ck_assert_uint_eq (kinds[SV_VENDOR_FEATURES_SUPPORTED], 4);
  ck_assert_uint_eq (kinds[SV_VENDOR_PUSH_PROXY_REQ], 7);
}
END_TEST

START_TEST (test_truncated_at_every_byte)
{
  for (guint n = 1; n <= 3; n++)
    {
      g_autofree char *name = g_strdup_printf (FIXTURE_DIR "msg_vendor_%u.bin", n);
      g_autoptr (GBytes) msg = sv_test_read_fixture (name);
      gsize len;
      const guint8 *p = payload_of (msg, &len);

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autofree guint8 *copy = g_memdup2 (p, cut);
          SvVendorMsg *out = (SvVendorMsg *) 0x1;

          ck_assert_int_eq (sv_vendor_msg_decode (copy, cut, &out), SV_STATUS_TRUNCATED);
          ck_assert_ptr_null (out);
        }
    }
}
END_TEST

static GByteArray *
supported_payload (guint16 selector, guint count, gsize entry_size, gsize present)
{
  GByteArray *out = g_byte_array_new ();
  static const guint8 hdr[6] = { 0, 0, 0, 0, 0, 0 };

  g_byte_array_append (out, hdr, 4);
  g_byte_array_append (out, (const guint8 *) &(guint8[2]) { (guint8) selector, 0 }, 2);
  g_byte_array_append (out, hdr, 2);
  g_byte_array_append (out, (const guint8 *) &(guint8[2]) { (guint8) count, (guint8) (count >> 8) }, 2);
  for (gsize i = 0; i < present * entry_size; i++)
    {
      guint8 b = (guint8) ('A' + i % 26);
      g_byte_array_append (out, &b, 1);
    }
  return out;
}

START_TEST (test_supported_caps)
{
  static const guint16 selectors[] = { SV_VENDOR_SEL_MESSAGES_SUPPORTED, SV_VENDOR_SEL_FEATURES_SUPPORTED };
  static const gsize sizes[] = { SV_VENDOR_SUPPORTED_ENTRY_SIZE, SV_VENDOR_FEATURE_ENTRY_SIZE };

  for (guint i = 0; i < 2; i++)
    {
      guint cap = SV_VENDOR_MAX_SUPPORTED_ENTRIES;
      g_autoptr (GByteArray) at_cap = supported_payload (selectors[i], cap, sizes[i], cap);
      g_autoptr (GByteArray) over = supported_payload (selectors[i], cap + 1, sizes[i], cap + 1);
      g_autoptr (GByteArray) short_by_one = supported_payload (selectors[i], 3, sizes[i], 2);
      g_autoptr (GByteArray) huge = supported_payload (selectors[i], 0xFFFF, sizes[i], 1);
      g_autoptr (GByteArray) extra = supported_payload (selectors[i], 2, sizes[i], 3);
      g_autoptr (SvVendorMsg) ok = NULL;
      g_autoptr (SvVendorMsg) with_extra = NULL;
      SvVendorMsg *bad = NULL;

      ok = decode_ok (at_cap->data, at_cap->len);
      ck_assert_uint_eq ((i == 0 ? ok->supported : ok->features)->len, cap);
      ck_assert_int_eq (sv_vendor_msg_decode (over->data, over->len, &bad), SV_STATUS_TOO_BIG);
      ck_assert_ptr_null (bad);
      ck_assert_int_eq (sv_vendor_msg_decode (huge->data, huge->len, &bad), SV_STATUS_TOO_BIG);
      ck_assert_int_eq (sv_vendor_msg_decode (short_by_one->data, short_by_one->len, &bad),
                        SV_STATUS_TRUNCATED);
      ck_assert_ptr_null (bad);
      /* Bytes past the announced entries are tolerated and kept. */
      with_extra = decode_ok (extra->data, extra->len);
      ck_assert_uint_eq ((i == 0 ? with_extra->supported : with_extra->features)->len, 2);
      ck_assert_uint_eq (g_bytes_get_size (with_extra->trailing), sizes[i]);
    }
}
END_TEST

/* A message with a known layout, cut one byte short of it, gives TRUNCATED. */
static void
assert_short_by_one (const SvVendorMsg *msg)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SvVendorMsg *bad = NULL;

  sv_vendor_msg_encode (msg, out);
  ck_assert_int_eq (sv_vendor_msg_decode (out->data, out->len - 1, &bad), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (bad);
}

START_TEST (test_builders_and_layouts)
{
  static const guint8 ip[4] = { 192, 0, 2, 33 };
  static const SvGuid guid = { { 0xAA, 1, 2, 3, 4, 5, 6, 7, 0xFF, 9, 10, 11, 12, 13, 14, 0 } };
  static const SvVendorSupported sup[] = { { "LIME", 21, 1 }, { "BEAR", 4, 1 } };
  static const SvVendorFeature feat[] = { { "TLS!", 1 }, { "WHAT", 1 } };
  static const guint8 token[4] = { 0xDE, 0xAD, 0xBE, 0xEF };
  g_autoptr (SvVendorMsg) ms = sv_vendor_msg_new_messages_supported (sup, 2);
  g_autoptr (SvVendorMsg) fs = sv_vendor_msg_new_features_supported (feat, 2);
  g_autoptr (SvVendorMsg) req = sv_vendor_msg_new_push_proxy_req (2);
  g_autoptr (SvVendorMsg) ack = sv_vendor_msg_new_push_proxy_ack (ip, 6346);
  g_autoptr (SvVendorMsg) hops = sv_vendor_msg_new_hops_flow (0);
  g_autoptr (SvVendorMsg) tcb = sv_vendor_msg_new_tcp_connect_back (6347);
  g_autoptr (SvVendorMsg) ucb1 = sv_vendor_msg_new_udp_connect_back (6348, &guid);
  g_autoptr (SvVendorMsg) ucb2 = sv_vendor_msg_new_udp_connect_back (6349, NULL);
  g_autoptr (SvVendorMsg) ind = sv_vendor_msg_new_oob_reply_ind (7, TRUE, FALSE);
  g_autoptr (SvVendorMsg) ind3 = sv_vendor_msg_new_oob_reply_ind (200, FALSE, TRUE);
  g_autoptr (SvVendorMsg) oack = sv_vendor_msg_new_oob_reply_ack (5, NULL, 0);
  g_autoptr (SvVendorMsg) oack3 = sv_vendor_msg_new_oob_reply_ack (9, token, sizeof token);
  g_autoptr (SvVendorMsg) b = NULL;
  g_autoptr (GByteArray) raw = g_byte_array_new ();
  g_autoptr (SvFields) f = sv_fields_new ();
  const guint8 *tok;
  gsize tok_len;

  b = through_wire (ms);
  ck_assert_int_eq (b->kind, SV_VENDOR_MESSAGES_SUPPORTED);
  ck_assert_uint_eq (b->supported->len, 2);
  ck_assert_mem_eq (g_array_index (b->supported, SvVendorSupported, 1).vendor, "BEAR", 4);
  g_clear_pointer (&b, sv_vendor_msg_free);

  b = through_wire (fs);
  ck_assert_mem_eq (g_array_index (b->features, SvVendorFeature, 0).name, "TLS!", 4);
  g_clear_pointer (&b, sv_vendor_msg_free);

  b = through_wire (req);
  ck_assert_int_eq (b->kind, SV_VENDOR_PUSH_PROXY_REQ);
  ck_assert_uint_eq (b->version, 2);
  g_clear_pointer (&b, sv_vendor_msg_free);

  /* LIME/22 v2: IPv4 BE then port LE, 6 bytes after the vendor header. */
  sv_vendor_msg_encode (ack, raw);
  ck_assert_uint_eq (raw->len, 14);
  ck_assert_mem_eq (raw->data, "LIME\x16\x00\x02\x00\xC0\x00\x02\x21\xCA\x18", 14);
  b = through_wire (ack);
  ck_assert_int_eq (b->kind, SV_VENDOR_PUSH_PROXY_ACK);
  ck_assert_mem_eq (b->ip, ip, 4);
  ck_assert_uint_eq (b->port, 6346);
  sv_vendor_msg_describe (b, f);
  ck_assert_str_eq (sv_fields_find (f, "ip")->v.s, "192.0.2.33");
  ck_assert_uint_eq (sv_fields_find (f, "port")->v.u, 6346);
  assert_short_by_one (ack);
  g_clear_pointer (&b, sv_vendor_msg_free);

  /* LIME/22 v1: the port only. */
  {
    static const guint8 v1[] = { 'L', 'I', 'M', 'E', 22, 0, 1, 0, 0xCA, 0x18 };
    g_autoptr (SvVendorMsg) a1 = decode_ok (v1, sizeof v1);
    ck_assert_int_eq (a1->kind, SV_VENDOR_PUSH_PROXY_ACK);
    ck_assert_uint_eq (a1->port, 6346);
    assert_short_by_one (a1);
  }

  b = through_wire (hops);
  ck_assert_int_eq (b->kind, SV_VENDOR_HOPS_FLOW);
  ck_assert_uint_eq (b->hops, 0);
  assert_short_by_one (hops);
  g_clear_pointer (&b, sv_vendor_msg_free);

  b = through_wire (tcb);
  ck_assert_int_eq (b->kind, SV_VENDOR_TCP_CONNECT_BACK);
  ck_assert_uint_eq (b->port, 6347);
  assert_short_by_one (tcb);
  g_clear_pointer (&b, sv_vendor_msg_free);

  /* GTKG/7 v1 carries the GUID in the payload, v2 only the port. */
  g_byte_array_set_size (raw, 0);
  sv_vendor_msg_encode (ucb1, raw);
  ck_assert_uint_eq (raw->len, 8 + 2 + 16);
  b = through_wire (ucb1);
  ck_assert_int_eq (b->kind, SV_VENDOR_UDP_CONNECT_BACK);
  ck_assert_uint_eq (b->version, 1);
  ck_assert (sv_guid_equal (&b->guid, &guid));
  assert_short_by_one (ucb1);
  g_clear_pointer (&b, sv_vendor_msg_free);
  g_byte_array_set_size (raw, 0);
  sv_vendor_msg_encode (ucb2, raw);
  ck_assert_uint_eq (raw->len, 8 + 2);
  b = through_wire (ucb2);
  ck_assert_uint_eq (b->version, 2);
  ck_assert_uint_eq (b->port, 6349);
  assert_short_by_one (ucb2);
  g_clear_pointer (&b, sv_vendor_msg_free);

  b = through_wire (ind);
  ck_assert_int_eq (b->kind, SV_VENDOR_OOB_REPLY_IND);
  ck_assert_uint_eq (b->version, 2);
  ck_assert_uint_eq (b->hits, 7);
  ck_assert_uint_eq (b->flags, SV_VENDOR_OOB_FLAG_UNSOLICITED);
  assert_short_by_one (ind);
  g_clear_pointer (&b, sv_vendor_msg_free);
  b = through_wire (ind3);
  ck_assert_uint_eq (b->version, 3);
  ck_assert_uint_eq (b->hits, 200);
  ck_assert_uint_eq (b->flags, 0);
  g_clear_pointer (&b, sv_vendor_msg_free);

  b = through_wire (oack);
  ck_assert_int_eq (b->kind, SV_VENDOR_OOB_REPLY_ACK);
  ck_assert_uint_eq (b->version, 2);
  ck_assert_uint_eq (b->hits, 5);
  ck_assert_ptr_null (sv_vendor_msg_oob_token (b, &tok_len));
  assert_short_by_one (oack);
  g_clear_pointer (&b, sv_vendor_msg_free);
  b = through_wire (oack3);
  ck_assert_uint_eq (b->version, 3);
  ck_assert_uint_eq (b->hits, 9);
  tok = sv_vendor_msg_oob_token (b, &tok_len);
  ck_assert_uint_eq (tok_len, 4);
  ck_assert_mem_eq (tok, token, 4);
  {
    g_autoptr (SvFields) g = sv_fields_new ();
    sv_vendor_msg_describe (b, g);
    ck_assert_str_eq (sv_fields_find (g, "name")->v.s, "oob-reply-ack");
    ck_assert_str_eq (sv_fields_find (g, "token")->v.s, "deadbeef");
  }
}
END_TEST

START_TEST (test_generic_and_unknown_versions)
{
  /* An unknown message, and a known one at a version we do not decode: both pass through. */
  static const guint8 unknown[] = { 'G', 'T', 'K', 'G', 0x15, 0, 1, 0, 1, 2, 3 };
  static const guint8 hops_v2[] = { 'B', 'E', 'A', 'R', 4, 0, 2, 0, 5 };
  static const guint8 oob_bad_ggep[] = { 'L', 'I', 'M', 'E', 11, 0, 3, 0, 5, 0xC3, 0x82, 'S', 'O', 0x44, 1 };
  static const guint8 oob_v3_plain[] = { 'L', 'I', 'M', 'E', 11, 0, 3, 0, 5 };
  g_autoptr (SvVendorMsg) a = decode_ok (unknown, sizeof unknown);
  g_autoptr (SvVendorMsg) b = decode_ok (hops_v2, sizeof hops_v2);
  g_autoptr (SvVendorMsg) c = decode_ok (oob_v3_plain, sizeof oob_v3_plain);
  g_autoptr (SvFields) f = sv_fields_new ();
  SvVendorMsg *bad = NULL;

  ck_assert_int_eq (a->kind, SV_VENDOR_GENERIC);
  ck_assert_uint_eq (a->selector, 21);
  ck_assert_uint_eq (g_bytes_get_size (a->trailing), 3);
  sv_vendor_msg_describe (a, f);
  ck_assert_str_eq (sv_fields_find (f, "vendor")->v.s, "GTKG");
  ck_assert_str_eq (sv_fields_find (f, "name")->v.s, "generic");
  ck_assert_str_eq (sv_fields_find (f, "body")->v.s, "010203");
  ck_assert_int_eq (b->kind, SV_VENDOR_GENERIC);
  ck_assert_int_eq (c->kind, SV_VENDOR_OOB_REPLY_ACK);
  ck_assert_ptr_null (c->ggep);

  /* A GGEP "SO" whose length runs past the end. */
  ck_assert_int_eq (sv_vendor_msg_decode (oob_bad_ggep, sizeof oob_bad_ggep, &bad), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (bad);
  ck_assert_str_eq (sv_vendor_kind_name (SV_VENDOR_UDP_CONNECT_BACK), "udp-connect-back");
}
END_TEST

START_TEST (test_rendezvous)
{
  static const SvGuid token = { { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 } };
  static const guint8 v3[] = { 'S', 'V', 'N', 'T', 1, 0, 3, 0, 1 };
  g_autoptr (SvVendorMsg) m = sv_vendor_msg_new_rendezvous (&token, FALSE);
  g_autoptr (SvVendorMsg) relay = sv_vendor_msg_new_rendezvous (&token, TRUE);
  g_autoptr (SvVendorMsg) r2 = NULL;
  g_autoptr (SvVendorMsg) b = NULL;
  g_autoptr (SvVendorMsg) other = decode_ok (v3, sizeof v3);
  g_autoptr (SvVendorMsg) m6 = sv_vendor_msg_new_rendezvous (&token, FALSE);
  g_autoptr (SvVendorMsg) b6 = NULL;
  g_autoptr (GByteArray) raw = g_byte_array_new ();
  g_autoptr (SvFields) f = sv_fields_new ();

  /* SVNT/1 v1: the vendor header, then the 16-byte token. */
  sv_vendor_msg_encode (m, raw);
  ck_assert_uint_eq (raw->len, 24);
  ck_assert_mem_eq (raw->data, "SVNT\x01\x00\x01\x00", 8);
  ck_assert_mem_eq (raw->data + 8, token.b, 16);
  b = through_wire (m);
  ck_assert_int_eq (b->kind, SV_VENDOR_RENDEZVOUS);
  ck_assert (sv_guid_equal (&b->guid, &token));
  sv_vendor_msg_describe (b, f);
  ck_assert_str_eq (sv_fields_find (f, "name")->v.s, "rendezvous");
  ck_assert_str_eq (sv_fields_find (f, "token")->v.s, "000102030405060708090a0b0c0d0e0f");
  assert_short_by_one (m);
  /* SVNT/2: the relay, the same body. */
  r2 = through_wire (relay);
  ck_assert_int_eq (r2->kind, SV_VENDOR_RELAY);
  ck_assert_uint_eq (r2->selector, 2);
  ck_assert (sv_guid_equal (&r2->guid, &token));
  assert_short_by_one (relay);
  /* SVNT/1 v2: the downloader called over IPv6; the same body. */
  m6->version = 2;
  b6 = through_wire (m6);
  ck_assert_int_eq (b6->kind, SV_VENDOR_RENDEZVOUS);
  ck_assert_uint_eq (b6->version, 2);
  ck_assert (sv_guid_equal (&b6->guid, &token));
  assert_short_by_one (m6);
  /* Another version is not ours to read. */
  ck_assert_int_eq (other->kind, SV_VENDOR_GENERIC);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-vendor");
  TCase *tc = tcase_create ("vendor");

  tcase_add_test (tc, test_captured_fixtures);
  tcase_add_test (tc, test_messages_txt);
  tcase_add_test (tc, test_truncated_at_every_byte);
  tcase_add_test (tc, test_supported_caps);
  tcase_add_test (tc, test_builders_and_layouts);
  tcase_add_test (tc, test_generic_and_unknown_versions);
  tcase_add_test (tc, test_rendezvous);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
