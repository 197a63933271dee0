/* msg-ping.c: Ping and Pong payload codec, the typed view of a Pong's GGEP and the UP marking. */
#include "msg-ping.h"

#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"

/* The extension area of a Ping or Pong: an optional GGEP block, then whatever follows it. */
static SvStatus
ext_area_decode (const guint8 *p, gsize len, SvGgep **ggep, GBytes **trailing)
{
  *ggep = NULL;
  *trailing = NULL;
  if (len > 0 && p[0] == SV_GGEP_MAGIC)
    {
      gsize used = 0;
      SvStatus st = sv_ggep_decode (p, len, &used, ggep);

      if (st != SV_STATUS_OK)
        return st;
      if (used == 0 || used > len)
        {
          g_clear_pointer (ggep, sv_ggep_free);
          return SV_STATUS_BAD_GGEP;
        }
      p += used;
      len -= used;
    }
  if (len > 0)
    *trailing = g_bytes_new (p, len);
  return SV_STATUS_OK;
}

static void
ext_area_encode (const SvGgep *ggep, GBytes *trailing, GByteArray *out)
{
  if (ggep != NULL)
    sv_ggep_encode (ggep, out);
  if (trailing != NULL)
    {
      gsize n;
      const guint8 *d = g_bytes_get_data (trailing, &n);
      sv_put_bytes (out, d, n);
    }
}

static const guint8 *
ext_data (const SvGgepExt *ext, gsize *len)
{
  return g_bytes_get_data (ext->value, len);
}

static gboolean
id_in (const char *id, const char *const *known)
{
  for (guint i = 0; known[i] != NULL; i++)
    if (strcmp (id, known[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Adds ggep [ids], unknown_ggep [ids not in @known] and trailing (hex). */
static void
describe_ext_area (const SvGgep *ggep, GBytes *trailing, const char *const *known, SvFields *out)
{
  if (ggep != NULL && sv_ggep_count (ggep) > 0)
    {
      SvFields *all = sv_fields_add_array (out, "ggep");
      SvFields *unknown = NULL;

      for (guint i = 0; i < sv_ggep_count (ggep); i++)
        sv_fields_add_string (all, NULL, sv_ggep_nth (ggep, i)->id, -1);
      for (guint i = 0; i < sv_ggep_count (ggep); i++)
        {
          const SvGgepExt *ext = sv_ggep_nth (ggep, i);
          if (id_in (ext->id, known))
            continue;
          if (unknown == NULL)
            unknown = sv_fields_add_array (out, "unknown_ggep");
          sv_fields_add_string (unknown, NULL, ext->id, -1);
        }
    }
  if (trailing != NULL)
    {
      gsize n;
      const guint8 *d = g_bytes_get_data (trailing, &n);
      sv_fields_add_hex (out, "trailing", d, n);
    }
}

/* --- Ping --- */

static const char *const ping_known[] = { "SCP", "DHTIPP", NULL };

SvPing *
sv_ping_new (void)
{
  return g_new0 (SvPing, 1);
}

void
sv_ping_free (SvPing *ping)
{
  if (ping == NULL)
    return;
  g_clear_pointer (&ping->ggep, sv_ggep_free);
  g_clear_pointer (&ping->trailing, g_bytes_unref);
  g_free (ping);
}

SvStatus
sv_ping_decode (const guint8 *payload, gsize len, SvPing **out)
{
  g_autoptr (SvPing) ping = sv_ping_new ();
  SvStatus st;

  *out = NULL;
  st = ext_area_decode (payload, len, &ping->ggep, &ping->trailing);
  if (st != SV_STATUS_OK)
    return st;
  *out = g_steal_pointer (&ping);
  return SV_STATUS_OK;
}

void
sv_ping_encode (const SvPing *ping, GByteArray *out)
{
  ext_area_encode (ping->ggep, ping->trailing, out);
}

void
sv_ping_set_scp (SvPing *ping, guint8 flags)
{
  if (ping->ggep == NULL)
    ping->ggep = sv_ggep_new ();
  sv_ggep_remove (ping->ggep, "SCP");
  sv_ggep_add (ping->ggep, "SCP", &flags, 1, SV_GGEP_ENC_NONE);
}

guint8
sv_ping_scp (const SvPing *ping)
{
  const SvGgepExt *ext = ping->ggep != NULL ? sv_ggep_find (ping->ggep, "SCP") : NULL;
  gsize n = 0;
  const guint8 *v = ext != NULL ? g_bytes_get_data (ext->value, &n) : NULL;

  return n >= 1 ? v[0] : 0;
}

void
sv_ping_describe (const SvPing *ping, SvFields *out)
{
  const SvGgepExt *ext;

  if (ping->ggep != NULL && (ext = sv_ggep_find (ping->ggep, "SCP")) != NULL)
    {
      gsize n;
      const guint8 *d = ext_data (ext, &n);
      SvFields *scp = sv_fields_add_object (out, "scp");

      /* An empty SCP is an old-style request for ultrapeers. */
      guint8 flags = n > 0 ? d[0] : SV_PING_SCP_ULTRAPEERS;
      sv_fields_add_uint (scp, "flags", flags);
      sv_fields_add_bool (scp, "ultrapeers", (flags & SV_PING_SCP_ULTRAPEERS) != 0);
      sv_fields_add_bool (scp, "tls", (flags & SV_PING_SCP_TLS) != 0);
      sv_fields_add_bool (scp, "ipv6", (flags & SV_PING_SCP_IPV6) != 0);
      sv_fields_add_bool (scp, "no_ipv4", (flags & SV_PING_SCP_NO_IPV4) != 0);
    }
  if (ping->ggep != NULL && sv_ggep_find (ping->ggep, "DHTIPP") != NULL)
    sv_fields_add_bool (out, "dhtipp", TRUE);
  describe_ext_area (ping->ggep, ping->trailing, ping_known, out);
}

/* --- Pong --- */

static const char *const pong_known[] = {
  "DU", "UP", "VC", "IPP", "IPP6", "PHC", "LOC", "6", "TLS", "GUE", "DHT", "UDPHC", NULL
};

void
sv_pong_free (SvPong *pong)
{
  if (pong == NULL)
    return;
  g_clear_pointer (&pong->ggep, sv_ggep_free);
  g_clear_pointer (&pong->trailing, g_bytes_unref);
  g_free (pong->udphc_host);
  g_free (pong->loc);
  g_strfreev (pong->phc);
  g_free (pong);
}

static char **
split_phc (const guint8 *d, gsize n)
{
  GPtrArray *lines = g_ptr_array_new ();
  gsize start = 0;

  for (gsize i = 0; i <= n; i++)
    {
      if (i < n && d[i] != '\n')
        continue;
      gsize end = i;
      if (end > start && d[end - 1] == '\r')
        end--;
      if (end > start)
        g_ptr_array_add (lines, g_strndup ((const char *) d + start, end - start));
      start = i + 1;
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

/* Fills the typed views of @pong from its GGEP block. */
static SvStatus
pong_decode_ggep (SvPong *pong)
{
  const SvGgep *g = pong->ggep;
  const SvGgepExt *ext;
  const guint8 *d;
  gsize n;

  if (g == NULL)
    return SV_STATUS_OK;

  if ((ext = sv_ggep_find (g, "DU")) != NULL)
    {
      d = ext_data (ext, &n);
      if (n > 8)
        return SV_STATUS_BAD_LENGTH;
      pong->has_du = TRUE;
      for (gsize i = 0; i < n; i++)
        pong->du |= (guint64) d[i] << (8 * i);
    }
  if ((ext = sv_ggep_find (g, "UP")) != NULL)
    {
      d = ext_data (ext, &n);
      if (n < 3)
        return SV_STATUS_TRUNCATED;
      pong->has_up = TRUE;
      pong->up_version = d[0];
      pong->up_leaf_slots = d[1];
      pong->up_up_slots = d[2];
    }
  if ((ext = sv_ggep_find (g, "VC")) != NULL)
    {
      d = ext_data (ext, &n);
      if (n < 5)
        return SV_STATUS_TRUNCATED;
      pong->has_vc = TRUE;
      memcpy (pong->vc_vendor, d, 4);
      pong->vc_vendor[4] = '\0';
      pong->vc_version = d[4];
    }
  if ((ext = sv_ggep_find (g, "6")) != NULL)
    {
      d = ext_data (ext, &n);
      if (n < 16)
        return SV_STATUS_TRUNCATED;
      pong->has_ipv6 = TRUE;
      memcpy (pong->ipv6, d, 16);
    }
  pong->tls = sv_ggep_find (g, "TLS") != NULL;
  if ((ext = sv_ggep_find (g, "GUE")) != NULL)
    {
      d = ext_data (ext, &n);
      if (n < 1)
        return SV_STATUS_TRUNCATED;
      pong->has_gue = TRUE;
      pong->gue = d[0];
    }
  if ((ext = sv_ggep_find (g, "DHT")) != NULL)
    {
      d = ext_data (ext, &n);
      if (n < 3)
        return SV_STATUS_TRUNCATED;
      pong->has_dht = TRUE;
      pong->dht_major = d[0];
      pong->dht_minor = d[1];
      pong->dht_flags = d[2];
    }
  if ((ext = sv_ggep_find (g, "UDPHC")) != NULL)
    {
      d = ext_data (ext, &n);
      pong->udphc = TRUE;
      if (n > 0)
        pong->udphc_host = g_strndup ((const char *) d, n);
    }
  if ((ext = sv_ggep_find (g, "LOC")) != NULL)
    {
      d = ext_data (ext, &n);
      pong->loc = g_strndup ((const char *) d, n);
    }
  if ((ext = sv_ggep_find (g, "IPP")) != NULL)
    {
      SvReader r;

      d = ext_data (ext, &n);
      if (n % SV_PONG_IPP_ENTRY_SIZE != 0)
        return SV_STATUS_BAD_LENGTH;
      r = sv_reader_init (d, n);
      while (sv_reader_left (&r) > 0)
        {
          SvPongIpp h;
          if (!sv_reader_copy (&r, h.ip, 4) || !sv_reader_le16 (&r, &h.port))
            return SV_STATUS_TRUNCATED;
          if (pong->n_ipp == SV_PONG_MAX_IPP_ENTRIES)
            {
              pong->ipp_truncated = TRUE;
              break;
            }
          pong->ipp[pong->n_ipp++] = h;
        }
    }
  if ((ext = sv_ggep_find (g, "IPP6")) != NULL)
    {
      SvReader r;

      d = ext_data (ext, &n);
      if (n % SV_PONG_IPP6_ENTRY_SIZE != 0)
        return SV_STATUS_BAD_LENGTH;
      r = sv_reader_init (d, n);
      while (sv_reader_left (&r) > 0)
        {
          SvPongIpp6 h;
          if (!sv_reader_copy (&r, h.ip, 16) || !sv_reader_le16 (&r, &h.port))
            return SV_STATUS_TRUNCATED;
          if (pong->n_ipp6 == SV_PONG_MAX_IPP_ENTRIES)
            {
              pong->ipp6_truncated = TRUE;
              break;
            }
          pong->ipp6[pong->n_ipp6++] = h;
        }
    }
  if ((ext = sv_ggep_find (g, "PHC")) != NULL)
    {
      d = ext_data (ext, &n);
      pong->phc = split_phc (d, n);
    }
  return SV_STATUS_OK;
}

SvStatus
sv_pong_decode (const guint8 *payload, gsize len, SvPong **out)
{
  g_autoptr (SvPong) pong = g_new0 (SvPong, 1);
  SvReader r = sv_reader_init (payload, len);
  SvStatus st;

  *out = NULL;
  if (!sv_reader_le16 (&r, &pong->port)
      || !sv_reader_copy (&r, pong->ip, 4)
      || !sv_reader_le32 (&r, &pong->files)
      || !sv_reader_le32 (&r, &pong->kbytes))
    return SV_STATUS_TRUNCATED;
  st = ext_area_decode (sv_reader_here (&r), sv_reader_left (&r), &pong->ggep, &pong->trailing);
  if (st != SV_STATUS_OK)
    return st;
  st = pong_decode_ggep (pong);
  if (st != SV_STATUS_OK)
    return st;
  *out = g_steal_pointer (&pong);
  return SV_STATUS_OK;
}

void
sv_pong_encode (const SvPong *pong, GByteArray *out)
{
  sv_put_le16 (out, pong->port);
  sv_put_bytes (out, pong->ip, 4);
  sv_put_le32 (out, pong->files);
  sv_put_le32 (out, pong->kbytes);
  ext_area_encode (pong->ggep, pong->trailing, out);
}

gboolean
sv_pong_is_ultrapeer_marked (guint32 kbytes)
{
  return kbytes >= SV_PONG_UP_MIN_KBYTES && (kbytes & (kbytes - 1)) == 0;
}

guint32
sv_pong_mark_kbytes (guint32 kbytes, gboolean ultrapeer)
{
  if (ultrapeer)
    {
      guint32 p = SV_PONG_UP_MIN_KBYTES;

      while (p < kbytes && p < (1u << 31))
        p <<= 1;
      return p;
    }
  return sv_pong_is_ultrapeer_marked (kbytes) ? kbytes + 1 : kbytes;
}

SvPong *
sv_pong_new_own (const guint8 ip[4], guint16 port, guint32 files, guint32 kbytes,
                 gboolean ultrapeer)
{
  SvPong *pong = g_new0 (SvPong, 1);

  memcpy (pong->ip, ip, 4);
  pong->port = port;
  pong->files = files;
  pong->kbytes = sv_pong_mark_kbytes (kbytes, ultrapeer);
  return pong;
}

static SvGgep *
pong_ggep (SvPong *pong)
{
  if (pong->ggep == NULL)
    pong->ggep = sv_ggep_new ();
  return pong->ggep;
}

void
sv_pong_add_up (SvPong *pong, guint8 version, guint8 leaf_slots, guint8 up_slots)
{
  guint8 v[3] = { version, leaf_slots, up_slots };

  sv_ggep_add (pong_ggep (pong), "UP", v, sizeof v, SV_GGEP_ENC_NONE);
}

void
sv_pong_add_vc (SvPong *pong, const char vendor[4], guint8 version)
{
  guint8 v[5];

  memcpy (v, vendor, 4);
  v[4] = version;
  sv_ggep_add (pong_ggep (pong), "VC", v, sizeof v, SV_GGEP_ENC_NONE);
}

void
sv_pong_add_ipv6 (SvPong *pong, const guint8 ipv6[16])
{
  sv_ggep_add (pong_ggep (pong), "6", ipv6, 16, SV_GGEP_ENC_NONE);
}

void
sv_pong_add_du (SvPong *pong, guint32 seconds)
{
  sv_ggep_add_uint (pong_ggep (pong), "DU", seconds);
}

void
sv_pong_add_ipp (SvPong *pong, const SvPongIpp *hosts, guint n)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();

  sv_put_ip_ports (buf, hosts, MIN (n, SV_PONG_MAX_IPP_ENTRIES), sizeof *hosts, 4,
                   G_STRUCT_OFFSET (SvPongIpp, port));
  sv_ggep_add (pong_ggep (pong), "IPP", buf->data, buf->len, SV_GGEP_ENC_NONE);
}

void
sv_pong_add_ipp6 (SvPong *pong, const SvPongIpp6 *hosts, guint n)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();

  sv_put_ip_ports (buf, hosts, MIN (n, SV_PONG_MAX_IPP_ENTRIES), sizeof *hosts, 16,
                   G_STRUCT_OFFSET (SvPongIpp6, port));
  sv_ggep_add (pong_ggep (pong), "IPP6", buf->data, buf->len, SV_GGEP_ENC_NONE);
}

static void
add_ipv6_port (SvFields *arr, const guint8 ip[16], guint16 port)
{
  char text[INET6_ADDRSTRLEN];

  if (inet_ntop (AF_INET6, ip, text, sizeof text) == NULL)
    g_strlcpy (text, "?", sizeof text);
  sv_fields_add_printf (arr, NULL, "[%s]:%u", text, port);
}

void
sv_pong_describe (const SvPong *pong, SvFields *out)
{
  sv_fields_add_uint (out, "port", pong->port);
  sv_fields_add_ipv4 (out, "ip", pong->ip);
  sv_fields_add_uint (out, "files", pong->files);
  sv_fields_add_uint (out, "kbytes", pong->kbytes);
  sv_fields_add_bool (out, "ultrapeer", sv_pong_is_ultrapeer_marked (pong->kbytes));
  if (pong->has_du)
    sv_fields_add_uint (out, "du", pong->du);
  if (pong->has_up)
    {
      SvFields *up = sv_fields_add_object (out, "up");
      sv_fields_add_uint (up, "version", pong->up_version);
      sv_fields_add_uint (up, "leaf_slots", pong->up_leaf_slots);
      sv_fields_add_uint (up, "up_slots", pong->up_up_slots);
    }
  if (pong->has_vc)
    {
      SvFields *vc = sv_fields_add_object (out, "vc");
      sv_fields_add_string (vc, "vendor", pong->vc_vendor, -1);
      sv_fields_add_uint (vc, "version", pong->vc_version);
    }
  if (pong->n_ipp > 0 || pong->ipp_truncated)
    {
      SvFields *arr = sv_fields_add_array (out, "ipp");
      for (guint i = 0; i < pong->n_ipp; i++)
        sv_fields_add_printf (arr, NULL, "%u.%u.%u.%u:%u", pong->ipp[i].ip[0], pong->ipp[i].ip[1],
                              pong->ipp[i].ip[2], pong->ipp[i].ip[3], pong->ipp[i].port);
      if (pong->ipp_truncated)
        sv_fields_add_bool (out, "ipp_truncated", TRUE);
    }
  if (pong->n_ipp6 > 0 || pong->ipp6_truncated)
    {
      SvFields *arr = sv_fields_add_array (out, "ipp6");
      for (guint i = 0; i < pong->n_ipp6; i++)
        add_ipv6_port (arr, pong->ipp6[i].ip, pong->ipp6[i].port);
      if (pong->ipp6_truncated)
        sv_fields_add_bool (out, "ipp6_truncated", TRUE);
    }
  if (pong->phc != NULL)
    {
      SvFields *arr = sv_fields_add_array (out, "phc");
      for (guint i = 0; pong->phc[i] != NULL; i++)
        sv_fields_add_string (arr, NULL, pong->phc[i], -1);
    }
  if (pong->loc != NULL)
    sv_fields_add_string (out, "loc", pong->loc, -1);
  if (pong->has_ipv6)
    {
      char text[INET6_ADDRSTRLEN];
      if (inet_ntop (AF_INET6, pong->ipv6, text, sizeof text) == NULL)
        g_strlcpy (text, "?", sizeof text);
      sv_fields_add_string (out, "ipv6", text, -1);
    }
  if (pong->tls)
    sv_fields_add_bool (out, "tls", TRUE);
  if (pong->has_gue)
    sv_fields_add_uint (out, "gue", pong->gue);
  if (pong->has_dht)
    {
      SvFields *dht = sv_fields_add_object (out, "dht");
      sv_fields_add_printf (dht, "version", "%u.%u", pong->dht_major, pong->dht_minor);
      sv_fields_add_uint (dht, "flags", pong->dht_flags);
    }
  if (pong->udphc)
    sv_fields_add_string (out, "udphc", pong->udphc_host != NULL ? pong->udphc_host : "", -1);
  describe_ext_area (pong->ggep, pong->trailing, pong_known, out);
}
