/* daemon-config.h: serventd's settings: the command line (GOptionContext) over the config file
 * (GKeyFile, servent.conf(5)) over built-in defaults, validated into an SvServentConfig plus the
 * daemon's own settings (directories, control socket, log level).
 *
 * Precedence: a flag overrides the file's key; a repeatable flag (--listen, --peer, --share)
 * replaces the file's whole list. Every invalid value is reported as one line naming where it came
 * from and what to write instead, e.g.
 *   "/etc/servent.conf: [network] listen: 'x' is not ADDR:PORT; write e.g. 0.0.0.0:6346".
 * Unknown groups and keys are not fatal: they are collected in `warnings`.
 *
 * Directories (first one set wins):
 *   state:   --state-dir, $STATE_DIRECTORY (systemd), $XDG_STATE_HOME/servent,
 *            $HOME/.local/state/servent
 *   runtime: --runtime-dir, $SERVENT_RUNTIME_DIR, $RUNTIME_DIRECTORY (systemd),
 *            $XDG_RUNTIME_DIR/servent, /run/user/UID/servent (when /run/user/UID exists),
 *            ${TMPDIR:-/tmp}/servent-UID
 *   config:  --config (must exist), $XDG_CONFIG_HOME/servent/servent.conf,
 *            $HOME/.config/servent/servent.conf (both optional)
 * The environment is passed in (an environ-style list), so nothing here reads process globals
 * but the user id and the file system. */
#pragma once

#include <glib.h>

#include "servent.h"

#define SV_DAEMON_CONFIG_ERROR (sv_daemon_config_error_quark ())
GQuark sv_daemon_config_error_quark (void);

typedef enum {
  SV_DAEMON_CONFIG_ERROR_USAGE,   /* bad command line */
  SV_DAEMON_CONFIG_ERROR_FILE,    /* the config file is unreadable or malformed */
  SV_DAEMON_CONFIG_ERROR_VALUE,   /* a value out of range or of the wrong form */
} SvDaemonConfigError;

typedef struct {
  /* Ready for sv_servent_new(); its pointers point into this struct. */
  SvServentConfig servent;
  char *config_file;              /* (nullable) the file that was read */
  char *state_dir;
  char *download_dir;             /* finished downloads */
  char *runtime_dir;
  char *control_socket;           /* <runtime_dir>/control.sock */
  GLogLevelFlags log_level;       /* the least severe level shown, e.g. G_LOG_LEVEL_MESSAGE */
  gboolean show_version;          /* --version */
  GPtrArray *warnings;            /* (element-type utf8) non-fatal remarks, one line each */
  /* Storage behind `servent`. */
  GArray *listen;                 /* (element-type SvHostAddr) */
  GArray *peers;                  /* (element-type SvHostAddr) */
  GArray *udp_host_caches;      /* (element-type SvHostAddr) [network] udp-host-caches */
  char **shares;                  /* NULL-terminated absolute folders */
  char **bootstrap;               /* NULL-terminated bootstrap entries [network] bootstrap, else
                                   * the shipped list; empty with --no-bootstrap */
  char *hostile_file;             /* (nullable) */
  char *user_agent;               /* (nullable) */
} SvDaemonConfig;

/* Built-in defaults, directories resolved from @envp (g_get_environ() style; NULL: empty), and the
 * default listening addresses ([::]:6346 only when the system has IPv6). */
void sv_daemon_config_init (SvDaemonConfig *config, char **envp);
void sv_daemon_config_clear (SvDaemonConfig *config);

/* Reads @argv (a NULL-terminated copy of main's argv, argv[0] included; the options are removed
 * from it) and the config file, on top of sv_daemon_config_init (@envp). `--help` prints and
 * exits as GOptionContext does. Returns: FALSE with @error set to one line (no program name)
 * saying what is wrong and what to do. */
gboolean sv_daemon_config_parse (SvDaemonConfig *config, char ***argv, char **envp, GError **error);

/* Every servent.conf key ("[group] key") and every flag ("--flag") serventd knows, for the
 * documentation's checks. Returns: (transfer full) (element-type utf8). */
GPtrArray *sv_daemon_config_setting_names (void);

/* Returns: (transfer none) "error", "warning", "message", "info" or "debug". */
const char *sv_daemon_config_log_level_name (GLogLevelFlags level);

/* Returns: (transfer none) the installed hostile-address list, or the source tree's when the
 * program runs from a build directory; NULL if neither exists. */
const char *sv_daemon_config_default_hostile_file (void);
/* Returns: (transfer none) the shipped bootstrap list (data/bootstrap.txt), found the same way;
 * NULL if neither exists. */
const char *sv_daemon_config_default_bootstrap_file (void);
