/* test-urn.c: RFC 3548 base32 and the urn:sha1 / urn:bitprint text forms. */
#include "check-util.h"
#include "urn.h"

#include <string.h>

/* SHA-1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d (FIPS 180 test vector). */
static const guint8 sha1_abc[SV_SHA1_LEN] = {
  0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
  0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d,
};
#define SHA1_ABC_B32 "VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5"

/* SHA-1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709. */
static const guint8 sha1_empty[SV_SHA1_LEN] = {
  0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b, 0x0d, 0x32, 0x55,
  0xbf, 0xef, 0x95, 0x60, 0x18, 0x90, 0xaf, 0xd8, 0x07, 0x09,
};
#define SHA1_EMPTY_B32 "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"

START_TEST (test_huge_worked_example)
{
  const guint8 in[2] = { 0x0f, 0xf5 };
  g_autofree char *text = sv_base32_encode (in, sizeof in);
  guint8 back[2];

  ck_assert_str_eq (text, "B72Q");
  ck_assert (sv_base32_decode ("B72Q", 4, back, 2));
  ck_assert_mem_eq (back, in, 2);
  ck_assert (sv_base32_decode ("b72q", 4, back, 2));
  ck_assert_mem_eq (back, in, 2);
}
END_TEST

START_TEST (test_known_sha1s)
{
  g_autofree char *abc = sv_base32_encode (sha1_abc, SV_SHA1_LEN);
  g_autofree char *empty = sv_base32_encode (sha1_empty, SV_SHA1_LEN);
  char urn[SV_URN_SHA1_LEN + 1];
  SvSha1 sha1;

  ck_assert_str_eq (abc, SHA1_ABC_B32);
  ck_assert_str_eq (empty, SHA1_EMPTY_B32);

  memcpy (sha1.b, sha1_abc, SV_SHA1_LEN);
  sv_urn_sha1_format (&sha1, urn);
  ck_assert_str_eq (urn, "urn:sha1:" SHA1_ABC_B32);
  ck_assert_uint_eq (strlen (urn), SV_URN_SHA1_LEN);

  memset (&sha1, 0, sizeof sha1);
  ck_assert (sv_urn_parse (urn, strlen (urn), &sha1));
  ck_assert_mem_eq (sha1.b, sha1_abc, SV_SHA1_LEN);
}
END_TEST

START_TEST (test_parse_case_insensitive)
{
  const char *forms[] = {
    "urn:sha1:" SHA1_EMPTY_B32,
    "URN:SHA1:" SHA1_EMPTY_B32,
    "Urn:Sha1:3i42h3s6nnfq2msvx7xzkyayscx5qbyj",
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      SvSha1 sha1;
      char out[SV_URN_SHA1_LEN + 1];

      ck_assert_msg (sv_urn_parse (forms[i], strlen (forms[i]), &sha1), "%s", forms[i]);
      ck_assert_mem_eq (sha1.b, sha1_empty, SV_SHA1_LEN);
      sv_urn_sha1_format (&sha1, out);
      ck_assert_str_eq (out, "urn:sha1:" SHA1_EMPTY_B32);   /* output is upper case */
    }
}
END_TEST

START_TEST (test_bitprint_cut_to_sha1)
{
  /* Tiger part: the 24 bytes 0x01..0x18 in base32. */
  const char *bp = "urn:bitprint:" SHA1_ABC_B32 ".AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGA";
  SvSha1 sha1;

  ck_assert (sv_urn_parse (bp, strlen (bp), &sha1));
  ck_assert_mem_eq (sha1.b, sha1_abc, SV_SHA1_LEN);
}
END_TEST

START_TEST (test_rejects)
{
  const char *bad[] = {
    "",
    "urn:sha1:",
    "urn:sha1:" SHA1_ABC_B32 "A",                   /* 33 characters */
    "urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE",     /* 31 characters */
    "urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE1",    /* '1' is not in the alphabet */
    "urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE=",
    "urn:md5:" SHA1_ABC_B32,
    "sha1:" SHA1_ABC_B32,
    "urn:bitprint:" SHA1_ABC_B32,                   /* no tiger part */
    "urn:bitprint:" SHA1_ABC_B32 "-AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGA",
    "urn:bitprint:" SHA1_ABC_B32 ".AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOG",
    "urn:bitprint:" SHA1_ABC_B32 ".AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGB", /* padding bits set */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      SvSha1 sha1;

      ck_assert_msg (!sv_urn_parse (bad[i], strlen (bad[i]), &sha1), "accepted '%s'", bad[i]);
    }
  ck_assert (!sv_urn_parse (NULL, 0, NULL));
}
END_TEST

START_TEST (test_truncation_at_every_byte)
{
  const char *urn = "urn:sha1:" SHA1_ABC_B32;
  SvSha1 sha1;

  for (gsize cut = 0; cut < strlen (urn); cut++)
    ck_assert_msg (!sv_urn_parse (urn, cut, &sha1), "accepted a cut at %" G_GSIZE_FORMAT, cut);
  ck_assert (sv_urn_parse (urn, strlen (urn), &sha1));
}
END_TEST

START_TEST (test_base32_round_trips_all_lengths)
{
  guint8 data[64];
  guint8 back[64];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 37 + 11);
  for (gsize len = 0; len <= sizeof data; len++)
    {
      g_autofree char *text = sv_base32_encode (data, len);

      ck_assert_uint_eq (strlen (text), (len * 8 + 4) / 5);
      ck_assert (sv_base32_decode (text, strlen (text), back, len));
      ck_assert_mem_eq (back, data, len);
      /* One character fewer or more never fits. */
      if (len > 0)
        ck_assert (!sv_base32_decode (text, strlen (text) - 1, back, len));
    }
}
END_TEST

START_TEST (test_base32_padding_bits_must_be_zero)
{
  guint8 out[2];

  /* "B72Q" ends with 4 padding bits at zero; "B72R" sets the lowest. */
  ck_assert (sv_base32_decode ("B72Q", 4, out, 2));
  ck_assert (!sv_base32_decode ("B72R", 4, out, 2));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("urn");
  TCase *tc = tcase_create ("urn");

  tcase_add_test (tc, test_huge_worked_example);
  tcase_add_test (tc, test_known_sha1s);
  tcase_add_test (tc, test_parse_case_insensitive);
  tcase_add_test (tc, test_bitprint_cut_to_sha1);
  tcase_add_test (tc, test_rejects);
  tcase_add_test (tc, test_truncation_at_every_byte);
  tcase_add_test (tc, test_base32_round_trips_all_lengths);
  tcase_add_test (tc, test_base32_padding_bits_must_be_zero);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
