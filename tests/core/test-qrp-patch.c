/* test-qrp-patch.c: QRP patch building and the RESET/PATCH receiver (qrp-patch.h), checked on
 * gtk-gnutella's captured tables. */
#include "check-util.h"
#include "msg-header.h"
#include "qrp-patch.h"

#include <string.h>
#include <zlib.h>

#define FIXTURES "gtk-gnutella/run-3peers-push/"

/* leafA -> up2 in messages.txt (conn1): its 4-bit PATCH, then two 1-bit ("QRP1") PATCHes. */
static const char leafa_patch4[] =
  "010101010478daedd7c10d00300400401bd87f4b23748aa6c5dd5f1a3441440b152d65a02e74f812a53c00c082"
  "75a406e604b3ef80bcfe0260f2b14f3e8ce6fb0683b12d19463875b00907";
static const char leafa_patch1a[] =
  "010101010178da63601805a360140c63d0301a04a360148c026c0000169e0081";
static const char leafa_patch1b[] =
  "010101010178da63601805d4010203a275148c02185018d4494b6024e5fb86d1d4385abe0d050000772d0101";

/* leafB's shared files (its QueryHit in messages.txt). */
static const char *const leafb_names[] = {
  "leafB_zebrafile_1.bin", "leafB_zebrafile_2.bin", "leafB_zebrafile_3.bin", NULL,
};

static GBytes *
payload_of (const char *name)
{
  g_autoptr (GBytes) all = sv_test_read_fixture (name);
  gsize len;
  const guint8 *buf = g_bytes_get_data (all, &len);

  ck_assert_uint_gt (len, SV_MSG_HEADER_SIZE);
  return g_bytes_new (buf + SV_MSG_HEADER_SIZE, len - SV_MSG_HEADER_SIZE);
}

static SvStatus
feed (SvQrpReceiver *r, GBytes *payload, gboolean *done)
{
  gsize len;
  const guint8 *buf = g_bytes_get_data (payload, &len);

  return sv_qrp_receiver_handle_payload (r, buf, len, done);
}

static SvStatus
feed_hex (SvQrpReceiver *r, const char *hex, gboolean *done)
{
  g_autoptr (GBytes) p = sv_test_hex (hex);

  return feed (r, p, done);
}

/* The inflated patch stream of a captured PATCH payload. */
static GBytes *
inflated (GBytes *payload, gsize expect)
{
  gsize len;
  const guint8 *buf = g_bytes_get_data (payload, &len);
  guint8 *out = g_malloc (expect + 1);
  uLongf out_len = expect + 1;

  ck_assert_int_eq (uncompress (out, &out_len, buf + 5, len - 5), Z_OK);
  ck_assert_uint_eq (out_len, expect);
  return g_bytes_new_take (out, out_len);
}

static SvQrpReceiver *
receive_leafb (void)
{
  SvQrpReceiver *r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
  g_autoptr (GBytes) reset = payload_of (FIXTURES "msg_qrp_1.bin");
  g_autoptr (GBytes) patch = payload_of (FIXTURES "msg_qrp_2.bin");
  gboolean done = TRUE;

  ck_assert_int_eq (feed (r, reset, &done), SV_STATUS_OK);
  ck_assert (!done);
  ck_assert (sv_qrp_receiver_in_sequence (r));
  ck_assert_ptr_null (sv_qrp_receiver_table (r));
  ck_assert_int_eq (feed (r, patch, &done), SV_STATUS_OK);
  ck_assert (done);
  ck_assert (!sv_qrp_receiver_in_sequence (r));
  return r;
}

static gboolean
routes (const SvQrpTable *t, const char *criteria)
{
  g_autoptr (SvQrpQuery) q = sv_qrp_query_new (criteria, -1, NULL);

  return sv_qrp_table_matches (t, q);
}

START_TEST (test_gtkg_leaf_table)
{
  g_autoptr (SvQrpReceiver) r = receive_leafb ();
  const SvQrpTable *t = sv_qrp_receiver_table (r);
  /* gtk-gnutella inserts every word and up to 5 prefixes longer than 3 bytes */
  const char *present[] = { "leafb", "leaf", "zebrafile", "zebrafil", "zebrafi", "zebraf",
                            "zebra", "zebr", "bin", "1", "2", "3" };
  const char *urns[] = { "urn:sha1:QY2JLSMMJYG7XRQNKNMV56U7AFLRSPFB",
                         "urn:sha1:BENPU4ABSQBN7S6H4KGYUYRW3OGBSF3Y",
                         "urn:sha1:PVPJNXB3AUSUSFS6XL5BKGEGSWXAADPQ", NULL };
  g_autoptr (SvQrpQuery) uq = sv_qrp_query_new (NULL, -1, urns);

  ck_assert_ptr_nonnull (t);
  ck_assert_uint_eq (sv_qrp_table_slots (t), 16384);
  ck_assert_uint_eq (sv_qrp_table_infinity (t), 2);
  ck_assert_uint_eq (sv_qrp_table_count (t), 19);
  for (guint i = 0; i < G_N_ELEMENTS (present); i++)
    ck_assert_msg (sv_qrp_table_contains (t, present[i]), "%s", present[i]);
  ck_assert (!sv_qrp_table_contains (t, "lea"));      /* not gtk-gnutella's rule */
  ck_assert (!sv_qrp_table_contains (t, "zeb"));
  /* the query of the capture, and others leafB's names answer */
  ck_assert (routes (t, "zebrafile"));
  ck_assert (routes (t, "leafB zebrafile"));
  ck_assert (routes (t, "ZEBRA bin"));
  ck_assert (routes (t, "zebrafile 2"));               /* "2" is too short to count */
  ck_assert (!routes (t, "zebrafile mp3"));
  ck_assert (!routes (t, "jazz"));
  /* gtk-gnutella 1.2.3 leaves keep URNs out of their tables */
  ck_assert (!sv_qrp_table_matches (t, uq));
}
END_TEST

START_TEST (test_our_table_agrees_with_gtkg)
{
  g_autoptr (SvQrpReceiver) r = receive_leafb ();
  const SvQrpTable *theirs = sv_qrp_receiver_table (r);
  g_autoptr (SvQrpTable) ours = sv_qrp_table_new (16384, SV_QRP_GTKG_INFINITY);
  g_autoptr (SvQrpTable) extra = NULL;
  g_autoptr (GBytes) patch = payload_of (FIXTURES "msg_qrp_2.bin");
  g_autoptr (GBytes) raw = inflated (patch, 8192);
  g_autoptr (GBytes) rebuilt = sv_qrp_patch_diff (NULL, theirs, 4);
  const char *queries[] = { "zebrafile", "leafb", "bin", "zebra", "leaf", "zebrafi",
                            "leafB_zebrafile_3.bin" };

  for (guint i = 0; leafb_names[i] != NULL; i++)
    sv_qrp_table_add_name (ours, leafb_names[i], -1);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      ck_assert_msg (routes (theirs, queries[i]), "gtk-gnutella table: %s", queries[i]);
      ck_assert_msg (routes (ours, queries[i]), "our table: %s", queries[i]);
    }
  /* every slot we set is set in gtk-gnutella's table, but for LimeWire's "lea" */
  extra = sv_qrp_table_copy (ours);
  sv_qrp_table_set (extra, sv_qrp_hash ("lea", -1, 14), FALSE);
  for (guint32 i = 0; i < 16384; i++)
    if (sv_qrp_table_get (extra, i))
      ck_assert_msg (sv_qrp_table_get (theirs, i), "slot %u", i);
  ck_assert (sv_qrp_table_get (ours, sv_qrp_hash ("lea", -1, 14)));
  /* the 4-bit patch we build for their table is byte for byte the one gtk-gnutella sent */
  ck_assert (g_bytes_equal (rebuilt, raw));
}
END_TEST

START_TEST (test_gtkg_one_bit_patches)
{
  g_autoptr (SvQrpReceiver) r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
  g_autoptr (GBytes) reset = payload_of (FIXTURES "msg_qrp_3.bin");
  const char *patches[] = { leafa_patch4, leafa_patch1a, leafa_patch1b };
  const guint counts[] = { 19, 20, 28 };
  g_autoptr (SvQrpTable) before = NULL;
  gboolean done;

  ck_assert_int_eq (feed (r, reset, &done), SV_STATUS_OK);
  for (guint i = 0; i < G_N_ELEMENTS (patches); i++)
    {
      g_autoptr (GBytes) p = sv_test_hex (patches[i]);
      guint bits = i == 0 ? 4 : 1;
      g_autoptr (GBytes) raw = inflated (p, 16384 * bits / 8);
      g_autoptr (GBytes) ours = NULL;
      const SvQrpTable *t;

      done = FALSE;
      ck_assert_int_eq (feed (r, p, &done), SV_STATUS_OK);
      ck_assert (done);
      t = sv_qrp_receiver_table (r);
      ck_assert_uint_eq (sv_qrp_table_count (t), counts[i]);
      ck_assert (routes (t, "zebrafile leafa"));
      /* the patch we would send for the same change is the one gtk-gnutella sent */
      ours = sv_qrp_patch_diff (before, t, bits);
      ck_assert (g_bytes_equal (ours, raw));
      g_clear_pointer (&before, sv_qrp_table_free);
      before = sv_qrp_table_copy (t);
    }
}
END_TEST

static SvQrpTable *
random_table (GRand *rand, guint32 slots, guint fill)
{
  SvQrpTable *t = sv_qrp_table_new (slots, SV_QRP_GTKG_INFINITY);

  for (guint i = 0; i < fill; i++)
    sv_qrp_table_set (t, (guint32) g_rand_int_range (rand, 0, (gint32) slots), TRUE);
  return t;
}

/* Sends @payloads to @r; asserts that only the last one completes the sequence. */
static void
send_all (SvQrpReceiver *r, GPtrArray *payloads)
{
  for (guint i = 0; i < payloads->len; i++)
    {
      gboolean done = TRUE;

      ck_assert_int_eq (feed (r, payloads->pdata[i], &done), SV_STATUS_OK);
      ck_assert (done == (i + 1 == payloads->len));
    }
}

START_TEST (test_round_trips)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  const guint bits[] = { 1, 4, 8 };
  const guint32 sizes[] = { 16, 1024, 65536 };
  const gsize chunks[] = { 0, 7, 100 };

  for (guint b = 0; b < G_N_ELEMENTS (bits); b++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
        for (int z = 0; z < 2; z++)
          {
            SvMsgQrpCompressor comp = z ? SV_MSG_QRP_COMPRESSOR_ZLIB : SV_MSG_QRP_COMPRESSOR_NONE;
            g_autoptr (SvQrpTable) first = random_table (rand, sizes[s], sizes[s] / 10 + 1);
            g_autoptr (SvQrpTable) second = random_table (rand, sizes[s], sizes[s] / 7 + 1);
            g_autoptr (SvQrpReceiver) r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
            g_autoptr (GBytes) reset = sv_qrp_patch_build_reset (first);
            g_autoptr (GPtrArray) p1 = sv_qrp_patch_build (NULL, first, bits[b], comp, chunks[c]);
            g_autoptr (GPtrArray) p2 = sv_qrp_patch_build (first, second, bits[b], comp, chunks[c]);
            gboolean done;

            ck_assert_ptr_nonnull (p1);
            ck_assert_uint_le (p1->len, 255);
            ck_assert_int_eq (feed (r, reset, &done), SV_STATUS_OK);
            send_all (r, p1);
            ck_assert (sv_qrp_table_equal (sv_qrp_receiver_table (r), first));
            ck_assert_uint_eq (sv_qrp_table_infinity (sv_qrp_receiver_table (r)), 2);
            /* an update without RESET patches the current table */
            send_all (r, p2);
            ck_assert (sv_qrp_table_equal (sv_qrp_receiver_table (r), second));
          }
}
END_TEST

START_TEST (test_chunking)
{
  g_autoptr (SvQrpTable) t = sv_qrp_table_new (65536, 2);
  g_autoptr (GPtrArray) many = NULL;
  g_autoptr (GPtrArray) few = NULL;
  g_autoptr (SvQrpReceiver) r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
  g_autoptr (GBytes) reset = sv_qrp_patch_build_reset (t);
  gboolean done;
  SvMsgQrp msg;
  gsize len;
  const guint8 *buf;

  sv_qrp_table_add_name (t, "Café Déjà Vu.mp3", -1);
  /* 65536 bytes in chunks of 1 would need 65536 messages: the chunk grows to fit 255 */
  many = sv_qrp_patch_build (NULL, t, 8, SV_MSG_QRP_COMPRESSOR_NONE, 1);
  ck_assert_uint_eq (many->len, 255);
  for (guint i = 0; i < many->len; i++)
    {
      buf = g_bytes_get_data (many->pdata[i], &len);
      ck_assert_int_eq (sv_msg_qrp_decode (buf, len, &msg), SV_STATUS_OK);
      ck_assert_uint_eq (msg.seq_no, i + 1);
      ck_assert_uint_eq (msg.seq_size, 255);
      ck_assert_uint_eq (msg.entry_bits, 8);
      ck_assert_uint_le (msg.data_len, 258);
    }
  ck_assert_int_eq (feed (r, reset, &done), SV_STATUS_OK);
  send_all (r, many);
  ck_assert (sv_qrp_table_equal (sv_qrp_receiver_table (r), t));
  /* by default chunks are SV_QRP_MAX_PATCH_CHUNK_BYTES */
  few = sv_qrp_patch_build (NULL, t, 4, SV_MSG_QRP_COMPRESSOR_NONE, 0);
  ck_assert_uint_eq (few->len, 32768 / SV_QRP_MAX_PATCH_CHUNK_BYTES);
  buf = g_bytes_get_data (few->pdata[0], &len);
  ck_assert_uint_eq (len, SV_MSG_QRP_PATCH_HEADER_SIZE + SV_QRP_MAX_PATCH_CHUNK_BYTES);
  /* mismatched sizes or entry bits: nothing built */
  {
    g_autoptr (SvQrpTable) other = sv_qrp_table_new (1024, 2);

    ck_assert_ptr_null (sv_qrp_patch_build (other, t, 4, SV_MSG_QRP_COMPRESSOR_NONE, 0));
    ck_assert_ptr_null (sv_qrp_patch_build (NULL, t, 2, SV_MSG_QRP_COMPRESSOR_NONE, 0));
    ck_assert_ptr_null (sv_qrp_patch_diff (NULL, t, 3));
  }
}
END_TEST

START_TEST (test_patch_value_encoding)
{
  g_autoptr (SvQrpTable) old = sv_qrp_table_new (16, 2);
  g_autoptr (SvQrpTable) nw = sv_qrp_table_new (16, 2);
  g_autoptr (GBytes) p4 = NULL;
  g_autoptr (GBytes) p8 = NULL;
  g_autoptr (GBytes) p1 = NULL;
  const guint8 *d;

  sv_qrp_table_set (old, 1, TRUE);    /* 1: present -> absent */
  sv_qrp_table_set (nw, 2, TRUE);     /* 2: absent -> present */
  sv_qrp_table_set (old, 3, TRUE);    /* 3: stays present */
  sv_qrp_table_set (nw, 3, TRUE);
  p4 = sv_qrp_patch_diff (old, nw, 4);
  d = g_bytes_get_data (p4, NULL);
  ck_assert_uint_eq (g_bytes_get_size (p4), 8);
  ck_assert_uint_eq (d[0], 0x01);     /* slot 0 unchanged, slot 1 +1 */
  ck_assert_uint_eq (d[1], 0xF0);     /* slot 2 -1, slot 3 unchanged */
  p8 = sv_qrp_patch_diff (old, nw, 8);
  d = g_bytes_get_data (p8, NULL);
  ck_assert_uint_eq (g_bytes_get_size (p8), 16);
  ck_assert_uint_eq (d[1], 0x01);
  ck_assert_uint_eq (d[2], 0xFF);
  ck_assert_uint_eq (d[3], 0x00);
  p1 = sv_qrp_patch_diff (old, nw, 1);
  d = g_bytes_get_data (p1, NULL);
  ck_assert_uint_eq (g_bytes_get_size (p1), 2);
  ck_assert_uint_eq (d[0], 0x60);     /* slots 1 and 2 flip, MSB first */
  ck_assert_uint_eq (d[1], 0x00);
}
END_TEST

/* A receiver that has taken a RESET of @slots slots. */
static SvQrpReceiver *
after_reset (guint32 slots)
{
  SvQrpReceiver *r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
  SvMsgQrp reset = { .variant = SV_MSG_QRP_RESET, .table_length = slots, .infinity = 2 };
  gboolean done;

  ck_assert_int_eq (sv_qrp_receiver_handle (r, &reset, &done), SV_STATUS_OK);
  return r;
}

static SvStatus
patch_msg (SvQrpReceiver *r, guint8 seq_no, guint8 seq_size, guint8 compressor, guint8 bits,
           const guint8 *data, gsize len, gboolean *done)
{
  SvMsgQrp m = { .variant = SV_MSG_QRP_PATCH, .seq_no = seq_no, .seq_size = seq_size,
                 .compressor = compressor, .entry_bits = bits, .data = data, .data_len = len };

  return sv_qrp_receiver_handle (r, &m, done);
}

static GBytes *
deflate_bytes (const guint8 *data, gsize len)
{
  uLongf out_len = compressBound ((uLong) len);
  guint8 *out = g_malloc (out_len);

  ck_assert_int_eq (compress2 (out, &out_len, data, (uLong) len, 9), Z_OK);
  return g_bytes_new_take (out, out_len);
}

START_TEST (test_reset_verdicts)
{
  struct { guint32 slots; guint8 inf; guint32 max; SvStatus want; } cases[] = {
    { 0, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_BAD_VALUE },
    { 24, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_BAD_VALUE },
    { 8, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_BAD_VALUE },
    { 16, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_OK },
    { SV_QRP_MAX_TABLE_SLOTS, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_OK },
    { SV_QRP_MAX_TABLE_SLOTS * 2, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_TOO_BIG },
    { 0x80000000u, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_TOO_BIG },
    { 0xFFFFFFFFu, 2, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_BAD_VALUE },
    { SV_QRP_MAX_UP_TABLE_SLOTS, 2, SV_QRP_MAX_UP_TABLE_SLOTS, SV_STATUS_OK },
    { SV_QRP_MAX_UP_TABLE_SLOTS * 2, 2, SV_QRP_MAX_UP_TABLE_SLOTS, SV_STATUS_TOO_BIG },
    { 1024, 0, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_BAD_VALUE },
    { 1024, 1, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_OK },
    { 1024, 255, SV_QRP_MAX_TABLE_SLOTS, SV_STATUS_OK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (SvQrpReceiver) r = sv_qrp_receiver_new (cases[i].max);
      SvMsgQrp m = { .variant = SV_MSG_QRP_RESET, .table_length = cases[i].slots,
                     .infinity = cases[i].inf };
      gboolean done;

      ck_assert_msg (sv_qrp_receiver_handle (r, &m, &done) == cases[i].want, "case %u", i);
    }
}
END_TEST

START_TEST (test_sequence_verdicts)
{
  guint8 zeros[4096] = { 0 };
  gboolean done;

  /* PATCH before any RESET */
  {
    g_autoptr (SvQrpReceiver) r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);

    ck_assert_int_eq (patch_msg (r, 1, 1, 0, 4, zeros, 8, &done), SV_STATUS_BAD_SEQUENCE);
    ck_assert (!done);
    /* a failed receiver repeats its verdict, even for a good RESET */
    {
      SvMsgQrp m = { .variant = SV_MSG_QRP_RESET, .table_length = 16, .infinity = 2 };

      ck_assert_int_eq (sv_qrp_receiver_handle (r, &m, &done), SV_STATUS_BAD_SEQUENCE);
    }
  }
  /* the sequence starts anywhere but 1 */
  {
    g_autoptr (SvQrpReceiver) r = after_reset (64);

    ck_assert_int_eq (patch_msg (r, 2, 2, 0, 4, zeros, 16, &done), SV_STATUS_BAD_SEQUENCE);
  }
  /* a gap */
  {
    g_autoptr (SvQrpReceiver) r = after_reset (64);

    ck_assert_int_eq (patch_msg (r, 1, 3, 0, 4, zeros, 8, &done), SV_STATUS_OK);
    ck_assert_int_eq (patch_msg (r, 3, 3, 0, 4, zeros, 8, &done), SV_STATUS_BAD_SEQUENCE);
  }
  /* a repeat (reordering) */
  {
    g_autoptr (SvQrpReceiver) r = after_reset (64);

    ck_assert_int_eq (patch_msg (r, 1, 3, 0, 4, zeros, 8, &done), SV_STATUS_OK);
    ck_assert_int_eq (patch_msg (r, 1, 3, 0, 4, zeros, 8, &done), SV_STATUS_BAD_SEQUENCE);
  }
  /* seq_size, entry bits or compressor changing mid-sequence */
  {
    g_autoptr (SvQrpReceiver) a = after_reset (64);
    g_autoptr (SvQrpReceiver) b = after_reset (64);
    g_autoptr (SvQrpReceiver) c = after_reset (64);

    ck_assert_int_eq (patch_msg (a, 1, 2, 0, 4, zeros, 16, &done), SV_STATUS_OK);
    ck_assert_int_eq (patch_msg (a, 2, 3, 0, 4, zeros, 0, &done), SV_STATUS_BAD_SEQUENCE);
    ck_assert_int_eq (patch_msg (b, 1, 2, 0, 4, zeros, 16, &done), SV_STATUS_OK);
    ck_assert_int_eq (patch_msg (b, 2, 2, 0, 8, zeros, 16, &done), SV_STATUS_BAD_SEQUENCE);
    ck_assert_int_eq (patch_msg (c, 1, 2, 0, 4, zeros, 16, &done), SV_STATUS_OK);
    ck_assert_int_eq (patch_msg (c, 2, 2, 1, 4, zeros, 16, &done), SV_STATUS_BAD_SEQUENCE);
  }
  /* bad header values */
  {
    struct { guint8 seq_size, comp, bits; SvStatus want; } cases[] = {
      { 0, 0, 4, SV_STATUS_BAD_VALUE },
      { 1, 0, 0, SV_STATUS_BAD_VALUE },
      { 1, 0, 3, SV_STATUS_BAD_VALUE },
      { 1, 0, 16, SV_STATUS_BAD_VALUE },
      { 1, 0, 2, SV_STATUS_UNSUPPORTED },
      { 1, 2, 4, SV_STATUS_UNSUPPORTED },
      { 1, 255, 4, SV_STATUS_UNSUPPORTED },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (SvQrpReceiver) r = after_reset (64);

        ck_assert_msg (patch_msg (r, 1, cases[i].seq_size, cases[i].comp, cases[i].bits, zeros,
                                  32, &done) == cases[i].want, "case %u", i);
      }
  }
  /* an unknown variant */
  {
    g_autoptr (SvQrpReceiver) r = after_reset (64);
    SvMsgQrp m = { .variant = 7 };

    ck_assert_int_eq (sv_qrp_receiver_handle (r, &m, &done), SV_STATUS_UNSUPPORTED);
  }
}
END_TEST

START_TEST (test_length_verdicts)
{
  guint8 zeros[8193] = { 0 };
  gboolean done;

  for (guint bits = 1; bits <= 8; bits *= 2)
    {
      gsize need = 1024 * bits / 8;

      if (bits == 2)
        continue;
      /* uncompressed: exactly right, one byte over, one byte short */
      {
        g_autoptr (SvQrpReceiver) ok = after_reset (1024);
        g_autoptr (SvQrpReceiver) over = after_reset (1024);
        g_autoptr (SvQrpReceiver) split = after_reset (1024);
        g_autoptr (SvQrpReceiver) shrt = after_reset (1024);

        ck_assert_int_eq (patch_msg (ok, 1, 1, 0, bits, zeros, need, &done), SV_STATUS_OK);
        ck_assert (done);
        ck_assert_int_eq (patch_msg (over, 1, 1, 0, bits, zeros, need + 1, &done),
                          SV_STATUS_BAD_LENGTH);
        ck_assert_int_eq (patch_msg (split, 1, 2, 0, bits, zeros, need, &done), SV_STATUS_OK);
        ck_assert (!done);
        ck_assert_int_eq (patch_msg (split, 2, 2, 0, bits, zeros, 1, &done), SV_STATUS_BAD_LENGTH);
        ck_assert_int_eq (patch_msg (shrt, 1, 1, 0, bits, zeros, need - 1, &done),
                          SV_STATUS_BAD_LENGTH);
        ck_assert (!done);
        ck_assert_ptr_null (sv_qrp_receiver_table (shrt));
      }
      /* compressed: one inflated byte over is INFLATE_CAP, one short is BAD_LENGTH */
      {
        g_autoptr (GBytes) over = deflate_bytes (zeros, need + 1);
        g_autoptr (GBytes) shrt = deflate_bytes (zeros, need - 1);
        g_autoptr (GBytes) ok = deflate_bytes (zeros, need);
        g_autoptr (SvQrpReceiver) ro = after_reset (1024);
        g_autoptr (SvQrpReceiver) rs = after_reset (1024);
        g_autoptr (SvQrpReceiver) rk = after_reset (1024);

        ck_assert_int_eq (patch_msg (ro, 1, 1, 1, bits, g_bytes_get_data (over, NULL),
                                     g_bytes_get_size (over), &done), SV_STATUS_INFLATE_CAP);
        ck_assert_int_eq (patch_msg (rs, 1, 1, 1, bits, g_bytes_get_data (shrt, NULL),
                                     g_bytes_get_size (shrt), &done), SV_STATUS_BAD_LENGTH);
        ck_assert_int_eq (patch_msg (rk, 1, 1, 1, bits, g_bytes_get_data (ok, NULL),
                                     g_bytes_get_size (ok), &done), SV_STATUS_OK);
        ck_assert (done);
      }
    }
}
END_TEST

START_TEST (test_deflate_verdicts)
{
  g_autofree guint8 *zeros = g_malloc0 (1 << 20);
  g_autoptr (GBytes) bomb = deflate_bytes (zeros, 1 << 20);
  g_autoptr (GBytes) good = deflate_bytes (zeros, 512);
  g_autoptr (SvQrpReceiver) rb = after_reset (1024);
  g_autoptr (SvQrpReceiver) rc = after_reset (1024);
  g_autoptr (SvQrpReceiver) re = after_reset (1024);
  g_autoptr (SvQrpReceiver) rt = after_reset (1024);
  guint8 corrupt[64];
  gsize glen;
  const guint8 *gdata = g_bytes_get_data (good, &glen);
  gboolean done;

  /* 1 MiB of zeros in about 1 KiB: stops at the table's 512 bytes */
  ck_assert_uint_lt (g_bytes_get_size (bomb), 2048);
  ck_assert_int_eq (patch_msg (rb, 1, 1, 1, 4, g_bytes_get_data (bomb, NULL),
                               g_bytes_get_size (bomb), &done), SV_STATUS_INFLATE_CAP);
  /* corrupt zlib data */
  memset (corrupt, 0xA5, sizeof corrupt);
  ck_assert_int_eq (patch_msg (rc, 1, 1, 1, 4, corrupt, sizeof corrupt, &done),
                    SV_STATUS_BAD_DEFLATE);
  /* the stream ends in message 1 of 2 */
  ck_assert_int_eq (patch_msg (re, 1, 2, 1, 4, gdata, glen, &done), SV_STATUS_BAD_DEFLATE);
  /* the stream split over 3 messages, cut anywhere before its end, works */
  for (gsize a = 0; a < glen; a += 3)
    for (gsize b = a; b < glen; b += 5)
      {
        g_autoptr (SvQrpReceiver) r = after_reset (1024);

        ck_assert_int_eq (patch_msg (r, 1, 3, 1, 4, gdata, a, &done), SV_STATUS_OK);
        ck_assert_int_eq (patch_msg (r, 2, 3, 1, 4, gdata + a, b - a, &done), SV_STATUS_OK);
        ck_assert_int_eq (patch_msg (r, 3, 3, 1, 4, gdata + b, glen - b, &done), SV_STATUS_OK);
        ck_assert (done);
      }
  /* a stream that stops short of its end in the last message */
  ck_assert_int_eq (patch_msg (rt, 1, 1, 1, 4, gdata, glen / 2, &done), SV_STATUS_BAD_LENGTH);
}
END_TEST

START_TEST (test_reset_drops_current_table)
{
  g_autoptr (SvQrpReceiver) r = receive_leafb ();
  g_autoptr (GBytes) reset = payload_of (FIXTURES "msg_qrp_1.bin");
  g_autoptr (GBytes) patch = payload_of (FIXTURES "msg_qrp_2.bin");
  gboolean done;

  ck_assert_ptr_nonnull (sv_qrp_receiver_table (r));
  ck_assert_int_eq (feed (r, reset, &done), SV_STATUS_OK);
  ck_assert_ptr_null (sv_qrp_receiver_table (r));
  /* a RESET in the middle of a sequence starts over */
  ck_assert_int_eq (feed_hex (r, "0101020104", &done), SV_STATUS_OK);
  ck_assert_int_eq (feed (r, reset, &done), SV_STATUS_OK);
  ck_assert_int_eq (feed (r, patch, &done), SV_STATUS_OK);
  ck_assert (done);
  ck_assert (routes (sv_qrp_receiver_table (r), "zebrafile"));
}
END_TEST

START_TEST (test_truncated_payloads)
{
  g_autoptr (GBytes) reset = payload_of (FIXTURES "msg_qrp_1.bin");
  g_autoptr (GBytes) patch = payload_of (FIXTURES "msg_qrp_2.bin");
  gsize rlen, plen;
  const guint8 *rbuf = g_bytes_get_data (reset, &rlen);
  const guint8 *pbuf = g_bytes_get_data (patch, &plen);

  for (gsize cut = 0; cut < rlen; cut++)
    {
      g_autoptr (SvQrpReceiver) r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
      gboolean done;

      ck_assert_int_eq (sv_qrp_receiver_handle_payload (r, rbuf, cut, &done),
                        SV_STATUS_TRUNCATED);
    }
  for (gsize cut = 0; cut < plen; cut++)
    {
      g_autoptr (SvQrpReceiver) r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
      gboolean done = TRUE;
      SvStatus st;

      ck_assert_int_eq (sv_qrp_receiver_handle_payload (r, rbuf, rlen, &done), SV_STATUS_OK);
      st = sv_qrp_receiver_handle_payload (r, pbuf, cut, &done);
      if (st == SV_STATUS_OK)
        {
          /* only the stream's last bytes (Adler-32 trailer) are missing: every slot is covered,
           * which is all that gtk-gnutella asks of the last message too */
          ck_assert_uint_ge (cut, plen - 8);
          ck_assert (done);
          ck_assert (routes (sv_qrp_receiver_table (r), "zebrafile"));
          continue;
        }
      ck_assert_int_ne (st, SV_STATUS_OK);
      ck_assert (!done);
      ck_assert_ptr_null (sv_qrp_receiver_table (r));
    }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("qrp-patch");
  TCase *tc = tcase_create ("patch");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_gtkg_leaf_table);
  tcase_add_test (tc, test_our_table_agrees_with_gtkg);
  tcase_add_test (tc, test_gtkg_one_bit_patches);
  tcase_add_test (tc, test_round_trips);
  tcase_add_test (tc, test_chunking);
  tcase_add_test (tc, test_patch_value_encoding);
  tcase_add_test (tc, test_reset_verdicts);
  tcase_add_test (tc, test_sequence_verdicts);
  tcase_add_test (tc, test_length_verdicts);
  tcase_add_test (tc, test_deflate_verdicts);
  tcase_add_test (tc, test_reset_drops_current_table);
  tcase_add_test (tc, test_truncated_payloads);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
