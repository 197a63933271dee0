/* msg-ping.h: Ping (0x00) and Pong (0x01) payloads: decode, encode, describe, the UP marking.
 *
 * A Ping is empty or carries one GGEP block (SCP, DHTIPP, …). A Pong is 14 fixed bytes (port LE,
 * IPv4 BE, files LE, KB LE) and an optional GGEP block whose usual extensions (DU, UP, VC, IPP,
 * IPP6, PHC, LOC, 6, TLS, GUE, DHT, UDPHC) are decoded into typed fields. Both keep the decoded
 * GGEP block and any bytes after it, so a message that was not changed re-encodes to identical
 * bytes. Payloads only: the 23-byte header is msg-header.h's job. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "ggep.h"
#include "limits.h"
#include "status.h"

#define SV_PONG_FIXED_SIZE      14
#define SV_PONG_IPP_ENTRY_SIZE  6      /* IPv4 (BE) + port (LE) */
#define SV_PONG_IPP6_ENTRY_SIZE 18     /* IPv6 + port (LE) */
#define SV_PONG_UP_MIN_KBYTES   8      /* smallest power of two that marks an ultrapeer */

/* SCP flags (the 1-byte value of a Ping's SCP extension). */
#define SV_PING_SCP_ULTRAPEERS  0x01   /* wants ultrapeer addresses */
#define SV_PING_SCP_TLS         0x02   /* wants TLS-capable hosts */
#define SV_PING_SCP_IPV6        0x04   /* also wants IPv6 hosts */
#define SV_PING_SCP_NO_IPV4     0x08   /* wants no IPv4 hosts */

typedef struct {
  SvGgep *ggep;          /* (owned) (nullable) the GGEP block, if any */
  GBytes *trailing;      /* (owned) (nullable) bytes after the block (or a payload without one) */
} SvPing;

typedef struct {
  guint8 ip[4];          /* network order */
  guint16 port;
} SvPongIpp;

typedef struct {
  guint8 ip[16];
  guint16 port;
} SvPongIpp6;

typedef struct {
  guint16 port;
  guint8 ip[4];          /* network order */
  guint32 files;
  guint32 kbytes;
  SvGgep *ggep;          /* (owned) (nullable) the GGEP block; the encoder writes this */
  GBytes *trailing;      /* (owned) (nullable) bytes after the block, kept for re-encoding */

  /* Read-only views decoded from @ggep by sv_pong_decode (not used by the encoder). */
  gboolean has_du;
  guint64 du;                          /* daily average uptime, seconds */
  gboolean has_up;
  guint8 up_version, up_leaf_slots, up_up_slots;
  gboolean has_vc;
  char vc_vendor[5];                   /* 4 characters + NUL */
  guint8 vc_version;
  gboolean has_ipv6;
  guint8 ipv6[16];                     /* GGEP "6" */
  gboolean tls;
  gboolean has_gue;
  guint8 gue;
  gboolean has_dht;
  guint8 dht_major, dht_minor, dht_flags;
  gboolean udphc;
  char *udphc_host;                    /* (owned) (nullable) the UDPHC host name, if not empty */
  char *loc;                           /* (owned) (nullable) LOC text */
  guint n_ipp;
  gboolean ipp_truncated;              /* more than SV_PONG_MAX_IPP_ENTRIES were sent; rest dropped */
  SvPongIpp ipp[SV_PONG_MAX_IPP_ENTRIES];
  guint n_ipp6;
  gboolean ipp6_truncated;
  SvPongIpp6 ipp6[SV_PONG_MAX_IPP_ENTRIES];
  char **phc;                          /* (owned) (nullable) PHC text lines, NULL-terminated */
} SvPong;

/* Ping. @len 0 is a plain ping. A payload that does not start with the GGEP magic is kept whole
 * in @trailing (legacy pings with data).
 * Returns: SV_STATUS_OK with @out (transfer full), or the GGEP layer's verdict with @out NULL. */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_ping_decode (const guint8 *payload, gsize len, SvPing **out);
/* Appends the payload (GGEP block, then the trailing bytes) to @out. */
void sv_ping_encode (const SvPing *ping, GByteArray *out);
/* Returns: (transfer full) an empty ping; add extensions with sv_ping_set_scp or via @ggep. */
SvPing *sv_ping_new (void);
/* Adds an SCP extension with @flags (SV_PING_SCP_*), asking a host cache for addresses. */
void sv_ping_set_scp (SvPing *ping, guint8 flags);
/* The SCP flags a ping asks with (0: none, or no SCP extension). */
guint8 sv_ping_scp (const SvPing *ping);
void sv_ping_free (SvPing *ping);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvPing, sv_ping_free)
/* Keys: scp, dhtipp, ggep [ids], unknown_ggep [ids], trailing (hex). */
void sv_ping_describe (const SvPing *ping, SvFields *out);

/* Pong.
 * Returns: SV_STATUS_OK with @out (transfer full); SV_STATUS_TRUNCATED under 14 bytes or for a
 * known extension shorter than its layout (UP < 3, VC < 5, 6 < 16, DHT < 3, GUE empty);
 * SV_STATUS_BAD_LENGTH for IPP/IPP6 not a multiple of their entry size; the GGEP verdict for a
 * bad block. More IPP/IPP6 entries than SV_PONG_MAX_IPP_ENTRIES are not an error: the first ones
 * are kept and *_truncated is set. */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_pong_decode (const guint8 *payload, gsize len, SvPong **out);
/* Appends the 14 fixed bytes, the GGEP block and the trailing bytes to @out. */
void sv_pong_encode (const SvPong *pong, GByteArray *out);
/* Returns: (transfer full) our own pong, @kbytes already passed through sv_pong_mark_kbytes. */
SvPong *sv_pong_new_own (const guint8 ip[4], guint16 port, guint32 files, guint32 kbytes,
                         gboolean ultrapeer);
void sv_pong_free (SvPong *pong);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvPong, sv_pong_free)
/* Keys: port, ip, files, kbytes, ultrapeer, du, up {version, leaf_slots, up_slots},
 * vc {vendor, version}, ipp ["ip:port"], ipp6 ["[ip]:port"], phc [lines], loc, ipv6, tls, gue,
 * dht {version, flags}, udphc, ggep [ids], unknown_ggep [ids], trailing (hex). */
void sv_pong_describe (const SvPong *pong, SvFields *out);

/* TRUE when @kbytes is an exact power of two >= 8: the sender says it is an ultrapeer. */
gboolean sv_pong_is_ultrapeer_marked (guint32 kbytes);
/* The KB count to advertise: an ultrapeer rounds up to a power of two (at least 8); anyone else
 * moves off an exact power of two >= 8 by adding one, so it is never read as an ultrapeer. */
guint32 sv_pong_mark_kbytes (guint32 kbytes, gboolean ultrapeer);

/* Adds GGEP extensions to a pong we build (@pong->ggep is created when NULL). */
void sv_pong_add_up (SvPong *pong, guint8 version, guint8 leaf_slots, guint8 up_slots);
void sv_pong_add_vc (SvPong *pong, const char vendor[4], guint8 version);
void sv_pong_add_du (SvPong *pong, guint32 seconds);
/* GGEP "6": the IPv6 address we also listen on (same port). */
void sv_pong_add_ipv6 (SvPong *pong, const guint8 ipv6[16]);
/* Adds an IPP extension with at most SV_PONG_MAX_IPP_ENTRIES of @hosts. */
void sv_pong_add_ipp (SvPong *pong, const SvPongIpp *hosts, guint n);
/* The same for IPv6 hosts: GGEP IPP6 (at most SV_PONG_MAX_IPP_ENTRIES of @hosts). */
void sv_pong_add_ipp6 (SvPong *pong, const SvPongIpp6 *hosts, guint n);
