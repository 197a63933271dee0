/* fuzz-hostile.c: the hostile-address list parser fed with arbitrary text, then looked up. */
#include <stdint.h>
#include <stddef.h>

#include "hostile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvHostileStats stats;
  SvHostile *h = sv_hostile_parse ((const char *) data, size, &stats);
  SvHostAddr a;
  guint8 ip6[16] = { 0 };

  g_assert (stats.entries + stats.malformed <= stats.lines);
  g_assert (sv_hostile_n_ranges_v4 (h) <= stats.entries);
  /* Probe addresses built from the input's first bytes, and the extremes. */
  for (size_t i = 0; i + 4 <= size && i < 64; i += 4)
    {
      sv_host_addr_set_ipv4 (&a, data + i, 0);
      (void) sv_hostile_contains (h, &a);
    }
  if (size >= 16)
    {
      sv_host_addr_set_ipv6 (&a, data, 0);
      (void) sv_hostile_contains (h, &a);
    }
  sv_host_addr_set_ipv4_u32 (&a, 0, 0);
  (void) sv_hostile_contains (h, &a);
  sv_host_addr_set_ipv4_u32 (&a, G_MAXUINT32, 0);
  (void) sv_hostile_contains (h, &a);
  ip6[0] = 0x20;
  sv_host_addr_set_ipv6 (&a, ip6, 0);
  (void) sv_hostile_contains (h, &a);
  sv_hostile_free (h);
  return 0;
}
