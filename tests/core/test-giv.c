/* test-giv.c: GIV and G2 PUSH announcements, read and written. */
#include "check-util.h"
#include "giv.h"

#include <string.h>

#define FIXTURE_GIV "GIV 0:7a80310213277edcf7378b115cdf03f5/file\n\n"

static SvStatus
parse_text (const char *text, SvGiv *giv, gsize *consumed)
{
  return sv_giv_parse ((const guint8 *) text, strlen (text), giv, consumed);
}

START_TEST (test_fixture_giv)
{
  g_autoptr (GBytes) bytes = sv_test_read_fixture ("gtk-gnutella/run-3peers-push/http.txt");
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  const char *giv_start = g_strstr_len (text, (gssize) len, "GIV ");
  SvGiv giv;
  gsize consumed = 0;
  char hex[SV_GUID_HEX_LEN + 1];

  ck_assert_ptr_nonnull (giv_start);
  ck_assert_int_eq (sv_giv_parse ((const guint8 *) giv_start, len - (gsize) (giv_start - text),
                                  &giv, &consumed), SV_STATUS_OK);
  ck_assert_uint_eq (consumed, strlen (FIXTURE_GIV));
  ck_assert_int_eq (giv.kind, SV_GIV_KIND_GIV);
  ck_assert_uint_eq (giv.index, 0);
  sv_guid_to_hex (&giv.guid, hex);
  ck_assert_str_eq (hex, "7a80310213277edcf7378b115cdf03f5");
  ck_assert_str_eq (giv.name, "file");
  ck_assert_uint_eq (giv.name_len, 4);
}
END_TEST

START_TEST (test_every_split_needs_more)
{
  static const char *const texts[] = {
    FIXTURE_GIV,
    "GIV 12:7A80310213277EDCF7378B115CDF03F5/a b.mp3\r\n\r\n",
    "PUSH guid:7a80310213277edcf7378b115cdf03f5\r\n\r\n",
  };

  for (gsize t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      const guint8 *data = (const guint8 *) texts[t];
      gsize len = strlen (texts[t]);
      SvGiv giv;
      gsize consumed = 0;

      for (gsize cut = 0; cut < len; cut++)
        ck_assert_msg (sv_giv_parse (data, cut, &giv, &consumed) == SV_STATUS_NEED_MORE,
                       "text %zu cut %zu", t, cut);
      ck_assert_int_eq (sv_giv_parse (data, len, &giv, &consumed), SV_STATUS_OK);
      ck_assert_uint_eq (consumed, len);
    }
}
END_TEST

START_TEST (test_forms)
{
  SvGiv giv;
  gsize consumed;

  ck_assert_int_eq (parse_text ("GIV 4294967295:7a80310213277edcf7378b115cdf03f5/x\n\nGET",
                                &giv, &consumed), SV_STATUS_OK);
  ck_assert_uint_eq (giv.index, G_MAXUINT32);
  ck_assert_uint_eq (consumed, strlen ("GIV 4294967295:7a80310213277edcf7378b115cdf03f5/x\n\n"));

  ck_assert_int_eq (parse_text ("GIV 3:7a80310213277edcf7378b115cdf03f5\n\n", &giv, &consumed),
                    SV_STATUS_OK);
  ck_assert_uint_eq (giv.index, 3);
  ck_assert_uint_eq (giv.name_len, 0);

  ck_assert_int_eq (parse_text ("GIV 3:7a80310213277edcf7378b115cdf03f5/\n\n", &giv, &consumed),
                    SV_STATUS_OK);
  ck_assert_uint_eq (giv.name_len, 0);

  ck_assert_int_eq (parse_text ("GIV 1:7a80310213277edcf7378b115cdf03f5/dir/a:b\n\n",
                                &giv, &consumed), SV_STATUS_OK);
  ck_assert_str_eq (giv.name, "dir/a:b");

  ck_assert_int_eq (parse_text ("PUSH guid:7A80310213277EDCF7378B115CDF03F5\n\n", &giv,
                                &consumed), SV_STATUS_OK);
  ck_assert_int_eq (giv.kind, SV_GIV_KIND_PUSH);
  ck_assert_uint_eq (giv.guid.b[0], 0x7a);
}
END_TEST

START_TEST (test_rejects)
{
  static const struct {
    const char *text;
    SvStatus status;
  } cases[] = {
    { "GET / HTTP/1.1\r\n", SV_STATUS_BAD_SYNTAX },
    { "giv 0:7a80310213277edcf7378b115cdf03f5/f\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV :7a80310213277edcf7378b115cdf03f5/f\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV -1:7a80310213277edcf7378b115cdf03f5/f\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 4294967296:7a80310213277edcf7378b115cdf03f5/f\n\n", SV_STATUS_BAD_VALUE },
    { "GIV 99999999999999999999:7a80310213277edcf7378b115cdf03f5/f\n\n", SV_STATUS_BAD_VALUE },
    { "GIV 0 7a80310213277edcf7378b115cdf03f5/f\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 0:7a80310213277edcf7378b115cdf03f/f\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 0:7a80310213277edcf7378b115cdf03fz/f\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 0:7a80310213277edcf7378b115cdf03f5x/f\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 0:7a80310213277edcf7378b115cdf03f5/f\tg\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 0:7a80310213277edcf7378b115cdf03f5/f\rg\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 0:7a80310213277edcf7378b115cdf03f5/f\nX\n", SV_STATUS_BAD_SYNTAX },
    { "GIV 0:7a80310213277edcf7378b115cdf03f5/f\n\rX", SV_STATUS_BAD_SYNTAX },
    { "GIV\n\n", SV_STATUS_BAD_SYNTAX },
    { "GIV \n\n", SV_STATUS_BAD_SYNTAX },
    { "PUSH guid:7a80310213277edcf7378b115cdf03f\r\n\r\n", SV_STATUS_BAD_SYNTAX },
    { "PUSH guid:7a80310213277edcf7378b115cdf03f5/x\r\n\r\n", SV_STATUS_BAD_SYNTAX },
    { "PUSH guid:\r\n\r\n", SV_STATUS_BAD_SYNTAX },
  };
  SvGiv giv;
  gsize consumed;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    ck_assert_msg (parse_text (cases[i].text, &giv, &consumed) == cases[i].status,
                   "case %zu gave %s", i, sv_status_name (parse_text (cases[i].text, &giv,
                                                                       &consumed)));
  /* A wrong first byte is refused before the line ends. */
  ck_assert_int_eq (parse_text ("X", &giv, &consumed), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (parse_text ("GIX", &giv, &consumed), SV_STATUS_BAD_SYNTAX);
  /* A NUL inside the line. */
  ck_assert_int_eq (sv_giv_parse ((const guint8 *) "GIV 0\0", 6, &giv, &consumed),
                    SV_STATUS_BAD_SYNTAX);
}
END_TEST

START_TEST (test_line_cap)
{
  const char *head = "GIV 1:7a80310213277edcf7378b115cdf03f5/";
  g_autoptr (GString) line = g_string_new (head);
  SvGiv giv;
  gsize consumed;

  while (line->len < SV_GIV_MAX_LINE_BYTES)
    g_string_append_c (line, 'n');
  /* Exactly at the cap: accepted, with LF and with CRLF. */
  {
    g_autoptr (GString) ok = g_string_new (line->str);

    g_string_append (ok, "\n\n");
    ck_assert_int_eq (sv_giv_parse ((const guint8 *) ok->str, ok->len, &giv, &consumed),
                      SV_STATUS_OK);
    ck_assert_uint_eq (giv.name_len, SV_GIV_MAX_LINE_BYTES - strlen (head));
    g_string_truncate (ok, line->len);
    g_string_append (ok, "\r\n\r\n");
    ck_assert_int_eq (sv_giv_parse ((const guint8 *) ok->str, ok->len, &giv, &consumed),
                      SV_STATUS_OK);
    /* The line at the cap, with its CR, still waits for the LF. */
    ck_assert_int_eq (sv_giv_parse ((const guint8 *) ok->str, line->len + 1, &giv, &consumed),
                      SV_STATUS_NEED_MORE);
  }
  /* One byte over: refused, whether or not the LF has arrived. */
  g_string_append_c (line, 'n');
  ck_assert_int_eq (sv_giv_parse ((const guint8 *) line->str, line->len, &giv, &consumed),
                    SV_STATUS_TOO_BIG);
  g_string_append (line, "\n\n");
  ck_assert_int_eq (sv_giv_parse ((const guint8 *) line->str, line->len, &giv, &consumed),
                    SV_STATUS_TOO_BIG);
  g_string_truncate (line, line->len - 2);
  g_string_append (line, "\r\n\r\n");
  ck_assert_int_eq (sv_giv_parse ((const guint8 *) line->str, line->len, &giv, &consumed),
                    SV_STATUS_TOO_BIG);
}
END_TEST

START_TEST (test_build_round_trip)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SvGuid guid;
  SvGiv giv;
  gsize consumed;

  ck_assert (sv_guid_from_hex ("7a80310213277edcf7378b115cdf03f5", 32, &guid));
  ck_assert (sv_giv_build (0, &guid, NULL, out));
  ck_assert_uint_eq (out->len, strlen (FIXTURE_GIV));
  ck_assert_mem_eq (out->data, FIXTURE_GIV, out->len);

  g_byte_array_set_size (out, 0);
  ck_assert (sv_giv_build (77, &guid, "Übung 1.ogg", out));
  ck_assert_int_eq (sv_giv_parse (out->data, out->len, &giv, &consumed), SV_STATUS_OK);
  ck_assert_uint_eq (consumed, out->len);
  ck_assert_uint_eq (giv.index, 77);
  ck_assert (sv_guid_equal (&giv.guid, &guid));
  ck_assert_str_eq (giv.name, "Übung 1.ogg");

  g_byte_array_set_size (out, 0);
  ck_assert (!sv_giv_build (1, &guid, "evil\n\nGET / HTTP/1.1", out));
  ck_assert_uint_eq (out->len, 0);
  {
    g_autofree char *longname = g_strnfill (SV_GIV_MAX_LINE_BYTES, 'a');

    ck_assert (!sv_giv_build (1, &guid, longname, out));
    ck_assert_uint_eq (out->len, 0);
  }

  sv_giv_build_push (&guid, out);
  ck_assert_mem_eq (out->data, "PUSH guid:7a80310213277edcf7378b115cdf03f5\r\n\r\n", out->len);
  ck_assert_int_eq (sv_giv_parse (out->data, out->len, &giv, &consumed), SV_STATUS_OK);
  ck_assert_int_eq (giv.kind, SV_GIV_KIND_PUSH);
  ck_assert (sv_guid_equal (&giv.guid, &guid));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("giv");
  TCase *tc = tcase_create ("giv");

  tcase_add_test (tc, test_fixture_giv);
  tcase_add_test (tc, test_every_split_needs_more);
  tcase_add_test (tc, test_forms);
  tcase_add_test (tc, test_rejects);
  tcase_add_test (tc, test_line_cap);
  tcase_add_test (tc, test_build_round_trip);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
