/* main.c: `servent` entry point: locale setup and dispatch of subcommands from a table. */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "exit-codes.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} SvCliCommand;

static const SvCliCommand commands[] = {
  { "decode", sv_cli_decode, N_("Print the Gnutella messages in a captured byte stream") },
  { "search", sv_cli_search, N_("Search the network through serventd and print hits as they arrive") },
  { "results", sv_cli_results, N_("Print the hits of the last search again, numbered for 'get'") },
  { "get", sv_cli_get, N_("Download a file (a search result number, a urn:sha1 or a magnet link)") },
  { "downloads", sv_cli_downloads, N_("List serventd's downloads") },
  { "uploads", sv_cli_uploads, N_("List serventd's uploads and its upload queue") },
  { "status", sv_cli_status, N_("Show serventd's state and counters") },
  { "peers", sv_cli_peers, N_("List serventd's connected peers") },
  { "shares", sv_cli_shares, N_("Show serventd's shared folders and index") },
  { "share", sv_cli_share, N_("Share a folder, stop sharing one, or rescan (add, remove, list, rescan)") },
  { "sync", sv_cli_sync, N_("Keep a folder a mirror of another servent's share (add, list, remove, now)") },
};

static void
usage (FILE *out)
{
  fprintf (out, _("Usage: servent COMMAND [OPTION…]\n\nCommands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, _("\nRun 'servent COMMAND --help' for a command's options.\n"));
  fprintf (out, _("'servent --runtime-dir DIR COMMAND' names where serventd's control socket is.\n"));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* SERVENT_LOCALEDIR: the catalogues of a build not installed yet (servent(1), ENVIRONMENT). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SERVENT_LOCALEDIR") != NULL ? g_getenv ("SERVENT_LOCALEDIR")
                                                                           : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* `servent --runtime-dir DIR COMMAND …` is `servent COMMAND --runtime-dir DIR …`. */
  if (argc >= 2 && (strcmp (argv[1], "--runtime-dir") == 0 || g_str_has_prefix (argv[1], "--runtime-dir=")))
    {
      gboolean joined = argv[1][strlen ("--runtime-dir")] == '=';
      int taken = joined ? 1 : 2;
      static char **moved; /* the new argv, kept until exit */

      if (argc < taken + 2)
        {
          fprintf (stderr, _("servent: --runtime-dir needs a directory and a command; run 'servent --help'\n"));
          return SV_EXIT_USAGE;
        }
      moved = g_new0 (char *, argc + 1);
      moved[0] = argv[0];
      moved[1] = argv[taken + 1];
      for (int i = 1; i <= taken; i++)
        moved[i + 1] = argv[i];
      for (int i = taken + 2; i < argc; i++)
        moved[i] = argv[i];
      argv = moved;
    }
  if (argc < 2)
    {
      usage (stderr);
      return SV_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return SV_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("servent %s\n", PACKAGE_VERSION);
      return SV_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, _("servent: unknown command '%s'; run 'servent --help' for the list\n"), argv[1]);
  return SV_EXIT_USAGE;
}
