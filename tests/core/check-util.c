/* check-util.c: fixture loading and the runner used by every Check suite. */
#include "check-util.h"

#include <stdlib.h>

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
