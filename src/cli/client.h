/* client.h: the CLI's side of serventd's control socket: where the socket is (the runtime
 * directory, resolved in the same order as the daemon), JSON requests over libsoup-3, and NDJSON
 * result streams read line by line as they arrive. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#define SV_CLI_CLIENT_ERROR (sv_cli_client_error_quark ())
GQuark sv_cli_client_error_quark (void);

typedef enum {
  SV_CLI_CLIENT_ERROR_NO_DAEMON,   /* nothing listens on the socket (missing, stale, not ours) */
  SV_CLI_CLIENT_ERROR_HTTP,        /* the daemon answered with an error status */
  SV_CLI_CLIENT_ERROR_PROTOCOL,    /* the answer is not what the API promises */
} SvCliClientError;

/* The runtime directory: @option (--runtime-dir) if not NULL, else $SERVENT_RUNTIME_DIR, else
 * the first of $RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR/servent, else /run/user/UID/servent when
 * /run/user/UID exists, else $TMPDIR/servent-UID (/tmp without $TMPDIR). Empty variables and
 * relative XDG/TMPDIR values are skipped. @envp: (nullable) the environment (NULL: none).
 * Returns: (transfer full). */
char *sv_cli_runtime_dir (const char *option, char **envp);

typedef struct _SvCliClient SvCliClient;

/* Returns: (transfer full) a client for <@runtime_dir>/control.sock. Nothing is connected yet. */
SvCliClient *sv_cli_client_new (const char *runtime_dir);
void sv_cli_client_free (SvCliClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvCliClient, sv_cli_client_free)

/* Returns: (transfer none) the socket path. */
const char *sv_cli_client_socket (SvCliClient *client);

/* Sends @method @path with @body (nullable, transfer none) as JSON and waits. A 2xx answer's JSON
 * body is returned (an empty body gives NULL with no error); otherwise @error is set: NO_DAEMON
 * when the socket could not be reached, HTTP with the daemon's one-line "error" text, PROTOCOL
 * when the answer is not JSON. Returns: (transfer full) (nullable). */
JsonNode *sv_cli_client_call (SvCliClient *client, const char *method, const char *path, JsonNode *body,
                              GError **error);

/* Returns: the HTTP status of the last sv_cli_client_call() (0 when no answer came). */
guint sv_cli_client_last_status (SvCliClient *client);

/* Called for each line of a stream (without its newline; only during the call), then once with
 * @line NULL at its end (@error set if it broke). */
typedef void (*SvCliLineFunc) (const char *line, const GError *error, gpointer user_data);

/* Starts GET @path and calls @func for each line as it arrives, from the thread-default main
 * context. Lines over SV_CONTROL_MAX_LINE_BYTES end the stream with an error. Cancelling
 * @cancellable ends it too (then the final call has an error of G_IO_ERROR_CANCELLED). */
void sv_cli_client_stream (SvCliClient *client, const char *path, GCancellable *cancellable,
                           SvCliLineFunc func, gpointer user_data);

/* Prints the one-line message for @error (prefixed "servent: ") on stderr and returns the exit
 * status for it: SV_EXIT_NO_DAEMON for NO_DAEMON, SV_EXIT_FAILURE otherwise. */
int sv_cli_client_report (SvCliClient *client, const GError *error);
/* The same for a call the daemon answered with an error status: SV_EXIT_NOT_FOUND for 404,
 * SV_EXIT_REFUSED for another 4xx (its one-line reason printed), else as above. */
int sv_cli_client_report_refusal (SvCliClient *client, const GError *error);

/* Adds the --runtime-dir option to a subcommand's option table filler. @out receives the
 * string (transfer full). */
GOptionEntry sv_cli_runtime_dir_option (char **out);
