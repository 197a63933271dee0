/* share-hash.c: the file hasher: large sequential reads into EVP SHA-1, identity checked twice. */
#include "share-hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

/* One read buffer per worker thread, kept for the thread's life. */
static GPrivate buffer_key = G_PRIVATE_INIT (g_free);

static guint8 *
thread_buffer (void)
{
  guint8 *buf = g_private_get (&buffer_key);

  if (buf == NULL)
    {
      buf = g_malloc (SV_SHARE_HASH_BUFFER_BYTES);
      g_private_set (&buffer_key, buf);
    }
  return buf;
}

void
sv_share_stat_from (SvShareStat *out, const struct stat *st)
{
  out->size = (guint64) st->st_size;
  out->mtime_ns = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
  out->dev = (guint64) st->st_dev;
  out->ino = (guint64) st->st_ino;
}

gboolean
sv_share_stat_equal (const SvShareStat *a, const SvShareStat *b)
{
  return a->size == b->size && a->mtime_ns == b->mtime_ns && a->dev == b->dev && a->ino == b->ino;
}

static int
open_for_hash (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);

  if (fd < 0 && errno == EPERM)   /* O_NOATIME needs ownership */
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  return fd;
}

SvShareHashResult
sv_share_hash_file (const char *path, const SvShareStat *expect, SvShareStat *out_stat,
                    SvSha1 *out_sha1, SvShareHashHook hook, gpointer hook_data, int *out_errno)
{
  struct stat st;
  SvShareStat before, after;
  EVP_MD_CTX *ctx = NULL;
  SvShareHashResult result = SV_SHARE_HASH_OK;
  guint8 *buf = thread_buffer ();
  guint64 done = 0;
  unsigned int mdlen = 0;
  int fd, err = 0;

  fd = open_for_hash (path);
  if (fd < 0)
    {
      err = errno;
      result = (err == ENXIO || err == ENODEV) ? SV_SHARE_HASH_NOT_REGULAR : SV_SHARE_HASH_UNREADABLE;
      if (err == ENOENT)
        result = SV_SHARE_HASH_CHANGED;
      goto out;
    }
  if (fstat (fd, &st) < 0)
    {
      err = errno;
      result = SV_SHARE_HASH_UNREADABLE;
      goto out;
    }
  if (!S_ISREG (st.st_mode))
    {
      result = SV_SHARE_HASH_NOT_REGULAR;
      goto out;
    }
  sv_share_stat_from (&before, &st);
  if (expect != NULL && !sv_share_stat_equal (expect, &before))
    {
      result = SV_SHARE_HASH_CHANGED;
      goto out;
    }
  /* Back to blocking reads: it is a regular file. */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  ctx = EVP_MD_CTX_new ();
  if (ctx == NULL || EVP_DigestInit_ex (ctx, EVP_sha1 (), NULL) != 1)
    g_error ("libcrypto cannot provide SHA-1");
  for (;;)
    {
      ssize_t n = read (fd, buf, SV_SHARE_HASH_BUFFER_BYTES);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          err = errno;
          result = SV_SHARE_HASH_UNREADABLE;
          goto out;
        }
      if (n == 0)
        break;
      EVP_DigestUpdate (ctx, buf, (size_t) n);
      done += (guint64) n;
      if (hook != NULL)
        hook (path, done, hook_data);
    }
  if (fstat (fd, &st) < 0)
    {
      err = errno;
      result = SV_SHARE_HASH_UNREADABLE;
      goto out;
    }
  sv_share_stat_from (&after, &st);
  if (done != before.size || !sv_share_stat_equal (&before, &after))
    {
      result = SV_SHARE_HASH_CHANGED;
      goto out;
    }
  /* The path must still name this file (not replaced by a rename meanwhile). */
  if (stat (path, &st) < 0)
    {
      result = SV_SHARE_HASH_CHANGED;
      goto out;
    }
  sv_share_stat_from (&after, &st);
  if (!sv_share_stat_equal (&before, &after))
    {
      result = SV_SHARE_HASH_CHANGED;
      goto out;
    }
  EVP_DigestFinal_ex (ctx, out_sha1->b, &mdlen);
  g_assert (mdlen == SV_SHA1_LEN);
  *out_stat = before;

out:
  if (ctx != NULL)
    EVP_MD_CTX_free (ctx);
  if (fd >= 0)
    close (fd);
  if (out_errno != NULL)
    *out_errno = err;
  return result;
}

void
sv_share_hash_bytes (const void *data, gsize len, SvSha1 *out_sha1)
{
  unsigned int mdlen = 0;

  if (EVP_Digest (data, len, out_sha1->b, &mdlen, EVP_sha1 (), NULL) != 1 || mdlen != SV_SHA1_LEN)
    g_error ("libcrypto cannot provide SHA-1");
}
