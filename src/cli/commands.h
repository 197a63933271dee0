/* commands.h: the subcommands of `servent`, one entry point per subcommand. */
#pragma once

/* `servent decode [--json] [FILE|-]`: prints the Gnutella messages in a captured byte stream.
 * Returns: an exit status from exit-codes.h. */
int sv_cli_decode (int argc, char **argv);

/* `servent search [--json] [--timeout S] [--max-results N] [--ttl N] WORDS...`: runs a search in
 * serventd and prints hits as they arrive. Returns: SV_EXIT_OK with hits, SV_EXIT_NOT_FOUND without. */
int sv_cli_search (int argc, char **argv);
/* `servent results [--json]`: the hits of the newest search again, numbered as `get` takes them. */
int sv_cli_results (int argc, char **argv);
/* `servent status|peers|shares [--json]`: the daemon's state, its links, its shared files. */
int sv_cli_status (int argc, char **argv);
int sv_cli_peers (int argc, char **argv);
int sv_cli_shares (int argc, char **argv);
int sv_cli_share (int argc, char **argv);

/* `servent downloads|uploads [--json]`: the downloads; the upload connections and the queue. */
int sv_cli_downloads (int argc, char **argv);
/* download-actions.c: `servent downloads pause|resume|cancel ID`. */
gboolean sv_cli_downloads_is_action (const char *word);
int sv_cli_downloads_action (int argc, char **argv);
int sv_cli_uploads (int argc, char **argv);
/* `servent get [--no-wait] [--json] URN|MAGNET|RESULT`: starts a download and follows it to the
 * end. Returns: SV_EXIT_OK once the file is complete (or started, with --no-wait). */
int sv_cli_get (int argc, char **argv);
/* sync.c: `servent sync add SOURCE DIR [--delete] [--interval S] | list [--json] | remove ID |
 * now [ID] [--wait]`: folder mirrors kept by serventd. */
int sv_cli_sync (int argc, char **argv);
