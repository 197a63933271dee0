/* sd-notify.h: the service manager's readiness protocol, without libsystemd: one datagram of
 * "KEY=VALUE" lines to the Unix socket named by $NOTIFY_SOCKET (a path, or an abstract name
 * written with a leading '@'). Without $NOTIFY_SOCKET nothing is sent. */
#pragma once

#include <glib.h>

/* Sends @state (e.g. "READY=1\nSTATUS=…") to the socket @envp's NOTIFY_SOCKET names.
 * Returns: TRUE when sent, FALSE when there is no such socket or it failed (told in @error). */
gboolean sv_sd_notify (char **envp, const char *state, GError **error);
