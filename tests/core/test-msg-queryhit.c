/* test-msg-queryhit.c: the QueryHit payload codec (results, trailer, GUID), the builder of our own
 * hits, and malformed input. */
#include "check-util.h"
#include "msg-queryhit.h"

#include <string.h>

#include "bytes.h"

#define FIXTURE_DIR "gtk-gnutella/run-3peers-push/"

static GBytes *
fixture_payload (const char *name)
{
  SvMsgHeader hdr;
  GBytes *payload = sv_test_fixture_payload (name, &hdr);

  ck_assert_uint_eq (hdr.type, SV_MSG_QUERYHIT);
  ck_assert_uint_gt (g_bytes_get_size (payload), 0);
  return payload;
}

static void
assert_reencodes (const SvQueryHit *hit, const guint8 *buf, gsize len)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  sv_queryhit_encode (hit, out);
  ck_assert_uint_eq (out->len, len);
  ck_assert_mem_eq (out->data, buf, len);
}

static void
assert_result (const SvQueryHit *hit, guint i, guint32 index, guint64 size, const char *name,
               const char *urn)
{
  const SvQueryHitResult *res = g_ptr_array_index (hit->results, i);
  char text[SV_URN_SHA1_LEN + 1];

  ck_assert_uint_eq (res->index, index);
  ck_assert_uint_eq (res->size, size);
  ck_assert_uint_eq (res->size32, size);
  ck_assert_str_eq (res->name, name);
  ck_assert_uint_eq (res->name_len, strlen (name));
  ck_assert (res->has_sha1);
  sv_urn_sha1_format (&res->sha1, text);
  ck_assert_str_eq (text, urn);
  ck_assert (res->has_tth);                        /* gtk-gnutella sends bitprints */
  ck_assert (res->has_ctime);                      /* and GGEP CT */
  ck_assert_uint_eq (res->n_alts, 0);
  ck_assert (!res->partial);
  ck_assert_ptr_nonnull (sv_query_ext_find_ggep (res->exts, "H"));
  ck_assert_ptr_nonnull (sv_query_ext_find_ggep (res->exts, "CT"));
}

static void
assert_gtkg_trailer (const SvQueryHit *hit, gboolean firewalled, const char *guid_hex)
{
  char hex[SV_GUID_HEX_LEN + 1];
  const SvQhitTrailer *t = hit->trailer;

  ck_assert_ptr_nonnull (t);
  ck_assert_str_eq (t->vendor, "GTKG");
  ck_assert_uint_eq (t->open_size, 2);
  ck_assert_int_eq (sv_qhit_trailer_firewalled (t), firewalled);
  ck_assert (!sv_qhit_trailer_busy (t));
  ck_assert (!sv_qhit_trailer_uploaded (t));
  ck_assert (sv_qhit_trailer_has_ggep (t));
  ck_assert (sv_qhit_trailer_has_key (t, "GTKGV"));
  ck_assert (sv_qhit_trailer_has_key (t, "BH"));
  ck_assert (!sv_qhit_trailer_has_key (t, "PUSH"));
  ck_assert_uint_eq (sv_ggep_count (t->ggep), 2);
  ck_assert_str_eq (sv_ggep_nth (t->ggep, 0)->id, "GTKGV");
  ck_assert_uint_eq (g_bytes_get_size (sv_ggep_nth (t->ggep, 0)->value), 16);
  ck_assert_str_eq (sv_ggep_nth (t->ggep, 1)->id, "BH");
  ck_assert_ptr_null (t->private_pre);
  ck_assert_ptr_null (t->private_post);
  ck_assert_uint_eq (t->n_push_proxies, 0);
  sv_guid_to_hex (&hit->servent, hex);
  ck_assert_str_eq (hex, guid_hex);
}

START_TEST (test_decode_firewalled_leaf_hit)
{
  const char *names[] = { FIXTURE_DIR "msg_queryhit_1.bin", FIXTURE_DIR "msg_queryhit_3.bin" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr (GBytes) payload = fixture_payload (names[k]);
      gsize len;
      const guint8 *buf = g_bytes_get_data (payload, &len);
      g_autoptr (SvQueryHit) hit = NULL;

      ck_assert_uint_eq (len, 328);
      ck_assert_int_eq (sv_queryhit_decode (buf, len, &hit), SV_STATUS_OK);
      ck_assert_uint_eq (hit->results->len, 3);
      ck_assert_uint_eq (hit->port, 0);
      ck_assert_mem_eq (hit->ip, "\x7f\x00\x00\x00", 4);
      ck_assert_uint_eq (hit->speed, 16);
      /* QY2J… is the file leafA later fetched with a PUSH (http.txt). */
      assert_result (hit, 0, 4, 80000, "leafB_zebrafile_2.bin", "urn:sha1:QY2JLSMMJYG7XRQNKNMV56U7AFLRSPFB");
      assert_result (hit, 1, 2, 40000, "leafB_zebrafile_1.bin", "urn:sha1:BENPU4ABSQBN7S6H4KGYUYRW3OGBSF3Y");
      assert_result (hit, 2, 1, 120000, "leafB_zebrafile_3.bin", "urn:sha1:PVPJNXB3AUSUSFS6XL5BKGEGSWXAADPQ");
      /* A = 0x2d, B = 0x21: firewalled (push bit in both bytes), GGEP present. */
      ck_assert_mem_eq (g_bytes_get_data (hit->trailer->open_data, NULL), "\x2d\x21", 2);
      assert_gtkg_trailer (hit, TRUE, "7a80310213277edcf7378b115cdf03f5");
      assert_reencodes (hit, buf, len);
    }
}
END_TEST

START_TEST (test_decode_ultrapeer_hit)
{
  g_autoptr (GBytes) payload = fixture_payload (FIXTURE_DIR "msg_queryhit_2.bin");
  gsize len;
  const guint8 *buf = g_bytes_get_data (payload, &len);
  g_autoptr (SvQueryHit) hit = NULL;
  g_autoptr (SvFields) fields = sv_fields_new ();
  const SvField *f, *res0, *trailer;

  ck_assert_uint_eq (len, 321);
  ck_assert_int_eq (sv_queryhit_decode (buf, len, &hit), SV_STATUS_OK);
  ck_assert_uint_eq (hit->results->len, 3);
  ck_assert_uint_eq (hit->port, 16348);
  ck_assert_mem_eq (hit->ip, "\x7f\x00\x00\x01", 4);
  ck_assert_uint_eq (hit->speed, 16);
  assert_result (hit, 0, 3, 120000, "up2_zebrafile_3.bin", "urn:sha1:6ZHZPXLWKOXVZMG5XSQD4HZVVKEL7MXO");
  /* SWFS… is the file leafA fetched from up2 with a plain GET (http.txt). */
  assert_result (hit, 1, 2, 80000, "up2_zebrafile_2.bin", "urn:sha1:SWFS3GUKNT72ASOX6ABLF2LSKPMQIZHQ");
  assert_result (hit, 2, 1, 40000, "up2_zebrafile_1.bin", "urn:sha1:ZNTSQGHLOLGAMC2ZNW2EWRXMGZNW67DC");
  /* A = 0x2c, B = 0x21: the push bit only in B means not firewalled. */
  assert_gtkg_trailer (hit, FALSE, "00c23102f2a6f92f81d79880195fd7a4");
  assert_reencodes (hit, buf, len);

  sv_queryhit_describe (hit, fields);
  ck_assert_uint_eq (sv_fields_find (fields, "count")->v.u, 3);
  ck_assert_uint_eq (sv_fields_find (fields, "port")->v.u, 16348);
  ck_assert_str_eq (sv_fields_find (fields, "ip")->v.s, "127.0.0.1");
  ck_assert_str_eq (sv_fields_find (fields, "servent_guid")->v.s, "00c23102f2a6f92f81d79880195fd7a4");
  f = sv_fields_find (fields, "results");
  ck_assert_int_eq (f->kind, SV_FIELD_ARRAY);
  ck_assert_uint_eq (sv_fields_count (f->v.obj), 3);
  res0 = sv_fields_nth (f->v.obj, 0);
  ck_assert_str_eq (sv_fields_find (res0->v.obj, "name")->v.s, "up2_zebrafile_3.bin");
  ck_assert_uint_eq (sv_fields_find (res0->v.obj, "size")->v.u, 120000);
  ck_assert_str_eq (sv_fields_find (res0->v.obj, "urn")->v.s, "urn:sha1:6ZHZPXLWKOXVZMG5XSQD4HZVVKEL7MXO");
  trailer = sv_fields_find (fields, "trailer");
  ck_assert_str_eq (sv_fields_find (trailer->v.obj, "vendor")->v.s, "GTKG");
  f = sv_fields_find (trailer->v.obj, "ggep");
  ck_assert_str_eq (sv_fields_nth (f->v.obj, 0)->v.s, "GTKGV");
  ck_assert_str_eq (sv_fields_nth (f->v.obj, 1)->v.s, "BH");
  f = sv_fields_find (trailer->v.obj, "flags");
  ck_assert_uint_eq (sv_fields_count (f->v.obj), 1);
  ck_assert_str_eq (sv_fields_nth (f->v.obj, 0)->v.s, "ggep");
}
END_TEST

START_TEST (test_truncation_at_every_byte)
{
  const char *names[] = { FIXTURE_DIR "msg_queryhit_1.bin", FIXTURE_DIR "msg_queryhit_2.bin" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr (GBytes) payload = fixture_payload (names[k]);
      gsize len;
      const guint8 *buf = g_bytes_get_data (payload, &len);
      const gsize records_end = len - 16 - 35;   /* the trailer is 35 bytes in these hits */

      for (gsize cut = 0; cut < len; cut++)
        {
          SvQueryHit *hit = (SvQueryHit *) 0x1;
          SvStatus st = sv_queryhit_decode (buf, cut, &hit);

          if (st == SV_STATUS_OK)
            {
              /* Whatever a shorter input decodes to must re-encode to the same bytes. */
              ck_assert_uint_ge (cut, records_end + 16);
              assert_reencodes (hit, buf, cut);
              sv_queryhit_free (hit);
              continue;
            }
          ck_assert_ptr_null (hit);
          if (cut < records_end + 16)
            ck_assert_int_eq (st, SV_STATUS_TRUNCATED);
        }
    }
}
END_TEST

START_TEST (test_count_larger_than_records)
{
  g_autoptr (GBytes) payload = fixture_payload (FIXTURE_DIR "msg_queryhit_2.bin");
  gsize len = g_bytes_get_size (payload);
  g_autofree guint8 *buf = g_memdup2 (g_bytes_get_data (payload, NULL), len);
  SvQueryHit *hit = NULL;

  /* (A count of 4 reads the trailer's bytes as a fourth record here, which happens to hold two
   * NULs: a count one too large cannot always be told from a trailer.) */
  buf[0] = 5;
  ck_assert_int_eq (sv_queryhit_decode (buf, len, &hit), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (hit);
  buf[0] = 255;
  ck_assert_int_eq (sv_queryhit_decode (buf, len, &hit), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (hit);
}
END_TEST

/* A hit header: count, port 6346, 10.0.0.1, speed 100. */
static GByteArray *
hit_start (guint8 count)
{
  GByteArray *b = g_byte_array_new ();

  sv_put_u8 (b, count);
  sv_put_le16 (b, 6346);
  sv_put_bytes (b, "\x0a\x00\x00\x01", 4);
  sv_put_le32 (b, 100);
  return b;
}

static void
put_guid (GByteArray *b)
{
  for (guint8 i = 0; i < 16; i++)
    sv_put_u8 (b, (guint8) (0xA0 + i));
}

static void
put_record (GByteArray *b, guint32 index, guint32 size, const char *name, const guint8 *ext, gsize ext_len)
{
  sv_put_le32 (b, index);
  sv_put_le32 (b, size);
  sv_put_bytes (b, name, strlen (name));
  sv_put_u8 (b, 0);
  sv_put_bytes (b, ext, ext_len);
  sv_put_u8 (b, 0);
}

START_TEST (test_missing_nuls)
{
  SvQueryHit *hit = NULL;
  g_autoptr (GByteArray) no_name_nul = hit_start (1);
  g_autoptr (GByteArray) no_ext_nul = hit_start (1);
  g_autoptr (GByteArray) tiny = hit_start (0);

  sv_put_le32 (no_name_nul, 1);
  sv_put_le32 (no_name_nul, 10);
  sv_put_bytes (no_name_nul, "name.txt", 8);
  put_guid (no_name_nul);        /* the GUID has no NUL either: never read as part of a record */
  ck_assert_int_eq (sv_queryhit_decode (no_name_nul->data, no_name_nul->len, &hit), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (hit);

  sv_put_le32 (no_ext_nul, 1);
  sv_put_le32 (no_ext_nul, 10);
  sv_put_bytes (no_ext_nul, "name.txt\0urn:sha1:", 18);
  put_guid (no_ext_nul);
  ck_assert_int_eq (sv_queryhit_decode (no_ext_nul->data, no_ext_nul->len, &hit), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (hit);

  /* 11 fixed bytes + 15 of a GUID. */
  sv_put_bytes (tiny, "0123456789abcde", 15);
  ck_assert_int_eq (sv_queryhit_decode (tiny->data, tiny->len, &hit), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (hit);
}
END_TEST

START_TEST (test_no_trailer_and_huge_text)
{
  SvSha1 sha1;
  char urn[SV_URN_SHA1_LEN + 1];
  g_autoptr (GByteArray) b = hit_start (2);
  g_autoptr (SvQueryHit) hit = NULL;
  const SvQueryHitResult *res;

  for (guint i = 0; i < SV_SHA1_LEN; i++)
    sha1.b[i] = (guint8) (i * 13);
  sv_urn_sha1_format (&sha1, urn);
  put_record (b, 7, 1234, "old.mp3", (const guint8 *) urn, SV_URN_SHA1_LEN);
  put_record (b, 8, 99, "", NULL, 0);
  put_guid (b);
  ck_assert_int_eq (sv_queryhit_decode (b->data, b->len, &hit), SV_STATUS_OK);
  ck_assert_ptr_null (hit->trailer);
  ck_assert_uint_eq (hit->servent.b[0], 0xA0);
  ck_assert_uint_eq (hit->servent.b[15], 0xAF);
  res = g_ptr_array_index (hit->results, 0);
  ck_assert (res->has_sha1);
  ck_assert_mem_eq (res->sha1.b, sha1.b, SV_SHA1_LEN);
  ck_assert (!res->has_tth);
  res = g_ptr_array_index (hit->results, 1);
  ck_assert_str_eq (res->name, "");
  ck_assert (!res->has_sha1);
  ck_assert_uint_eq (res->exts->len, 0);
  assert_reencodes (hit, b->data, b->len);

  /* The count one larger than the records present. */
  b->data[0] = 3;
  {
    SvQueryHit *bad = NULL;

    ck_assert_int_eq (sv_queryhit_decode (b->data, b->len, &bad), SV_STATUS_TRUNCATED);
    ck_assert_ptr_null (bad);
  }
}
END_TEST

/* One record whose extension area is a GGEP block with @id = @value (COBS when asked). */
static GByteArray *
hit_with_result_ggep (const char *id, const guint8 *value, gsize len, guint32 size32)
{
  GByteArray *b = hit_start (1);
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  g_autoptr (GByteArray) ext = g_byte_array_new ();

  ck_assert (sv_ggep_add (ggep, id, value, len, SV_GGEP_ENC_NUL_FREE));
  sv_ggep_encode (ggep, ext);
  ck_assert_ptr_null (memchr (ext->data, 0, ext->len));
  put_record (b, 1, size32, "f", ext->data, ext->len);
  put_guid (b);
  return b;
}

static void
check_alts (guint n, guint kept)
{
  guint8 alts[6 * (SV_QUERYHIT_MAX_ALTLOCS + 1)];
  g_autoptr (GByteArray) b = NULL;
  g_autoptr (SvQueryHit) hit = NULL;
  const SvQueryHitResult *res;

  for (guint i = 0; i < n; i++)
    {
      memcpy (alts + 6 * i, "\x0a\x01\x02", 3);
      alts[6 * i + 3] = (guint8) (i + 1);
      sv_poke_le16 (alts + 6 * i + 4, (guint16) (6000 + i));
    }
  b = hit_with_result_ggep ("ALT", alts, 6 * n, 10);
  ck_assert_int_eq (sv_queryhit_decode (b->data, b->len, &hit), SV_STATUS_OK);
  res = g_ptr_array_index (hit->results, 0);
  ck_assert_uint_eq (res->n_alts, kept);
  ck_assert_mem_eq (res->alts[kept - 1].ip, "\x0a\x01\x02", 3);
  ck_assert_uint_eq (res->alts[kept - 1].ip[3], kept);
  ck_assert_uint_eq (res->alts[kept - 1].port, 6000 + kept - 1);
  assert_reencodes (hit, b->data, b->len);       /* entries past the cap still forwarded as sent */
}

START_TEST (test_altloc_cap)
{
  check_alts (SV_QUERYHIT_MAX_ALTLOCS, SV_QUERYHIT_MAX_ALTLOCS);
  check_alts (SV_QUERYHIT_MAX_ALTLOCS + 1, SV_QUERYHIT_MAX_ALTLOCS);
  check_alts (1, 1);
}
END_TEST

START_TEST (test_large_file_lf)
{
  const guint64 big = G_GUINT64_CONSTANT (5) << 30;      /* 5 GiB: 00 00 00 40 01 */
  guint8 lf[5] = { 0x00, 0x00, 0x00, 0x40, 0x01 };
  g_autoptr (GByteArray) b = hit_with_result_ggep ("LF", lf, sizeof lf, SV_QUERYHIT_SIZE_ESCAPE);
  g_autoptr (SvQueryHit) hit = NULL;
  const SvQueryHitResult *res;

  ck_assert_int_eq (sv_queryhit_decode (b->data, b->len, &hit), SV_STATUS_OK);
  res = g_ptr_array_index (hit->results, 0);
  ck_assert_uint_eq (res->size32, SV_QUERYHIT_SIZE_ESCAPE);
  ck_assert_uint_eq (res->size, big);
  assert_reencodes (hit, b->data, b->len);
}
END_TEST

/* A hit of one plain record followed by @trailer (@len bytes) and the GUID. */
static SvStatus
decode_with_trailer (const guint8 *trailer, gsize len, SvQueryHit **out)
{
  g_autoptr (GByteArray) b = hit_start (1);

  put_record (b, 1, 10, "a", NULL, 0);
  sv_put_bytes (b, trailer, len);
  put_guid (b);
  return sv_queryhit_decode (b->data, b->len, out);
}

START_TEST (test_trailer_variants)
{
  SvQueryHit *hit = NULL;
  /* NapShare: one open-data byte. */
  static const guint8 napshare[] = { 'N', 'A', 'P', 'S', 1, 0x01 };
  /* Open size 4 (XML size 300), private legacy bytes; the GGEP bit only in A. */
  static const guint8 lime[] = { 'L', 'I', 'M', 'E', 4, 0x3c, 0x15, 0x2c, 0x01, 0xC3, 0x99 };
  /* GGEP bit set, legacy bytes before the block and after it. */
  static const guint8 mixed[] = { 'R', 'A', 'Z', 'A', 2, 0x20, 0x20, 0x11, 0x22,
                                  0xC3, 0x82, 'B', 'H', 0x40, 0x33 };
  static const guint8 open_past_end[] = { 'G', 'T', 'K', 'G', 3, 0x2c };
  static const guint8 short_vendor[] = { 'G', 'T' };
  static const guint8 bad_ggep[] = { 'G', 'T', 'K', 'G', 2, 0x20, 0x20, 0xC3, 0x10, 'X', 0x40 };

  ck_assert_int_eq (decode_with_trailer (napshare, sizeof napshare, &hit), SV_STATUS_OK);
  ck_assert (sv_qhit_trailer_firewalled (hit->trailer));
  ck_assert_str_eq (hit->trailer->vendor, "NAPS");
  sv_queryhit_free (hit);
  hit = NULL;

  ck_assert_int_eq (decode_with_trailer (lime, sizeof lime, &hit), SV_STATUS_OK);
  ck_assert_uint_eq (hit->trailer->xml_size, 300);
  ck_assert (!sv_qhit_trailer_firewalled (hit->trailer));   /* A & B = 0x14: push only in B */
  ck_assert (sv_qhit_trailer_busy (hit->trailer));
  ck_assert (sv_qhit_trailer_measured (hit->trailer));
  ck_assert (!sv_qhit_trailer_uploaded (hit->trailer));
  ck_assert (!sv_qhit_trailer_has_ggep (hit->trailer));
  ck_assert_ptr_null (hit->trailer->ggep);      /* so 0xC3 0x99 stays raw private data */
  ck_assert_uint_eq (g_bytes_get_size (hit->trailer->private_pre), 2);
  sv_queryhit_free (hit);
  hit = NULL;

  ck_assert_int_eq (decode_with_trailer (mixed, sizeof mixed, &hit), SV_STATUS_OK);
  ck_assert (sv_qhit_trailer_has_key (hit->trailer, "BH"));
  ck_assert_uint_eq (g_bytes_get_size (hit->trailer->private_pre), 2);
  ck_assert_uint_eq (g_bytes_get_size (hit->trailer->private_post), 1);
  sv_queryhit_free (hit);
  hit = NULL;

  ck_assert_int_eq (decode_with_trailer (open_past_end, sizeof open_past_end, &hit), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (hit);
  ck_assert_int_eq (decode_with_trailer (short_vendor, sizeof short_vendor, &hit), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (hit);
  ck_assert_int_eq (decode_with_trailer (bad_ggep, sizeof bad_ggep, &hit), SV_STATUS_BAD_GGEP);
  ck_assert_ptr_null (hit);
}
END_TEST

static void
check_push_proxies (guint n, guint kept)
{
  g_autoptr (GByteArray) t = g_byte_array_new ();
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  guint8 hosts[6 * (SV_QUERYHIT_MAX_PUSH_PROXIES + 1)];
  SvQueryHit *hit = NULL;

  for (guint i = 0; i < n; i++)
    {
      memcpy (hosts + 6 * i, "\xc0\xa8\x00", 3);
      hosts[6 * i + 3] = (guint8) (i + 1);
      sv_poke_le16 (hosts + 6 * i + 4, (guint16) (7000 + i));
    }
  ck_assert (sv_ggep_add (ggep, "PUSH", hosts, 6 * n, SV_GGEP_ENC_NONE));
  sv_put_bytes (t, "LIME\x02\x2d\x21", 7);
  sv_ggep_encode (ggep, t);
  ck_assert_int_eq (decode_with_trailer (t->data, t->len, &hit), SV_STATUS_OK);
  ck_assert (sv_qhit_trailer_firewalled (hit->trailer));
  ck_assert_uint_eq (hit->trailer->n_push_proxies, kept);
  ck_assert_uint_eq (hit->trailer->push_proxies[kept - 1].ip[3], kept);
  ck_assert_uint_eq (hit->trailer->push_proxies[kept - 1].port, 7000 + kept - 1);
  sv_queryhit_free (hit);
}

START_TEST (test_push_proxy_cap)
{
  check_push_proxies (SV_QUERYHIT_MAX_PUSH_PROXIES, SV_QUERYHIT_MAX_PUSH_PROXIES);
  check_push_proxies (SV_QUERYHIT_MAX_PUSH_PROXIES + 1, SV_QUERYHIT_MAX_PUSH_PROXIES);
}
END_TEST

/* GGEP PUSH6: 18-byte entries (IPv6, port LE), capped like PUSH; a value of another length is
 * not read at all. */
static guint
push6_kept (gsize value_len)
{
  g_autoptr (GByteArray) t = g_byte_array_new ();
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  guint8 hosts[18 * (SV_QUERYHIT_MAX_PUSH_PROXIES + 1)] = { 0 };
  SvQueryHit *hit = NULL;
  guint kept;

  for (guint i = 0; i < SV_QUERYHIT_MAX_PUSH_PROXIES + 1; i++)
    {
      memcpy (hosts + 18 * i, "\x20\x01\x0d\xb8", 4);
      hosts[18 * i + 15] = (guint8) (i + 1);
      sv_poke_le16 (hosts + 18 * i + 16, (guint16) (7000 + i));
    }
  ck_assert (sv_ggep_add (ggep, "PUSH6", hosts, value_len, SV_GGEP_ENC_NONE));
  sv_put_bytes (t, "LIME\x02\x2d\x21", 7);
  sv_ggep_encode (ggep, t);
  ck_assert_int_eq (decode_with_trailer (t->data, t->len, &hit), SV_STATUS_OK);
  kept = hit->trailer->n_push_proxies6;
  if (kept > 0)
    {
      ck_assert_uint_eq (hit->trailer->push_proxies6[kept - 1].ip[15], kept);
      ck_assert_uint_eq (hit->trailer->push_proxies6[kept - 1].port, 7000 + kept - 1);
    }
  sv_queryhit_free (hit);
  return kept;
}

START_TEST (test_push6)
{
  ck_assert_uint_eq (push6_kept (18), 1);
  ck_assert_uint_eq (push6_kept (18 * SV_QUERYHIT_MAX_PUSH_PROXIES), SV_QUERYHIT_MAX_PUSH_PROXIES);
  ck_assert_uint_eq (push6_kept (18 * (SV_QUERYHIT_MAX_PUSH_PROXIES + 1)), SV_QUERYHIT_MAX_PUSH_PROXIES);
  ck_assert_uint_eq (push6_kept (17), 0);
  ck_assert_uint_eq (push6_kept (19), 0);
}
END_TEST

static void
own_defaults (SvQueryHitOwn *own)
{
  memset (own, 0, sizeof *own);
  own->port = 6346;
  memcpy (own->ip, "\x0a\x00\x00\x07", 4);
  own->speed = 1000;
  own->browse_host = TRUE;
  own->urn_style = SV_QUERYHIT_URN_GGEP_H;
  for (guint i = 0; i < 16; i++)
    own->servent.b[i] = (guint8) (0x10 + i);
}

START_TEST (test_build_and_decode)
{
  static const SvQhitHost proxies[2] = { { { 1, 2, 3, 4 }, 6346 }, { { 5, 6, 7, 8 }, 6347 } };
  static const SvQhitHost6 proxies6[1] = {
    { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 }, 6348 } };
  SvQueryHitOwn own;
  SvSha1 sha1;
  SvQueryHitFile files[3];
  const SvQueryHitUrnStyle styles[] = { SV_QUERYHIT_URN_HUGE, SV_QUERYHIT_URN_GGEP_H, SV_QUERYHIT_URN_BOTH };

  for (guint i = 0; i < SV_SHA1_LEN; i++)
    sha1.b[i] = (guint8) (i == 3 ? 0 : 0xF0 - i);          /* a NUL inside: GGEP H needs COBS */
  files[0] = (SvQueryHitFile) { 11, 80000, "song.ogg", &sha1 };
  files[1] = (SvQueryHitFile) { 12, G_GUINT64_CONSTANT (5) << 30, "big.iso", &sha1 };
  files[2] = (SvQueryHitFile) { 13, 0x7FFFFFFF, "no-hash.txt", NULL };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    for (guint fw = 0; fw < 2; fw++)
      {
        g_autoptr (SvQueryHit) built = NULL;
        g_autoptr (SvQueryHit) back = NULL;
        g_autoptr (GByteArray) out = g_byte_array_new ();
        guint used = 0;
        const SvQueryHitResult *r;
        const guint8 *open;

        own_defaults (&own);
        own.urn_style = styles[s];
        own.firewalled = fw;
        own.busy = fw;              /* vary the other bits along */
        own.push_proxies = proxies;
        own.n_push_proxies = G_N_ELEMENTS (proxies);
        own.push_proxies6 = proxies6;
        own.n_push_proxies6 = s % 2 == 0 ? 1 : 0;   /* PUSH6 when a proxy listens on IPv6 */
        /* Our IPv6 address rides along as GGEP "6" when we have one (every other round). */
        own.has_ipv6 = s % 2 == 0;
        memset (own.ipv6, 0, 16);
        own.ipv6[0] = 0x20;
        own.ipv6[1] = 0x01;
        own.ipv6[2] = 0x0d;
        own.ipv6[3] = 0xb8;
        own.ipv6[15] = 7;
        built = sv_queryhit_build (&own, files, G_N_ELEMENTS (files), &used);
        ck_assert_uint_eq (used, 3);
        sv_queryhit_encode (built, out);
        ck_assert_uint_le (out->len, SV_MSG_OWN_QUERYHIT_FLUSH_BYTES);
        ck_assert_int_eq (sv_queryhit_decode (out->data, out->len, &back), SV_STATUS_OK);
        ck_assert_uint_eq (back->results->len, 3);
        ck_assert_uint_eq (back->port, 6346);
        ck_assert_mem_eq (back->ip, "\x0a\x00\x00\x07", 4);
        ck_assert_uint_eq (back->speed, 1000);
        ck_assert_mem_eq (back->servent.b, own.servent.b, 16);

        r = g_ptr_array_index (back->results, 0);
        ck_assert_uint_eq (r->index, 11);
        ck_assert_uint_eq (r->size, 80000);
        ck_assert_str_eq (r->name, "song.ogg");
        ck_assert (r->has_sha1);
        ck_assert_mem_eq (r->sha1.b, sha1.b, SV_SHA1_LEN);
        ck_assert_int_eq (sv_query_ext_find_ggep (r->exts, "H") != NULL, styles[s] != SV_QUERYHIT_URN_HUGE);
        ck_assert_int_eq (((SvQueryExt *) g_ptr_array_index (r->exts, 0))->kind == SV_QUERY_EXT_URN,
                          styles[s] != SV_QUERYHIT_URN_GGEP_H);
        r = g_ptr_array_index (back->results, 1);
        ck_assert_uint_eq (r->size32, SV_QUERYHIT_SIZE_ESCAPE);
        ck_assert_uint_eq (r->size, G_GUINT64_CONSTANT (5) << 30);
        ck_assert_mem_eq (r->sha1.b, sha1.b, SV_SHA1_LEN);
        r = g_ptr_array_index (back->results, 2);
        ck_assert_uint_eq (r->size32, 0x7FFFFFFF);
        ck_assert (!r->has_sha1);
        ck_assert_uint_eq (r->exts->len, 0);

        /* The trailer, written the gtk-gnutella way. */
        ck_assert_str_eq (back->trailer->vendor, SV_QHIT_VENDOR_CODE);
        open = g_bytes_get_data (back->trailer->open_data, NULL);
        ck_assert_uint_eq (open[0], 0x04 | 0x08 | 0x20 | (fw ? 0x01 : 0));
        ck_assert_uint_eq (open[1], 0x01 | 0x20 | (fw ? 0x04 : 0));
        ck_assert_int_eq (sv_qhit_trailer_firewalled (back->trailer), fw);
        ck_assert_int_eq (sv_qhit_trailer_busy (back->trailer), fw);
        ck_assert (!sv_qhit_trailer_uploaded (back->trailer));
        ck_assert (sv_qhit_trailer_has_key (back->trailer, "BH"));
        ck_assert_int_eq (back->trailer->has_ipv6, own.has_ipv6);
        if (own.has_ipv6)
          ck_assert_mem_eq (back->trailer->ipv6, own.ipv6, 16);
        ck_assert_uint_eq (back->trailer->n_push_proxies, fw ? 2 : 0);
        if (fw)
          {
            ck_assert_mem_eq (back->trailer->push_proxies[1].ip, "\x05\x06\x07\x08", 4);
            ck_assert_uint_eq (back->trailer->push_proxies[1].port, 6347);
          }
        ck_assert_uint_eq (back->trailer->n_push_proxies6, fw ? own.n_push_proxies6 : 0);
        if (fw && own.n_push_proxies6 > 0)
          {
            ck_assert_mem_eq (back->trailer->push_proxies6[0].ip, proxies6[0].ip, 16);
            ck_assert_uint_eq (back->trailer->push_proxies6[0].port, 6348);
          }
        assert_reencodes (back, out->data, out->len);
      }
}
END_TEST

START_TEST (test_build_limits)
{
  SvQueryHitOwn own;
  SvQueryHitFile files[25];
  char names[25][200];
  g_autofree char *huge = g_strnfill (3000, 'x');
  guint used = 0, done = 0, hits = 0;

  own_defaults (&own);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_snprintf (names[i], sizeof names[i], "file-%u.txt", i);
      files[i] = (SvQueryHitFile) { i, 100 + i, names[i], NULL };
    }
  /* At most SV_MSG_MAX_RESULTS_PER_HIT per hit: 10, 10, 5. */
  while (done < G_N_ELEMENTS (files))
    {
      g_autoptr (SvQueryHit) hit = sv_queryhit_build (&own, files + done, G_N_ELEMENTS (files) - done, &used);

      ck_assert_uint_eq (used, MIN (SV_MSG_MAX_RESULTS_PER_HIT, G_N_ELEMENTS (files) - done));
      ck_assert_uint_eq (hit->results->len, used);
      ck_assert_uint_eq (((SvQueryHitResult *) g_ptr_array_index (hit->results, 0))->index, done);
      done += used;
      hits++;
    }
  ck_assert_uint_eq (hits, 3);

  /* The byte budget: 199-byte names, about 209 bytes per result, so fewer than 10 fit. */
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      memset (names[i], 'a' + (i % 26), sizeof names[i] - 1);
      names[i][sizeof names[i] - 1] = '\0';
    }
  {
    g_autoptr (SvQueryHit) hit = sv_queryhit_build (&own, files, G_N_ELEMENTS (files), &used);
    g_autoptr (GByteArray) out = g_byte_array_new ();

    sv_queryhit_encode (hit, out);
    ck_assert_uint_lt (used, SV_MSG_MAX_RESULTS_PER_HIT);
    ck_assert_uint_gt (used, 1);
    ck_assert_uint_le (out->len, SV_MSG_OWN_QUERYHIT_FLUSH_BYTES);
    /* One more result would have gone past the budget. */
    ck_assert_uint_gt (out->len + 8 + 199 + 2, SV_MSG_OWN_QUERYHIT_FLUSH_BYTES);
  }

  /* A single result larger than the budget still goes out alone. */
  files[0].name = huge;
  {
    g_autoptr (SvQueryHit) hit = sv_queryhit_build (&own, files, 2, &used);

    ck_assert_uint_eq (used, 1);
    ck_assert_uint_eq (hit->results->len, 1);
  }
  ck_assert_ptr_null (sv_queryhit_build (&own, files, 0, &used));
  ck_assert_uint_eq (used, 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-queryhit");
  TCase *tc = tcase_create ("queryhit");

  tcase_add_test (tc, test_decode_firewalled_leaf_hit);
  tcase_add_test (tc, test_decode_ultrapeer_hit);
  tcase_add_test (tc, test_truncation_at_every_byte);
  tcase_add_test (tc, test_count_larger_than_records);
  tcase_add_test (tc, test_missing_nuls);
  tcase_add_test (tc, test_no_trailer_and_huge_text);
  tcase_add_test (tc, test_altloc_cap);
  tcase_add_test (tc, test_large_file_lf);
  tcase_add_test (tc, test_trailer_variants);
  tcase_add_test (tc, test_push_proxy_cap);
  tcase_add_test (tc, test_push6);
  tcase_add_test (tc, test_build_and_decode);
  tcase_add_test (tc, test_build_limits);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
