/* test-browse-reader.c: browse-host answers read as files: captured gtk-gnutella hits and built
 * ones as one stream in pieces of every size, other messages skipped, and the malformed streams
 * (a message over its cap, a hit that does not decode, a stream cut mid-message). */
#include "check-util.h"
#include "browse-reader.h"
#include "msg-queryhit.h"

#include <string.h>

#define FIXTURE_DIR "gtk-gnutella/run-3peers-push/"

/* Appends a whole message of @type with @payload. */
static void
append_msg (GByteArray *out, guint8 type, const guint8 *payload, gsize len)
{
  SvMsgHeader h = { 0 };
  guint8 hdr[SV_MSG_HEADER_SIZE];

  h.type = type;
  h.ttl = 1;
  h.length = (guint32) len;
  sv_msg_header_encode (&h, hdr);
  g_byte_array_append (out, hdr, sizeof hdr);
  g_byte_array_append (out, payload, (guint) len);
}

/* A hit of our own making: @n files named file<i>.txt, the first @unhashed without a SHA-1. */
static void
append_built_hit (GByteArray *out, guint n, guint unhashed, gboolean firewalled)
{
  SvQueryHitOwn own = { 0 };
  SvQueryHitFile files[SV_MSG_MAX_RESULTS_PER_HIT];
  SvSha1 sha[SV_MSG_MAX_RESULTS_PER_HIT];
  char names[SV_MSG_MAX_RESULTS_PER_HIT][32];
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  SvQhitHost proxy = { { 192, 0, 2, 7 }, 6346 };
  guint used = 0;
  g_autoptr (SvQueryHit) hit = NULL;

  own.port = 6346;
  own.ip[0] = 198; own.ip[1] = 51; own.ip[2] = 100; own.ip[3] = 9;
  own.firewalled = firewalled;
  own.push_proxies = &proxy;
  own.n_push_proxies = 1;
  own.browse_host = TRUE;
  own.urn_style = SV_QUERYHIT_URN_GGEP_H;
  memset (own.servent.b, 0x5a, sizeof own.servent.b);
  for (guint i = 0; i < n; i++)
    {
      memset (sha[i].b, (int) (i + 1), sizeof sha[i].b);
      g_snprintf (names[i], sizeof names[i], "file%u.txt", i);
      files[i].index = i + 1;
      files[i].size = 1000 + i;
      files[i].name = names[i];
      files[i].sha1 = i < unhashed ? NULL : &sha[i];
    }
  hit = sv_queryhit_build (&own, files, n, &used);
  ck_assert_uint_eq (used, n);
  sv_queryhit_encode (hit, payload);
  append_msg (out, 0x81, payload->data, payload->len);
}

START_TEST (test_fixture_hits_in_every_piece_size)
{
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  static const char *const names[] = { FIXTURE_DIR "msg_queryhit_1.bin", FIXTURE_DIR "msg_queryhit_3.bin" };
  guint expected = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GBytes) msg = sv_test_read_fixture (names[i]);
      SvMsgHeader hdr;
      gsize len;
      const guint8 *payload = sv_test_msg_payload (msg, &hdr, &len);
      g_autoptr (SvQueryHit) hit = NULL;

      ck_assert_int_eq (sv_queryhit_decode (payload, len, &hit), SV_STATUS_OK);
      for (guint j = 0; j < hit->results->len; j++)
        expected += ((SvQueryHitResult *) g_ptr_array_index (hit->results, j))->has_sha1;
      g_byte_array_append (stream, g_bytes_get_data (msg, NULL), (guint) g_bytes_get_size (msg));
    }
  ck_assert_uint_gt (expected, 0);
  for (gsize piece = 1; piece <= stream->len; piece += (piece < 40 ? 1 : 97))
    {
      g_autoptr (SvBrowseReader) r = sv_browse_reader_new ();

      for (gsize at = 0; at < stream->len; at += piece)
        ck_assert_int_eq (sv_browse_reader_feed (r, stream->data + at, MIN (piece, stream->len - at)),
                          SV_BROWSE_READER_OK);
      ck_assert (sv_browse_reader_finish (r));
      ck_assert_uint_eq (sv_browse_reader_files (r)->len, expected);
      ck_assert (sv_browse_reader_host (r)->known);
    }
}
END_TEST

START_TEST (test_built_hits_files_and_host)
{
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  g_autoptr (SvBrowseReader) r = sv_browse_reader_new ();
  static const guint8 ping[] = { 0 };
  const GArray *files;
  const SvBrowseFile *f;
  const SvBrowseHost *h;

  append_built_hit (stream, 4, 1, TRUE);
  append_msg (stream, 0x00, ping, 0);   /* a ping in the middle is skipped */
  append_built_hit (stream, 2, 0, TRUE);
  ck_assert_int_eq (sv_browse_reader_feed (r, stream->data, stream->len), SV_BROWSE_READER_OK);
  ck_assert (sv_browse_reader_finish (r));
  files = sv_browse_reader_files (r);
  ck_assert_uint_eq (files->len, 5);
  ck_assert_uint_eq (sv_browse_reader_skipped (r), 1);
  f = &g_array_index (files, SvBrowseFile, 0);
  ck_assert_str_eq (f->name, "file1.txt");
  ck_assert_uint_eq (f->size, 1001);
  ck_assert_uint_eq (f->index, 2);
  ck_assert_uint_eq (f->sha1.b[0], 2);
  h = sv_browse_reader_host (r);
  ck_assert (h->firewalled);
  ck_assert_uint_eq (h->port, 6346);
  ck_assert_uint_eq (h->ip[0], 198);
  ck_assert_uint_eq (h->servent.b[0], 0x5a);
  ck_assert_uint_eq (h->n_push_proxies, 1);
  ck_assert_uint_eq (h->push_proxies[0].port, 6346);
}
END_TEST

START_TEST (test_message_over_cap_is_bad_before_its_payload)
{
  g_autoptr (SvBrowseReader) r = sv_browse_reader_new ();
  SvMsgHeader h = { 0 };
  guint8 hdr[SV_MSG_HEADER_SIZE];
  guint8 junk[64] = { 0 };

  h.type = 0x81;
  h.length = SV_MSG_MAX_QUERYHIT_BYTES + 1;
  sv_msg_header_encode (&h, hdr);
  ck_assert_int_eq (sv_browse_reader_feed (r, hdr, sizeof hdr), SV_BROWSE_READER_BAD);
  /* It stays bad. */
  ck_assert_int_eq (sv_browse_reader_feed (r, junk, sizeof junk), SV_BROWSE_READER_BAD);
  ck_assert (!sv_browse_reader_finish (r));
}
END_TEST

START_TEST (test_undecodable_hit_is_bad)
{
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  g_autoptr (SvBrowseReader) r = sv_browse_reader_new ();
  static const guint8 short_hit[] = { 5, 0xba, 0x18, 1, 2, 3, 4 };   /* 5 results, none there */

  append_built_hit (stream, 2, 0, FALSE);
  append_msg (stream, 0x81, short_hit, sizeof short_hit);
  ck_assert_int_eq (sv_browse_reader_feed (r, stream->data, stream->len), SV_BROWSE_READER_BAD);
  ck_assert (!sv_browse_reader_finish (r));
}
END_TEST

START_TEST (test_cut_mid_message_does_not_finish)
{
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  g_autoptr (SvBrowseReader) r = sv_browse_reader_new ();

  append_built_hit (stream, 3, 0, FALSE);
  ck_assert_int_eq (sv_browse_reader_feed (r, stream->data, stream->len - 5), SV_BROWSE_READER_OK);
  ck_assert (!sv_browse_reader_finish (r));
  ck_assert_uint_eq (sv_browse_reader_files (r)->len, 0);
  ck_assert_int_eq (sv_browse_reader_feed (r, stream->data + stream->len - 5, 5), SV_BROWSE_READER_OK);
  ck_assert (sv_browse_reader_finish (r));
  ck_assert_uint_eq (sv_browse_reader_files (r)->len, 3);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("browse-reader");
  TCase *tc = tcase_create ("browse-reader");

  tcase_add_test (tc, test_fixture_hits_in_every_piece_size);
  tcase_add_test (tc, test_built_hits_files_and_host);
  tcase_add_test (tc, test_message_over_cap_is_bad_before_its_payload);
  tcase_add_test (tc, test_undecodable_hit_is_bad);
  tcase_add_test (tc, test_cut_mid_message_does_not_finish);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
