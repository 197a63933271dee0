/* driver.c: runs a fuzz target without a fuzzing engine.
 *
 * Each argument is a file or a directory of files (a corpus); every file is fed once to
 * LLVMFuzzerTestOneInput. This is how CI replays the saved corpora as ordinary tests; a crash or a
 * sanitizer report fails the test. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
run_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  g_free (data);
  return 0;
}

int
main (int argc, char **argv)
{
  guint count = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GDir) dir = g_dir_open (argv[i], 0, NULL);
          const char *name;
          if (dir == NULL)
            return 1;
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);
              if (run_file (path) != 0)
                return 1;
              count++;
            }
        }
      else
        {
          if (run_file (argv[i]) != 0)
            return 1;
          count++;
        }
    }
  printf ("%u passed, 0 failed\n", count);
  return count > 0 ? 0 : 1;
}
