/* daemon-config.c: serventd's command line and servent.conf, merged and validated. */
#include "config.h"

#include "daemon-config.h"

#include <gio/gio.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap-list.h"
#include "control-protocol.h"

G_DEFINE_QUARK (sv-daemon-config-error-quark, sv_daemon_config_error)

#define MAX_LISTEN 16
#define MAX_PEERS 256
#define MAX_SHARES 256
#define MAX_USER_AGENT_BYTES 128

/* Ranges of the numeric keys: [min, max] and an example. */
typedef struct {
  guint64 min, max, example;
} NumRange;

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
default_download_dir (char **envp)
{
  const char *xdg = env_get_abs (envp, "XDG_DOWNLOAD_DIR");

  if (xdg != NULL)
    return g_strdup (xdg);
  return g_build_filename (home_dir (envp), "Downloads", NULL);
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
  config->control_socket = sv_control_protocol_socket_path (config->runtime_dir);
}

static void
finish (SvDaemonConfig *config)
{
  SvServentConfig *s = &config->servent;

  s->state_dir = config->state_dir;
  s->download_dir = config->download_dir;
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
  config->servent.relay = TRUE;
  config->servent.upnp = TRUE;
  config->servent.natpmp = TRUE;
  config->state_dir = default_state_dir (envp);
  config->download_dir = default_download_dir (envp);
  config->runtime_dir = sv_control_protocol_default_runtime_dir (envp);
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
  g_clear_pointer (&config->download_dir, g_free);
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

/* --- the settings: one table for the command line and servent.conf(5) --- */

typedef enum {
  VAL_NONE,    /* a flag without a value (--version, --foreground) */
  VAL_TEXT,
  VAL_LIST,    /* a file's ";"-separated list; a repeatable flag */
  VAL_BOOL,
  VAL_UINT,
} ValueKind;

/* One value, from the file or the command line, ready for a setting's apply(). */
typedef struct {
  const char *where;             /* "--flag" or "FILE: [group] key", for messages */
  const char *text;              /* VAL_TEXT */
  const char *const *list;       /* VAL_LIST */
  gboolean b;                    /* VAL_BOOL */
  guint64 n;                     /* VAL_UINT */
  const char *base;              /* relative paths resolve against it (NULL: the working dir) */
  char **envp;
} Value;

typedef struct Setting Setting;
struct Setting {
  const char *group;             /* servent.conf(5) group (NULL: command line only) */
  const char *key;               /* its key there (NULL: command line only) */
  const char *flag;              /* (nullable) serventd's --flag */
  char short_flag;
  const char *fixed;             /* (nullable) the flag takes no value and sets the key to this */
  ValueKind kind;
  gboolean filename;             /* the flag's value is a path (taken as bytes) */
  NumRange range;                /* VAL_UINT */
  gsize offset;                  /* store_*: the field of SvServentConfig */
  const char *arg;               /* the flag's value in --help */
  const char *help;              /* the flag's --help line */
  gboolean (*apply) (SvDaemonConfig *config, const Setting *setting, const Value *v,
                     GError **error);
};

#define SERVENT_FIELD(field) offsetof (SvServentConfig, field)

static gboolean
store_bool (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  G_STRUCT_MEMBER (gboolean, &config->servent, setting->offset) = v->b;
  return TRUE;
}

static gboolean
store_guint (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  G_STRUCT_MEMBER (guint, &config->servent, setting->offset) = (guint) v->n;
  return TRUE;
}

static gboolean
store_seconds (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  G_STRUCT_MEMBER (gint64, &config->servent, setting->offset) = (gint64) v->n * G_USEC_PER_SEC;
  return TRUE;
}

static gboolean
apply_listen (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return parse_addrs (v->where, v->list, TRUE, config->listen, error);
}

static gboolean
apply_peers (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return parse_addrs (v->where, v->list, FALSE, config->peers, error);
}

static gboolean
apply_udp_host_caches (SvDaemonConfig *config, const Setting *setting, const Value *v,
                       GError **error)
{
  return parse_addrs (v->where, v->list, FALSE, config->udp_host_caches, error);
}

static gboolean
apply_bootstrap (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return parse_bootstrap (v->where, v->list, &config->bootstrap, error);
}

static gboolean
apply_role (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return parse_role (v->where, v->text, &config->servent.role_mode, error);
}

static gboolean
apply_leaf_ultrapeers (SvDaemonConfig *config, const Setting *setting, const Value *v,
                       GError **error)
{
  config->servent.leaf_min_ultrapeers = (guint) v->n;
  config->servent.leaf_max_ultrapeers = (guint) v->n + 1;
  return TRUE;
}

static gboolean
apply_ultrapeers (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  config->servent.up_min_ultrapeers = config->servent.up_max_ultrapeers = (guint) v->n;
  return TRUE;
}

/* Ultrapeer links dialled for (the rest are only accepted), at most `ultrapeers`. */
static gboolean
apply_min_ultrapeers (SvDaemonConfig *config, const Setting *setting, const Value *v,
                      GError **error)
{
  SvServentConfig *s = &config->servent;

  s->up_min_ultrapeers = s->up_max_ultrapeers ? MIN ((guint) v->n, s->up_max_ultrapeers)
                                              : (guint) v->n;
  return TRUE;
}

static gboolean
apply_hostile_file (SvDaemonConfig *config, const Setting *setting, const Value *v,
                    GError **error)
{
  return parse_hostile_file (v->where, v->text, v->base, v->envp, &config->hostile_file, error);
}

static gboolean
apply_folders (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return parse_folders (v->where, v->list, v->base, v->envp, &config->shares, error);
}

static gboolean
apply_user_agent (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return parse_user_agent (v->where, v->text, &config->user_agent, error);
}

static gboolean
apply_dir (const Value *v, char **dir, GError **error)
{
  if (*v->text == '\0')
    return value_error (error, v->where, "empty path; write a directory");
  g_free (*dir);
  *dir = g_canonicalize_filename (v->text, NULL);
  return TRUE;
}

static gboolean
apply_state_dir (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return apply_dir (v, &config->state_dir, error);
}

static gboolean
apply_download_dir (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return apply_dir (v, &config->download_dir, error);
}

static gboolean
apply_runtime_dir (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return apply_dir (v, &config->runtime_dir, error);
}

static gboolean
apply_log_level (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  return parse_log_level (v->where, v->text, &config->log_level, error);
}

static gboolean
apply_version (SvDaemonConfig *config, const Setting *setting, const Value *v, GError **error)
{
  config->show_version = TRUE;
  return TRUE;
}

/* Every setting: a new one is one entry here (and a paragraph in servent.conf(5)). File keys
 * are applied in this order (min-ultrapeers after ultrapeers); a key may have several flags, one
 * with a value and others that set it to a fixed one. --config is read before everything else. */
static const Setting settings[] = {
  /* the command line only */
  { NULL, NULL, "config", 'c', NULL, VAL_TEXT, TRUE, { 0 }, 0, "FILE",
    "Read settings from FILE (default: $XDG_CONFIG_HOME/servent/servent.conf)", NULL },
  { NULL, NULL, "state-dir", 0, NULL, VAL_TEXT, TRUE, { 0 }, 0, "DIR",
    "Keep the host cache, share index and GUID in DIR", apply_state_dir },
  { NULL, NULL, "runtime-dir", 0, NULL, VAL_TEXT, TRUE, { 0 }, 0, "DIR",
    "Put the control socket in DIR", apply_runtime_dir },
  /* [network] */
  { "network", "listen", "listen", 'l', NULL, VAL_LIST, FALSE, { 0 }, 0, "ADDR:PORT",
    "Accept peers on ADDR:PORT (repeatable; default 0.0.0.0:6346 and [::]:6346)", apply_listen },
  { "network", "peers", "peer", 'p', NULL, VAL_LIST, FALSE, { 0 }, 0, "IP:PORT",
    "Connect to the servent at IP:PORT (repeatable)", apply_peers },
  { "network", "udp-host-caches", NULL, 0, NULL, VAL_LIST, FALSE, { 0 }, 0, NULL, NULL,
    apply_udp_host_caches },
  { "network", "bootstrap", NULL, 0, NULL, VAL_LIST, FALSE, { 0 }, 0, NULL, NULL,
    apply_bootstrap },
  { "network", "bootstrap", "no-bootstrap", 0, "", VAL_LIST, FALSE, { 0 }, 0, NULL,
    "Ask no UDP host cache or GWebCache for hosts (this run only)", apply_bootstrap },
  { "network", "role", NULL, 0, NULL, VAL_TEXT, FALSE, { 0 }, 0, NULL, NULL, apply_role },
  { "network", "role", "ultrapeer", 0, "ultrapeer", VAL_TEXT, FALSE, { 0 }, 0, NULL,
    "Run as an ultrapeer", apply_role },
  { "network", "role", "leaf", 0, "leaf", VAL_TEXT, FALSE, { 0 }, 0, NULL, "Run as a leaf",
    apply_role },
  { "network", "lan", NULL, 0, NULL, VAL_BOOL, FALSE, { 0 }, SERVENT_FIELD (lan), NULL, NULL,
    store_bool },
  { "network", "lan", "lan", 0, "true", VAL_BOOL, FALSE, { 0 }, SERVENT_FIELD (lan), NULL,
    "Allow loopback and private addresses (tests on one machine or a LAN)", store_bool },
  { "network", "deflate", NULL, 0, NULL, VAL_BOOL, FALSE, { 0 }, SERVENT_FIELD (deflate), NULL,
    NULL, store_bool },
  { "network", "deflate", "no-deflate", 0, "false", VAL_BOOL, FALSE, { 0 },
    SERVENT_FIELD (deflate), NULL, "Do not compress links", store_bool },
  { "network", "leaf-ultrapeers", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 16, 3 }, 0, NULL, NULL,
    apply_leaf_ultrapeers },
  { "network", "ultrapeers", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 256, 32 }, 0, NULL, NULL,
    apply_ultrapeers },
  { "network", "min-ultrapeers", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 256, 32 }, 0, NULL, NULL,
    apply_min_ultrapeers },
  { "network", "leaves", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 10000, 300 },
    SERVENT_FIELD (up_max_leaves), NULL, NULL, store_guint },
  { "network", "accept-per-ip", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 1000, 5 },
    SERVENT_FIELD (accept_per_ip), NULL, NULL, store_guint },
  { "network", "handshake-timeout", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 600, 10 },
    SERVENT_FIELD (handshake_timeout_us), NULL, NULL, store_seconds },
  { "network", "idle-ping", NULL, 0, NULL, VAL_UINT, FALSE, { 5, 3600, 60 },
    SERVENT_FIELD (idle_ping_us), NULL, NULL, store_seconds },
  { "network", "promote-after", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 86400, 20 },
    SERVENT_FIELD (promote_after_us), NULL, NULL, store_seconds },
  { "network", "demote-after", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 7 * 86400, 900 },
    SERVENT_FIELD (demote_after_us), NULL, NULL, store_seconds },
  { "network", "upnp", NULL, 0, NULL, VAL_BOOL, FALSE, { 0 }, SERVENT_FIELD (upnp), NULL, NULL,
    store_bool },
  { "network", "natpmp", NULL, 0, NULL, VAL_BOOL, FALSE, { 0 }, SERVENT_FIELD (natpmp), NULL,
    NULL, store_bool },
  { "network", "hostile-file", NULL, 0, NULL, VAL_TEXT, FALSE, { 0 }, 0, NULL, NULL,
    apply_hostile_file },
  /* [shares] */
  { "shares", "folders", "share", 's', NULL, VAL_LIST, TRUE, { 0 }, 0, "DIR",
    "Share the files under DIR (repeatable)", apply_folders },
  { "shares", "watch", NULL, 0, NULL, VAL_BOOL, FALSE, { 0 }, SERVENT_FIELD (watch), NULL, NULL,
    store_bool },
  { "shares", "debounce-ms", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 600000, 1000 },
    SERVENT_FIELD (debounce_ms), NULL, NULL, store_guint },
  { "shares", "rescan-interval", NULL, 0, NULL, VAL_UINT, FALSE, { 0, 30 * 86400, 0 },
    SERVENT_FIELD (rescan_interval_s), NULL, NULL, store_guint },
  /* [transfers] */
  { "transfers", "download-dir", "download-dir", 0, NULL, VAL_TEXT, FALSE, { 0 }, 0, "DIR",
    "Put finished downloads in DIR (default: $XDG_DOWNLOAD_DIR or ~/Downloads)",
    apply_download_dir },
  { "transfers", "upload-slots", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 1024, 8 },
    SERVENT_FIELD (upload_slots), NULL, NULL, store_guint },
  { "transfers", "upload-slots-per-address", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 64, 2 },
    SERVENT_FIELD (upload_slots_per_address), NULL, NULL, store_guint },
  { "transfers", "upload-queue", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 4096, 64 },
    SERVENT_FIELD (upload_queue), NULL, NULL, store_guint },
  { "transfers", "upload-rate", NULL, 0, NULL, VAL_UINT, FALSE, { 0, 10485760, 0 },
    SERVENT_FIELD (upload_rate_kib), NULL, NULL, store_guint },
  { "transfers", "relay", NULL, 0, NULL, VAL_BOOL, FALSE, { 0 }, SERVENT_FIELD (relay), NULL,
    NULL, store_bool },
  { "transfers", "relay-streams", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 64, 4 },
    SERVENT_FIELD (relay_streams), NULL, NULL, store_guint },
  { "transfers", "relay-rate", NULL, 0, NULL, VAL_UINT, FALSE, { 1, 10485760, 512 },
    SERVENT_FIELD (relay_rate_kib), NULL, NULL, store_guint },
  /* [identity] */
  { "identity", "user-agent", NULL, 0, NULL, VAL_TEXT, FALSE, { 0 }, 0, NULL, NULL,
    apply_user_agent },
  /* the command line only */
  { NULL, NULL, "foreground", 'f', NULL, VAL_NONE, FALSE, { 0 }, 0, NULL,
    "Stay in the foreground (always the case; accepted for compatibility)", NULL },
  { NULL, NULL, "log-level", 0, NULL, VAL_TEXT, FALSE, { 0 }, 0, "LEVEL",
    "Show messages up to LEVEL: error, warning, message, info or debug (default message)",
    apply_log_level },
  { NULL, NULL, "version", 'V', NULL, VAL_NONE, FALSE, { 0 }, 0, NULL,
    "Print the version and exit", apply_version },
};

#define N_SETTINGS G_N_ELEMENTS (settings)

GPtrArray *
sv_daemon_config_setting_names (void)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < N_SETTINGS; i++)
    {
      if (settings[i].group != NULL && settings[i].fixed == NULL)
        g_ptr_array_add (names, g_strdup_printf ("[%s] %s", settings[i].group, settings[i].key));
      if (settings[i].flag != NULL)
        g_ptr_array_add (names, g_strconcat ("--", settings[i].flag, NULL));
    }
  return names;
}

/* Parses @text as @setting's kind into @v (lists are split by the caller). */
static gboolean
parse_value (const Setting *setting, const char *text, Value *v, GError **error)
{
  switch (setting->kind)
    {
    case VAL_BOOL:
      return parse_bool (v->where, text, &v->b, error);
    case VAL_UINT:
      return parse_uint (v->where, text, &setting->range, &v->n, error);
    case VAL_TEXT:
      v->text = text;
      return TRUE;
    case VAL_LIST:
    case VAL_NONE:
    default:
      return TRUE;
    }
}

/* --- the config file --- */

typedef struct {
  GKeyFile *kf;
  const char *path;
  char *dir;             /* relative paths in the file are relative to it */
  char **envp;
} FileCtx;

static gboolean
is_known (const char *group, const char *key)
{
  for (gsize i = 0; i < N_SETTINGS; i++)
    if (settings[i].group != NULL && strcmp (settings[i].group, group) == 0
        && (key == NULL || strcmp (settings[i].key, key) == 0))
      return TRUE;
  return FALSE;
}

static void
warn_unknown (SvDaemonConfig *config, const FileCtx *ctx)
{
  g_auto (GStrv) groups = g_key_file_get_groups (ctx->kf, NULL);

  for (gsize g = 0; groups[g] != NULL; g++)
    {
      g_auto (GStrv) keys = NULL;

      if (!is_known (groups[g], NULL))
        {
          g_ptr_array_add (config->warnings,
                           g_strdup_printf ("%s: [%s]: unknown group, ignored (see servent.conf(5))",
                                            ctx->path, groups[g]));
          continue;
        }
      keys = g_key_file_get_keys (ctx->kf, groups[g], NULL, NULL);
      for (gsize k = 0; keys != NULL && keys[k] != NULL; k++)
        if (!is_known (groups[g], keys[k]))
          g_ptr_array_add (config->warnings,
                           g_strdup_printf ("%s: [%s] %s: unknown key, ignored (see servent.conf(5))",
                                            ctx->path, groups[g], keys[k]));
    }
}

/* Applies @setting's key from the file, if present. */
static gboolean
apply_file_key (SvDaemonConfig *config, const FileCtx *ctx, const Setting *setting,
                GError **error)
{
  g_autofree char *where = g_strdup_printf ("%s: [%s] %s", ctx->path, setting->group,
                                            setting->key);
  g_autoptr (GError) local = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) list = NULL;
  Value v = { where, NULL, NULL, FALSE, 0, ctx->dir, ctx->envp };

  if (!g_key_file_has_key (ctx->kf, setting->group, setting->key, NULL))
    return TRUE;
  if (setting->kind == VAL_LIST)
    {
      gsize n = 0;

      list = g_key_file_get_string_list (ctx->kf, setting->group, setting->key, &n, &local);
      if (list == NULL && local != NULL
          && !g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE))
        return value_error (error, where, "%s; see servent.conf(5)", local->message);
      if (list == NULL)
        list = g_new0 (char *, 1);   /* "key=" is an empty list */
      for (gsize i = 0; list[i] != NULL; i++)
        g_strstrip (list[i]);
      v.list = (const char *const *) list;
    }
  else
    {
      text = g_key_file_get_string (ctx->kf, setting->group, setting->key, &local);
      if (text == NULL)
        return value_error (error, where, "%s; see servent.conf(5)", local->message);
      if (!parse_value (setting, text, &v, error))
        return FALSE;
    }
  return setting->apply (config, setting, &v, error);
}

static gboolean
load_file (SvDaemonConfig *config, const char *path, char **envp, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (abs);
  FileCtx ctx = { kf, path, dir, envp };

  if (!g_key_file_load_from_file (kf, abs, G_KEY_FILE_NONE, &local))
    {
      g_autofree char *msg = printable (local->message);

      g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_FILE,
                   "%s: %s; fix the file (see servent.conf(5))", path, msg);
      return FALSE;
    }
  warn_unknown (config, &ctx);
  for (gsize i = 0; i < N_SETTINGS; i++)
    if (settings[i].group != NULL && settings[i].fixed == NULL
        && !apply_file_key (config, &ctx, &settings[i], error))
      return FALSE;
  return TRUE;
}

/* --- the command line --- */

/* What the command line said for each setting with a flag. */
typedef struct {
  gboolean given;                /* VAL_NONE and fixed-value flags */
  char *text;
  char **list;
} FlagSlot;

typedef struct {
  FlagSlot slots[N_SETTINGS];
} Flags;

static gboolean
flag_given (const Flags *f, gsize i)
{
  return f->slots[i].given || f->slots[i].text != NULL || f->slots[i].list != NULL;
}

/* The setting of the flag --@name (it must exist). */
static gsize
flag_index (const char *name)
{
  for (gsize i = 0; i < N_SETTINGS; i++)
    if (settings[i].flag != NULL && strcmp (settings[i].flag, name) == 0)
      return i;
  g_assert_not_reached ();
}

static void
flags_clear (Flags *f)
{
  for (gsize i = 0; i < N_SETTINGS; i++)
    {
      g_free (f->slots[i].text);
      g_strfreev (f->slots[i].list);
    }
}

static gboolean
parse_flags (Flags *f, char ***argv, GError **error)
{
  GOptionEntry entries[N_SETTINGS + 1];
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- Gnutella servent daemon");
  g_autoptr (GError) local = NULL;
  guint n = 0;

  memset (entries, 0, sizeof entries);
  for (gsize i = 0; i < N_SETTINGS; i++)
    {
      const Setting *s = &settings[i];
      GOptionEntry *e;

      if (s->flag == NULL)
        continue;
      e = &entries[n++];
      e->long_name = s->flag;
      e->short_name = s->short_flag;
      e->description = s->help;
      e->arg_description = s->arg;
      if (s->fixed != NULL || s->kind == VAL_NONE)
        {
          e->arg = G_OPTION_ARG_NONE;
          e->arg_data = &f->slots[i].given;
        }
      else if (s->kind == VAL_LIST)
        {
          e->arg = s->filename ? G_OPTION_ARG_FILENAME_ARRAY : G_OPTION_ARG_STRING_ARRAY;
          e->arg_data = &f->slots[i].list;
        }
      else
        {
          e->arg = s->filename ? G_OPTION_ARG_FILENAME : G_OPTION_ARG_STRING;
          e->arg_data = &f->slots[i].text;
        }
    }
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
  /* Two flags that set one key to different values (--ultrapeer and --leaf). */
  for (gsize i = 0; i < N_SETTINGS; i++)
    for (gsize j = i + 1; j < N_SETTINGS; j++)
      if (settings[i].fixed != NULL && settings[j].fixed != NULL && flag_given (f, i)
          && flag_given (f, j) && strcmp (settings[i].key, settings[j].key) == 0)
        {
          g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_USAGE,
                       "--%s and --%s exclude each other; pass one or neither", settings[i].flag,
                       settings[j].flag);
          return FALSE;
        }
  return TRUE;
}

/* Applies every flag given, over the file's values, in the table's order. */
static gboolean
apply_flags (SvDaemonConfig *config, const Flags *f, char **envp, GError **error)
{
  for (gsize i = 0; i < N_SETTINGS; i++)
    {
      const Setting *s = &settings[i];
      const FlagSlot *slot = &f->slots[i];
      g_autofree char *where = NULL;
      const char *none[] = { NULL };
      Value v = { 0 };

      if (s->apply == NULL || !flag_given (f, i))
        continue;
      where = g_strconcat ("--", s->flag, NULL);
      v.where = where;
      v.envp = envp;
      if (s->kind == VAL_LIST)
        v.list = slot->list != NULL ? (const char *const *) slot->list : none;
      else if (s->kind != VAL_NONE && !parse_value (s, s->fixed != NULL ? s->fixed : slot->text,
                                                     &v, error))
        return FALSE;
      if (!s->apply (config, s, &v, error))
        return FALSE;
    }
  set_control_socket (config);
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
          g_autofree char *where = flag_given (f, flag_index ("peer"))
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
  Flags f;
  gboolean ok = FALSE;

  const char *config_flag;

  memset (&f, 0, sizeof f);
  if (!parse_flags (&f, argv, error))
    goto out;
  config_flag = f.slots[flag_index ("config")].text;
  if (config_flag != NULL)
    {
      if (!g_file_test (config_flag, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *shown = printable (config_flag);

          g_set_error (error, SV_DAEMON_CONFIG_ERROR, SV_DAEMON_CONFIG_ERROR_USAGE,
                       "--config %s: no such file; pass an existing file or leave --config out",
                       shown);
          goto out;
        }
      config->config_file = g_strdup (config_flag);
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
