/* msg-push.c: Push payload codec (fixed 26 bytes, optional GGEP with an IPv6 / TLS callback). */
#include "msg-push.h"

#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"

SvPush *
sv_push_new (const SvGuid *guid, guint32 file_index, const guint8 ip[4], guint16 port)
{
  SvPush *push = g_new0 (SvPush, 1);

  push->servent_guid = *guid;
  push->file_index = file_index;
  memcpy (push->ip, ip, 4);
  push->port = port;
  return push;
}

void
sv_push_free (SvPush *push)
{
  if (push == NULL)
    return;
  g_clear_pointer (&push->ggep, sv_ggep_free);
  g_clear_pointer (&push->trailing, g_bytes_unref);
  g_free (push);
}

SvStatus
sv_push_decode (const guint8 *payload, gsize len, SvPush **out)
{
  g_autoptr (SvPush) push = g_new0 (SvPush, 1);
  SvReader r = sv_reader_init (payload, len);
  const SvGgepExt *ext;

  *out = NULL;
  if (!sv_reader_copy (&r, push->servent_guid.b, SV_GUID_LEN)
      || !sv_reader_le32 (&r, &push->file_index)
      || !sv_reader_copy (&r, push->ip, 4)
      || !sv_reader_le16 (&r, &push->port))
    return SV_STATUS_TRUNCATED;

  if (sv_reader_left (&r) > 0 && *sv_reader_here (&r) == SV_GGEP_MAGIC)
    {
      gsize used = 0;
      SvStatus st = sv_ggep_decode (sv_reader_here (&r), sv_reader_left (&r), &used, &push->ggep);

      if (st != SV_STATUS_OK)
        return st;
      if (!sv_reader_skip (&r, used) || used == 0)
        return SV_STATUS_BAD_GGEP;
    }
  if (sv_reader_left (&r) > 0)
    push->trailing = g_bytes_new (sv_reader_here (&r), sv_reader_left (&r));

  if (push->ggep != NULL)
    {
      if ((ext = sv_ggep_find (push->ggep, "6")) != NULL)
        {
          gsize n;
          const guint8 *d = g_bytes_get_data (ext->value, &n);
          if (n < 16)
            return SV_STATUS_TRUNCATED;
          push->has_ipv6 = TRUE;
          memcpy (push->ipv6, d, 16);
        }
      push->tls = sv_ggep_find (push->ggep, "TLS") != NULL;
    }
  *out = g_steal_pointer (&push);
  return SV_STATUS_OK;
}

void
sv_push_encode (const SvPush *push, GByteArray *out)
{
  sv_put_bytes (out, push->servent_guid.b, SV_GUID_LEN);
  sv_put_le32 (out, push->file_index);
  sv_put_bytes (out, push->ip, 4);
  sv_put_le16 (out, push->port);
  if (push->ggep != NULL)
    sv_ggep_encode (push->ggep, out);
  if (push->trailing != NULL)
    {
      gsize n;
      const guint8 *d = g_bytes_get_data (push->trailing, &n);
      sv_put_bytes (out, d, n);
    }
}

void
sv_push_add_ipv6 (SvPush *push, const guint8 ipv6[16])
{
  if (push->ggep == NULL)
    push->ggep = sv_ggep_new ();
  sv_ggep_add (push->ggep, "6", ipv6, 16, SV_GGEP_ENC_NONE);
}

void
sv_push_add_tls (SvPush *push)
{
  if (push->ggep == NULL)
    push->ggep = sv_ggep_new ();
  sv_ggep_add (push->ggep, "TLS", NULL, 0, SV_GGEP_ENC_NONE);
}

void
sv_push_describe (const SvPush *push, SvFields *out)
{
  char hex[SV_GUID_HEX_LEN + 1];

  sv_guid_to_hex (&push->servent_guid, hex);
  sv_fields_add_string (out, "servent_guid", hex, -1);
  sv_fields_add_uint (out, "file_index", push->file_index);
  sv_fields_add_ipv4 (out, "ip", push->ip);
  sv_fields_add_uint (out, "port", push->port);
  if (push->has_ipv6)
    {
      char text[INET6_ADDRSTRLEN];
      if (inet_ntop (AF_INET6, push->ipv6, text, sizeof text) == NULL)
        g_strlcpy (text, "?", sizeof text);
      sv_fields_add_string (out, "ipv6", text, -1);
    }
  if (push->tls)
    sv_fields_add_bool (out, "tls", TRUE);
  if (push->ggep != NULL && sv_ggep_count (push->ggep) > 0)
    {
      SvFields *all = sv_fields_add_array (out, "ggep");
      SvFields *unknown = NULL;

      for (guint i = 0; i < sv_ggep_count (push->ggep); i++)
        {
          const char *id = sv_ggep_nth (push->ggep, i)->id;
          sv_fields_add_string (all, NULL, id, -1);
        }
      for (guint i = 0; i < sv_ggep_count (push->ggep); i++)
        {
          const char *id = sv_ggep_nth (push->ggep, i)->id;
          if (strcmp (id, "6") == 0 || strcmp (id, "TLS") == 0)
            continue;
          if (unknown == NULL)
            unknown = sv_fields_add_array (out, "unknown_ggep");
          sv_fields_add_string (unknown, NULL, id, -1);
        }
    }
  if (push->trailing != NULL)
    {
      gsize n;
      const guint8 *d = g_bytes_get_data (push->trailing, &n);
      sv_fields_add_hex (out, "trailing", d, n);
    }
}
