/* qhit-trailer.c: the QueryHit trailer codec (vendor code, flag bytes, private GGEP block). */
#include "qhit-trailer.h"

#include <string.h>

#include "bytes.h"
#include "host-addr.h"

#define QHIT_HOST_LEN 6   /* IPv4 (network order) + port (LE) */
#define QHIT_HOST6_LEN 18 /* IPv6 + port (LE) */

void
sv_qhit_trailer_free (SvQhitTrailer *trailer)
{
  if (trailer == NULL)
    return;
  g_clear_pointer (&trailer->open_data, g_bytes_unref);
  g_clear_pointer (&trailer->private_pre, g_bytes_unref);
  g_clear_pointer (&trailer->ggep, sv_ggep_free);
  g_clear_pointer (&trailer->private_post, g_bytes_unref);
  g_free (trailer);
}

static GBytes *
bytes_or_null (const guint8 *p, gsize n)
{
  return n > 0 ? g_bytes_new (p, n) : NULL;
}

static void
put_gbytes (GByteArray *out, GBytes *bytes)
{
  gsize n;
  const guint8 *p;

  if (bytes == NULL)
    return;
  p = g_bytes_get_data (bytes, &n);
  sv_put_bytes (out, p, n);
}

/* The entries of @ggep's @id (push proxies: an address, then the port LE, @entry_len bytes in
 * all), at most SV_QUERYHIT_MAX_PUSH_PROXIES; none when the value is not whole entries. */
static guint
host_entries (const SvGgep *ggep, const char *id, gsize entry_len, const guint8 **data)
{
  const SvGgepExt *ext = sv_ggep_find (ggep, id);
  gsize n;

  if (ext == NULL)
    return 0;
  *data = g_bytes_get_data (ext->value, &n);
  if (n % entry_len != 0)
    return 0;
  return (guint) MIN (n / entry_len, (gsize) SV_QUERYHIT_MAX_PUSH_PROXIES);
}

/* Fills the read-only views from the raw fields. */
static void
derive (SvQhitTrailer *t)
{
  gsize n;
  const guint8 *open = g_bytes_get_data (t->open_data, &n);
  const guint8 *hosts = NULL;
  const SvGgepExt *ext;

  if (n >= 2)
    t->flags = open[0] & open[1];
  else if (n == 1)
    t->flags = open[0] & SV_QHIT_F_PUSH;
  if (n >= 4)
    t->xml_size = sv_peek_le16 (open + 2);
  if (t->ggep == NULL)
    return;

  t->n_push_proxies = host_entries (t->ggep, "PUSH", QHIT_HOST_LEN, &hosts);
  for (guint i = 0; i < t->n_push_proxies; i++)
    {
      memcpy (t->push_proxies[i].ip, hosts + i * QHIT_HOST_LEN, 4);
      t->push_proxies[i].port = sv_peek_le16 (hosts + i * QHIT_HOST_LEN + 4);
    }
  t->n_push_proxies6 = host_entries (t->ggep, "PUSH6", QHIT_HOST6_LEN, &hosts);
  for (guint i = 0; i < t->n_push_proxies6; i++)
    {
      memcpy (t->push_proxies6[i].ip, hosts + i * QHIT_HOST6_LEN, 16);
      t->push_proxies6[i].port = sv_peek_le16 (hosts + i * QHIT_HOST6_LEN + 16);
    }
  ext = sv_ggep_find (t->ggep, "6");
  if (ext == NULL)
    ext = sv_ggep_find (t->ggep, "GTKG.IPV6");
  if (ext != NULL && g_bytes_get_size (ext->value) == sizeof t->ipv6)
    {
      memcpy (t->ipv6, g_bytes_get_data (ext->value, NULL), sizeof t->ipv6);
      t->has_ipv6 = TRUE;
    }
}

SvStatus
sv_qhit_trailer_decode (const guint8 *data, gsize len, SvQhitTrailer **out)
{
  SvReader r = sv_reader_init (data, len);
  g_autoptr (SvQhitTrailer) t = g_new0 (SvQhitTrailer, 1);
  const guint8 *p;
  const guint8 *priv;
  gsize priv_len;

  *out = NULL;
  if (!sv_reader_copy (&r, t->vendor, SV_QHIT_VENDOR_LEN) || !sv_reader_u8 (&r, &t->open_size)
      || !sv_reader_bytes (&r, t->open_size, &p))
    return SV_STATUS_TRUNCATED;
  t->open_data = g_bytes_new (p, t->open_size);

  priv = sv_reader_here (&r);
  priv_len = sv_reader_left (&r);
  if (t->open_size >= 2 && (p[0] & p[1] & SV_QHIT_F_GGEP) != 0)
    {
      const guint8 *magic = memchr (priv, SV_GGEP_MAGIC, priv_len);

      if (magic != NULL)
        {
          gsize at = (gsize) (magic - priv);
          gsize consumed = 0;
          SvStatus st = sv_ggep_decode (magic, priv_len - at, &consumed, &t->ggep);

          if (st != SV_STATUS_OK)
            return st;
          if (consumed == 0 || consumed > priv_len - at)
            return SV_STATUS_BAD_GGEP;
          t->private_pre = bytes_or_null (priv, at);
          t->private_post = bytes_or_null (magic + consumed, priv_len - at - consumed);
        }
    }
  if (t->ggep == NULL)
    t->private_pre = bytes_or_null (priv, priv_len);
  derive (t);
  *out = g_steal_pointer (&t);
  return SV_STATUS_OK;
}

void
sv_qhit_trailer_encode (const SvQhitTrailer *trailer, GByteArray *out)
{
  gsize n = trailer->open_data != NULL ? g_bytes_get_size (trailer->open_data) : 0;

  sv_put_bytes (out, trailer->vendor, SV_QHIT_VENDOR_LEN);
  sv_put_u8 (out, (guint8) MIN (n, 255));
  if (trailer->open_data != NULL)
    sv_put_bytes (out, g_bytes_get_data (trailer->open_data, NULL), MIN (n, 255));
  put_gbytes (out, trailer->private_pre);
  if (trailer->ggep != NULL)
    sv_ggep_encode (trailer->ggep, out);
  put_gbytes (out, trailer->private_post);
}

gboolean
sv_qhit_trailer_firewalled (const SvQhitTrailer *trailer)
{
  return (trailer->flags & SV_QHIT_F_PUSH) != 0;
}

gboolean
sv_qhit_trailer_busy (const SvQhitTrailer *trailer)
{
  return (trailer->flags & SV_QHIT_F_BUSY) != 0;
}

gboolean
sv_qhit_trailer_uploaded (const SvQhitTrailer *trailer)
{
  return (trailer->flags & SV_QHIT_F_UPLOADED) != 0;
}

gboolean
sv_qhit_trailer_measured (const SvQhitTrailer *trailer)
{
  return (trailer->flags & SV_QHIT_F_MEASURED) != 0;
}

gboolean
sv_qhit_trailer_has_ggep (const SvQhitTrailer *trailer)
{
  return (trailer->flags & SV_QHIT_F_GGEP) != 0;
}

gboolean
sv_qhit_trailer_has_key (const SvQhitTrailer *trailer, const char *id)
{
  return trailer->ggep != NULL && sv_ggep_find (trailer->ggep, id) != NULL;
}

SvQhitTrailer *
sv_qhit_trailer_new_own (gboolean firewalled, gboolean busy, gboolean uploaded,
                         gboolean browse_host, const SvQhitHost *proxies, guint n_proxies,
                         const SvQhitHost6 *proxies6, guint n_proxies6, const guint8 *ipv6)
{
  SvQhitTrailer *t = g_new0 (SvQhitTrailer, 1);
  guint8 open[2];

  memcpy (t->vendor, SV_QHIT_VENDOR_CODE, SV_QHIT_VENDOR_LEN);
  t->open_size = 2;
  t->ggep = sv_ggep_new ();
  if (firewalled && n_proxies > 0)
    {
      g_autoptr (GByteArray) buf = g_byte_array_new ();

      sv_put_ip_ports (buf, proxies, MIN (n_proxies, SV_QUERYHIT_MAX_PUSH_PROXIES),
                       sizeof *proxies, 4, G_STRUCT_OFFSET (SvQhitHost, port));
      sv_ggep_add (t->ggep, "PUSH", buf->data, buf->len, SV_GGEP_ENC_NONE);
    }
  if (firewalled && n_proxies6 > 0)
    {
      g_autoptr (GByteArray) buf = g_byte_array_new ();

      sv_put_ip_ports (buf, proxies6, MIN (n_proxies6, SV_QUERYHIT_MAX_PUSH_PROXIES),
                       sizeof *proxies6, 16, G_STRUCT_OFFSET (SvQhitHost6, port));
      sv_ggep_add (t->ggep, "PUSH6", buf->data, buf->len, SV_GGEP_ENC_NONE);
    }
  if (browse_host)
    sv_ggep_add (t->ggep, "BH", NULL, 0, SV_GGEP_ENC_NONE);
  if (ipv6 != NULL)
    sv_ggep_add (t->ggep, "6", ipv6, 16, SV_GGEP_ENC_NONE);

  open[0] = SV_QHIT_F_BUSY | SV_QHIT_F_UPLOADED | SV_QHIT_F_GGEP | (firewalled ? SV_QHIT_F_PUSH : 0);
  open[1] = SV_QHIT_F_PUSH | (busy ? SV_QHIT_F_BUSY : 0) | (uploaded ? SV_QHIT_F_UPLOADED : 0)
            | (sv_ggep_count (t->ggep) > 0 ? SV_QHIT_F_GGEP : 0);
  if (sv_ggep_count (t->ggep) == 0)
    g_clear_pointer (&t->ggep, sv_ggep_free);
  t->open_data = g_bytes_new (open, sizeof open);
  derive (t);
  return t;
}

static const struct {
  guint8 mask;
  const char *name;
} trailer_flag_names[] = {
  { SV_QHIT_F_PUSH, "firewalled" },
  { SV_QHIT_F_BUSY, "busy" },
  { SV_QHIT_F_UPLOADED, "uploaded" },
  { SV_QHIT_F_MEASURED, "measured" },
  { SV_QHIT_F_GGEP, "ggep" },
};

void
sv_qhit_trailer_describe (const SvQhitTrailer *trailer, SvFields *out)
{
  SvFields *flags;
  char vendor[SV_QHIT_VENDOR_LEN + 1];

  for (guint i = 0; i < SV_QHIT_VENDOR_LEN; i++)
    vendor[i] = g_ascii_isprint (trailer->vendor[i]) ? trailer->vendor[i] : '?';
  vendor[SV_QHIT_VENDOR_LEN] = '\0';
  sv_fields_add_string (out, "vendor", vendor, -1);
  sv_fields_add_uint (out, "open_size", trailer->open_size);
  if (trailer->open_data != NULL && g_bytes_get_size (trailer->open_data) > 0)
    sv_fields_add_hex (out, "open_data", g_bytes_get_data (trailer->open_data, NULL),
                       g_bytes_get_size (trailer->open_data));
  flags = sv_fields_add_array (out, "flags");
  for (guint i = 0; i < G_N_ELEMENTS (trailer_flag_names); i++)
    if (trailer->flags & trailer_flag_names[i].mask)
      sv_fields_add_string (flags, NULL, trailer_flag_names[i].name, -1);
  if (trailer->open_size >= 4)
    sv_fields_add_uint (out, "xml_size", trailer->xml_size);
  if (trailer->ggep != NULL && sv_ggep_count (trailer->ggep) > 0)
    {
      SvFields *keys = sv_fields_add_array (out, "ggep");

      for (guint i = 0; i < sv_ggep_count (trailer->ggep); i++)
        sv_fields_add_string (keys, NULL, sv_ggep_nth (trailer->ggep, i)->id, -1);
    }
  if (trailer->n_push_proxies > 0)
    {
      SvFields *arr = sv_fields_add_array (out, "push_proxies");

      for (guint i = 0; i < trailer->n_push_proxies; i++)
        {
          const SvQhitHost *h = &trailer->push_proxies[i];

          sv_fields_add_printf (arr, NULL, "%u.%u.%u.%u:%u", h->ip[0], h->ip[1], h->ip[2], h->ip[3],
                                h->port);
        }
    }
  if (trailer->n_push_proxies6 > 0)
    {
      SvFields *arr = sv_fields_add_array (out, "push_proxies6");

      for (guint i = 0; i < trailer->n_push_proxies6; i++)
        {
          SvHostAddr a;
          char text[SV_HOST_ADDR_STRLEN];

          sv_host_addr_set_ipv6 (&a, trailer->push_proxies6[i].ip, trailer->push_proxies6[i].port);
          sv_fields_add_string (arr, NULL, sv_host_addr_format (&a, TRUE, text), -1);
        }
    }
  if (trailer->has_ipv6)
    sv_fields_add_hex (out, "ipv6", trailer->ipv6, sizeof trailer->ipv6);
}
