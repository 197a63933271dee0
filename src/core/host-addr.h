/* host-addr.h: an IPv4 or IPv6 address with a port, its text form, and its classification.
 *
 * Every address the servent may connect to (a --peer seed, an X-Try-Ultrapeers entry, an IPP pong
 * entry, a PUSH callback) goes through sv_host_addr_classify() so that loopback, private, link-local,
 * multicast and bogon addresses are refused in production and only the LAN test mode lets the
 * private ones through. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are stored as IPv4, so one host
 * has one key. Pure: no resolver, no sockets. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "status.h"

#define SV_HOST_ADDR_DEFAULT_PORT 6346
/* "[" + 45 characters of IPv6 text + "]:65535" + NUL fits. */
#define SV_HOST_ADDR_STRLEN 56

typedef enum {
  SV_HOST_ADDR_NONE = 0,
  SV_HOST_ADDR_IPV4 = 4,
  SV_HOST_ADDR_IPV6 = 6,
} SvHostAddrFamily;

/* Family 4 or 6 (0: unset), IPv4 in ip[0..3] (network order, the rest zero). */
typedef struct {
  guint8 family;
  guint8 ip[16];
  guint16 port;
} SvHostAddr;

typedef enum {
  SV_HOST_CLASS_ROUTABLE = 0,  /* a public unicast address */
  SV_HOST_CLASS_LOOPBACK,      /* 127.0.0.0/8, ::1 */
  SV_HOST_CLASS_PRIVATE,       /* 10/8, 172.16/12, 192.168/16 (RFC 1918), fc00::/7 (ULA) */
  SV_HOST_CLASS_SHARED,        /* 100.64.0.0/10, carrier-grade NAT (RFC 6598) */
  SV_HOST_CLASS_LINK_LOCAL,    /* 169.254/16, fe80::/10 */
  SV_HOST_CLASS_MULTICAST,     /* 224/4, ff00::/8 */
  SV_HOST_CLASS_TEST_NET,      /* documentation and benchmark ranges: 192.0.2/24, 198.51.100/24,
                                * 203.0.113/24, 198.18/15, 2001:db8::/32, 2001:2::/48, 3fff::/20 */
  SV_HOST_CLASS_RESERVED,      /* 0/8, 192.0.0/24, 240/4 (and broadcast), ::, fec0::/10, 100::/64,
                                * and IPv6 outside 2000::/3 */
} SvHostClass;

/* Fillers. @ip4 is in network order; @ip6 is 16 bytes and an IPv4-mapped one becomes IPv4. */
void sv_host_addr_set_ipv4 (SvHostAddr *out, const guint8 ip4[4], guint16 port);
void sv_host_addr_set_ipv6 (SvHostAddr *out, const guint8 ip6[16], guint16 port);
/* @ip4 as a host-order integer (a.b.c.d = a << 24 | …). */
void sv_host_addr_set_ipv4_u32 (SvHostAddr *out, guint32 ip4, guint16 port);
/* An IPP entry (6 bytes: IPv4 big-endian, port little-endian) and an IPP6 entry (16 + 2 LE). */
void sv_host_addr_from_ipp (SvHostAddr *out, const guint8 entry[6]);
void sv_host_addr_from_ipp6 (SvHostAddr *out, const guint8 entry[18]);

/* The IPv4 address as a host-order integer; 0 for IPv6. */
guint32 sv_host_addr_ipv4_u32 (const SvHostAddr *addr);

/* Parses `a.b.c.d`, `a.b.c.d:port`, `[v6]`, `[v6]:port` or a bare IPv6 address (no port).
 * Surrounding blanks are skipped. A missing port becomes @default_port. Dotted quads are strict
 * (four decimal parts 0-255, no leading zeros); ports are 1-65535 in decimal.
 * Returns: SV_STATUS_OK; SV_STATUS_TOO_BIG for text over SV_HOST_ADDR_MAX_TEXT_BYTES;
 * SV_STATUS_BAD_SYNTAX otherwise (@out is untouched then). */
SvStatus sv_host_addr_parse (const char *text, gsize len, guint16 default_port, SvHostAddr *out);

/* Relaxations of sv_host_addr_parse() for text that needs them. */
typedef enum {
  SV_HOST_ADDR_PARSE_STRICT = 0,
  SV_HOST_ADDR_PARSE_PORT_ZERO = 1 << 0,     /* accept port 0 (a firewalled host's Listen-IP) */
  SV_HOST_ADDR_PARSE_LEADING_ZEROS = 1 << 1, /* accept dotted-quad parts like "010" (decimal 10) */
} SvHostAddrParseFlags;

/* sv_host_addr_parse() with @flags; SV_HOST_ADDR_PARSE_STRICT is sv_host_addr_parse(). */
SvStatus sv_host_addr_parse_full (const char *text, gsize len, guint16 default_port,
                                  SvHostAddrParseFlags flags, SvHostAddr *out);

/* Parses an address alone (`a.b.c.d` or an IPv6 address, no brackets, no port); port set to 0. */
SvStatus sv_host_addr_parse_ip (const char *text, gsize len, SvHostAddr *out);

/* Writes `a.b.c.d:port` or `[v6]:port`, or without the port when @with_port is FALSE (then IPv6
 * is not bracketed). Returns: @out. */
char *sv_host_addr_format (const SvHostAddr *addr, gboolean with_port, char out[SV_HOST_ADDR_STRLEN]);

/* TRUE for an address of no family or the wildcard (0.0.0.0, ::): no specific address. */
gboolean sv_host_addr_is_wildcard (const SvHostAddr *addr);

/* Address and port equal. */
gboolean sv_host_addr_equal (const SvHostAddr *a, const SvHostAddr *b);
/* Address equal, port ignored. */
gboolean sv_host_addr_same_ip (const SvHostAddr *a, const SvHostAddr *b);

/* GHashTable helpers for SvHostAddr keys (address and port). */
guint sv_host_addr_hash (gconstpointer key);
gboolean sv_host_addr_key_equal (gconstpointer a, gconstpointer b);

SvHostClass sv_host_addr_classify (const SvHostAddr *addr);

/* Returns: (transfer none) "routable", "loopback", "private", … */
const char *sv_host_class_name (SvHostClass klass);

/* TRUE for the classes that are never seen on the public Internet as a source: shared (CGNAT),
 * test-net and reserved. */
gboolean sv_host_class_is_bogon (SvHostClass klass);

/* May the servent connect to (or accept a PUSH callback towards) @addr? Routable addresses with a
 * non-zero port always; with @lan_mode also loopback, private, shared and test-net addresses.
 * Never link-local (an address without an interface scope), multicast or reserved ones. */
gboolean sv_host_addr_is_connectable (const SvHostAddr *addr, gboolean lan_mode);
