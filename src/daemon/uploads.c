/* uploads.c: the upload service (see uploads.h). */
#include "config.h"

#include "uploads.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "admission.h"
#include "giv.h"
#include "rate-window.h"
#include "token-bucket.h"
#include "fair-turns.h"
#include "msg-header.h"
#include "share-hits.h"
#include "share-hash.h"
#include "upload-conn.h"

#define MAX_CONNECTIONS      256    /* upload connections held at once (queued ones included) */
#define MAX_PER_ADDRESS      8      /* upload connections from one address */
#define MAX_PER_NET          32     /* ...from one IPv4 /24 or IPv6 /64 */
#define MAX_GIV_DIALS        16     /* GIV connections being dialled at once */
#define PUSH_WINDOW_US       (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC) /* per target address: */
#define PUSH_PER_WINDOW      16     /* call-backs at most in one window */
#define PUSH_TARGETS_KEPT    1024

typedef struct {
  SvUploads *ups;
  SvUploadConn *conn;
  SvHostAddr remote;
  gboolean holds_slot;
  gboolean dialling;            /* a GIV connection not answered yet */
  char *name;
  gint64 since_us;              /* adopted or dialled at (monotonic) */
} Upload;


struct _SvUploads {
  SvShareLibrary *library;
  char **roots;                 /* resolved share folders */
  char *server;
  gboolean lan;
  SvAltLocs *alt_locs;          /* (not owned) (nullable) */
  SvRendezvousBroker *broker;   /* (not owned) (nullable) */
  guint slots;                  /* upload slots, as LimeWire's queue header tells them */
  SvUploadPolicy *policy;
  GHashTable *uploads;          /* Upload set (owned) */
  SvRateWindow *push_targets;   /* call-backs per target address (PUSH_PER_WINDOW per window) */
  SvTokenBucket rate;           /* upload bytes per second, all connections (0: no limit) */
  SvFairTurns turns;            /* uploads waiting for the bucket, in order */
  void (*hit_own) (SvQueryHitOwn *own, gpointer user_data);
  gboolean (*proxy_push) (const SvGuid *guid, guint32 index, const SvHostAddr *to,
                          gpointer user_data);
  gpointer user_data;
  SvUploadsCounters counters;
};

static void
upload_free (gpointer data)
{
  Upload *u = data;

  if (u->holds_slot)
    sv_upload_policy_release (u->ups->policy, &u->remote);
  sv_fair_turns_forget (&u->ups->turns, u);
  sv_rendezvous_broker_forget (u->ups->broker, u->conn);
  sv_upload_conn_free (u->conn);
  g_free (u->name);
  g_free (u);
}

void
sv_uploads_set_rate (SvUploads *ups, guint64 rate)
{
  ups->rate.rate = rate;
}

void
sv_uploads_set_folders (SvUploads *ups, const char *const *folders)
{
  GPtrArray *roots = g_ptr_array_new ();

  for (guint i = 0; folders != NULL && folders[i] != NULL; i++)
    {
      char *r = realpath (folders[i], NULL);

      if (r != NULL)
        {
          g_ptr_array_add (roots, g_strdup (r));
          free (r);
        }
    }
  g_ptr_array_add (roots, NULL);
  g_strfreev (ups->roots);
  ups->roots = (char **) g_ptr_array_free (roots, FALSE);
}

SvUploads *
sv_uploads_new (const SvUploadsConfig *config)
{
  SvUploads *ups = g_new0 (SvUploads, 1);

  ups->library = config->library;
  ups->server = g_strdup (config->server);
  ups->lan = config->lan;
  ups->alt_locs = config->alt_locs;
  ups->broker = config->broker;
  ups->slots = config->policy.max_slots != 0 ? config->policy.max_slots : SV_UPLOAD_POLICY_DEFAULT_SLOTS;
  ups->policy = sv_upload_policy_new (&config->policy);
  /* At least 16 KiB held, so that a low limit still lets a whole chunk go at once. */
  sv_token_bucket_init (&ups->rate, config->rate, 16384, 0);
  sv_fair_turns_init (&ups->turns);
  ups->hit_own = config->hit_own;
  ups->proxy_push = config->proxy_push;
  ups->user_data = config->user_data;
  sv_uploads_set_folders (ups, config->folders);
  ups->uploads = g_hash_table_new_full (g_direct_hash, g_direct_equal, upload_free, NULL);
  ups->push_targets = sv_rate_window_new (PUSH_PER_WINDOW, PUSH_WINDOW_US, PUSH_TARGETS_KEPT);
  return ups;
}

void
sv_uploads_free (SvUploads *ups)
{
  if (ups == NULL)
    return;
  g_hash_table_unref (ups->uploads);   /* each upload leaves the line */
  sv_fair_turns_clear (&ups->turns);
  sv_rate_window_free (ups->push_targets);
  sv_upload_policy_free (ups->policy);
  g_strfreev (ups->roots);
  g_free (ups->server);
  g_free (ups);
}

/* TRUE if @path lies inside one of the share folders. */
static gboolean
inside_share (SvUploads *ups, const char *path)
{
  for (guint i = 0; ups->roots[i] != NULL; i++)
    {
      gsize n = strlen (ups->roots[i]);

      if (strncmp (path, ups->roots[i], n) == 0 && (path[n] == '/' || n == 1))
        return TRUE;
    }
  return FALSE;
}

/* Opens the indexed file @row and checks it by its descriptor. Returns: the descriptor, or -1
 * with *@code set (404) and the reason counted. */
static int
open_indexed (SvUploads *ups, const SvShareDbRow *row)
{
  int fd = open (row->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  struct stat st;
  SvShareStat now;
  char proc[64], resolved[PATH_MAX + 1];
  ssize_t n;

  if (fd < 0)
    {
      sv_share_library_notify_path (ups->library, row->path);
      return -1;
    }
  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  n = readlink (proc, resolved, sizeof resolved - 1);
  if (n <= 0 || (gsize) n >= sizeof resolved - 1)
    goto refuse;
  resolved[n] = '\0';
  if (!inside_share (ups, resolved))
    {
      ups->counters.outside++;
      g_message ("upload refused: %s now leads outside the shares", row->path);
      goto refuse;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    goto refuse;
  sv_share_stat_from (&now, &st);
  if (!sv_share_stat_equal (&now, &row->st))
    {
      ups->counters.changed++;
      g_info ("upload refused: %s changed since it was indexed; hashing it again", row->path);
      sv_share_library_notify_path (ups->library, row->path);
      goto refuse;
    }
  return fd;

refuse:
  close (fd);
  return -1;
}

/* Finds the file @req names. Returns: TRUE with @row filled (clear it). */
static gboolean
find_file (SvUploads *ups, const SvGnetHttpRequest *req, SvShareDbRow *row)
{
  guint64 index;

  if (req->target == SV_GNET_HTTP_TARGET_INDEX)
    index = req->index;
  else if (req->target == SV_GNET_HTTP_TARGET_SHA1)
    {
      g_autoptr (GArray) found = sv_share_library_query_sha1 (ups->library, &req->sha1, 1);

      if (found == NULL || found->len == 0)
        return FALSE;
      index = g_array_index (found, SvShareResult, 0).index;
    }
  else
    return FALSE;
  if (!sv_share_library_get (ups->library, index, row))
    return FALSE;
  if (!row->has_sha1)
    {
      sv_share_db_row_clear (row);
      return FALSE;
    }
  return TRUE;
}

/* A queued requester is told its place: LimeWire's active queue to a client that asked for it
 * ("X-Queue: 0.1": it asks again between pollMin and pollMax seconds on the same connection),
 * else PARQ (X-Queue 1.0) as gtk-gnutella reads it. */
static void
add_queue_headers (GString *h, const char *x_queue, guint position, guint length, guint slots,
                   guint retry)
{
  if (x_queue != NULL && g_str_has_prefix (x_queue, "0."))
    g_string_append_printf (h, "X-Queue: position=%u, length=%u, limit=%u, pollMin=%u, pollMax=%u\r\n",
                            position, length, slots, retry, retry * 2);
  else
    g_string_append_printf (h, "X-Queue: 1.0\r\nX-Queued: position=%u; length=%u; lifetime=%u\r\n",
                            position, length, retry * 2);
}

/* What an answer about one of our files says besides the file: other hosts that have it (X-Alt,
 * never the requester itself) and, when we are firewalled, how to reach us again by PUSH
 * (X-Push-Proxy, and gtk-gnutella's X-FW-Node-Info: GUID; our port:IP; the proxies). */
static void
add_file_headers (SvUploads *ups, GString *h, const SvSha1 *sha1, const SvHostAddr *requester)
{
  SvQueryHitOwn own = { 0 };
  g_autofree char *alt = NULL;

  if (ups->alt_locs != NULL
      && (alt = sv_alt_locs_header (ups->alt_locs, sha1, requester, SV_UPLOADS_ALT_PER_ANSWER)) != NULL)
    g_string_append_printf (h, "X-Alt: %s\r\n", alt);
  if (ups->hit_own == NULL)
    return;
  ups->hit_own (&own, ups->user_data);
  if (!own.firewalled)
    return;
  {
    char guid[SV_GUID_HEX_LEN + 1];
    g_autoptr (GPtrArray) proxies = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < own.n_push_proxies; i++)
      g_ptr_array_add (proxies, g_strdup_printf ("%u.%u.%u.%u:%u", own.push_proxies[i].ip[0],
                                                 own.push_proxies[i].ip[1], own.push_proxies[i].ip[2],
                                                 own.push_proxies[i].ip[3], own.push_proxies[i].port));
    g_ptr_array_add (proxies, NULL);
    sv_guid_to_hex (&own.servent, guid);
    g_string_append_printf (h, "X-FW-Node-Info: %s;%u:%u.%u.%u.%u", guid, own.port, own.ip[0],
                            own.ip[1], own.ip[2], own.ip[3]);
    for (guint i = 0; i < own.n_push_proxies; i++)
      g_string_append_printf (h, ";%s", (const char *) proxies->pdata[i]);
    g_string_append (h, "\r\n");
    if (own.n_push_proxies > 0)
      {
        g_autofree char *list = g_strjoinv (", ", (char **) proxies->pdata);
        g_string_append_printf (h, "X-Push-Proxy: %s\r\n", list);
      }
  }
}

/* Browse host: every shared file as QueryHit messages. Returns: (transfer full) the body. */
static GBytes *
browse_body (SvUploads *ups, gboolean deflate)
{
  g_autoptr (SvShareBrowse) it = sv_share_browse_new (ups->library);
  g_autoptr (GArray) results = sv_share_results_new ();
  g_autoptr (GPtrArray) payloads = NULL;
  g_autoptr (GByteArray) body = g_byte_array_new ();
  SvQueryHitOwn own = { 0 };
  SvShareResult r;

  if (ups->hit_own != NULL)
    ups->hit_own (&own, ups->user_data);
  own.urn_style = SV_QUERYHIT_URN_HUGE;
  own.browse_host = TRUE;
  while (results->len < SV_UPLOADS_BROWSE_MAX_FILES && sv_share_browse_next (it, &r))
    g_array_append_val (results, r);
  payloads = sv_share_hits_build (&own, (const SvShareResult *) (const void *) results->data,
                                  results->len);
  for (guint i = 0; i < payloads->len; i++)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (payloads->pdata[i], &len);
      SvMsgHeader h = { 0 };
      guint8 head[SV_MSG_HEADER_SIZE];

      for (guint j = 0; j < sizeof h.guid.b; j++)
        h.guid.b[j] = (guint8) g_random_int_range (0, 256);
      h.type = SV_MSG_QUERYHIT;
      h.ttl = 1;
      h.length = (guint32) len;
      sv_msg_header_encode (&h, head);
      g_byte_array_append (body, head, sizeof head);
      g_byte_array_append (body, p, (guint) len);
    }
  if (deflate)
    {
      uLongf out_len = compressBound (body->len);
      guint8 *out = g_malloc (out_len);

      if (compress2 (out, &out_len, body->data, body->len, 6) == Z_OK)
        return g_bytes_new_take (out, out_len);
      g_free (out);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static void
on_request (SvUploadConn *conn, const SvGnetHttpRequest *req, SvUploadReply *reply,
            gpointer user_data)
{
  Upload *u = user_data;
  SvUploads *ups = u->ups;
  SvShareDbRow row = { 0 };
  guint position = 0, retry = 0;
  gint64 now = g_get_monotonic_time ();
  SvUploadAdmit admit;
  int fd;

  u->dialling = FALSE;
  ups->counters.requests++;
  reply->headers = g_string_new ("X-Features: browse/1.0, queue/1.0\r\n");
  if (req->target == SV_GNET_HTTP_TARGET_PUSH_PROXY)
    {
      SvHostAddr to;

      /* Where the leaf is to connect: the requester's X-Node (its listening address). */
      if (req->x_node == NULL
          || sv_host_addr_parse (req->x_node, strlen (req->x_node), 0, &to) != SV_STATUS_OK
          || to.port == 0 || !sv_host_addr_is_connectable (&to, ups->lan))
        {
          ups->counters.proxy_refused++;
          reply->code = 400;
          return;
        }
      if (ups->proxy_push == NULL
          || !ups->proxy_push (&req->push_guid, req->push_has_file ? req->index : 0, &to, ups->user_data))
        {
          ups->counters.proxy_refused++;
          reply->code = 404;
          return;
        }
      ups->counters.proxy_pushes++;
      reply->code = 202;
      return;
    }
  if (req->target == SV_GNET_HTTP_TARGET_RENDEZVOUS || req->target == SV_GNET_HTTP_TARGET_RELAY)
    {
      if (ups->broker != NULL)
        sv_rendezvous_broker_request (ups->broker, conn, req, reply);
      else
        reply->code = 404;
      return;
    }
  if (req->target == SV_GNET_HTTP_TARGET_BROWSE)
    {
      ups->counters.browses++;
      reply->code = 200;
      reply->body = browse_body (ups, req->accept_deflate);
      reply->content_type = "application/x-gnutella-packets";
      if (req->accept_deflate)
        g_string_append (reply->headers, "Content-Encoding: deflate\r\n");
      return;
    }
  if (!find_file (ups, req, &row))
    {
      ups->counters.not_found++;
      reply->code = 404;
      return;
    }
  reply->has_sha1 = TRUE;
  reply->sha1 = row.sha1;
  if (ups->alt_locs != NULL && req->x_alt != NULL)
    sv_alt_locs_add_header (ups->alt_locs, &row.sha1, req->x_alt, ups->lan, now);
  add_file_headers (ups, reply->headers, &row.sha1, &u->remote);
  admit = sv_upload_policy_admit (ups->policy, &u->remote, &row.sha1, now, &position, &retry);
  if (admit != SV_UPLOAD_SERVE)
    {
      ups->counters.refused_busy++;
      reply->code = 503;
      reply->retry_after = retry;
      if (admit == SV_UPLOAD_QUEUED)
        add_queue_headers (reply->headers, req->x_queue, position,
                           sv_upload_policy_queued (ups->policy, now), ups->slots, retry);
      sv_share_db_row_clear (&row);
      return;
    }
  u->holds_slot = TRUE;
  fd = open_indexed (ups, &row);
  if (fd < 0)
    {
      ups->counters.not_found++;
      reply->code = 404;
      reply->has_sha1 = FALSE;
      sv_share_db_row_clear (&row);
      return;
    }
  reply->code = 200;
  reply->fd = fd;
  reply->size = row.st.size;
  g_free (u->name);
  u->name = g_path_get_basename (row.path);
  sv_share_db_row_clear (&row);
}

static void
on_answered (SvUploadConn *conn, guint code, guint64 body_bytes, gboolean complete,
             gpointer user_data)
{
  Upload *u = user_data;
  SvUploads *ups = u->ups;

  ups->counters.body_bytes += body_bytes;
  if (code == 200 || code == 206)
    {
      ups->counters.served++;
      if (complete)
        ups->counters.completed++;
    }
  else if (code >= 400 && code < 500 && code != 404 && code != 416)
    ups->counters.bad_request++;
  /* The slot goes back after each answer; the next request on the connection asks again, so a
   * client keeping its connection cannot starve the queue. */
  if (u->holds_slot)
    {
      sv_upload_policy_release (ups->policy, &u->remote);
      u->holds_slot = FALSE;
    }
}

/* A relay call, answered: its socket now belongs to the broker's splice. */
static void
on_detached (SvUploadConn *conn, int fd, gpointer user_data)
{
  Upload *u = user_data;

  sv_rendezvous_broker_detached (u->ups->broker, conn, fd);
}

static void
on_closed (SvUploadConn *conn, const char *reason, gpointer user_data)
{
  Upload *u = user_data;

  if (u->dialling)
    u->ups->counters.push_connect_failed++;
  g_debug ("upload connection closed: %s", reason);
  g_hash_table_remove (u->ups->uploads, u);
}

/* The bandwidth limit: one token bucket for every upload, holding at most a tenth of a
 * second's worth (so that a burst after a pause stays short). When it runs short the uploads
 * take turns (core/fair-turns), so that one that keeps its connection busy cannot starve the
 * others: a small file behind a big one. */
static guint64
on_budget (SvUploadConn *conn, guint64 want, gpointer user_data)
{
  Upload *u = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 avail = sv_token_bucket_available (&u->ups->rate, want, now);

  if (u->ups->rate.rate == 0)
    return avail;
  return sv_fair_turns_ask (&u->ups->turns, u, sv_upload_conn_grant_usable (want, avail), now)
         ? avail : 0;
}

static void
on_spent (SvUploadConn *conn, guint64 bytes, gpointer user_data)
{
  Upload *u = user_data;

  sv_token_bucket_spend (&u->ups->rate, bytes);
}

static const SvUploadConnCallbacks conn_callbacks = {
  .request = on_request,
  .answered = on_answered,
  .budget = on_budget,
  .spent = on_spent,
  .detached = on_detached,
  .closed = on_closed,
};

static Upload *
upload_new (SvUploads *ups, const SvHostAddr *remote)
{
  Upload *u = g_new0 (Upload, 1);

  u->ups = ups;
  u->remote = *remote;
  u->since_us = g_get_monotonic_time ();
  g_hash_table_add (ups->uploads, u);
  return u;
}

/* GIV connections being dialled that have not seen a request yet. */
static guint
dialling (SvUploads *ups)
{
  GHashTableIter it;
  gpointer key;
  guint n = 0;

  g_hash_table_iter_init (&it, ups->uploads);
  while (g_hash_table_iter_next (&it, &key, NULL))
    n += ((Upload *) key)->dialling;
  return n;
}

/* How far an upload connection has got: nothing yet, a request head begun, answered at least
 * once (or sending). The last is never closed to make room. */
enum { PROGRESS_NONE, PROGRESS_HEAD, PROGRESS_ANSWERED };

static guint
upload_progress (const Upload *u)
{
  SvUploadConnInfo info;

  sv_upload_conn_get_info (u->conn, &info);
  if (info.requests > 0 || info.sending || info.pushed)
    return PROGRESS_ANSWERED;
  return info.head_started ? PROGRESS_HEAD : PROGRESS_NONE;
}

static void
describe_upload (gconstpointer key, SvAdmissionEntry *out)
{
  const Upload *u = key;

  *out = (SvAdmissionEntry) { u->remote, u->since_us, upload_progress (u) };
}

/* Whether a connection from @remote may be served: an address and its network get a share of
 * the connections, and when all are held the one that has sent the least of a first request for
 * the longest is closed to make room (core/admission.h). Returns: FALSE to refuse it. */
static gboolean
make_room (SvUploads *ups, const SvHostAddr *remote)
{
  static const SvAdmissionConfig ac = {
    .max = MAX_CONNECTIONS,
    .per_addr = MAX_PER_ADDRESS,
    .per_net = MAX_PER_NET,
    .protect = PROGRESS_ANSWERED,
  };
  gpointer victim = NULL;

  switch (sv_admission_decide_in (&ac, ups->uploads, describe_upload, remote, &victim))
    {
    case SV_ADMISSION_OK:
      return TRUE;
    case SV_ADMISSION_EVICT:
      ups->counters.evicted++;
      g_hash_table_remove (ups->uploads, victim);
      return TRUE;
    default:
      return FALSE;
    }
}

void
sv_uploads_adopt (SvUploads *ups, GSocketConnection *connection, const SvHostAddr *remote,
                  const guint8 *prefix, gsize prefix_len)
{
  Upload *u;

  if (!make_room (ups, remote))
    {
      ups->counters.refused_busy++;
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }
  u = upload_new (ups, remote);
  u->conn = sv_upload_conn_adopt (connection, prefix, prefix_len, ups->server, &conn_callbacks, u);
}

gboolean
sv_uploads_push (SvUploads *ups, const SvPush *push, const SvGuid *self, const SvHostAddr *local,
                 gint64 now_us)
{
  SvHostAddr target;
  g_autoptr (GByteArray) giv = g_byte_array_new ();
  g_autoptr (GBytes) giv_bytes = NULL;
  char a[SV_HOST_ADDR_STRLEN];
  Upload *u;

  if (push->has_ipv6)
    sv_host_addr_set_ipv6 (&target, push->ipv6, push->port);
  else
    sv_host_addr_set_ipv4 (&target, push->ip, push->port);
  if (target.port == 0 || !sv_host_addr_is_connectable (&target, ups->lan)
      || dialling (ups) >= MAX_GIV_DIALS || g_hash_table_size (ups->uploads) >= MAX_CONNECTIONS
      || !sv_rate_window_take (ups->push_targets, &target, 0, now_us))
    {
      ups->counters.pushes_refused++;
      g_debug ("PUSH to %s refused", sv_host_addr_format (&target, TRUE, a));
      return FALSE;
    }
  if (!sv_giv_build (push->file_index, self, "file", giv))
    return FALSE;
  giv_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&giv));
  ups->counters.pushes_honoured++;
  u = upload_new (ups, &target);
  u->dialling = TRUE;
  g_info ("PUSH: calling %s back with GIV", sv_host_addr_format (&target, TRUE, a));
  u->conn = sv_upload_conn_connect_giv (&target, local, giv_bytes, ups->server, &conn_callbacks, u);
  return TRUE;
}

void
sv_uploads_get_counters (SvUploads *ups, SvUploadsCounters *out)
{
  *out = ups->counters;
}

void
sv_upload_info_clear (SvUploadInfo *info)
{
  g_clear_pointer (&info->name, g_free);
}

GArray *
sv_uploads_list (SvUploads *ups, guint *queued)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SvUploadInfo));
  GHashTableIter it;
  gpointer key;

  g_array_set_clear_func (out, (GDestroyNotify) sv_upload_info_clear);
  g_hash_table_iter_init (&it, ups->uploads);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      Upload *u = key;
      SvUploadConnInfo ci;
      SvUploadInfo info = { 0 };

      sv_upload_conn_get_info (u->conn, &ci);
      info.remote = u->remote;
      info.name = g_strdup (u->name);
      info.offset = ci.offset;
      info.end = ci.end;
      info.body_bytes = ci.body_bytes;
      info.pushed = ci.pushed;
      g_array_append_val (out, info);
    }
  if (queued != NULL)
    *queued = sv_upload_policy_queued (ups->policy, g_get_monotonic_time ());
  return out;
}
