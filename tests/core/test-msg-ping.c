/* test-msg-ping.c: Ping and Pong payloads: captured gtk-gnutella bytes, typed GGEP, UP marking,
 * builders, and malformed input. */
#include "check-util.h"
#include "messages-txt.h"
#include "msg-header.h"
#include "msg-ping.h"

#include <string.h>

#define FIXTURE_DIR "gtk-gnutella/run-3peers-push/"

/* Splits a captured message into header and payload. */
static const guint8 *
payload_of (GBytes *msg, guint8 type, gsize *len)
{
  SvMsgHeader hdr;
  const guint8 *p = sv_test_msg_payload (msg, &hdr, len);

  ck_assert_uint_eq (hdr.type, type);
  return p;
}

static void
assert_ping_roundtrip (const guint8 *p, gsize len)
{
  g_autoptr (SvPing) ping = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();

  ck_assert_int_eq (sv_ping_decode (p, len, &ping), SV_STATUS_OK);
  sv_ping_encode (ping, out);
  ck_assert_uint_eq (out->len, len);
  if (len > 0)
    ck_assert_mem_eq (out->data, p, len);
}

static void
assert_pong_roundtrip (const guint8 *p, gsize len)
{
  g_autoptr (SvPong) pong = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();

  ck_assert_int_eq (sv_pong_decode (p, len, &pong), SV_STATUS_OK);
  sv_pong_encode (pong, out);
  ck_assert_uint_eq (out->len, len);
  ck_assert_mem_eq (out->data, p, len);
}

START_TEST (test_captured_pings)
{
  for (guint n = 1; n <= 2; n++)
    {
      g_autofree char *name = g_strdup_printf (FIXTURE_DIR "msg_ping_%u.bin", n);
      g_autoptr (GBytes) msg = sv_test_read_fixture (name);
      gsize len;
      const guint8 *p = payload_of (msg, SV_MSG_PING, &len);
      g_autoptr (SvPing) ping = NULL;
      g_autoptr (SvFields) f = sv_fields_new ();
      const SvField *scp, *ids;

      ck_assert_uint_eq (len, 7);
      ck_assert_int_eq (sv_ping_decode (p, len, &ping), SV_STATUS_OK);
      ck_assert_ptr_nonnull (ping->ggep);
      ck_assert_ptr_null (ping->trailing);
      ck_assert_uint_eq (sv_ggep_count (ping->ggep), 1);
      ck_assert_str_eq (sv_ggep_nth (ping->ggep, 0)->id, "SCP");
      ck_assert_uint_eq (g_bytes_get_size (sv_ggep_nth (ping->ggep, 0)->value), 1);

      sv_ping_describe (ping, f);
      scp = sv_fields_find (f, "scp");
      ck_assert_ptr_nonnull (scp);
      ck_assert_uint_eq (sv_fields_find (scp->v.obj, "flags")->v.u, 0);
      ck_assert (!sv_fields_find (scp->v.obj, "ultrapeers")->v.b);
      ids = sv_fields_find (f, "ggep");
      ck_assert_uint_eq (sv_fields_count (ids->v.obj), 1);
      ck_assert_str_eq (sv_fields_nth (ids->v.obj, 0)->v.s, "SCP");
      ck_assert_ptr_null (sv_fields_find (f, "unknown_ggep"));
      assert_ping_roundtrip (p, len);
    }
}
END_TEST

static void
check_gtkg_pong (const SvPong *pong)
{
  g_autoptr (SvFields) f = sv_fields_new ();
  const SvField *up, *vc;

  ck_assert_uint_eq (pong->port, 16348);
  ck_assert_uint_eq (pong->ip[0], 127);
  ck_assert_uint_eq (pong->ip[3], 1);
  ck_assert_uint_eq (pong->files, 4);
  ck_assert_uint_eq (pong->kbytes, 256);
  ck_assert (pong->has_vc);
  ck_assert_str_eq (pong->vc_vendor, "GTKG");
  ck_assert_uint_eq (pong->vc_version, 0x83);
  ck_assert (pong->has_up);
  ck_assert_uint_eq (pong->up_version, 2);
  ck_assert_uint_eq (pong->up_leaf_slots, 255);
  ck_assert_uint_eq (pong->up_up_slots, 30);
  ck_assert (pong->has_du);
  ck_assert_uint_eq (pong->du, 2);
  ck_assert_uint_eq (pong->n_ipp, 0);
  ck_assert (!pong->tls);

  sv_pong_describe (pong, f);
  ck_assert_uint_eq (sv_fields_find (f, "port")->v.u, 16348);
  ck_assert_str_eq (sv_fields_find (f, "ip")->v.s, "127.0.0.1");
  ck_assert_uint_eq (sv_fields_find (f, "files")->v.u, 4);
  ck_assert_uint_eq (sv_fields_find (f, "kbytes")->v.u, 256);
  ck_assert (sv_fields_find (f, "ultrapeer")->v.b);
  ck_assert_uint_eq (sv_fields_find (f, "du")->v.u, 2);
  up = sv_fields_find (f, "up");
  ck_assert_uint_eq (sv_fields_find (up->v.obj, "version")->v.u, 2);
  ck_assert_uint_eq (sv_fields_find (up->v.obj, "leaf_slots")->v.u, 255);
  ck_assert_uint_eq (sv_fields_find (up->v.obj, "up_slots")->v.u, 30);
  vc = sv_fields_find (f, "vc");
  ck_assert_str_eq (sv_fields_find (vc->v.obj, "vendor")->v.s, "GTKG");
  ck_assert_uint_eq (sv_fields_find (vc->v.obj, "version")->v.u, 0x83);
  ck_assert_ptr_null (sv_fields_find (f, "unknown_ggep"));
  ck_assert_ptr_null (sv_fields_find (f, "trailing"));
}

START_TEST (test_captured_pongs)
{
  for (guint n = 1; n <= 3; n++)
    {
      g_autofree char *name = g_strdup_printf (FIXTURE_DIR "msg_pong_%u.bin", n);
      g_autoptr (GBytes) msg = sv_test_read_fixture (name);
      gsize len;
      const guint8 *p = payload_of (msg, SV_MSG_PONG, &len);
      g_autoptr (SvPong) pong = NULL;

      ck_assert_uint_eq (len, 36);
      ck_assert_int_eq (sv_pong_decode (p, len, &pong), SV_STATUS_OK);
      check_gtkg_pong (pong);
      assert_pong_roundtrip (p, len);
    }
}
END_TEST

START_TEST (test_messages_txt)
{
  g_autoptr (GPtrArray) pings = sv_test_messages_txt ("ping");
  g_autoptr (GPtrArray) pongs = sv_test_messages_txt ("pong");

  ck_assert_uint_eq (pings->len, 2);
  ck_assert_uint_eq (pongs->len, 4);
  for (guint i = 0; i < pings->len; i++)
    {
      gsize len;
      const guint8 *p = payload_of (pings->pdata[i], SV_MSG_PING, &len);
      assert_ping_roundtrip (p, len);
    }
  for (guint i = 0; i < pongs->len; i++)
    {
      gsize len;
      const guint8 *p = payload_of (pongs->pdata[i], SV_MSG_PONG, &len);
      g_autoptr (SvPong) pong = NULL;

      ck_assert_int_eq (sv_pong_decode (p, len, &pong), SV_STATUS_OK);
      check_gtkg_pong (pong);
      assert_pong_roundtrip (p, len);
    }
}
END_TEST

START_TEST (test_truncated_at_every_byte)
{
  static const char *const names[] = { "msg_ping_1.bin", "msg_pong_1.bin", "msg_pong_3.bin" };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autofree char *name = g_strconcat (FIXTURE_DIR, names[n], NULL);
      g_autoptr (GBytes) msg = sv_test_read_fixture (name);
      gsize total;
      const guint8 *buf = g_bytes_get_data (msg, &total);
      const guint8 *p = buf + SV_MSG_HEADER_SIZE;
      gsize len = total - SV_MSG_HEADER_SIZE;
      gboolean is_ping = buf[16] == SV_MSG_PING;

      for (gsize cut = 0; cut < len; cut++)
        {
          /* A copy of exactly @cut bytes, so ASan sees any read past it. */
          g_autofree guint8 *copy = g_memdup2 (p, cut);
          if (is_ping)
            {
              SvPing *ping = (SvPing *) 0x1;
              SvStatus st = sv_ping_decode (copy, cut, &ping);
              /* An empty ping is valid; any part of the GGEP block is not. */
              ck_assert_int_eq (st == SV_STATUS_OK, cut == 0);
              if (st == SV_STATUS_OK)
                sv_ping_free (ping);
              else
                ck_assert_ptr_null (ping);
            }
          else
            {
              SvPong *pong = (SvPong *) 0x1;
              SvStatus st = sv_pong_decode (copy, cut, &pong);
              if (cut < SV_PONG_FIXED_SIZE)
                ck_assert_int_eq (st, SV_STATUS_TRUNCATED);
              /* 14 bytes exactly is a pong without GGEP. */
              ck_assert_int_eq (st == SV_STATUS_OK, cut == SV_PONG_FIXED_SIZE);
              if (st == SV_STATUS_OK)
                sv_pong_free (pong);
              else
                ck_assert_ptr_null (pong);
            }
        }
    }
}
END_TEST

/* Builds a pong payload: the fixed part of the captured pong + a GGEP block from @g. */
static GByteArray *
pong_with (SvGgep *g)
{
  static const guint8 ip[4] = { 10, 1, 2, 3 };
  g_autoptr (SvPong) pong = sv_pong_new_own (ip, 6346, 10, 1000, FALSE);
  GByteArray *out = g_byte_array_new ();

  pong->ggep = g;
  sv_pong_encode (pong, out);
  return out;
}

START_TEST (test_typed_extensions)
{
  SvGgep *g = sv_ggep_new ();
  static const guint8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
  guint8 ipp6[2 * SV_PONG_IPP6_ENTRY_SIZE] = { 0 };
  static const guint8 dht[3] = { 0, 2, 1 };
  static const guint8 gue = 0x01;
  const char *phc = "1.uhc.example.org:6346\r\nuhc2.example.net:1234\n";
  g_autoptr (GByteArray) bytes = NULL;
  g_autoptr (SvPong) pong = NULL;
  g_autoptr (SvFields) f = sv_fields_new ();
  g_autoptr (GByteArray) again = g_byte_array_new ();
  const SvField *arr;

  memcpy (ipp6, v6, 16);
  ipp6[16] = 0x34; ipp6[17] = 0x12;
  ipp6[18 + 15] = 2;
  ipp6[34] = 0xBA; ipp6[35] = 0x18;
  sv_ggep_add (g, "IPP6", ipp6, sizeof ipp6, SV_GGEP_ENC_NONE);
  sv_ggep_add (g, "PHC", phc, strlen (phc), SV_GGEP_ENC_DEFLATE);
  sv_ggep_add (g, "LOC", "en_US", 5, SV_GGEP_ENC_NONE);
  sv_ggep_add (g, "6", v6, 16, SV_GGEP_ENC_NONE);
  sv_ggep_add (g, "TLS", NULL, 0, SV_GGEP_ENC_NONE);
  sv_ggep_add (g, "GUE", &gue, 1, SV_GGEP_ENC_NONE);
  sv_ggep_add (g, "DHT", dht, 3, SV_GGEP_ENC_NONE);
  sv_ggep_add (g, "UDPHC", "uhc.example.org", 15, SV_GGEP_ENC_NONE);
  sv_ggep_add (g, "ZZ", "x", 1, SV_GGEP_ENC_NONE);
  bytes = pong_with (g);

  ck_assert_int_eq (sv_pong_decode (bytes->data, bytes->len, &pong), SV_STATUS_OK);
  ck_assert_uint_eq (pong->port, 6346);
  ck_assert_uint_eq (pong->kbytes, 1000);
  ck_assert_uint_eq (pong->n_ipp6, 2);
  ck_assert_uint_eq (pong->ipp6[0].port, 0x1234);
  ck_assert_uint_eq (pong->ipp6[1].port, 6330);
  ck_assert_ptr_nonnull (pong->phc);
  ck_assert_str_eq (pong->phc[0], "1.uhc.example.org:6346");
  ck_assert_str_eq (pong->phc[1], "uhc2.example.net:1234");
  ck_assert_ptr_null (pong->phc[2]);
  ck_assert_str_eq (pong->loc, "en_US");
  ck_assert (pong->has_ipv6);
  ck_assert_mem_eq (pong->ipv6, v6, 16);
  ck_assert (pong->tls);
  ck_assert (pong->has_gue);
  ck_assert_uint_eq (pong->gue, 1);
  ck_assert (pong->has_dht);
  ck_assert_uint_eq (pong->dht_minor, 2);
  ck_assert_uint_eq (pong->dht_flags, 1);
  ck_assert (pong->udphc);
  ck_assert_str_eq (pong->udphc_host, "uhc.example.org");

  sv_pong_describe (pong, f);
  ck_assert (!sv_fields_find (f, "ultrapeer")->v.b);
  arr = sv_fields_find (f, "ipp6");
  ck_assert_str_eq (sv_fields_nth (arr->v.obj, 0)->v.s, "[2001:db8::1]:4660");
  ck_assert_str_eq (sv_fields_nth (arr->v.obj, 1)->v.s, "[::2]:6330");
  arr = sv_fields_find (f, "phc");
  ck_assert_uint_eq (sv_fields_count (arr->v.obj), 2);
  ck_assert_str_eq (sv_fields_find (f, "ipv6")->v.s, "2001:db8::1");
  ck_assert_str_eq (sv_fields_find (f, "loc")->v.s, "en_US");
  ck_assert (sv_fields_find (f, "tls")->v.b);
  ck_assert_uint_eq (sv_fields_find (f, "gue")->v.u, 1);
  ck_assert_str_eq (sv_fields_find (sv_fields_find (f, "dht")->v.obj, "version")->v.s, "0.2");
  ck_assert_str_eq (sv_fields_find (f, "udphc")->v.s, "uhc.example.org");
  arr = sv_fields_find (f, "unknown_ggep");
  ck_assert_uint_eq (sv_fields_count (arr->v.obj), 1);
  ck_assert_str_eq (sv_fields_nth (arr->v.obj, 0)->v.s, "ZZ");

  sv_pong_encode (pong, again);
  ck_assert_uint_eq (again->len, bytes->len);
  ck_assert_mem_eq (again->data, bytes->data, bytes->len);
}
END_TEST

static GByteArray *
pong_with_ipp (const char *id, guint entries, gsize entry_size, gsize extra)
{
  SvGgep *g = sv_ggep_new ();
  g_autofree guint8 *data = g_malloc0 (entries * entry_size + extra + 1);

  for (guint i = 0; i < entries; i++)
    data[i * entry_size] = (guint8) (i + 1);
  ck_assert (sv_ggep_add (g, id, data, entries * entry_size + extra, SV_GGEP_ENC_NONE));
  return pong_with (g);
}

START_TEST (test_ipp_cap_and_lengths)
{
  g_autoptr (GByteArray) at_cap = pong_with_ipp ("IPP", SV_PONG_MAX_IPP_ENTRIES, 6, 0);
  g_autoptr (GByteArray) over = pong_with_ipp ("IPP", SV_PONG_MAX_IPP_ENTRIES + 1, 6, 0);
  g_autoptr (GByteArray) odd = pong_with_ipp ("IPP", 2, 6, 1);
  g_autoptr (GByteArray) over6 = pong_with_ipp ("IPP6", SV_PONG_MAX_IPP_ENTRIES + 1, 18, 0);
  g_autoptr (GByteArray) odd6 = pong_with_ipp ("IPP6", 1, 18, 17);
  g_autoptr (SvPong) a = NULL;
  g_autoptr (SvPong) b = NULL;
  g_autoptr (SvPong) c = NULL;
  g_autoptr (GByteArray) again = g_byte_array_new ();
  g_autoptr (SvFields) f = sv_fields_new ();
  SvPong *bad = NULL;

  ck_assert_int_eq (sv_pong_decode (at_cap->data, at_cap->len, &a), SV_STATUS_OK);
  ck_assert_uint_eq (a->n_ipp, SV_PONG_MAX_IPP_ENTRIES);
  ck_assert (!a->ipp_truncated);
  ck_assert_uint_eq (a->ipp[29].ip[0], 30);

  /* One entry over the cap: the first ones are kept, the message still re-encodes whole. */
  ck_assert_int_eq (sv_pong_decode (over->data, over->len, &b), SV_STATUS_OK);
  ck_assert_uint_eq (b->n_ipp, SV_PONG_MAX_IPP_ENTRIES);
  ck_assert (b->ipp_truncated);
  sv_pong_encode (b, again);
  ck_assert_uint_eq (again->len, over->len);
  ck_assert_mem_eq (again->data, over->data, over->len);
  sv_pong_describe (b, f);
  ck_assert_uint_eq (sv_fields_count (sv_fields_find (f, "ipp")->v.obj), SV_PONG_MAX_IPP_ENTRIES);
  ck_assert (sv_fields_find (f, "ipp_truncated")->v.b);
  ck_assert_str_eq (sv_fields_nth (sv_fields_find (f, "ipp")->v.obj, 0)->v.s, "1.0.0.0:0");

  ck_assert_int_eq (sv_pong_decode (over6->data, over6->len, &c), SV_STATUS_OK);
  ck_assert_uint_eq (c->n_ipp6, SV_PONG_MAX_IPP_ENTRIES);
  ck_assert (c->ipp6_truncated);

  ck_assert_int_eq (sv_pong_decode (odd->data, odd->len, &bad), SV_STATUS_BAD_LENGTH);
  ck_assert_ptr_null (bad);
  ck_assert_int_eq (sv_pong_decode (odd6->data, odd6->len, &bad), SV_STATUS_BAD_LENGTH);
  ck_assert_ptr_null (bad);
}
END_TEST

START_TEST (test_short_extensions)
{
  static const struct { const char *id; gsize len; } cases[] = {
    { "UP", 2 }, { "VC", 4 }, { "6", 15 }, { "DHT", 2 }, { "GUE", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SvGgep *g = sv_ggep_new ();
      guint8 data[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
      g_autoptr (GByteArray) bytes = NULL;
      g_autoptr (GByteArray) ok_bytes = NULL;
      SvPong *pong = NULL;

      ck_assert (sv_ggep_add (g, cases[i].id, data, cases[i].len, SV_GGEP_ENC_NONE));
      bytes = pong_with (g);
      ck_assert_int_eq (sv_pong_decode (bytes->data, bytes->len, &pong), SV_STATUS_TRUNCATED);
      ck_assert_ptr_null (pong);

      /* One byte more is the layout's minimum and decodes. */
      g = sv_ggep_new ();
      ck_assert (sv_ggep_add (g, cases[i].id, data, cases[i].len + 1, SV_GGEP_ENC_NONE));
      ok_bytes = pong_with (g);
      ck_assert_int_eq (sv_pong_decode (ok_bytes->data, ok_bytes->len, &pong), SV_STATUS_OK);
      sv_pong_free (pong);
    }
}
END_TEST

START_TEST (test_ggep_length_past_end)
{
  g_autoptr (GBytes) msg = sv_test_read_fixture (FIXTURE_DIR "msg_pong_1.bin");
  gsize total;
  const guint8 *buf = g_bytes_get_data (msg, &total);
  g_autofree guint8 *p = g_memdup2 (buf + SV_MSG_HEADER_SIZE, total - SV_MSG_HEADER_SIZE);
  gsize len = total - SV_MSG_HEADER_SIZE;
  SvPong *pong = NULL;
  SvPing *ping = NULL;
  /* A ping whose only extension claims 5 data bytes but has 1. */
  static const guint8 ping_bad[] = { 0xC3, 0x83, 'S', 'C', 'P', 0x45, 0x00 };
  static const guint8 ping_junk[] = { 0x01, 0x02 };
  g_autoptr (GByteArray) again = g_byte_array_new ();

  /* The last extension (DU) claims 1 byte; make it claim 2. */
  ck_assert_uint_eq (p[len - 2], 0x41);
  p[len - 2] = 0x42;
  ck_assert_int_ne (sv_pong_decode (p, len, &pong), SV_STATUS_OK);
  ck_assert_ptr_null (pong);

  ck_assert_int_eq (sv_ping_decode (ping_bad, sizeof ping_bad, &ping), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (ping);

  /* A legacy ping with non-GGEP data is kept as is. */
  ck_assert_int_eq (sv_ping_decode (ping_junk, sizeof ping_junk, &ping), SV_STATUS_OK);
  ck_assert_ptr_null (ping->ggep);
  ck_assert_uint_eq (g_bytes_get_size (ping->trailing), 2);
  sv_ping_encode (ping, again);
  ck_assert_mem_eq (again->data, ping_junk, 2);
  sv_ping_free (ping);
}
END_TEST

START_TEST (test_ultrapeer_marking)
{
  ck_assert (sv_pong_is_ultrapeer_marked (8));
  ck_assert (sv_pong_is_ultrapeer_marked (256));
  ck_assert (sv_pong_is_ultrapeer_marked (1u << 31));
  ck_assert (!sv_pong_is_ultrapeer_marked (4));
  ck_assert (!sv_pong_is_ultrapeer_marked (0));
  ck_assert (!sv_pong_is_ultrapeer_marked (257));
  ck_assert (!sv_pong_is_ultrapeer_marked (12));

  ck_assert_uint_eq (sv_pong_mark_kbytes (0, TRUE), 8);
  ck_assert_uint_eq (sv_pong_mark_kbytes (8, TRUE), 8);
  ck_assert_uint_eq (sv_pong_mark_kbytes (9, TRUE), 16);
  ck_assert_uint_eq (sv_pong_mark_kbytes (1000, TRUE), 1024);
  ck_assert_uint_eq (sv_pong_mark_kbytes (G_MAXUINT32, TRUE), 1u << 31);
  ck_assert_uint_eq (sv_pong_mark_kbytes (256, FALSE), 257);
  ck_assert_uint_eq (sv_pong_mark_kbytes (1u << 31, FALSE), (1u << 31) + 1);
  ck_assert_uint_eq (sv_pong_mark_kbytes (1000, FALSE), 1000);
  ck_assert_uint_eq (sv_pong_mark_kbytes (4, FALSE), 4);
  for (guint32 k = 0; k < 5000; k++)
    {
      ck_assert (sv_pong_is_ultrapeer_marked (sv_pong_mark_kbytes (k, TRUE)));
      ck_assert (!sv_pong_is_ultrapeer_marked (sv_pong_mark_kbytes (k, FALSE)));
    }
}
END_TEST

START_TEST (test_build_own_pong)
{
  static const guint8 ip[4] = { 192, 0, 2, 7 };
  SvPongIpp hosts[2] = { { { 198, 51, 100, 1 }, 6346 }, { { 203, 0, 113, 9 }, 16348 } };
  SvPongIpp6 hosts6[1] = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 }, 6350 } };
  g_autoptr (SvPong) own = sv_pong_new_own (ip, 6348, 12, 700, TRUE);
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (SvPong) back = NULL;
  g_autoptr (SvPing) ping = sv_ping_new ();
  g_autoptr (GByteArray) pbytes = g_byte_array_new ();
  g_autoptr (SvPing) pback = NULL;
  g_autoptr (SvFields) f = sv_fields_new ();

  sv_pong_add_vc (own, "SRVT", 0x01);
  sv_pong_add_up (own, 0, 30, 5);
  sv_pong_add_du (own, 3600);
  sv_pong_add_ipp (own, hosts, 2);
  sv_pong_add_ipp6 (own, hosts6, 1);
  {
    guint8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

    v6[15] = 9;
    sv_pong_add_ipv6 (own, v6);
  }
  sv_pong_encode (own, bytes);
  ck_assert_int_eq (sv_pong_decode (bytes->data, bytes->len, &back), SV_STATUS_OK);
  ck_assert_uint_eq (back->kbytes, 1024);
  ck_assert (sv_pong_is_ultrapeer_marked (back->kbytes));
  ck_assert_uint_eq (back->port, 6348);
  ck_assert_mem_eq (back->ip, ip, 4);
  ck_assert_str_eq (back->vc_vendor, "SRVT");
  ck_assert_uint_eq (back->up_leaf_slots, 30);
  ck_assert_uint_eq (back->up_up_slots, 5);
  ck_assert_uint_eq (back->du, 3600);
  ck_assert_uint_eq (back->n_ipp, 2);
  ck_assert_uint_eq (back->ipp[1].port, 16348);
  ck_assert_uint_eq (back->ipp[1].ip[0], 203);
  ck_assert (back->has_ipv6);
  ck_assert_uint_eq (back->ipv6[0], 0x20);
  ck_assert_uint_eq (back->ipv6[15], 9);
  sv_pong_describe (back, f);
  ck_assert_str_eq (sv_fields_find (f, "ipv6")->v.s, "2001:db8::9");
  ck_assert_str_eq (sv_fields_nth (sv_fields_find (f, "ipp")->v.obj, 1)->v.s, "203.0.113.9:16348");
  ck_assert_uint_eq (back->n_ipp6, 1);
  ck_assert_uint_eq (back->ipp6[0].port, 6350);
  ck_assert_str_eq (sv_fields_nth (sv_fields_find (f, "ipp6")->v.obj, 0)->v.s, "[2001:db8::5]:6350");

  sv_ping_set_scp (ping, SV_PING_SCP_ULTRAPEERS | SV_PING_SCP_TLS);
  sv_ping_encode (ping, pbytes);
  ck_assert_int_eq (sv_ping_decode (pbytes->data, pbytes->len, &pback), SV_STATUS_OK);
  ck_assert_uint_eq (*(const guint8 *) g_bytes_get_data (sv_ggep_find (pback->ggep, "SCP")->value, NULL),
                     SV_PING_SCP_ULTRAPEERS | SV_PING_SCP_TLS);
  ck_assert_uint_eq (sv_ping_scp (pback), SV_PING_SCP_ULTRAPEERS | SV_PING_SCP_TLS);
  ck_assert_uint_eq (sv_ping_scp (ping), SV_PING_SCP_ULTRAPEERS | SV_PING_SCP_TLS);
  {
    g_autoptr (SvPing) plain = sv_ping_new ();

    ck_assert_uint_eq (sv_ping_scp (plain), 0);
  }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-ping");
  TCase *tc = tcase_create ("ping-pong");

  tcase_add_test (tc, test_captured_pings);
  tcase_add_test (tc, test_captured_pongs);
  tcase_add_test (tc, test_messages_txt);
  tcase_add_test (tc, test_truncated_at_every_byte);
  tcase_add_test (tc, test_typed_extensions);
  tcase_add_test (tc, test_ipp_cap_and_lengths);
  tcase_add_test (tc, test_short_extensions);
  tcase_add_test (tc, test_ggep_length_past_end);
  tcase_add_test (tc, test_ultrapeer_marking);
  tcase_add_test (tc, test_build_own_pong);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
