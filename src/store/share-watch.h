/* share-watch.h: live sync: one GFileMonitor per shared directory, with debouncing.
 *
 * Lives on one GMainContext. A path that gets events is reported once it has been quiet for the
 * debounce time, so a file being copied is indexed after its last write. The set of directories is
 * posted from any thread (the indexer) and applied on the context; past max_watches, directories
 * go unwatched (the periodic rescan covers them). */
#pragma once

#include <gio/gio.h>

typedef struct _SvShareWatch SvShareWatch;

/* Called on the context with a path that settled (file or directory, present or gone). */
typedef void (*SvShareWatchNotify) (const char *path, gpointer user_data);

/* Returns: (transfer full) a watch with no directory yet. */
SvShareWatch *sv_share_watch_new (GMainContext *context, guint debounce_ms, guint max_watches,
                                  SvShareWatchNotify notify, gpointer user_data);
SvShareWatch *sv_share_watch_ref (SvShareWatch *watch);
void sv_share_watch_unref (SvShareWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvShareWatch, sv_share_watch_unref)

/* Stops all monitors and timers; no notification follows. Call on the context's thread. */
void sv_share_watch_shutdown (SvShareWatch *watch);

/* Posts directories to watch (any thread; takes @dirs). With @complete, @dirs is the whole set
 * and directories not in it stop being watched. Directories new to the set (after the first complete
 * set) are reported once after their monitor is in place, to catch files made before it. */
void sv_share_watch_post_dirs (SvShareWatch *watch, GPtrArray *dirs, gboolean complete);

/* Returns: directories watched now. */
guint sv_share_watch_count (SvShareWatch *watch);
