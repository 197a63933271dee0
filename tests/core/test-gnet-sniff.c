/* test-gnet-sniff.c: classifying a new connection from its first bytes. */
#include "check-util.h"
#include "gnet-sniff.h"

#include <string.h>

static SvGnetSniff
sniff (const char *text)
{
  return sv_gnet_sniff ((const guint8 *) text, strlen (text));
}

/* Every proper prefix of @text (shorter than the sniff window) needs more; the whole is @kind. */
static void
check_prefixes (const guint8 *data, gsize len, SvGnetSniff kind)
{
  for (gsize cut = 0; cut < len; cut++)
    {
      SvGnetSniff got = sv_gnet_sniff (data, cut);

      if (cut >= SV_SNIFF_BYTES)
        ck_assert_msg (got == kind, "cut %zu: %s", cut, sv_gnet_sniff_name (got));
      else
        ck_assert_msg (got == SV_GNET_SNIFF_NEED_MORE || got == kind, "cut %zu: %s", cut,
                       sv_gnet_sniff_name (got));
    }
  ck_assert_str_eq (sv_gnet_sniff_name (sv_gnet_sniff (data, len)), sv_gnet_sniff_name (kind));
}

START_TEST (test_fixtures)
{
  g_autoptr (GBytes) hs = sv_test_read_fixture ("gtk-gnutella/run-3peers-push/handshakes.txt");
  g_autoptr (GBytes) http = sv_test_read_fixture ("gtk-gnutella/run-3peers-push/http.txt");
  const char *hs_text = g_bytes_get_data (hs, NULL);
  const char *http_text = g_bytes_get_data (http, NULL);
  const char *connect = strstr (hs_text, "GNUTELLA CONNECT/0.6");
  const char *giv = strstr (http_text, "GIV 0:");
  const char *get = strstr (http_text, "GET /uri-res/");

  ck_assert_ptr_nonnull (connect);
  ck_assert_ptr_nonnull (giv);
  ck_assert_ptr_nonnull (get);
  check_prefixes ((const guint8 *) connect, 40, SV_GNET_SNIFF_GNUTELLA);
  check_prefixes ((const guint8 *) giv, 40, SV_GNET_SNIFF_GIV);
  check_prefixes ((const guint8 *) get, 40, SV_GNET_SNIFF_GET);
}
END_TEST

START_TEST (test_kinds)
{
  ck_assert_int_eq (sniff ("GNUTELLA CONNECT/0.6\r\n"), SV_GNET_SNIFF_GNUTELLA);
  ck_assert_int_eq (sniff ("GNUTELLA CONNECT"), SV_GNET_SNIFF_GNUTELLA);  /* the whole window */
  ck_assert_int_eq (sniff ("GNUTELLA CONNEC"), SV_GNET_SNIFF_NEED_MORE);
  ck_assert_int_eq (sniff ("GET / HTTP/1.1\r\n"), SV_GNET_SNIFF_GET);
  ck_assert_int_eq (sniff ("HEAD /get/1/a HTTP/1.0\r\n"), SV_GNET_SNIFF_HEAD);
  ck_assert_int_eq (sniff ("GIV 0:"), SV_GNET_SNIFF_GIV);
  ck_assert_int_eq (sniff ("PUSH guid:0011"), SV_GNET_SNIFF_PUSH);
  ck_assert_int_eq (sniff ("PUSH "), SV_GNET_SNIFF_NEED_MORE);
  ck_assert_int_eq (sniff ("QUEUE 0123 1.2.3.4:5\r\n"), SV_GNET_SNIFF_QUEUE);
  ck_assert_int_eq (sniff ("POST / HTTP/1.1\r\n"), SV_GNET_SNIFF_HTTP_OTHER);
  ck_assert_int_eq (sniff ("OPTIONS * HTTP/1.1"), SV_GNET_SNIFF_HTTP_OTHER);
  ck_assert_int_eq (sniff ("PUSH x"), SV_GNET_SNIFF_HTTP_OTHER);
  ck_assert_int_eq (sniff ("GNUTELLA/0.6 200"), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sniff ("get / HTTP/1.1"), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sniff ("GETX"), SV_GNET_SNIFF_NEED_MORE);
  ck_assert_int_eq (sniff ("GETX / HTTP/1.1"), SV_GNET_SNIFF_HTTP_OTHER);
  ck_assert_int_eq (sniff ("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sniff (" GET"), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sniff ("\r\n"), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sv_gnet_sniff ((const guint8 *) "", 0), SV_GNET_SNIFF_NEED_MORE);
  ck_assert_int_eq (sv_gnet_sniff ((const guint8 *) "\0\0\0", 3), SV_GNET_SNIFF_UNKNOWN);
}
END_TEST

START_TEST (test_tls)
{
  /* TLS 1.0 record header + ClientHello type, as sent by TLS 1.2/1.3 clients. */
  static const guint8 hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 };
  static const guint8 server_hello[] = { 0x16, 0x03, 0x03, 0x00, 0x7a, 0x02 };
  static const guint8 alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02 };
  static const guint8 bad_version[] = { 0x16, 0x02, 0x00 };
  static const guint8 zero_len[] = { 0x16, 0x03, 0x01, 0x00, 0x00, 0x01 };

  check_prefixes (hello, sizeof hello, SV_GNET_SNIFF_TLS);
  for (gsize cut = 1; cut <= 5; cut++)
    ck_assert_int_eq (sv_gnet_sniff (hello, cut), SV_GNET_SNIFF_NEED_MORE);
  ck_assert_int_eq (sv_gnet_sniff (server_hello, sizeof server_hello), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sv_gnet_sniff (alert, sizeof alert), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sv_gnet_sniff (bad_version, sizeof bad_version), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sv_gnet_sniff (zero_len, sizeof zero_len), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_str_eq (sv_gnet_sniff_name (SV_GNET_SNIFF_TLS), "tls");
}
END_TEST

START_TEST (test_window_is_bounded)
{
  /* An upper-case run never decides more than SV_SNIFF_BYTES bytes in. */
  g_autofree char *run = g_strnfill (SV_SNIFF_BYTES - 1, 'A');
  g_autofree char *full = g_strnfill (SV_SNIFF_BYTES, 'A');
  g_autofree char *longer = g_strnfill (4 * SV_SNIFF_BYTES, 'A');

  ck_assert_int_eq (sniff (run), SV_GNET_SNIFF_NEED_MORE);
  ck_assert_int_eq (sniff (full), SV_GNET_SNIFF_UNKNOWN);
  ck_assert_int_eq (sniff (longer), SV_GNET_SNIFF_UNKNOWN);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("gnet-sniff");
  TCase *tc = tcase_create ("sniff");

  tcase_add_test (tc, test_fixtures);
  tcase_add_test (tc, test_kinds);
  tcase_add_test (tc, test_tls);
  tcase_add_test (tc, test_window_is_bounded);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
