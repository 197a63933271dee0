/* magnet.h: magnet links (magnet:?xt=urn:sha1:…&dn=…&xl=…&xs=…&as=…): parse and build.
 *
 * Parsing rules:
 * - the text must start with "magnet:?" (case-insensitive) and be at most SV_MAGNET_MAX_BYTES;
 * - parameters are split on '&'; keys are case-insensitive and may carry a ".N" suffix
 *   ("xt.1", "xs.2"); unknown keys and empty parameters are ignored;
 * - values are percent-decoded once; in dn a '+' also stands for a space; a bad escape or an
 *   escaped NUL is SV_STATUS_BAD_SYNTAX; a dn that is not UTF-8 is made valid (U+FFFD);
 * - xt: the first urn:sha1 (or urn:bitprint, cut down to its SHA-1) is kept; other topics and
 *   later SHA-1s are ignored;
 * - xl: decimal bytes; anything else is SV_STATUS_BAD_VALUE; the first xl counts;
 * - dn: the first one counts;
 * - xs (exact source) and as (acceptable source): kept in order, empty ones skipped; sources
 *   beyond SV_MAGNET_MAX_SOURCES are dropped.
 *
 * Building writes xt, dn, xl, then the sources, escaping with g_uri_escape_string(); parsing what
 * was built gives back an equal SvMagnet. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "status.h"
#include "urn.h"

typedef enum {
  SV_MAGNET_SOURCE_EXACT = 0,   /* xs= */
  SV_MAGNET_SOURCE_ACCEPTABLE,  /* as= */
} SvMagnetSourceKind;

typedef struct {
  SvMagnetSourceKind kind;
  char *url;                    /* (owned) the percent-decoded URL */
} SvMagnetSource;

typedef struct {
  gboolean has_sha1;
  SvSha1 sha1;
  char *display_name;           /* (owned) (nullable) UTF-8 */
  gboolean has_size;
  guint64 size;
  GPtrArray *sources;           /* (owned) (element-type SvMagnetSource) at most
                                 * SV_MAGNET_MAX_SOURCES */
} SvMagnet;

/* Returns: (transfer full) an empty magnet (no SHA-1, name, size or source). */
SvMagnet *sv_magnet_new (void);
void sv_magnet_free (SvMagnet *magnet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvMagnet, sv_magnet_free)

/* Appends a source; @url is copied.
 * Returns: FALSE (nothing added) when @url is empty or SV_MAGNET_MAX_SOURCES are already held. */
gboolean sv_magnet_add_source (SvMagnet *magnet, SvMagnetSourceKind kind, const char *url);

/* Returns: (transfer full) "http://@host:@port/uri-res/N2R?urn:sha1:<b32>" (an IPv6 @host, one
 * holding ':', is put in brackets). */
char *sv_magnet_n2r_url (const char *host, guint16 port, const SvSha1 *sha1);

/* Parses @len bytes of @text (need not be NUL-terminated; an embedded NUL is bad syntax).
 * Returns: SV_STATUS_OK with @out set (transfer full), or SV_STATUS_TOO_BIG,
 * SV_STATUS_BAD_SYNTAX, SV_STATUS_BAD_VALUE with @out NULL. */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_magnet_parse (const char *text, gsize len, SvMagnet **out);

/* Returns: (transfer full) the magnet link for @magnet. */
char *sv_magnet_build (const SvMagnet *magnet);
