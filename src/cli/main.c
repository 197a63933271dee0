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
};

static void
usage (FILE *out)
{
  fprintf (out, _("Usage: servent COMMAND [OPTION…]\n\nCommands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, _("\nRun 'servent COMMAND --help' for a command's options.\n"));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

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
