/* share-hash.h: SHA-1 of one file at disk speed, and proof that the file did not change meanwhile.
 *
 * Runs in worker threads. Reads in SV_SHARE_HASH_BUFFER_BYTES blocks through libcrypto's EVP
 * (SHA-NI where the CPU has it), with posix_fadvise(SEQUENTIAL). The file's identity (size,
 * mtime, inode, device) is taken before and after the read, from the open descriptor and from the
 * path; any difference gives SV_SHARE_HASH_CHANGED and no digest. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

#include "urn.h"

#define SV_SHARE_HASH_BUFFER_BYTES (1u << 20)

/* What identifies one version of a file. All 64-bit: sizes over 4 GiB are normal. */
typedef struct {
  guint64 size;
  gint64 mtime_ns;
  guint64 dev;
  guint64 ino;
} SvShareStat;

typedef enum {
  SV_SHARE_HASH_OK = 0,
  SV_SHARE_HASH_CHANGED,       /* the file changed before or while it was read: hash it again later */
  SV_SHARE_HASH_UNREADABLE,    /* open or read failed (errno given) */
  SV_SHARE_HASH_NOT_REGULAR,   /* not a regular file (FIFO, socket, device, directory) */
} SvShareHashResult;

/* Called after each block is read (worker thread); tests use it to change a file mid-hash. */
typedef void (*SvShareHashHook) (const char *path, guint64 offset, gpointer user_data);

/* Fills @out from a stat buffer. */
void sv_share_stat_from (SvShareStat *out, const struct stat *st);

/* Returns: TRUE if both describe the same version of the same file. */
gboolean sv_share_stat_equal (const SvShareStat *a, const SvShareStat *b);

/* Hashes @path. If @expect is given, the file as opened must match it. On SV_SHARE_HASH_OK,
 * @out_stat holds the identity the digest belongs to. @out_errno (nullable) gets errno on
 * SV_SHARE_HASH_UNREADABLE. @hook may be NULL. */
SvShareHashResult sv_share_hash_file (const char *path, const SvShareStat *expect,
                                      SvShareStat *out_stat, SvSha1 *out_sha1,
                                      SvShareHashHook hook, gpointer hook_data, int *out_errno);

/* Hashes @len bytes of memory (tests, small helpers). */
void sv_share_hash_bytes (const void *data, gsize len, SvSha1 *out_sha1);
