/* bootstrap.c: asking UDP host caches and GWebCaches for hosts (see bootstrap.h). */
#include "config.h"

#include "bootstrap.h"

#include <string.h>

#include "bootstrap-list.h"
#include "gwc.h"
#include "http-client.h"
#include "socket-addr.h"

typedef struct {
  SvBootstrapEntry entry;
  char *text;              /* as written, for logs */
  gint64 next_us;          /* not asked before this (0: at once) */
} Source;

struct _SvBootstrap {
  GPtrArray *sources;      /* (element-type Source) (owned) */
  SvHttpClient *http;
  SvBootstrapCallbacks cb;
  gpointer user_data;
  GCancellable *cancel;    /* name lookups */
  guint64 request;         /* the GWebCache request in flight (0: none) */
  Source *asking;          /* its source */
  guint resolving;         /* name lookups in flight */
  gint64 last_ask_us;
  guint next;              /* where the round robin goes on */
};

typedef struct {
  SvBootstrap *b;
  Source *src;
  guint16 port;
} Lookup;

static void
source_free (gpointer p)
{
  Source *s = p;

  sv_bootstrap_entry_clear (&s->entry);
  g_free (s->text);
  g_free (s);
}

static gboolean
has_source (SvBootstrap *b, const char *text)
{
  for (guint i = 0; i < b->sources->len; i++)
    if (g_ascii_strcasecmp (((Source *) b->sources->pdata[i])->text, text) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
add_source (SvBootstrap *b, const char *text)
{
  Source *s;

  if (b->sources->len >= SV_BOOTSTRAP_MAX_ENTRIES || has_source (b, text))
    return FALSE;
  s = g_new0 (Source, 1);
  if (sv_bootstrap_entry_parse (text, &s->entry) != SV_STATUS_OK)
    {
      g_warning ("bootstrap: '%s' is neither uhc:HOST:PORT nor an http(s) URL; skipped", text);
      g_free (s);
      return FALSE;
    }
  s->text = sv_bootstrap_entry_to_string (&s->entry);
  g_ptr_array_add (b->sources, s);
  return TRUE;
}

SvBootstrap *
sv_bootstrap_new (const char *const *entries, const SvHostAddr *uhcs, guint n_uhcs,
                  const char *user_agent, const SvBootstrapCallbacks *callbacks, gpointer user_data)
{
  SvBootstrap *b = g_new0 (SvBootstrap, 1);

  b->sources = g_ptr_array_new_with_free_func (source_free);
  b->cb = *callbacks;
  b->user_data = user_data;
  b->cancel = g_cancellable_new ();
  for (guint i = 0; i < n_uhcs; i++)
    {
      char a[SV_HOST_ADDR_STRLEN];
      g_autofree char *text = g_strdup_printf ("uhc:%s", sv_host_addr_format (&uhcs[i], TRUE, a));

      add_source (b, text);
    }
  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    add_source (b, entries[i]);
  b->http = sv_http_client_new (user_agent);
  return b;
}

void
sv_bootstrap_free (SvBootstrap *b)
{
  if (b == NULL)
    return;
  g_cancellable_cancel (b->cancel);
  g_clear_object (&b->cancel);
  sv_http_client_free (b->http);
  g_ptr_array_unref (b->sources);
  g_free (b);
}

guint
sv_bootstrap_size (const SvBootstrap *b)
{
  return b->sources->len;
}

gboolean
sv_bootstrap_pending (const SvBootstrap *b, gint64 now_us)
{
  if (b->request != 0 || b->resolving > 0)
    return TRUE;
  for (guint i = 0; i < b->sources->len; i++)
    if (((Source *) b->sources->pdata[i])->next_us <= now_us)
      return TRUE;
  return FALSE;
}

/* --- UDP host caches --- */

static void
on_resolved (GObject *resolver, GAsyncResult *res, gpointer user_data)
{
  Lookup *lk = user_data;
  g_autoptr (GError) error = NULL;
  GList *addrs = g_resolver_lookup_by_name_finish (G_RESOLVER (resolver), res, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (lk);   /* the bootstrap is gone */
      return;
    }
  lk->b->resolving--;
  if (addrs == NULL)
    g_message ("bootstrap: %s: %s", lk->src->text, error != NULL ? error->message : "no address");
  else
    {
      gboolean sent = FALSE;

      /* In the order the system prefers, the first we can send to. */
      for (GList *it = addrs; it != NULL && !sent; it = it->next)
        {
          SvHostAddr to;

          if (!sv_socket_addr_inet_to_host (it->data, lk->port, &to))
            continue;
          sent = lk->b->cb.ask_uhc (&to, lk->b->user_data);
        }
      if (!sent)
        g_message ("bootstrap: %s: no address we can send to", lk->src->text);
      g_resolver_free_addresses (addrs);
    }
  g_free (lk);
}

static void
ask_uhc (SvBootstrap *b, Source *s)
{
  g_autoptr (GResolver) resolver = NULL;
  Lookup *lk;
  SvHostAddr to;

  /* An address needs no lookup. */
  if (sv_host_addr_parse_ip (s->entry.host, strlen (s->entry.host), &to) == SV_STATUS_OK)
    {
      to.port = s->entry.port;
      if (!b->cb.ask_uhc (&to, b->user_data))
        g_message ("bootstrap: %s: no socket of that address family", s->text);
      return;
    }
  lk = g_new0 (Lookup, 1);
  lk->b = b;
  lk->src = s;
  lk->port = s->entry.port;
  b->resolving++;
  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, s->entry.host, b->cancel, on_resolved, lk);
}

/* --- GWebCaches --- */

static void
on_gwc (guint status, GBytes *body, const GError *error, gpointer user_data)
{
  SvBootstrap *b = user_data;
  Source *s = b->asking;
  SvGwcAnswer a;
  guint added = 0;
  gsize len;
  const guint8 *data;

  b->request = 0;
  b->asking = NULL;
  s->next_us = g_get_monotonic_time () + SV_BOOTSTRAP_GWC_AGAIN_US;
  if (error != NULL)
    {
      g_message ("bootstrap: %s: %s", s->text, error->message);
      return;
    }
  data = g_bytes_get_data (body, &len);
  if (sv_gwc_parse (data, len, &a) != SV_STATUS_OK)
    return;
  for (guint i = 0; i < a.n_urls; i++)
    if (add_source (b, a.urls[i]))
      added++;
  g_message ("bootstrap: %s: %u hosts, %u new caches%s%s", s->text, a.n_hosts, added, a.error ? ", an ERROR line" : "",
             a.n_bad > 0 ? ", some lines not understood" : "");
  if (a.n_hosts > 0)
    b->cb.hosts (a.hosts, a.n_hosts, b->user_data);
  sv_gwc_answer_clear (&a);
}

static void
ask_gwc (SvBootstrap *b, Source *s)
{
  SvHttpClientOptions opt = { .timeout_us = SV_BOOTSTRAP_GWC_TIMEOUT_US,
                              .max_bytes = SV_GWC_MAX_RESPONSE_BYTES };
  g_autofree char *url = sv_gwc_request_url (s->entry.url, PACKAGE_VERSION);

  b->asking = s;
  b->request = sv_http_client_get (b->http, url, &opt, on_gwc, b);
}

void
sv_bootstrap_tick (SvBootstrap *b, gint64 now_us)
{
  guint n = b->sources->len;

  if (n == 0 || b->request != 0 || b->resolving > 0
      || (b->last_ask_us != 0 && now_us - b->last_ask_us < SV_BOOTSTRAP_GAP_US))
    return;
  for (guint k = 0; k < n; k++)
    {
      guint i = (b->next + k) % n;
      Source *s = b->sources->pdata[i];

      if (s->next_us > now_us)
        continue;
      b->next = i + 1;
      b->last_ask_us = now_us;
      g_message ("bootstrap: asking %s", s->text);
      if (s->entry.kind == SV_BOOTSTRAP_UHC)
        {
          s->next_us = now_us + SV_BOOTSTRAP_UHC_AGAIN_US;
          ask_uhc (b, s);
        }
      else
        ask_gwc (b, s);
      return;
    }
}
