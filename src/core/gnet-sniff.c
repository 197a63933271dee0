/* gnet-sniff.c: classification of a new connection's first bytes. */
#include "gnet-sniff.h"

#include <string.h>

#define TLS_CONTENT_HANDSHAKE   0x16
#define TLS_HANDSHAKE_CLIENT_HELLO 0x01
#define TLS_RECORD_HEADER_LEN   5

typedef struct {
  const char *prefix;
  SvGnetSniff kind;
} Prefix;

/* Checked in order; none is a prefix of another. */
static const Prefix prefixes[] = {
  { "GNUTELLA CONNECT/", SV_GNET_SNIFF_GNUTELLA },
  { "GET ", SV_GNET_SNIFF_GET },
  { "HEAD ", SV_GNET_SNIFF_HEAD },
  { "GIV ", SV_GNET_SNIFF_GIV },
  { "PUSH guid:", SV_GNET_SNIFF_PUSH },
  { "QUEUE ", SV_GNET_SNIFF_QUEUE },
};

/* TLS record header: type 0x16, version 3.x (x <= 4), a length, then the handshake type. */
static SvGnetSniff
sniff_tls (const guint8 *data, gsize len)
{
  if (len < 1 || data[0] != TLS_CONTENT_HANDSHAKE)
    return SV_GNET_SNIFF_UNKNOWN;
  if (len >= 2 && data[1] != 0x03)
    return SV_GNET_SNIFF_UNKNOWN;
  if (len >= 3 && data[2] > 0x04)
    return SV_GNET_SNIFF_UNKNOWN;
  if (len >= 5 && ((data[3] << 8) | data[4]) == 0)
    return SV_GNET_SNIFF_UNKNOWN;
  if (len <= TLS_RECORD_HEADER_LEN)
    return SV_GNET_SNIFF_NEED_MORE;
  return data[TLS_RECORD_HEADER_LEN] == TLS_HANDSHAKE_CLIENT_HELLO
         ? SV_GNET_SNIFF_TLS : SV_GNET_SNIFF_UNKNOWN;
}

SvGnetSniff
sv_gnet_sniff (const guint8 *data, gsize len)
{
  gboolean maybe_more = FALSE;
  gsize upper = 0;

  len = MIN (len, (gsize) SV_SNIFF_BYTES);
  if (len == 0)
    return SV_GNET_SNIFF_NEED_MORE;
  if (data[0] == TLS_CONTENT_HANDSHAKE)
    return sniff_tls (data, len);

  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      gsize plen = strlen (prefixes[i].prefix);
      gsize n = MIN (len, plen);

      if (memcmp (data, prefixes[i].prefix, n) != 0)
        continue;
      if (n == plen)
        return prefixes[i].kind;
      /* The full prefix may be longer than what we look at ("GNUTELLA CONNECT/" is 17). */
      if (len == SV_SNIFF_BYTES)
        return prefixes[i].kind;
      maybe_more = TRUE;
    }
  if (maybe_more)
    return SV_GNET_SNIFF_NEED_MORE;

  /* Some other HTTP method: a token of upper-case letters followed by a space. */
  while (upper < len && g_ascii_isupper (data[upper]))
    upper++;
  if (upper > 0 && upper < len && data[upper] == ' ')
    return SV_GNET_SNIFF_HTTP_OTHER;
  if (upper == len && len < SV_SNIFF_BYTES)
    return SV_GNET_SNIFF_NEED_MORE;
  return SV_GNET_SNIFF_UNKNOWN;
}

const char *
sv_gnet_sniff_name (SvGnetSniff kind)
{
  switch (kind)
    {
    case SV_GNET_SNIFF_NEED_MORE:
      return "need-more";
    case SV_GNET_SNIFF_GNUTELLA:
      return "gnutella";
    case SV_GNET_SNIFF_GET:
      return "get";
    case SV_GNET_SNIFF_HEAD:
      return "head";
    case SV_GNET_SNIFF_HTTP_OTHER:
      return "http-other";
    case SV_GNET_SNIFF_GIV:
      return "giv";
    case SV_GNET_SNIFF_PUSH:
      return "push";
    case SV_GNET_SNIFF_QUEUE:
      return "queue";
    case SV_GNET_SNIFF_TLS:
      return "tls";
    case SV_GNET_SNIFF_UNKNOWN:
      return "unknown";
    }
  return "unknown";
}
