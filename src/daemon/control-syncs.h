/* control-syncs.h: the control API's folder mirrors (/v1/syncs): list, add, remove, run now.
 * Handlers expect the request's user data to be the SvControlApi (control-api.c lists them in
 * its route table). */
#pragma once

#include "control-server.h"

void sv_control_syncs_get (const SvControlRequest *req);
void sv_control_syncs_post (const SvControlRequest *req);
void sv_control_syncs_remove (const SvControlRequest *req);
void sv_control_syncs_now (const SvControlRequest *req);
