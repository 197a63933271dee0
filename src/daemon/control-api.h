/* control-api.h: serventd's control API: the /v1 resources (status, peers, searches and their
 * result streams, shares) served on the control socket, on top of the servent's snapshots.
 * The resources and their JSON are described in servent(1) and the project's control contract. */
#pragma once

#include <gio/gio.h>

#include "servent.h"

typedef struct _SvControlApi SvControlApi;

/* Listens on @socket_path (its directory created 0700, the socket 0600; a stale socket is
 * replaced, a live one is an error). @servent: (transfer none) must outlive the API: free the API
 * first. Returns: (transfer full) or NULL with @error. */
SvControlApi *sv_control_api_new (SvServent *servent, const char *socket_path, GError **error);
/* Ends open result streams, closes the socket and removes its file. NULL is ignored. */
void sv_control_api_free (SvControlApi *api);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvControlApi, sv_control_api_free)
