/* handshake-headers.h: one header block of the Gnutella 0.6 handshake, parsed as bytes arrive.
 *
 * A block is a first line (`GNUTELLA CONNECT/0.6` or `GNUTELLA/0.6 200 OK`), header lines, and a
 * blank line. Lines end in CRLF (a bare LF is accepted too). Names are case-insensitive, a line
 * starting with a space or tab continues the previous header (folding), and a repeated header
 * is joined to the first with ", ". The block is capped by SV_HANDSHAKE_MAX_LINE_BYTES,
 * SV_HANDSHAKE_MAX_HEADER_LINES and SV_HANDSHAKE_MAX_HEADER_BYTES. The parser stops right after
 * the blank line and says how many bytes it took: what follows belongs to the message stream. */
#pragma once

#include <glib.h>

#include "limits.h"
#include "status.h"

typedef struct _SvHandshakeHeaders SvHandshakeHeaders;

/* Returns: (transfer full) an empty parser, waiting for the first line. */
SvHandshakeHeaders *sv_handshake_headers_new (void);
void sv_handshake_headers_free (SvHandshakeHeaders *headers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvHandshakeHeaders, sv_handshake_headers_free)

/* Feeds the next @len bytes of the stream. @consumed receives how many of them belong to the
 * block. Returns:
 * - SV_STATUS_NEED_MORE: all bytes taken, the blank line has not come yet;
 * - SV_STATUS_OK: the block is complete; bytes past @consumed are not part of it. Feeding a
 *   complete block again takes nothing and returns OK;
 * - SV_STATUS_TOO_BIG: a line, the line count or the block size went over its cap;
 * - SV_STATUS_BAD_SYNTAX: an empty or binary first line, a header line without a name and a
 *   colon, a continuation with nothing to continue, a control byte (NUL, bare CR) in a line.
 * An error sticks: later calls return it again and take nothing. */
SvStatus sv_handshake_headers_feed (SvHandshakeHeaders *headers, const guint8 *data, gsize len,
                                    gsize *consumed);

/* TRUE once sv_handshake_headers_feed() returned SV_STATUS_OK. */
gboolean sv_handshake_headers_is_complete (const SvHandshakeHeaders *headers);

/* Returns: (transfer none) (nullable) the first line without its line end, once it has arrived. */
const char *sv_handshake_headers_first_line (const SvHandshakeHeaders *headers);

/* Distinct header names, in order of first appearance. */
guint sv_handshake_headers_count (const SvHandshakeHeaders *headers);
/* Returns: (transfer none) the @index-th name as first spelled; @value receives its joined value. */
const char *sv_handshake_headers_nth (const SvHandshakeHeaders *headers, guint index, const char **value);

/* Returns: (transfer none) (nullable) the value of @name (any case), repeated headers joined
 * with ", ", folded lines joined with a space, surrounding white space trimmed. */
const char *sv_handshake_headers_get (const SvHandshakeHeaders *headers, const char *name);

/* TRUE when @name is present and its value is `true` or `false` (any case); @value set then. */
gboolean sv_handshake_headers_get_bool (const SvHandshakeHeaders *headers, const char *name,
                                        gboolean *value);

/* TRUE when @name is present and its value is a `major.minor` version (1-3 digits each). */
gboolean sv_handshake_headers_get_version (const SvHandshakeHeaders *headers, const char *name,
                                           guint *major, guint *minor);

/* TRUE when @name is present and its value is a decimal number; @value is clamped to @max. */
gboolean sv_handshake_headers_get_uint (const SvHandshakeHeaders *headers, const char *name,
                                        guint max, guint *value);

/* TRUE when @name's comma-separated value holds @token (any case, white space ignored). */
gboolean sv_handshake_headers_has_token (const SvHandshakeHeaders *headers, const char *name,
                                         const char *token);

/* Parses `major.minor` exactly (1-3 digits each) from @len bytes of @text. */
gboolean sv_handshake_headers_parse_version (const char *text, gsize len, guint *major, guint *minor);

/* Parses a request line `GNUTELLA CONNECT/<major>.<minor>`.
 * Returns: SV_STATUS_OK or SV_STATUS_BAD_SYNTAX. */
SvStatus sv_handshake_headers_parse_request_line (const char *line, guint *major, guint *minor);

/* Parses a status line `GNUTELLA/<major>.<minor> <3-digit code>[ <reason>]`. @reason points into
 * @line (empty when absent). Returns: SV_STATUS_OK or SV_STATUS_BAD_SYNTAX. */
SvStatus sv_handshake_headers_parse_status_line (const char *line, guint *major, guint *minor,
                                                 guint *code, const char **reason);
