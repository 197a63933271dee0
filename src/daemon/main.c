/* main.c: `serventd` entry point: settings, directories, the servent and its control API on one
 * main loop, log filtering, and signals (SIGINT/SIGTERM stop cleanly, SIGHUP reads the settings
 * again and rescans the shares).
 * Exit status: 0 clean stop, 1 runtime failure, 2 usage or config error (serventd(8)). */
#include "config.h"

#include <glib-unix.h>
#include <glib.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "control-api.h"
#include "control-server.h"
#include "daemon-config.h"
#include "sd-notify.h"
#include "servent.h"

enum {
  EXIT_CLEAN = 0,
  EXIT_RUNTIME = 1,
  EXIT_USAGE = 2,
};

/* The least severe level written; more verbose messages are dropped. */
static GLogLevelFlags log_threshold = G_LOG_LEVEL_MESSAGE;

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  GLogLevelFlags lvl = level & G_LOG_LEVEL_MASK;

  /* Lower bits are more severe: ERROR < CRITICAL < WARNING < MESSAGE < INFO < DEBUG. */
  if (lvl > log_threshold)
    return G_LOG_WRITER_HANDLED;
  if (g_log_writer_is_journald (fileno (stderr))
      && g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_standard_streams (level, fields, n_fields, user_data);
}

typedef struct {
  GMainLoop *loop;
  SvServent *servent;
  int stop_signal;
  char **args;              /* the command line as given, read again on SIGHUP */
  char **env;
} Daemon;

static gboolean
on_stop_signal (Daemon *d, int signum)
{
  if (d->stop_signal == 0)
    {
      d->stop_signal = signum;
      g_main_loop_quit (d->loop);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  return on_stop_signal (user_data, SIGINT);
}

static gboolean
on_sigterm (gpointer user_data)
{
  return on_stop_signal (user_data, SIGTERM);
}

/* SIGHUP: the settings are read again (same flags, the config file as it is now) and what can
 * change while running follows them; a broken file changes nothing and says why. */
static gboolean
on_sighup (gpointer user_data)
{
  Daemon *d = user_data;
  g_auto (GStrv) args = g_strdupv (d->args);
  g_autoptr (GError) error = NULL;
  SvDaemonConfig fresh;

  sv_daemon_config_init (&fresh, d->env);
  if (!sv_daemon_config_parse (&fresh, &args, d->env, &error))
    {
      g_warning ("SIGHUP: %s; the settings in use are kept (shares rescanned)", error->message);
      sv_servent_rescan (d->servent);
    }
  else
    {
      g_message ("SIGHUP: settings read again; rescanning the shared folders");
      log_threshold = fresh.log_level;
      sv_servent_reload (d->servent, &fresh.servent);
    }
  sv_daemon_config_clear (&fresh);
  return G_SOURCE_CONTINUE;
}

/* Every link is a descriptor, and an ultrapeer holds thousands of leaves: the soft limit (often
 * 1024) goes up to the hard one (systemd's LimitNOFILE=, or the system's), as most daemons do.
 * Logs what it could get when that is short of the leaves it is told to serve. */
static void
raise_fd_limit (guint leaves)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0)
    return;
  if (rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
        getrlimit (RLIMIT_NOFILE, &rl);
    }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t) leaves + 256)
    g_message ("open-file limit %llu is short of %u leaves; raise LimitNOFILE= or ulimit -n",
               (unsigned long long) rl.rlim_cur, leaves);
}

int
main (int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_auto (GStrv) env = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SvServent) servent = NULL;
  g_autoptr (SvControlApi) api = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  SvDaemonConfig config;
  SvServentStatus status;
  Daemon d = { 0 };
  g_auto (GStrv) saved_args = NULL;
  guint sources[3];

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  env = g_get_environ ();
  saved_args = g_strdupv (args);
  d.args = saved_args;
  d.env = env;

  sv_daemon_config_init (&config, env);
  if (!sv_daemon_config_parse (&config, &args, env, &error))
    {
      fprintf (stderr, "serventd: %s\n", error->message);
      sv_daemon_config_clear (&config);
      return EXIT_USAGE;
    }
  if (config.show_version)
    {
      printf ("serventd %s\n", PACKAGE_VERSION);
      sv_daemon_config_clear (&config);
      return EXIT_CLEAN;
    }

  /* A peer or client that hangs up must not kill the daemon: writes report EPIPE instead. */
  signal (SIGPIPE, SIG_IGN);
  {
    SvConnPolicyConfig policy;

    sv_conn_policy_config_init (&policy);   /* the leaves an ultrapeer serves by default */
    raise_fd_limit (config.servent.up_max_leaves != 0 ? config.servent.up_max_leaves
                                                      : policy.up_max_leaves);
  }
  log_threshold = config.log_level;
  g_log_set_writer_func (log_writer, NULL, NULL);
  for (guint i = 0; i < config.warnings->len; i++)
    g_warning ("%s", (const char *) g_ptr_array_index (config.warnings, i));
  if (config.servent.hostile_file == NULL)
    g_warning ("no hostile-address list installed; set [network] hostile-file in servent.conf");

  /* The runtime directory is made (0700, ours) here, the state directory by the servent. A
   * second daemon on the same runtime directory stops here, before it binds or dials. */
  if (!sv_control_server_check (config.control_socket, &error))
    {
      fprintf (stderr, "serventd: %s\n", error->message);
      sv_daemon_config_clear (&config);
      return EXIT_RUNTIME;
    }
  servent = sv_servent_new (&config.servent, &error);
  if (servent == NULL)
    {
      fprintf (stderr, "serventd: %s\n", error->message);
      sv_daemon_config_clear (&config);
      return EXIT_RUNTIME;
    }
  api = sv_control_api_new (servent, config.control_socket, &error);
  if (api == NULL)
    {
      fprintf (stderr, "serventd: %s\n", error->message);
      g_clear_pointer (&servent, sv_servent_free);
      sv_daemon_config_clear (&config);
      return EXIT_RUNTIME;
    }

  sv_servent_get_status (servent, &status);
  g_message ("serventd %s: port %u, %s (%s), state %s, control %s%s%s", PACKAGE_VERSION,
             status.port, status.ultrapeer ? "ultrapeer" : "leaf",
             config.servent.role_mode == SV_CONN_ROLE_MODE_AUTO ? "auto" : "fixed",
             config.state_dir, config.control_socket, config.config_file ? ", config " : "",
             config.config_file ? config.config_file : "");

  /* Under systemd (Type=notify): ready once the sockets are bound and the databases open. */
  {
    g_autofree char *ready = g_strdup_printf ("READY=1\nSTATUS=port %u, %s\nMAINPID=%d", status.port,
                                              status.ultrapeer ? "ultrapeer" : "leaf", (int) getpid ());
    g_autoptr (GError) nerr = NULL;

    if (!sv_sd_notify (env, ready, &nerr) && nerr != NULL)
      g_warning ("could not tell the service manager we are ready: %s", nerr->message);
  }
  loop = g_main_loop_new (NULL, FALSE);
  d.loop = loop;
  d.servent = servent;
  sources[0] = g_unix_signal_add (SIGINT, on_sigint, &d);
  sources[1] = g_unix_signal_add (SIGTERM, on_sigterm, &d);
  sources[2] = g_unix_signal_add (SIGHUP, on_sighup, &d);
  g_main_loop_run (loop);

  g_message ("%s: stopping", d.stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
  (void) sv_sd_notify (env, "STOPPING=1", NULL);
  g_clear_pointer (&api, sv_control_api_free);
  g_clear_pointer (&servent, sv_servent_free);   /* Bye to every peer, host cache saved */
  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  g_message ("stopped");
  sv_daemon_config_clear (&config);
  return EXIT_CLEAN;
}
