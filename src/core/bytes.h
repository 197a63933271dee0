/* bytes.h: explicit byte-order peeks and pokes, and a bounds-checked reader.
 *
 * Gnutella mixes byte orders (integers LE, IPv4 addresses and the Query flags BE). Every decoder
 * reads through these helpers instead of casting packed structs, and every read is checked against
 * the bytes actually present. Header-only: everything here is static inline. */
#pragma once

#include <glib.h>
#include <string.h>

static inline guint16
sv_peek_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
sv_peek_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static inline guint16
sv_peek_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
sv_peek_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | (guint32) p[3];
}

static inline void
sv_poke_le16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
}

static inline void
sv_poke_le32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
  p[2] = (guint8) (v >> 16);
  p[3] = (guint8) (v >> 24);
}

static inline void
sv_poke_be16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static inline void
sv_poke_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* A read cursor over borrowed bytes. Every take either succeeds wholly or leaves the cursor
 * untouched and returns FALSE, so a decoder can map FALSE to SV_STATUS_TRUNCATED. */
typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
} SvReader;

static inline SvReader
sv_reader_init (const guint8 *data, gsize len)
{
  SvReader r = { data, len, 0 };
  return r;
}

static inline gsize
sv_reader_left (const SvReader *r)
{
  return r->len - r->pos;
}

static inline const guint8 *
sv_reader_here (const SvReader *r)
{
  return r->data + r->pos;
}

static inline gboolean
sv_reader_skip (SvReader *r, gsize n)
{
  if (sv_reader_left (r) < n)
    return FALSE;
  r->pos += n;
  return TRUE;
}

static inline gboolean
sv_reader_bytes (SvReader *r, gsize n, const guint8 **out)
{
  if (sv_reader_left (r) < n)
    return FALSE;
  *out = r->data + r->pos;
  r->pos += n;
  return TRUE;
}

static inline gboolean
sv_reader_copy (SvReader *r, void *dst, gsize n)
{
  if (sv_reader_left (r) < n)
    return FALSE;
  memcpy (dst, r->data + r->pos, n);
  r->pos += n;
  return TRUE;
}

static inline gboolean
sv_reader_u8 (SvReader *r, guint8 *v)
{
  if (sv_reader_left (r) < 1)
    return FALSE;
  *v = r->data[r->pos++];
  return TRUE;
}

static inline gboolean
sv_reader_le16 (SvReader *r, guint16 *v)
{
  if (sv_reader_left (r) < 2)
    return FALSE;
  *v = sv_peek_le16 (r->data + r->pos);
  r->pos += 2;
  return TRUE;
}

static inline gboolean
sv_reader_le32 (SvReader *r, guint32 *v)
{
  if (sv_reader_left (r) < 4)
    return FALSE;
  *v = sv_peek_le32 (r->data + r->pos);
  r->pos += 4;
  return TRUE;
}

static inline gboolean
sv_reader_be16 (SvReader *r, guint16 *v)
{
  if (sv_reader_left (r) < 2)
    return FALSE;
  *v = sv_peek_be16 (r->data + r->pos);
  r->pos += 2;
  return TRUE;
}

static inline gboolean
sv_reader_be32 (SvReader *r, guint32 *v)
{
  if (sv_reader_left (r) < 4)
    return FALSE;
  *v = sv_peek_be32 (r->data + r->pos);
  r->pos += 4;
  return TRUE;
}

/* Finds the next @byte from the cursor; returns its offset from the cursor or -1. */
static inline gssize
sv_reader_find (const SvReader *r, guint8 byte)
{
  const guint8 *hit = memchr (r->data + r->pos, byte, sv_reader_left (r));
  return hit ? (gssize) (hit - (r->data + r->pos)) : -1;
}

/* Appenders onto a GByteArray (the encoders' output). */
static inline void
sv_put_u8 (GByteArray *out, guint8 v)
{
  g_byte_array_append (out, &v, 1);
}

static inline void
sv_put_le16 (GByteArray *out, guint16 v)
{
  guint8 b[2];
  sv_poke_le16 (b, v);
  g_byte_array_append (out, b, 2);
}

static inline void
sv_put_le32 (GByteArray *out, guint32 v)
{
  guint8 b[4];
  sv_poke_le32 (b, v);
  g_byte_array_append (out, b, 4);
}

static inline void
sv_put_be16 (GByteArray *out, guint16 v)
{
  guint8 b[2];
  sv_poke_be16 (b, v);
  g_byte_array_append (out, b, 2);
}

static inline void
sv_put_be32 (GByteArray *out, guint32 v)
{
  guint8 b[4];
  sv_poke_be32 (b, v);
  g_byte_array_append (out, b, 4);
}

static inline void
sv_put_bytes (GByteArray *out, const void *data, gsize len)
{
  if (len > 0)
    g_byte_array_append (out, data, (guint) len);
}

/* Appends @n address:port entries the way Gnutella packs them (the address as is, then the port
 * LE): each of @hosts is @size bytes, its address the first @ip_len, its guint16 port at
 * @port_offset (SvPongIpp, SvQhitHost and their IPv6 twins). */
static inline void
sv_put_ip_ports (GByteArray *out, const void *hosts, guint n, gsize size, gsize ip_len,
                 gsize port_offset)
{
  for (guint i = 0; i < n; i++)
    {
      const guint8 *h = (const guint8 *) hosts + i * size;
      guint16 port;

      memcpy (&port, h + port_offset, sizeof port);
      sv_put_bytes (out, h, ip_len);
      sv_put_le16 (out, port);
    }
}
