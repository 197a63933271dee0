/* msg-header.c: the 23-byte header codec, framing caps and TTL/hops rules. */
#include "msg-header.h"

#include <string.h>

#include "bytes.h"

SvStatus
sv_msg_header_decode (const guint8 *buf, gsize len, SvMsgHeader *out)
{
  if (len < SV_MSG_HEADER_SIZE)
    return SV_STATUS_NEED_MORE;
  memcpy (out->guid.b, buf, SV_GUID_LEN);
  out->type = buf[16];
  out->ttl = buf[17];
  out->hops = buf[18];
  out->length = sv_peek_le32 (buf + 19);
  return SV_STATUS_OK;
}

void
sv_msg_header_encode (const SvMsgHeader *hdr, guint8 out[SV_MSG_HEADER_SIZE])
{
  memcpy (out, hdr->guid.b, SV_GUID_LEN);
  out[16] = hdr->type;
  out[17] = hdr->ttl;
  out[18] = hdr->hops;
  sv_poke_le32 (out + 19, hdr->length);
}

GBytes *
sv_msg_encode (const SvMsgHeader *hdr, const guint8 *payload, gsize len)
{
  SvMsgHeader h = *hdr;
  guint8 *buf = g_malloc (SV_MSG_HEADER_SIZE + len);

  h.length = (guint32) len;
  sv_msg_header_encode (&h, buf);
  if (len > 0)
    memcpy (buf + SV_MSG_HEADER_SIZE, payload, len);
  return g_bytes_new_take (buf, SV_MSG_HEADER_SIZE + len);
}

guint32
sv_msg_header_payload_cap (guint8 type)
{
  switch (type)
    {
    case SV_MSG_QUERY:
      return SV_MSG_MAX_QUERY_BYTES;
    case SV_MSG_QUERYHIT:
      return SV_MSG_MAX_QUERYHIT_BYTES;
    default:
      return SV_MSG_MAX_OTHER_BYTES;
    }
}

const char *
sv_msg_type_name (guint8 type)
{
  switch (type)
    {
    case SV_MSG_PING: return "ping";
    case SV_MSG_PONG: return "pong";
    case SV_MSG_BYE: return "bye";
    case SV_MSG_QRP: return "qrp";
    case SV_MSG_VENDOR: return "vendor";
    case SV_MSG_VENDOR_STD: return "vendor-std";
    case SV_MSG_PUSH: return "push";
    case SV_MSG_QUERY: return "query";
    case SV_MSG_QUERYHIT: return "queryhit";
    default: return "unknown";
    }
}

gboolean
sv_msg_type_is_known (guint8 type)
{
  return g_strcmp0 (sv_msg_type_name (type), "unknown") != 0;
}

SvStatus
sv_msg_header_frame (const guint8 *buf, gsize len, SvMsgHeader *hdr, gsize *total_len)
{
  SvStatus st = sv_msg_header_decode (buf, len, hdr);

  if (st != SV_STATUS_OK)
    return st;
  if (hdr->length > sv_msg_header_payload_cap (hdr->type))
    return SV_STATUS_TOO_BIG;
  if (len - SV_MSG_HEADER_SIZE < hdr->length)
    return SV_STATUS_NEED_MORE;
  *total_len = SV_MSG_HEADER_SIZE + (gsize) hdr->length;
  return SV_STATUS_OK;
}

SvTtlVerdict
sv_msg_header_check_ttl (SvMsgHeader *hdr, guint8 max_ttl, guint8 hard_limit)
{
  if (hdr->hops == G_MAXUINT8 || (guint) hdr->ttl + hdr->hops > hard_limit)
    return SV_TTL_DROP;
  if (hdr->ttl == 0)
    return SV_TTL_EXPIRED;
  if (hdr->ttl > max_ttl)
    {
      hdr->ttl = max_ttl;
      return SV_TTL_TRIMMED;
    }
  return SV_TTL_OK;
}

gboolean
sv_msg_header_hop (SvMsgHeader *hdr)
{
  if (hdr->ttl <= 1 || hdr->hops == G_MAXUINT8)
    return FALSE;
  hdr->ttl--;
  hdr->hops++;
  return TRUE;
}
