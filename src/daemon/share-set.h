/* share-set.h: which folders are shared: the ones the settings name (servent.conf, --share) with
 * the changes made at run time (`servent share add|remove`) applied. The changes are kept in
 * <state>/shares.ini, so they survive restarts; the user's config file is never rewritten. A
 * configured folder removed at run time stays removed until it is added again. */
#pragma once

#include <glib.h>

#define SV_SHARE_SET_ERROR (sv_share_set_error_quark ())
GQuark sv_share_set_error_quark (void);

typedef enum {
  SV_SHARE_SET_ERROR_NOT_A_FOLDER,   /* not an absolute path to a readable directory */
  SV_SHARE_SET_ERROR_ALREADY,        /* already shared */
  SV_SHARE_SET_ERROR_NOT_SHARED,     /* removing a folder that is not shared */
  SV_SHARE_SET_ERROR_STATE,          /* the state directory, or a folder holding it */
  SV_SHARE_SET_ERROR_IO,             /* shares.ini could not be written */
} SvShareSetError;

typedef struct _SvShareSet SvShareSet;

/* @configured: (array zero-terminated=1) (nullable) the folders the settings name. A damaged
 * shares.ini is reported as a warning and ignored. Returns: (transfer full). */
SvShareSet *sv_share_set_load (const char *state_dir, const char *const *configured);
void sv_share_set_free (SvShareSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvShareSet, sv_share_set_free)

/* The settings were read again (SIGHUP): @configured replaces the configured folders; the
 * run-time changes still apply on top. */
void sv_share_set_set_configured (SvShareSet *set, const char *const *configured);

/* Returns: (transfer none) (array zero-terminated=1) the folders shared now, configured ones
 * first; valid until the next add or remove. */
const char *const *sv_share_set_folders (const SvShareSet *set);

/* Shares @folder (an absolute path; resolved) from now on and saves the change. Returns: FALSE
 * with @error (SV_SHARE_SET_ERROR_*) and nothing changed. */
gboolean sv_share_set_add (SvShareSet *set, const char *folder, GError **error);
/* Stops sharing @folder and saves the change. */
gboolean sv_share_set_remove (SvShareSet *set, const char *folder, GError **error);
