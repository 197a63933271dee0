/* giv.h: the GIV line a firewalled servent sends after honouring a Push, and the G2 form.
 *
 *   GIV <index>:<32 hex servent GUID>/<file name>\n\n     (Gnutella; LF only when we write it)
 *   PUSH guid:<32 hex servent GUID>\r\n\r\n               (G2)
 *
 * Reading tolerates CRLF in either form. The file name is kept for display only; transfers
 * are matched by GUID and then go by URN. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "limits.h"
#include "status.h"

typedef enum {
  SV_GIV_KIND_GIV = 0,
  SV_GIV_KIND_PUSH,       /* the G2 "PUSH guid:" form: no index, no name */
} SvGivKind;

typedef struct {
  SvGivKind kind;
  guint32 index;                          /* GIV only */
  SvGuid guid;
  gsize name_len;                         /* GIV only; 0 when absent */
  char name[SV_GIV_MAX_LINE_BYTES + 1];   /* raw bytes (no control characters), NUL-terminated */
} SvGiv;

/* Parses a GIV or G2 PUSH announcement from the start of @data, which holds the bytes received
 * so far (@len). Call again with more bytes after NEED_MORE.
 * Returns: SV_STATUS_OK with *@consumed = bytes up to and including the empty line;
 * SV_STATUS_NEED_MORE; SV_STATUS_TOO_BIG when the line is longer than SV_GIV_MAX_LINE_BYTES;
 * SV_STATUS_BAD_VALUE for an index past 32 bits; SV_STATUS_BAD_SYNTAX for anything else (decided
 * as early as the bytes allow). @out is only meaningful on OK. */
SvStatus sv_giv_parse (const guint8 *data, gsize len, SvGiv *out, gsize *consumed);

/* Appends "GIV <index>:<guid hex>/<name>\n\n" to @out. @name NULL means "file".
 * Returns: FALSE (nothing appended) when @name holds a control character or the line would be
 * longer than SV_GIV_MAX_LINE_BYTES. */
gboolean sv_giv_build (guint32 index, const SvGuid *guid, const char *name, GByteArray *out);

/* Appends "PUSH guid:<guid hex>\r\n\r\n" to @out. */
void sv_giv_build_push (const SvGuid *guid, GByteArray *out);
