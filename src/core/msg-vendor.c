/* msg-vendor.c: vendor message codec: the 8-byte vendor header, the typed bodies of the messages
 * this servent uses, generic pass-through for the rest, and builders for what we send. */
#include "msg-vendor.h"

#include <string.h>

#include "bytes.h"

static const guint8 vendor_null[4] = { 0, 0, 0, 0 };

static gboolean
vendor_is (const guint8 vendor[4], const char *name)
{
  return memcmp (vendor, name, 4) == 0;
}

static SvVendorKind
classify (const guint8 vendor[4], guint16 selector, guint16 version)
{
  if (memcmp (vendor, vendor_null, 4) == 0)
    {
      if (selector == SV_VENDOR_SEL_MESSAGES_SUPPORTED)
        return SV_VENDOR_MESSAGES_SUPPORTED;
      if (selector == SV_VENDOR_SEL_FEATURES_SUPPORTED)
        return SV_VENDOR_FEATURES_SUPPORTED;
    }
  else if (vendor_is (vendor, "LIME"))
    {
      if (selector == SV_VENDOR_SEL_PUSH_PROXY_REQ && (version == 1 || version == 2))
        return SV_VENDOR_PUSH_PROXY_REQ;
      if (selector == SV_VENDOR_SEL_PUSH_PROXY_ACK && (version == 1 || version == 2))
        return SV_VENDOR_PUSH_PROXY_ACK;
      if (selector == SV_VENDOR_SEL_OOB_REPLY_ACK && (version == 2 || version == 3))
        return SV_VENDOR_OOB_REPLY_ACK;
      if (selector == SV_VENDOR_SEL_OOB_REPLY_IND && version >= 1 && version <= 3)
        return SV_VENDOR_OOB_REPLY_IND;
    }
  else if (vendor_is (vendor, "BEAR"))
    {
      if (selector == SV_VENDOR_SEL_HOPS_FLOW && version == 1)
        return SV_VENDOR_HOPS_FLOW;
      if (selector == SV_VENDOR_SEL_TCP_CONNECT_BACK && version == 1)
        return SV_VENDOR_TCP_CONNECT_BACK;
    }
  else if (vendor_is (vendor, "GTKG"))
    {
      if (selector == SV_VENDOR_SEL_UDP_CONNECT_BACK && (version == 1 || version == 2))
        return SV_VENDOR_UDP_CONNECT_BACK;
    }
  else if (vendor_is (vendor, "SVNT"))
    {
      if (selector == SV_VENDOR_SEL_RENDEZVOUS && (version == 1 || version == 2))
        return SV_VENDOR_RENDEZVOUS;
      if (selector == SV_VENDOR_SEL_RELAY && version == 1)
        return SV_VENDOR_RELAY;
    }
  return SV_VENDOR_GENERIC;
}

const char *
sv_vendor_kind_name (SvVendorKind kind)
{
  switch (kind)
    {
    case SV_VENDOR_MESSAGES_SUPPORTED: return "messages-supported";
    case SV_VENDOR_FEATURES_SUPPORTED: return "features-supported";
    case SV_VENDOR_PUSH_PROXY_REQ: return "push-proxy-req";
    case SV_VENDOR_PUSH_PROXY_ACK: return "push-proxy-ack";
    case SV_VENDOR_HOPS_FLOW: return "hops-flow";
    case SV_VENDOR_TCP_CONNECT_BACK: return "tcp-connect-back";
    case SV_VENDOR_UDP_CONNECT_BACK: return "udp-connect-back";
    case SV_VENDOR_OOB_REPLY_ACK: return "oob-reply-ack";
    case SV_VENDOR_OOB_REPLY_IND: return "oob-reply-ind";
    case SV_VENDOR_RENDEZVOUS: return "rendezvous";
    case SV_VENDOR_RELAY: return "relay";
    case SV_VENDOR_GENERIC:
    default: return "generic";
    }
}

void
sv_vendor_msg_free (SvVendorMsg *msg)
{
  if (msg == NULL)
    return;
  g_clear_pointer (&msg->supported, g_array_unref);
  g_clear_pointer (&msg->features, g_array_unref);
  g_clear_pointer (&msg->ggep, sv_ggep_free);
  g_clear_pointer (&msg->trailing, g_bytes_unref);
  g_free (msg);
}

/* An optional GGEP block at the cursor (OOB v3). */
static SvStatus
decode_optional_ggep (SvReader *r, SvGgep **ggep)
{
  gsize used = 0;
  SvStatus st;

  if (sv_reader_left (r) == 0 || *sv_reader_here (r) != SV_GGEP_MAGIC)
    return SV_STATUS_OK;
  st = sv_ggep_decode (sv_reader_here (r), sv_reader_left (r), &used, ggep);
  if (st != SV_STATUS_OK)
    return st;
  if (used == 0 || !sv_reader_skip (r, used))
    {
      g_clear_pointer (ggep, sv_ggep_free);
      return SV_STATUS_BAD_GGEP;
    }
  return SV_STATUS_OK;
}

static SvStatus
decode_body (SvVendorMsg *msg, SvReader *r)
{
  guint16 count;

  switch (msg->kind)
    {
    case SV_VENDOR_MESSAGES_SUPPORTED:
      if (!sv_reader_le16 (r, &count))
        return SV_STATUS_TRUNCATED;
      if (count > SV_VENDOR_MAX_SUPPORTED_ENTRIES)
        return SV_STATUS_TOO_BIG;
      if (sv_reader_left (r) < (gsize) count * SV_VENDOR_SUPPORTED_ENTRY_SIZE)
        return SV_STATUS_TRUNCATED;
      msg->supported = g_array_sized_new (FALSE, TRUE, sizeof (SvVendorSupported), count);
      for (guint i = 0; i < count; i++)
        {
          SvVendorSupported e;
          (void) sv_reader_copy (r, e.vendor, 4);
          (void) sv_reader_le16 (r, &e.selector);
          (void) sv_reader_le16 (r, &e.version);
          g_array_append_val (msg->supported, e);
        }
      return SV_STATUS_OK;

    case SV_VENDOR_FEATURES_SUPPORTED:
      if (!sv_reader_le16 (r, &count))
        return SV_STATUS_TRUNCATED;
      if (count > SV_VENDOR_MAX_SUPPORTED_ENTRIES)
        return SV_STATUS_TOO_BIG;
      if (sv_reader_left (r) < (gsize) count * SV_VENDOR_FEATURE_ENTRY_SIZE)
        return SV_STATUS_TRUNCATED;
      msg->features = g_array_sized_new (FALSE, TRUE, sizeof (SvVendorFeature), count);
      for (guint i = 0; i < count; i++)
        {
          SvVendorFeature f;
          (void) sv_reader_copy (r, f.name, 4);
          (void) sv_reader_le16 (r, &f.version);
          g_array_append_val (msg->features, f);
        }
      return SV_STATUS_OK;

    case SV_VENDOR_PUSH_PROXY_REQ:
      return SV_STATUS_OK;

    case SV_VENDOR_PUSH_PROXY_ACK:
      if (msg->version >= 2 && !sv_reader_copy (r, msg->ip, 4))
        return SV_STATUS_TRUNCATED;
      return sv_reader_le16 (r, &msg->port) ? SV_STATUS_OK : SV_STATUS_TRUNCATED;

    case SV_VENDOR_HOPS_FLOW:
      return sv_reader_u8 (r, &msg->hops) ? SV_STATUS_OK : SV_STATUS_TRUNCATED;

    case SV_VENDOR_TCP_CONNECT_BACK:
      return sv_reader_le16 (r, &msg->port) ? SV_STATUS_OK : SV_STATUS_TRUNCATED;

    case SV_VENDOR_RENDEZVOUS:
    case SV_VENDOR_RELAY:
      return sv_reader_copy (r, msg->guid.b, SV_GUID_LEN) ? SV_STATUS_OK : SV_STATUS_TRUNCATED;

    case SV_VENDOR_UDP_CONNECT_BACK:
      if (sv_reader_left (r) < (msg->version == 1 ? 2u + SV_GUID_LEN : 2u))
        return SV_STATUS_TRUNCATED;
      (void) sv_reader_le16 (r, &msg->port);
      if (msg->version == 1)
        (void) sv_reader_copy (r, msg->guid.b, SV_GUID_LEN);
      return SV_STATUS_OK;

    case SV_VENDOR_OOB_REPLY_ACK:
      if (!sv_reader_u8 (r, &msg->hits))
        return SV_STATUS_TRUNCATED;
      return msg->version >= 3 ? decode_optional_ggep (r, &msg->ggep) : SV_STATUS_OK;

    case SV_VENDOR_OOB_REPLY_IND:
      if (sv_reader_left (r) < (msg->version == 1 ? 1u : 2u))
        return SV_STATUS_TRUNCATED;
      (void) sv_reader_u8 (r, &msg->hits);
      if (msg->version >= 2)
        (void) sv_reader_u8 (r, &msg->flags);
      return msg->version >= 3 ? decode_optional_ggep (r, &msg->ggep) : SV_STATUS_OK;

    case SV_VENDOR_GENERIC:
    default:
      return SV_STATUS_OK;
    }
}

SvStatus
sv_vendor_msg_decode (const guint8 *payload, gsize len, SvVendorMsg **out)
{
  g_autoptr (SvVendorMsg) msg = g_new0 (SvVendorMsg, 1);
  SvReader r = sv_reader_init (payload, len);
  SvStatus st;

  *out = NULL;
  if (!sv_reader_copy (&r, msg->vendor, 4)
      || !sv_reader_le16 (&r, &msg->selector)
      || !sv_reader_le16 (&r, &msg->version))
    return SV_STATUS_TRUNCATED;
  msg->kind = classify (msg->vendor, msg->selector, msg->version);
  st = decode_body (msg, &r);
  if (st != SV_STATUS_OK)
    return st;
  if (sv_reader_left (&r) > 0)
    msg->trailing = g_bytes_new (sv_reader_here (&r), sv_reader_left (&r));
  *out = g_steal_pointer (&msg);
  return SV_STATUS_OK;
}

void
sv_vendor_msg_encode (const SvVendorMsg *msg, GByteArray *out)
{
  sv_put_bytes (out, msg->vendor, 4);
  sv_put_le16 (out, msg->selector);
  sv_put_le16 (out, msg->version);

  switch (msg->kind)
    {
    case SV_VENDOR_MESSAGES_SUPPORTED:
      {
        guint n = msg->supported != NULL ? msg->supported->len : 0;
        sv_put_le16 (out, (guint16) n);
        for (guint i = 0; i < n; i++)
          {
            const SvVendorSupported *e = &g_array_index (msg->supported, SvVendorSupported, i);
            sv_put_bytes (out, e->vendor, 4);
            sv_put_le16 (out, e->selector);
            sv_put_le16 (out, e->version);
          }
      }
      break;
    case SV_VENDOR_FEATURES_SUPPORTED:
      {
        guint n = msg->features != NULL ? msg->features->len : 0;
        sv_put_le16 (out, (guint16) n);
        for (guint i = 0; i < n; i++)
          {
            const SvVendorFeature *f = &g_array_index (msg->features, SvVendorFeature, i);
            sv_put_bytes (out, f->name, 4);
            sv_put_le16 (out, f->version);
          }
      }
      break;
    case SV_VENDOR_PUSH_PROXY_ACK:
      if (msg->version >= 2)
        sv_put_bytes (out, msg->ip, 4);
      sv_put_le16 (out, msg->port);
      break;
    case SV_VENDOR_HOPS_FLOW:
      sv_put_u8 (out, msg->hops);
      break;
    case SV_VENDOR_TCP_CONNECT_BACK:
      sv_put_le16 (out, msg->port);
      break;
    case SV_VENDOR_UDP_CONNECT_BACK:
      sv_put_le16 (out, msg->port);
      if (msg->version == 1)
        sv_put_bytes (out, msg->guid.b, SV_GUID_LEN);
      break;
    case SV_VENDOR_RENDEZVOUS:
    case SV_VENDOR_RELAY:
      sv_put_bytes (out, msg->guid.b, SV_GUID_LEN);
      break;
    case SV_VENDOR_OOB_REPLY_ACK:
      sv_put_u8 (out, msg->hits);
      if (msg->ggep != NULL)
        sv_ggep_encode (msg->ggep, out);
      break;
    case SV_VENDOR_OOB_REPLY_IND:
      sv_put_u8 (out, msg->hits);
      if (msg->version >= 2)
        sv_put_u8 (out, msg->flags);
      if (msg->ggep != NULL)
        sv_ggep_encode (msg->ggep, out);
      break;
    case SV_VENDOR_PUSH_PROXY_REQ:
    case SV_VENDOR_GENERIC:
    default:
      break;
    }
  if (msg->trailing != NULL)
    {
      gsize n;
      const guint8 *d = g_bytes_get_data (msg->trailing, &n);
      sv_put_bytes (out, d, n);
    }
}

const guint8 *
sv_vendor_msg_oob_token (const SvVendorMsg *msg, gsize *len)
{
  const SvGgepExt *ext;

  *len = 0;
  if (msg->ggep == NULL || (ext = sv_ggep_find (msg->ggep, "SO")) == NULL)
    return NULL;
  return g_bytes_get_data (ext->value, len);
}

/* The 4-byte code as text: "" for the null vendor, '.' for bytes that are not printable. */
static void
code_text (const guint8 code[4], char out[5])
{
  if (memcmp (code, vendor_null, 4) == 0)
    {
      out[0] = '\0';
      return;
    }
  for (guint i = 0; i < 4; i++)
    out[i] = g_ascii_isprint (code[i]) ? (char) code[i] : '.';
  out[4] = '\0';
}

void
sv_vendor_msg_describe (const SvVendorMsg *msg, SvFields *out)
{
  char code[5];
  char hex[SV_GUID_HEX_LEN + 1];
  gsize n;
  const guint8 *d;

  code_text (msg->vendor, code);
  sv_fields_add_string (out, "vendor", code, -1);
  sv_fields_add_uint (out, "selector", msg->selector);
  sv_fields_add_uint (out, "version", msg->version);
  sv_fields_add_string (out, "name", sv_vendor_kind_name (msg->kind), -1);

  switch (msg->kind)
    {
    case SV_VENDOR_MESSAGES_SUPPORTED:
      {
        SvFields *arr = sv_fields_add_array (out, "messages");
        for (guint i = 0; msg->supported != NULL && i < msg->supported->len; i++)
          {
            const SvVendorSupported *e = &g_array_index (msg->supported, SvVendorSupported, i);
            code_text (e->vendor, code);
            sv_fields_add_printf (arr, NULL, "%s/%uv%u", code, e->selector, e->version);
          }
      }
      break;
    case SV_VENDOR_FEATURES_SUPPORTED:
      {
        SvFields *arr = sv_fields_add_array (out, "features");
        for (guint i = 0; msg->features != NULL && i < msg->features->len; i++)
          {
            const SvVendorFeature *f = &g_array_index (msg->features, SvVendorFeature, i);
            code_text (f->name, code);
            sv_fields_add_printf (arr, NULL, "%s/%u", code, f->version);
          }
      }
      break;
    case SV_VENDOR_PUSH_PROXY_ACK:
      if (msg->version >= 2)
        sv_fields_add_ipv4 (out, "ip", msg->ip);
      sv_fields_add_uint (out, "port", msg->port);
      break;
    case SV_VENDOR_HOPS_FLOW:
      sv_fields_add_uint (out, "hops", msg->hops);
      break;
    case SV_VENDOR_TCP_CONNECT_BACK:
      sv_fields_add_uint (out, "port", msg->port);
      break;
    case SV_VENDOR_UDP_CONNECT_BACK:
      sv_fields_add_uint (out, "port", msg->port);
      if (msg->version == 1)
        {
          sv_guid_to_hex (&msg->guid, hex);
          sv_fields_add_string (out, "guid", hex, -1);
        }
      break;
    case SV_VENDOR_RENDEZVOUS:
    case SV_VENDOR_RELAY:
      sv_guid_to_hex (&msg->guid, hex);
      sv_fields_add_string (out, "token", hex, -1);
      break;
    case SV_VENDOR_OOB_REPLY_ACK:
      sv_fields_add_uint (out, "hits", msg->hits);
      if ((d = sv_vendor_msg_oob_token (msg, &n)) != NULL)
        sv_fields_add_hex (out, "token", d, n);
      break;
    case SV_VENDOR_OOB_REPLY_IND:
      sv_fields_add_uint (out, "hits", msg->hits);
      if (msg->version >= 2)
        sv_fields_add_bool (out, "can_receive_unsolicited",
                            (msg->flags & SV_VENDOR_OOB_FLAG_UNSOLICITED) != 0);
      sv_fields_add_bool (out, "secure", msg->version >= 3);
      break;
    case SV_VENDOR_PUSH_PROXY_REQ:
    case SV_VENDOR_GENERIC:
    default:
      break;
    }
  if (msg->ggep != NULL && sv_ggep_count (msg->ggep) > 0)
    {
      SvFields *arr = sv_fields_add_array (out, "ggep");
      for (guint i = 0; i < sv_ggep_count (msg->ggep); i++)
        sv_fields_add_string (arr, NULL, sv_ggep_nth (msg->ggep, i)->id, -1);
    }
  if (msg->trailing != NULL)
    {
      d = g_bytes_get_data (msg->trailing, &n);
      sv_fields_add_hex (out, msg->kind == SV_VENDOR_GENERIC ? "body" : "trailing", d, n);
    }
}

/* --- Builders --- */

static SvVendorMsg *
vendor_new (const char *vendor, guint16 selector, guint16 version)
{
  SvVendorMsg *msg = g_new0 (SvVendorMsg, 1);

  if (vendor != NULL)
    memcpy (msg->vendor, vendor, 4);
  msg->selector = selector;
  msg->version = version;
  msg->kind = classify (msg->vendor, selector, version);
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_messages_supported (const SvVendorSupported *entries, guint n)
{
  SvVendorMsg *msg = vendor_new (NULL, SV_VENDOR_SEL_MESSAGES_SUPPORTED, 0);

  n = MIN (n, SV_VENDOR_MAX_SUPPORTED_ENTRIES);
  msg->supported = g_array_sized_new (FALSE, TRUE, sizeof (SvVendorSupported), n);
  g_array_append_vals (msg->supported, entries, n);
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_features_supported (const SvVendorFeature *features, guint n)
{
  SvVendorMsg *msg = vendor_new (NULL, SV_VENDOR_SEL_FEATURES_SUPPORTED, 0);

  n = MIN (n, SV_VENDOR_MAX_SUPPORTED_ENTRIES);
  msg->features = g_array_sized_new (FALSE, TRUE, sizeof (SvVendorFeature), n);
  g_array_append_vals (msg->features, features, n);
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_push_proxy_req (guint16 version)
{
  return vendor_new ("LIME", SV_VENDOR_SEL_PUSH_PROXY_REQ, version == 2 ? 2 : 1);
}

SvVendorMsg *
sv_vendor_msg_new_push_proxy_ack (const guint8 ip[4], guint16 port)
{
  SvVendorMsg *msg = vendor_new ("LIME", SV_VENDOR_SEL_PUSH_PROXY_ACK, 2);

  memcpy (msg->ip, ip, 4);
  msg->port = port;
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_hops_flow (guint8 hops)
{
  SvVendorMsg *msg = vendor_new ("BEAR", SV_VENDOR_SEL_HOPS_FLOW, 1);

  msg->hops = hops;
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_tcp_connect_back (guint16 port)
{
  SvVendorMsg *msg = vendor_new ("BEAR", SV_VENDOR_SEL_TCP_CONNECT_BACK, 1);

  msg->port = port;
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_rendezvous (const SvGuid *token, gboolean relay)
{
  SvVendorMsg *msg = vendor_new ("SVNT", relay ? SV_VENDOR_SEL_RELAY : SV_VENDOR_SEL_RENDEZVOUS, 1);

  msg->guid = *token;
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_udp_connect_back (guint16 port, const SvGuid *guid)
{
  SvVendorMsg *msg = vendor_new ("GTKG", SV_VENDOR_SEL_UDP_CONNECT_BACK, guid != NULL ? 1 : 2);

  msg->port = port;
  if (guid != NULL)
    msg->guid = *guid;
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_oob_reply_ind (guint8 hits, gboolean can_receive_unsolicited, gboolean secure)
{
  SvVendorMsg *msg = vendor_new ("LIME", SV_VENDOR_SEL_OOB_REPLY_IND, secure ? 3 : 2);

  msg->hits = hits;
  msg->flags = can_receive_unsolicited ? SV_VENDOR_OOB_FLAG_UNSOLICITED : 0;
  return msg;
}

SvVendorMsg *
sv_vendor_msg_new_oob_reply_ack (guint8 hits, const guint8 *token, gsize token_len)
{
  SvVendorMsg *msg = vendor_new ("LIME", SV_VENDOR_SEL_OOB_REPLY_ACK, token_len > 0 ? 3 : 2);

  msg->hits = hits;
  if (token_len > 0)
    {
      msg->ggep = sv_ggep_new ();
      sv_ggep_add (msg->ggep, "SO", token, token_len, SV_GGEP_ENC_NONE);
    }
  return msg;
}
