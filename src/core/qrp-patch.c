/* qrp-patch.c: building QRP patches and the RESET/PATCH receive state machine. */
#include "qrp-patch.h"

#include <string.h>
#include <zlib.h>

#define QRP_INFLATE_BUF 4096

struct _SvQrpReceiver {
  guint32 max_slots;
  SvStatus failed;           /* first verdict, SV_STATUS_OK while healthy */
  SvQrpTable *current;       /* last complete table, or NULL */
  SvQrpTable *work;          /* table being patched, or NULL */
  gboolean in_sequence;      /* a RESET or the first PATCH started a sequence */
  guint expected_seq;        /* next sequence number (1-based) */
  guint8 seq_size;
  guint8 compressor;
  guint8 entry_bits;
  guint32 index;             /* slots patched so far */
  z_stream zs;
  gboolean zs_live;
  gboolean zs_ended;
};

static gboolean
patch_bits_ok (guint entry_bits)
{
  return entry_bits == 1 || entry_bits == 4 || entry_bits == 8;
}

GBytes *
sv_qrp_patch_diff (const SvQrpTable *old_table, const SvQrpTable *new_table, guint entry_bits)
{
  guint32 slots = sv_qrp_table_slots (new_table);
  const guint8 *nb = sv_qrp_table_bits_data (new_table);
  const guint8 *ob = old_table != NULL ? sv_qrp_table_bits_data (old_table) : NULL;
  gsize len;
  guint8 *out;

  if (!patch_bits_ok (entry_bits))
    return NULL;
  if (old_table != NULL && sv_qrp_table_slots (old_table) != slots)
    return NULL;
  len = (gsize) slots * entry_bits / 8;
  out = g_malloc0 (len);
  for (guint32 byte = 0; byte < slots / 8; byte++)
    {
      guint8 o = ob != NULL ? ob[byte] : 0;
      guint8 n = nb[byte];
      guint8 changed = o ^ n;

      if (entry_bits == 1)
        {
          out[byte] = changed;
          continue;
        }
      for (guint bit = 0; bit < 8; bit++)
        {
          guint8 mask = (guint8) (0x80u >> bit);
          guint32 slot = byte * 8 + bit;
          guint8 v;

          if ((changed & mask) == 0)
            continue;
          v = (n & mask) ? 0xFF : 0x01;  /* -1: now present; +1: now absent */
          if (entry_bits == 8)
            out[slot] = v;
          else if ((slot & 1) == 0)
            out[slot / 2] |= (guint8) ((v & 0x0F) << 4);
          else
            out[slot / 2] |= (guint8) (v & 0x0F);
        }
    }
  return g_bytes_new_take (out, len);
}

static GBytes *
patch_deflate (GBytes *raw)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (raw, &len);
  uLongf out_len = compressBound ((uLong) len);
  guint8 *out = g_malloc (out_len);

  if (compress2 (out, &out_len, data, (uLong) len, Z_BEST_COMPRESSION) != Z_OK)
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (g_realloc (out, out_len), out_len);
}

GPtrArray *
sv_qrp_patch_build (const SvQrpTable *old_table, const SvQrpTable *new_table, guint entry_bits,
                    SvMsgQrpCompressor compressor, gsize chunk_bytes)
{
  g_autoptr (GBytes) raw = sv_qrp_patch_diff (old_table, new_table, entry_bits);
  g_autoptr (GBytes) stream = NULL;
  const guint8 *data;
  gsize len, chunks;
  GPtrArray *out;

  if (raw == NULL)
    return NULL;
  if (compressor == SV_MSG_QRP_COMPRESSOR_ZLIB)
    stream = patch_deflate (raw);
  else
    stream = g_bytes_ref (raw);
  if (stream == NULL)
    return NULL;
  data = g_bytes_get_data (stream, &len);
  if (chunk_bytes == 0)
    chunk_bytes = SV_QRP_MAX_PATCH_CHUNK_BYTES;
  if ((len + chunk_bytes - 1) / chunk_bytes > 255)
    chunk_bytes = (len + 254) / 255;
  chunks = MAX ((len + chunk_bytes - 1) / chunk_bytes, 1);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (gsize i = 0; i < chunks; i++)
    {
      gsize off = i * chunk_bytes;
      SvMsgQrp msg = {
        .variant = SV_MSG_QRP_PATCH,
        .seq_no = (guint8) (i + 1),
        .seq_size = (guint8) chunks,
        .compressor = (guint8) compressor,
        .entry_bits = (guint8) entry_bits,
        .data = data + off,
        .data_len = MIN (chunk_bytes, len - off),
      };
      GByteArray *payload = g_byte_array_new ();

      sv_msg_qrp_encode (&msg, payload);
      g_ptr_array_add (out, g_byte_array_free_to_bytes (payload));
    }
  return out;
}

GBytes *
sv_qrp_patch_build_reset (const SvQrpTable *table)
{
  SvMsgQrp msg = {
    .variant = SV_MSG_QRP_RESET,
    .table_length = sv_qrp_table_slots (table),
    .infinity = sv_qrp_table_infinity (table),
  };
  GByteArray *payload = g_byte_array_new ();

  sv_msg_qrp_encode (&msg, payload);
  return g_byte_array_free_to_bytes (payload);
}

SvQrpReceiver *
sv_qrp_receiver_new (guint32 max_slots)
{
  SvQrpReceiver *r = g_new0 (SvQrpReceiver, 1);

  r->max_slots = MIN (max_slots, SV_QRP_MAX_TABLE_SLOTS);
  r->expected_seq = 1;
  return r;
}

static void
receiver_end_stream (SvQrpReceiver *r)
{
  if (r->zs_live)
    inflateEnd (&r->zs);
  r->zs_live = FALSE;
  r->zs_ended = FALSE;
}

static void
receiver_end_sequence (SvQrpReceiver *r)
{
  receiver_end_stream (r);
  g_clear_pointer (&r->work, sv_qrp_table_free);
  r->in_sequence = FALSE;
  r->expected_seq = 1;
  r->index = 0;
}

void
sv_qrp_receiver_free (SvQrpReceiver *receiver)
{
  if (receiver == NULL)
    return;
  receiver_end_sequence (receiver);
  sv_qrp_table_free (receiver->current);
  g_free (receiver);
}

const SvQrpTable *
sv_qrp_receiver_table (const SvQrpReceiver *receiver)
{
  return receiver->current;
}

gboolean
sv_qrp_receiver_in_sequence (const SvQrpReceiver *receiver)
{
  return receiver->in_sequence;
}

static SvStatus
receiver_fail (SvQrpReceiver *r, SvStatus status)
{
  r->failed = status;
  receiver_end_sequence (r);
  return status;
}

static SvStatus
receiver_reset (SvQrpReceiver *r, const SvMsgQrp *msg)
{
  guint32 slots = msg->table_length;

  if (slots == 0 || (slots & (slots - 1)) != 0 || slots < SV_QRP_MIN_TABLE_SLOTS)
    return SV_STATUS_BAD_VALUE;
  if (slots > r->max_slots)
    return SV_STATUS_TOO_BIG;
  if (msg->infinity == 0)
    return SV_STATUS_BAD_VALUE;
  receiver_end_sequence (r);
  g_clear_pointer (&r->current, sv_qrp_table_free);
  r->work = sv_qrp_table_new (slots, msg->infinity);
  r->in_sequence = TRUE;
  return SV_STATUS_OK;
}

/* Bytes of patch stream still needed to cover the table. */
static gsize
receiver_remaining (const SvQrpReceiver *r)
{
  return (gsize) (sv_qrp_table_slots (r->work) - r->index) * r->entry_bits / 8;
}

/* Applies @len whole bytes of patch stream; the caller has checked they fit. */
static void
receiver_apply (SvQrpReceiver *r, const guint8 *data, gsize len)
{
  SvQrpTable *t = r->work;

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = data[i];

      switch (r->entry_bits)
        {
        case 1:
          for (guint bit = 0; bit < 8; bit++, r->index++)
            if (b & (0x80u >> bit))
              sv_qrp_table_flip (t, r->index);
          break;
        case 4:
          for (guint half = 0; half < 2; half++, r->index++)
            {
              guint8 v = half == 0 ? (guint8) (b >> 4) : (guint8) (b & 0x0F);

              if (v != 0)
                sv_qrp_table_set (t, r->index, (v & 0x08) != 0);
            }
          break;
        default:
          if (b != 0)
            sv_qrp_table_set (t, r->index, (b & 0x80) != 0);
          r->index++;
          break;
        }
    }
}

static SvStatus
receiver_inflate (SvQrpReceiver *r, const SvMsgQrp *msg, gboolean last)
{
  guint8 buf[QRP_INFLATE_BUF];

  if (r->zs_ended)
    return msg->data_len == 0 ? SV_STATUS_OK : SV_STATUS_BAD_DEFLATE;
  r->zs.next_in = (Bytef *) msg->data;
  r->zs.avail_in = (uInt) msg->data_len;
  for (;;)
    {
      gsize remaining = receiver_remaining (r);
      uInt room = (uInt) MIN ((gsize) sizeof buf, remaining + 1);
      gsize produced;
      int ret;

      r->zs.next_out = buf;
      r->zs.avail_out = room;
      ret = inflate (&r->zs, Z_NO_FLUSH);
      if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
        return SV_STATUS_BAD_DEFLATE;
      produced = room - r->zs.avail_out;
      if (produced > remaining)
        return SV_STATUS_INFLATE_CAP;
      receiver_apply (r, buf, produced);
      if (ret == Z_STREAM_END)
        {
          r->zs_ended = TRUE;
          return last ? SV_STATUS_OK : SV_STATUS_BAD_DEFLATE;
        }
      if (ret == Z_BUF_ERROR || (r->zs.avail_in == 0 && r->zs.avail_out != 0))
        return SV_STATUS_OK;
    }
}

static SvStatus
receiver_patch (SvQrpReceiver *r, const SvMsgQrp *msg, gboolean *done)
{
  gboolean last;
  SvStatus st;

  if (r->expected_seq == 1)
    {
      if (r->work == NULL && r->current == NULL)
        return SV_STATUS_BAD_SEQUENCE;          /* PATCH before any RESET */
      if (msg->seq_no != 1)
        return SV_STATUS_BAD_SEQUENCE;
      if (msg->seq_size == 0)
        return SV_STATUS_BAD_VALUE;
      if (msg->entry_bits == 2)
        return SV_STATUS_UNSUPPORTED;
      if (!patch_bits_ok (msg->entry_bits))
        return SV_STATUS_BAD_VALUE;
      if (msg->compressor > SV_MSG_QRP_COMPRESSOR_ZLIB)
        return SV_STATUS_UNSUPPORTED;
      if (r->work == NULL)
        r->work = sv_qrp_table_copy (r->current);   /* an update without RESET */
      r->in_sequence = TRUE;
      r->seq_size = msg->seq_size;
      r->compressor = msg->compressor;
      r->entry_bits = msg->entry_bits;
      r->index = 0;
      if (r->compressor == SV_MSG_QRP_COMPRESSOR_ZLIB)
        {
          memset (&r->zs, 0, sizeof r->zs);
          if (inflateInit (&r->zs) != Z_OK)
            return SV_STATUS_BAD_DEFLATE;
          r->zs_live = TRUE;
          r->zs_ended = FALSE;
        }
    }
  else if (msg->seq_no != r->expected_seq || msg->seq_size != r->seq_size
           || msg->compressor != r->compressor || msg->entry_bits != r->entry_bits)
    return SV_STATUS_BAD_SEQUENCE;

  last = msg->seq_no == r->seq_size;
  if (r->compressor == SV_MSG_QRP_COMPRESSOR_ZLIB)
    {
      st = receiver_inflate (r, msg, last);
      if (st != SV_STATUS_OK)
        return st;
    }
  else
    {
      if (msg->data_len > receiver_remaining (r))
        return SV_STATUS_BAD_LENGTH;
      receiver_apply (r, msg->data, msg->data_len);
    }
  r->expected_seq++;
  if (!last)
    return SV_STATUS_OK;
  if (r->index != sv_qrp_table_slots (r->work))
    return SV_STATUS_BAD_LENGTH;
  sv_qrp_table_free (r->current);
  r->current = g_steal_pointer (&r->work);
  sv_qrp_table_compact (r->current);   /* a leaf's table is mostly empty */
  receiver_end_sequence (r);
  *done = TRUE;
  return SV_STATUS_OK;
}

SvStatus
sv_qrp_receiver_handle (SvQrpReceiver *receiver, const SvMsgQrp *msg, gboolean *done)
{
  SvStatus st;
  gboolean finished = FALSE;

  if (done != NULL)
    *done = FALSE;
  if (receiver->failed != SV_STATUS_OK)
    return receiver->failed;
  switch (msg->variant)
    {
    case SV_MSG_QRP_RESET:
      st = receiver_reset (receiver, msg);
      break;
    case SV_MSG_QRP_PATCH:
      st = receiver_patch (receiver, msg, &finished);
      break;
    default:
      st = SV_STATUS_UNSUPPORTED;
      break;
    }
  if (st != SV_STATUS_OK)
    return receiver_fail (receiver, st);
  if (done != NULL)
    *done = finished;
  return SV_STATUS_OK;
}

SvStatus
sv_qrp_receiver_handle_payload (SvQrpReceiver *receiver, const guint8 *payload, gsize len,
                                gboolean *done)
{
  SvMsgQrp msg;
  SvStatus st;

  if (done != NULL)
    *done = FALSE;
  if (receiver->failed != SV_STATUS_OK)
    return receiver->failed;
  st = sv_msg_qrp_decode (payload, len, &msg);
  if (st != SV_STATUS_OK)
    return receiver_fail (receiver, st);
  return sv_qrp_receiver_handle (receiver, &msg, done);
}
