/* fuzz-browse.c: the browse-host reader fed with arbitrary bytes, whole and then split in two at
 * a point the input chooses; both ways must give the same verdict and the same files. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "browse-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (SvBrowseReader) whole = sv_browse_reader_new ();
  g_autoptr (SvBrowseReader) split = sv_browse_reader_new ();
  size_t cut = size > 0 ? data[0] % (size + 1) : 0;
  SvBrowseReaderVerdict a, b;
  const GArray *fa, *fb;

  a = sv_browse_reader_feed (whole, data, size);
  (void) sv_browse_reader_feed (split, data, cut);
  b = sv_browse_reader_feed (split, data + cut, size - cut);
  fa = sv_browse_reader_files (whole);
  fb = sv_browse_reader_files (split);
  if (a != b || sv_browse_reader_finish (whole) != sv_browse_reader_finish (split) || fa->len != fb->len)
    abort ();
  for (guint i = 0; i < fa->len; i++)
    {
      const SvBrowseFile *x = &g_array_index (fa, SvBrowseFile, i);
      const SvBrowseFile *y = &g_array_index (fb, SvBrowseFile, i);

      if (strcmp (x->name, y->name) != 0 || x->size != y->size || memcmp (&x->sha1, &y->sha1, sizeof x->sha1) != 0
          || !g_utf8_validate (x->name, -1, NULL))
        abort ();
    }
  return 0;
}
