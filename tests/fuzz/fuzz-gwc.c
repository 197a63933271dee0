/* fuzz-gwc.c: GWebCache answers and bootstrap lists fed with arbitrary bytes: the caps hold,
 * every kept URL is printable http(s), every kept host has a port, and every kept list entry
 * parses again as an entry. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap-list.h"
#include "gwc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvGwcAnswer a;
  g_auto (GStrv) list = NULL;

  if (sv_gwc_parse (data, size, &a) == SV_STATUS_OK)
    {
      if (a.n_hosts > SV_GWC_MAX_HOSTS || a.n_urls > SV_GWC_MAX_URLS)
        abort ();
      for (guint i = 0; i < a.n_hosts; i++)
        if (a.hosts[i].port == 0)
          abort ();
      for (guint i = 0; i < a.n_urls; i++)
        if (strlen (a.urls[i]) > SV_GWC_MAX_URL_BYTES || g_ascii_strncasecmp (a.urls[i], "http", 4) != 0)
          abort ();
      sv_gwc_answer_clear (&a);
    }
  else if (size <= SV_GWC_MAX_RESPONSE_BYTES)
    abort ();

  list = sv_bootstrap_list_parse ((const char *) data, size, NULL);
  if (g_strv_length (list) > SV_BOOTSTRAP_MAX_ENTRIES)
    abort ();
  for (guint i = 0; list[i] != NULL; i++)
    {
      SvBootstrapEntry e;
      g_autofree char *again = NULL;
      SvBootstrapEntry e2;

      if (sv_bootstrap_entry_parse (list[i], &e) != SV_STATUS_OK)
        abort ();
      again = sv_bootstrap_entry_to_string (&e);
      if (sv_bootstrap_entry_parse (again, &e2) != SV_STATUS_OK || e2.kind != e.kind
          || (e.kind == SV_BOOTSTRAP_UHC && (e.port != e2.port || strcmp (e.host, e2.host) != 0)))
        abort ();
      sv_bootstrap_entry_clear (&e);
      sv_bootstrap_entry_clear (&e2);
    }
  return 0;
}
