/* test-magnet.c: magnet links: parsing, percent coding, caps, building and round trips. */
#include "check-util.h"
#include "magnet.h"

#include <string.h>

/* The SHA-1 leafA downloaded from up2 in the captured run (http.txt). */
#define FILE_B32 "QY2JLSMMJYG7XRQNKNMV56U7AFLRSPFB"

static SvStatus
parse (const char *text, SvMagnet **out)
{
  return sv_magnet_parse (text, strlen (text), out);
}

static const SvMagnetSource *
source (const SvMagnet *m, guint i)
{
  return g_ptr_array_index (m->sources, i);
}

START_TEST (test_parse_full)
{
  const char *link = "magnet:?xt=urn:sha1:" FILE_B32 "&dn=leafB_zebrafile_2.bin&xl=80000"
                     "&xs=http://127.0.0.1:16348/uri-res/N2R?urn:sha1:" FILE_B32
                     "&as=http://example.com/f%20ile.bin";
  g_autoptr (SvMagnet) m = NULL;
  char urn[SV_URN_SHA1_LEN + 1];

  ck_assert_int_eq (parse (link, &m), SV_STATUS_OK);
  ck_assert (m->has_sha1);
  sv_urn_sha1_format (&m->sha1, urn);
  ck_assert_str_eq (urn, "urn:sha1:" FILE_B32);
  ck_assert_str_eq (m->display_name, "leafB_zebrafile_2.bin");
  ck_assert (m->has_size);
  ck_assert_uint_eq (m->size, 80000);
  ck_assert_uint_eq (m->sources->len, 2);
  ck_assert_int_eq (source (m, 0)->kind, SV_MAGNET_SOURCE_EXACT);
  ck_assert_str_eq (source (m, 0)->url, "http://127.0.0.1:16348/uri-res/N2R?urn:sha1:" FILE_B32);
  ck_assert_int_eq (source (m, 1)->kind, SV_MAGNET_SOURCE_ACCEPTABLE);
  ck_assert_str_eq (source (m, 1)->url, "http://example.com/f ile.bin");
}
END_TEST

START_TEST (test_percent_and_plus)
{
  g_autoptr (SvMagnet) m = NULL;
  g_autoptr (SvMagnet) n = NULL;

  ck_assert_int_eq (parse ("magnet:?dn=a+b%2Bc%20d%C3%A9", &m), SV_STATUS_OK);
  ck_assert_str_eq (m->display_name, "a b+c d\xc3\xa9");
  ck_assert (!m->has_sha1);
  ck_assert (!m->has_size);
  ck_assert_uint_eq (m->sources->len, 0);
  /* '+' stays '+' outside dn; an escaped xt is decoded before it is read. */
  ck_assert_int_eq (parse ("magnet:?xt=urn%3Asha1%3A" FILE_B32 "&xs=http://h/a+b", &n),
                    SV_STATUS_OK);
  ck_assert (n->has_sha1);
  ck_assert_str_eq (source (n, 0)->url, "http://h/a+b");
}
END_TEST

START_TEST (test_keys_and_unknowns)
{
  const char *link = "MAGNET:?XT.1=urn:btih:0123456789abcdef0123456789abcdef01234567"
                     "&xt.2=URN:SHA1:" FILE_B32 "&tr=udp://x%zz&kt=a+b&&noequal&=v"
                     "&DN=first&dn=second&xl=5&xl=6&xs.1=http://a/&xs.x=http://b/";
  g_autoptr (SvMagnet) m = NULL;

  ck_assert_int_eq (parse (link, &m), SV_STATUS_OK);
  ck_assert (m->has_sha1);
  ck_assert_str_eq (m->display_name, "first");
  ck_assert_uint_eq (m->size, 5);
  ck_assert_uint_eq (m->sources->len, 1);   /* "xs.x" is not an xs key */
  ck_assert_str_eq (source (m, 0)->url, "http://a/");
}
END_TEST

START_TEST (test_bitprint_xt)
{
  g_autoptr (SvMagnet) m = NULL;

  ck_assert_int_eq (parse ("magnet:?xt=urn:bitprint:" FILE_B32
                           ".LGQUWJUPXQECYP5OBLXY5OZCJYAE7GX6NAAHIUQ", &m), SV_STATUS_OK);
  ck_assert (m->has_sha1);
}
END_TEST

START_TEST (test_rejects)
{
  SvMagnet *m = (SvMagnet *) 0x1;

  ck_assert_int_eq (parse ("", &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_ptr_null (m);
  ck_assert_int_eq (parse ("magnet:", &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (parse ("http://x/?xt=urn:sha1:" FILE_B32, &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (parse ("magnet:?dn=%zz", &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (parse ("magnet:?dn=a%2", &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (parse ("magnet:?dn=a%00b", &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (parse ("magnet:?xs=%", &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (parse ("magnet:?xl=12a", &m), SV_STATUS_BAD_VALUE);
  ck_assert_int_eq (parse ("magnet:?xl=-1", &m), SV_STATUS_BAD_VALUE);
  ck_assert_int_eq (parse ("magnet:?xl=", &m), SV_STATUS_BAD_VALUE);
  ck_assert_int_eq (parse ("magnet:?xl=18446744073709551616", &m), SV_STATUS_BAD_VALUE);
  ck_assert_int_eq (sv_magnet_parse ("magnet:?dn=a\0b", 13, &m), SV_STATUS_BAD_SYNTAX);
  ck_assert_ptr_null (m);
  ck_assert_int_eq (parse ("magnet:?xl=18446744073709551615", &m), SV_STATUS_OK);
  ck_assert_uint_eq (m->size, G_MAXUINT64);
  sv_magnet_free (m);
}
END_TEST

START_TEST (test_bad_sha1_ignored)
{
  g_autoptr (SvMagnet) m = NULL;

  ck_assert_int_eq (parse ("magnet:?xt=urn:sha1:TOOSHORT&dn=x", &m), SV_STATUS_OK);
  ck_assert (!m->has_sha1);
  ck_assert_str_eq (m->display_name, "x");
}
END_TEST

START_TEST (test_invalid_utf8_name_made_valid)
{
  g_autoptr (SvMagnet) m = NULL;

  ck_assert_int_eq (parse ("magnet:?dn=a%FFb", &m), SV_STATUS_OK);
  ck_assert (g_utf8_validate (m->display_name, -1, NULL));
  ck_assert_str_eq (m->display_name, "a\xef\xbf\xbd" "b");
}
END_TEST

START_TEST (test_byte_cap)
{
  GString *s = g_string_new ("magnet:?dn=");
  g_autoptr (SvMagnet) m = NULL;
  SvMagnet *none = NULL;

  while (s->len < SV_MAGNET_MAX_BYTES)
    g_string_append_c (s, 'a');
  ck_assert_int_eq (sv_magnet_parse (s->str, s->len, &m), SV_STATUS_OK);
  ck_assert_uint_eq (strlen (m->display_name), SV_MAGNET_MAX_BYTES - strlen ("magnet:?dn="));
  g_string_append_c (s, 'a');
  ck_assert_int_eq (sv_magnet_parse (s->str, s->len, &none), SV_STATUS_TOO_BIG);
  ck_assert_ptr_null (none);
  g_string_free (s, TRUE);
}
END_TEST

START_TEST (test_source_cap)
{
  GString *s = g_string_new ("magnet:?xt=urn:sha1:" FILE_B32);
  g_autoptr (SvMagnet) m = NULL;
  g_autoptr (SvMagnet) built = sv_magnet_new ();

  for (guint i = 0; i < SV_MAGNET_MAX_SOURCES + 1; i++)
    {
      g_string_append_printf (s, "&xs=http://10.0.0.%u:6346/", i);
      ck_assert (sv_magnet_add_source (built, SV_MAGNET_SOURCE_EXACT, "http://x/")
                 == (i < SV_MAGNET_MAX_SOURCES));
    }
  ck_assert_int_eq (sv_magnet_parse (s->str, s->len, &m), SV_STATUS_OK);
  ck_assert_uint_eq (m->sources->len, SV_MAGNET_MAX_SOURCES);
  ck_assert_str_eq (source (m, SV_MAGNET_MAX_SOURCES - 1)->url, "http://10.0.0.31:6346/");
  ck_assert_uint_eq (built->sources->len, SV_MAGNET_MAX_SOURCES);
  ck_assert (!sv_magnet_add_source (built, SV_MAGNET_SOURCE_EXACT, ""));
  g_string_free (s, TRUE);
}
END_TEST

START_TEST (test_truncation_at_every_byte)
{
  const char *link = "magnet:?xt=urn:sha1:" FILE_B32 "&dn=a%20b&xl=80000&xs=http://h:1/";

  for (gsize cut = 0; cut < strlen (link); cut++)
    {
      g_autofree char *copy = g_strndup (link, cut);
      SvMagnet *m = NULL;
      SvStatus status = sv_magnet_parse (copy, cut, &m);

      /* Every prefix gets a verdict; a prefix is never taken for the whole link. */
      ck_assert ((status == SV_STATUS_OK) == (m != NULL));
      if (m != NULL)
        ck_assert (!(m->has_sha1 && m->display_name != NULL && m->has_size
                     && m->sources->len == 1 && strcmp (source (m, 0)->url, "http://h:1/") == 0));
      sv_magnet_free (m);
    }
}
END_TEST

START_TEST (test_build_and_round_trip)
{
  g_autoptr (SvMagnet) m = sv_magnet_new ();
  g_autoptr (SvMagnet) back = NULL;
  g_autofree char *link = NULL;
  g_autofree char *again = NULL;
  g_autofree char *n2r = NULL;

  ck_assert (sv_urn_parse ("urn:sha1:" FILE_B32, SV_URN_SHA1_LEN, &m->sha1));
  m->has_sha1 = TRUE;
  m->display_name = g_strdup ("my file+1 & co #2 \xc3\xa9.bin");
  m->has_size = TRUE;
  m->size = 80000;
  n2r = sv_magnet_n2r_url ("127.0.0.1", 16348, &m->sha1);
  ck_assert_str_eq (n2r, "http://127.0.0.1:16348/uri-res/N2R?urn:sha1:" FILE_B32);
  ck_assert (sv_magnet_add_source (m, SV_MAGNET_SOURCE_EXACT, n2r));
  ck_assert (sv_magnet_add_source (m, SV_MAGNET_SOURCE_ACCEPTABLE, "http://h/a b&c=d#e%f"));

  link = sv_magnet_build (m);
  ck_assert_str_eq (link, "magnet:?xt=urn:sha1:" FILE_B32
                    "&dn=my%20file%2B1%20%26%20co%20%232%20%C3%A9.bin&xl=80000"
                    "&xs=http://127.0.0.1:16348/uri-res/N2R?urn:sha1:" FILE_B32
                    "&as=http://h/a%20b%26c=d%23e%25f");
  ck_assert_int_eq (sv_magnet_parse (link, strlen (link), &back), SV_STATUS_OK);
  ck_assert (back->has_sha1);
  ck_assert_mem_eq (back->sha1.b, m->sha1.b, SV_SHA1_LEN);
  ck_assert_str_eq (back->display_name, m->display_name);
  ck_assert (back->has_size);
  ck_assert_uint_eq (back->size, 80000);
  ck_assert_uint_eq (back->sources->len, 2);
  ck_assert_str_eq (source (back, 0)->url, n2r);
  ck_assert_str_eq (source (back, 1)->url, "http://h/a b&c=d#e%f");
  ck_assert_int_eq (source (back, 1)->kind, SV_MAGNET_SOURCE_ACCEPTABLE);
  again = sv_magnet_build (back);
  ck_assert_str_eq (again, link);
}
END_TEST

START_TEST (test_n2r_ipv6_and_empty_build)
{
  g_autoptr (SvMagnet) m = sv_magnet_new ();
  g_autofree char *link = sv_magnet_build (m);
  g_autofree char *url = NULL;

  ck_assert_str_eq (link, "magnet:?");
  url = sv_magnet_n2r_url ("2001:db8::1", 6346, &m->sha1);
  ck_assert_str_eq (url, "http://[2001:db8::1]:6346/uri-res/N2R?urn:sha1:"
                         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("magnet");
  TCase *tc = tcase_create ("magnet");

  tcase_add_test (tc, test_parse_full);
  tcase_add_test (tc, test_percent_and_plus);
  tcase_add_test (tc, test_keys_and_unknowns);
  tcase_add_test (tc, test_bitprint_xt);
  tcase_add_test (tc, test_rejects);
  tcase_add_test (tc, test_bad_sha1_ignored);
  tcase_add_test (tc, test_invalid_utf8_name_made_valid);
  tcase_add_test (tc, test_byte_cap);
  tcase_add_test (tc, test_source_cap);
  tcase_add_test (tc, test_truncation_at_every_byte);
  tcase_add_test (tc, test_build_and_round_trip);
  tcase_add_test (tc, test_n2r_ipv6_and_empty_build);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
