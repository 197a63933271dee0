/* decode.c: `servent decode`: frames a captured byte stream into Gnutella messages and prints them. */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "commands.h"
#include "exit-codes.h"
#include "msg-header.h"

int
sv_cli_decode (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON object per message"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("[FILE|-] — print the messages in a captured stream"));
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0, off = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 2)
    {
      fprintf (stderr, "servent decode: %s; run 'servent decode --help'\n",
               error ? error->message : _("at most one FILE"));
      return SV_EXIT_USAGE;
    }
  if (!g_file_get_contents (argc == 2 ? argv[1] : "/dev/stdin", &data, &len, &error))
    {
      fprintf (stderr, "servent decode: %s\n", error->message);
      return SV_EXIT_IO;
    }
  while (off < len)
    {
      SvMsgHeader hdr;
      gsize total = 0;
      char hex[SV_GUID_HEX_LEN + 1];
      SvStatus st = sv_msg_header_frame ((const guint8 *) data + off, len - off, &hdr, &total);

      if (st != SV_STATUS_OK)
        {
          printf ("malformed verdict=%s offset=%" G_GSIZE_FORMAT "\n",
                  st == SV_STATUS_NEED_MORE ? "truncated" : sv_status_name (st), off);
          return SV_EXIT_FAILURE;
        }
      sv_guid_to_hex (&hdr.guid, hex);
      printf ("%s guid=%s ttl=%u hops=%u len=%u\n", sv_msg_type_name (hdr.type), hex, hdr.ttl,
              hdr.hops, hdr.length);
      off += total;
    }
  return SV_EXIT_OK;
}
