/* msg-qrp.c: the QRP RESET / PATCH payload codec and its description. */
#include "msg-qrp.h"

#include "bytes.h"

SvStatus
sv_msg_qrp_decode (const guint8 *payload, gsize len, SvMsgQrp *out)
{
  SvReader r = sv_reader_init (payload, len);
  SvMsgQrp m = { 0 };

  if (len > SV_MSG_MAX_OTHER_BYTES)
    return SV_STATUS_TOO_BIG;
  if (!sv_reader_u8 (&r, &m.variant))
    return SV_STATUS_TRUNCATED;
  switch (m.variant)
    {
    case SV_MSG_QRP_RESET:
      if (!sv_reader_le32 (&r, &m.table_length) || !sv_reader_u8 (&r, &m.infinity))
        return SV_STATUS_TRUNCATED;
      if (sv_reader_left (&r) != 0)
        return SV_STATUS_BAD_LENGTH;
      break;
    case SV_MSG_QRP_PATCH:
      if (!sv_reader_u8 (&r, &m.seq_no) || !sv_reader_u8 (&r, &m.seq_size)
          || !sv_reader_u8 (&r, &m.compressor) || !sv_reader_u8 (&r, &m.entry_bits))
        return SV_STATUS_TRUNCATED;
      m.data_len = sv_reader_left (&r);
      m.data = sv_reader_here (&r);
      break;
    default:
      return SV_STATUS_UNSUPPORTED;
    }
  *out = m;
  return SV_STATUS_OK;
}

void
sv_msg_qrp_encode (const SvMsgQrp *msg, GByteArray *out)
{
  sv_put_u8 (out, msg->variant);
  if (msg->variant == SV_MSG_QRP_RESET)
    {
      sv_put_le32 (out, msg->table_length);
      sv_put_u8 (out, msg->infinity);
      return;
    }
  sv_put_u8 (out, msg->seq_no);
  sv_put_u8 (out, msg->seq_size);
  sv_put_u8 (out, msg->compressor);
  sv_put_u8 (out, msg->entry_bits);
  sv_put_bytes (out, msg->data, msg->data_len);
}

void
sv_msg_qrp_describe (const SvMsgQrp *msg, SvFields *fields)
{
  switch (msg->variant)
    {
    case SV_MSG_QRP_RESET:
      sv_fields_add_string (fields, "variant", "reset", -1);
      sv_fields_add_uint (fields, "table_length", msg->table_length);
      sv_fields_add_uint (fields, "infinity", msg->infinity);
      break;
    case SV_MSG_QRP_PATCH:
      sv_fields_add_string (fields, "variant", "patch", -1);
      sv_fields_add_uint (fields, "seq_no", msg->seq_no);
      sv_fields_add_uint (fields, "seq_size", msg->seq_size);
      if (msg->compressor == SV_MSG_QRP_COMPRESSOR_NONE)
        sv_fields_add_string (fields, "compressor", "none", -1);
      else if (msg->compressor == SV_MSG_QRP_COMPRESSOR_ZLIB)
        sv_fields_add_string (fields, "compressor", "zlib", -1);
      else
        sv_fields_add_uint (fields, "compressor", msg->compressor);
      sv_fields_add_uint (fields, "entry_bits", msg->entry_bits);
      sv_fields_add_uint (fields, "data_len", msg->data_len);
      break;
    default:
      sv_fields_add_uint (fields, "variant", msg->variant);
      break;
    }
}
