/* test-ggep.c: GGEP blocks: captured gtk-gnutella blocks, the length field, COBS, deflate (and
 * deflate bombs), caps, malformed blocks, building new blocks. */
#include "check-util.h"
#include "bytes.h"
#include "ggep.h"
#include "urn.h"

#include <string.h>
#include <zlib.h>

#define FIXTURE_DIR "gtk-gnutella/run-3peers-push/"

/* --- Helpers --- */

static void
put_ext (GByteArray *b, guint8 flags, const char *id, const void *data, gsize len)
{
  guint8 lenbuf[3];
  guint n = sv_ggep_length_encode ((guint32) len, lenbuf);

  ck_assert_uint_gt (n, 0);
  sv_put_u8 (b, (guint8) (flags | strlen (id)));
  sv_put_bytes (b, id, strlen (id));
  sv_put_bytes (b, lenbuf, n);
  sv_put_bytes (b, data, len);
}

static SvStatus
decode_array (const GByteArray *b, SvGgep **out)
{
  gsize consumed = 0;
  SvStatus status = sv_ggep_decode (b->data, b->len, &consumed, out);

  if (status == SV_STATUS_OK)
    ck_assert_uint_eq (consumed, b->len);
  else
    ck_assert_ptr_null (*out);
  return status;
}

static GBytes *
zlib_compress (const guint8 *data, gsize len)
{
  uLongf out_len = compressBound ((uLong) len);
  guint8 *out = g_malloc (out_len);

  ck_assert_int_eq (compress2 (out, &out_len, data, (uLong) len, Z_BEST_COMPRESSION), Z_OK);
  return g_bytes_new_take (out, out_len);
}

/* A GGEP block found in a captured message: where it starts, and where its area ends. */
typedef struct {
  char *where;
  GBytes *area;   /* from the 0xC3 to the end of the area holding the block */
} FoundBlock;

static void
found_block_free (gpointer p)
{
  FoundBlock *fb = p;

  g_free (fb->where);
  g_bytes_unref (fb->area);
  g_free (fb);
}

/* Scans [from, to) of @payload for the first 0xC3 and records the block area. */
static void
scan_area (GPtrArray *found, const char *name, const guint8 *payload, gsize from, gsize to)
{
  for (gsize i = from; i < to; i++)
    if (payload[i] == SV_GGEP_MAGIC)
      {
        FoundBlock *fb = g_new0 (FoundBlock, 1);

        fb->where = g_strdup_printf ("%s@%" G_GSIZE_FORMAT, name, i);
        fb->area = g_bytes_new (payload + i, to - i);
        g_ptr_array_add (found, fb);
        return;
      }
}

/* Finds every GGEP block of one captured message, following the layouts of messages.txt. */
static void
collect_blocks (GPtrArray *found, const char *name)
{
  g_autofree char *rel = g_strconcat (FIXTURE_DIR, name, NULL);
  g_autoptr (GBytes) bytes = sv_test_read_fixture (rel);
  gsize len;
  const guint8 *msg = g_bytes_get_data (bytes, &len);
  const guint8 *p = msg + 23;
  gsize plen = len - 23;

  ck_assert_uint_gt (len, 23);
  switch (msg[16])
    {
    case 0x00:   /* Ping: the whole payload */
      scan_area (found, name, p, 0, plen);
      break;
    case 0x01:   /* Pong: after 14 fixed bytes */
      scan_area (found, name, p, 14, plen);
      break;
    case 0x80:   /* Query: after the criteria's NUL */
      {
        const guint8 *nul = memchr (p + 2, 0, plen - 2);

        ck_assert_ptr_nonnull (nul);
        scan_area (found, name, p, (gsize) (nul - p) + 1, plen);
      }
      break;
    case 0x81:   /* QueryHit: each result's extension area, then the trailer's private data */
      {
        gsize pos = 11;
        guint n = p[0];

        for (guint r = 0; r < n; r++)
          {
            const guint8 *nul;
            gsize ext_end;

            pos += 8;
            nul = memchr (p + pos, 0, plen - pos);
            ck_assert_ptr_nonnull (nul);
            pos = (gsize) (nul - p) + 1;
            nul = memchr (p + pos, 0, plen - pos);
            ck_assert_ptr_nonnull (nul);
            ext_end = (gsize) (nul - p);
            scan_area (found, name, p, pos, ext_end);
            pos = ext_end + 1;
          }
        /* vendor code (4), open data length (1), open data, private data, servent GUID (16) */
        pos += 4;
        pos += 1 + p[pos];
        scan_area (found, name, p, pos, plen - 16);
      }
      break;
    default:
      break;
    }
}

static GPtrArray *
all_fixture_blocks (void)
{
  const char *names[] = {
    "msg_ping_1.bin", "msg_ping_2.bin",
    "msg_pong_1.bin", "msg_pong_2.bin", "msg_pong_3.bin",
    "msg_query_1.bin", "msg_query_2.bin",
    "msg_queryhit_1.bin", "msg_queryhit_2.bin", "msg_queryhit_3.bin",
  };
  GPtrArray *found = g_ptr_array_new_with_free_func (found_block_free);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    collect_blocks (found, names[i]);
  return found;
}

/* --- Captured blocks --- */

START_TEST (test_fixture_blocks_reencode_identically)
{
  g_autoptr (GPtrArray) found = all_fixture_blocks ();

  /* 2 pings, 3 pongs, 2 queries, 3 hits x (3 results + 1 trailer) */
  ck_assert_uint_eq (found->len, 2 + 3 + 2 + 3 * 4);
  for (guint i = 0; i < found->len; i++)
    {
      const FoundBlock *fb = g_ptr_array_index (found, i);
      gsize len, consumed = 0;
      const guint8 *area = g_bytes_get_data (fb->area, &len);
      g_autoptr (SvGgep) ggep = NULL;
      g_autoptr (GByteArray) again = g_byte_array_new ();

      ck_assert_msg (sv_ggep_decode (area, len, &consumed, &ggep) == SV_STATUS_OK, "%s", fb->where);
      ck_assert_uint_gt (sv_ggep_count (ggep), 0);
      sv_ggep_encode (ggep, again);
      ck_assert_uint_eq (again->len, consumed);
      ck_assert_msg (memcmp (again->data, area, consumed) == 0, "%s differs", fb->where);
    }
}
END_TEST

START_TEST (test_fixture_values)
{
  g_autoptr (GBytes) ping = sv_test_hex ("c3835343504100");
  g_autoptr (GBytes) pong = sv_test_hex ("c30256434547544b47830255504302ff1e8244554102");
  g_autoptr (SvGgep) a = NULL;
  g_autoptr (SvGgep) b = NULL;
  const SvGgepExt *ext;
  gsize len, consumed;
  const guint8 *p;
  guint64 du = 0;

  p = g_bytes_get_data (ping, &len);
  ck_assert_int_eq (sv_ggep_decode (p, len, &consumed, &a), SV_STATUS_OK);
  ck_assert_uint_eq (consumed, len);   /* the final 0x00 is SCP's one-byte value */
  ck_assert_uint_eq (sv_ggep_count (a), 1);
  ext = sv_ggep_find (a, "SCP");
  ck_assert_ptr_nonnull (ext);
  ck_assert_uint_eq (g_bytes_get_size (ext->value), 1);
  ck_assert_uint_eq (((const guint8 *) g_bytes_get_data (ext->value, NULL))[0], 0);

  p = g_bytes_get_data (pong, &len);
  ck_assert_int_eq (sv_ggep_decode (p, len, &consumed, &b), SV_STATUS_OK);
  ck_assert_uint_eq (consumed, len);
  ck_assert_uint_eq (sv_ggep_count (b), 3);
  ck_assert_str_eq (sv_ggep_nth (b, 0)->id, "VC");
  ck_assert_str_eq (sv_ggep_nth (b, 1)->id, "UP");
  ck_assert_str_eq (sv_ggep_nth (b, 2)->id, "DU");
  ext = sv_ggep_find (b, "VC");
  ck_assert_uint_eq (g_bytes_get_size (ext->value), 5);
  ck_assert_mem_eq (g_bytes_get_data (ext->value, NULL), "GTKG\x83", 5);
  ck_assert (sv_ggep_get_uint (b, "DU", &du));
  ck_assert_uint_eq (du, 2);
  ck_assert_ptr_null (sv_ggep_find (b, "vc"));   /* IDs are case-sensitive */
}
END_TEST

/* The first result of leafB's hit: H (COBS, bitprint) and CT. The SHA-1 and tiger root must be
 * those the same file is served with in http.txt. */
START_TEST (test_fixture_cobs_bitprint)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (found_block_free);
  const FoundBlock *fb;
  g_autoptr (SvGgep) ggep = NULL;
  const SvGgepExt *h;
  const guint8 *v;
  gsize len, consumed;
  guint64 ct = 0;
  g_autofree char *sha1 = NULL;
  g_autofree char *tiger = NULL;

  collect_blocks (found, "msg_queryhit_1.bin");
  fb = g_ptr_array_index (found, 0);
  v = g_bytes_get_data (fb->area, &len);
  ck_assert_int_eq (sv_ggep_decode (v, len, &consumed, &ggep), SV_STATUS_OK);
  h = sv_ggep_find (ggep, "H");
  ck_assert_ptr_nonnull (h);
  ck_assert_int_eq (h->encoding, SV_GGEP_ENC_COBS);
  ck_assert_uint_eq (g_bytes_get_size (h->wire), 46);
  v = g_bytes_get_data (h->value, &len);
  ck_assert_uint_eq (len, 1 + 20 + 24);
  ck_assert_uint_eq (v[0], 2);   /* bitprint */
  sha1 = sv_base32_encode (v + 1, 20);
  tiger = sv_base32_encode (v + 21, 24);
  ck_assert_str_eq (sha1, "QY2JLSMMJYG7XRQNKNMV56U7AFLRSPFB");
  ck_assert_str_eq (tiger, "LGQUWJUPXQECYP5OBLXY5OZCJYAE7GX6NAAHIUQ");
  ck_assert (sv_ggep_get_uint (ggep, "CT", &ct));
  ck_assert_uint_eq (ct, 0x6b016182u);
}
END_TEST

START_TEST (test_fixture_truncation_at_every_byte)
{
  g_autoptr (GPtrArray) found = all_fixture_blocks ();

  for (guint i = 0; i < found->len; i++)
    {
      const FoundBlock *fb = g_ptr_array_index (found, i);
      gsize len, consumed;
      const guint8 *area = g_bytes_get_data (fb->area, &len);
      g_autoptr (SvGgep) full = NULL;

      ck_assert_int_eq (sv_ggep_decode (area, len, &consumed, &full), SV_STATUS_OK);
      for (gsize cut = 0; cut < consumed; cut++)
        {
          SvGgep *ggep = (SvGgep *) 0x1;
          gsize c2 = 0;
          /* A copy of exactly @cut bytes, so that a read past it is caught by the sanitizers. */
          g_autofree guint8 *copy = g_memdup2 (area, cut);

          ck_assert_msg (sv_ggep_decode (copy, cut, &c2, &ggep) == SV_STATUS_TRUNCATED,
                         "%s cut at %" G_GSIZE_FORMAT, fb->where, cut);
          ck_assert_ptr_null (ggep);
        }
    }
}
END_TEST

/* --- Length field --- */

static void
check_length (guint32 value, const char *hex)
{
  g_autoptr (GBytes) expect = sv_test_hex (hex);
  guint8 out[3];
  guint n = sv_ggep_length_encode (value, out);
  guint32 back = 0;
  guint used = 0;

  ck_assert_uint_eq (n, g_bytes_get_size (expect));
  ck_assert_mem_eq (out, g_bytes_get_data (expect, NULL), n);
  ck_assert_int_eq (sv_ggep_length_decode (out, n, &back, &used), SV_STATUS_OK);
  ck_assert_uint_eq (back, value);
  ck_assert_uint_eq (used, n);
}

START_TEST (test_length_encoding)
{
  guint8 out[3];

  check_length (0, "40");
  check_length (1, "41");
  check_length (63, "7f");
  check_length (64, "81 40");
  check_length (4095, "bf 7f");
  check_length (4096, "81 80 40");
  check_length (262143, "bf bf 7f");
  ck_assert_uint_eq (sv_ggep_length_encode (262144, out), 0);
  ck_assert_uint_eq (sv_ggep_length_encode (G_MAXUINT32, out), 0);
}
END_TEST

START_TEST (test_length_every_value_round_trips)
{
  for (guint32 v = 0; v <= SV_GGEP_MAX_DATA_LEN; v++)
    {
      guint8 out[3];
      guint n = sv_ggep_length_encode (v, out);
      guint32 back;
      guint used;

      ck_assert (memchr (out, 0, n) == NULL);
      if (sv_ggep_length_decode (out, n, &back, &used) != SV_STATUS_OK || back != v || used != n)
        ck_abort_msg ("length %u does not round-trip", v);
    }
}
END_TEST

static SvStatus
decode_length_hex (const char *hex)
{
  g_autoptr (GBytes) b = sv_test_hex (hex);
  guint32 v;
  guint used;

  return sv_ggep_length_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &v, &used);
}

START_TEST (test_length_malformed)
{
  ck_assert_int_eq (decode_length_hex (""), SV_STATUS_TRUNCATED);
  ck_assert_int_eq (decode_length_hex ("81"), SV_STATUS_TRUNCATED);
  ck_assert_int_eq (decode_length_hex ("81 81"), SV_STATUS_TRUNCATED);
  ck_assert_int_eq (decode_length_hex ("00"), SV_STATUS_BAD_GGEP);        /* zero byte */
  ck_assert_int_eq (decode_length_hex ("05"), SV_STATUS_BAD_GGEP);        /* neither M nor L */
  ck_assert_int_eq (decode_length_hex ("c1"), SV_STATUS_BAD_GGEP);        /* both M and L */
  ck_assert_int_eq (decode_length_hex ("81 c1"), SV_STATUS_BAD_GGEP);
  ck_assert_int_eq (decode_length_hex ("80 41"), SV_STATUS_BAD_GGEP);     /* non-minimal */
  ck_assert_int_eq (decode_length_hex ("80 81 41"), SV_STATUS_BAD_GGEP);  /* non-minimal */
  ck_assert_int_eq (decode_length_hex ("81 81 81 41"), SV_STATUS_BAD_GGEP); /* unterminated */
  ck_assert_int_eq (decode_length_hex ("81 80 40"), SV_STATUS_OK);        /* 4096: inner 0 is fine */
}
END_TEST

/* --- Malformed blocks --- */

static SvStatus
decode_hex (const char *hex)
{
  g_autoptr (GBytes) b = sv_test_hex (hex);
  g_autoptr (SvGgep) ggep = NULL;
  gsize consumed = 0;
  gsize len;
  const guint8 *p = g_bytes_get_data (b, &len);
  g_autofree guint8 *copy = g_memdup2 (p, len);
  SvStatus status = sv_ggep_decode (copy, len, &consumed, &ggep);

  ck_assert ((status == SV_STATUS_OK) == (ggep != NULL));
  return status;
}

START_TEST (test_malformed_blocks)
{
  ck_assert_int_eq (decode_hex ("c3 82 50 52 40"), SV_STATUS_OK);
  ck_assert_int_eq (decode_hex (""), SV_STATUS_TRUNCATED);
  ck_assert_int_eq (decode_hex ("c3"), SV_STATUS_TRUNCATED);
  ck_assert_int_eq (decode_hex ("c2 82 50 52 40"), SV_STATUS_BAD_GGEP);        /* no magic */
  ck_assert_int_eq (decode_hex ("c3 92 50 52 40"), SV_STATUS_BAD_GGEP);        /* reserved bit */
  ck_assert_int_eq (decode_hex ("c3 80 40"), SV_STATUS_BAD_GGEP);              /* ID length 0 */
  ck_assert_int_eq (decode_hex ("c3 82 50 00 40"), SV_STATUS_BAD_GGEP);        /* NUL in ID */
  ck_assert_int_eq (decode_hex ("c3 82 50 0a 40"), SV_STATUS_BAD_GGEP);        /* control in ID */
  ck_assert_int_eq (decode_hex ("c3 82 50 e9 40"), SV_STATUS_BAD_GGEP);        /* non-ASCII ID */
  ck_assert_int_eq (decode_hex ("c3 82 50 52 81 81 81"), SV_STATUS_BAD_GGEP);  /* unterminated */
  ck_assert_int_eq (decode_hex ("c3 82 50 52 00"), SV_STATUS_BAD_GGEP);        /* zero length byte */
  ck_assert_int_eq (decode_hex ("c3 82 50 52 80 41 00"), SV_STATUS_BAD_GGEP);  /* non-minimal */
  ck_assert_int_eq (decode_hex ("c3 82 50 52 45 01 02"), SV_STATUS_TRUNCATED); /* past the end */
  ck_assert_int_eq (decode_hex ("c3 02 50 52 40"), SV_STATUS_TRUNCATED);       /* no "last" */
  ck_assert_int_eq (decode_hex ("c3 8f 41 42 43"), SV_STATUS_TRUNCATED);       /* ID cut */
}
END_TEST

START_TEST (test_bad_cobs)
{
  ck_assert_int_eq (decode_hex ("c3 c1 48 42 02 61"), SV_STATUS_OK);
  ck_assert_int_eq (decode_hex ("c3 c1 48 40"), SV_STATUS_BAD_COBS);          /* empty */
  ck_assert_int_eq (decode_hex ("c3 c1 48 42 05 61"), SV_STATUS_BAD_COBS);    /* run past end */
  ck_assert_int_eq (decode_hex ("c3 c1 48 43 03 00 61"), SV_STATUS_BAD_COBS); /* NUL in a run */
  ck_assert_int_eq (decode_hex ("c3 c1 48 42 00 61"), SV_STATUS_BAD_COBS);    /* NUL code */
}
END_TEST

START_TEST (test_bad_deflate)
{
  static const guint8 text[] = "hello hello hello hello hello hello hello";
  g_autoptr (GBytes) z = zlib_compress (text, sizeof text);
  gsize zlen;
  const guint8 *zp = g_bytes_get_data (z, &zlen);
  g_autoptr (GByteArray) good = g_byte_array_new ();
  g_autoptr (GByteArray) cut = g_byte_array_new ();
  g_autoptr (SvGgep) ggep = NULL;
  SvGgep *none = NULL;

  sv_put_u8 (good, SV_GGEP_MAGIC);
  put_ext (good, 0x80 | 0x20, "Z", zp, zlen);
  ck_assert_int_eq (decode_array (good, &ggep), SV_STATUS_OK);
  ck_assert_uint_eq (g_bytes_get_size (sv_ggep_find (ggep, "Z")->value), sizeof text);
  ck_assert_mem_eq (g_bytes_get_data (sv_ggep_find (ggep, "Z")->value, NULL), text, sizeof text);

  sv_put_u8 (cut, SV_GGEP_MAGIC);
  put_ext (cut, 0x80 | 0x20, "Z", zp, zlen - 5);   /* stream stops early */
  ck_assert_int_eq (decode_array (cut, &none), SV_STATUS_BAD_DEFLATE);
  ck_assert_int_eq (decode_hex ("c3 a1 5a 44 de ad be ef"), SV_STATUS_BAD_DEFLATE);
  ck_assert_int_eq (decode_hex ("c3 a1 5a 40"), SV_STATUS_BAD_DEFLATE);      /* empty */
  /* A corrupt zlib stream with a valid header. */
  ck_assert_int_eq (decode_hex ("c3 a1 5a 46 78 9c ff ff ff ff"), SV_STATUS_BAD_DEFLATE);
}
END_TEST

START_TEST (test_raw_deflate_accepted)
{
  static const guint8 text[] = "raw raw raw raw raw raw raw raw raw raw raw raw";
  guint8 out[256];
  z_stream zs;
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_autoptr (SvGgep) ggep = NULL;
  const SvGgepExt *ext;

  memset (&zs, 0, sizeof zs);
  ck_assert_int_eq (deflateInit2 (&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = (Bytef *) text;
  zs.avail_in = sizeof text;
  zs.next_out = out;
  zs.avail_out = sizeof out;
  ck_assert_int_eq (deflate (&zs, Z_FINISH), Z_STREAM_END);
  sv_put_u8 (b, SV_GGEP_MAGIC);
  put_ext (b, 0x80 | 0x20, "R", out, zs.total_out);
  deflateEnd (&zs);

  ck_assert_int_eq (decode_array (b, &ggep), SV_STATUS_OK);
  ext = sv_ggep_find (ggep, "R");
  ck_assert_uint_eq (g_bytes_get_size (ext->value), sizeof text);
  ck_assert_mem_eq (g_bytes_get_data (ext->value, NULL), text, sizeof text);
}
END_TEST

/* Deflated data of @inflated zero bytes in one extension, optionally COBS-stuffed too. */
static SvStatus
decode_deflated_zeros (gsize inflated, gboolean cobs, gsize *wire_len)
{
  g_autofree guint8 *zeros = g_malloc0 (inflated);
  g_autoptr (GBytes) z = zlib_compress (zeros, inflated);
  g_autoptr (GBytes) framed = NULL;
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_autoptr (SvGgep) ggep = NULL;
  SvStatus status;

  framed = cobs ? sv_ggep_cobs_encode (g_bytes_get_data (z, NULL), g_bytes_get_size (z))
                : g_bytes_ref (z);
  *wire_len = g_bytes_get_size (framed);
  sv_put_u8 (b, SV_GGEP_MAGIC);
  put_ext (b, 0x80 | 0x20 | (cobs ? 0x40 : 0), "B", g_bytes_get_data (framed, NULL),
           g_bytes_get_size (framed));
  status = decode_array (b, &ggep);
  if (status == SV_STATUS_OK)
    ck_assert_uint_eq (g_bytes_get_size (sv_ggep_find (ggep, "B")->value), inflated);
  return status;
}

START_TEST (test_deflate_bomb_and_cap)
{
  gsize wire = 0;

  ck_assert_int_eq (decode_deflated_zeros (SV_GGEP_MAX_INFLATED_BYTES, FALSE, &wire), SV_STATUS_OK);
  ck_assert_int_eq (decode_deflated_zeros (SV_GGEP_MAX_INFLATED_BYTES + 1, FALSE, &wire),
                    SV_STATUS_INFLATE_CAP);
  ck_assert_int_eq (decode_deflated_zeros (SV_GGEP_MAX_INFLATED_BYTES + 1, TRUE, &wire),
                    SV_STATUS_INFLATE_CAP);
  /* A few KB that would inflate to 16 MB. */
  ck_assert_int_eq (decode_deflated_zeros (16u << 20, FALSE, &wire), SV_STATUS_INFLATE_CAP);
  ck_assert_uint_lt (wire, 32 * 1024);
}
END_TEST

START_TEST (test_extension_cap)
{
  g_autoptr (GByteArray) ok = g_byte_array_new ();
  g_autoptr (GByteArray) over = g_byte_array_new ();
  g_autoptr (SvGgep) ggep = NULL;
  g_autoptr (SvGgep) built = sv_ggep_new ();
  SvGgep *none = NULL;

  sv_put_u8 (ok, SV_GGEP_MAGIC);
  sv_put_u8 (over, SV_GGEP_MAGIC);
  for (guint i = 0; i < SV_GGEP_MAX_EXTENSIONS + 1; i++)
    {
      g_autofree char *id = g_strdup_printf ("E%u", i);

      if (i < SV_GGEP_MAX_EXTENSIONS)
        put_ext (ok, i + 1 == SV_GGEP_MAX_EXTENSIONS ? 0x80 : 0, id, "x", 1);
      put_ext (over, i == SV_GGEP_MAX_EXTENSIONS ? 0x80 : 0, id, "x", 1);
      ck_assert (sv_ggep_add (built, id, "x", 1, SV_GGEP_ENC_NONE) == (i < SV_GGEP_MAX_EXTENSIONS));
    }
  ck_assert_int_eq (decode_array (ok, &ggep), SV_STATUS_OK);
  ck_assert_uint_eq (sv_ggep_count (ggep), SV_GGEP_MAX_EXTENSIONS);
  ck_assert_int_eq (decode_array (over, &none), SV_STATUS_TOO_BIG);
  ck_assert_uint_eq (sv_ggep_count (built), SV_GGEP_MAX_EXTENSIONS);
}
END_TEST

START_TEST (test_duplicates_first_wins)
{
  g_autoptr (GBytes) b = sv_test_hex ("c3 01 41 41 31 81 41 41 32");
  g_autoptr (SvGgep) ggep = NULL;
  g_autoptr (GByteArray) again = g_byte_array_new ();
  gsize consumed;

  ck_assert_int_eq (sv_ggep_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &consumed,
                                    &ggep), SV_STATUS_OK);
  ck_assert_uint_eq (sv_ggep_count (ggep), 2);
  ck_assert_mem_eq (g_bytes_get_data (sv_ggep_find (ggep, "A")->value, NULL), "1", 1);
  sv_ggep_encode (ggep, again);
  ck_assert_uint_eq (again->len, g_bytes_get_size (b));
  ck_assert_mem_eq (again->data, g_bytes_get_data (b, NULL), again->len);
  ck_assert_uint_eq (sv_ggep_remove (ggep, "A"), 2);
  ck_assert_uint_eq (sv_ggep_count (ggep), 0);
}
END_TEST

/* --- COBS --- */

static void
check_cobs (const char *plain_hex, const char *cobs_hex)
{
  g_autoptr (GBytes) plain = sv_test_hex (plain_hex);
  g_autoptr (GBytes) expect = sv_test_hex (cobs_hex);
  g_autoptr (GBytes) enc = sv_ggep_cobs_encode (g_bytes_get_data (plain, NULL),
                                                g_bytes_get_size (plain));
  g_autoptr (GBytes) dec = NULL;

  ck_assert_msg (g_bytes_equal (enc, expect), "COBS of %s", plain_hex);
  dec = sv_ggep_cobs_decode (g_bytes_get_data (enc, NULL), g_bytes_get_size (enc));
  ck_assert_ptr_nonnull (dec);
  ck_assert (g_bytes_equal (dec, plain));
}

START_TEST (test_cobs_vectors)
{
  check_cobs ("", "01");
  check_cobs ("00", "01 01");
  check_cobs ("00 00", "01 01 01");
  check_cobs ("11 22 00 33", "03 11 22 02 33");
  check_cobs ("11 22 33 44", "05 11 22 33 44");
  check_cobs ("11 00 00 00", "02 11 01 01 01");
}
END_TEST

START_TEST (test_cobs_long_runs)
{
  guint8 data[600];

  for (gsize len = 0; len <= sizeof data; len++)
    {
      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) (1 + i % 255);
      if (len > 300)
        data[len / 2] = 0;
      {
        g_autoptr (GBytes) enc = sv_ggep_cobs_encode (data, len);
        g_autoptr (GBytes) dec = NULL;
        gsize elen;
        const guint8 *e = g_bytes_get_data (enc, &elen);

        ck_assert (memchr (e, 0, elen) == NULL);
        ck_assert_uint_le (elen, len + len / 254 + 1);
        dec = sv_ggep_cobs_decode (e, elen);
        ck_assert_ptr_nonnull (dec);
        ck_assert_uint_eq (g_bytes_get_size (dec), len);
        ck_assert_mem_eq (g_bytes_get_data (dec, NULL), data, len);
      }
    }
  /* 254 non-zero bytes: one 0xFF run and no closing code; the form with 0x01 decodes alike. */
  {
    g_autoptr (GBytes) enc = sv_ggep_cobs_encode (data, 254);
    g_autoptr (GByteArray) longer = g_byte_array_new ();
    g_autoptr (GBytes) dec = NULL;

    ck_assert_uint_eq (g_bytes_get_size (enc), 255);
    ck_assert_uint_eq (((const guint8 *) g_bytes_get_data (enc, NULL))[0], 0xff);
    sv_put_bytes (longer, g_bytes_get_data (enc, NULL), 255);
    sv_put_u8 (longer, 0x01);
    dec = sv_ggep_cobs_decode (longer->data, longer->len);
    ck_assert_uint_eq (g_bytes_get_size (dec), 254);
  }
}
END_TEST

START_TEST (test_cobs_bad)
{
  static const guint8 nul[] = { 0x00 };
  static const guint8 past[] = { 0x03, 0x11 };
  static const guint8 inner[] = { 0x03, 0x11, 0x00 };

  ck_assert_ptr_null (sv_ggep_cobs_decode (nul, 0));
  ck_assert_ptr_null (sv_ggep_cobs_decode (nul, 1));
  ck_assert_ptr_null (sv_ggep_cobs_decode (past, sizeof past));
  ck_assert_ptr_null (sv_ggep_cobs_decode (inner, sizeof inner));
}
END_TEST

/* --- Building blocks --- */

START_TEST (test_build_round_trip)
{
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  g_autoptr (SvGgep) back = NULL;
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) again = g_byte_array_new ();
  guint8 compressible[2000];
  guint8 noise[24];
  guint32 seed = 12345;
  static const guint8 with_nul[] = { 'a', 0, 'b' };

  memset (compressible, 'z', sizeof compressible);
  for (gsize i = 0; i < sizeof noise; i++)
    {
      seed = seed * 1103515245u + 12345u;
      noise[i] = (guint8) (seed >> 16) | 1;   /* no NUL */
    }
  ck_assert (sv_ggep_add (ggep, "PLAIN", "text", 4, SV_GGEP_ENC_NONE));
  ck_assert (sv_ggep_add (ggep, "COBS", with_nul, sizeof with_nul, SV_GGEP_ENC_COBS));
  ck_assert (sv_ggep_add (ggep, "Z", compressible, sizeof compressible, SV_GGEP_ENC_DEFLATE));
  ck_assert (sv_ggep_add (ggep, "NOISE", noise, sizeof noise, SV_GGEP_ENC_DEFLATE));
  ck_assert (sv_ggep_add (ggep, "NF1", with_nul, sizeof with_nul, SV_GGEP_ENC_NUL_FREE));
  ck_assert (sv_ggep_add (ggep, "NF2", "abc", 3, SV_GGEP_ENC_NUL_FREE));
  ck_assert (sv_ggep_add (ggep, "ZC", compressible, sizeof compressible,
                          SV_GGEP_ENC_DEFLATE | SV_GGEP_ENC_NUL_FREE));
  ck_assert (sv_ggep_add (ggep, "E", NULL, 0, SV_GGEP_ENC_DEFLATE | SV_GGEP_ENC_COBS));
  sv_ggep_encode (ggep, wire);

  ck_assert_int_eq (decode_array (wire, &back), SV_STATUS_OK);
  ck_assert_uint_eq (sv_ggep_count (back), sv_ggep_count (ggep));
  for (guint i = 0; i < sv_ggep_count (ggep); i++)
    {
      ck_assert_str_eq (sv_ggep_nth (back, i)->id, sv_ggep_nth (ggep, i)->id);
      ck_assert (g_bytes_equal (sv_ggep_nth (back, i)->value, sv_ggep_nth (ggep, i)->value));
    }
  /* How each was framed: deflate only when it saves space, COBS as asked. */
  ck_assert_int_eq (sv_ggep_find (back, "PLAIN")->encoding, SV_GGEP_ENC_NONE);
  ck_assert_int_eq (sv_ggep_find (back, "COBS")->encoding, SV_GGEP_ENC_COBS);
  ck_assert_int_eq (sv_ggep_find (back, "Z")->encoding, SV_GGEP_ENC_DEFLATE);
  ck_assert_uint_lt (g_bytes_get_size (sv_ggep_find (back, "Z")->wire), 100);
  ck_assert_int_eq (sv_ggep_find (back, "NOISE")->encoding, SV_GGEP_ENC_NONE);
  ck_assert_int_eq (sv_ggep_find (back, "NF1")->encoding, SV_GGEP_ENC_COBS);
  ck_assert_int_eq (sv_ggep_find (back, "NF2")->encoding, SV_GGEP_ENC_NONE);
  ck_assert_int_eq (sv_ggep_find (back, "E")->encoding, SV_GGEP_ENC_COBS);
  ck_assert_uint_eq (sv_ggep_find (back, "ZC")->encoding & SV_GGEP_ENC_DEFLATE, SV_GGEP_ENC_DEFLATE);

  /* The decoded block re-encodes to the same bytes. */
  sv_ggep_encode (back, again);
  ck_assert_uint_eq (again->len, wire->len);
  ck_assert_mem_eq (again->data, wire->data, wire->len);
}
END_TEST

START_TEST (test_nul_free_blocks)
{
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (SvGgep) back = NULL;
  guint8 zeros[300] = { 0 };
  guint8 bytes[256];

  for (guint i = 0; i < 256; i++)
    bytes[i] = (guint8) i;
  ck_assert (sv_ggep_add (ggep, "A", zeros, sizeof zeros, SV_GGEP_ENC_NUL_FREE));
  ck_assert (sv_ggep_add (ggep, "B", zeros, sizeof zeros,
                          SV_GGEP_ENC_NUL_FREE | SV_GGEP_ENC_DEFLATE));
  ck_assert (sv_ggep_add (ggep, "C", bytes, sizeof bytes, SV_GGEP_ENC_COBS));
  sv_ggep_add_uint (ggep, "D", 0x10000);   /* holds 0x00 bytes: 00 00 01 */
  ck_assert (sv_ggep_remove (ggep, "D") == 1);
  ck_assert (sv_ggep_add (ggep, "D", "\0\0\1", 3, SV_GGEP_ENC_NUL_FREE));
  sv_ggep_encode (ggep, wire);
  ck_assert (memchr (wire->data, 0, wire->len) == NULL);
  ck_assert_int_eq (decode_array (wire, &back), SV_STATUS_OK);
  ck_assert (g_bytes_equal (sv_ggep_find (back, "B")->value, sv_ggep_find (ggep, "B")->value));
}
END_TEST

START_TEST (test_large_values)
{
  gsize sizes[] = { 63, 64, 4095, 4096, SV_GGEP_MAX_DATA_LEN };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = g_malloc (sizes[i]);
      g_autoptr (SvGgep) ggep = sv_ggep_new ();
      g_autoptr (SvGgep) back = NULL;
      g_autoptr (GByteArray) wire = g_byte_array_new ();

      memset (data, 'v', sizes[i]);
      ck_assert (sv_ggep_add (ggep, "V", data, sizes[i], SV_GGEP_ENC_NONE));
      sv_ggep_encode (ggep, wire);
      ck_assert_int_eq (decode_array (wire, &back), SV_STATUS_OK);
      ck_assert_uint_eq (g_bytes_get_size (sv_ggep_find (back, "V")->value), sizes[i]);
    }
}
END_TEST

START_TEST (test_add_refuses)
{
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  g_autofree guint8 *big = g_malloc0 (SV_GGEP_MAX_DATA_LEN + 1);

  ck_assert (!sv_ggep_add (ggep, "", "x", 1, SV_GGEP_ENC_NONE));
  ck_assert (!sv_ggep_add (ggep, NULL, "x", 1, SV_GGEP_ENC_NONE));
  ck_assert (sv_ggep_add (ggep, "ABCDEFGHIJKLMNO", "x", 1, SV_GGEP_ENC_NONE));   /* 15 */
  ck_assert (!sv_ggep_add (ggep, "ABCDEFGHIJKLMNOP", "x", 1, SV_GGEP_ENC_NONE)); /* 16 */
  ck_assert (!sv_ggep_add (ggep, "A\nB", "x", 1, SV_GGEP_ENC_NONE));
  ck_assert (!sv_ggep_add (ggep, "A\xc3\xa9", "x", 1, SV_GGEP_ENC_NONE));
  ck_assert (!sv_ggep_add (ggep, "BIG", big, SV_GGEP_MAX_DATA_LEN + 1, SV_GGEP_ENC_NONE));
  /* With COBS asked, the worst-case overhead must still fit the length field. */
  ck_assert (!sv_ggep_add (ggep, "BIG", big, SV_GGEP_MAX_DATA_LEN, SV_GGEP_ENC_COBS));
  ck_assert_uint_eq (sv_ggep_count (ggep), 1);
}
END_TEST

START_TEST (test_uint_helpers)
{
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  g_autoptr (SvGgep) back = NULL;
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  guint64 v = 0;

  sv_ggep_add_uint (ggep, "Z0", 0);
  sv_ggep_add_uint (ggep, "DU", 0x0102);
  sv_ggep_add_uint (ggep, "LF", G_GUINT64_CONSTANT (0x100000000));
  sv_ggep_add_uint (ggep, "MX", G_MAXUINT64);
  ck_assert (sv_ggep_add (ggep, "N9", "123456789", 9, SV_GGEP_ENC_NONE));
  ck_assert (sv_ggep_add (ggep, "E", NULL, 0, SV_GGEP_ENC_NONE));

  ck_assert_uint_eq (g_bytes_get_size (sv_ggep_find (ggep, "Z0")->value), 1);
  ck_assert_mem_eq (g_bytes_get_data (sv_ggep_find (ggep, "DU")->value, NULL), "\x02\x01", 2);
  ck_assert_uint_eq (g_bytes_get_size (sv_ggep_find (ggep, "DU")->value), 2);
  ck_assert_uint_eq (g_bytes_get_size (sv_ggep_find (ggep, "LF")->value), 5);
  ck_assert_uint_eq (g_bytes_get_size (sv_ggep_find (ggep, "MX")->value), 8);

  sv_ggep_encode (ggep, wire);
  ck_assert_int_eq (decode_array (wire, &back), SV_STATUS_OK);
  ck_assert (sv_ggep_get_uint (back, "Z0", &v));
  ck_assert_uint_eq (v, 0);
  ck_assert (sv_ggep_get_uint (back, "DU", &v));
  ck_assert_uint_eq (v, 0x0102);
  ck_assert (sv_ggep_get_uint (back, "LF", &v));
  ck_assert_uint_eq (v, G_GUINT64_CONSTANT (0x100000000));
  ck_assert (sv_ggep_get_uint (back, "MX", &v));
  ck_assert_uint_eq (v, G_MAXUINT64);
  ck_assert (!sv_ggep_get_uint (back, "N9", &v));
  ck_assert (!sv_ggep_get_uint (back, "E", &v));
  ck_assert (!sv_ggep_get_uint (back, "absent", &v));
}
END_TEST

START_TEST (test_empty_block_encodes_nothing)
{
  g_autoptr (SvGgep) ggep = sv_ggep_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();

  sv_ggep_encode (ggep, wire);
  ck_assert_uint_eq (wire->len, 0);
  ck_assert_ptr_null (sv_ggep_find (ggep, "X"));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("ggep");
  TCase *fixtures = tcase_create ("fixtures");
  TCase *wire = tcase_create ("wire");
  TCase *build = tcase_create ("build");

  tcase_add_test (fixtures, test_fixture_blocks_reencode_identically);
  tcase_add_test (fixtures, test_fixture_values);
  tcase_add_test (fixtures, test_fixture_cobs_bitprint);
  tcase_add_test (fixtures, test_fixture_truncation_at_every_byte);
  suite_add_tcase (s, fixtures);

  tcase_add_test (wire, test_length_encoding);
  tcase_add_test (wire, test_length_every_value_round_trips);
  tcase_add_test (wire, test_length_malformed);
  tcase_add_test (wire, test_malformed_blocks);
  tcase_add_test (wire, test_bad_cobs);
  tcase_add_test (wire, test_bad_deflate);
  tcase_add_test (wire, test_raw_deflate_accepted);
  tcase_add_test (wire, test_deflate_bomb_and_cap);
  tcase_add_test (wire, test_extension_cap);
  tcase_add_test (wire, test_duplicates_first_wins);
  tcase_add_test (wire, test_cobs_vectors);
  tcase_add_test (wire, test_cobs_long_runs);
  tcase_add_test (wire, test_cobs_bad);
  suite_add_tcase (s, wire);

  tcase_add_test (build, test_build_round_trip);
  tcase_add_test (build, test_nul_free_blocks);
  tcase_add_test (build, test_large_values);
  tcase_add_test (build, test_add_refuses);
  tcase_add_test (build, test_uint_helpers);
  tcase_add_test (build, test_empty_block_encodes_nothing);
  suite_add_tcase (s, build);
  return sv_test_run (s);
}
