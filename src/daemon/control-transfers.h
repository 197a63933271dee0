/* control-transfers.h: the control API's transfer resources (/v1/downloads, /v1/uploads), kept
 * apart from control-api.c's status, peers, searches and shares. Handlers expect the request's
 * user data to be the SvControlApi (control-api.c lists them in its route table). */
#pragma once

#include "control-server.h"
#include "servent.h"

/* Returns: (transfer none) the servent behind the API. */
SvServent *sv_control_api_servent (gpointer api);

void sv_control_transfers_post_download (const SvControlRequest *req);
void sv_control_transfers_get_downloads (const SvControlRequest *req);
void sv_control_transfers_get_download (const SvControlRequest *req);
void sv_control_transfers_delete_download (const SvControlRequest *req);
void sv_control_transfers_pause_download (const SvControlRequest *req);
void sv_control_transfers_resume_download (const SvControlRequest *req);
void sv_control_transfers_get_uploads (const SvControlRequest *req);
