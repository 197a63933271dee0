/* fuzz-magnet.c: magnet links fed with arbitrary bytes: parse, build from the result, parse the
 * built link again and compare. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "magnet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (SvMagnet) m = NULL;
  g_autoptr (SvMagnet) back = NULL;
  g_autofree char *link = NULL;
  g_autofree char *again = NULL;
  SvStatus status;

  if (sv_magnet_parse ((const char *) data, size, &m) != SV_STATUS_OK)
    {
      g_assert (m == NULL);
      return 0;
    }
  link = sv_magnet_build (m);
  status = sv_magnet_parse (link, strlen (link), &back);
  if (strlen (link) > SV_MAGNET_MAX_BYTES)
    {
      g_assert (status == SV_STATUS_TOO_BIG);
      return 0;
    }
  g_assert (status == SV_STATUS_OK);
  g_assert (back->has_sha1 == m->has_sha1);
  g_assert (!m->has_sha1 || memcmp (back->sha1.b, m->sha1.b, SV_SHA1_LEN) == 0);
  g_assert (g_strcmp0 (back->display_name, m->display_name) == 0);
  g_assert (back->has_size == m->has_size);
  g_assert (!m->has_size || back->size == m->size);
  g_assert (back->sources->len == m->sources->len);
  for (guint i = 0; i < m->sources->len; i++)
    {
      const SvMagnetSource *a = g_ptr_array_index (m->sources, i);
      const SvMagnetSource *b = g_ptr_array_index (back->sources, i);

      g_assert (a->kind == b->kind);
      g_assert (strcmp (a->url, b->url) == 0);
    }
  again = sv_magnet_build (back);
  g_assert (strcmp (again, link) == 0);
  return 0;
}
