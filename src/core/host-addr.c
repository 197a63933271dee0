/* host-addr.c: parsing, formatting, hashing and classification of IPv4/IPv6 host addresses. */
#include "host-addr.h"

#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"

static const guint8 v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void
sv_host_addr_set_ipv4 (SvHostAddr *out, const guint8 ip4[4], guint16 port)
{
  memset (out, 0, sizeof *out);
  out->family = SV_HOST_ADDR_IPV4;
  memcpy (out->ip, ip4, 4);
  out->port = port;
}

void
sv_host_addr_set_ipv4_u32 (SvHostAddr *out, guint32 ip4, guint16 port)
{
  guint8 b[4];

  sv_poke_be32 (b, ip4);
  sv_host_addr_set_ipv4 (out, b, port);
}

void
sv_host_addr_set_ipv6 (SvHostAddr *out, const guint8 ip6[16], guint16 port)
{
  if (memcmp (ip6, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0)
    {
      sv_host_addr_set_ipv4 (out, ip6 + 12, port);
      return;
    }
  memset (out, 0, sizeof *out);
  out->family = SV_HOST_ADDR_IPV6;
  memcpy (out->ip, ip6, 16);
  out->port = port;
}

void
sv_host_addr_from_ipp (SvHostAddr *out, const guint8 entry[6])
{
  sv_host_addr_set_ipv4 (out, entry, sv_peek_le16 (entry + 4));
}

void
sv_host_addr_from_ipp6 (SvHostAddr *out, const guint8 entry[18])
{
  sv_host_addr_set_ipv6 (out, entry, sv_peek_le16 (entry + 16));
}

guint32
sv_host_addr_ipv4_u32 (const SvHostAddr *addr)
{
  return addr->family == SV_HOST_ADDR_IPV4 ? sv_peek_be32 (addr->ip) : 0;
}

/* --- Parsing --- */

/* Dotted quad: four parts of 1-3 decimal digits, 0-255, no leading zero unless @leading_zeros. */
static gboolean
parse_ipv4 (const char *s, gsize len, gboolean leading_zeros, guint8 out[4])
{
  gsize i = 0;

  for (guint part = 0; part < 4; part++)
    {
      guint v = 0;
      gsize start = i;

      if (part > 0)
        {
          if (i >= len || s[i] != '.')
            return FALSE;
          start = ++i;
        }
      while (i < len && g_ascii_isdigit (s[i]) && i - start < 3)
        v = v * 10 + (guint) (s[i++] - '0');
      if (i == start || v > 255 || (!leading_zeros && i - start > 1 && s[start] == '0'))
        return FALSE;
      out[part] = (guint8) v;
    }
  return i == len;
}

static gboolean
parse_ipv6 (const char *s, gsize len, guint8 out[16])
{
  char buf[SV_HOST_ADDR_MAX_TEXT_BYTES + 1];

  if (len == 0 || len > SV_HOST_ADDR_MAX_TEXT_BYTES || memchr (s, '\0', len) != NULL)
    return FALSE;
  memcpy (buf, s, len);
  buf[len] = '\0';
  return inet_pton (AF_INET6, buf, out) == 1;
}

static gboolean
parse_ip (const char *s, gsize len, SvHostAddr *out)
{
  guint8 b[16];

  if (parse_ipv4 (s, len, FALSE, b))
    {
      sv_host_addr_set_ipv4 (out, b, 0);
      return TRUE;
    }
  if (memchr (s, ':', len) != NULL && parse_ipv6 (s, len, b))
    {
      sv_host_addr_set_ipv6 (out, b, 0);
      return TRUE;
    }
  return FALSE;
}

/* Decimal 1-65535 (0-65535 with @allow_zero), at most 5 digits, no sign. */
static gboolean
parse_port (const char *s, gsize len, gboolean allow_zero, guint16 *out)
{
  guint v = 0;

  if (len == 0 || len > 5)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint) (s[i] - '0');
    }
  if ((v == 0 && !allow_zero) || v > 65535)
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static void
trim (const char **s, gsize *len)
{
  while (*len > 0 && g_ascii_isspace ((*s)[0]))
    {
      (*s)++;
      (*len)--;
    }
  while (*len > 0 && g_ascii_isspace ((*s)[*len - 1]))
    (*len)--;
}

SvStatus
sv_host_addr_parse (const char *text, gsize len, guint16 default_port, SvHostAddr *out)
{
  return sv_host_addr_parse_full (text, len, default_port, SV_HOST_ADDR_PARSE_STRICT, out);
}

SvStatus
sv_host_addr_parse_full (const char *text, gsize len, guint16 default_port,
                         SvHostAddrParseFlags flags, SvHostAddr *out)
{
  gboolean port_zero = (flags & SV_HOST_ADDR_PARSE_PORT_ZERO) != 0;
  gboolean leading_zeros = (flags & SV_HOST_ADDR_PARSE_LEADING_ZEROS) != 0;
  SvHostAddr a;
  guint8 b[16];
  guint16 port = default_port;
  const char *colon;

  if (text == NULL)
    return SV_STATUS_BAD_SYNTAX;
  trim (&text, &len);
  if (len > SV_HOST_ADDR_MAX_TEXT_BYTES)
    return SV_STATUS_TOO_BIG;
  if (len == 0)
    return SV_STATUS_BAD_SYNTAX;

  if (text[0] == '[')
    {
      const char *close = memchr (text, ']', len);
      gsize inner, rest;

      if (close == NULL)
        return SV_STATUS_BAD_SYNTAX;
      inner = (gsize) (close - text) - 1;
      rest = len - inner - 2;
      if (rest > 0 && (close[1] != ':' || !parse_port (close + 2, rest - 1, port_zero, &port)))
        return SV_STATUS_BAD_SYNTAX;
      if (!parse_ipv6 (text + 1, inner, b))
        return SV_STATUS_BAD_SYNTAX;
      sv_host_addr_set_ipv6 (&a, b, port);
      *out = a;
      return SV_STATUS_OK;
    }

  colon = memchr (text, ':', len);
  if (colon != NULL && memchr (colon + 1, ':', len - (gsize) (colon - text) - 1) != NULL)
    {
      /* Two colons or more: a bare IPv6 address, no port. */
      if (!parse_ipv6 (text, len, b))
        return SV_STATUS_BAD_SYNTAX;
      sv_host_addr_set_ipv6 (&a, b, port);
      *out = a;
      return SV_STATUS_OK;
    }
  if (colon != NULL)
    {
      gsize host_len = (gsize) (colon - text);

      if (!parse_port (colon + 1, len - host_len - 1, port_zero, &port))
        return SV_STATUS_BAD_SYNTAX;
      len = host_len;
    }
  if (!parse_ipv4 (text, len, leading_zeros, b))
    return SV_STATUS_BAD_SYNTAX;
  sv_host_addr_set_ipv4 (&a, b, port);
  *out = a;
  return SV_STATUS_OK;
}

SvStatus
sv_host_addr_parse_ip (const char *text, gsize len, SvHostAddr *out)
{
  SvHostAddr a;

  if (text == NULL)
    return SV_STATUS_BAD_SYNTAX;
  trim (&text, &len);
  if (len > SV_HOST_ADDR_MAX_TEXT_BYTES)
    return SV_STATUS_TOO_BIG;
  if (len == 0 || !parse_ip (text, len, &a))
    return SV_STATUS_BAD_SYNTAX;
  *out = a;
  return SV_STATUS_OK;
}

/* --- Formatting, equality --- */

char *
sv_host_addr_format (const SvHostAddr *addr, gboolean with_port, char out[SV_HOST_ADDR_STRLEN])
{
  char ip[INET6_ADDRSTRLEN];

  if (addr->family == SV_HOST_ADDR_IPV4)
    g_snprintf (ip, sizeof ip, "%u.%u.%u.%u", addr->ip[0], addr->ip[1], addr->ip[2], addr->ip[3]);
  else if (addr->family == SV_HOST_ADDR_IPV6)
    {
      if (inet_ntop (AF_INET6, addr->ip, ip, sizeof ip) == NULL)
        g_strlcpy (ip, "::", sizeof ip);
    }
  else
    g_strlcpy (ip, "unset", sizeof ip);

  if (!with_port || addr->family == SV_HOST_ADDR_NONE)
    g_strlcpy (out, ip, SV_HOST_ADDR_STRLEN);
  else if (addr->family == SV_HOST_ADDR_IPV6)
    g_snprintf (out, SV_HOST_ADDR_STRLEN, "[%s]:%u", ip, addr->port);
  else
    g_snprintf (out, SV_HOST_ADDR_STRLEN, "%s:%u", ip, addr->port);
  return out;
}

static gsize
ip_len (const SvHostAddr *addr)
{
  return addr->family == SV_HOST_ADDR_IPV4 ? 4 : addr->family == SV_HOST_ADDR_IPV6 ? 16 : 0;
}

gboolean
sv_host_addr_same_ip (const SvHostAddr *a, const SvHostAddr *b)
{
  return a->family == b->family && memcmp (a->ip, b->ip, ip_len (a)) == 0;
}

gboolean
sv_host_addr_is_wildcard (const SvHostAddr *a)
{
  static const guint8 zero[16] = { 0 };

  return a->family == 0 || memcmp (a->ip, zero, sizeof zero) == 0;
}

gboolean
sv_host_addr_equal (const SvHostAddr *a, const SvHostAddr *b)
{
  return a->port == b->port && sv_host_addr_same_ip (a, b);
}

guint
sv_host_addr_hash (gconstpointer key)
{
  const SvHostAddr *a = key;
  guint h = 2166136261u ^ a->family;
  gsize n = ip_len (a);

  /* FNV-1a over the address bytes and the port. */
  for (gsize i = 0; i < n; i++)
    h = (h ^ a->ip[i]) * 16777619u;
  h = (h ^ (a->port & 0xff)) * 16777619u;
  h = (h ^ (a->port >> 8)) * 16777619u;
  return h;
}

gboolean
sv_host_addr_key_equal (gconstpointer a, gconstpointer b)
{
  return sv_host_addr_equal (a, b);
}

/* --- Classification --- */

typedef struct {
  guint32 net;
  guint8 bits;
  SvHostClass klass;
} V4Range;

/* Most specific first where ranges nest. */
static const V4Range v4_ranges[] = {
  { 0x00000000, 8, SV_HOST_CLASS_RESERVED },     /* 0.0.0.0/8 "this network" */
  { 0x0a000000, 8, SV_HOST_CLASS_PRIVATE },      /* 10.0.0.0/8 */
  { 0x64400000, 10, SV_HOST_CLASS_SHARED },      /* 100.64.0.0/10 */
  { 0x7f000000, 8, SV_HOST_CLASS_LOOPBACK },     /* 127.0.0.0/8 */
  { 0xa9fe0000, 16, SV_HOST_CLASS_LINK_LOCAL },  /* 169.254.0.0/16 */
  { 0xac100000, 12, SV_HOST_CLASS_PRIVATE },     /* 172.16.0.0/12 */
  { 0xc0000000, 24, SV_HOST_CLASS_RESERVED },    /* 192.0.0.0/24 IETF protocol assignments */
  { 0xc0000200, 24, SV_HOST_CLASS_TEST_NET },    /* 192.0.2.0/24 TEST-NET-1 */
  { 0xc0a80000, 16, SV_HOST_CLASS_PRIVATE },     /* 192.168.0.0/16 */
  { 0xc6120000, 15, SV_HOST_CLASS_TEST_NET },    /* 198.18.0.0/15 benchmarking */
  { 0xc6336400, 24, SV_HOST_CLASS_TEST_NET },    /* 198.51.100.0/24 TEST-NET-2 */
  { 0xcb007100, 24, SV_HOST_CLASS_TEST_NET },    /* 203.0.113.0/24 TEST-NET-3 */
  { 0xe0000000, 4, SV_HOST_CLASS_MULTICAST },    /* 224.0.0.0/4 */
  { 0xf0000000, 4, SV_HOST_CLASS_RESERVED },     /* 240.0.0.0/4 and 255.255.255.255 */
};

static SvHostClass
classify_v4 (guint32 ip)
{
  for (gsize i = 0; i < G_N_ELEMENTS (v4_ranges); i++)
    {
      guint32 mask = 0xffffffffu << (32 - v4_ranges[i].bits);

      if ((ip & mask) == v4_ranges[i].net)
        return v4_ranges[i].klass;
    }
  return SV_HOST_CLASS_ROUTABLE;
}

/* Does @ip start with the first @bits bits of @prefix? */
static gboolean
v6_in (const guint8 ip[16], const guint8 *prefix, guint bits)
{
  guint whole = bits / 8, rest = bits % 8;

  if (memcmp (ip, prefix, whole) != 0)
    return FALSE;
  if (rest == 0)
    return TRUE;
  return ((ip[whole] ^ prefix[whole]) & (guint8) (0xff << (8 - rest))) == 0;
}

static SvHostClass
classify_v6 (const guint8 ip[16])
{
  static const guint8 loopback[16] = { [15] = 1 };
  static const guint8 unspecified[16] = { 0 };
  static const guint8 doc[] = { 0x20, 0x01, 0x0d, 0xb8 };       /* 2001:db8::/32 */
  static const guint8 bench[] = { 0x20, 0x01, 0x00, 0x02, 0x00, 0x00 }; /* 2001:2::/48 */
  static const guint8 doc2[] = { 0x3f, 0xff, 0x00 };            /* 3fff::/20 */
  static const guint8 discard[] = { 0x01, 0x00, 0, 0, 0, 0, 0, 0 }; /* 100::/64 */

  if (memcmp (ip, loopback, 16) == 0)
    return SV_HOST_CLASS_LOOPBACK;
  if (memcmp (ip, unspecified, 16) == 0)
    return SV_HOST_CLASS_RESERVED;
  if (ip[0] == 0xff)
    return SV_HOST_CLASS_MULTICAST;
  if ((ip[0] & 0xfe) == 0xfc)
    return SV_HOST_CLASS_PRIVATE;                               /* fc00::/7 */
  if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80)
    return SV_HOST_CLASS_LINK_LOCAL;                            /* fe80::/10 */
  if (v6_in (ip, doc, 32) || v6_in (ip, bench, 48) || v6_in (ip, doc2, 20))
    return SV_HOST_CLASS_TEST_NET;
  if (v6_in (ip, discard, 64))
    return SV_HOST_CLASS_RESERVED;
  if ((ip[0] & 0xe0) != 0x20)
    return SV_HOST_CLASS_RESERVED;                              /* outside 2000::/3 (fec0::/10 too) */
  return SV_HOST_CLASS_ROUTABLE;
}

SvHostClass
sv_host_addr_classify (const SvHostAddr *addr)
{
  if (addr->family == SV_HOST_ADDR_IPV4)
    return classify_v4 (sv_peek_be32 (addr->ip));
  if (addr->family == SV_HOST_ADDR_IPV6)
    return classify_v6 (addr->ip);
  return SV_HOST_CLASS_RESERVED;
}

const char *
sv_host_class_name (SvHostClass klass)
{
  switch (klass)
    {
    case SV_HOST_CLASS_ROUTABLE: return "routable";
    case SV_HOST_CLASS_LOOPBACK: return "loopback";
    case SV_HOST_CLASS_PRIVATE: return "private";
    case SV_HOST_CLASS_SHARED: return "shared";
    case SV_HOST_CLASS_LINK_LOCAL: return "link-local";
    case SV_HOST_CLASS_MULTICAST: return "multicast";
    case SV_HOST_CLASS_TEST_NET: return "test-net";
    case SV_HOST_CLASS_RESERVED: return "reserved";
    }
  return "unknown";
}

gboolean
sv_host_class_is_bogon (SvHostClass klass)
{
  return klass == SV_HOST_CLASS_SHARED || klass == SV_HOST_CLASS_TEST_NET
         || klass == SV_HOST_CLASS_RESERVED;
}

gboolean
sv_host_addr_is_connectable (const SvHostAddr *addr, gboolean lan_mode)
{
  if (addr->port == 0)
    return FALSE;
  switch (sv_host_addr_classify (addr))
    {
    case SV_HOST_CLASS_ROUTABLE:
      return TRUE;
    case SV_HOST_CLASS_LOOPBACK:
    case SV_HOST_CLASS_PRIVATE:
    case SV_HOST_CLASS_SHARED:
    case SV_HOST_CLASS_TEST_NET:
      return lan_mode;
    case SV_HOST_CLASS_LINK_LOCAL:
    case SV_HOST_CLASS_MULTICAST:
    case SV_HOST_CLASS_RESERVED:
      return FALSE;
    }
  return FALSE;
}
