/* control-syncs.c: /v1/syncs (see control-syncs.h).
 *
 *   GET  /v1/syncs                 {"syncs": [{id, source, folder, delete, interval_s, state,
 *                                   last_run_s, next_run_s, last_error, files, pending,
 *                                   conflicts, skipped, runs, fetch_bytes, fetched_bytes, rate}, …]}
 *   POST /v1/syncs                 {"source": "host:port" | GUID, "folder": "/abs", "delete": bool,
 *                                   "interval_s": n} → 201 with the list
 *   POST /v1/syncs/remove          {"id": n} → 204
 *   POST /v1/syncs/now             {"id": n} (0 or none: every mirror) → 202 */
#include "config.h"

#include "control-syncs.h"

#include "control-json.h"
#include "control-protocol.h"
#include "control-transfers.h"
#include "syncs.h"

static guint
status_of (const GError *error)
{
  if (error->domain != SV_SYNCS_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  switch ((SvSyncsError) error->code)
    {
    case SV_SYNCS_ERROR_INVALID:
      return SOUP_STATUS_BAD_REQUEST;
    case SV_SYNCS_ERROR_EXISTS:
    case SV_SYNCS_ERROR_FULL:
      return SOUP_STATUS_CONFLICT;
    case SV_SYNCS_ERROR_NOT_FOUND:
      return SOUP_STATUS_NOT_FOUND;
    case SV_SYNCS_ERROR_STORE:
      break;
    }
  return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

static void
reply_list (const SvControlRequest *req, guint status)
{
  SvSyncs *syncs = sv_servent_syncs (sv_control_api_servent (req->user_data));
  g_autoptr (GArray) list = sv_syncs_list (syncs);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_SYNCS);
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      const SvSyncInfo *s = &g_array_index (list, SvSyncInfo, i);

      json_builder_begin_object (b);
      sv_control_json_uint (b, SV_CTL_ID, (guint64) s->id);
      sv_control_json_string (b, SV_CTL_SOURCE, s->source);
      sv_control_json_string (b, SV_CTL_FOLDER, s->dir);
      sv_control_json_bool (b, SV_CTL_DELETE, s->delete_extra);
      sv_control_json_uint (b, SV_CTL_INTERVAL_S, s->interval_s);
      sv_control_json_string (b, SV_CTL_STATE, s->state);
      sv_control_json_uint (b, SV_CTL_LAST_RUN_S, (guint64) MAX (s->last_run_s, 0));
      sv_control_json_uint (b, SV_CTL_NEXT_RUN_S, (guint64) MAX (s->next_run_s, 0));
      sv_control_json_string (b, SV_CTL_LAST_ERROR, s->last_error);
      sv_control_json_uint (b, SV_CTL_FILES, s->files);
      sv_control_json_uint (b, SV_CTL_PENDING, s->pending);
      sv_control_json_uint (b, SV_CTL_CONFLICTS, s->conflicts);
      sv_control_json_uint (b, SV_CTL_SKIPPED, s->skipped);
      sv_control_json_uint (b, SV_CTL_RUNS, s->runs);
      sv_control_json_uint (b, SV_CTL_FETCH_BYTES, s->fetch_bytes);
      sv_control_json_uint (b, SV_CTL_FETCHED_BYTES, s->fetched_bytes);
      sv_control_json_uint (b, SV_CTL_RATE, s->rate);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, status, b);
}

void
sv_control_syncs_get (const SvControlRequest *req)
{
  reply_list (req, SOUP_STATUS_OK);
}

void
sv_control_syncs_post (const SvControlRequest *req)
{
  SvSyncs *syncs = sv_servent_syncs (sv_control_api_servent (req->user_data));
  g_autoptr (JsonNode) root = sv_control_request_json (req);
  g_autoptr (GError) error = NULL;
  const char *source, *folder;
  guint64 interval = 0;
  JsonObject *obj;

  if (root == NULL)
    return;
  obj = json_node_get_object (root);
  source = sv_control_json_member_string (obj, SV_CTL_SOURCE);
  folder = sv_control_json_member_string (obj, SV_CTL_FOLDER);
  if (source == NULL || folder == NULL)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST,
                              "the body needs \"source\" (host:port or a servent GUID) and \"folder\" (an absolute path)");
      return;
    }
  (void) sv_control_json_member_uint (obj, SV_CTL_INTERVAL_S, &interval);
  if (sv_syncs_add (syncs, source, folder, sv_control_json_member_bool (obj, SV_CTL_DELETE, FALSE),
                    (guint) MIN (interval, G_MAXUINT), &error) == 0)
    {
      sv_control_reply_error (req->msg, status_of (error), "%s", error->message);
      return;
    }
  reply_list (req, SOUP_STATUS_CREATED);
}

/* The "id" member of the body; replies and returns -1 when it is missing. */
static gint64
id_member (const SvControlRequest *req, gboolean optional)
{
  g_autoptr (JsonNode) root = sv_control_request_json (req);
  guint64 id = 0;

  if (root == NULL)
    return -1;
  if (!sv_control_json_member_uint (json_node_get_object (root), SV_CTL_ID, &id) && !optional)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "the body needs \"id\": a sync's number");
      return -1;
    }
  return (gint64) MIN (id, (guint64) G_MAXINT64);
}

void
sv_control_syncs_remove (const SvControlRequest *req)
{
  SvSyncs *syncs = sv_servent_syncs (sv_control_api_servent (req->user_data));
  g_autoptr (GError) error = NULL;
  gint64 id = id_member (req, FALSE);

  if (id < 0)
    return;
  if (!sv_syncs_remove (syncs, id, &error))
    {
      sv_control_reply_error (req->msg, status_of (error), "%s", error->message);
      return;
    }
  sv_control_reply_empty (req->msg, SOUP_STATUS_NO_CONTENT);
}

void
sv_control_syncs_now (const SvControlRequest *req)
{
  SvSyncs *syncs = sv_servent_syncs (sv_control_api_servent (req->user_data));
  g_autoptr (GError) error = NULL;
  gint64 id = id_member (req, TRUE);

  if (id < 0)
    return;
  if (!sv_syncs_run_now (syncs, id, &error))
    {
      sv_control_reply_error (req->msg, status_of (error), "%s", error->message);
      return;
    }
  sv_control_reply_empty (req->msg, SOUP_STATUS_ACCEPTED);
}
