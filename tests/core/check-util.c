/* check-util.c: fixture loading, captured-message splitting and the runner used by every Check
 * suite. */
#include "check-util.h"

#include <stdlib.h>
#include <string.h>

GBytes *
sv_test_read_fixture (const char *relpath)
{
  const char *dir = g_getenv ("SV_TEST_DATA");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  ck_assert_msg (dir != NULL, "SV_TEST_DATA is not set (run through meson test)");
  path = g_build_filename (dir, relpath, NULL);
  if (!g_file_get_contents (path, &data, &len, &error))
    ck_abort_msg ("fixture %s: %s", path, error->message);
  return g_bytes_new_take (data, len);
}

const guint8 *
sv_test_msg_payload (GBytes *msg, SvMsgHeader *hdr, gsize *len)
{
  gsize total;
  const guint8 *buf = g_bytes_get_data (msg, &total);

  ck_assert_int_eq (sv_msg_header_decode (buf, total, hdr), SV_STATUS_OK);
  ck_assert_uint_eq (hdr->length + SV_MSG_HEADER_SIZE, total);
  *len = hdr->length;
  return buf + SV_MSG_HEADER_SIZE;
}

GBytes *
sv_test_fixture_payload (const char *relpath, SvMsgHeader *hdr)
{
  g_autoptr (GBytes) msg = sv_test_read_fixture (relpath);
  gsize len;

  (void) sv_test_msg_payload (msg, hdr, &len);
  return g_bytes_new_from_bytes (msg, SV_MSG_HEADER_SIZE, len);
}

GBytes *
sv_test_handshake_block (const char *relpath, guint conn, guint step)
{
  g_autoptr (GBytes) file = sv_test_read_fixture (relpath);
  gsize len;
  const char *text = g_bytes_get_data (file, &len);
  g_autofree char *conn_mark = g_strdup_printf ("===== conn%u ", conn);
  g_autofree char *step_mark = g_strdup_printf ("(%u)\n", step);
  const char *p = g_strstr_len (text, (gssize) len, conn_mark);
  const char *end;

  ck_assert_msg (p != NULL, "conn%u not in %s", conn, relpath);
  p = strstr (p, step_mark);
  ck_assert_msg (p != NULL, "step %u not in %s", step, relpath);
  p += strlen (step_mark);
  end = strstr (p, "\r\n\r\n");
  ck_assert (end != NULL);
  return g_bytes_new (p, (gsize) (end + 4 - p));
}

GBytes *
sv_test_hex (const char *hex)
{
  GByteArray *out = g_byte_array_new ();
  int hi = -1;

  for (const char *p = hex; *p; p++)
    {
      int v = g_ascii_xdigit_value (*p);
      if (v < 0)
        {
          ck_assert_msg (g_ascii_isspace (*p), "bad hex character '%c'", *p);
          continue;
        }
      if (hi < 0)
        hi = v;
      else
        {
          guint8 b = (guint8) ((hi << 4) | v);
          g_byte_array_append (out, &b, 1);
          hi = -1;
        }
    }
  ck_assert_msg (hi < 0, "odd number of hex digits");
  return g_byte_array_free_to_bytes (out);
}

int
sv_test_run (Suite *suite)
{
  SRunner *runner = srunner_create (suite);
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
