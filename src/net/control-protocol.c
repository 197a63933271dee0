/* control-protocol.c: where the control socket is (see control-protocol.h). */
#include "config.h"

#include "control-protocol.h"

#include <string.h>
#include <unistd.h>

static const char *
env_get (char **envp, const char *name)
{
  const char *v = envp != NULL ? g_environ_getenv (envp, name) : NULL;

  return (v != NULL && *v != '\0') ? v : NULL;
}

static const char *
env_get_abs (char **envp, const char *name)
{
  const char *v = env_get (envp, name);

  return (v != NULL && g_path_is_absolute (v)) ? v : NULL;
}

char *
sv_control_protocol_default_runtime_dir (char **envp)
{
  g_autofree char *run_user = g_strdup_printf ("/run/user/%u", (unsigned) getuid ());
  g_autofree char *leaf = g_strdup_printf ("servent-%u", (unsigned) getuid ());
  const char *v;

  if ((v = env_get (envp, "SERVENT_RUNTIME_DIR")) != NULL)
    return g_canonicalize_filename (v, NULL);
  if ((v = env_get_abs (envp, "RUNTIME_DIRECTORY")) != NULL)
    {
      const char *colon = strchr (v, ':');   /* systemd may list several paths */

      return colon != NULL ? g_strndup (v, colon - v) : g_strdup (v);
    }
  if ((v = env_get_abs (envp, "XDG_RUNTIME_DIR")) != NULL)
    return g_build_filename (v, "servent", NULL);
  if (g_file_test (run_user, G_FILE_TEST_IS_DIR))
    return g_build_filename (run_user, "servent", NULL);
  v = env_get_abs (envp, "TMPDIR");
  return g_build_filename (v != NULL ? v : "/tmp", leaf, NULL);
}

char *
sv_control_protocol_socket_path (const char *runtime_dir)
{
  return g_build_filename (runtime_dir, SV_CONTROL_SOCKET_NAME, NULL);
}
