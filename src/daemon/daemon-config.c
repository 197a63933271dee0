/* daemon-config.c: serventd's command line and servent.conf, merged and validated. */
#include "config.h"

#include "daemon-config.h"

#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap-list.h"
#include "control-server.h"

G_DEFINE_QUARK (sv-daemon-config-error-quark, sv_daemon_config_error)

#define MAX_LISTEN 16
#define MAX_PEERS 256
#define MAX_SHARES 256
#define MAX_USER_AGENT_BYTES 128

/* Every key servent.conf(5) knows, by group; others are warned about. */
static const char *const network_keys[] = {
  "listen", "peers", "role", "lan", "deflate", "leaf-ultrapeers", "ultrapeers",
  "min-ultrapeers", "leaves", "udp-host-caches",
  "accept-per-ip", "handshake-timeout", "idle-ping", "hostile-file", "promote-after",
  "demote-after", "bootstrap", NULL,
};
static const char *const shares_keys[] = { "folders", "watch", "debounce-ms", "rescan-interval", NULL };
static const char *const identity_keys[] = { "user-agent", NULL };

static const struct {
  const char *group;
  const char *const *keys;
} known_groups[] = {
  { "network", network_keys },
  { "shares", shares_keys },
  { "identity", identity_keys },
};

/* Ranges of the numeric keys: [min, max] and an example. */
typedef struct {
  const char *key;
  guint64 min, max, example;
} NumRange;

static const NumRange range_leaf_ultrapeers = { "leaf-ultrapeers", 1, 16, 3 };
static const NumRange range_ultrapeers = { "ultrapeers", 1, 256, 32 };
static const NumRange range_min_ultrapeers = { "min-ultrapeers", 1, 256, 32 };
static const NumRange range_leaves = { "leaves", 1, 10000, 300 };
static const NumRange range_accept_per_ip = { "accept-per-ip", 1, 1000, 2 };
static const NumRange range_handshake_timeout = { "handshake-timeout", 1, 600, 20 };
static const NumRange range_idle_ping = { "idle-ping", 5, 3600, 60 };
static const NumRange range_promote_after = { "promote-after", 1, 86400, 20 };
static const NumRange range_demote_after = { "demote-after", 1, 7 * 86400, 900 };
static const NumRange range_debounce_ms = { "debounce-ms", 1, 600000, 1000 };
static const NumRange range_rescan_interval = { "rescan-interval", 0, 30 * 86400, 0 };

static const struct {
  const char *name;
  GLogLevelFlags level;
} log_levels[] = {
  { "error", G_LOG_LEVEL_CRITICAL },
  { "warning", G_LOG_LEVEL_WARNING },
  { "message", G_LOG_LEVEL_MESSAGE },
  { "info", G_LOG_LEVEL_INFO },
  { "debug", G_LOG_LEVEL_DEBUG },
};

/* --- environment and directories --- */

static const char *
env_get (char **envp, const char *name)
{
  const char *v = envp ? g_environ_getenv (envp, name) : NULL;

  return (v != NULL && *v != '\0') ? v : NULL;
}

static const char *
home_dir (char **envp)
{
  const char *home = env_get (envp, "HOME");

  return home ? home : g_get_home_dir ();
}

/* XDG base directories must be absolute; a relative one is ignored. */
static const char *
env_get_abs (char **envp, const char *name)
{
  const char *v = env_get (envp, name);

  return (v != NULL && g_path_is_absolute (v)) ? v : NULL;
}

/* systemd's $STATE_DIRECTORY / $RUNTIME_DIRECTORY may list several paths separated by ':'. */
static char *
env_first_path (char **envp, const char *name)
{
  const char *v = env_get_abs (envp, name);
  const char *colon;

  if (v == NULL)
    return NULL;
  colon = strchr (v, ':');
  return colon ? g_strndup (v, colon - v) : g_strdup (v);
}

static char *
default_state_dir (char **envp)
{
  char *dir = env_first_path (envp, "STATE_DIRECTORY");
  const char *xdg;

  if (dir != NULL)
    return dir;
  if ((xdg = env_get_abs (envp, "XDG_STATE_HOME")) != NULL)
    return g_build_filename (xdg, "servent", NULL);
  return g_build_filename (home_dir (envp), ".local", "state", "servent", NULL);
}

static char *
default_config_file (char **envp)
{
  const char *xdg = env_get_abs (envp, "XDG_CONFIG_HOME");

  if (xdg != NULL)
    return g_build_filename (xdg, "servent", "servent.conf", NULL);
  return g_build_filename (home_dir (envp), ".config", "servent", "servent.conf", NULL);
}

/* @name in the installed data directory, or the source tree's when the program runs from a build
 * directory; NULL if neither exists. */
static const char *
data_file (const char *installed, const char *source)
{
  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return installed;
  if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return source;
  return NULL;
}

const char *
sv_daemon_config_default_hostile_file (void)
{
  return data_file (SV_DATADIR G_DIR_SEPARATOR_S "hostiles.txt",
                    SV_SOURCE_DATADIR G_DIR_SEPARATOR_S "hostiles.txt");
}

const char *
sv_daemon_config_default_bootstrap_file (void)
{
  return data_file (SV_DATADIR G_DIR_SEPARATOR_S "bootstrap.txt",
                    SV_SOURCE_DATADIR G_DIR_SEPARATOR_S "bootstrap.txt");
}

/* The shipped bootstrap list's entries (none when it is not installed). */
static char **
default_bootstrap (void)
{
  const char *path = sv_daemon_config_default_bootstrap_file ();
  g_autofree char *text = NULL;
  gsize len = 0;

  if (path == NULL || !g_file_get_contents (path, &text, &len, NULL))
    return g_new0 (char *, 1);
  return sv_bootstrap_list_parse (text, len, NULL);
}

static gboolean
ipv6_available (void)
{
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, NULL);

  return sock != NULL;
}

/* --- init / clear --- */

static void
set_control_socket (SvDaemonConfig *config)
{
  g_free (config->control_socket);
  config->control_socket = sv_control_socket_path (config->runtime_dir);
}

static void
finish (SvDaemonConfig *config)
{
  SvServentConfig *s = &config->servent;

  s->state_dir = config->state_dir;
  s->listen = (const SvHostAddr *) (const void *) config->listen->data;
  s->n_listen = config->listen->len;
  s->peers = config->peers->len ? (const SvHostAddr *) (const void *) config->peers->data : NULL;
  s->n_peers = config->peers->len;
  s->udp_host_caches = config->udp_host_caches->len
                       ? (const SvHostAddr *) (const void *) config->udp_host_caches->data : NULL;
  s->n_udp_host_caches = config->udp_host_caches->len;
  s->hostile_file = config->hostile_file;
  s->shares = (const char *const *) config->shares;
  s->bootstrap = (const char *const *) config->bootstrap;
  s->user_agent = config->user_agent;
}

void
sv_daemon_config_init (SvDaemonConfig *config, char **envp)
{
  SvHostAddr addr;
  static const guint8 any4[4] = { 0 };
  static const guint8 any6[16] = { 0 };

  /* The defaults of sv_servent_config_init(), written out so that the settings (and their tests)
   * do not pull in the whole servent: zero means "the servent's default". */
  memset (config, 0, sizeof *config);
  config->servent.role_mode = SV_CONN_ROLE_MODE_AUTO;
  config->servent.lan = FALSE;
  config->servent.deflate = TRUE;
  config->servent.watch = TRUE;
  config->state_dir = default_state_dir (envp);
  config->runtime_dir = sv_control_default_runtime_dir (envp);
  set_control_socket (config);
  config->log_level = G_LOG_LEVEL_MESSAGE;
  config->warnings = g_ptr_array_new_with_free_func (g_free);
  config->listen = g_array_new (FALSE, TRUE, sizeof (SvHostAddr));
  config->peers = g_array_new (FALSE, TRUE, sizeof (SvHostAddr));
  config->udp_host_caches = g_array_new (FALSE, TRUE, sizeof (SvHostAddr));
  config->shares = g_new0 (char *, 1);
  config->bootstrap = default_bootstrap ();
  config->hostile_file = g_strdup (sv_daemon_config_default_hostile_file ());

  sv_host_addr_set_ipv4 (&addr, any4, SV_HOST_ADDR_DEFAULT_PORT);
  g_array_append_val (config->listen, addr);
  if (ipv6_available ())
    {
      memset (&addr, 0, sizeof addr);
      addr.family = SV_HOST_ADDR_IPV6;
      memcpy (addr.ip, any6, sizeof any6);
      addr.port = SV_HOST_ADDR_DEFAULT_PORT;
      g_array_append_val (config->listen, addr);
    }
  finish (config);
}

void
sv_daemon_config_clear (SvDaemonConfig *config)
{
  g_clear_pointer (&config->config_file, g_free);
  g_clear_pointer (&config->state_dir, g_free);
  g_clear_pointer (&config->runtime_dir, g_free);
  g_clear_pointer (&config->control_socket, g_free);
  g_clear_pointer (&config->warnings, g_ptr_array_unref);
  g_clear_pointer (&config->listen, g_array_unref);
  g_clear_pointer (&config->peers, g_array_unref);
  g_clear_pointer (&config->udp_host_caches, g_array_unref);
  g_clear_pointer (&config->shares, g_strfreev);
  g_clear_pointer (&config->bootstrap, g_strfreev);
  g_clear_pointer (&config->hostile_file, g_free);
  g_clear_pointer (&config->user_agent, g_free);
  memset (&config->servent, 0, sizeof config->servent);
}

const char *
sv_daemon_config_log_level_name (GLogLevelFlags level)
{
  for (gsize i = 0; i < G_N_ELEMENTS (log_levels); i++)
    if (log_levels[i].level == level)
      return log_levels[i].name;
  return "message";
}

/* --- value parsers; @where is "--flag" or "FILE: [group] key" --- */

static gboolean
value_error (GError **error, const char *where, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
value_error (GError **error, const char *where, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_VALUE, "%s: %s", where, msg);
  return FALSE;
}

/* Replaces control characters so that a bad value cannot break the one-line error. */
static char *
printable (const char *text)
{
  char *out = g_utf8_make_valid (text, -1);

  for (char *p = out; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return out;
}

static gboolean
parse_uint (const char *where, const char *text, const NumRange *range, guint64 *out, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *shown = printable (text);

  if (!g_ascii_string_to_unsigned (trimmed, 10, range->min, range->max, out, NULL))
    return value_error (error, where, "'%s' is not a whole number from %" G_GUINT64_FORMAT
                        " to %" G_GUINT64_FORMAT "; write e.g. %" G_GUINT64_FORMAT,
                        shown, range->min, range->max, range->example);
  return TRUE;
}

static gboolean
parse_bool (const char *where, const char *text, gboolean *out, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *shown = printable (text);

  if (strcmp (trimmed, "true") == 0 || strcmp (trimmed, "1") == 0)
    *out = TRUE;
  else if (strcmp (trimmed, "false") == 0 || strcmp (trimmed, "0") == 0)
    *out = FALSE;
  else
    return value_error (error, where, "'%s' is not true or false; write e.g. true", shown);
  return TRUE;
}

static gboolean
parse_role (const char *where, const char *text, SvConnRoleMode *out, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *shown = printable (text);

  if (strcmp (trimmed, "auto") == 0)
    *out = SV_CONN_ROLE_MODE_AUTO;
  else if (strcmp (trimmed, "leaf") == 0)
    *out = SV_CONN_ROLE_MODE_LEAF;
  else if (strcmp (trimmed, "ultrapeer") == 0)
    *out = SV_CONN_ROLE_MODE_ULTRAPEER;
  else
    return value_error (error, where, "'%s' is not auto, leaf or ultrapeer; write e.g. auto", shown);
  return TRUE;
}

static gboolean
parse_log_level (const char *where, const char *text, GLogLevelFlags *out, GError **error)
{
  g_autofree char *shown = printable (text);

  for (gsize i = 0; i < G_N_ELEMENTS (log_levels); i++)
    if (g_ascii_strcasecmp (text, log_levels[i].name) == 0)
      {
        *out = log_levels[i].level;
        return TRUE;
      }
  return value_error (error, where, "'%s' is not error, warning, message, info or debug;"
                      " write e.g. info", shown);
}

/* Parses "ADDR:PORT" items into @out (replacing it). Listening addresses may have port 0 (any
 * free port); peers need a real one. */
static gboolean
parse_addrs (const char *where, const char *const *items, gboolean listen, GArray *out,
             GError **error)
{
  g_array_set_size (out, 0);
  for (gsize i = 0; items != NULL && items[i] != NULL; i++)
    {
      SvHostAddr addr;
      const char *item = items[i];
      g_autofree char *shown = printable (item);

      if (*item == '\0')
        continue;
      if (sv_host_addr_parse_full (item, strlen (item), SV_HOST_ADDR_DEFAULT_PORT,
                                   listen ? SV_HOST_ADDR_PARSE_PORT_ZERO : SV_HOST_ADDR_PARSE_STRICT,
                                   &addr) != SV_STATUS_OK)
        {
          if (listen)
            return value_error (error, where, "'%s' is not ADDR:PORT; write e.g. 0.0.0.0:6346"
                                " or [::]:6346", shown);
          return value_error (error, where, "'%s' is not IP:PORT (host names are not looked up);"
                              " write e.g. 192.0.2.7:6346 or [2001:db8::7]:6346", shown);
        }
      if (out->len >= (listen ? MAX_LISTEN : MAX_PEERS))
        return value_error (error, where, "more than %u addresses; keep the first %u",
                            listen ? MAX_LISTEN : MAX_PEERS, listen ? MAX_LISTEN : MAX_PEERS);
      g_array_append_val (out, addr);
    }
  if (listen && out->len == 0)
    return value_error (error, where, "no address to listen on; write e.g. 0.0.0.0:6346");
  return TRUE;
}

/* Bootstrap entries (uhc:HOST:PORT or a GWebCache URL) into @out (replacing it); "key=" is none. */
static gboolean
parse_bootstrap (const char *where, const char *const *items, char ***out, GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; items != NULL && items[i] != NULL; i++)
    {
      SvBootstrapEntry e;
      g_autofree char *shown = printable (items[i]);

      if (*items[i] == '\0')
        continue;
      if (sv_bootstrap_entry_parse (items[i], &e) != SV_STATUS_OK)
        return value_error (error, where, "'%s' is neither uhc:HOST:PORT nor an http(s) URL;"
                            " write e.g. uhc:uhc.example.org:9999 or"
                            " http://gwc.example.org/gwc.php", shown);
      sv_bootstrap_entry_clear (&e);
      if (list->len >= SV_BOOTSTRAP_MAX_ENTRIES)
        return value_error (error, where, "more than %u entries; keep the first %u",
                            SV_BOOTSTRAP_MAX_ENTRIES, SV_BOOTSTRAP_MAX_ENTRIES);
      g_ptr_array_add (list, g_strstrip (g_strdup (items[i])));
    }
  g_ptr_array_add (list, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
  return TRUE;
}

/* Expands a leading "~/" and makes @path absolute against @base (NULL: the working directory). */
static char *
resolve_path (const char *path, const char *base, char **envp)
{
  if (g_str_equal (path, "~") || g_str_has_prefix (path, "~/"))
    return g_build_filename (home_dir (envp), path + 1, NULL);
  return g_canonicalize_filename (path, base);
}

static gboolean
parse_folders (const char *where, const char *const *items, const char *base, char **envp,
               char ***out, GError **error)
{
  g_autoptr (GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; items != NULL && items[i] != NULL; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (items[i]));

      if (*trimmed == '\0')
        continue;
      if (folders->len >= MAX_SHARES)
        return value_error (error, where, "more than %u folders; share a common parent instead",
                            MAX_SHARES);
      g_ptr_array_add (folders, resolve_path (trimmed, base, envp));
    }
  g_ptr_array_add (folders, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&folders), FALSE);
  return TRUE;
}

static gboolean
parse_hostile_file (const char *where, const char *text, const char *base, char **envp,
                    char **out, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *path = NULL;
  g_autofree char *shown = printable (text);

  if (*trimmed == '\0')
    return value_error (error, where, "empty path; write the path of a hostile-address list"
                        " or remove the key");
  path = resolve_path (trimmed, base, envp);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return value_error (error, where, "'%s': no such file; fix the path or remove the key", shown);
  g_free (*out);
  *out = g_steal_pointer (&path);
  return TRUE;
}

static gboolean
parse_user_agent (const char *where, const char *text, char **out, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  if (*trimmed == '\0' || strlen (trimmed) > MAX_USER_AGENT_BYTES)
    return value_error (error, where, "must be 1 to %u characters; write e.g. servent/%s",
                        MAX_USER_AGENT_BYTES, PACKAGE_VERSION);
  for (const char *p = trimmed; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
      return value_error (error, where, "only printable ASCII is sent in a header; write e.g."
                          " servent/%s", PACKAGE_VERSION);
  g_free (*out);
  *out = g_steal_pointer (&trimmed);
  return TRUE;
}

/* --- the config file --- */

typedef struct {
  GKeyFile *kf;
  const char *path;
  char *dir;             /* relative paths in the file are relative to it */
  char **envp;
} FileCtx;

static char *
file_where (const FileCtx *ctx, const char *group, const char *key)
{
  return g_strdup_printf ("%s: [%s] %s", ctx->path, group, key);
}

/* The raw value of @group/@key, or NULL if absent. Fails only on malformed text. */
static gboolean
file_string (const FileCtx *ctx, const char *group, const char *key, char **out, GError **error)
{
  g_autoptr (GError) local = NULL;

  *out = NULL;
  if (!g_key_file_has_key (ctx->kf, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_string (ctx->kf, group, key, &local);
  if (*out == NULL)
    {
      g_autofree char *where = file_where (ctx, group, key);

      return value_error (error, where, "%s; see servent.conf(5)", local->message);
    }
  return TRUE;
}

static gboolean
file_list (const FileCtx *ctx, const char *group, const char *key, char ***out, GError **error)
{
  g_autoptr (GError) local = NULL;
  gsize n = 0;

  *out = NULL;
  if (!g_key_file_has_key (ctx->kf, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_string_list (ctx->kf, group, key, &n, &local);
  if (*out == NULL && local != NULL && !g_error_matches (local, G_KEY_FILE_ERROR,
                                                         G_KEY_FILE_ERROR_INVALID_VALUE))
    {
      g_autofree char *where = file_where (ctx, group, key);

      return value_error (error, where, "%s; see servent.conf(5)", local->message);
    }
  if (*out == NULL)
    *out = g_new0 (char *, 1);   /* "key=" is an empty list */
  for (gsize i = 0; (*out)[i] != NULL; i++)
    g_strstrip ((*out)[i]);
  return TRUE;
}

static gboolean
file_uint (const FileCtx *ctx, const char *group, const NumRange *range, guint64 *out,
           gboolean *present, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *where = file_where (ctx, group, range->key);

  *present = FALSE;
  if (!file_string (ctx, group, range->key, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  *present = TRUE;
  return parse_uint (where, text, range, out, error);
}

static gboolean
file_bool (const FileCtx *ctx, const char *group, const char *key, gboolean *out, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *where = file_where (ctx, group, key);

  if (!file_string (ctx, group, key, &text, error))
    return FALSE;
  return text == NULL || parse_bool (where, text, out, error);
}

static void
warn_unknown (SvDaemonConfig *config, const FileCtx *ctx)
{
  g_auto (GStrv) groups = g_key_file_get_groups (ctx->kf, NULL);

  for (gsize g = 0; groups[g] != NULL; g++)
    {
      const char *const *known = NULL;
      g_auto (GStrv) keys = NULL;

      for (gsize i = 0; i < G_N_ELEMENTS (known_groups); i++)
        if (strcmp (groups[g], known_groups[i].group) == 0)
          known = known_groups[i].keys;
      if (known == NULL)
        {
          g_ptr_array_add (config->warnings,
                           g_strdup_printf ("%s: [%s]: unknown group, ignored (see servent.conf(5))",
                                            ctx->path, groups[g]));
          continue;
        }
      keys = g_key_file_get_keys (ctx->kf, groups[g], NULL, NULL);
      for (gsize k = 0; keys != NULL && keys[k] != NULL; k++)
        if (!g_strv_contains (known, keys[k]))
          g_ptr_array_add (config->warnings,
                           g_strdup_printf ("%s: [%s] %s: unknown key, ignored (see servent.conf(5))",
                                            ctx->path, groups[g], keys[k]));
    }
}

static gboolean
apply_file (SvDaemonConfig *config, const FileCtx *ctx, GError **error)
{
  SvServentConfig *s = &config->servent;
  g_auto (GStrv) list = NULL;
  g_autofree char *text = NULL;
  g_autofree char *where = NULL;
  guint64 n;
  gboolean present;

  warn_unknown (config, ctx);

  /* [network] */
  if (!file_list (ctx, "network", "listen", &list, error))
    return FALSE;
  where = file_where (ctx, "network", "listen");
  if (list != NULL && !parse_addrs (where, (const char *const *) list, TRUE, config->listen, error))
    return FALSE;
  g_clear_pointer (&list, g_strfreev);
  g_clear_pointer (&where, g_free);

  if (!file_list (ctx, "network", "peers", &list, error))
    return FALSE;
  where = file_where (ctx, "network", "peers");
  if (list != NULL && !parse_addrs (where, (const char *const *) list, FALSE, config->peers, error))
    return FALSE;
  g_clear_pointer (&list, g_strfreev);
  g_clear_pointer (&where, g_free);

  if (!file_list (ctx, "network", "udp-host-caches", &list, error))
    return FALSE;
  where = file_where (ctx, "network", "udp-host-caches");
  if (list != NULL
      && !parse_addrs (where, (const char *const *) list, FALSE, config->udp_host_caches, error))
    return FALSE;
  g_clear_pointer (&list, g_strfreev);
  g_clear_pointer (&where, g_free);

  if (!file_list (ctx, "network", "bootstrap", &list, error))
    return FALSE;
  where = file_where (ctx, "network", "bootstrap");
  if (list != NULL && !parse_bootstrap (where, (const char *const *) list, &config->bootstrap, error))
    return FALSE;
  g_clear_pointer (&list, g_strfreev);
  g_clear_pointer (&where, g_free);

  if (!file_string (ctx, "network", "role", &text, error))
    return FALSE;
  where = file_where (ctx, "network", "role");
  if (text != NULL && !parse_role (where, text, &s->role_mode, error))
    return FALSE;
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&where, g_free);

  if (!file_bool (ctx, "network", "lan", &s->lan, error)
      || !file_bool (ctx, "network", "deflate", &s->deflate, error))
    return FALSE;

  if (!file_uint (ctx, "network", &range_leaf_ultrapeers, &n, &present, error))
    return FALSE;
  if (present)
    {
      s->leaf_min_ultrapeers = (guint) n;
      s->leaf_max_ultrapeers = (guint) n + 1;
    }
  if (!file_uint (ctx, "network", &range_ultrapeers, &n, &present, error))
    return FALSE;
  if (present)
    s->up_min_ultrapeers = s->up_max_ultrapeers = (guint) n;
  /* Ultrapeer links dialled for (the rest are only accepted), at most `ultrapeers`. */
  if (!file_uint (ctx, "network", &range_min_ultrapeers, &n, &present, error))
    return FALSE;
  if (present)
    s->up_min_ultrapeers = s->up_max_ultrapeers ? MIN ((guint) n, s->up_max_ultrapeers) : (guint) n;
  if (!file_uint (ctx, "network", &range_leaves, &n, &present, error))
    return FALSE;
  if (present)
    s->up_max_leaves = (guint) n;
  if (!file_uint (ctx, "network", &range_accept_per_ip, &n, &present, error))
    return FALSE;
  if (present)
    s->accept_per_ip = (guint) n;
  if (!file_uint (ctx, "network", &range_handshake_timeout, &n, &present, error))
    return FALSE;
  if (present)
    s->handshake_timeout_us = (gint64) n * G_USEC_PER_SEC;
  if (!file_uint (ctx, "network", &range_idle_ping, &n, &present, error))
    return FALSE;
  if (present)
    s->idle_ping_us = (gint64) n * G_USEC_PER_SEC;
  if (!file_uint (ctx, "network", &range_promote_after, &n, &present, error))
    return FALSE;
  if (present)
    s->promote_after_us = (gint64) n * G_USEC_PER_SEC;
  if (!file_uint (ctx, "network", &range_demote_after, &n, &present, error))
    return FALSE;
  if (present)
    s->demote_after_us = (gint64) n * G_USEC_PER_SEC;

  if (!file_string (ctx, "network", "hostile-file", &text, error))
    return FALSE;
  where = file_where (ctx, "network", "hostile-file");
  if (text != NULL
      && !parse_hostile_file (where, text, ctx->dir, ctx->envp, &config->hostile_file, error))
    return FALSE;
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&where, g_free);

  /* [shares] */
  if (!file_list (ctx, "shares", "folders", &list, error))
    return FALSE;
  where = file_where (ctx, "shares", "folders");
  if (list != NULL && !parse_folders (where, (const char *const *) list, ctx->dir, ctx->envp,
                                      &config->shares, error))
    return FALSE;
  g_clear_pointer (&where, g_free);

  if (!file_bool (ctx, "shares", "watch", &s->watch, error))
    return FALSE;
  if (!file_uint (ctx, "shares", &range_debounce_ms, &n, &present, error))
    return FALSE;
  if (present)
    s->debounce_ms = (guint) n;
  if (!file_uint (ctx, "shares", &range_rescan_interval, &n, &present, error))
    return FALSE;
  if (present)
    s->rescan_interval_s = (guint) n;

  /* [identity] */
  if (!file_string (ctx, "identity", "user-agent", &text, error))
    return FALSE;
  where = file_where (ctx, "identity", "user-agent");
  if (text != NULL && !parse_user_agent (where, text, &config->user_agent, error))
    return FALSE;
  return TRUE;
}

static gboolean
load_file (SvDaemonConfig *config, const char *path, char **envp, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  FileCtx ctx = { 0 };
  gboolean ok;

  if (!g_key_file_load_from_file (kf, abs, G_KEY_FILE_NONE, &local))
    {
      g_autofree char *msg = printable (local->message);

      g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_FILE,
                   "%s: %s; fix the file (see servent.conf(5))", path, msg);
      return FALSE;
    }
  ctx.kf = kf;
  ctx.path = path;
  ctx.dir = g_path_get_dirname (abs);
  ctx.envp = envp;
  ok = apply_file (config, &ctx, error);
  g_free (ctx.dir);
  return ok;
}

/* --- the command line --- */

typedef struct {
  char *config;
  char *state_dir;
  char *runtime_dir;
  char **listen;
  char **shares;
  char **peers;
  gboolean ultrapeer;
  gboolean leaf;
  gboolean lan;
  gboolean foreground;
  char *log_level;
  gboolean no_deflate;
  gboolean no_bootstrap;
  gboolean version;
} Flags;

static void
flags_clear (Flags *f)
{
  g_free (f->config);
  g_free (f->state_dir);
  g_free (f->runtime_dir);
  g_strfreev (f->listen);
  g_strfreev (f->shares);
  g_strfreev (f->peers);
  g_free (f->log_level);
}

static gboolean
parse_flags (Flags *f, char ***argv, GError **error)
{
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &f->config,
      "Read settings from FILE (default: $XDG_CONFIG_HOME/servent/servent.conf)", "FILE" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &f->state_dir,
      "Keep the host cache, share index and GUID in DIR", "DIR" },
    { "runtime-dir", 0, 0, G_OPTION_ARG_FILENAME, &f->runtime_dir,
      "Put the control socket in DIR", "DIR" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &f->listen,
      "Accept peers on ADDR:PORT (repeatable; default 0.0.0.0:6346 and [::]:6346)", "ADDR:PORT" },
    { "share", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &f->shares,
      "Share the files under DIR (repeatable)", "DIR" },
    { "peer", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &f->peers,
      "Connect to the servent at IP:PORT (repeatable)", "IP:PORT" },
    { "ultrapeer", 0, 0, G_OPTION_ARG_NONE, &f->ultrapeer, "Run as an ultrapeer", NULL },
    { "leaf", 0, 0, G_OPTION_ARG_NONE, &f->leaf, "Run as a leaf", NULL },
    { "lan", 0, 0, G_OPTION_ARG_NONE, &f->lan,
      "Allow loopback and private addresses (tests on one machine or a LAN)", NULL },
    { "foreground", 'f', 0, G_OPTION_ARG_NONE, &f->foreground,
      "Stay in the foreground (always the case; accepted for compatibility)", NULL },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &f->log_level,
      "Show messages up to LEVEL: error, warning, message, info or debug (default message)",
      "LEVEL" },
    { "no-deflate", 0, 0, G_OPTION_ARG_NONE, &f->no_deflate, "Do not compress links", NULL },
    { "no-bootstrap", 0, 0, G_OPTION_ARG_NONE, &f->no_bootstrap,
      "Ask no UDP host cache or GWebCache for hosts (this run only)", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &f->version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- Gnutella servent daemon");
  g_autoptr (GError) local = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx, "Runs a Gnutella 0.6 servent; 'servent' talks to it.");
  g_option_context_set_description (ctx, "See serventd(8) and servent.conf(5).");
  if (!g_option_context_parse_strv (ctx, argv, &local))
    {
      g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_USAGE,
                   "%s; run 'serventd --help' for the options", local->message);
      return FALSE;
    }
  if (*argv != NULL && (*argv)[0] != NULL && (*argv)[1] != NULL)
    {
      g_autofree char *shown = printable ((*argv)[1]);

      g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_USAGE,
                   "unexpected argument '%s'; serventd takes options only (see --help)", shown);
      return FALSE;
    }
  if (f->ultrapeer && f->leaf)
    {
      g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_USAGE,
                   "--ultrapeer and --leaf exclude each other; pass one or neither");
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_flags (SvDaemonConfig *config, const Flags *f, char **envp, GError **error)
{
  SvServentConfig *s = &config->servent;

  if (f->state_dir != NULL)
    {
      if (*f->state_dir == '\0')
        return value_error (error, "--state-dir", "empty path; write a directory");
      g_free (config->state_dir);
      config->state_dir = g_canonicalize_filename (f->state_dir, NULL);
    }
  if (f->runtime_dir != NULL)
    {
      if (*f->runtime_dir == '\0')
        return value_error (error, "--runtime-dir", "empty path; write a directory");
      g_free (config->runtime_dir);
      config->runtime_dir = g_canonicalize_filename (f->runtime_dir, NULL);
    }
  set_control_socket (config);
  if (f->listen != NULL && !parse_addrs ("--listen", (const char *const *) f->listen, TRUE,
                                         config->listen, error))
    return FALSE;
  if (f->peers != NULL && !parse_addrs ("--peer", (const char *const *) f->peers, FALSE,
                                        config->peers, error))
    return FALSE;
  if (f->shares != NULL && !parse_folders ("--share", (const char *const *) f->shares, NULL, envp,
                                           &config->shares, error))
    return FALSE;
  if (f->ultrapeer)
    s->role_mode = SV_CONN_ROLE_MODE_ULTRAPEER;
  if (f->leaf)
    s->role_mode = SV_CONN_ROLE_MODE_LEAF;
  if (f->lan)
    s->lan = TRUE;
  if (f->no_deflate)
    s->deflate = FALSE;
  if (f->no_bootstrap)
    {
      g_strfreev (config->bootstrap);
      config->bootstrap = g_new0 (char *, 1);
    }
  if (f->log_level != NULL && !parse_log_level ("--log-level", f->log_level, &config->log_level,
                                                error))
    return FALSE;
  config->show_version = f->version;
  return TRUE;
}

/* Checks that need every source merged: a seed must be usable in the final LAN mode. */
static gboolean
check_merged (SvDaemonConfig *config, const Flags *f, GError **error)
{
  for (guint i = 0; i < config->peers->len; i++)
    {
      const SvHostAddr *addr = &g_array_index (config->peers, SvHostAddr, i);

      if (!sv_host_addr_is_connectable (addr, config->servent.lan))
        {
          char text[SV_HOST_ADDR_STRLEN];
          g_autofree char *where = f->peers != NULL
                                     ? g_strdup ("--peer")
                                     : g_strdup_printf ("%s: [network] peers", config->config_file);
          SvHostClass klass = sv_host_addr_classify (addr);

          sv_host_addr_format (addr, TRUE, text);
          if (sv_host_addr_is_connectable (addr, TRUE))
            return value_error (error, where, "'%s' is a %s address; pass --lan (or lan=true) to"
                                " use it", text, sv_host_class_name (klass));
          return value_error (error, where, "'%s' is a %s address, never connectable; write a"
                              " servent's address", text, sv_host_class_name (klass));
        }
    }
  return TRUE;
}

gboolean
sv_daemon_config_parse (SvDaemonConfig *config, char ***argv, char **envp, GError **error)
{
  Flags f = { 0 };
  gboolean ok = FALSE;

  if (!parse_flags (&f, argv, error))
    goto out;
  if (f.config != NULL)
    {
      if (!g_file_test (f.config, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *shown = printable (f.config);

          g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_USAGE,
                       "--config %s: no such file; pass an existing file or leave --config out",
                       shown);
          goto out;
        }
      config->config_file = g_strdup (f.config);
    }
  else
    {
      g_autofree char *path = default_config_file (envp);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        config->config_file = g_steal_pointer (&path);
    }
  if (config->config_file != NULL && !load_file (config, config->config_file, envp, error))
    goto out;
  if (!apply_flags (config, &f, envp, error) || !check_merged (config, &f, error))
    goto out;
  finish (config);
  ok = TRUE;

out:
  flags_clear (&f);
  return ok;
}
