/* messages-txt.h: reads the hex dumps of tests/data/gtk-gnutella/run-3peers-push/messages.txt.
 *
 * Each message there is a line `-- <type> guid=… len=N`, a decode line, then hex dump lines
 * `    0000  xx xx …  ascii` holding the whole message (23-byte header + payload). Header-only,
 * shared by the message codec suites. */
#pragma once

#include <string.h>

#include "check-util.h"

#define SV_TEST_MESSAGES_TXT "gtk-gnutella/run-3peers-push/messages.txt"

/* Returns: (transfer full) a GPtrArray of GBytes, one per message of @type ("vendor", "pong", …),
 * each holding the full message (header + payload), in file order. */
static inline GPtrArray *
sv_test_messages_txt (const char *type)
{
  g_autoptr (GBytes) file = sv_test_read_fixture (SV_TEST_MESSAGES_TXT);
  gsize size;
  const char *text = g_bytes_get_data (file, &size);
  const char *end = text + size;
  g_autofree char *want = g_strdup_printf ("-- %s ", type);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GByteArray *cur = NULL;

  /* The file holds a few raw NUL bytes in its decode lines: walk it by length, not as a string. */
  for (const char *l = text; l < end;)
    {
      const char *nl = memchr (l, '\n', end - l);
      gsize n = nl != NULL ? (gsize) (nl - l) : (gsize) (end - l);

      if ((n >= 3 && memcmp (l, "-- ", 3) == 0) || (n >= 5 && memcmp (l, "=====", 5) == 0))
        {
          if (cur != NULL)
            g_ptr_array_add (out, g_byte_array_free_to_bytes (cur));
          cur = n >= strlen (want) && memcmp (l, want, strlen (want)) == 0 ? g_byte_array_new () : NULL;
        }
      else if (cur != NULL && n >= 12 && memcmp (l, "    ", 4) == 0 && g_ascii_isxdigit (l[4])
               && l[8] == ' ' && l[9] == ' ')
        {
          /* The hex column: 16 "xx " groups starting at column 10. */
          for (gsize col = 10; col + 1 < n && col < 10 + 16 * 3; col += 3)
            {
              int hi = g_ascii_xdigit_value (l[col]);
              int lo = g_ascii_xdigit_value (l[col + 1]);
              guint8 b;

              if (hi < 0 || lo < 0)
                break;
              b = (guint8) ((hi << 4) | lo);
              g_byte_array_append (cur, &b, 1);
            }
        }
      l += n + 1;
    }
  if (cur != NULL)
    g_ptr_array_add (out, g_byte_array_free_to_bytes (cur));
  return out;
}
