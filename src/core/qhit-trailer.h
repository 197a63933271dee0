/* qhit-trailer.h: the QueryHit trailer ("extended query hit descriptor") between the results and the
 * servent GUID: vendor code, open data (flag bytes A/B), private data with its GGEP block.
 *
 * Flag bytes: gtk-gnutella reads every status as A & B and writes A = 0x04|0x08|0x20 (+0x01 when
 * firewalled), B = 0x01 + the bits that hold. The push bit (0x01) has reversed polarity: set in both
 * bytes means "firewalled, use a PUSH". Open-data size 1 (NapShare) carries byte A only; size 4 adds
 * the LE16 size of LimeWire's XML. The private data is kept raw around its GGEP block (the block
 * starts at the first 0xC3 when the GGEP bit is set), so a decoded trailer re-encodes identically. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "ggep.h"
#include "limits.h"
#include "status.h"

/* Our vendor code: "SVNT" (servent). */
#define SV_QHIT_VENDOR_CODE "SVNT"
#define SV_QHIT_VENDOR_LEN 4

/* Open-data flag bits (both bytes). */
#define SV_QHIT_F_PUSH      0x01   /* firewalled: use a PUSH (reversed polarity) */
#define SV_QHIT_F_BUSY      0x04
#define SV_QHIT_F_UPLOADED  0x08
#define SV_QHIT_F_MEASURED  0x10
#define SV_QHIT_F_GGEP      0x20   /* the private data holds a GGEP block */

typedef struct {
  guint8 ip[4];                    /* network order */
  guint16 port;
} SvQhitHost;

typedef struct {
  guint8 ip[16];
  guint16 port;
} SvQhitHost6;

typedef struct {
  char vendor[SV_QHIT_VENDOR_LEN + 1];  /* 4 bytes as sent (may be any byte) + NUL */
  guint8 open_size;                /* as sent: normally 2 */
  GBytes *open_data;               /* (owned) the @open_size bytes */
  GBytes *private_pre;             /* (owned, nullable) private bytes before the GGEP block (all of
                                    * them when there is no block) */
  SvGgep *ggep;                    /* (owned, nullable) the private-data GGEP block */
  GBytes *private_post;            /* (owned, nullable) private bytes after the GGEP block */

  /* Derived on decode (read-only views; the encoder writes the fields above). */
  guint8 flags;                    /* A & B (only A with a 1-byte open data, 0 without) */
  guint16 xml_size;                /* open-data size 4: LimeWire's XML size */
  guint n_push_proxies;            /* from GGEP PUSH, at most SV_QUERYHIT_MAX_PUSH_PROXIES kept */
  SvQhitHost push_proxies[SV_QUERYHIT_MAX_PUSH_PROXIES];
  guint n_push_proxies6;           /* from GGEP PUSH6 (IPv6 push proxies), as many kept */
  SvQhitHost6 push_proxies6[SV_QUERYHIT_MAX_PUSH_PROXIES];
  gboolean has_ipv6;               /* GGEP "6" or the older "GTKG.IPV6" */
  guint8 ipv6[16];
} SvQhitTrailer;

/* Decodes @len bytes (the trailer alone: the GUID is not part of it).
 * Returns: SV_STATUS_OK with @out (transfer full); SV_STATUS_TRUNCATED when the vendor code, the
 * open-data size or the open data run past the end; the GGEP verdict when the private data's
 * block is bad. @out is NULL on failure. */
SvStatus sv_qhit_trailer_decode (const guint8 *data, gsize len, SvQhitTrailer **out);

/* Appends the trailer bytes (not the GUID). */
void sv_qhit_trailer_encode (const SvQhitTrailer *trailer, GByteArray *out);

void sv_qhit_trailer_free (SvQhitTrailer *trailer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvQhitTrailer, sv_qhit_trailer_free)

/* Status bits, read the gtk-gnutella way (A & B). */
gboolean sv_qhit_trailer_firewalled (const SvQhitTrailer *trailer);
gboolean sv_qhit_trailer_busy (const SvQhitTrailer *trailer);
gboolean sv_qhit_trailer_uploaded (const SvQhitTrailer *trailer);
gboolean sv_qhit_trailer_measured (const SvQhitTrailer *trailer);
gboolean sv_qhit_trailer_has_ggep (const SvQhitTrailer *trailer);
/* TRUE when the GGEP block carries @id (BH, TLS, CHAT, GTKGV, …). */
gboolean sv_qhit_trailer_has_key (const SvQhitTrailer *trailer, const char *id);

/* Builds our trailer: vendor SV_QHIT_VENDOR_CODE, open size 2, A = 0x04|0x08|0x20 (+0x01 when
 * @firewalled), B = 0x01 + busy/uploaded + 0x20 when a GGEP block follows. The GGEP block holds
 * PUSH (at most SV_QUERYHIT_MAX_PUSH_PROXIES of @proxies, only when @firewalled) and PUSH6 (the
 * same of @proxies6: proxies reachable over IPv6, 16-byte address and port LE per entry), BH when
 * @browse_host, and "6" with @ipv6 (nullable: none), the IPv6 address we also listen on.
 * Returns: (transfer full). */
SvQhitTrailer *sv_qhit_trailer_new_own (gboolean firewalled, gboolean busy, gboolean uploaded,
                                        gboolean browse_host, const SvQhitHost *proxies,
                                        guint n_proxies, const SvQhitHost6 *proxies6,
                                        guint n_proxies6, const guint8 *ipv6);

/* Adds vendor, open_size, flags by name, xml_size, ggep keys, push_proxies, ipv6 under @out. */
void sv_qhit_trailer_describe (const SvQhitTrailer *trailer, SvFields *out);
