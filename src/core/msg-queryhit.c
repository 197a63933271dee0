/* msg-queryhit.c: the QueryHit (0x81) payload codec, per-result extensions, and the builder of the
 * hits we send. The trailer lives in qhit-trailer.c. */
#include "msg-queryhit.h"

#include <string.h>

#include "bytes.h"

#define GGEP_H_SHA1 0x01
#define GGEP_H_BITPRINT 0x02
#define TTH_LEN 24
#define ALT_ENTRY_LEN 6
#define LARGE_SIZE_THRESHOLD 0x80000000u   /* sizes from 2^31 up go in GGEP LF */

void
sv_queryhit_result_free (SvQueryHitResult *result)
{
  if (result == NULL)
    return;
  g_free (result->name);
  if (result->exts != NULL)
    g_ptr_array_unref (result->exts);
  g_clear_pointer (&result->ext_tail, g_bytes_unref);
  g_free (result);
}

void
sv_queryhit_free (SvQueryHit *msg)
{
  if (msg == NULL)
    return;
  if (msg->results != NULL)
    g_ptr_array_unref (msg->results);
  sv_qhit_trailer_free (msg->trailer);
  g_free (msg);
}

static SvQueryHit *
queryhit_alloc (void)
{
  SvQueryHit *hit = g_new0 (SvQueryHit, 1);

  hit->results = g_ptr_array_new_with_free_func ((GDestroyNotify) sv_queryhit_result_free);
  return hit;
}

/* The first GGEP block of @exts that carries @id. */
static const SvGgep *
find_block (const GPtrArray *exts, const char *id)
{
  for (guint i = 0; i < exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index ((GPtrArray *) exts, i);

      if (ext->kind == SV_QUERY_EXT_GGEP && ext->ggep != NULL && sv_ggep_find (ext->ggep, id) != NULL)
        return ext->ggep;
    }
  return NULL;
}

static gboolean
has_key_prefix (const GPtrArray *exts, const char *prefix)
{
  gsize n = strlen (prefix);

  for (guint i = 0; i < exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index ((GPtrArray *) exts, i);

      if (ext->kind != SV_QUERY_EXT_GGEP || ext->ggep == NULL)
        continue;
      for (guint j = 0; j < sv_ggep_count (ext->ggep); j++)
        if (strncmp (sv_ggep_nth (ext->ggep, j)->id, prefix, n) == 0)
          return TRUE;
    }
  return FALSE;
}

/* Fills a result's read-only views from its extension items. */
static void
derive_result (SvQueryHitResult *res)
{
  const SvGgepExt *g;
  const SvGgep *block;
  gsize n;
  const guint8 *p;
  guint64 v;

  res->size = res->size32;
  for (guint i = 0; i < res->exts->len && !res->has_sha1; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index (res->exts, i);

      if (ext->kind == SV_QUERY_EXT_URN && ext->has_sha1)
        {
          res->sha1 = ext->sha1;
          res->has_sha1 = TRUE;
        }
    }

  g = sv_query_ext_find_ggep (res->exts, "H");
  if (g != NULL)
    {
      p = g_bytes_get_data (g->value, &n);
      if (n >= 1 + SV_SHA1_LEN && (p[0] == GGEP_H_SHA1 || p[0] == GGEP_H_BITPRINT))
        {
          if (!res->has_sha1)
            memcpy (res->sha1.b, p + 1, SV_SHA1_LEN);
          res->has_sha1 = TRUE;
          if (p[0] == GGEP_H_BITPRINT && n >= 1 + SV_SHA1_LEN + TTH_LEN)
            {
              memcpy (res->tth, p + 1 + SV_SHA1_LEN, TTH_LEN);
              res->has_tth = TRUE;
            }
        }
    }
  g = sv_query_ext_find_ggep (res->exts, "u");
  if (g != NULL && !res->has_sha1)
    {
      p = g_bytes_get_data (g->value, &n);
      if (n > 0)
        res->has_sha1 = sv_urn_parse ((const char *) p, n, &res->sha1);
    }
  g = sv_query_ext_find_ggep (res->exts, "TT");
  if (g != NULL && !res->has_tth && g_bytes_get_size (g->value) == TTH_LEN)
    {
      memcpy (res->tth, g_bytes_get_data (g->value, NULL), TTH_LEN);
      res->has_tth = TRUE;
    }
  if (res->size32 == SV_QUERYHIT_SIZE_ESCAPE)
    {
      block = find_block (res->exts, "LF");
      if (block != NULL && sv_ggep_get_uint (block, "LF", &v))
        res->size = v;
    }
  block = find_block (res->exts, "CT");
  if (block != NULL && sv_ggep_get_uint (block, "CT", &v))
    {
      res->ctime = v;
      res->has_ctime = TRUE;
    }
  res->partial = has_key_prefix (res->exts, "PR");
  g = sv_query_ext_find_ggep (res->exts, "ALT");
  if (g != NULL)
    {
      p = g_bytes_get_data (g->value, &n);
      if (n % ALT_ENTRY_LEN == 0)
        for (gsize off = 0; off < n && res->n_alts < SV_QUERYHIT_MAX_ALTLOCS; off += ALT_ENTRY_LEN)
          {
            SvQhitHost *h = &res->alts[res->n_alts++];

            memcpy (h->ip, p + off, 4);
            h->port = sv_peek_le16 (p + off + 4);
          }
    }
}

static SvStatus
decode_result (SvReader *r, SvQueryHitResult **out)
{
  SvQueryHitResult *res;
  gssize name_len, ext_len;
  SvStatus st;
  guint32 index, size32;

  *out = NULL;
  if (!sv_reader_le32 (r, &index) || !sv_reader_le32 (r, &size32))
    return SV_STATUS_TRUNCATED;
  name_len = sv_reader_find (r, 0x00);
  if (name_len < 0)
    return SV_STATUS_TRUNCATED;
  res = g_new0 (SvQueryHitResult, 1);
  res->index = index;
  res->size32 = size32;
  res->name_len = (gsize) name_len;
  res->name = g_strndup ((const char *) sv_reader_here (r), res->name_len);
  res->exts = sv_query_ext_array_new ();
  (void) sv_reader_skip (r, res->name_len + 1);

  ext_len = sv_reader_find (r, 0x00);
  if (ext_len < 0)
    {
      sv_queryhit_result_free (res);
      return SV_STATUS_TRUNCATED;
    }
  st = sv_query_ext_area_decode (sv_reader_here (r), (gsize) ext_len, res->exts, &res->ext_tail);
  if (st != SV_STATUS_OK)
    {
      sv_queryhit_result_free (res);
      return st;
    }
  (void) sv_reader_skip (r, (gsize) ext_len + 1);
  derive_result (res);
  *out = res;
  return SV_STATUS_OK;
}

SvStatus
sv_queryhit_decode (const guint8 *payload, gsize len, SvQueryHit **out)
{
  g_autoptr (SvQueryHit) hit = NULL;
  SvReader r;
  guint8 count;

  *out = NULL;
  if (len < SV_QUERYHIT_FIXED_LEN + SV_GUID_LEN)
    return SV_STATUS_TRUNCATED;
  hit = queryhit_alloc ();
  memcpy (hit->servent.b, payload + len - SV_GUID_LEN, SV_GUID_LEN);

  /* Everything but the GUID: fixed part, records, trailer. */
  r = sv_reader_init (payload, len - SV_GUID_LEN);
  (void) sv_reader_u8 (&r, &count);
  (void) sv_reader_le16 (&r, &hit->port);
  (void) sv_reader_copy (&r, hit->ip, 4);
  (void) sv_reader_le32 (&r, &hit->speed);

  for (guint i = 0; i < count; i++)
    {
      SvQueryHitResult *res;
      SvStatus st = decode_result (&r, &res);

      if (st != SV_STATUS_OK)
        return st;
      g_ptr_array_add (hit->results, res);
    }
  if (sv_reader_left (&r) > 0)
    {
      SvStatus st = sv_qhit_trailer_decode (sv_reader_here (&r), sv_reader_left (&r), &hit->trailer);

      if (st != SV_STATUS_OK)
        return st;
    }
  *out = g_steal_pointer (&hit);
  return SV_STATUS_OK;
}

static void
encode_result (const SvQueryHitResult *res, GByteArray *out)
{
  sv_put_le32 (out, res->index);
  sv_put_le32 (out, res->size32);
  sv_put_bytes (out, res->name, res->name_len);
  sv_put_u8 (out, 0x00);
  sv_query_ext_area_encode (res->exts, res->ext_tail, out);
  sv_put_u8 (out, 0x00);
}

void
sv_queryhit_encode (const SvQueryHit *msg, GByteArray *out)
{
  guint n = MIN (msg->results->len, 255);

  sv_put_u8 (out, (guint8) n);
  sv_put_le16 (out, msg->port);
  sv_put_bytes (out, msg->ip, 4);
  sv_put_le32 (out, msg->speed);
  for (guint i = 0; i < n; i++)
    encode_result (g_ptr_array_index (msg->results, i), out);
  if (msg->trailer != NULL)
    sv_qhit_trailer_encode (msg->trailer, out);
  sv_put_bytes (out, msg->servent.b, SV_GUID_LEN);
}

/* ------------------------------------------------------------------------------------------------
 * Builder
 * ---------------------------------------------------------------------------------------------- */

static SvQueryHitResult *
result_new_own (const SvQueryHitFile *file, SvQueryHitUrnStyle style)
{
  SvQueryHitResult *res = g_new0 (SvQueryHitResult, 1);
  g_autoptr (SvGgep) ggep = sv_ggep_new ();

  res->index = file->index;
  res->size32 = file->size >= LARGE_SIZE_THRESHOLD ? SV_QUERYHIT_SIZE_ESCAPE : (guint32) file->size;
  res->name = g_strdup (file->name != NULL ? file->name : "");
  res->name_len = strlen (res->name);
  res->exts = sv_query_ext_array_new ();

  if (file->sha1 != NULL && style != SV_QUERYHIT_URN_GGEP_H)
    {
      char urn[SV_URN_SHA1_LEN + 1];
      SvQueryExt *ext = g_new0 (SvQueryExt, 1);

      sv_urn_sha1_format (file->sha1, urn);
      ext->kind = SV_QUERY_EXT_URN;
      ext->text = g_bytes_new (urn, SV_URN_SHA1_LEN);
      ext->has_sha1 = TRUE;
      ext->sha1 = *file->sha1;
      g_ptr_array_add (res->exts, ext);
    }
  if (file->sha1 != NULL && style != SV_QUERYHIT_URN_HUGE)
    {
      guint8 h[1 + SV_SHA1_LEN];

      h[0] = GGEP_H_SHA1;
      memcpy (h + 1, file->sha1->b, SV_SHA1_LEN);
      sv_ggep_add (ggep, "H", h, sizeof h, SV_GGEP_ENC_NUL_FREE);
    }
  if (res->size32 == SV_QUERYHIT_SIZE_ESCAPE)
    {
      guint8 lf[8];
      guint n = 0;

      for (guint64 v = file->size; v != 0; v >>= 8)
        lf[n++] = (guint8) v;
      sv_ggep_add (ggep, "LF", lf, n, SV_GGEP_ENC_NUL_FREE);
    }
  if (sv_ggep_count (ggep) > 0)
    {
      SvQueryExt *ext = g_new0 (SvQueryExt, 1);

      ext->kind = SV_QUERY_EXT_GGEP;
      ext->ggep = g_steal_pointer (&ggep);
      g_ptr_array_add (res->exts, ext);
    }
  derive_result (res);
  return res;
}

SvQueryHit *
sv_queryhit_build (const SvQueryHitOwn *own, const SvQueryHitFile *files, guint n_files,
                   guint *n_used)
{
  SvQueryHit *hit;
  g_autoptr (GByteArray) scratch = g_byte_array_new ();
  gsize total;

  *n_used = 0;
  if (n_files == 0)
    return NULL;
  hit = queryhit_alloc ();
  hit->port = own->port;
  memcpy (hit->ip, own->ip, 4);
  hit->speed = own->speed;
  hit->servent = own->servent;
  hit->trailer = sv_qhit_trailer_new_own (own->firewalled, own->busy, own->uploaded,
                                          own->browse_host, own->push_proxies,
                                          own->n_push_proxies, own->push_proxies6,
                                          own->n_push_proxies6, own->has_ipv6 ? own->ipv6 : NULL);
  sv_qhit_trailer_encode (hit->trailer, scratch);
  total = SV_QUERYHIT_FIXED_LEN + scratch->len + SV_GUID_LEN;

  while (*n_used < n_files && *n_used < SV_MSG_MAX_RESULTS_PER_HIT)
    {
      SvQueryHitResult *res = result_new_own (&files[*n_used], own->urn_style);

      g_byte_array_set_size (scratch, 0);
      encode_result (res, scratch);
      if (*n_used > 0 && total + scratch->len > SV_MSG_OWN_QUERYHIT_FLUSH_BYTES)
        {
          sv_queryhit_result_free (res);
          break;
        }
      total += scratch->len;
      g_ptr_array_add (hit->results, res);
      (*n_used)++;
    }
  return hit;
}

/* ------------------------------------------------------------------------------------------------
 * Describe
 * ---------------------------------------------------------------------------------------------- */

static void
describe_result (const SvQueryHitResult *res, SvFields *obj)
{
  sv_fields_add_uint (obj, "index", res->index);
  sv_fields_add_uint (obj, "size", res->size);
  sv_fields_add_string (obj, "name", res->name, (gssize) res->name_len);
  if (res->has_sha1)
    {
      char urn[SV_URN_SHA1_LEN + 1];

      sv_urn_sha1_format (&res->sha1, urn);
      sv_fields_add_string (obj, "urn", urn, -1);
    }
  if (res->has_tth)
    {
      g_autofree char *b32 = sv_base32_encode (res->tth, TTH_LEN);
      sv_fields_add_string (obj, "tth", b32, -1);
    }
  if (res->has_ctime)
    sv_fields_add_uint (obj, "ctime", res->ctime);
  if (res->partial)
    sv_fields_add_bool (obj, "partial", TRUE);
  if (res->n_alts > 0)
    {
      SvFields *arr = sv_fields_add_array (obj, "alts");

      for (guint i = 0; i < res->n_alts; i++)
        sv_fields_add_printf (arr, NULL, "%u.%u.%u.%u:%u", res->alts[i].ip[0], res->alts[i].ip[1],
                              res->alts[i].ip[2], res->alts[i].ip[3], res->alts[i].port);
    }
  sv_query_ext_describe_ggep (res->exts, obj);
}

void
sv_queryhit_describe (const SvQueryHit *msg, SvFields *out)
{
  SvFields *arr;
  char hex[SV_GUID_HEX_LEN + 1];

  sv_fields_add_uint (out, "count", msg->results->len);
  sv_fields_add_uint (out, "port", msg->port);
  sv_fields_add_ipv4 (out, "ip", msg->ip);
  sv_fields_add_uint (out, "speed", msg->speed);
  arr = sv_fields_add_array (out, "results");
  for (guint i = 0; i < msg->results->len; i++)
    describe_result (g_ptr_array_index (msg->results, i), sv_fields_add_object (arr, NULL));
  if (msg->trailer != NULL)
    sv_qhit_trailer_describe (msg->trailer, sv_fields_add_object (out, "trailer"));
  sv_guid_to_hex (&msg->servent, hex);
  sv_fields_add_string (out, "servent_guid", hex, -1);
}
