/* ggep.c: GGEP blocks: the extension list, its decoder and encoder, COBS, bounded inflate and
 * the 6-bit-chunk length field.
 *
 * Owns sv_ggep_*. The rules it settles (duplicates, zlib vs raw deflate, when COBS and deflate
 * are applied) are written in ggep.h. */
#include "ggep.h"

#include <string.h>
#include <zlib.h>

#include "bytes.h"

#define GGEP_F_LAST     0x80
#define GGEP_F_COBS     0x40
#define GGEP_F_DEFLATE  0x20
#define GGEP_F_RESERVED 0x10
#define GGEP_F_IDLEN    0x0f

#define GGEP_L_CONT     0x80
#define GGEP_L_LAST     0x40
#define GGEP_L_FLAGS    0xc0
#define GGEP_L_VALUE    0x3f
#define GGEP_L_SHIFT    6

struct _SvGgep {
  GPtrArray *exts;   /* (element-type SvGgepExt) (owned), wire order */
};

static void
ggep_ext_free (gpointer p)
{
  SvGgepExt *ext = p;

  g_clear_pointer (&ext->value, g_bytes_unref);
  g_clear_pointer (&ext->wire, g_bytes_unref);
  g_free (ext);
}

SvGgep *
sv_ggep_new (void)
{
  SvGgep *ggep = g_new0 (SvGgep, 1);

  ggep->exts = g_ptr_array_new_with_free_func (ggep_ext_free);
  return ggep;
}

void
sv_ggep_free (SvGgep *ggep)
{
  if (ggep == NULL)
    return;
  g_ptr_array_unref (ggep->exts);
  g_free (ggep);
}

guint
sv_ggep_count (const SvGgep *ggep)
{
  return ggep->exts->len;
}

const SvGgepExt *
sv_ggep_nth (const SvGgep *ggep, guint index)
{
  g_return_val_if_fail (index < ggep->exts->len, NULL);
  return g_ptr_array_index (ggep->exts, index);
}

const SvGgepExt *
sv_ggep_find (const SvGgep *ggep, const char *id)
{
  if (id == NULL)
    return NULL;
  for (guint i = 0; i < ggep->exts->len; i++)
    {
      const SvGgepExt *ext = g_ptr_array_index (ggep->exts, i);

      if (strcmp (ext->id, id) == 0)
        return ext;
    }
  return NULL;
}

static gboolean
ggep_id_byte_ok (guint8 c)
{
  return c >= 0x20 && c <= 0x7e;
}

static gboolean
ggep_id_ok (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len == 0 || len > SV_GGEP_MAX_ID_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!ggep_id_byte_ok ((guint8) id[i]))
      return FALSE;
  return TRUE;
}

gboolean
sv_ggep_add (SvGgep *ggep, const char *id, const void *data, gsize len, SvGgepEncoding encoding)
{
  gsize worst = len;
  SvGgepExt *ext;

  if (!ggep_id_ok (id) || ggep->exts->len >= SV_GGEP_MAX_EXTENSIONS)
    return FALSE;
  if (len > SV_GGEP_MAX_DATA_LEN)
    return FALSE;
  if (encoding & (SV_GGEP_ENC_COBS | SV_GGEP_ENC_NUL_FREE))
    worst = len + len / 254 + 1;
  if (worst > SV_GGEP_MAX_DATA_LEN)
    return FALSE;
  if (len > 0 && data == NULL)
    return FALSE;

  ext = g_new0 (SvGgepExt, 1);
  g_strlcpy (ext->id, id, sizeof ext->id);
  ext->value = g_bytes_new (data, len);
  ext->encoding = encoding & (SV_GGEP_ENC_COBS | SV_GGEP_ENC_DEFLATE | SV_GGEP_ENC_NUL_FREE);
  ext->wire = NULL;
  g_ptr_array_add (ggep->exts, ext);
  return TRUE;
}

guint
sv_ggep_remove (SvGgep *ggep, const char *id)
{
  guint removed = 0;

  if (id == NULL)
    return 0;
  for (guint i = 0; i < ggep->exts->len;)
    {
      const SvGgepExt *ext = g_ptr_array_index (ggep->exts, i);

      if (strcmp (ext->id, id) == 0)
        {
          g_ptr_array_remove_index (ggep->exts, i);
          removed++;
        }
      else
        i++;
    }
  return removed;
}

/* --- Length field --- */

guint
sv_ggep_length_encode (guint32 value, guint8 out[3])
{
  if (value <= 0x3f)
    {
      out[0] = (guint8) (GGEP_L_LAST | value);
      return 1;
    }
  if (value <= 0xfff)
    {
      out[0] = (guint8) (GGEP_L_CONT | (value >> GGEP_L_SHIFT));
      out[1] = (guint8) (GGEP_L_LAST | (value & GGEP_L_VALUE));
      return 2;
    }
  if (value <= SV_GGEP_MAX_DATA_LEN)
    {
      out[0] = (guint8) (GGEP_L_CONT | (value >> (2 * GGEP_L_SHIFT)));
      out[1] = (guint8) (GGEP_L_CONT | ((value >> GGEP_L_SHIFT) & GGEP_L_VALUE));
      out[2] = (guint8) (GGEP_L_LAST | (value & GGEP_L_VALUE));
      return 3;
    }
  return 0;
}

SvStatus
sv_ggep_length_decode (const guint8 *buf, gsize len, guint32 *value, guint *used)
{
  guint32 v = 0;

  for (guint i = 0; i < 3; i++)
    {
      guint8 b;

      if (i >= len)
        return SV_STATUS_TRUNCATED;
      b = buf[i];
      /* Exactly one of M and L: this is also what keeps 0x00 out of the field. */
      if ((b & GGEP_L_FLAGS) == GGEP_L_FLAGS || (b & GGEP_L_FLAGS) == 0)
        return SV_STATUS_BAD_GGEP;
      /* A leading continuation byte carrying no bits is a longer form of a shorter length. */
      if (i == 0 && (b & GGEP_L_CONT) && (b & GGEP_L_VALUE) == 0)
        return SV_STATUS_BAD_GGEP;
      v = (v << GGEP_L_SHIFT) | (b & GGEP_L_VALUE);
      if (b & GGEP_L_LAST)
        {
          *value = v;
          *used = i + 1;
          return SV_STATUS_OK;
        }
    }
  return SV_STATUS_BAD_GGEP;
}

/* --- COBS --- */

GBytes *
sv_ggep_cobs_encode (const guint8 *data, gsize len)
{
  GByteArray *out = g_byte_array_sized_new ((guint) (len + len / 254 + 1));
  guint code_pos = 0;
  guint8 code = 1;
  guint8 last_code = 0;

  sv_put_u8 (out, 0);   /* placeholder for the first code */
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != 0)
        {
          sv_put_u8 (out, data[i]);
          code++;
        }
      if (data[i] == 0 || code == 0xff)
        {
          out->data[code_pos] = last_code = code;
          code_pos = out->len;
          sv_put_u8 (out, 0);
          code = 1;
        }
    }
  /* A full 0xFF run that ends the data needs no closing code. */
  if (last_code == 0xff && code == 1)
    g_byte_array_set_size (out, out->len - 1);
  else
    out->data[code_pos] = code;
  return g_byte_array_free_to_bytes (out);
}

GBytes *
sv_ggep_cobs_decode (const guint8 *data, gsize len)
{
  g_autoptr (GByteArray) out = NULL;
  SvReader r = sv_reader_init (data, len);
  guint8 last_code = 0;

  if (data == NULL || len == 0)
    return NULL;
  out = g_byte_array_sized_new ((guint) len);
  while (sv_reader_left (&r) > 0)
    {
      guint8 code;
      const guint8 *run;

      (void) sv_reader_u8 (&r, &code);
      if (code == 0 || !sv_reader_bytes (&r, code - 1u, &run))
        return NULL;
      if (memchr (run, 0, code - 1u) != NULL)
        return NULL;
      sv_put_bytes (out, run, code - 1u);
      if (code < 0xff)
        sv_put_u8 (out, 0);
      last_code = code;
    }
  /* The zero implied by the last code is not part of the data. */
  if (last_code < 0xff)
    g_byte_array_set_size (out, out->len - 1);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* --- Deflate --- */

static gboolean
zlib_header_ok (const guint8 *data, gsize len)
{
  return len >= 2 && (data[0] & 0x0f) == Z_DEFLATED && (data[0] >> 4) <= 7
         && ((data[0] << 8) | data[1]) % 31 == 0;
}

/* Inflates @data into *@out, never producing more than SV_GGEP_MAX_INFLATED_BYTES + 1 bytes. */
static SvStatus
ggep_inflate (const guint8 *data, gsize len, GBytes **out)
{
  g_autoptr (GByteArray) buf = NULL;
  z_stream zs;
  guint8 chunk[4096];
  SvStatus status = SV_STATUS_BAD_DEFLATE;

  if (len == 0)
    return SV_STATUS_BAD_DEFLATE;
  memset (&zs, 0, sizeof zs);
  if (inflateInit2 (&zs, zlib_header_ok (data, len) ? MAX_WBITS : -MAX_WBITS) != Z_OK)
    return SV_STATUS_BAD_DEFLATE;

  buf = g_byte_array_new ();
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) len;
  for (;;)
    {
      gsize room = SV_GGEP_MAX_INFLATED_BYTES + 1 - buf->len;
      int ret;

      zs.next_out = chunk;
      zs.avail_out = (uInt) MIN (sizeof chunk, room);
      ret = inflate (&zs, Z_NO_FLUSH);
      sv_put_bytes (buf, chunk, (gsize) (zs.next_out - chunk));
      if (buf->len > SV_GGEP_MAX_INFLATED_BYTES)
        {
          status = SV_STATUS_INFLATE_CAP;
          break;
        }
      if (ret == Z_STREAM_END)
        {
          status = SV_STATUS_OK;
          break;
        }
      if (ret != Z_OK)   /* corrupt data, a dictionary, or input ended before the stream */
        break;
    }
  inflateEnd (&zs);
  if (status == SV_STATUS_OK)
    *out = g_byte_array_free_to_bytes (g_steal_pointer (&buf));
  return status;
}

/* Returns: (transfer full) (nullable) the zlib stream for @data, or NULL when zlib fails. */
static GBytes *
ggep_deflate (const guint8 *data, gsize len)
{
  uLongf out_len = compressBound ((uLong) len);
  guint8 *out = g_malloc (out_len);

  if (compress2 (out, &out_len, data, (uLong) len, Z_BEST_COMPRESSION) != Z_OK)
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}

/* --- Decode --- */

static SvStatus
ggep_decode_value (guint8 flags, GBytes *wire, GBytes **value)
{
  g_autoptr (GBytes) cur = g_bytes_ref (wire);

  if (flags & GGEP_F_COBS)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (cur, &len);
      GBytes *plain = sv_ggep_cobs_decode (p, len);

      if (plain == NULL)
        return SV_STATUS_BAD_COBS;
      g_bytes_unref (cur);
      cur = plain;
    }
  if (flags & GGEP_F_DEFLATE)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (cur, &len);
      GBytes *inflated = NULL;
      SvStatus status = ggep_inflate (p, len, &inflated);

      if (status != SV_STATUS_OK)
        return status;
      g_bytes_unref (cur);
      cur = inflated;
    }
  *value = g_steal_pointer (&cur);
  return SV_STATUS_OK;
}

SvStatus
sv_ggep_decode (const guint8 *buf, gsize len, gsize *consumed, SvGgep **out)
{
  g_autoptr (SvGgep) ggep = NULL;
  SvReader r = sv_reader_init (buf, len);
  guint8 magic;

  *out = NULL;
  if (buf == NULL || !sv_reader_u8 (&r, &magic))
    return SV_STATUS_TRUNCATED;
  if (magic != SV_GGEP_MAGIC)
    return SV_STATUS_BAD_GGEP;

  ggep = sv_ggep_new ();
  for (;;)
    {
      guint8 flags;
      const guint8 *id;
      const guint8 *data;
      guint id_len;
      guint32 data_len;
      guint used;
      SvStatus status;
      SvGgepExt *ext;
      g_autoptr (GBytes) wire = NULL;
      g_autoptr (GBytes) value = NULL;

      if (ggep->exts->len >= SV_GGEP_MAX_EXTENSIONS)
        return SV_STATUS_TOO_BIG;
      if (!sv_reader_u8 (&r, &flags))
        return SV_STATUS_TRUNCATED;
      if (flags & GGEP_F_RESERVED)
        return SV_STATUS_BAD_GGEP;
      id_len = flags & GGEP_F_IDLEN;
      if (id_len == 0)
        return SV_STATUS_BAD_GGEP;
      if (!sv_reader_bytes (&r, id_len, &id))
        return SV_STATUS_TRUNCATED;
      for (guint i = 0; i < id_len; i++)
        if (!ggep_id_byte_ok (id[i]))
          return SV_STATUS_BAD_GGEP;
      status = sv_ggep_length_decode (sv_reader_here (&r), sv_reader_left (&r), &data_len, &used);
      if (status != SV_STATUS_OK)
        return status;
      (void) sv_reader_skip (&r, used);
      if (!sv_reader_bytes (&r, data_len, &data))
        return SV_STATUS_TRUNCATED;

      wire = g_bytes_new (data, data_len);
      status = ggep_decode_value (flags, wire, &value);
      if (status != SV_STATUS_OK)
        return status;

      ext = g_new0 (SvGgepExt, 1);
      memcpy (ext->id, id, id_len);
      ext->id[id_len] = '\0';
      ext->encoding = ((flags & GGEP_F_COBS) ? SV_GGEP_ENC_COBS : 0)
                      | ((flags & GGEP_F_DEFLATE) ? SV_GGEP_ENC_DEFLATE : 0);
      ext->value = g_steal_pointer (&value);
      ext->wire = g_steal_pointer (&wire);
      g_ptr_array_add (ggep->exts, ext);

      if (flags & GGEP_F_LAST)
        break;
    }
  if (consumed != NULL)
    *consumed = r.pos;
  *out = g_steal_pointer (&ggep);
  return SV_STATUS_OK;
}

/* --- Encode --- */

/* Frames a new extension's value. Returns: (transfer full) the data to put on the wire. */
static GBytes *
ggep_frame_value (const SvGgepExt *ext, guint8 *flags)
{
  g_autoptr (GBytes) cur = g_bytes_ref (ext->value);
  gsize len;
  const guint8 *p = g_bytes_get_data (cur, &len);
  gboolean cobs;

  if ((ext->encoding & SV_GGEP_ENC_DEFLATE) && len > 0 && len <= SV_GGEP_MAX_INFLATED_BYTES)
    {
      GBytes *deflated = ggep_deflate (p, len);

      if (deflated != NULL && g_bytes_get_size (deflated) < len)
        {
          g_bytes_unref (cur);
          cur = deflated;
          *flags |= GGEP_F_DEFLATE;
        }
      else if (deflated != NULL)
        g_bytes_unref (deflated);
    }
  p = g_bytes_get_data (cur, &len);
  cobs = (ext->encoding & SV_GGEP_ENC_COBS)
         || ((ext->encoding & SV_GGEP_ENC_NUL_FREE) && len > 0 && memchr (p, 0, len) != NULL);
  if (cobs)
    {
      GBytes *stuffed = sv_ggep_cobs_encode (p, len);

      g_bytes_unref (cur);
      cur = stuffed;
      *flags |= GGEP_F_COBS;
    }
  return g_steal_pointer (&cur);
}

void
sv_ggep_encode (const SvGgep *ggep, GByteArray *out)
{
  guint n = ggep->exts->len;

  if (n == 0)
    return;
  sv_put_u8 (out, SV_GGEP_MAGIC);
  for (guint i = 0; i < n; i++)
    {
      const SvGgepExt *ext = g_ptr_array_index (ggep->exts, i);
      gsize id_len = strlen (ext->id);
      guint8 flags = (guint8) id_len;
      g_autoptr (GBytes) data = NULL;
      guint8 lenbuf[3];
      guint lenbytes;
      gsize data_len;
      const guint8 *p;

      if (ext->wire != NULL)
        {
          data = g_bytes_ref (ext->wire);
          if (ext->encoding & SV_GGEP_ENC_COBS)
            flags |= GGEP_F_COBS;
          if (ext->encoding & SV_GGEP_ENC_DEFLATE)
            flags |= GGEP_F_DEFLATE;
        }
      else
        data = ggep_frame_value (ext, &flags);
      if (i + 1 == n)
        flags |= GGEP_F_LAST;

      p = g_bytes_get_data (data, &data_len);
      lenbytes = sv_ggep_length_encode ((guint32) MIN (data_len, G_MAXUINT32), lenbuf);
      g_assert (lenbytes > 0);   /* sv_ggep_add() keeps every framed value under the cap */
      sv_put_u8 (out, flags);
      sv_put_bytes (out, ext->id, id_len);
      sv_put_bytes (out, lenbuf, lenbytes);
      sv_put_bytes (out, p, data_len);
    }
}

/* --- Small integers --- */

void
sv_ggep_add_uint (SvGgep *ggep, const char *id, guint64 value)
{
  guint8 b[8];
  gsize n = 0;

  do
    {
      b[n++] = (guint8) value;
      value >>= 8;
    }
  while (value != 0);
  (void) sv_ggep_add (ggep, id, b, n, SV_GGEP_ENC_NONE);
}

gboolean
sv_ggep_get_uint (const SvGgep *ggep, const char *id, guint64 *value)
{
  const SvGgepExt *ext = sv_ggep_find (ggep, id);
  const guint8 *p;
  gsize len;
  guint64 v = 0;

  if (ext == NULL)
    return FALSE;
  p = g_bytes_get_data (ext->value, &len);
  if (len == 0 || len > 8)
    return FALSE;
  for (gsize i = len; i > 0; i--)
    v = (v << 8) | p[i - 1];
  *value = v;
  return TRUE;
}
