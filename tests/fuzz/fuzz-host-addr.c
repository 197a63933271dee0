/* fuzz-host-addr.c: the "ip:port" / "[v6]:port" parser (strict and relaxed), its formatter and the
 * classifier. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "host-addr.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define RELAXED (SV_HOST_ADDR_PARSE_PORT_ZERO | SV_HOST_ADDR_PARSE_LEADING_ZEROS)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  SvHostAddr a, b;
  char buf[SV_HOST_ADDR_STRLEN];

  if (sv_host_addr_parse (text, size, SV_HOST_ADDR_DEFAULT_PORT, &a) == SV_STATUS_OK)
    {
      /* What we print parses back to the same address. */
      sv_host_addr_format (&a, TRUE, buf);
      g_assert (sv_host_addr_parse (buf, strlen (buf), 1, &b) == SV_STATUS_OK);
      g_assert (sv_host_addr_equal (&a, &b));
      g_assert (sv_host_addr_hash (&a) == sv_host_addr_hash (&b));
      (void) sv_host_class_name (sv_host_addr_classify (&a));
      (void) sv_host_addr_is_connectable (&a, FALSE);
      (void) sv_host_addr_is_connectable (&a, TRUE);
    }
  /* The relaxed parse (port 0, leading zeros) accepts everything the strict one does, with the
   * same result, and what it prints parses back the same way. */
  if (sv_host_addr_parse_full (text, size, SV_HOST_ADDR_DEFAULT_PORT, RELAXED, &a) == SV_STATUS_OK)
    {
      sv_host_addr_format (&a, TRUE, buf);
      g_assert (sv_host_addr_parse_full (buf, strlen (buf), 1, RELAXED, &b) == SV_STATUS_OK);
      g_assert (sv_host_addr_equal (&a, &b));
    }
  else
    g_assert (sv_host_addr_parse (text, size, SV_HOST_ADDR_DEFAULT_PORT, &b) != SV_STATUS_OK);
  if (sv_host_addr_parse (text, size, SV_HOST_ADDR_DEFAULT_PORT, &b) == SV_STATUS_OK)
    {
      g_assert (sv_host_addr_parse_full (text, size, SV_HOST_ADDR_DEFAULT_PORT, RELAXED, &a)
                == SV_STATUS_OK);
      g_assert (sv_host_addr_equal (&a, &b));
    }
  if (sv_host_addr_parse_ip (text, size, &a) == SV_STATUS_OK)
    {
      sv_host_addr_format (&a, FALSE, buf);
      g_assert (sv_host_addr_parse_ip (buf, strlen (buf), &b) == SV_STATUS_OK);
      g_assert (sv_host_addr_same_ip (&a, &b));
    }
  if (size >= 18)
    {
      sv_host_addr_from_ipp6 (&a, data);
      (void) sv_host_addr_classify (&a);
      sv_host_addr_format (&a, TRUE, buf);
    }
  return 0;
}
