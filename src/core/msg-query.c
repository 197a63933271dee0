/* msg-query.c: the Query (0x80) payload codec, its builder and helpers, and the extension area
 * (HUGE / GGEP / XML items) that QueryHit results share. */
#include "msg-query.h"

#include <string.h>

#include "bytes.h"

#define GGEP_H_SHA1 0x01
#define GGEP_H_BITPRINT 0x02

/* ------------------------------------------------------------------------------------------------
 * Extension area
 * ---------------------------------------------------------------------------------------------- */

void
sv_query_ext_free (SvQueryExt *ext)
{
  if (ext == NULL)
    return;
  g_clear_pointer (&ext->lead, g_bytes_unref);
  g_clear_pointer (&ext->text, g_bytes_unref);
  g_clear_pointer (&ext->ggep, sv_ggep_free);
  g_free (ext);
}

GPtrArray *
sv_query_ext_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) sv_query_ext_free);
}

static gboolean
is_separator (guint8 b)
{
  return b == SV_QUERY_EXT_SEPARATOR || b == 0x00;
}

static gboolean
has_prefix_nocase (const guint8 *text, gsize len, const char *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && g_ascii_strncasecmp ((const char *) text, prefix, n) == 0;
}

static SvQueryExt *
text_item_new (const guint8 *text, gsize len)
{
  SvQueryExt *ext = g_new0 (SvQueryExt, 1);

  ext->text = g_bytes_new (text, len);
  if (has_prefix_nocase (text, len, "urn:"))
    {
      ext->kind = SV_QUERY_EXT_URN;
      ext->has_sha1 = sv_urn_parse ((const char *) text, len, &ext->sha1);
    }
  else if (len > 0 && (text[0] == '<' || text[0] == '{'))
    ext->kind = SV_QUERY_EXT_XML;
  else
    ext->kind = SV_QUERY_EXT_OTHER;
  return ext;
}

SvStatus
sv_query_ext_area_decode (const guint8 *area, gsize len, GPtrArray *exts, GBytes **tail)
{
  gsize pos = 0;
  gsize lead_start = 0;

  *tail = NULL;
  while (pos < len)
    {
      SvQueryExt *ext;

      if (is_separator (area[pos]))
        {
          pos++;
          continue;
        }
      if (area[pos] == SV_GGEP_MAGIC)
        {
          SvGgep *ggep = NULL;
          gsize consumed = 0;
          SvStatus st = sv_ggep_decode (area + pos, len - pos, &consumed, &ggep);

          if (st != SV_STATUS_OK)
            return st;
          if (consumed == 0 || consumed > len - pos)
            {
              sv_ggep_free (ggep);
              return SV_STATUS_BAD_GGEP;
            }
          ext = g_new0 (SvQueryExt, 1);
          ext->kind = SV_QUERY_EXT_GGEP;
          ext->ggep = ggep;
          ext->lead = g_bytes_new (area + lead_start, pos - lead_start);
          pos += consumed;
        }
      else
        {
          gsize end = pos;

          while (end < len && !is_separator (area[end]))
            end++;
          ext = text_item_new (area + pos, end - pos);
          ext->lead = g_bytes_new (area + lead_start, pos - lead_start);
          pos = end;
        }
      g_ptr_array_add (exts, ext);
      lead_start = pos;
    }
  if (lead_start < len)
    *tail = g_bytes_new (area + lead_start, len - lead_start);
  return SV_STATUS_OK;
}

void
sv_query_ext_area_encode (const GPtrArray *exts, GBytes *tail, GByteArray *out)
{
  gboolean first = TRUE;

  for (guint i = 0; i < exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index ((GPtrArray *) exts, i);

      if (ext->lead != NULL)
        {
          gsize n;
          const guint8 *p = g_bytes_get_data (ext->lead, &n);
          sv_put_bytes (out, p, n);
        }
      else
        {
          /* A new item: skip an empty block altogether, else separate it from the previous one. */
          if (ext->kind == SV_QUERY_EXT_GGEP && (ext->ggep == NULL || sv_ggep_count (ext->ggep) == 0))
            continue;
          if (!first)
            sv_put_u8 (out, SV_QUERY_EXT_SEPARATOR);
        }
      first = FALSE;
      if (ext->kind == SV_QUERY_EXT_GGEP)
        {
          if (ext->ggep != NULL)
            sv_ggep_encode (ext->ggep, out);
        }
      else if (ext->text != NULL)
        {
          gsize n;
          const guint8 *p = g_bytes_get_data (ext->text, &n);
          sv_put_bytes (out, p, n);
        }
    }
  if (tail != NULL)
    {
      gsize n;
      const guint8 *p = g_bytes_get_data (tail, &n);
      sv_put_bytes (out, p, n);
    }
}

const SvGgepExt *
sv_query_ext_find_ggep (const GPtrArray *exts, const char *id)
{
  for (guint i = 0; i < exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index ((GPtrArray *) exts, i);
      const SvGgepExt *g;

      if (ext->kind != SV_QUERY_EXT_GGEP || ext->ggep == NULL)
        continue;
      g = sv_ggep_find (ext->ggep, id);
      if (g != NULL)
        return g;
    }
  return NULL;
}

void
sv_query_ext_describe_ggep (const GPtrArray *exts, SvFields *out)
{
  SvFields *arr = NULL;

  for (guint i = 0; i < exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index ((GPtrArray *) exts, i);

      if (ext->kind != SV_QUERY_EXT_GGEP || ext->ggep == NULL)
        continue;
      for (guint j = 0; j < sv_ggep_count (ext->ggep); j++)
        {
          if (arr == NULL)
            arr = sv_fields_add_array (out, "ggep");
          sv_fields_add_string (arr, NULL, sv_ggep_nth (ext->ggep, j)->id, -1);
        }
    }
}

/* ------------------------------------------------------------------------------------------------
 * Query codec
 * ---------------------------------------------------------------------------------------------- */

void
sv_query_free (SvQuery *msg)
{
  if (msg == NULL)
    return;
  g_free (msg->criteria);
  if (msg->exts != NULL)
    g_ptr_array_unref (msg->exts);
  g_clear_pointer (&msg->tail, g_bytes_unref);
  g_free (msg);
}

SvStatus
sv_query_decode (const guint8 *payload, gsize len, SvQuery **out)
{
  SvReader r = sv_reader_init (payload, len);
  g_autoptr (SvQuery) q = g_new0 (SvQuery, 1);
  gssize nul;
  guint urns = 0;
  SvStatus st;

  *out = NULL;
  q->exts = sv_query_ext_array_new ();
  if (!sv_reader_be16 (&r, &q->flags))
    return SV_STATUS_TRUNCATED;
  nul = sv_reader_find (&r, 0x00);
  if (nul < 0)
    return SV_STATUS_TRUNCATED;
  q->criteria_len = (gsize) nul;
  q->criteria = g_strndup ((const char *) sv_reader_here (&r), q->criteria_len);
  (void) sv_reader_skip (&r, q->criteria_len + 1);

  st = sv_query_ext_area_decode (sv_reader_here (&r), sv_reader_left (&r), q->exts, &q->tail);
  if (st != SV_STATUS_OK)
    return st;
  for (guint i = 0; i < q->exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index (q->exts, i);
      if (ext->kind == SV_QUERY_EXT_URN && ++urns > SV_QUERY_MAX_URNS)
        return SV_STATUS_TOO_BIG;
    }
  *out = g_steal_pointer (&q);
  return SV_STATUS_OK;
}

void
sv_query_encode (const SvQuery *msg, GByteArray *out)
{
  sv_put_be16 (out, msg->flags);
  sv_put_bytes (out, msg->criteria, msg->criteria_len);
  sv_put_u8 (out, 0x00);
  sv_query_ext_area_encode (msg->exts, msg->tail, out);
}

/* ------------------------------------------------------------------------------------------------
 * Builder
 * ---------------------------------------------------------------------------------------------- */

SvQuery *
sv_query_new (guint16 flags, const char *criteria)
{
  SvQuery *q = g_new0 (SvQuery, 1);

  q->flags = flags | SV_QUERY_F_MARK;
  q->criteria = g_strdup (criteria != NULL ? criteria : "");
  q->criteria_len = strlen (q->criteria);
  q->exts = sv_query_ext_array_new ();
  return q;
}

void
sv_query_add_text (SvQuery *msg, const char *text)
{
  SvQueryExt *ext = text_item_new ((const guint8 *) text, strlen (text));

  g_ptr_array_add (msg->exts, ext);
}

void
sv_query_add_sha1 (SvQuery *msg, const SvSha1 *sha1)
{
  char urn[SV_URN_SHA1_LEN + 1];

  sv_urn_sha1_format (sha1, urn);
  sv_query_add_text (msg, urn);
}

SvGgep *
sv_query_ggep (SvQuery *msg)
{
  SvQueryExt *ext;

  for (guint i = 0; i < msg->exts->len; i++)
    {
      ext = g_ptr_array_index (msg->exts, i);
      if (ext->kind == SV_QUERY_EXT_GGEP && ext->ggep != NULL)
        return ext->ggep;
    }
  ext = g_new0 (SvQueryExt, 1);
  ext->kind = SV_QUERY_EXT_GGEP;
  ext->ggep = sv_ggep_new ();
  g_ptr_array_add (msg->exts, ext);
  return ext->ggep;
}

/* ------------------------------------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------------------------------- */

gboolean
sv_query_is_whats_new (const SvQuery *msg)
{
  const gsize n = strlen (SV_QUERY_WHATS_NEW_CRITERIA);

  if (msg->criteria_len != n || memcmp (msg->criteria, SV_QUERY_WHATS_NEW_CRITERIA, n) != 0)
    return FALSE;
  for (guint i = 0; i < msg->exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index (msg->exts, i);
      guint64 wh;

      if (ext->kind != SV_QUERY_EXT_GGEP || ext->ggep == NULL || sv_ggep_find (ext->ggep, "WH") == NULL)
        continue;
      return sv_ggep_get_uint (ext->ggep, "WH", &wh) && wh == 1;
    }
  return FALSE;
}

gboolean
sv_query_wants_urns (const SvQuery *msg)
{
  for (guint i = 0; i < msg->exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index (msg->exts, i);
      if (ext->kind == SV_QUERY_EXT_URN)
        return TRUE;
    }
  return FALSE;
}

static guint
add_unique_sha1 (SvSha1 *out, guint n, guint max, const SvSha1 *sha1)
{
  if (n >= max)
    return n;
  for (guint i = 0; i < n; i++)
    if (memcmp (out[i].b, sha1->b, SV_SHA1_LEN) == 0)
      return n;
  out[n] = *sha1;
  return n + 1;
}

/* Reads a GGEP H value (type byte + hash). Returns: TRUE for a SHA-1 or a bitprint. */
static gboolean
ggep_h_sha1 (const SvGgepExt *h, SvSha1 *sha1)
{
  gsize n;
  const guint8 *p;

  if (h == NULL || h->value == NULL)
    return FALSE;
  p = g_bytes_get_data (h->value, &n);
  if (n < 1 + SV_SHA1_LEN || (p[0] != GGEP_H_SHA1 && p[0] != GGEP_H_BITPRINT))
    return FALSE;
  memcpy (sha1->b, p + 1, SV_SHA1_LEN);
  return TRUE;
}

guint
sv_query_requested_sha1 (const SvQuery *msg, SvSha1 *out, guint max)
{
  guint n = 0;

  for (guint i = 0; i < msg->exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index (msg->exts, i);
      SvSha1 sha1;

      if (ext->kind == SV_QUERY_EXT_URN && ext->has_sha1)
        n = add_unique_sha1 (out, n, max, &ext->sha1);
      else if (ext->kind == SV_QUERY_EXT_GGEP && ext->ggep != NULL
               && ggep_h_sha1 (sv_ggep_find (ext->ggep, "H"), &sha1))
        n = add_unique_sha1 (out, n, max, &sha1);
    }
  return n;
}

gboolean
sv_query_oob_address (const SvGuid *muid, guint8 ip[4], guint16 *port)
{
  memcpy (ip, muid->b, 4);
  *port = sv_peek_le16 (muid->b + 13);
  return (ip[0] | ip[1] | ip[2] | ip[3]) != 0 && *port != 0;
}

/* ------------------------------------------------------------------------------------------------
 * Describe
 * ---------------------------------------------------------------------------------------------- */

static const struct {
  guint16 mask;
  const char *name;
} query_flag_names[] = {
  { SV_QUERY_F_FIREWALLED, "firewalled" },
  { SV_QUERY_F_XML, "xml" },
  { SV_QUERY_F_LEAF_GUIDED, "leaf_guided" },
  { SV_QUERY_F_GGEP_H, "ggep_h" },
  { SV_QUERY_F_OOB, "oob" },
  { SV_QUERY_F_FW_FW, "fw_fw" },
  { SV_QUERY_F_SR_UDP, "sr_udp" },
};

void
sv_query_describe (const SvQuery *msg, SvFields *out)
{
  SvFields *urns = NULL;

  sv_fields_add_printf (out, "flags", "0x%04x", msg->flags);
  if (msg->flags & SV_QUERY_F_MARK)
    {
      SvFields *names = sv_fields_add_array (out, "flag_names");

      for (guint i = 0; i < G_N_ELEMENTS (query_flag_names); i++)
        if (msg->flags & query_flag_names[i].mask)
          sv_fields_add_string (names, NULL, query_flag_names[i].name, -1);
      sv_fields_add_uint (out, "max_hits", msg->flags & SV_QUERY_F_MAX_HITS_MASK);
    }
  else
    sv_fields_add_uint (out, "min_speed", msg->flags);
  sv_fields_add_string (out, "criteria", msg->criteria, (gssize) msg->criteria_len);

  for (guint i = 0; i < msg->exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index (msg->exts, i);
      SvSha1 sha1;
      char urn[SV_URN_SHA1_LEN + 1];

      if (ext->kind == SV_QUERY_EXT_URN)
        {
          gsize n;
          const char *p = g_bytes_get_data (ext->text, &n);

          if (urns == NULL)
            urns = sv_fields_add_array (out, "urns");
          sv_fields_add_string (urns, NULL, p, (gssize) n);
        }
      else if (ext->kind == SV_QUERY_EXT_GGEP && ext->ggep != NULL
               && ggep_h_sha1 (sv_ggep_find (ext->ggep, "H"), &sha1))
        {
          if (urns == NULL)
            urns = sv_fields_add_array (out, "urns");
          sv_urn_sha1_format (&sha1, urn);
          sv_fields_add_string (urns, NULL, urn, -1);
        }
    }
  sv_query_ext_describe_ggep (msg->exts, out);
  for (guint i = 0; i < msg->exts->len; i++)
    {
      const SvQueryExt *ext = g_ptr_array_index (msg->exts, i);

      if (ext->kind == SV_QUERY_EXT_XML)
        {
          gsize n;
          const char *p = g_bytes_get_data (ext->text, &n);

          sv_fields_add_string (out, "xml", p, (gssize) n);
          break;
        }
    }
  if (sv_query_is_whats_new (msg))
    sv_fields_add_bool (out, "whats_new", TRUE);
}
