/* sd-notify.c: readiness and stopping notices to the service manager (see sd-notify.h). */
#include "sd-notify.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>

gboolean
sv_sd_notify (char **envp, const char *state, GError **error)
{
  const char *path = g_environ_getenv (envp, "NOTIFY_SOCKET");
  struct sockaddr_un sa;
  socklen_t len;
  gsize plen;
  int fd;
  ssize_t n;

  if (path == NULL || path[0] == '\0')
    return FALSE;
  plen = strlen (path);
  if ((path[0] != '/' && path[0] != '@') || plen >= sizeof sa.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "NOTIFY_SOCKET '%s' is neither a path nor an abstract name", path);
      return FALSE;
    }
  memset (&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy (sa.sun_path, path, plen);
  if (path[0] == '@')
    sa.sun_path[0] = '\0';
  len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + plen + (path[0] == '/' ? 1 : 0));
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socket: %s", g_strerror (errno));
      return FALSE;
    }
  n = sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *) &sa, len);
  if (n < 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "notify %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}
