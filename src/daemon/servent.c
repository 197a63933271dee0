/* servent.c: SvServent's construction and teardown: the state directory and the servent GUID,
 * the share library and its QRP table, the core objects (router, policy, caches), the periodic
 * tick, and the snapshots the control API reads (status, peers, shares). */
#include "config.h"

#include "servent-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifndef SV_PKGDATADIR
#define SV_PKGDATADIR "/usr/share/servent"
#endif

void
sv_servent_config_init (SvServentConfig *config)
{
  memset (config, 0, sizeof *config);
  config->role_mode = SV_CONN_ROLE_MODE_AUTO;
  config->deflate = TRUE;
  config->watch = TRUE;
  config->relay = TRUE;
  config->upnp = TRUE;
  config->natpmp = TRUE;
}

/* --- State --- */

static gboolean
load_guid (SvServent *sv, GError **error)
{
  g_autofree char *path = g_build_filename (sv->state_dir, "guid", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  char hex[SV_GUID_HEX_LEN + 2];

  if (g_file_get_contents (path, &text, &len, NULL))
    {
      g_strstrip (text);
      if (sv_guid_from_hex (text, strlen (text), &sv->guid))
        return TRUE;
      g_warning ("%s: not a servent GUID; making a new one", path);
    }
  sv_guid_new_servent (&sv->guid, sv->rand);
  sv_guid_to_hex (&sv->guid, hex);
  strcat (hex, "\n");
  if (!g_file_set_contents_full (path, hex, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  return TRUE;
}

static gboolean
load_hostile (SvServent *sv, GError **error)
{
  const char *path = sv->cfg.hostile_file;
  g_autofree char *fallback = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  gsize len = 0;
  SvHostileStats stats;

  if (path == NULL)
    path = fallback = g_build_filename (SV_PKGDATADIR, "hostiles.txt", NULL);
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (sv->cfg.hostile_file != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), "hostile list: ");
          return FALSE;
        }
      g_message ("no hostile list at %s: %s", path, local->message);
      sv->hostile = sv_hostile_new ();
      return TRUE;
    }
  sv->hostile = sv_hostile_parse (text, len, &stats);
  if (stats.malformed > 0)
    g_warning ("%s:%u: %u malformed line(s) skipped", path, stats.first_malformed,
               stats.malformed);
  g_info ("hostile list %s: %u entries", path, stats.entries);
  return TRUE;
}

/* The host cache keeps monotonic times; the store keeps wall-clock times, which still mean
 * something after a reboot. Shifts every set time of @rows by @delta_us (0 stays "never"). */
static void
shift_host_times (GArray *rows, gint64 delta_us)
{
  for (guint i = 0; i < rows->len; i++)
    {
      SvHostCacheRow *r = &g_array_index (rows, SvHostCacheRow, i);
      gint64 *times[] = { &r->last_seen_us, &r->last_attempt_us, &r->last_success_us,
                          &r->backoff_until_us };

      for (guint k = 0; k < G_N_ELEMENTS (times); k++)
        if (*times[k] != 0)
          *times[k] = MAX (*times[k] + delta_us, 1);
    }
}

static void
load_hosts (SvServent *sv)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < sv->n_seeds; i++)
    {
      SvHostCacheVerdict v = sv_host_cache_add (sv->hosts, &sv->seeds[i], SV_HOST_SOURCE_SEED,
                                                TRUE, now);
      if (v == SV_HOST_CACHE_REFUSED || v == SV_HOST_CACHE_HOSTILE)
        {
          char buf[SV_HOST_ADDR_STRLEN];
          g_warning ("peer %s refused (%s)", sv_host_addr_format (&sv->seeds[i], TRUE, buf),
                     v == SV_HOST_CACHE_HOSTILE ? "hostile" : "not connectable; --lan?");
        }
    }
  {
    g_autofree char *path = g_build_filename (sv->state_dir, "hosts.db", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GArray) rows = NULL;

    sv->host_store = sv_host_store_open (path, &error);
    if (sv->host_store == NULL)
      {
        g_warning ("host cache %s: %s (running without persistence)", path, error->message);
        return;
      }
    rows = sv_host_store_load (sv->host_store, &error);
    if (rows == NULL)
      {
        g_warning ("host cache %s: %s", path, error->message);
        return;
      }
    shift_host_times (rows, g_get_monotonic_time () - g_get_real_time ());
    g_info ("host cache: %u of %u stored hosts loaded",
            sv_host_cache_import (sv->hosts, (const SvHostCacheRow *) (void *) rows->data,
                                  rows->len, now),
            rows->len);
  }
}

void
sv_servent_save_hosts (SvServent *sv)
{
  g_autoptr (GArray) rows = NULL;
  g_autoptr (GError) error = NULL;

  if (sv->host_store == NULL || sv->hosts == NULL)
    return;
  rows = sv_host_cache_export (sv->hosts);
  shift_host_times (rows, g_get_real_time () - g_get_monotonic_time ());
  if (!sv_host_store_save (sv->host_store, (const SvHostCacheRow *) (void *) rows->data, rows->len,
                           &error))
    g_warning ("saving the host cache: %s", error->message);
  else
    g_debug ("host cache saved: %u hosts", rows->len);
  sv->saved_us = g_get_monotonic_time ();
}

/* --- Shares --- */

static void
library_changed (gpointer user_data)
{
  SvServent *sv = user_data;

  sv_share_library_count (sv->library, &sv->pong_files, &sv->pong_bytes);
  g_debug ("share index changed (generation %" G_GUINT64_FORMAT ")",
           sv_share_library_generation (sv->library));
}

static gboolean
open_library (SvServent *sv, GError **error)
{
  g_autofree char *db = g_build_filename (sv->state_dir, "shares.db", NULL);
  const char *const none[] = { NULL };
  SvShareLibraryConfig lc = { 0 };
  g_autoptr (GError) seed_error = NULL;

  sv->share_qrp = sv_share_qrp_new (SV_SERVENT_QRP_SLOTS, SV_SERVENT_QRP_INFINITY);
  lc.db_path = db;
  lc.folders = sv->folders != NULL ? (const char *const *) sv->folders : none;
  lc.state_dir = sv->state_dir;
  lc.context = sv->context;
  lc.watch = sv->cfg.watch;   /* a folder added at run time is watched too */
  lc.debounce_ms = sv->cfg.debounce_ms;
  lc.rescan_interval_s = sv->cfg.rescan_interval_s;
  lc.changed = library_changed;
  lc.changed_data = sv;
  lc.file_changed = sv_share_qrp_file_changed;
  lc.file_changed_data = sv->share_qrp;
  sv->library = sv_share_library_new (&lc, error);
  if (sv->library == NULL)
    return FALSE;
  sv_share_library_count (sv->library, &sv->pong_files, &sv->pong_bytes);
  if (!sv_share_qrp_seed (sv->share_qrp, sv->library, &seed_error))
    g_warning ("QRP table: %s", seed_error->message);
  sv_share_library_rescan (sv->library);
  return TRUE;
}

/* --- Tick --- */

static gboolean
on_tick (gpointer user_data)
{
  SvServent *sv = user_data;
  gint64 now = g_get_monotonic_time ();

  sv_servent_links_tick (sv, now);
  sv_servent_qrp_update (sv, now, FALSE);
  sv_servent_search_tick (sv, now);
  sv_pong_cache_expire (sv->pongs, now);
  sv_conn_policy_expire (sv->policy, now);
  if (now - sv->saved_us >= SV_SERVENT_SAVE_INTERVAL_S * G_USEC_PER_SEC)
    sv_servent_save_hosts (sv);
#ifdef __GLIBC__
  /* After a burst (a handshake flood, many leaves leaving at once) the allocator keeps the pages
   * it freed; hand the whole free ones back once a minute, so that the footprint of a daemon
   * that runs for months follows its load rather than its worst minute. */
  if (now - sv->trimmed_us >= SV_SERVENT_TRIM_INTERVAL_US)
    {
      sv->trimmed_us = now;
      malloc_trim (0);
    }
#endif
  return G_SOURCE_CONTINUE;
}

/* --- Life cycle --- */

static SvHostAddr *
copy_addrs (const SvHostAddr *addrs, guint n)
{
  return n > 0 ? g_memdup2 (addrs, sizeof *addrs * n) : NULL;
}

/* --- Bootstrap --- */

static gboolean
on_bootstrap_uhc (const SvHostAddr *addr, gpointer user_data)
{
  return sv_servent_route_uhc_ping (user_data, addr, g_get_monotonic_time ());
}

static void
on_bootstrap_hosts (const SvHostAddr *hosts, guint n, gpointer user_data)
{
  SvServent *sv = user_data;

  sv_host_cache_add_many (sv->hosts, hosts, n, SV_HOST_SOURCE_GWC, TRUE, g_get_monotonic_time ());
}

static const SvBootstrapCallbacks bootstrap_callbacks = {
  .ask_uhc = on_bootstrap_uhc,
  .hosts = on_bootstrap_hosts,
};

static void
uploads_hit_own (SvQueryHitOwn *own, gpointer user_data)
{
  sv_servent_route_hit_own (user_data, own);
}

static gboolean
uploads_proxy_push (const SvGuid *guid, guint32 index, const SvHostAddr *to, gpointer user_data)
{
  return sv_servent_route_proxy_push (user_data, guid, index, to);
}

/* --- The download service's view of us --- */

static gboolean
dl_send_push (const SvGuid *servent, guint32 index, gpointer user_data)
{
  return sv_servent_route_send_push (user_data, servent, index);
}

static gboolean
dl_firewalled (gpointer user_data)
{
  SvServent *sv = user_data;

  /* Known, not merely not proven otherwise yet: a servent just started tries a PUSH. */
  return sv_local_addr_known_firewalled (&sv->local, g_get_monotonic_time ());
}

static gboolean
dl_port_mapped (gpointer user_data)
{
  SvServent *sv = user_data;

  return sv->local.port_mapped.family != 0 && sv_local_addr_behind_nat (&sv->local);
}

static void
dl_announced (SvHostAddr *out, gpointer user_data)
{
  SvServent *sv = user_data;

  sv_local_addr_announced (&sv->local, out);
}

static void
dl_find_sources (const SvSha1 *sha1, gpointer user_data)
{
  SvServent *sv = user_data;
  char urn[SV_URN_SHA1_LEN + 1];
  g_autoptr (GError) error = NULL;
  SvSearchOptions opt = { 0 };

  opt.background = TRUE;
  sv_urn_sha1_format (sha1, urn);
  if (sv_servent_search_start (sv, urn, &opt, NULL, &error) == 0)
    g_info ("no search for more sources: %s", error->message);
}

static void
on_giv_read (const SvGiv *giv, int fd, const SvHostAddr *remote, gpointer user_data)
{
  SvServent *sv = user_data;
  char a[SV_HOST_ADDR_STRLEN];

  if (sv_syncs_giv (sv->syncs, giv, fd, remote))
    return;
  if (!sv_downloads_giv (sv->downloads, giv, fd, remote))
    {
      sv->counters.giv_unmatched++;
      g_info ("GIV from %s matches no download waiting for a push", sv_host_addr_format (remote, TRUE, a));
    }
}

static gboolean
start_downloads (SvServent *sv, const SvServentConfig *config, GError **error)
{
  SvDownloadsConfig dc = { 0 };
  SvSyncsConfig sc = { 0 };
  g_autofree char *fallback = g_build_filename (sv->state_dir, "downloads", NULL);

  dc.state_dir = sv->state_dir;
  dc.download_dir = config->download_dir != NULL ? config->download_dir : fallback;
  dc.user_agent = sv->user_agent;
  dc.host.send_push = dl_send_push;
  dc.host.firewalled = dl_firewalled;
  dc.host.find_sources = dl_find_sources;
  dc.host.announced = dl_announced;
  dc.host.port_mapped = dl_port_mapped;
  dc.ipv6 = sv_local_addr_bound (&sv->local, SV_HOST_ADDR_IPV6) != NULL;
  dc.host_data = sv;
  dc.alt_locs = sv->alt_locs;
  dc.lan = sv->cfg.lan;
  sv->downloads = sv_downloads_new (&dc, error);
  if (sv->downloads == NULL)
    return FALSE;
  sc.state_dir = sv->state_dir;
  sc.user_agent = sv->user_agent;
  sc.downloads = sv->downloads;
  sv->syncs = sv_syncs_new (&sc, error);
  if (sv->syncs == NULL)
    return FALSE;
  sv->giv_reader = sv_giv_reader_new (on_giv_read, sv);
  return TRUE;
}

SvServent *
sv_servent_new (const SvServentConfig *config, GError **error)
{
  g_autoptr (SvServent) sv = g_new0 (SvServent, 1);
  SvConnPolicyConfig pc;
  SvHostCacheConfig hc;
  SvRouterConfig rc;
  GSource *src;
  gint64 tick_us;

  g_return_val_if_fail (config != NULL && config->state_dir != NULL, NULL);

  sv->context = g_main_context_ref_thread_default ();
  sv->cfg = *config;
  sv->state_dir = g_strdup (config->state_dir);
  sv->user_agent = config->user_agent != NULL ? g_strdup (config->user_agent)
                                              : g_strdup_printf ("servent/%s", PACKAGE_VERSION);
  sv_local_addr_init (&sv->local, config->listen, config->n_listen, config->lan);
  sv->seeds = copy_addrs (config->peers, config->n_peers);
  sv->n_seeds = config->n_peers;
  sv->folders = g_strdupv ((char **) config->shares);
  sv->cfg.state_dir = sv->state_dir;
  sv->cfg.user_agent = sv->user_agent;
  sv->cfg.listen = sv->local.listen;
  sv->cfg.peers = sv->seeds;
  sv->cfg.udp_host_caches = NULL;   /* handed to the bootstrap below, not kept */
  sv->cfg.bootstrap = NULL;
  sv->cfg.shares = (const char *const *) sv->folders;
  sv->cfg.hostile_file = NULL;
  sv->qrp_update_us = (gint64) (config->qrp_update_ms ? config->qrp_update_ms : 5000) * 1000;
  sv->started_us = g_get_monotonic_time ();
  sv->orphan_since_us = sv->leafless_since_us = sv->started_us;
  sv->saved_us = sv->started_us;
  sv->rand = g_rand_new ();
  sv->link_set = sv_link_set_new ();
  sv_router_verdict_init (&sv->verdict);

  if (g_mkdir_with_parents (sv->state_dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "state directory %s: %s",
                   sv->state_dir, g_strerror (e));
      return NULL;
    }
  if (!load_guid (sv, error))
    return NULL;
  /* The shared folders: the settings' with the changes made at run time (shares.ini). */
  sv->share_set = sv_share_set_load (sv->state_dir, config->shares);
  g_strfreev (sv->folders);
  sv->folders = g_strdupv ((char **) sv_share_set_folders (sv->share_set));
  sv->cfg.shares = (const char *const *) sv->folders;
  sv->cfg.hostile_file = config->hostile_file;
  if (!load_hostile (sv, error))
    return NULL;
  sv->cfg.hostile_file = NULL;   /* not kept: the caller's string */

  sv_conn_policy_config_init (&pc);
  if (config->leaf_min_ultrapeers)
    pc.leaf_min_ultrapeers = config->leaf_min_ultrapeers;
  if (config->leaf_max_ultrapeers)
    pc.leaf_max_ultrapeers = config->leaf_max_ultrapeers;
  else if (config->leaf_min_ultrapeers)
    pc.leaf_max_ultrapeers = config->leaf_min_ultrapeers + 1;
  if (config->up_min_ultrapeers)
    pc.up_min_ultrapeers = config->up_min_ultrapeers;
  if (config->up_max_ultrapeers)
    pc.up_max_ultrapeers = config->up_max_ultrapeers;
  pc.up_max_ultrapeers = MAX (pc.up_max_ultrapeers, pc.up_min_ultrapeers);
  if (config->up_max_leaves)
    pc.up_max_leaves = config->up_max_leaves;
  if (config->accept_per_ip)
    pc.accept_per_ip = config->accept_per_ip;
  if (config->idle_ping_us)
    pc.idle_ping_us = config->idle_ping_us;
  if (config->promote_after_us)
    pc.promote_after_us = config->promote_after_us;
  if (config->demote_after_us)
    pc.demote_after_us = config->demote_after_us;
  sv->policy = sv_conn_policy_new (&pc);
  sv->role = config->role_mode == SV_CONN_ROLE_MODE_ULTRAPEER ? SV_CONN_ROLE_ULTRAPEER
                                                              : SV_CONN_ROLE_LEAF;

  sv_host_cache_config_init (&hc);
  hc.lan_mode = config->lan;
  sv->hosts = sv_host_cache_new (&hc, sv->rand);
  sv->alt_locs = sv_alt_locs_new ();
  sv_host_cache_set_hostile (sv->hosts, sv->hostile);

  sv_router_config_init (&rc, sv->role == SV_CONN_ROLE_ULTRAPEER ? SV_ROUTER_ROLE_ULTRAPEER
                                                                  : SV_ROUTER_ROLE_LEAF,
                         &sv->guid);
  sv->router = sv_router_new (&rc, sv->rand);
  sv->pongs = sv_pong_cache_new (SV_PONG_CACHE_LIFETIME_US);

  sv->proxied = g_hash_table_new_full (sv_guid_hash, sv_guid_key_equal, g_free, g_free);
  sv_servent_route_init (sv);
  sv_servent_rendezvous_init (sv);
  sv_servent_qrp_init (sv);
  sv_servent_search_init (sv);
  if (!open_library (sv, error))
    return NULL;
  load_hosts (sv);
  sv->bootstrap = sv_bootstrap_new (config->bootstrap, config->udp_host_caches,
                                    config->n_udp_host_caches, sv->user_agent,
                                    &bootstrap_callbacks, sv);
  if (!sv_servent_links_start (sv, error))
    return NULL;
  {
    SvUploadsConfig uc = { 0 };

    uc.library = sv->library;
    uc.folders = (const char *const *) sv->folders;
    uc.server = sv->user_agent;
    uc.lan = sv->cfg.lan;
    uc.alt_locs = sv->alt_locs;
    uc.policy.max_slots = config->upload_slots;
    uc.policy.max_per_address = config->upload_slots_per_address;
    uc.policy.max_queue = config->upload_queue;
    uc.rate = (guint64) config->upload_rate_kib * 1024;
    uc.hit_own = uploads_hit_own;
    uc.proxy_push = uploads_proxy_push;
    uc.broker = sv->broker;
    uc.user_data = sv;
    sv->uploads = sv_uploads_new (&uc);
  }
  sv->connect_back = sv_connect_back_new (sv_local_addr_bound (&sv->local, 0));
  if (!start_downloads (sv, config, error))
    return NULL;

  tick_us = config->reconnect_interval_us > 0 ? config->reconnect_interval_us : G_USEC_PER_SEC;
  src = g_timeout_source_new ((guint) MAX (tick_us / 1000, 10));
  g_source_set_callback (src, on_tick, sv, NULL);
  g_source_set_name (src, "servent tick");
  sv->tick_source = g_source_attach (src, sv->context);
  g_source_unref (src);
  /* First connections now rather than one tick later. */
  sv_servent_links_tick (sv, g_get_monotonic_time ());

  {
    char hex[SV_GUID_HEX_LEN + 1];
    sv_guid_to_hex (&sv->guid, hex);
    g_message ("servent %s up on port %u as %s", hex, sv->local.port,
               sv->role == SV_CONN_ROLE_ULTRAPEER ? "ultrapeer" : "leaf");
  }
  return g_steal_pointer (&sv);
}

void
sv_servent_free (SvServent *sv)
{
  if (sv == NULL)
    return;
  sv->freeing = TRUE;
  if (sv->tick_source != 0)
    {
      GSource *src = g_main_context_find_source_by_id (sv->context, sv->tick_source);
      if (src != NULL)
        g_source_destroy (src);
    }
  g_clear_pointer (&sv->bootstrap, sv_bootstrap_free);
  sv_servent_links_stop (sv);       /* Bye 200 to every peer */
  sv_servent_port_map_clear (sv);   /* the gateway forgets our port */
  g_clear_pointer (&sv->uploads, sv_uploads_free);
  sv_servent_rendezvous_clear (sv);  /* after the uploads, whose connections the broker holds */
  g_clear_pointer (&sv->giv_reader, sv_giv_reader_free);
  g_clear_pointer (&sv->syncs, sv_syncs_free);
  g_clear_pointer (&sv->downloads, sv_downloads_free);
  g_clear_pointer (&sv->connect_back, sv_connect_back_free);
  g_clear_pointer (&sv->link_set, sv_link_set_free);
  sv_servent_search_clear (sv);
  if (sv->hosts != NULL)
    sv_servent_save_hosts (sv);
  g_clear_pointer (&sv->host_store, sv_host_store_free);
  sv_servent_qrp_clear (sv);
  g_clear_pointer (&sv->library, sv_share_library_free);
  g_clear_pointer (&sv->share_qrp, sv_share_qrp_free);
  g_clear_pointer (&sv->pongs, sv_pong_cache_free);
  g_clear_pointer (&sv->router, sv_router_free);
  g_clear_pointer (&sv->proxied, g_hash_table_unref);
  sv_router_verdict_clear (&sv->verdict);
  g_clear_pointer (&sv->hosts, sv_host_cache_free);
  g_clear_pointer (&sv->alt_locs, sv_alt_locs_free);
  g_clear_pointer (&sv->hostile, sv_hostile_free);
  g_clear_pointer (&sv->policy, sv_conn_policy_free);
  g_clear_pointer (&sv->rand, g_rand_free);
  sv_local_addr_clear (&sv->local);
  g_free (sv->seeds);
  g_strfreev (sv->folders);
  g_clear_pointer (&sv->share_set, sv_share_set_free);
  g_free (sv->user_agent);
  g_free (sv->state_dir);
  g_main_context_unref (sv->context);
  g_free (sv);
}

/* --- Snapshots --- */

void
sv_servent_get_status (SvServent *sv, SvServentStatus *out)
{
  SvConnCounts counts;

  memset (out, 0, sizeof *out);
  out->guid = sv->guid;
  out->ultrapeer = sv->role == SV_CONN_ROLE_ULTRAPEER;
  out->port = sv->local.port;
  out->started_us = sv->started_us;
  sv_link_set_counts (sv->link_set, &counts);
  out->ultrapeers = counts.ultrapeers;
  out->leaves = counts.leaves;
  out->connecting = counts.connecting + sv->handshakes_in;
  out->host_cache_size = sv_host_cache_size (sv->hosts);
  out->route_entries = sv_route_table_size (sv_router_route_table (sv->router));
  out->push_routes = sv_push_route_size (sv_router_push_route (sv->router));
  sv_share_library_count (sv->library, &out->shared_files, &out->shared_bytes);
  out->scanning = !sv_share_library_is_idle (sv->library);
  out->searches = sv_servent_search_active_count (sv);
  out->counters = sv->counters;
  out->counters.peers_kicked = sv_link_set_kicked (sv->link_set);
  if (sv->listener != NULL)
    {
      SvListenerStats ls;

      sv_listener_get_stats (sv->listener, &ls);
      out->counters.sniff_evicted = ls.sniff_evicted;
      out->counters.sniff_timeouts = ls.sniff_timeouts;
      out->counters.sniff_refused = ls.rejected;
    }
  for (guint r = 0; r < SV_ROUTE_DROP_N_REASONS && r < G_N_ELEMENTS (out->counters.dropped); r++)
    out->counters.dropped[r] = sv_router_drop_count (sv->router, (SvRouteDropReason) r);
}

/* Rounded up, so that a table with any slot present never reads as empty. */
static guint
fill_permille (const SvQrpTable *t)
{
  guint64 slots = sv_qrp_table_slots (t);

  return (guint) (((guint64) sv_qrp_table_count (t) * 1000 + slots - 1) / slots);
}

static void
peer_clear (gpointer p)
{
  SvServentPeer *peer = p;
  g_free (peer->user_agent);
}

GArray *
sv_servent_get_peers (SvServent *sv)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SvServentPeer));
  SvLink *const *links;
  guint n_links;

  g_array_set_clear_func (out, peer_clear);
  links = sv_link_set_up (sv->link_set, &n_links);
  for (guint i = 0; i < n_links; i++)
    {
      SvLink *l = links[i];
      SvServentPeer p = { 0 };
      SvPeerConnStats st;
      const SvQrpTable *t;

      sv_peer_conn_get_stats (l->conn, &st);
      p.id = l->id;
      p.remote = l->remote;
      p.listen = l->listen;
      p.outgoing = l->outgoing;
      p.ultrapeer = l->ultrapeer;
      p.user_agent = g_strdup (l->user_agent);
      p.connected_us = l->established_us;
      p.deflate_in = l->deflate_in;
      p.deflate_out = l->deflate_out;
      p.bytes_in = st.bytes_in;
      p.bytes_out = st.bytes_out;
      p.wire_bytes_in = st.wire_bytes_in;
      p.wire_bytes_out = st.wire_bytes_out;
      p.msgs_in = st.msgs_in;
      p.msgs_out = st.msgs_out;
      p.queued_bytes = st.queued_bytes;
      t = sv_link_set_qrp (l);
      p.qrp_table = t != NULL;
      if (t != NULL)
        p.qrp_fill_permille = fill_permille (t);
      g_array_append_val (out, p);
    }
  return out;
}

void
sv_servent_get_shares (SvServent *sv, SvServentShares *out)
{
  SvShareStats st;

  memset (out, 0, sizeof *out);
  out->folders = g_strdupv (sv->folders);
  if (out->folders == NULL)
    out->folders = g_new0 (char *, 1);
  sv_share_library_count (sv->library, &out->files, &out->bytes);
  out->scanning = !sv_share_library_is_idle (sv->library);
  sv_share_library_get_stats (sv->library, &st);
  out->files_hashed = st.files_hashed;
  out->bytes_hashed = st.bytes_hashed;
  out->unreadable = st.unreadable;
  if (sv->our_table != NULL)
    out->qrp_fill_permille = fill_permille (sv->our_table);
}

void
sv_servent_shares_clear (SvServentShares *shares)
{
  g_clear_pointer (&shares->folders, g_strfreev);
}

/* The folder set changed: the library, the upload checks and what status shows follow. */
static void
folders_changed (SvServent *sv)
{
  g_strfreev (sv->folders);
  sv->folders = g_strdupv ((char **) sv_share_set_folders (sv->share_set));
  sv->cfg.shares = (const char *const *) sv->folders;
  sv_share_library_set_folders (sv->library, (const char *const *) sv->folders);
  if (sv->uploads != NULL)
    sv_uploads_set_folders (sv->uploads, (const char *const *) sv->folders);
}

void
sv_servent_reload (SvServent *sv, const SvServentConfig *config)
{
  SvHostile *old = sv->hostile;
  g_autoptr (GError) error = NULL;

  /* The hostile list, read again from the same file. */
  sv->hostile = NULL;
  if (load_hostile (sv, &error))
    {
      sv_host_cache_set_hostile (sv->hosts, sv->hostile);
      sv_hostile_free (old);
    }
  else
    {
      g_warning ("%s; the hostile list in use is kept", error->message);
      sv->hostile = old;
    }
  if (sv->uploads != NULL)
    sv_uploads_set_rate (sv->uploads, (guint64) config->upload_rate_kib * 1024);
  sv_share_set_set_configured (sv->share_set, config->shares);
  folders_changed (sv);   /* and a full scan of them */
}

gboolean
sv_servent_share_add (SvServent *sv, const char *folder, GError **error)
{
  if (!sv_share_set_add (sv->share_set, folder, error))
    return FALSE;
  g_message ("sharing %s", folder);
  folders_changed (sv);
  return TRUE;
}

gboolean
sv_servent_share_remove (SvServent *sv, const char *folder, GError **error)
{
  if (!sv_share_set_remove (sv->share_set, folder, error))
    return FALSE;
  g_message ("no longer sharing %s", folder);
  folders_changed (sv);
  return TRUE;
}

void
sv_servent_rescan (SvServent *sv)
{
  g_info ("rescan of the share folders queued");
  sv_share_library_rescan (sv->library);
}

SvDownloads *
sv_servent_downloads (SvServent *sv)
{
  return sv->downloads;
}

SvSyncs *
sv_servent_syncs (SvServent *sv)
{
  return sv->syncs;
}

SvUploads *
sv_servent_uploads (SvServent *sv)
{
  return sv->uploads;
}

void
sv_servent_connect_back_counters (SvServent *sv, SvConnectBackCounters *out)
{
  sv_connect_back_get_counters (sv->connect_back, out);
}

const char *
sv_servent_reachability (SvServent *sv, char *why, gsize why_len, SvHostAddr *announced)
{
  sv_local_addr_announced (&sv->local, announced);
  return sv_local_addr_verdict (&sv->local, g_get_monotonic_time (), why, why_len);
}

const char *
sv_servent_nat (SvServent *sv, char *why, gsize why_len)
{
  return sv_local_nat_name (sv_local_addr_nat (&sv->local, g_get_monotonic_time (), why, why_len));
}

guint
sv_download_sources_from_hit (SvDownloadSourceInfo out[2], const SvSearchHit *h)
{
  SvDownloadSourceInfo *src = &out[0];
  guint n = 0;

  /* A host reachable over IPv6 is asked there first (no NAT in the way); IPv4 stays a source
   * of its own, used when IPv6 fails. */
  if (h->addr6.family == SV_HOST_ADDR_IPV6 && !h->firewalled)
    {
      memset (&out[n], 0, sizeof out[n]);
      out[n].addr = h->addr6;
      out[n].servent = h->servent;
      out[n].index = h->index;
      n++;
    }
  src = &out[n++];
  memset (src, 0, sizeof *src);
  src->addr = h->addr;
  src->servent = h->servent;
  src->firewalled = h->firewalled;
  src->index = h->index;
  for (guint i = 0; i < h->n_push_proxies && src->n_proxies < SV_DOWNLOAD_PLAN_MAX_PROXIES; i++)
    src->proxies[src->n_proxies++] = h->push_proxies[i];
  for (guint i = 0; i < h->n_push_proxies6 && src->n_proxies < SV_DOWNLOAD_PLAN_MAX_PROXIES; i++)
    src->proxies[src->n_proxies++] = h->push_proxies6[i];
  return n;
}
