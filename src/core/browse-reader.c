/* browse-reader.c: the browse-host answer as files (see browse-reader.h). */
#include "browse-reader.h"

#include <string.h>

#include "limits.h"
#include "msg-header.h"
#include "msg-queryhit.h"

#define QUERYHIT_TYPE 0x81

struct _SvBrowseReader {
  GByteArray *buf;           /* at most one message: header + payload under its type's cap */
  SvMsgHeader hdr;           /* the message in @buf, once its header is there */
  GArray *files;             /* (element-type SvBrowseFile) */
  SvBrowseHost host;
  guint skipped;
  SvBrowseReaderVerdict verdict;
};

static void
file_clear (gpointer data)
{
  g_free (((SvBrowseFile *) data)->name);
}

SvBrowseReader *
sv_browse_reader_new (void)
{
  SvBrowseReader *r = g_new0 (SvBrowseReader, 1);

  r->buf = g_byte_array_new ();
  r->files = g_array_new (FALSE, TRUE, sizeof (SvBrowseFile));
  g_array_set_clear_func (r->files, file_clear);
  return r;
}

void
sv_browse_reader_free (SvBrowseReader *r)
{
  if (r == NULL)
    return;
  g_byte_array_unref (r->buf);
  g_array_unref (r->files);
  g_free (r);
}

static void
take_host (SvBrowseReader *r, const SvQueryHit *hit)
{
  SvBrowseHost *h = &r->host;

  h->known = TRUE;
  h->servent = hit->servent;
  memcpy (h->ip, hit->ip, sizeof h->ip);
  h->port = hit->port;
  h->firewalled = hit->trailer != NULL && sv_qhit_trailer_firewalled (hit->trailer);
  h->n_push_proxies = hit->trailer != NULL ? hit->trailer->n_push_proxies : 0;
  if (h->n_push_proxies > 0)
    memcpy (h->push_proxies, hit->trailer->push_proxies, h->n_push_proxies * sizeof h->push_proxies[0]);
}

static SvBrowseReaderVerdict
take_hit (SvBrowseReader *r, const guint8 *payload, gsize len)
{
  g_autoptr (SvQueryHit) hit = NULL;

  if (sv_queryhit_decode (payload, len, &hit) != SV_STATUS_OK)
    return SV_BROWSE_READER_BAD;
  if (!r->host.known)
    take_host (r, hit);
  for (guint i = 0; i < hit->results->len; i++)
    {
      const SvQueryHitResult *res = g_ptr_array_index (hit->results, i);
      SvBrowseFile f = { 0 };

      if (!res->has_sha1 || !g_utf8_validate (res->name, (gssize) res->name_len, NULL)
          || strlen (res->name) != res->name_len)
        {
          r->skipped++;
          continue;
        }
      if (r->files->len >= SV_BROWSE_READER_MAX_FILES)
        return SV_BROWSE_READER_FULL;
      f.name = g_strdup (res->name);
      f.size = res->size;
      f.sha1 = res->sha1;
      f.index = res->index;
      g_array_append_val (r->files, f);
    }
  return SV_BROWSE_READER_OK;
}

SvBrowseReaderVerdict
sv_browse_reader_feed (SvBrowseReader *r, const guint8 *data, gsize len)
{
  while (len > 0 && r->verdict == SV_BROWSE_READER_OK)
    {
      gsize want = r->buf->len < SV_MSG_HEADER_SIZE ? SV_MSG_HEADER_SIZE - r->buf->len
                                                    : SV_MSG_HEADER_SIZE + r->hdr.length - r->buf->len;
      gsize total;

      want = MIN (want, len);
      g_byte_array_append (r->buf, data, (guint) want);
      data += want;
      len -= want;
      if (r->buf->len == SV_MSG_HEADER_SIZE && want > 0
          && sv_msg_header_frame (r->buf->data, r->buf->len, &r->hdr, &total) == SV_STATUS_TOO_BIG)
        return r->verdict = SV_BROWSE_READER_BAD;   /* before its payload is buffered */
      if (r->buf->len < SV_MSG_HEADER_SIZE || r->buf->len < SV_MSG_HEADER_SIZE + r->hdr.length)
        continue;
      if (r->hdr.type == QUERYHIT_TYPE)
        r->verdict = take_hit (r, r->buf->data + SV_MSG_HEADER_SIZE, r->hdr.length);
      g_byte_array_set_size (r->buf, 0);
    }
  return r->verdict;
}

gboolean
sv_browse_reader_finish (const SvBrowseReader *r)
{
  return r->verdict != SV_BROWSE_READER_BAD && r->buf->len == 0;
}

const GArray *
sv_browse_reader_files (const SvBrowseReader *r)
{
  return r->files;
}

const SvBrowseHost *
sv_browse_reader_host (const SvBrowseReader *r)
{
  return &r->host;
}

guint
sv_browse_reader_skipped (const SvBrowseReader *r)
{
  return r->skipped;
}
