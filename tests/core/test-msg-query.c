/* test-msg-query.c: the Query payload codec, its builder, helpers and malformed input. */
#include "check-util.h"
#include "msg-query.h"

#include <string.h>

#include "bytes.h"

static GBytes *
fixture_payload (const char *name)
{
  g_autofree char *rel = g_strdup_printf ("gtk-gnutella/run-3peers-push/%s", name);
  SvMsgHeader hdr;
  GBytes *payload = sv_test_fixture_payload (rel, &hdr);

  ck_assert_uint_eq (hdr.type, SV_MSG_QUERY);
  ck_assert_uint_gt (g_bytes_get_size (payload), 0);
  return payload;
}

static void
assert_reencodes (const SvQuery *q, const guint8 *buf, gsize len)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  sv_query_encode (q, out);
  ck_assert_uint_eq (out->len, len);
  ck_assert_mem_eq (out->data, buf, len);
}

static const SvField *
find_field (const SvFields *fields, const char *key)
{
  const SvField *f = sv_fields_find (fields, key);

  ck_assert_msg (f != NULL, "missing field %s", key);
  return f;
}

static gboolean
array_has_string (const SvField *arr, const char *s)
{
  ck_assert_int_eq (arr->kind, SV_FIELD_ARRAY);
  for (guint i = 0; i < sv_fields_count (arr->v.obj); i++)
    {
      const SvField *item = sv_fields_nth (arr->v.obj, i);
      if (item->kind == SV_FIELD_STRING && strcmp (item->v.s, s) == 0)
        return TRUE;
    }
  return FALSE;
}

START_TEST (test_decode_gtkg_query)
{
  const char *names[] = { "msg_query_1.bin", "msg_query_2.bin" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr (GBytes) payload = fixture_payload (names[k]);
      gsize len;
      const guint8 *buf = g_bytes_get_data (payload, &len);
      g_autoptr (SvQuery) q = NULL;
      g_autoptr (SvFields) fields = sv_fields_new ();
      const SvQueryExt *ext;
      SvSha1 sha1[4];

      ck_assert_uint_eq (len, 17);
      ck_assert_int_eq (sv_query_decode (buf, len, &q), SV_STATUS_OK);
      ck_assert_ptr_nonnull (q);
      /* 0xB900: flags mark, XML, leaf-guided, GGEP H, semi-reliable UDP, no hit limit. */
      ck_assert_uint_eq (q->flags, 0xB900);
      ck_assert (q->flags & SV_QUERY_F_GGEP_H);
      ck_assert (q->flags & SV_QUERY_F_MARK);
      ck_assert (q->flags & SV_QUERY_F_XML);
      ck_assert (q->flags & SV_QUERY_F_LEAF_GUIDED);
      ck_assert (q->flags & SV_QUERY_F_SR_UDP);
      ck_assert (!(q->flags & SV_QUERY_F_OOB));
      ck_assert (!(q->flags & SV_QUERY_F_FIREWALLED));
      ck_assert_str_eq (q->criteria, "zebrafile");
      ck_assert_uint_eq (q->criteria_len, 9);
      ck_assert_uint_eq (q->exts->len, 1);
      ext = g_ptr_array_index (q->exts, 0);
      ck_assert_int_eq (ext->kind, SV_QUERY_EXT_GGEP);
      ck_assert_uint_eq (sv_ggep_count (ext->ggep), 1);
      ck_assert_str_eq (sv_ggep_nth (ext->ggep, 0)->id, "PR");
      ck_assert_uint_eq (g_bytes_get_size (sv_ggep_nth (ext->ggep, 0)->value), 0);
      ck_assert_ptr_nonnull (sv_query_ext_find_ggep (q->exts, "PR"));
      ck_assert_ptr_null (sv_query_ext_find_ggep (q->exts, "H"));
      ck_assert (!sv_query_is_whats_new (q));
      ck_assert (!sv_query_wants_urns (q));
      ck_assert_uint_eq (sv_query_requested_sha1 (q, sha1, G_N_ELEMENTS (sha1)), 0);
      assert_reencodes (q, buf, len);

      sv_query_describe (q, fields);
      ck_assert_str_eq (find_field (fields, "criteria")->v.s, "zebrafile");
      ck_assert_uint_eq (find_field (fields, "max_hits")->v.u, 0);
      ck_assert (array_has_string (find_field (fields, "flag_names"), "leaf_guided"));
      ck_assert (array_has_string (find_field (fields, "flag_names"), "xml"));
      ck_assert (array_has_string (find_field (fields, "flag_names"), "ggep_h"));
      ck_assert (!array_has_string (find_field (fields, "flag_names"), "oob"));
      ck_assert (array_has_string (find_field (fields, "ggep"), "PR"));
      ck_assert_ptr_null (sv_fields_find (fields, "min_speed"));
    }
}
END_TEST

START_TEST (test_truncation_at_every_byte)
{
  g_autoptr (GBytes) payload = fixture_payload ("msg_query_1.bin");
  gsize len;
  const guint8 *buf = g_bytes_get_data (payload, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      SvQuery *q = (SvQuery *) 0x1;
      SvStatus st = sv_query_decode (buf, cut, &q);

      if (cut == 12)
        {
          /* Exactly flags + "zebrafile" + NUL: a valid query without extensions. */
          ck_assert_int_eq (st, SV_STATUS_OK);
          ck_assert_uint_eq (q->exts->len, 0);
          assert_reencodes (q, buf, cut);
          sv_query_free (q);
          continue;
        }
      ck_assert_msg (st != SV_STATUS_OK, "cut %zu accepted", cut);
      ck_assert_ptr_null (q);
      if (cut < 12)
        ck_assert_int_eq (st, SV_STATUS_TRUNCATED);      /* no flags or no NUL */
    }
}
END_TEST

START_TEST (test_missing_nul_and_bad_ggep)
{
  static const guint8 no_nul[] = { 0x80, 0x00, 'a', 'b', 'c' };
  static const guint8 bad_ggep[] = { 0x80, 0x00, 'a', 0x00, 0xC3, 0x10, 'X', 0x40 };  /* reserved bit */
  static const guint8 ggep_past_end[] = { 0x80, 0x00, 'a', 0x00, 0xC3, 0x82, 'P', 'R', 0x45, 1, 2 };
  SvQuery *q = NULL;

  ck_assert_int_eq (sv_query_decode (no_nul, sizeof no_nul, &q), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (q);
  ck_assert_int_eq (sv_query_decode (NULL, 0, &q), SV_STATUS_TRUNCATED);
  ck_assert_int_eq (sv_query_decode (bad_ggep, sizeof bad_ggep, &q), SV_STATUS_BAD_GGEP);
  ck_assert_ptr_null (q);
  ck_assert_int_eq (sv_query_decode (ggep_past_end, sizeof ggep_past_end, &q), SV_STATUS_TRUNCATED);
  ck_assert_ptr_null (q);
}
END_TEST

START_TEST (test_legacy_items_and_separators_kept)
{
  /* min speed 0 (bit 15 clear), criteria, then: NUL separator, "urn:", 0x1C 0x1C, XML,
   * 0x1C, a GGEP block, trailing 0x1C. */
  static const char xml[] = "<?xml version=\"1.0\"?><audios><audio title=\"x\"/></audios>";
  g_autoptr (GByteArray) in = g_byte_array_new ();
  g_autoptr (SvQuery) q = NULL;
  g_autoptr (SvFields) fields = sv_fields_new ();
  const SvQueryExt *ext;

  sv_put_be16 (in, 0x0000);
  sv_put_bytes (in, "two words", 9);
  sv_put_u8 (in, 0);
  sv_put_u8 (in, 0);
  sv_put_bytes (in, "urn:", 4);
  sv_put_u8 (in, 0x1C);
  sv_put_u8 (in, 0x1C);
  sv_put_bytes (in, xml, strlen (xml));
  sv_put_u8 (in, 0x1C);
  sv_put_bytes (in, "\xC3\x82NP\x40", 5);
  sv_put_u8 (in, 0x1C);

  ck_assert_int_eq (sv_query_decode (in->data, in->len, &q), SV_STATUS_OK);
  ck_assert_uint_eq (q->exts->len, 3);
  ext = g_ptr_array_index (q->exts, 0);
  ck_assert_int_eq (ext->kind, SV_QUERY_EXT_URN);
  ck_assert (!ext->has_sha1);
  ext = g_ptr_array_index (q->exts, 1);
  ck_assert_int_eq (ext->kind, SV_QUERY_EXT_XML);
  ck_assert_uint_eq (g_bytes_get_size (ext->text), strlen (xml));
  ext = g_ptr_array_index (q->exts, 2);
  ck_assert_int_eq (ext->kind, SV_QUERY_EXT_GGEP);
  ck_assert (sv_query_wants_urns (q));
  ck_assert_ptr_nonnull (sv_query_ext_find_ggep (q->exts, "NP"));
  assert_reencodes (q, in->data, in->len);

  sv_query_describe (q, fields);
  ck_assert_uint_eq (find_field (fields, "min_speed")->v.u, 0);
  ck_assert_ptr_null (sv_fields_find (fields, "flag_names"));
  ck_assert_str_eq (find_field (fields, "xml")->v.s, xml);
  ck_assert (array_has_string (find_field (fields, "urns"), "urn:"));
  ck_assert (array_has_string (find_field (fields, "ggep"), "NP"));
}
END_TEST

static void
fill_sha1 (SvSha1 *sha1, guint8 seed)
{
  for (guint i = 0; i < SV_SHA1_LEN; i++)
    sha1->b[i] = (guint8) (seed + i * 7);
}

START_TEST (test_builder_roundtrip)
{
  g_autoptr (SvQuery) q = sv_query_new (SV_QUERY_F_GGEP_H | SV_QUERY_F_OOB | 50, "free music");
  g_autoptr (SvQuery) back = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SvSha1 a, b, got[4];
  guint8 h[1 + SV_SHA1_LEN];
  char urn[SV_URN_SHA1_LEN + 1];
  SvGgep *ggep;

  fill_sha1 (&a, 1);
  fill_sha1 (&b, 2);
  sv_query_add_text (q, "urn:");
  sv_query_add_sha1 (q, &a);
  ggep = sv_query_ggep (q);
  ck_assert_ptr_eq (sv_query_ggep (q), ggep);                 /* the same block is reused */
  ck_assert (sv_ggep_add (ggep, "SO", NULL, 0, SV_GGEP_ENC_NONE));
  h[0] = 0x01;
  memcpy (h + 1, b.b, SV_SHA1_LEN);
  ck_assert (sv_ggep_add (ggep, "H", h, sizeof h, SV_GGEP_ENC_NONE));
  sv_query_add_sha1 (q, &a);                                   /* duplicate: reported once */
  sv_query_encode (q, out);

  /* flags BE with the mark, then criteria, NUL, first item without separator. */
  ck_assert_uint_eq (sv_peek_be16 (out->data), 0x8000 | SV_QUERY_F_GGEP_H | SV_QUERY_F_OOB | 50);
  ck_assert_mem_eq (out->data + 2, "free music\0urn:\x1curn:sha1:", 25);
  sv_urn_sha1_format (&a, urn);
  ck_assert_mem_eq (out->data + 18, urn, SV_URN_SHA1_LEN);
  ck_assert_uint_eq (out->data[18 + SV_URN_SHA1_LEN], 0x1C);
  ck_assert_uint_eq (out->data[19 + SV_URN_SHA1_LEN], SV_GGEP_MAGIC);

  ck_assert_int_eq (sv_query_decode (out->data, out->len, &back), SV_STATUS_OK);
  ck_assert_str_eq (back->criteria, "free music");
  ck_assert_uint_eq (back->flags & SV_QUERY_F_MAX_HITS_MASK, 50);
  ck_assert_uint_eq (back->exts->len, 4);
  ck_assert (sv_query_wants_urns (back));
  ck_assert_uint_eq (sv_query_requested_sha1 (back, got, G_N_ELEMENTS (got)), 2);
  ck_assert_mem_eq (got[0].b, a.b, SV_SHA1_LEN);
  ck_assert_mem_eq (got[1].b, b.b, SV_SHA1_LEN);
  ck_assert_uint_eq (sv_query_requested_sha1 (back, got, 1), 1);  /* @max is honoured */
  assert_reencodes (back, out->data, out->len);
}
END_TEST

START_TEST (test_empty_ggep_not_written)
{
  g_autoptr (SvQuery) q = sv_query_new (0, "abc");
  g_autoptr (GByteArray) out = g_byte_array_new ();

  (void) sv_query_ggep (q);
  sv_query_encode (q, out);
  ck_assert_uint_eq (out->len, 6);
  ck_assert_mem_eq (out->data, "\x80\x00" "abc\0", 6);
}
END_TEST

START_TEST (test_whats_new)
{
  g_autoptr (SvQuery) q = sv_query_new (0, SV_QUERY_WHATS_NEW_CRITERIA);
  g_autoptr (SvQuery) no_wh = sv_query_new (0, SV_QUERY_WHATS_NEW_CRITERIA);
  g_autoptr (SvQuery) wh2 = sv_query_new (0, SV_QUERY_WHATS_NEW_CRITERIA);
  g_autoptr (SvQuery) other = sv_query_new (0, "WhatIsNew");
  g_autoptr (SvQuery) back = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (SvFields) fields = sv_fields_new ();

  sv_ggep_add_uint (sv_query_ggep (q), "WH", 1);
  sv_ggep_add_uint (sv_query_ggep (wh2), "WH", 2);
  sv_ggep_add_uint (sv_query_ggep (other), "WH", 1);
  ck_assert (sv_query_is_whats_new (q));
  ck_assert (!sv_query_is_whats_new (no_wh));
  ck_assert (!sv_query_is_whats_new (wh2));
  ck_assert (!sv_query_is_whats_new (other));

  sv_query_encode (q, out);
  ck_assert_int_eq (sv_query_decode (out->data, out->len, &back), SV_STATUS_OK);
  ck_assert (sv_query_is_whats_new (back));
  sv_query_describe (back, fields);
  ck_assert (find_field (fields, "whats_new")->v.b);
}
END_TEST

START_TEST (test_oob_address)
{
  SvGuid muid = { { 192, 168, 1, 20, 9, 9, 9, 9, 0xFF, 9, 9, 9, 9, 0x1A, 0x2B, 0 } };
  guint8 ip[4];
  guint16 port;

  ck_assert (sv_query_oob_address (&muid, ip, &port));
  ck_assert_mem_eq (ip, "\xC0\xA8\x01\x14", 4);
  ck_assert_uint_eq (port, 0x2B1A);
  muid.b[13] = muid.b[14] = 0;
  ck_assert (!sv_query_oob_address (&muid, ip, &port));
  memset (&muid, 0, sizeof muid);
  muid.b[13] = 1;
  ck_assert (!sv_query_oob_address (&muid, ip, &port));
}
END_TEST

static SvStatus
decode_with_urns (guint n, SvQuery **out)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  SvSha1 sha1;
  char urn[SV_URN_SHA1_LEN + 1];

  sv_put_be16 (buf, 0x8000);
  sv_put_bytes (buf, "\\", 2);       /* backslash + NUL: query by hash */
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        sv_put_u8 (buf, 0x1C);
      fill_sha1 (&sha1, (guint8) i);
      sv_urn_sha1_format (&sha1, urn);
      sv_put_bytes (buf, urn, SV_URN_SHA1_LEN);
    }
  return sv_query_decode (buf->data, buf->len, out);
}

START_TEST (test_urn_cap)
{
  SvQuery *q = NULL;
  SvSha1 got[SV_QUERY_MAX_URNS + 1];

  ck_assert_int_eq (decode_with_urns (SV_QUERY_MAX_URNS, &q), SV_STATUS_OK);
  ck_assert_uint_eq (sv_query_requested_sha1 (q, got, G_N_ELEMENTS (got)), SV_QUERY_MAX_URNS);
  sv_query_free (q);
  q = NULL;
  ck_assert_int_eq (decode_with_urns (SV_QUERY_MAX_URNS + 1, &q), SV_STATUS_TOO_BIG);
  ck_assert_ptr_null (q);
}
END_TEST

START_TEST (test_bad_urn_text_is_kept_unparsed)
{
  static const guint8 in[] = "\x80\x00\\\0urn:sha1:TOOSHORT\x1curn:sha1:!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!";
  g_autoptr (SvQuery) q = NULL;
  SvSha1 got[2];

  ck_assert_int_eq (sv_query_decode (in, sizeof in - 1, &q), SV_STATUS_OK);
  ck_assert_uint_eq (q->exts->len, 2);
  ck_assert (!((SvQueryExt *) g_ptr_array_index (q->exts, 0))->has_sha1);
  ck_assert_uint_eq (sv_query_requested_sha1 (q, got, 2), 0);
  assert_reencodes (q, in, sizeof in - 1);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("msg-query");
  TCase *tc = tcase_create ("query");

  tcase_add_test (tc, test_decode_gtkg_query);
  tcase_add_test (tc, test_truncation_at_every_byte);
  tcase_add_test (tc, test_missing_nul_and_bad_ggep);
  tcase_add_test (tc, test_legacy_items_and_separators_kept);
  tcase_add_test (tc, test_builder_roundtrip);
  tcase_add_test (tc, test_empty_ggep_not_written);
  tcase_add_test (tc, test_whats_new);
  tcase_add_test (tc, test_oob_address);
  tcase_add_test (tc, test_urn_cap);
  tcase_add_test (tc, test_bad_urn_text_is_kept_unparsed);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
