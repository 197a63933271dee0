/* browse-reader.h: reads the answer to a browse-host request (GET / with Accept:
 * application/x-gnutella-packets): a stream of Gnutella messages, QueryHits carrying every file
 * the host shares. Bytes are fed as they come, in pieces of any size; whole messages are framed
 * (msg-header.h) and each QueryHit decoded (msg-queryhit.h).
 *
 * Kept per file: name, size, SHA-1 and the host's file index. Files without a SHA-1 cannot be
 * fetched by hash and are only counted. The host itself (servent GUID, address, firewalled flag,
 * push proxies) is taken from the first hit. Messages of other types are skipped.
 *
 * Caps: a message over its type's cap (SV_MSG_MAX_QUERYHIT_BYTES for hits) makes the stream BAD
 * before its payload is buffered, so at most one message is ever held; more than
 * SV_BROWSE_READER_MAX_FILES files makes it FULL; a hit that does not decode makes it BAD. A BAD
 * stream stays BAD: the host is not to be believed. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "limits.h"
#include "qhit-trailer.h"
#include "urn.h"

#define SV_BROWSE_READER_MAX_FILES 65536

typedef enum {
  SV_BROWSE_READER_OK = 0,   /* keep feeding */
  SV_BROWSE_READER_BAD,      /* a message too big or a hit that does not decode */
  SV_BROWSE_READER_FULL,     /* more files than SV_BROWSE_READER_MAX_FILES */
} SvBrowseReaderVerdict;

typedef struct {
  char *name;                /* owned, valid UTF-8 (invalid names are skipped) */
  guint64 size;
  SvSha1 sha1;
  guint32 index;
} SvBrowseFile;

typedef struct {
  gboolean known;            /* a hit has come */
  SvGuid servent;
  guint8 ip[4];              /* as the hit says (network order) */
  guint16 port;
  gboolean firewalled;
  guint n_push_proxies;
  SvQhitHost push_proxies[SV_QUERYHIT_MAX_PUSH_PROXIES];
} SvBrowseHost;

typedef struct _SvBrowseReader SvBrowseReader;

/* Returns: (transfer full). */
SvBrowseReader *sv_browse_reader_new (void);
void sv_browse_reader_free (SvBrowseReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvBrowseReader, sv_browse_reader_free)

/* Feeds @len bytes. Returns: the verdict so far (BAD and FULL stay). */
SvBrowseReaderVerdict sv_browse_reader_feed (SvBrowseReader *reader, const guint8 *data, gsize len);
/* Returns: TRUE when the stream ended on a message boundary and is not BAD. */
gboolean sv_browse_reader_finish (const SvBrowseReader *reader);

/* Returns: (transfer none) (element-type SvBrowseFile) the files read so far, in stream order. */
const GArray *sv_browse_reader_files (const SvBrowseReader *reader);
/* Returns: (transfer none) the host, from the first hit. */
const SvBrowseHost *sv_browse_reader_host (const SvBrowseReader *reader);
/* Files skipped: no SHA-1, or a name that is not UTF-8. */
guint sv_browse_reader_skipped (const SvBrowseReader *reader);
