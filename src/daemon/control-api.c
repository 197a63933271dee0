/* control-api.c: the /v1 resources of serventd's control socket: each route turns a servent
 * snapshot into JSON or starts, lists, streams and stops searches (see control-api.h). */
#include "config.h"

#include "control-api.h"

#include <string.h>

#include "control-json.h"
#include "control-protocol.h"
#include "control-server.h"
#include "control-syncs.h"
#include "control-syncs.h"
#include "control-transfers.h"
#include "uploads.h"
#include "peer-conn.h"
#include "router.h"
#include "share-set.h"

/* The largest max_results a client may ask for. */
#define SV_CONTROL_API_MAX_RESULTS 100000u

struct _SvControlApi {
  SvServent *servent;
  SvControlServer *server;
};

/* One follow=1 result stream: lives until the search ends (the servent frees it through the
 * subscription's destroy notify) or the client goes away (we unsubscribe, which frees it). */
typedef struct {
  SvControlApi *api;
  SvControlStream *stream;       /* NULL once the stream ended */
  guint subscription;
} Follow;

static guint64
seconds_since (gint64 then_us)
{
  gint64 now = g_get_monotonic_time ();

  return then_us > 0 && now > then_us ? (guint64) ((now - then_us) / G_USEC_PER_SEC) : 0;
}

static JsonNode *
hit_to_json (const SvSearchHit *hit)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  char urn[SV_URN_SHA1_LEN + 1];

  json_builder_begin_object (b);
  sv_control_json_string (b, SV_CTL_NAME, hit->name);
  sv_control_json_uint (b, SV_CTL_SIZE, hit->size);
  if (hit->has_sha1)
    sv_urn_sha1_format (&hit->sha1, urn);
  sv_control_json_string (b, SV_CTL_URN, hit->has_sha1 ? urn : NULL);
  sv_control_json_addr (b, SV_CTL_ADDRESS, &hit->addr);
  sv_control_json_bool (b, SV_CTL_FIREWALLED, hit->firewalled);
  sv_control_json_guid (b, SV_CTL_SERVENT, &hit->servent);
  sv_control_json_string (b, SV_CTL_VENDOR, hit->vendor);
  sv_control_json_uint (b, SV_CTL_RESULT, hit->number);
  sv_control_json_uint (b, SV_CTL_INDEX, hit->index);
  sv_control_json_uint (b, SV_CTL_HOPS, hit->hops);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The search id in the path; replies 404 and returns 0 when it is not one. */
static guint64
search_id_arg (const SvControlRequest *req)
{
  guint64 id = 0;

  if (!g_ascii_string_to_unsigned (req->args[0], 10, 1, G_MAXUINT64, &id, NULL))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "no search %s (ids are positive numbers)",
                              req->args[0]);
      return 0;
    }
  return id;
}

/* --- GET /v1/status --- */

static void
get_status (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;
  SvServentStatus st;
  const SvServentCounters *c = &st.counters;
  g_autoptr (JsonBuilder) b = json_builder_new ();

  memset (&st, 0, sizeof st);
  sv_servent_get_status (api->servent, &st);
  json_builder_begin_object (b);
  sv_control_json_string (b, SV_CTL_VERSION, PACKAGE_VERSION);
  sv_control_json_guid (b, SV_CTL_GUID, &st.guid);
  sv_control_json_string (b, SV_CTL_ROLE, st.ultrapeer ? "ultrapeer" : "leaf");
  sv_control_json_uint (b, SV_CTL_PORT, st.port);
  sv_control_json_uint (b, SV_CTL_UPTIME_S, seconds_since (st.started_us));
  json_builder_set_member_name (b, SV_CTL_PEERS);
  json_builder_begin_object (b);
  sv_control_json_uint (b, SV_CTL_ULTRAPEERS, st.ultrapeers);
  sv_control_json_uint (b, SV_CTL_LEAVES, st.leaves);
  sv_control_json_uint (b, SV_CTL_CONNECTING, st.connecting);
  json_builder_end_object (b);
  sv_control_json_uint (b, SV_CTL_HOST_CACHE, st.host_cache_size);
  sv_control_json_uint (b, SV_CTL_ROUTE_ENTRIES, st.route_entries);
  sv_control_json_uint (b, SV_CTL_PUSH_ROUTES, st.push_routes);
  json_builder_set_member_name (b, SV_CTL_SHARES);
  json_builder_begin_object (b);
  sv_control_json_uint (b, SV_CTL_FILES, st.shared_files);
  sv_control_json_uint (b, SV_CTL_BYTES, st.shared_bytes);
  sv_control_json_bool (b, SV_CTL_SCANNING, st.scanning);
  json_builder_end_object (b);
  sv_control_json_uint (b, SV_CTL_SEARCHES, st.searches);
  {
    char why[256], a[SV_HOST_ADDR_STRLEN];
    SvHostAddr announced;
    const char *verdict = sv_servent_reachability (api->servent, why, sizeof why, &announced);
    SvUploadsCounters uc;

    json_builder_set_member_name (b, SV_CTL_REACHABILITY);
    json_builder_begin_object (b);
    sv_control_json_string (b, SV_CTL_VERDICT, verdict);
    sv_control_json_string (b, SV_CTL_EVIDENCE, why);
    sv_control_json_string (b, SV_CTL_ANNOUNCED, sv_host_addr_format (&announced, TRUE, a));
    {
      char nat_why[256];
      const char *nat = sv_servent_nat (api->servent, nat_why, sizeof nat_why);

      sv_control_json_string (b, SV_CTL_NAT, nat);
      sv_control_json_string (b, SV_CTL_NAT_EVIDENCE, nat_why);
    }
    {
      SvServentPortMap pm;

      sv_servent_port_map_status (api->servent, &pm);
      json_builder_set_member_name (b, SV_CTL_PORT_MAP);
      json_builder_begin_object (b);
      sv_control_json_string (b, SV_CTL_PROTOCOL, pm.protocol);
      sv_control_json_string (b, SV_CTL_EXTERNAL, pm.external.family != 0
                              ? sv_host_addr_format (&pm.external, TRUE, a) : "");
      sv_control_json_uint (b, SV_CTL_LEASE, pm.lease_s);
      sv_control_json_bool (b, SV_CTL_UDP, pm.udp);
      sv_control_json_uint (b, SV_CTL_REQUESTS, pm.requests);
      sv_control_json_uint (b, SV_CTL_REFUSED, pm.refused);
      sv_control_json_string (b, SV_CTL_ERROR, pm.error != NULL ? pm.error : "");
      json_builder_end_object (b);
    }
    {
      SvConnectBackCounters cbc;

      sv_servent_connect_back_counters (api->servent, &cbc);
      sv_control_json_uint (b, "connect_backs_dialled", cbc.dialled);
      sv_control_json_uint (b, "connect_backs_udp", cbc.udp_pings);
      sv_control_json_uint (b, "connect_backs_refused", cbc.refused);
    }
    json_builder_end_object (b);
    sv_uploads_get_counters (sv_servent_uploads (api->servent), &uc);
    json_builder_set_member_name (b, SV_CTL_TRANSFERS);
    json_builder_begin_object (b);
    sv_control_json_uint (b, "upload_requests", uc.requests);
    sv_control_json_uint (b, "uploads_served", uc.served);
    sv_control_json_uint (b, "uploads_completed", uc.completed);
    sv_control_json_uint (b, "upload_bytes", uc.body_bytes);
    sv_control_json_uint (b, "upload_not_found", uc.not_found);
    sv_control_json_uint (b, "upload_refused_busy", uc.refused_busy);
    sv_control_json_uint (b, "upload_evicted", uc.evicted);
    sv_control_json_uint (b, "upload_changed", uc.changed);
    sv_control_json_uint (b, "upload_outside_share", uc.outside);
    sv_control_json_uint (b, "upload_bad_request", uc.bad_request);
    sv_control_json_uint (b, "browses", uc.browses);
    sv_control_json_uint (b, "proxy_pushes", uc.proxy_pushes);
    sv_control_json_uint (b, "proxy_refused", uc.proxy_refused);
    sv_control_json_uint (b, "pushes_honoured", uc.pushes_honoured);
    sv_control_json_uint (b, "pushes_refused", uc.pushes_refused);
    sv_control_json_uint (b, "push_connect_failed", uc.push_connect_failed);
    sv_control_json_uint (b, "giv_unmatched", st.counters.giv_unmatched);
    sv_control_json_uint (b, "pushes_unsolicited", st.counters.pushes_unsolicited);
    {
      SvServentRendezvousCounters rc;

      sv_servent_rendezvous_counters (api->servent, &rc);
      sv_control_json_uint (b, "rendezvous_brokered", rc.broker.opened);
      sv_control_json_uint (b, "rendezvous_met", rc.broker.met);
      sv_control_json_uint (b, "rendezvous_expired", rc.broker.expired);
      sv_control_json_uint (b, "rendezvous_refused", rc.broker.refused);
      sv_control_json_uint (b, "rendezvous_relays", rc.broker.relays);
      sv_control_json_uint (b, "rendezvous_relays_active", rc.broker.relays_active);
      sv_control_json_uint (b, "rendezvous_relays_refused", rc.broker.relays_refused);
      sv_control_json_uint (b, "rendezvous_relay_bytes", rc.broker.relay_bytes);
      sv_control_json_uint (b, "rendezvous_relays_idle", rc.broker.relays_idle);
      sv_control_json_uint (b, "rendezvous_answered", rc.answered);
      sv_control_json_uint (b, "rendezvous_answer_failed", rc.answer_failed);
      sv_control_json_uint (b, "rendezvous_answer_refused", rc.answer_refused);
    }
    json_builder_end_object (b);
  }

  json_builder_set_member_name (b, SV_CTL_ADMISSION);
  json_builder_begin_object (b);
  sv_control_json_uint (b, "handshakes_evicted", c->handshakes_evicted);
  sv_control_json_uint (b, "handshake_timeouts", c->handshake_timeouts);
  sv_control_json_uint (b, "refused_address_cap", c->refused_addr_cap);
  sv_control_json_uint (b, "refused_network_cap", c->refused_net_cap);
  sv_control_json_uint (b, "sniff_evicted", c->sniff_evicted);
  sv_control_json_uint (b, "sniff_timeouts", c->sniff_timeouts);
  sv_control_json_uint (b, "sniff_refused", c->sniff_refused);
  sv_control_json_uint (b, "retries_busy", c->retries_busy);
  sv_control_json_uint (b, "duplicate_links", c->duplicate_links);
  json_builder_end_object (b);

  json_builder_set_member_name (b, SV_CTL_COUNTERS);
  json_builder_begin_object (b);
  sv_control_json_uint (b, SV_CTL_QUERIES_RECEIVED, c->queries_received);
  sv_control_json_uint (b, SV_CTL_QUERIES_HANDLED, c->queries_handled);
  sv_control_json_uint (b, SV_CTL_QUERIES_FORWARDED, c->queries_forwarded);
  sv_control_json_uint (b, SV_CTL_QUERIES_DUPLICATE, c->queries_duplicate);
  sv_control_json_uint (b, SV_CTL_QUERIES_QRP_BLOCKED, c->queries_qrp_blocked);
  sv_control_json_uint (b, SV_CTL_HITS_SENT, c->hits_sent);
  sv_control_json_uint (b, SV_CTL_HITS_ROUTED, c->hits_routed);
  sv_control_json_uint (b, SV_CTL_HITS_RECEIVED, c->hits_received);
  sv_control_json_uint (b, SV_CTL_PEERS_KICKED, c->peers_kicked);
  sv_control_json_uint (b, SV_CTL_ACCEPT_REJECTED, c->accept_rejected);
  sv_control_json_uint (b, SV_CTL_REFUSED_BUSY, c->refused_busy);
  sv_control_json_uint (b, SV_CTL_QRP_TABLES_SENT, c->qrp_tables_sent);
  sv_control_json_uint (b, SV_CTL_QRP_TABLES_RECEIVED, c->qrp_tables_received);
  json_builder_set_member_name (b, SV_CTL_DROPPED);
  json_builder_begin_object (b);
  for (guint i = SV_ROUTE_DROP_NONE + 1; i < SV_ROUTE_DROP_N_REASONS && i < G_N_ELEMENTS (c->dropped); i++)
    sv_control_json_uint (b, sv_router_drop_reason_name ((SvRouteDropReason) i), c->dropped[i]);
  json_builder_end_object (b);
  json_builder_set_member_name (b, SV_CTL_CLOSED);
  json_builder_begin_object (b);
  for (guint i = 0; i < SV_PEER_CONN_N_CLOSE_REASONS && i < G_N_ELEMENTS (c->closed); i++)
    sv_control_json_uint (b, sv_peer_conn_close_reason_name ((SvPeerConnCloseReason) i), c->closed[i]);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}

/* --- GET /v1/peers --- */

static void
get_peers (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;
  g_autoptr (GArray) peers = sv_servent_get_peers (api->servent);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_PEERS);
  json_builder_begin_array (b);
  for (guint i = 0; peers != NULL && i < peers->len; i++)
    {
      const SvServentPeer *p = &g_array_index (peers, SvServentPeer, i);

      json_builder_begin_object (b);
      sv_control_json_uint (b, SV_CTL_ID, p->id);
      sv_control_json_addr (b, SV_CTL_ADDRESS, &p->remote);
      sv_control_json_addr (b, SV_CTL_LISTEN, &p->listen);
      sv_control_json_string (b, SV_CTL_DIRECTION, p->outgoing ? "out" : "in");
      sv_control_json_string (b, SV_CTL_ROLE, p->ultrapeer ? "ultrapeer" : "leaf");
      sv_control_json_string (b, SV_CTL_USER_AGENT, p->user_agent);
      sv_control_json_uint (b, SV_CTL_CONNECTED_S, seconds_since (p->connected_us));
      sv_control_json_bool (b, SV_CTL_DEFLATE_IN, p->deflate_in);
      sv_control_json_bool (b, SV_CTL_DEFLATE_OUT, p->deflate_out);
      sv_control_json_uint (b, SV_CTL_BYTES_IN, p->bytes_in);
      sv_control_json_uint (b, SV_CTL_BYTES_OUT, p->bytes_out);
      sv_control_json_uint (b, SV_CTL_WIRE_BYTES_IN, p->wire_bytes_in);
      sv_control_json_uint (b, SV_CTL_WIRE_BYTES_OUT, p->wire_bytes_out);
      sv_control_json_uint (b, SV_CTL_MSGS_IN, p->msgs_in);
      sv_control_json_uint (b, SV_CTL_MSGS_OUT, p->msgs_out);
      sv_control_json_uint (b, SV_CTL_QUEUED_BYTES, p->queued_bytes);
      sv_control_json_bool (b, SV_CTL_QRP_TABLE, p->qrp_table);
      sv_control_json_uint (b, SV_CTL_QRP_FILL_PERMILLE, p->qrp_fill_permille);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}

/* --- Searches --- */

/* Reads an optional non-negative integer member no larger than @max; replies 400 when it is
 * something else. */
static gboolean
optional_uint (const SvControlRequest *req, JsonObject *obj, const char *name, guint64 max, guint64 *out)
{
  JsonNode *node = json_object_get_member (obj, name);
  gint64 v;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || (v = json_node_get_int (node)) < 0 || (guint64) v > max)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST,
                              "\"%s\" must be a whole number from 0 to %" G_GUINT64_FORMAT, name, max);
      return FALSE;
    }
  *out = (guint64) v;
  return TRUE;
}

static void
post_search (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;
  g_autoptr (JsonNode) root = sv_control_request_json (req);
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (GError) error = NULL;
  SvSearchOptions options = { 0 };
  JsonObject *obj;
  JsonNode *query;
  const char *words;
  guint64 ttl = 0, max_results = 0, id;
  SvGuid muid;

  if (root == NULL)
    return;
  obj = json_node_get_object (root);
  query = json_object_get_member (obj, SV_CTL_QUERY);
  if (query == NULL || !JSON_NODE_HOLDS_VALUE (query) || json_node_get_value_type (query) != G_TYPE_STRING)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "the body needs \"query\": a string of words");
      return;
    }
  words = json_node_get_string (query);
  if (!optional_uint (req, obj, "ttl", 255, &ttl)
      || !optional_uint (req, obj, "max_results", SV_CONTROL_API_MAX_RESULTS, &max_results))
    return;
  options.ttl = (guint8) ttl;
  options.max_results = (guint) max_results;
  memset (&muid, 0, sizeof muid);
  id = sv_servent_search_start (api->servent, words, &options, &muid, &error);
  if (id == 0)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "%s",
                              error != NULL ? error->message : "the query has no usable word");
      return;
    }
  b = json_builder_new ();
  json_builder_begin_object (b);
  sv_control_json_uint (b, SV_CTL_ID, id);
  sv_control_json_guid (b, SV_CTL_MUID, &muid);
  sv_control_json_string (b, SV_CTL_QUERY, words);
  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, SOUP_STATUS_CREATED, b);
}

static void
get_searches (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;
  g_autoptr (GArray) searches = sv_servent_get_searches (api->servent);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_SEARCHES);
  json_builder_begin_array (b);
  for (guint i = 0; searches != NULL && i < searches->len; i++)
    {
      const SvServentSearch *s = &g_array_index (searches, SvServentSearch, i);

      json_builder_begin_object (b);
      sv_control_json_uint (b, SV_CTL_ID, s->id);
      sv_control_json_string (b, SV_CTL_QUERY, s->words);
      sv_control_json_guid (b, SV_CTL_MUID, &s->muid);
      sv_control_json_uint (b, SV_CTL_HITS, s->hits);
      sv_control_json_bool (b, SV_CTL_ACTIVE, s->active);
      sv_control_json_uint (b, SV_CTL_AGE_S, seconds_since (s->started_us));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  /* The search `servent get N` and `servent results` mean (not one the daemon started). */
  sv_control_json_uint (b, SV_CTL_LATEST, sv_servent_search_latest (api->servent));
  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}

static void
follow_hit (const SvSearchHit *hit, gpointer user_data)
{
  Follow *f = user_data;

  if (f->stream == NULL)
    return;
  if (hit == NULL)
    {
      /* The search ended: so does the stream; the servent frees @f when the subscription ends. */
      sv_control_stream_end (f->stream);
      f->stream = NULL;
      return;
    }
  {
    g_autoptr (JsonNode) node = hit_to_json (hit);
    sv_control_stream_send (f->stream, node);
  }
}

/* The client went away (or the API is being freed): drop the subscription, which frees @f. */
static void
follow_closed (SvControlStream *stream, gboolean client_gone, gpointer user_data)
{
  Follow *f = user_data;
  SvServent *servent = f->api->servent;
  guint subscription = f->subscription;

  f->stream = NULL;
  if (subscription != 0)
    sv_servent_search_unsubscribe (servent, subscription);
  else
    g_free (f);
}

static void
get_results (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;
  guint64 id = search_id_arg (req);
  g_autoptr (GArray) hits = NULL;
  SvControlStream *stream;
  Follow *f;

  if (id == 0)
    return;
  hits = sv_servent_search_hits (api->servent, id);
  if (hits == NULL)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "no search %" G_GUINT64_FORMAT, id);
      return;
    }
  f = g_new0 (Follow, 1);
  f->api = api;
  stream = sv_control_stream_start (req, follow_closed, f);
  f->stream = stream;
  for (guint i = 0; i < hits->len; i++)
    {
      g_autoptr (JsonNode) node = hit_to_json (&g_array_index (hits, SvSearchHit, i));
      sv_control_stream_send (stream, node);
    }
  if (sv_control_request_flag (req, SV_CTL_FOLLOW))
    f->subscription = sv_servent_search_subscribe (api->servent, id, follow_hit, f, g_free);
  if (f->subscription == 0)
    {
      /* Not following, or the search is over: what there is, then the end. */
      sv_control_stream_end (stream);
      g_free (f);
    }
}

static void
delete_search (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;
  guint64 id = search_id_arg (req);

  if (id == 0)
    return;
  if (!sv_servent_search_stop (api->servent, id))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "no search %" G_GUINT64_FORMAT, id);
      return;
    }
  sv_control_reply_empty (req->msg, SOUP_STATUS_NO_CONTENT);
}

/* --- Shares --- */

static void
get_shares (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  SvServentShares sh;

  memset (&sh, 0, sizeof sh);
  sv_servent_get_shares (api->servent, &sh);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_FOLDERS);
  json_builder_begin_array (b);
  for (guint i = 0; sh.folders != NULL && sh.folders[i] != NULL; i++)
    json_builder_add_string_value (b, sh.folders[i]);
  json_builder_end_array (b);
  sv_control_json_uint (b, SV_CTL_FILES, sh.files);
  sv_control_json_uint (b, SV_CTL_BYTES, sh.bytes);
  sv_control_json_bool (b, SV_CTL_SCANNING, sh.scanning);
  sv_control_json_uint (b, SV_CTL_FILES_HASHED, sh.files_hashed);
  sv_control_json_uint (b, SV_CTL_BYTES_HASHED, sh.bytes_hashed);
  sv_control_json_uint (b, SV_CTL_UNREADABLE, sh.unreadable);
  sv_control_json_uint (b, SV_CTL_QRP_FILL_PERMILLE, sh.qrp_fill_permille);
  json_builder_end_object (b);
  sv_servent_shares_clear (&sh);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}

static void
post_rescan (const SvControlRequest *req)
{
  SvControlApi *api = req->user_data;

  sv_servent_rescan (api->servent);
  sv_control_reply_empty (req->msg, SOUP_STATUS_ACCEPTED);
}

/* POST /v1/shares {"folder": "/abs/path"} and POST /v1/shares/remove {"folder": …}: the folder
 * set changes now and after restarts; the answer is the shares as GET gives them. */
static void
change_share (const SvControlRequest *req, gboolean add)
{
  SvControlApi *api = req->user_data;
  g_autoptr (JsonNode) root = sv_control_request_json (req);
  g_autoptr (GError) error = NULL;
  JsonNode *folder;
  gboolean ok;

  if (root == NULL)
    return;
  folder = json_object_get_member (json_node_get_object (root), SV_CTL_FOLDER);
  if (folder == NULL || !JSON_NODE_HOLDS_VALUE (folder) || json_node_get_value_type (folder) != G_TYPE_STRING)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "the body needs \"folder\": an absolute path");
      return;
    }
  ok = add ? sv_servent_share_add (api->servent, json_node_get_string (folder), &error)
           : sv_servent_share_remove (api->servent, json_node_get_string (folder), &error);
  if (!ok)
    {
      guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;

      if (g_error_matches (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_NOT_A_FOLDER)
          || g_error_matches (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_STATE))
        status = SOUP_STATUS_BAD_REQUEST;
      else if (g_error_matches (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_ALREADY))
        status = SOUP_STATUS_CONFLICT;
      else if (g_error_matches (error, SV_SHARE_SET_ERROR, SV_SHARE_SET_ERROR_NOT_SHARED))
        status = SOUP_STATUS_NOT_FOUND;
      sv_control_reply_error (req->msg, status, "%s", error->message);
      return;
    }
  get_shares (req);
}

static void
post_share (const SvControlRequest *req)
{
  change_share (req, TRUE);
}

static void
post_share_remove (const SvControlRequest *req)
{
  change_share (req, FALSE);
}

/* The control commands, as data. */
static const SvControlRoute api_routes[] = {
  { "GET", SV_CTL_PATH_STATUS, get_status },
  { "GET", SV_CTL_PATH_PEERS, get_peers },
  { "POST", SV_CTL_PATH_SEARCHES, post_search },
  { "GET", SV_CTL_PATH_SEARCHES, get_searches },
  { "GET", SV_CTL_PATH_SEARCH_RESULTS, get_results },
  { "DELETE", SV_CTL_PATH_SEARCH, delete_search },
  { "GET", SV_CTL_PATH_SHARES, get_shares },
  { "POST", SV_CTL_PATH_SHARES_RESCAN, post_rescan },
  { "POST", SV_CTL_PATH_SHARES, post_share },
  { "POST", SV_CTL_PATH_SHARES_REMOVE, post_share_remove },
  { "POST", SV_CTL_PATH_DOWNLOADS, sv_control_transfers_post_download },
  { "GET", SV_CTL_PATH_DOWNLOADS, sv_control_transfers_get_downloads },
  { "GET", SV_CTL_PATH_DOWNLOAD, sv_control_transfers_get_download },
  { "DELETE", SV_CTL_PATH_DOWNLOAD, sv_control_transfers_delete_download },
  { "POST", SV_CTL_PATH_DOWNLOAD_PAUSE, sv_control_transfers_pause_download },
  { "POST", SV_CTL_PATH_DOWNLOAD_RESUME, sv_control_transfers_resume_download },
  { "GET", SV_CTL_PATH_UPLOADS, sv_control_transfers_get_uploads },
  { "GET", SV_CTL_PATH_SYNCS, sv_control_syncs_get },
  { "POST", SV_CTL_PATH_SYNCS, sv_control_syncs_post },
  { "POST", SV_CTL_PATH_SYNCS_REMOVE, sv_control_syncs_remove },
  { "POST", SV_CTL_PATH_SYNCS_NOW, sv_control_syncs_now },
};

SvServent *
sv_control_api_servent (gpointer api)
{
  return ((SvControlApi *) api)->servent;
}

SvControlApi *
sv_control_api_new (SvServent *servent, const char *socket_path, GError **error)
{
  SvControlApi *api = g_new0 (SvControlApi, 1);

  g_return_val_if_fail (servent != NULL, NULL);
  api->servent = servent;
  api->server = sv_control_server_new (socket_path, api_routes, G_N_ELEMENTS (api_routes), api, error);
  if (api->server == NULL)
    {
      g_free (api);
      return NULL;
    }
  return api;
}

void
sv_control_api_free (SvControlApi *api)
{
  if (api == NULL)
    return;
  sv_control_server_free (api->server);
  g_free (api);
}
