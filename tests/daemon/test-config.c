/* test-config.c: serventd's settings: directory defaults from the environment, the config file,
 * flags over the file, repeatable flags, one-line errors for every invalid value, unknown keys. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "daemon-config.h"

static char *root;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  root = g_dir_make_tmp ("svconfig-XXXXXX", &error);
  ck_assert_msg (root != NULL, "mkdtemp: %s", error ? error->message : "?");
}

static void
teardown (void)
{
  const char *argv[] = { "rm", "-rf", root, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_clear_pointer (&root, g_free);
}

/* root/@rel */
static char *
at (const char *rel)
{
  return g_build_filename (root, rel, NULL);
}

/* An environment with only HOME=root/home and the given NAME=VALUE pairs (value relative to root
 * when it does not start with '/'); NULL-terminated. */
static char **
make_env (const char *first, ...)
{
  char **env = NULL;
  g_autofree char *home = at ("home");
  va_list ap;

  env = g_environ_setenv (env, "HOME", home, TRUE);
  va_start (ap, first);
  for (const char *name = first; name != NULL; name = va_arg (ap, const char *))
    {
      const char *value = va_arg (ap, const char *);
      g_autofree char *full = value[0] == '/' || value[0] == '\0' ? g_strdup (value) : at (value);

      env = g_environ_setenv (env, name, full, TRUE);
    }
  va_end (ap);
  return env;
}

/* Writes root/@rel (creating parents). Returns: (transfer full) the path. */
static char *
write_file (const char *rel, const char *text)
{
  char *path = at (rel);
  g_autofree char *dir = g_path_get_dirname (path);

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0700), 0);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Parses "serventd @args…" (NULL-terminated) over defaults from @env. */
static gboolean
parse (SvDaemonConfig *config, char **env, const char *const *args, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  char **strv;
  gboolean ok;

  g_ptr_array_add (argv, g_strdup ("serventd"));
  for (gsize i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  strv = (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
  sv_daemon_config_init (config, env);
  ok = sv_daemon_config_parse (config, &strv, env, error);
  g_strfreev (strv);
  return ok;
}

static void
parse_ok (SvDaemonConfig *config, char **env, const char *const *args)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (parse (config, env, args, &error), "parse: %s", error ? error->message : "?");
  ck_assert_ptr_null (error);
}

static void
assert_addr (const SvHostAddr *addr, const char *want)
{
  char text[SV_HOST_ADDR_STRLEN];

  ck_assert_str_eq (sv_host_addr_format (addr, TRUE, text), want);
}

/* The servent view points at the daemon config's storage. */
static void
assert_servent_view (const SvDaemonConfig *c)
{
  ck_assert_ptr_eq (c->servent.state_dir, c->state_dir);
  ck_assert_uint_eq (c->servent.n_listen, c->listen->len);
  ck_assert_ptr_eq (c->servent.listen, (const void *) c->listen->data);
  ck_assert_uint_eq (c->servent.n_peers, c->peers->len);
  ck_assert_ptr_eq (c->servent.shares, (const void *) c->shares);
  ck_assert_ptr_eq (c->servent.hostile_file, c->hostile_file);
  ck_assert_ptr_eq (c->servent.user_agent, c->user_agent);
}

START_TEST (test_defaults_from_xdg)
{
  g_auto (GStrv) env = make_env ("XDG_STATE_HOME", "xstate", "XDG_RUNTIME_DIR", "xrun",
                                 "XDG_CONFIG_HOME", "xconfig", NULL);
  g_autofree char *state = at ("xstate/servent");
  g_autofree char *run = at ("xrun/servent");
  g_autofree char *sock = at ("xrun/servent/control.sock");
  SvDaemonConfig c;

  parse_ok (&c, env, NULL);
  ck_assert_str_eq (c.state_dir, state);
  ck_assert_str_eq (c.runtime_dir, run);
  ck_assert_str_eq (c.control_socket, sock);
  ck_assert_ptr_null (c.config_file);          /* no file there: defaults */
  ck_assert_uint_ge (c.listen->len, 1);
  ck_assert_uint_le (c.listen->len, 2);
  assert_addr (&g_array_index (c.listen, SvHostAddr, 0), "0.0.0.0:6346");
  if (c.listen->len == 2)
    assert_addr (&g_array_index (c.listen, SvHostAddr, 1), "[::]:6346");
  ck_assert_uint_eq (c.peers->len, 0);
  ck_assert_ptr_nonnull (c.shares);
  ck_assert_ptr_null (c.shares[0]);
  ck_assert_int_eq (c.servent.role_mode, SV_CONN_ROLE_MODE_AUTO);
  ck_assert (!c.servent.lan);
  ck_assert (c.servent.deflate);
  ck_assert (c.servent.watch);
  ck_assert_int_eq (c.log_level, G_LOG_LEVEL_MESSAGE);
  ck_assert (!c.show_version);
  ck_assert_uint_eq (c.warnings->len, 0);
  /* The source tree's list when not installed (the tests run from the build directory). */
  ck_assert_ptr_nonnull (c.hostile_file);
  ck_assert (g_str_has_suffix (c.hostile_file, "/hostiles.txt"));
  ck_assert (g_file_test (c.hostile_file, G_FILE_TEST_IS_REGULAR));
  /* The shipped bootstrap list, from the source tree likewise: UDP host caches and GWebCaches. */
  ck_assert_ptr_nonnull (c.bootstrap);
  ck_assert_uint_ge (g_strv_length (c.bootstrap), 4);
  ck_assert (g_str_has_prefix (c.bootstrap[0], "uhc:"));
  ck_assert_ptr_eq (c.servent.bootstrap, (const void *) c.bootstrap);
  ck_assert_ptr_null (c.user_agent);
  assert_servent_view (&c);
  sv_daemon_config_clear (&c);
}
END_TEST

/* bootstrap= replaces the shipped list; empty is none; --no-bootstrap empties it for a run. */
START_TEST (test_bootstrap_key_and_flag)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *mine = write_file ("mine.conf", "[network]\nbootstrap=uhc:localhost:9999; "
                                      "http://127.0.0.1:8080/gwc.php\n");
  g_autofree char *none = write_file ("none.conf", "[network]\nbootstrap=\n");
  const char *a1[] = { "--config", mine, NULL };
  const char *a2[] = { "--config", none, NULL };
  const char *a3[] = { "--config", mine, "--no-bootstrap", NULL };
  const char *a4[] = { "--no-bootstrap", NULL };
  SvDaemonConfig c;

  parse_ok (&c, env, a1);
  ck_assert_uint_eq (g_strv_length (c.bootstrap), 2);
  ck_assert_str_eq (c.bootstrap[0], "uhc:localhost:9999");
  ck_assert_str_eq (c.bootstrap[1], "http://127.0.0.1:8080/gwc.php");
  ck_assert_ptr_eq (c.servent.bootstrap, (const void *) c.bootstrap);
  sv_daemon_config_clear (&c);
  parse_ok (&c, env, a2);
  ck_assert_uint_eq (g_strv_length (c.bootstrap), 0);
  sv_daemon_config_clear (&c);
  parse_ok (&c, env, a3);
  ck_assert_uint_eq (g_strv_length (c.bootstrap), 0);
  sv_daemon_config_clear (&c);
  parse_ok (&c, env, a4);
  ck_assert_uint_eq (g_strv_length (c.bootstrap), 0);
  ck_assert_ptr_eq (c.servent.bootstrap, (const void *) c.bootstrap);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_defaults_from_home)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *state = at ("home/.local/state/servent");
  g_autofree char *conf = write_file ("home/.config/servent/servent.conf", "[network]\nrole=leaf\n");
  SvDaemonConfig c;

  parse_ok (&c, env, NULL);
  ck_assert_str_eq (c.state_dir, state);
  /* The config file under ~/.config is read when XDG_CONFIG_HOME is unset. */
  ck_assert_str_eq (c.config_file, conf);
  ck_assert_int_eq (c.servent.role_mode, SV_CONN_ROLE_MODE_LEAF);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_xdg_relative_ignored)
{
  /* XDG base directories must be absolute; a relative one falls back to the HOME default. */
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *state = at ("home/.local/state/servent");
  SvDaemonConfig c;

  env = g_environ_setenv (env, "XDG_STATE_HOME", "relative/state", TRUE);
  parse_ok (&c, env, NULL);
  ck_assert_str_eq (c.state_dir, state);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_systemd_dirs)
{
  g_autofree char *sd_state = at ("sd-state");
  g_autofree char *sd_state_list = g_strconcat (sd_state, ":", root, "/other", NULL);
  g_auto (GStrv) env = make_env ("XDG_STATE_HOME", "xstate", "XDG_RUNTIME_DIR", "xrun",
                                 "RUNTIME_DIRECTORY", "sd-run", NULL);
  g_autofree char *sd_run = at ("sd-run");
  SvDaemonConfig c;

  env = g_environ_setenv (env, "STATE_DIRECTORY", sd_state_list, TRUE);
  parse_ok (&c, env, NULL);
  /* systemd's StateDirectory= wins over XDG (the first of a list). */
  ck_assert_str_eq (c.state_dir, sd_state);
  ck_assert_str_eq (c.runtime_dir, sd_run);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_runtime_order)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", "RUNTIME_DIRECTORY", "sd-run",
                                 "SERVENT_RUNTIME_DIR", "mine", "TMPDIR", "tmp", NULL);
  g_autofree char *mine = at ("mine");
  g_autofree char *flag = at ("flag-run");
  g_autofree char *flag_sock = at ("flag-run/control.sock");
  g_autofree char *xrun = at ("xrun/servent");
  g_autofree char *tmp = g_strdup_printf ("%s/tmp/servent-%u", root, (unsigned) getuid ());
  g_autofree char *run_user = g_strdup_printf ("/run/user/%u", (unsigned) getuid ());
  const char *args[] = { "--runtime-dir", flag, NULL };
  SvDaemonConfig c;

  /* $SERVENT_RUNTIME_DIR (what the CLI honours too) beats systemd's and XDG's. */
  parse_ok (&c, env, NULL);
  ck_assert_str_eq (c.runtime_dir, mine);
  sv_daemon_config_clear (&c);

  /* --runtime-dir beats everything, and the control socket follows it. */
  parse_ok (&c, env, args);
  ck_assert_str_eq (c.runtime_dir, flag);
  ck_assert_str_eq (c.control_socket, flag_sock);
  sv_daemon_config_clear (&c);

  env = g_environ_unsetenv (env, "SERVENT_RUNTIME_DIR");
  env = g_environ_unsetenv (env, "RUNTIME_DIRECTORY");
  parse_ok (&c, env, NULL);
  ck_assert_str_eq (c.runtime_dir, xrun);
  sv_daemon_config_clear (&c);

  /* Without XDG_RUNTIME_DIR: /run/user/UID when it exists, else $TMPDIR/servent-UID. */
  env = g_environ_unsetenv (env, "XDG_RUNTIME_DIR");
  parse_ok (&c, env, NULL);
  if (g_file_test (run_user, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *want = g_build_filename (run_user, "servent", NULL);

      ck_assert_str_eq (c.runtime_dir, want);
    }
  else
    ck_assert_str_eq (c.runtime_dir, tmp);
  sv_daemon_config_clear (&c);
}
END_TEST

static const char full_file[] =
  "# every key\n"
  "[network]\n"
  "listen=127.0.0.1:7001;[::1]:7002\n"
  "peers=127.0.0.2:6346; [::1]:6400\n"
  "role=ultrapeer\n"
  "lan=true\n"
  "deflate=false\n"
  "leaf-ultrapeers=5\n"
  "ultrapeers=40\n"
  "min-ultrapeers=12\n"
  "udp-host-caches=192.0.2.7:6346;198.51.100.9\n"
  "leaves=120\n"
  "accept-per-ip=4\n"
  "handshake-timeout=15\n"
  "idle-ping=90\n"
  "promote-after=7\n"
  "demote-after=70\n"
  "hostile-file=lists/hostile.txt\n"
  "[shares]\n"
  "folders=music;/abs/films;~/docs\n"
  "watch=false\n"
  "debounce-ms=250\n"
  "rescan-interval=3600\n"
  "[identity]\n"
  "user-agent=servent-test/9\n";

START_TEST (test_file_values)
{
  g_auto (GStrv) env = make_env ("XDG_STATE_HOME", "xstate", "XDG_RUNTIME_DIR", "xrun",
                                 "XDG_CONFIG_HOME", "xconfig", NULL);
  g_autofree char *conf = write_file ("xconfig/servent/servent.conf", full_file);
  g_autofree char *hostile = write_file ("xconfig/servent/lists/hostile.txt", "1.2.3.4\n");
  g_autofree char *music = at ("xconfig/servent/music");
  g_autofree char *docs = at ("home/docs");
  SvDaemonConfig c;

  parse_ok (&c, env, NULL);
  ck_assert_str_eq (c.config_file, conf);
  ck_assert_uint_eq (c.listen->len, 2);
  assert_addr (&g_array_index (c.listen, SvHostAddr, 0), "127.0.0.1:7001");
  assert_addr (&g_array_index (c.listen, SvHostAddr, 1), "[::1]:7002");
  ck_assert_uint_eq (c.peers->len, 2);
  assert_addr (&g_array_index (c.peers, SvHostAddr, 0), "127.0.0.2:6346");
  assert_addr (&g_array_index (c.peers, SvHostAddr, 1), "[::1]:6400");
  ck_assert_int_eq (c.servent.role_mode, SV_CONN_ROLE_MODE_ULTRAPEER);
  ck_assert (c.servent.lan);
  ck_assert (!c.servent.deflate);
  ck_assert_uint_eq (c.servent.leaf_min_ultrapeers, 5);
  ck_assert_uint_eq (c.servent.leaf_max_ultrapeers, 6);
  ck_assert_uint_eq (c.servent.up_min_ultrapeers, 12);
  ck_assert_uint_eq (c.servent.n_udp_host_caches, 2);
  ck_assert_uint_eq (c.servent.udp_host_caches[1].port, 6346);
  ck_assert_uint_eq (c.servent.up_max_ultrapeers, 40);
  ck_assert_uint_eq (c.servent.up_max_leaves, 120);
  ck_assert_uint_eq (c.servent.accept_per_ip, 4);
  ck_assert_int_eq (c.servent.handshake_timeout_us, 15 * G_USEC_PER_SEC);
  ck_assert_int_eq (c.servent.idle_ping_us, 90 * G_USEC_PER_SEC);
  ck_assert_int_eq (c.servent.promote_after_us, 7 * G_USEC_PER_SEC);
  ck_assert_int_eq (c.servent.demote_after_us, 70 * G_USEC_PER_SEC);
  /* Relative paths are relative to the file's directory; ~/ is the home directory. */
  ck_assert_str_eq (c.hostile_file, hostile);
  ck_assert_uint_eq (g_strv_length (c.shares), 3);
  ck_assert_str_eq (c.shares[0], music);
  ck_assert_str_eq (c.shares[1], "/abs/films");
  ck_assert_str_eq (c.shares[2], docs);
  ck_assert (!c.servent.watch);
  ck_assert_uint_eq (c.servent.debounce_ms, 250);
  ck_assert_uint_eq (c.servent.rescan_interval_s, 3600);
  ck_assert_str_eq (c.user_agent, "servent-test/9");
  ck_assert_uint_eq (c.warnings->len, 0);
  assert_servent_view (&c);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_flags_override_file)
{
  g_auto (GStrv) env = make_env ("XDG_STATE_HOME", "xstate", "XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *conf = write_file ("my.conf", full_file);
  g_autofree char *hostile = write_file ("lists/hostile.txt", "1.2.3.4\n");
  g_autofree char *state = at ("flag-state");
  g_autofree char *share = at ("flag-share");
  const char *args[] = {
    "--config", conf, "--leaf", "--no-deflate", "--log-level", "debug",
    "--state-dir", state, "--listen", "0.0.0.0:0", "--peer", "127.0.0.9:6000",
    "--share", share, "--foreground", NULL,
  };
  SvDaemonConfig c;

  parse_ok (&c, env, args);
  ck_assert_str_eq (c.config_file, conf);
  ck_assert_int_eq (c.servent.role_mode, SV_CONN_ROLE_MODE_LEAF);   /* file said ultrapeer */
  ck_assert (!c.servent.deflate);
  ck_assert (c.servent.lan);                                         /* from the file */
  ck_assert_int_eq (c.log_level, G_LOG_LEVEL_DEBUG);
  ck_assert_str_eq (c.state_dir, state);
  /* Each repeatable flag replaced the file's whole list. */
  ck_assert_uint_eq (c.listen->len, 1);
  assert_addr (&g_array_index (c.listen, SvHostAddr, 0), "0.0.0.0:0");   /* port 0: any */
  ck_assert_uint_eq (c.peers->len, 1);
  assert_addr (&g_array_index (c.peers, SvHostAddr, 0), "127.0.0.9:6000");
  ck_assert_uint_eq (g_strv_length (c.shares), 1);
  ck_assert_str_eq (c.shares[0], share);
  /* Keys without a flag keep the file's value. */
  ck_assert_uint_eq (c.servent.up_max_leaves, 120);
  ck_assert_str_eq (c.user_agent, "servent-test/9");
  assert_servent_view (&c);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_repeatable_flags)
{
  g_auto (GStrv) env = make_env ("XDG_STATE_HOME", "xstate", "XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *rel = g_build_filename (cwd, "rel-share", NULL);
  const char *args[] = {
    "--listen", "127.0.0.1:7001", "--listen", "[::1]:7002", "--listen=127.0.0.1:7003",
    "--peer", "[2001:4860::1]:6346", "--peer", "8.8.4.4", "--share", "/a", "--share", "rel-share",
    "--ultrapeer", "--lan", NULL,
  };
  SvDaemonConfig c;

  parse_ok (&c, env, args);
  ck_assert_uint_eq (c.listen->len, 3);
  assert_addr (&g_array_index (c.listen, SvHostAddr, 0), "127.0.0.1:7001");
  assert_addr (&g_array_index (c.listen, SvHostAddr, 1), "[::1]:7002");
  assert_addr (&g_array_index (c.listen, SvHostAddr, 2), "127.0.0.1:7003");
  ck_assert_uint_eq (c.peers->len, 2);
  assert_addr (&g_array_index (c.peers, SvHostAddr, 0), "[2001:4860::1]:6346");
  assert_addr (&g_array_index (c.peers, SvHostAddr, 1), "8.8.4.4:6346");   /* default port */
  ck_assert_uint_eq (g_strv_length (c.shares), 2);
  ck_assert_str_eq (c.shares[0], "/a");
  ck_assert_str_eq (c.shares[1], rel);       /* relative to the working directory */
  ck_assert_int_eq (c.servent.role_mode, SV_CONN_ROLE_MODE_ULTRAPEER);
  ck_assert (c.servent.lan);
  assert_servent_view (&c);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_version_flag)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  const char *args[] = { "--version", NULL };
  SvDaemonConfig c;

  parse_ok (&c, env, args);
  ck_assert (c.show_version);
  sv_daemon_config_clear (&c);
}
END_TEST

/* An invalid config file line and the error it must give: where (after the file path) and
 * what to do. */
typedef struct {
  const char *file;      /* config file text */
  const char *want;      /* the error after "<path>: " */
} BadFile;

static const BadFile bad_files[] = {
  { "[network]\nlisten=x\n",
    "[network] listen: 'x' is not ADDR:PORT; write e.g. 0.0.0.0:6346 or [::]:6346" },
  { "[network]\nlisten=1.2.3.4:99999\n",
    "[network] listen: '1.2.3.4:99999' is not ADDR:PORT; write e.g. 0.0.0.0:6346 or [::]:6346" },
  { "[network]\nlisten=\n", "[network] listen: no address to listen on; write e.g. 0.0.0.0:6346" },
  { "[network]\npeers=gnutella.example.org:6346\n",
    "[network] peers: 'gnutella.example.org:6346' is not IP:PORT (host names are not looked up);"
    " write e.g. 192.0.2.7:6346 or [2001:db8::7]:6346" },
  { "[network]\npeers=8.8.8.8:0\n",
    "[network] peers: '8.8.8.8:0' is not IP:PORT (host names are not looked up);"
    " write e.g. 192.0.2.7:6346 or [2001:db8::7]:6346" },
  { "[network]\npeers=127.0.0.1:6346\n",
    "[network] peers: '127.0.0.1:6346' is a loopback address; pass --lan (or lan=true) to use it" },
  { "[network]\nlan=true\npeers=224.0.0.1:6346\n",
    "[network] peers: '224.0.0.1:6346' is a multicast address, never connectable;"
    " write a servent's address" },
  { "[network]\nrole=boss\n",
    "[network] role: 'boss' is not auto, leaf or ultrapeer; write e.g. auto" },
  { "[network]\nlan=yes\n", "[network] lan: 'yes' is not true or false; write e.g. true" },
  { "[network]\ndeflate=maybe\n", "[network] deflate: 'maybe' is not true or false; write e.g. true" },
  { "[network]\nleaf-ultrapeers=0\n",
    "[network] leaf-ultrapeers: '0' is not a whole number from 1 to 16; write e.g. 3" },
  { "[network]\nleaf-ultrapeers=17\n",
    "[network] leaf-ultrapeers: '17' is not a whole number from 1 to 16; write e.g. 3" },
  { "[network]\nultrapeers=-1\n",
    "[network] ultrapeers: '-1' is not a whole number from 1 to 256; write e.g. 32" },
  { "[network]\nmin-ultrapeers=0\n",
    "[network] min-ultrapeers: '0' is not a whole number from 1 to 256; write e.g. 32" },
  { "[network]\nleaves=lots\n",
    "[network] leaves: 'lots' is not a whole number from 1 to 10000; write e.g. 300" },
  { "[network]\naccept-per-ip=1001\n",
    "[network] accept-per-ip: '1001' is not a whole number from 1 to 1000; write e.g. 5" },
  { "[network]\nhandshake-timeout=0\n",
    "[network] handshake-timeout: '0' is not a whole number from 1 to 600; write e.g. 10" },
  { "[network]\nidle-ping=4\n",
    "[network] idle-ping: '4' is not a whole number from 5 to 3600; write e.g. 60" },
  { "[network]\nhostile-file=/no/such/hostiles.txt\n",
    "[network] hostile-file: '/no/such/hostiles.txt': no such file; fix the path or remove the key" },
  { "[network]\nhostile-file=\n",
    "[network] hostile-file: empty path; write the path of a hostile-address list or remove the key" },
  { "[network]\nbootstrap=gwc.example.org\n",
    "[network] bootstrap: 'gwc.example.org' is neither uhc:HOST:PORT nor an http(s) URL; write e.g."
    " uhc:uhc.example.org:9999 or http://gwc.example.org/gwc.php" },
  { "[network]\nbootstrap=uhc:host:0\n",
    "[network] bootstrap: 'uhc:host:0' is neither uhc:HOST:PORT nor an http(s) URL; write e.g."
    " uhc:uhc.example.org:9999 or http://gwc.example.org/gwc.php" },
  { "[network]\npromote-after=0\n",
    "[network] promote-after: '0' is not a whole number from 1 to 86400; write e.g. 20" },
  { "[network]\ndemote-after=x\n",
    "[network] demote-after: 'x' is not a whole number from 1 to 604800; write e.g. 900" },
  { "[shares]\nwatch=on\n", "[shares] watch: 'on' is not true or false; write e.g. true" },
  { "[shares]\ndebounce-ms=0\n",
    "[shares] debounce-ms: '0' is not a whole number from 1 to 600000; write e.g. 1000" },
  { "[shares]\nrescan-interval=2592001\n",
    "[shares] rescan-interval: '2592001' is not a whole number from 0 to 2592000; write e.g. 0" },
  { "[identity]\nuser-agent=caf\xc3\xa9/1\n",
    "[identity] user-agent: only printable ASCII is sent in a header; write e.g. servent/" },
};

START_TEST (test_bad_file_value)
{
  const BadFile *bad = &bad_files[_i];
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *conf = write_file ("bad.conf", bad->file);
  g_autofree char *want = g_strdup_printf ("%s: %s", conf, bad->want);
  const char *args[] = { "--config", conf, NULL };
  g_autoptr (GError) error = NULL;
  SvDaemonConfig c;

  ck_assert_msg (!parse (&c, env, args, &error), "accepted: %s", bad->file);
  ck_assert_ptr_nonnull (error);
  ck_assert (g_error_matches (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_VALUE));
  ck_assert_ptr_null (strchr (error->message, '\n'));
  ck_assert_msg (g_str_has_prefix (error->message, want), "got: %s\nwant: %s", error->message, want);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_user_agent_too_long)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *long_ua = g_strnfill (129, 'a');
  g_autofree char *text = g_strdup_printf ("[identity]\nuser-agent=%s\n", long_ua);
  g_autofree char *conf = write_file ("ua.conf", text);
  g_autofree char *ok_text = g_strdup_printf ("[identity]\nuser-agent=%.128s\n", long_ua);
  g_autofree char *ok_conf = write_file ("ua-ok.conf", ok_text);
  const char *args[] = { "--config", conf, NULL };
  const char *ok_args[] = { "--config", ok_conf, NULL };
  g_autoptr (GError) error = NULL;
  SvDaemonConfig c;

  ck_assert (!parse (&c, env, args, &error));
  ck_assert (strstr (error->message, "[identity] user-agent: must be 1 to 128 characters") != NULL);
  sv_daemon_config_clear (&c);
  parse_ok (&c, env, ok_args);
  ck_assert_uint_eq (strlen (c.user_agent), 128);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_bad_file_syntax)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", "XDG_CONFIG_HOME", "xconfig", NULL);
  g_autofree char *conf = write_file ("xconfig/servent/servent.conf",
                                      "[network]\nthis line is not a key\n");
  g_autoptr (GError) error = NULL;
  SvDaemonConfig c;

  /* The default file too: present but broken is an error, not silently ignored. */
  ck_assert (!parse (&c, env, NULL, &error));
  ck_assert (g_error_matches (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_FILE));
  ck_assert (g_str_has_prefix (error->message, conf));
  ck_assert (g_str_has_suffix (error->message, "; fix the file (see servent.conf(5))"));
  ck_assert_ptr_null (strchr (error->message, '\n'));
  sv_daemon_config_clear (&c);
}
END_TEST

/* Invalid command lines and the one-line error each gives. */
typedef struct {
  const char *args[6];
  const char *want;
} BadFlags;

static const BadFlags bad_flags[] = {
  { { "--listen", "x", NULL }, "--listen: 'x' is not ADDR:PORT; write e.g. 0.0.0.0:6346 or [::]:6346" },
  { { "--listen", "0.0.0.0:6346", "--listen", "[::]:-1", NULL },
    "--listen: '[::]:-1' is not ADDR:PORT; write e.g. 0.0.0.0:6346 or [::]:6346" },
  { { "--peer", "host:6346", NULL },
    "--peer: 'host:6346' is not IP:PORT (host names are not looked up);"
    " write e.g. 192.0.2.7:6346 or [2001:db8::7]:6346" },
  { { "--peer", "10.0.0.1:6346", NULL },
    "--peer: '10.0.0.1:6346' is a private address; pass --lan (or lan=true) to use it" },
  { { "--log-level", "loud", NULL },
    "--log-level: 'loud' is not error, warning, message, info or debug; write e.g. info" },
  { { "--ultrapeer", "--leaf", NULL },
    "--ultrapeer and --leaf exclude each other; pass one or neither" },
  { { "--bogus", NULL }, "Unknown option --bogus; run 'serventd --help' for the options" },
  { { "stray", NULL }, "unexpected argument 'stray'; serventd takes options only (see --help)" },
  { { "--config", "/no/such/servent.conf", NULL },
    "--config /no/such/servent.conf: no such file; pass an existing file or leave --config out" },
  { { "--state-dir", "", NULL }, "--state-dir: empty path; write a directory" },
};

START_TEST (test_bad_flags)
{
  const BadFlags *bad = &bad_flags[_i];
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autoptr (GError) error = NULL;
  SvDaemonConfig c;

  ck_assert_msg (!parse (&c, env, bad->args, &error), "accepted: %s", bad->want);
  ck_assert_ptr_nonnull (error);
  ck_assert_ptr_null (strchr (error->message, '\n'));
  ck_assert_str_eq (error->message, bad->want);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_unknown_keys_warned)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *conf = write_file ("w.conf", "[network]\nrole=leaf\ncolour=blue\n"
                                                "[fancy]\nx=1\n[shares]\nwatch=false\n");
  g_autofree char *want_key = g_strdup_printf ("%s: [network] colour: unknown key, ignored"
                                               " (see servent.conf(5))", conf);
  g_autofree char *want_group = g_strdup_printf ("%s: [fancy]: unknown group, ignored"
                                                 " (see servent.conf(5))", conf);
  const char *args[] = { "--config", conf, NULL };
  SvDaemonConfig c;

  parse_ok (&c, env, args);
  /* Known keys around them still apply. */
  ck_assert_int_eq (c.servent.role_mode, SV_CONN_ROLE_MODE_LEAF);
  ck_assert (!c.servent.watch);
  ck_assert_uint_eq (c.warnings->len, 2);
  ck_assert_str_eq (g_ptr_array_index (c.warnings, 0), want_key);
  ck_assert_str_eq (g_ptr_array_index (c.warnings, 1), want_group);
  sv_daemon_config_clear (&c);
}
END_TEST

START_TEST (test_log_level_names)
{
  static const char *const names[] = { "error", "warning", "message", "info", "debug" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
      const char *args[] = { "--log-level", names[i], NULL };
      SvDaemonConfig c;

      parse_ok (&c, env, args);
      ck_assert_str_eq (sv_daemon_config_log_level_name (c.log_level), names[i]);
      sv_daemon_config_clear (&c);
    }
}
END_TEST

/* The shipped example (data/servent.conf), with every key uncommented, names only known keys and
 * states the defaults. */
START_TEST (test_example_config)
{
  g_auto (GStrv) env = make_env ("XDG_RUNTIME_DIR", "xrun", NULL);
  g_autofree char *example = NULL;
  g_autoptr (GString) uncommented = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *music = at ("home/Music");
  g_autofree char *books = at ("home/Books");
  g_autofree char *ua = g_strdup_printf ("servent/%s", PACKAGE_VERSION);
  const char *args[] = { "--config", NULL, NULL };
  guint keys = 0;
  SvDaemonConfig c;

  ck_assert (g_file_get_contents (SV_SOURCE_DATADIR "/servent.conf", &example, NULL, NULL));
  lines = g_strsplit (example, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      /* "#key=value" lines are settings; "# text" lines are prose. */
      if (line[0] == '#' && g_ascii_isalpha (line[1]) && strchr (line, '=') != NULL)
        {
          /* The installed path; the shipped list (shown empty, which would mean none). */
          if (!g_str_has_prefix (line, "#hostile-file=") && !g_str_has_prefix (line, "#bootstrap="))
            g_string_append_printf (uncommented, "%s\n", line + 1);
          keys++;
        }
      else
        g_string_append_printf (uncommented, "%s\n", line);
    }
  ck_assert_uint_eq (keys, 22);   /* every key of servent.conf(5) */
  conf = write_file ("example.conf", uncommented->str);
  args[1] = conf;
  parse_ok (&c, env, args);
  ck_assert_uint_eq (c.warnings->len, 0);
  assert_addr (&g_array_index (c.listen, SvHostAddr, 0), "0.0.0.0:6346");
  assert_addr (&g_array_index (c.listen, SvHostAddr, 1), "[::]:6346");
  ck_assert_uint_eq (c.peers->len, 0);
  ck_assert_int_eq (c.servent.role_mode, SV_CONN_ROLE_MODE_AUTO);
  ck_assert (!c.servent.lan);
  ck_assert (c.servent.deflate);
  ck_assert_uint_eq (c.servent.leaf_min_ultrapeers, 3);
  ck_assert_uint_eq (c.servent.leaf_max_ultrapeers, 4);
  ck_assert_uint_eq (c.servent.up_min_ultrapeers, 32);
  ck_assert_uint_eq (c.servent.up_max_leaves, 300);
  ck_assert_uint_eq (c.servent.accept_per_ip, 5);
  ck_assert_int_eq (c.servent.handshake_timeout_us, 10 * G_USEC_PER_SEC);
  ck_assert_int_eq (c.servent.idle_ping_us, 60 * G_USEC_PER_SEC);
  ck_assert_int_eq (c.servent.promote_after_us, 20 * G_USEC_PER_SEC);
  ck_assert_int_eq (c.servent.demote_after_us, 900 * G_USEC_PER_SEC);
  ck_assert_uint_ge (g_strv_length (c.bootstrap), 4);
  ck_assert_uint_eq (g_strv_length (c.shares), 2);
  ck_assert_str_eq (c.shares[0], music);
  ck_assert_str_eq (c.shares[1], books);
  ck_assert (c.servent.watch);
  ck_assert_uint_eq (c.servent.debounce_ms, 1000);
  ck_assert_uint_eq (c.servent.rescan_interval_s, 0);
  ck_assert_str_eq (c.user_agent, ua);
  sv_daemon_config_clear (&c);
}
END_TEST

/* Every key and flag of the settings table is documented: keys in servent.conf(5), flags in
 * serventd(8). */
START_TEST (test_settings_documented)
{
  g_autoptr (GPtrArray) names = sv_daemon_config_setting_names ();
  g_autofree char *conf5 = NULL;
  g_autofree char *serventd8 = NULL;

  ck_assert (g_file_get_contents (SV_SOURCE_DATADIR "/../man/servent.conf.5.scd", &conf5, NULL,
                                  NULL));
  ck_assert (g_file_get_contents (SV_SOURCE_DATADIR "/../man/serventd.8.scd", &serventd8, NULL,
                                  NULL));
  ck_assert_uint_gt (names->len, 20);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *want = NULL;

      if (name[0] == '-')
        {
          want = g_strdup_printf ("*%s*", name);
          ck_assert_msg (strstr (serventd8, want) != NULL, "serventd(8) does not describe %s", name);
        }
      else
        {
          want = g_strdup_printf ("\n*%s*=", strchr (name, ' ') + 1);
          ck_assert_msg (strstr (conf5, want) != NULL, "servent.conf(5) does not describe %s",
                         name);
        }
    }
}
END_TEST

static Suite *
config_suite (void)
{
  Suite *s = suite_create ("daemon-config");
  TCase *tc = tcase_create ("config");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_defaults_from_xdg);
  tcase_add_test (tc, test_bootstrap_key_and_flag);
  tcase_add_test (tc, test_defaults_from_home);
  tcase_add_test (tc, test_xdg_relative_ignored);
  tcase_add_test (tc, test_systemd_dirs);
  tcase_add_test (tc, test_runtime_order);
  tcase_add_test (tc, test_file_values);
  tcase_add_test (tc, test_flags_override_file);
  tcase_add_test (tc, test_repeatable_flags);
  tcase_add_test (tc, test_version_flag);
  tcase_add_loop_test (tc, test_bad_file_value, 0, G_N_ELEMENTS (bad_files));
  tcase_add_test (tc, test_user_agent_too_long);
  tcase_add_test (tc, test_bad_file_syntax);
  tcase_add_loop_test (tc, test_bad_flags, 0, G_N_ELEMENTS (bad_flags));
  tcase_add_test (tc, test_unknown_keys_warned);
  tcase_add_test (tc, test_log_level_names);
  tcase_add_test (tc, test_example_config);
  tcase_add_test (tc, test_settings_documented);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (config_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
