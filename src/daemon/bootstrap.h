/* bootstrap.h: where a servent with nobody left to connect to finds hosts: UDP host caches
 * (asked by the servent with a ping, once their name is resolved with GResolver) and GWebCaches
 * (asked over HTTP with libcurl, the answer parsed by core/gwc).
 *
 * The sources come from the shipped list (data/bootstrap.txt), servent.conf's `bootstrap` key and
 * `udp-host-caches`; GWebCaches a cache names are added (up to SV_BOOTSTRAP_MAX_ENTRIES). Asked
 * only when the host cache has nothing to try, one source at a time, at most one every
 * SV_BOOTSTRAP_GAP_US; a UDP host cache is asked again after SV_BOOTSTRAP_UHC_AGAIN_US, a
 * GWebCache after SV_BOOTSTRAP_GWC_AGAIN_US (the GWebCache etiquette: once an hour). */
#pragma once

#include <gio/gio.h>

#include "host-addr.h"

#define SV_BOOTSTRAP_GAP_US (G_GINT64_CONSTANT (2) * G_USEC_PER_SEC)
#define SV_BOOTSTRAP_UHC_AGAIN_US (G_GINT64_CONSTANT (300) * G_USEC_PER_SEC)
#define SV_BOOTSTRAP_GWC_AGAIN_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define SV_BOOTSTRAP_GWC_TIMEOUT_US (G_GINT64_CONSTANT (20) * G_USEC_PER_SEC)

typedef struct {
  /* Ask the UDP host cache at @addr for ultrapeers. Returns: FALSE when it cannot be sent there
   * (no socket of that family): the next address the name resolved to is tried. */
  gboolean (*ask_uhc) (const SvHostAddr *addr, gpointer user_data);
  /* A GWebCache named these servents. */
  void (*hosts) (const SvHostAddr *hosts, guint n, gpointer user_data);
} SvBootstrapCallbacks;

typedef struct _SvBootstrap SvBootstrap;

/* @entries: (nullable) NULL-terminated entries as bootstrap-list.h reads them (bad ones are
 * logged and skipped); @uhcs: UDP host caches by address. Callbacks run on the thread-default
 * main context, never from inside sv_bootstrap_tick(). Returns: (transfer full). */
SvBootstrap *sv_bootstrap_new (const char *const *entries, const SvHostAddr *uhcs, guint n_uhcs,
                               const char *user_agent, const SvBootstrapCallbacks *callbacks,
                               gpointer user_data);
/* Cancels what is in flight; no callback follows. */
void sv_bootstrap_free (SvBootstrap *bootstrap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvBootstrap, sv_bootstrap_free)

/* The host cache has nothing to try: ask the next source that is due, if the gap allows. */
void sv_bootstrap_tick (SvBootstrap *bootstrap, gint64 now_us);

/* TRUE while a source is being asked or could be asked now: there is still somewhere to look. */
gboolean sv_bootstrap_pending (const SvBootstrap *bootstrap, gint64 now_us);

/* Sources known (configured and learnt). */
guint sv_bootstrap_size (const SvBootstrap *bootstrap);
