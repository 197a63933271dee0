/* downloads.c: the download service (see downloads.h). */
#include "config.h"

#include "downloads.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "download-store.h"
#include "http-client.h"
#include "relay-call.h"
#include "rendezvous-call.h"
#include "share-hash.h"

G_DEFINE_QUARK (sv-downloads-error-quark, sv_downloads_error)

#define TICK_MS             500
#define BUSY_RETRY_S        30      /* a 503 without Retry-After */
#define REQUERY_GAP_US      (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC) /* searches for sources */
#define MAX_SIZE            (G_GUINT64_CONSTANT (1) << 50)

typedef enum { ACTIVE, PAUSED, VERIFYING, COMPLETE, FAILED } State;

static const char *const state_names[] = { "active", "paused", "verifying", "complete", "failed" };

typedef struct _Download Download;

typedef struct {
  Download *d;
  guint source;
  guint64 request;          /* http-client id (0: none) */
  guint64 first, end;       /* the span asked for; first advances */
  gboolean push;            /* on a GIV socket, or one a rendezvous opened */
  const char *method;       /* what carries it: "direct", "push", "mapped" (a push answered
                             * through the port our NAT forwards), "simultaneous-open", "relay" */
  SvRendezvousCall *rendezvous; /* both firewalled: meeting at a push proxy (NULL: none) */
  SvRelayCall *relay;       /* … and when no direct connection came of it, its relay */
  SvHostAddr broker;        /* the push proxy met at */
  SvGuid token;             /* of the meeting (the relay call names it again) */
  guint punches;            /* rendezvous met whose punch found no way through */
  gboolean push_waiting;    /* PUSH sent, no GIV yet */
  gint64 push_deadline_us;
  guint retry_after;
  gboolean wrong;           /* the answer was not what was asked: the source is dropped */
  gboolean gone;            /* 404 / 410 */
  guint64 got;
  SvHostAddr addr;          /* where its connection goes (the relay, for a relayed one) */
} Fetch;

struct _Download {
  SvDownloads *dl;
  gint64 id;
  SvSha1 sha1;
  char *name;
  guint64 size;
  State state;
  char *partial;            /* path of the partial file */
  int fd;                   /* open while active (-1 otherwise) */
  char *path;               /* complete: where it went */
  char *dir;                /* (nullable) where it goes; NULL: the download folder */
  char *error;
  SvDownloadPlan *plan;
  GPtrArray *fetches;       /* (element-type Fetch) (owned) */
  gboolean dirty;           /* bytes written since the last save */
  guint64 rate_bytes;       /* bytes since the last rate sample */
  guint64 rate;
  const char *method;
  SvHostAddr from;          /* where the last bytes came from */
  gint64 started_us;        /* added or loaded in this run (monotonic) */
  gint64 first_byte_us;     /* the first bytes of this run arrived (0: none yet) */
  guint pushes_sent, pushes_answered;
  gint64 searched_us;       /* the last search by URN for more sources (0: none) */
  gboolean one_at_a_time;   /* after a SHA-1 mismatch from several sources */
  guint mismatches;         /* SHA-1 checks failed */
  GCancellable *verify;
};

struct _SvDownloads {
  SvDownloadsConfig cfg;
  char *state_dir, *download_dir, *partial_dir, *user_agent;
  SvDownloadStore *store;
  SvHttpClient *http;
  GPtrArray *downloads;     /* (element-type Download) (owned), oldest first */
  guint tick;
  gint64 saved_us;
};

static void schedule (Download *d);
static void fetch_free (gpointer data);
static void verify (Download *d);
static void find_sources (Download *d, gint64 now);

/* --- Helpers --- */

static void
set_state (Download *d, State state, const char *error_text)
{
  g_autoptr (GError) error = NULL;

  d->state = state;
  g_free (d->error);
  d->error = g_strdup (error_text);
  if (!sv_download_store_set_state (d->dl->store, d->id, state_names[state], d->path, d->error,
                                    &error))
    g_warning ("%s", error->message);
}

static void
close_partial (Download *d)
{
  if (d->fd >= 0)
    close (d->fd);
  d->fd = -1;
}

static gboolean
open_partial (Download *d)
{
  if (d->fd >= 0)
    return TRUE;
  d->fd = open (d->partial, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (d->fd < 0)
    {
      g_autofree char *msg = g_strdup_printf ("cannot open %s: %s", d->partial, g_strerror (errno));

      set_state (d, FAILED, msg);
      return FALSE;
    }
  return TRUE;
}

/* Syncs the partial file and stores the spans it holds. */
static void
save_progress (Download *d)
{
  g_autoptr (GArray) spans = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GError) error = NULL;

  if (!d->dirty)
    return;
  if (d->fd >= 0 && fdatasync (d->fd) != 0)
    {
      g_warning ("%s: sync: %s", d->partial, g_strerror (errno));
      return;
    }
  sv_download_plan_done_spans (d->plan, spans);
  if (!sv_download_store_set_done (d->dl->store, d->id, spans, &error))
    g_warning ("%s", error->message);
  d->dirty = FALSE;
}

static void
stop_fetches (Download *d)
{
  while (d->fetches->len > 0)
    {
      Fetch *f = g_ptr_array_index (d->fetches, d->fetches->len - 1);

      sv_download_plan_finish (d->plan, f->source, SV_DOWNLOAD_OUTCOME_OK, 0, g_get_monotonic_time ());
      g_ptr_array_remove_index (d->fetches, d->fetches->len - 1);
    }
}

static void
download_free (gpointer data)
{
  Download *d = data;

  if (d->verify != NULL)
    {
      g_cancellable_cancel (d->verify);
      g_object_unref (d->verify);
    }
  g_ptr_array_unref (d->fetches);
  close_partial (d);
  sv_download_plan_free (d->plan);
  g_free (d->name);
  g_free (d->partial);
  g_free (d->path);
  g_free (d->dir);
  g_free (d->error);
  g_free (d);
}

static Download *
find_id (SvDownloads *dl, gint64 id)
{
  for (guint i = 0; i < dl->downloads->len; i++)
    if (((Download *) g_ptr_array_index (dl->downloads, i))->id == id)
      return g_ptr_array_index (dl->downloads, i);
  return NULL;
}

static Download *
find_sha1 (SvDownloads *dl, const SvSha1 *sha1)
{
  for (guint i = 0; i < dl->downloads->len; i++)
    {
      Download *d = g_ptr_array_index (dl->downloads, i);

      if (memcmp (&d->sha1, sha1, sizeof *sha1) == 0)
        return d;
    }
  return NULL;
}

/* --- Fetching --- */

static void
fetch_free (gpointer data)
{
  Fetch *f = data;

  if (f->request != 0)
    sv_http_client_cancel (f->d->dl->http, f->request);
  sv_rendezvous_call_free (f->rendezvous);
  sv_relay_call_free (f->relay);
  g_free (f);
}

#define MAX_ALT_PER_ANSWER 16

static void add_source_to (Download *d, const SvDownloadSourceInfo *source);

/* Alternate locations a source names (X-Alt: "ip[:port], …") become sources; the next
 * scheduling round uses them. */
static void
learn_alt_locs (Download *d, const char *x_alt)
{
  g_auto (GStrv) items = g_strsplit (x_alt, ",", MAX_ALT_PER_ANSWER + 1);

  for (guint i = 0; items[i] != NULL && i < MAX_ALT_PER_ANSWER; i++)
    {
      const char *item = g_strstrip (items[i]);
      SvDownloadSourceInfo src = { 0 };

      if (sv_host_addr_parse (item, strlen (item), SV_HOST_ADDR_DEFAULT_PORT, &src.addr) == SV_STATUS_OK
          && src.addr.port != 0)
        add_source_to (d, &src);
    }
}

static gboolean
on_head (const SvHttpFetchHead *head, gpointer user_data)
{
  Fetch *f = user_data;
  Download *d = f->d;

  f->retry_after = head->retry_after;
  if (g_hash_table_lookup (head->headers, "x-alt") != NULL)
    learn_alt_locs (d, g_hash_table_lookup (head->headers, "x-alt"));
  if (head->status == 404 || head->status == 410)
    f->gone = TRUE;
  if (head->status < 200 || head->status > 299)
    return TRUE;   /* done() tells */
  if (head->has_sha1 && memcmp (&head->sha1, &d->sha1, sizeof head->sha1) != 0)
    {
      g_message ("download %s: the source offers another file", d->name);
      f->wrong = TRUE;
      return FALSE;
    }
  if (head->status == 206)
    {
      if (!head->has_range || head->range_first != f->first || head->range_total != d->size)
        {
          f->wrong = TRUE;
          return FALSE;
        }
      f->end = MIN (f->end, head->range_last + 1);
    }
  else if (f->first != 0 || (head->has_length && head->content_length != d->size))
    {
      /* A 200 is the whole file: only good for a span that starts at 0. */
      f->wrong = TRUE;
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_data (const guint8 *data, gsize len, gpointer user_data)
{
  Fetch *f = user_data;
  Download *d = f->d;
  guint64 want = f->end - f->first;
  gsize n = (gsize) MIN ((guint64) len, want);
  gsize off = 0;

  while (off < n)
    {
      ssize_t w = pwrite (d->fd, data + off, n - off, (off_t) (f->first + off));

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          g_autofree char *msg = g_strdup_printf ("cannot write %s: %s", d->partial,
                                                  g_strerror (errno));

          g_warning ("%s", msg);
          g_free (d->error);
          d->error = g_steal_pointer (&msg);
          return FALSE;
        }
      off += (gsize) w;
    }
  sv_download_plan_progress (d->plan, f->source, n);
  f->first += n;
  f->got += n;
  d->dirty = TRUE;
  d->rate_bytes += n;
  d->method = f->method;
  d->from = f->addr;
  if (d->first_byte_us == 0)
    d->first_byte_us = g_get_monotonic_time ();
  /* Past the span: stop here (the span is complete). */
  return n == len || f->first < f->end;
}

static void
on_done (guint status, const GError *error, gpointer user_data)
{
  Fetch *f = user_data;
  Download *d = f->d;
  SvDownloadOutcome outcome;
  char a[SV_HOST_ADDR_STRLEN];
  const SvDownloadSource *s = sv_download_plan_source (d->plan, f->source);

  f->request = 0;
  if (f->first >= f->end)
    outcome = SV_DOWNLOAD_OUTCOME_OK;
  else if (f->wrong)
    outcome = SV_DOWNLOAD_OUTCOME_BAD;
  else if (f->gone)
    outcome = SV_DOWNLOAD_OUTCOME_GONE;
  else if (status == 503)
    outcome = SV_DOWNLOAD_OUTCOME_BUSY;
  else if (f->got > 0)
    outcome = SV_DOWNLOAD_OUTCOME_CUT;
  else
    outcome = SV_DOWNLOAD_OUTCOME_FAILED;
  g_info ("download %s: %s %s: %s (%" G_GUINT64_FORMAT " bytes%s%s)", d->name,
          f->push ? "pushed source" : "source", sv_host_addr_format (&s->info.addr, TRUE, a),
          sv_download_outcome_name (outcome), f->got, error ? ", " : "", error ? error->message : "");
  if (d->dl->cfg.alt_locs != NULL && !s->info.firewalled)
    {
      /* A source that served this file is an alternate location for others; one that lied
       * or lost it is not. */
      if (outcome == SV_DOWNLOAD_OUTCOME_OK || outcome == SV_DOWNLOAD_OUTCOME_CUT)
        sv_alt_locs_add (d->dl->cfg.alt_locs, &d->sha1, &s->info.addr, d->dl->cfg.lan,
                         g_get_monotonic_time ());
      else if (outcome == SV_DOWNLOAD_OUTCOME_BAD || outcome == SV_DOWNLOAD_OUTCOME_GONE)
        sv_alt_locs_remove (d->dl->cfg.alt_locs, &d->sha1, &s->info.addr);
    }
  sv_download_plan_finish (d->plan, f->source, outcome,
                           f->retry_after > 0 ? f->retry_after : BUSY_RETRY_S, g_get_monotonic_time ());
  /* A pushed source that went away may come back by another route: look for it again. */
  if (f->push && outcome != SV_DOWNLOAD_OUTCOME_OK)
    find_sources (d, g_get_monotonic_time ());
  g_ptr_array_remove (d->fetches, f);
  schedule (d);
}

static const SvHttpFetchCallbacks fetch_callbacks = {
  .head = on_head,
  .data = on_data,
  .done = on_done,
};

/* Starts the GET of @f's span from @addr (over @fd when >= 0). */
static void
fetch_start (Fetch *f, const SvHostAddr *addr, int fd)
{
  Download *d = f->d;
  char host[SV_HOST_ADDR_STRLEN], urn[SV_URN_SHA1_LEN + 1];
  g_autofree char *url = NULL;
  g_autofree char *content_urn = NULL;
  SvHttpFetchOptions opt;
  const char *headers[3] = { NULL };

  f->addr = *addr;
  sv_host_addr_format (addr, TRUE, host);
  sv_urn_sha1_format (&d->sha1, urn);
  url = g_strdup_printf ("http://%s/uri-res/N2R?%s", host, urn);
  sv_http_fetch_options_init (&opt);
  opt.range_first = f->first;
  opt.range_length = f->end - f->first;
  opt.socket_fd = fd;
  content_urn = g_strdup_printf ("X-Gnutella-Content-URN: %s", urn);
  headers[0] = content_urn;
  headers[1] = "X-Features: queue/1.0";
  opt.headers = headers;
  f->request = sv_http_client_fetch (d->dl->http, url, &opt, &fetch_callbacks, f);
}

static void
on_proxy_done (guint status, const GError *error, gpointer user_data)
{
  g_info ("push proxy answered %u%s%s", status, error ? ": " : "", error ? error->message : "");
}

static const SvHttpFetchCallbacks proxy_callbacks = {
  .done = on_proxy_done,   /* the answer's body, if any, is not used */
};

/* Asks the push proxies of @s to relay a PUSH. Returns: how many were asked. */
static guint
ask_push_proxies (SvDownloads *dl, const SvDownloadSourceInfo *s)
{
  SvHostAddr me = { 0 };
  g_autofree char *id = sv_base32_encode (s->servent.b, SV_GUID_LEN);
  char me_text[SV_HOST_ADDR_STRLEN], proxy[SV_HOST_ADDR_STRLEN];
  g_autofree char *node = NULL;
  const char *headers[2] = { NULL, NULL };
  SvHttpFetchOptions opt;
  guint asked = 0;

  if (dl->cfg.host.announced == NULL || s->n_proxies == 0)
    return 0;
  dl->cfg.host.announced (&me, dl->cfg.host_data);
  if (me.family != SV_HOST_ADDR_IPV4 || me.port == 0)
    return 0;
  node = g_strdup_printf ("X-Node: %s", sv_host_addr_format (&me, TRUE, me_text));
  headers[0] = node;
  sv_http_fetch_options_init (&opt);
  opt.headers = headers;
  for (guint i = 0; i < s->n_proxies; i++)
    {
      g_autofree char *url = NULL;

      /* Each proxy once: at its IPv4 address (the PUSH names ours, an IPv4 one). */
      if (s->proxies[i].family != SV_HOST_ADDR_IPV4)
        continue;
      url = g_strdup_printf ("http://%s/gnutella/push-proxy?ServerId=%s&file=%u",
                             sv_host_addr_format (&s->proxies[i], TRUE, proxy), id, s->index);
      sv_http_client_fetch (dl->http, url, &opt, &proxy_callbacks, NULL);
      asked++;
    }
  return asked;
}

static void start_rendezvous (Download *d, Fetch *f);

/* No connection to the source came of a rendezvous or relay: give it up for now. */
static void
meeting_failed (Fetch *f, const char *what, const GError *error)
{
  Download *d = f->d;

  g_message ("download %s: %s with the firewalled source failed: %s", d->name, what,
             error != NULL ? error->message : "?");
  sv_download_plan_finish (d->plan, f->source, SV_DOWNLOAD_OUTCOME_FAILED, 0,
                           g_get_monotonic_time ());
  g_ptr_array_remove (d->fetches, f);
  schedule (d);
}

static void
on_relayed (int fd, GBytes *extra, const GError *error, gpointer user_data)
{
  Fetch *f = user_data;
  char a[SV_HOST_ADDR_STRLEN];

  g_clear_pointer (&f->relay, sv_relay_call_free);
  if (fd >= 0 && extra != NULL)
    {
      /* The uploader speaks only when asked: bytes before our request are not its. */
      g_autoptr (GError) e = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                          "bytes came through the relay before the request");
      close (fd);
      meeting_failed (f, "the relay", e);
      return;
    }
  if (fd < 0)
    {
      meeting_failed (f, "the relay", error);
      return;
    }
  f->d->pushes_answered++;
  f->method = "relay";
  g_info ("download %s: relayed by %s", f->d->name, sv_host_addr_format (&f->broker, TRUE, a));
  fetch_start (f, &f->broker, fd);
}

/* The broker answered and the punch ended: fetch on that connection; when the two met but could
 * not connect (NATs that change the port), have the broker relay; else give the source up. */
static void
on_rendezvous (int fd, const SvHostAddr *peer, const GError *error, gpointer user_data)
{
  Fetch *f = user_data;
  Download *d = f->d;
  char a[SV_HOST_ADDR_STRLEN];
  guint tries = sv_rendezvous_call_tries (f->rendezvous);
  gboolean met = sv_rendezvous_call_met (f->rendezvous);
  SvHostAddr to = *peer;    /* @peer belongs to the call */

  g_clear_pointer (&f->rendezvous, sv_rendezvous_call_free);
  if (fd < 0 && met && tries > 0 && ++f->punches < SV_DOWNLOADS_PUNCH_ROUNDS)
    {
      /* Gateways that answer an early SYN with RST leave connection-tracking entries behind
       * that can keep a pair of ports from ever meeting: meet again, with fresh ports. */
      g_message ("download %s: no direct connection to the firewalled source (%s); meeting "
                 "again", d->name, error != NULL ? error->message : "?");
      start_rendezvous (d, f);
      return;
    }
  if (fd < 0 && met)
    {
      const SvDownloadSource *s = sv_download_plan_source (d->plan, f->source);

      g_message ("download %s: no direct connection to the firewalled source (%s); asking %s "
                 "to relay", d->name, error != NULL ? error->message : "?",
                 sv_host_addr_format (&f->broker, TRUE, a));
      f->relay = sv_relay_call_start (&f->broker, &s->info.servent, &f->token, on_relayed, f);
      return;
    }
  if (fd < 0)
    {
      meeting_failed (f, "the rendezvous", error);
      return;
    }
  d->pushes_answered++;
  g_info ("download %s: simultaneous open with %s after %u tries", d->name,
          sv_host_addr_format (&to, TRUE, a), tries);
  fetch_start (f, &to, fd);
}

/* The push proxy to meet the source at, taking turns: over IPv6 for the first meeting when both
 * of us can (no NAT there, only stateful firewalls), else over IPv4. */
static SvHostAddr
pick_broker (const Download *d, const Fetch *f, const SvDownloadSourceInfo *s)
{
  guint family = SV_HOST_ADDR_IPV4, n = 0, pick;

  for (guint i = 0; f->punches == 0 && d->dl->cfg.ipv6 && i < s->n_proxies; i++)
    if (s->proxies[i].family == SV_HOST_ADDR_IPV6)
      family = SV_HOST_ADDR_IPV6;
  for (guint i = 0; i < s->n_proxies; i++)
    n += s->proxies[i].family == family;
  if (n == 0)
    return s->proxies[d->pushes_sent % s->n_proxies];
  pick = d->pushes_sent % n;
  for (guint i = 0; i < s->n_proxies; i++)
    if (s->proxies[i].family == family && pick-- == 0)
      return s->proxies[i];
  return s->proxies[0];
}

/* Both sides firewalled: meet the source at one of its push proxies (they take turns, one per
 * attempt) and open the connection by simultaneous open. */
static void
start_rendezvous (Download *d, Fetch *f)
{
  const SvDownloadSource *s = sv_download_plan_source (d->plan, f->source);

  f->broker = pick_broker (d, f, &s->info);
  for (guint i = 0; i < SV_GUID_LEN; i++)
    f->token.b[i] = (guint8) g_random_int_range (0, 256);
  f->push = TRUE;
  f->method = "simultaneous-open";
  d->pushes_sent++;
  f->rendezvous = sv_rendezvous_call_start (d->dl->http, &f->broker, &s->info.servent, &f->token,
                                            NULL, FALSE, on_rendezvous, f);
}

static void
send_push (Download *d, Fetch *f)
{
  SvDownloads *dl = d->dl;
  const SvDownloadSource *s = sv_download_plan_source (d->plan, f->source);

  f->push = TRUE;
  /* Through our NAT, the source's callback can only come by the port its gateway forwards. */
  f->method = dl->cfg.host.port_mapped != NULL && dl->cfg.host.port_mapped (dl->cfg.host_data)
              ? "mapped" : "push";
  f->push_waiting = TRUE;
  f->push_deadline_us = g_get_monotonic_time () + SV_DOWNLOADS_PUSH_WAIT_US;
  d->pushes_sent++;
  if (!sv_downloads_ask_push (dl, &s->info))
    f->push_deadline_us = 0;   /* no way to reach it: fails at the next tick */
}

gboolean
sv_downloads_ask_push (SvDownloads *dl, const SvDownloadSourceInfo *source)
{
  gboolean routed = dl->cfg.host.send_push (&source->servent, source->index, dl->cfg.host_data);
  guint proxies = ask_push_proxies (dl, source);

  return routed || proxies > 0;
}

/* Starts what the plan says, until it says wait. */
static void
schedule (Download *d)
{
  SvDownloads *dl = d->dl;
  gboolean firewalled = dl->cfg.host.firewalled (dl->cfg.host_data);

  if (d->state != ACTIVE)
    return;
  for (;;)
    {
      SvDownloadTask task;
      gint64 wake = 0;
      SvDownloadNext next = sv_download_plan_next (d->plan, g_get_monotonic_time (),
                                                   d->one_at_a_time ? 1 : 0, !firewalled,
                                                   &task, &wake);
      Fetch *f;

      if (next == SV_DOWNLOAD_NEXT_DONE)
        {
          if (d->fetches->len == 0)
            verify (d);
          return;
        }
      if (next == SV_DOWNLOAD_NEXT_NO_SOURCE)
        {
          if (d->fetches->len == 0)
            {
              save_progress (d);
              close_partial (d);
              set_state (d, FAILED, "no source left: every source failed or does not have the file");
            }
          return;
        }
      if (next == SV_DOWNLOAD_NEXT_UNREACHABLE)
        {
          if (d->fetches->len == 0)
            {
              save_progress (d);
              close_partial (d);
              set_state (d, FAILED, "both sides are firewalled: every source needs a PUSH and "
                                    "no host can reach us to answer it");
            }
          return;
        }
      if (next == SV_DOWNLOAD_NEXT_WAIT)
        return;
      if (!open_partial (d))
        return;
      f = g_new0 (Fetch, 1);
      f->d = d;
      f->source = task.source;
      f->first = task.first;
      f->end = task.first + task.length;
      f->method = "direct";
      g_ptr_array_add (d->fetches, f);
      if (!sv_download_plan_source (d->plan, task.source)->info.firewalled)
        fetch_start (f, &sv_download_plan_source (d->plan, task.source)->info.addr, -1);
      else if (firewalled)
        start_rendezvous (d, f);
      else
        send_push (d, f);
    }
}

/* --- Verification --- */

typedef struct {
  char *path;
  SvSha1 sha1;
  SvShareHashResult result;
  int err;
} VerifyJob;

static void
verify_job_free (VerifyJob *job)
{
  g_free (job->path);
  g_free (job);
}

static void
verify_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VerifyJob *job = task_data;
  SvShareStat st;

  job->result = sv_share_hash_file (job->path, NULL, &st, &job->sha1, NULL, NULL, &job->err);
  g_task_return_boolean (task, TRUE);
}

/* A free name for @name in @dir: "name", then "name (1)", … */
static char *
free_path (const char *dir, const char *name)
{
  g_autofree char *safe = g_strdelimit (g_strdup (name), "/", '_');
  const char *dot = strrchr (safe, '.');
  g_autofree char *stem = dot != NULL && dot != safe ? g_strndup (safe, (gsize) (dot - safe)) : g_strdup (safe);
  const char *ext = dot != NULL && dot != safe ? dot : "";

  if (safe[0] == '\0' || strcmp (safe, ".") == 0 || strcmp (safe, "..") == 0)
    {
      g_free (safe);
      safe = g_strdup ("download");
    }
  for (guint n = 0; n < 10000; n++)
    {
      g_autofree char *base = n == 0 ? g_strdup (safe) : g_strdup_printf ("%s (%u)%s", stem, n, ext);
      char *p = g_build_filename (dir, base, NULL);

      if (!g_file_test (p, G_FILE_TEST_EXISTS))
        return p;
      g_free (p);
    }
  return NULL;
}

/* Moves the verified partial file into the download folder. */
static gboolean
place (Download *d, GError **error)
{
  const char *dir = d->dir != NULL ? d->dir : d->dl->download_dir;
  g_autofree char *dest = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot create %s: %s",
                   dir, g_strerror (errno));
      return FALSE;
    }
  dest = free_path (dir, d->name);
  if (dest == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "no free name for %s", d->name);
      return FALSE;
    }
  if (rename (d->partial, dest) != 0)
    {
      g_autoptr (GFile) from = g_file_new_for_path (d->partial);
      g_autofree char *tmp = g_strdup_printf ("%s.servent-partial", dest);
      g_autoptr (GFile) to = g_file_new_for_path (tmp);

      if (errno != EXDEV)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot move %s to %s: %s",
                       d->partial, dest, g_strerror (errno));
          return FALSE;
        }
      /* Another file system: copy beside the target, then rename it into place. */
      if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
        return FALSE;
      if (rename (tmp, dest) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot rename %s: %s",
                       tmp, g_strerror (errno));
          return FALSE;
        }
      unlink (d->partial);
    }
  g_free (d->path);
  d->path = g_steal_pointer (&dest);
  return TRUE;
}

static void
on_verified (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = G_TASK (res);
  Download *d = user_data;
  VerifyJob *job = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (g_task_had_error (task) || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return;   /* freed meanwhile */
  g_clear_object (&d->verify);
  if (job->result == SV_SHARE_HASH_OK && memcmp (&job->sha1, &d->sha1, sizeof job->sha1) == 0)
    {
      if (!place (d, &error))
        {
          set_state (d, FAILED, error->message);
          return;
        }
      g_message ("download complete: %s (%" G_GUINT64_FORMAT " bytes, SHA-1 checked)", d->path, d->size);
      set_state (d, COMPLETE, NULL);
      return;
    }
  /* The bytes are not the file asked for: drop them. When one source sent them all, it lied and
   * is dropped; when several did, the next round fetches from one source at a time, so that the
   * next mismatch names the liar. */
  if (sv_download_plan_used (d->plan) == 1)
    {
      for (guint i = 0; i < sv_download_plan_n_sources (d->plan); i++)
        if (sv_download_plan_source (d->plan, i)->bytes > 0)
          {
            if (d->dl->cfg.alt_locs != NULL)
              sv_alt_locs_remove (d->dl->cfg.alt_locs, &d->sha1, &sv_download_plan_source (d->plan, i)->info.addr);
            sv_download_plan_finish (d->plan, i, SV_DOWNLOAD_OUTCOME_BAD, 0, g_get_monotonic_time ());
          }
      g_message ("download %s: the data failed the SHA-1 check; its source is dropped", d->name);
    }
  else
    {
      d->one_at_a_time = TRUE;
      g_message ("download %s: the data failed the SHA-1 check; fetching again from one source "
                 "at a time to find the one that lies", d->name);
    }
  d->mismatches++;
  sv_download_plan_reset (d->plan);
  if (ftruncate (d->fd, 0) != 0)
    g_warning ("%s: truncate: %s", d->partial, g_strerror (errno));
  d->dirty = TRUE;
  save_progress (d);
  d->state = ACTIVE;
  schedule (d);
}

static void
verify (Download *d)
{
  GTask *task;
  VerifyJob *job;

  if (d->state != ACTIVE)
    return;
  save_progress (d);
  d->state = VERIFYING;
  job = g_new0 (VerifyJob, 1);
  job->path = g_strdup (d->partial);
  d->verify = g_cancellable_new ();
  task = g_task_new (NULL, d->verify, on_verified, d);
  g_task_set_task_data (task, job, (GDestroyNotify) verify_job_free);
  g_task_run_in_thread (task, verify_thread);
  g_object_unref (task);
}

/* Asks the network for more sources of @d, at most once per REQUERY_GAP_US: a source whose push
 * went unanswered may have moved (its route changed, it restarted). */
static void
find_sources (Download *d, gint64 now)
{
  SvDownloads *dl = d->dl;

  if (dl->cfg.host.find_sources == NULL || (d->searched_us != 0 && now - d->searched_us < REQUERY_GAP_US))
    return;
  d->searched_us = now;
  dl->cfg.host.find_sources (&d->sha1, dl->cfg.host_data);
}

/* --- Tick: push timeouts, backoff wake-ups, saves, rates --- */

static gboolean
on_tick (gpointer user_data)
{
  SvDownloads *dl = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean save = now - dl->saved_us >= SV_DOWNLOADS_SAVE_US;

  for (guint i = 0; i < dl->downloads->len; i++)
    {
      Download *d = g_ptr_array_index (dl->downloads, i);

      for (guint j = 0; j < d->fetches->len;)
        {
          Fetch *f = g_ptr_array_index (d->fetches, j);

          if (f->push_waiting && now >= f->push_deadline_us)
            {
              g_message ("download %s: no GIV came back within %d s of the PUSH", d->name,
                         (int) (SV_DOWNLOADS_PUSH_WAIT_US / G_USEC_PER_SEC));
              sv_download_plan_finish (d->plan, f->source, SV_DOWNLOAD_OUTCOME_FAILED, 0, now);
              g_ptr_array_remove_index (d->fetches, j);
              find_sources (d, now);
              continue;
            }
          j++;
        }
      if (save)
        {
          d->rate = d->rate_bytes * G_USEC_PER_SEC / (guint64) MAX (now - dl->saved_us, 1);
          d->rate_bytes = 0;
          save_progress (d);
        }
      if (d->state == ACTIVE)
        schedule (d);
    }
  if (save)
    dl->saved_us = now;
  return G_SOURCE_CONTINUE;
}

/* --- Public API --- */

static Download *
download_new (SvDownloads *dl, gint64 id, const SvSha1 *sha1, const char *name, guint64 size,
              const char *dir)
{
  Download *d = g_new0 (Download, 1);
  char urn[SV_URN_SHA1_LEN + 1];

  d->dl = dl;
  d->id = id;
  d->started_us = g_get_monotonic_time ();
  d->sha1 = *sha1;
  d->name = g_strdup (name);
  d->dir = g_strdup (dir);
  d->size = size;
  d->fd = -1;
  d->plan = sv_download_plan_new (size);
  d->fetches = g_ptr_array_new_with_free_func (fetch_free);
  sv_urn_sha1_format (sha1, urn);
  d->partial = g_strdup_printf ("%s/%s.part", dl->partial_dir, urn + strlen (SV_URN_SHA1_PREFIX));
  g_ptr_array_add (dl->downloads, d);
  return d;
}

static void
resume_row (SvDownloads *dl, const SvDownloadRow *row)
{
  Download *d = download_new (dl, row->id, &row->sha1, row->name, row->size, row->dir);
  struct stat st;
  guint64 max_end = 0;

  d->path = g_strdup (row->path);
  d->error = g_strdup (row->error);
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (row->state, state_names[i]) == 0)
      d->state = (State) i;
  if (d->state == VERIFYING)
    d->state = ACTIVE;
  for (guint i = 0; i + 1 < row->done->len; i += 2)
    max_end = MAX (max_end, g_array_index (row->done, guint64, i + 1));
  /* Spans are only believed when the partial file holds them. */
  if (d->state != COMPLETE && (stat (d->partial, &st) != 0 || (guint64) st.st_size < max_end))
    max_end = G_MAXUINT64;
  if (max_end != G_MAXUINT64)
    for (guint i = 0; i + 1 < row->done->len; i += 2)
      sv_download_plan_mark_done (d->plan, g_array_index (row->done, guint64, i),
                                  g_array_index (row->done, guint64, i + 1)
                                      - g_array_index (row->done, guint64, i));
  for (guint i = 0; i < row->sources->len; i++)
    (void) sv_download_plan_add_source (d->plan, &g_array_index (row->sources, SvDownloadSourceInfo, i));
  if (d->state == ACTIVE)
    g_message ("download %s resumed: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes here",
               d->name, sv_download_plan_done_bytes (d->plan), d->size);
}

SvDownloads *
sv_downloads_new (const SvDownloadsConfig *config, GError **error)
{
  g_autoptr (GArray) rows = NULL;
  g_autofree char *db = NULL;
  SvDownloads *dl = g_new0 (SvDownloads, 1);

  dl->cfg = *config;
  dl->state_dir = g_strdup (config->state_dir);
  dl->download_dir = g_strdup (config->download_dir);
  dl->user_agent = g_strdup (config->user_agent);
  dl->cfg.state_dir = dl->state_dir;
  dl->cfg.download_dir = dl->download_dir;
  dl->cfg.user_agent = dl->user_agent;
  dl->partial_dir = g_build_filename (dl->state_dir, "partial", NULL);
  dl->downloads = g_ptr_array_new_with_free_func (download_free);
  if (g_mkdir_with_parents (dl->partial_dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot create %s: %s",
                   dl->partial_dir, g_strerror (errno));
      sv_downloads_free (dl);
      return NULL;
    }
  db = g_build_filename (dl->state_dir, "downloads.db", NULL);
  dl->store = sv_download_store_open (db, error);
  if (dl->store == NULL || (rows = sv_download_store_load (dl->store, error)) == NULL)
    {
      sv_downloads_free (dl);
      return NULL;
    }
  dl->http = sv_http_client_new (dl->user_agent);
  for (guint i = 0; i < rows->len; i++)
    resume_row (dl, &g_array_index (rows, SvDownloadRow, i));
  dl->saved_us = g_get_monotonic_time ();
  dl->tick = g_timeout_add (TICK_MS, on_tick, dl);
  return dl;
}

void
sv_downloads_free (SvDownloads *dl)
{
  if (dl == NULL)
    return;
  if (dl->tick != 0)
    g_source_remove (dl->tick);
  for (guint i = 0; i < dl->downloads->len; i++)
    {
      Download *d = g_ptr_array_index (dl->downloads, i);

      g_ptr_array_set_size (d->fetches, 0);
      if (dl->store != NULL)
        save_progress (d);
    }
  g_ptr_array_unref (dl->downloads);
  sv_http_client_free (dl->http);
  sv_download_store_free (dl->store);
  g_free (dl->partial_dir);
  g_free (dl->state_dir);
  g_free (dl->download_dir);
  g_free (dl->user_agent);
  g_free (dl);
}

static void
add_source_to (Download *d, const SvDownloadSourceInfo *source)
{
  g_autoptr (GError) error = NULL;

  if (sv_download_plan_add_source (d->plan, source) < 0)
    return;
  if (!sv_download_store_add_source (d->dl->store, d->id, source, &error))
    g_warning ("%s", error->message);
}

gint64
sv_downloads_add (SvDownloads *dl, const SvSha1 *sha1, const char *name, guint64 size,
                  const SvDownloadSourceInfo *sources, guint n, GError **error)
{
  return sv_downloads_add_to (dl, NULL, sha1, name, size, sources, n, error);
}

gint64
sv_downloads_add_to (SvDownloads *dl, const char *dir, const SvSha1 *sha1, const char *name,
                     guint64 size, const SvDownloadSourceInfo *sources, guint n, GError **error)
{
  Download *d = find_sha1 (dl, sha1);
  GError *e = NULL;
  gint64 id;

  if (d != NULL && d->state != COMPLETE && d->state != FAILED)
    {
      for (guint i = 0; i < n; i++)
        add_source_to (d, &sources[i]);
      schedule (d);
      return d->id;
    }
  if (d != NULL)
    {
      /* Asked again: start over. */
      (void) sv_download_store_remove (dl->store, d->id, NULL);
      g_ptr_array_remove (dl->downloads, d);
    }
  if (size == 0 || size > MAX_SIZE || name == NULL || name[0] == '\0')
    {
      g_set_error (error, SV_DOWNLOADS_ERROR, SV_DOWNLOADS_ERROR_INVALID,
                   "a download needs a name and a size between 1 byte and 1 PiB");
      return 0;
    }
  if (dl->downloads->len >= SV_DOWNLOADS_MAX)
    {
      g_set_error (error, SV_DOWNLOADS_ERROR, SV_DOWNLOADS_ERROR_FULL,
                   "%u downloads are kept; cancel finished ones first", SV_DOWNLOADS_MAX);
      return 0;
    }
  id = sv_download_store_add (dl->store, sha1, name, size, dir, &e);
  if (id == 0)
    {
      g_set_error (error, SV_DOWNLOADS_ERROR, SV_DOWNLOADS_ERROR_STORE, "%s", e->message);
      g_error_free (e);
      return 0;
    }
  d = download_new (dl, id, sha1, name, size, dir);
  unlink (d->partial);   /* a stale one from a forgotten download */
  for (guint i = 0; i < n; i++)
    add_source_to (d, &sources[i]);
  find_sources (d, g_get_monotonic_time ());
  g_message ("download %s (%" G_GUINT64_FORMAT " bytes) started with %u source(s)", name, size, n);
  schedule (d);
  return id;
}

void
sv_downloads_add_source (SvDownloads *dl, const SvSha1 *sha1, guint64 size,
                         const SvDownloadSourceInfo *source)
{
  Download *d = find_sha1 (dl, sha1);

  if (d == NULL || d->size != size || d->state == COMPLETE)
    return;
  add_source_to (d, source);
  if (d->state == ACTIVE)
    schedule (d);
}

gboolean
sv_downloads_giv (SvDownloads *dl, const SvGiv *giv, int fd, const SvHostAddr *remote)
{
  for (guint i = 0; i < dl->downloads->len; i++)
    {
      Download *d = g_ptr_array_index (dl->downloads, i);

      for (guint j = 0; j < d->fetches->len; j++)
        {
          Fetch *f = g_ptr_array_index (d->fetches, j);
          const SvDownloadSource *s = sv_download_plan_source (d->plan, f->source);

          if (!f->push_waiting || !sv_guid_equal (&s->info.servent, &giv->guid))
            continue;
          f->push_waiting = FALSE;
          d->pushes_answered++;
          g_info ("download %s: GIV from the source, fetching on that connection", d->name);
          fetch_start (f, remote, fd);
          return TRUE;
        }
    }
  close (fd);
  return FALSE;
}

static gboolean
not_found (gint64 id, GError **error)
{
  g_set_error (error, SV_DOWNLOADS_ERROR, SV_DOWNLOADS_ERROR_NOT_FOUND,
               "no download %" G_GINT64_FORMAT "; 'servent downloads' lists them", id);
  return FALSE;
}

gboolean
sv_downloads_pause (SvDownloads *dl, gint64 id, GError **error)
{
  Download *d = find_id (dl, id);

  if (d == NULL)
    return not_found (id, error);
  if (d->state != ACTIVE)
    return TRUE;
  stop_fetches (d);
  save_progress (d);
  close_partial (d);
  set_state (d, PAUSED, NULL);
  return TRUE;
}

gboolean
sv_downloads_resume (SvDownloads *dl, gint64 id, GError **error)
{
  Download *d = find_id (dl, id);

  if (d == NULL)
    return not_found (id, error);
  if (d->state != PAUSED && d->state != FAILED)
    return TRUE;
  /* Sources that failed get another chance; those that lied do not. */
  sv_download_plan_revive (d->plan);
  set_state (d, ACTIVE, NULL);
  schedule (d);
  return TRUE;
}

gboolean
sv_downloads_cancel (SvDownloads *dl, gint64 id, GError **error)
{
  Download *d = find_id (dl, id);
  GError *e = NULL;

  if (d == NULL)
    return not_found (id, error);
  if (!sv_download_store_remove (dl->store, id, &e))
    {
      g_set_error (error, SV_DOWNLOADS_ERROR, SV_DOWNLOADS_ERROR_STORE, "%s", e->message);
      g_error_free (e);
      return FALSE;
    }
  g_ptr_array_set_size (d->fetches, 0);
  close_partial (d);
  if (d->state != COMPLETE)
    unlink (d->partial);
  g_ptr_array_remove (dl->downloads, d);
  return TRUE;
}

void
sv_download_info_clear (SvDownloadInfo *info)
{
  g_clear_pointer (&info->name, g_free);
  g_clear_pointer (&info->path, g_free);
  g_clear_pointer (&info->dir, g_free);
  g_clear_pointer (&info->error, g_free);
}

static void
fill_info (Download *d, SvDownloadInfo *out)
{
  memset (out, 0, sizeof *out);
  out->id = d->id;
  out->sha1 = d->sha1;
  out->name = g_strdup (d->name);
  out->size = d->size;
  out->done = d->state == COMPLETE ? d->size : sv_download_plan_done_bytes (d->plan);
  out->state = state_names[d->state];
  out->path = g_strdup (d->path);
  out->dir = g_strdup (d->dir);
  out->error = g_strdup (d->error);
  out->rate = d->rate;
  out->sources = sv_download_plan_n_sources (d->plan);
  out->sources_alive = sv_download_plan_alive (d->plan, &out->sources_active);
  out->sources_used = sv_download_plan_used (d->plan);
  out->mismatches = d->mismatches;
  out->method = d->method;
  out->from = d->from;
  out->first_byte_ms = d->first_byte_us != 0
                       ? MAX ((guint64) (d->first_byte_us - d->started_us) / 1000, 1) : 0;
  out->pushes_sent = d->pushes_sent;
  out->pushes_answered = d->pushes_answered;
}

GArray *
sv_downloads_list (SvDownloads *dl)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SvDownloadInfo));

  g_array_set_clear_func (out, (GDestroyNotify) sv_download_info_clear);
  for (guint i = 0; i < dl->downloads->len; i++)
    {
      SvDownloadInfo info;

      fill_info (g_ptr_array_index (dl->downloads, i), &info);
      g_array_append_val (out, info);
    }
  return out;
}

gboolean
sv_downloads_get (SvDownloads *dl, gint64 id, SvDownloadInfo *out)
{
  Download *d = find_id (dl, id);

  if (d == NULL)
    return FALSE;
  fill_info (d, out);
  return TRUE;
}
