/* commands.h: the subcommands of `servent`, one entry point per subcommand. */
#pragma once

/* `servent decode [--json] [FILE|-]`: prints the Gnutella messages in a captured byte stream.
 * Returns: an exit status from exit-codes.h. */
int sv_cli_decode (int argc, char **argv);
