/* gnet-sniff.h: what a new connection on the Gnutella port is, from its first bytes.
 *
 * One TCP port carries Gnutella handshakes, HTTP requests, GIV / G2 PUSH callbacks and PARQ
 * QUEUE callbacks. A TLS ClientHello is recognised too, so that a servent without TLS can refuse
 * it cleanly instead of answering HTTP to it. At most SV_SNIFF_BYTES bytes are looked at. */
#pragma once

#include <glib.h>

#include "limits.h"

typedef enum {
  SV_GNET_SNIFF_NEED_MORE = 0,  /* the bytes so far could still start several things */
  SV_GNET_SNIFF_GNUTELLA,       /* "GNUTELLA CONNECT/" */
  SV_GNET_SNIFF_GET,            /* "GET " */
  SV_GNET_SNIFF_HEAD,           /* "HEAD " */
  SV_GNET_SNIFF_HTTP_OTHER,     /* another upper-case method then a space ("POST "): 405/501 */
  SV_GNET_SNIFF_GIV,            /* "GIV " */
  SV_GNET_SNIFF_PUSH,           /* "PUSH guid:" (G2 callback) */
  SV_GNET_SNIFF_QUEUE,          /* "QUEUE " (PARQ callback) */
  SV_GNET_SNIFF_TLS,            /* a TLS record carrying a ClientHello */
  SV_GNET_SNIFF_UNKNOWN,        /* none of these: close */
} SvGnetSniff;

/* Classifies the first @len bytes received on a new connection (more than SV_SNIFF_BYTES are
 * ignored). NEED_MORE is only returned while @len < SV_SNIFF_BYTES. */
SvGnetSniff sv_gnet_sniff (const guint8 *data, gsize len);

/* Returns: (transfer none) a stable lower-case token such as "gnutella", "giv" or "tls". */
const char *sv_gnet_sniff_name (SvGnetSniff kind);
