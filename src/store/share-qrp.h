/* share-qrp.h: the QRP table of our shared files, kept up to date one file at a time.
 *
 * Every slot has a reference count: the number of (file, hash code) pairs that land on it, with
 * the hash codes sv_qrp_name_hashcodes() gives for the file's words and sv_qrp_urn_hashcode() for
 * its urn:sha1 — exactly what sv_qrp_table_add_name() / _add_urn() set, so the presence table
 * (slots with a count above zero) always equals a table rebuilt from the index. Adding a file
 * increments its slots, removing it decrements them; a word leaves the table only when no other
 * file still has a word or prefix hashing to that slot.
 *
 * Counts are guint32 (4 bytes a slot: 256 KiB at 2^16 slots, 8 MiB at SV_QRP_MAX_TABLE_SLOTS).
 * A file adds at most a few hundred counts, so no real share comes near 2^32; a count that ever
 * reaches G_MAXUINT32 saturates and stays there (the slot stays present: a false positive, never a
 * missed file).
 *
 * Feeding it from a library: set config.file_changed = sv_share_qrp_file_changed and
 * config.file_changed_data = the table, open the library, then sv_share_qrp_seed(). Changes that
 * arrive before the seed are held and replayed after it when the seed does not include them.
 *
 * Each change that turns a slot on or off bumps a generation; the table is dirty (a patch is due)
 * until sv_share_qrp_snapshot() takes a copy. All functions lock: the table may be fed on the
 * library's indexer thread (config.context NULL) and read on another. */
#pragma once

#include <glib.h>

#include "qrp.h"
#include "share-library.h"

#define SV_SHARE_QRP_DEFAULT_SLOTS (1u << 16)

typedef struct _SvShareQrp SvShareQrp;

/* An empty table of @slots slots (sv_qrp_size_is_valid) with @infinity (at least 1).
 * Returns: (transfer full) (nullable) NULL when they are not valid. */
SvShareQrp *sv_share_qrp_new (guint32 slots, guint8 infinity);
void sv_share_qrp_free (SvShareQrp *qrp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvShareQrp, sv_share_qrp_free)

/* Counts one file in / out: its canonical @words (space-separated, as the index stores them)
 * and, when @sha1 is not NULL, its urn:sha1. Removing what was never added leaves counts at 0. */
void sv_share_qrp_add_file (SvShareQrp *qrp, const char *words, const SvSha1 *sha1);
void sv_share_qrp_remove_file (SvShareQrp *qrp, const char *words, const SvSha1 *sha1);

/* An SvShareFileFunc (share-library.h): @user_data is the SvShareQrp. */
void sv_share_qrp_file_changed (const SvShareFileChange *change, gpointer user_data);

/* Empties the table and fills it from @lib's index as of one commit, then replays the changes
 * held since (those of later commits). Returns: FALSE with @error set if the index could not be
 * read (the table is then empty and keeps holding changes). */
gboolean sv_share_qrp_seed (SvShareQrp *qrp, SvShareLibrary *lib, GError **error);

/* Returns: (transfer full) a copy of the presence table; stores its generation in @generation
 * (nullable) and clears the dirty flag. */
SvQrpTable *sv_share_qrp_snapshot (SvShareQrp *qrp, guint64 *generation);

/* As sv_share_qrp_snapshot(), but leaves the dirty flag alone (a copy for matching, not for
 * sending). Returns: (transfer full). */
SvQrpTable *sv_share_qrp_copy (SvShareQrp *qrp, guint64 *generation);

/* Returns: a number that grows each time a slot turns on or off. */
guint64 sv_share_qrp_generation (SvShareQrp *qrp);
/* Returns: TRUE when a slot changed since the last sv_share_qrp_snapshot() (or since creation
 * for a table with present slots). */
gboolean sv_share_qrp_dirty (SvShareQrp *qrp);

/* Returns: the reference count of @slot (0 above the slot count). */
guint32 sv_share_qrp_refcount (SvShareQrp *qrp, guint32 slot);
/* Returns: the number of files counted in now. */
guint64 sv_share_qrp_files (SvShareQrp *qrp);
