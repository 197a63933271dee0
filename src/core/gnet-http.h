/* gnet-http.h: the strict HTTP/1.x request parser for uploads on the Gnutella port, and the
 * builder of the response heads the upload server sends.
 *
 * Only GET and HEAD are served. The request target is resolved into a typed request (a file
 * index, a SHA-1, browse host, a push-proxy call), never into a filesystem path: anything else
 * is a 404, and every path-traversal form is a 400. The parser is fed bytes as they arrive, in
 * any split, and stops at the empty line that ends the head. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "http-range.h"
#include "limits.h"
#include "status.h"
#include "urn.h"

typedef enum {
  SV_GNET_HTTP_GET = 0,
  SV_GNET_HTTP_HEAD,
} SvGnetHttpMethod;

typedef enum {
  SV_GNET_HTTP_TARGET_NONE = 0,     /* not resolved: see the verdict */
  SV_GNET_HTTP_TARGET_INDEX,        /* /get/<index>/<url-encoded name> */
  SV_GNET_HTTP_TARGET_SHA1,         /* /uri-res/N2R?urn:sha1:<base32> */
  SV_GNET_HTTP_TARGET_THEX,         /* /uri-res/N2X?urn:sha1:<base32>: recognised, not served (404) */
  SV_GNET_HTTP_TARGET_BROWSE,       /* GET / with Accept: application/x-gnutella-packets */
  SV_GNET_HTTP_TARGET_PUSH_PROXY,   /* /gnutella/push-proxy?ServerId=… and its variants */
  SV_GNET_HTTP_TARGET_RENDEZVOUS,   /* /gnutella/rendezvous?token=<32 hex>[&ServerId=…]: a
                                     * firewalled downloader (with ServerId: our leaf it wants to
                                     * reach) or that leaf (token only) meeting through us */
  SV_GNET_HTTP_TARGET_RELAY,        /* /gnutella/relay?token=…[&ServerId=…]: the same two, to
                                     * have us splice their connections */
} SvGnetHttpTarget;

/* What to answer. OK means "serve the target"; every other value names an HTTP status. */
typedef enum {
  SV_GNET_HTTP_VERDICT_OK = 0,
  SV_GNET_HTTP_VERDICT_BAD_REQUEST,           /* 400 */
  SV_GNET_HTTP_VERDICT_NOT_FOUND,             /* 404 */
  SV_GNET_HTTP_VERDICT_METHOD_NOT_ALLOWED,    /* 405: a known method other than GET/HEAD */
  SV_GNET_HTTP_VERDICT_URI_TOO_LONG,          /* 414: request line over its cap */
  SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE,     /* 431: too many header lines or bytes */
  SV_GNET_HTTP_VERDICT_NOT_IMPLEMENTED,       /* 501: an unknown method */
  SV_GNET_HTTP_VERDICT_VERSION_NOT_SUPPORTED, /* 505: not HTTP/1.x */
} SvGnetHttpVerdict;

typedef struct {
  SvGnetHttpMethod method;
  guint version_minor;          /* 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x) */
  SvGnetHttpVerdict verdict;    /* OK, BAD_REQUEST or NOT_FOUND once the head is complete */
  SvGnetHttpTarget target;
  char *raw_target;             /* the request target as sent (printable ASCII), for logs */

  guint32 index;                /* INDEX; PUSH_PROXY when push_has_file */
  char *name;                   /* INDEX: the decoded name (UTF-8), for display only */
  SvSha1 sha1;                  /* SHA1, THEX */
  SvGuid push_guid;             /* PUSH_PROXY; RENDEZVOUS when push_has_guid */
  gboolean push_has_guid;       /* PUSH_PROXY: always; RENDEZVOUS: "ServerId" was given */
  SvGuid rendezvous_token;      /* RENDEZVOUS, RELAY: "token", 16 bytes */
  gboolean rendezvous_random_ports; /* RENDEZVOUS: "ports=random": the caller's NAT changes ports */
  gboolean push_has_file;       /* PUSH_PROXY: "file=<index>" was given */
  gboolean push_tls;            /* PUSH_PROXY: "tls=true" */

  /* Header values, blanks trimmed; NULL when absent. */
  char *host;
  char *user_agent;
  char *accept;
  char *range;
  char *x_queue;
  char *x_queued;
  char *content_urn;            /* X-Gnutella-Content-URN or X-Content-URN */
  char *x_node;                 /* X-Node, or else X-Listen-IP */
  char *x_features;
  char *x_alt;                  /* every X-Alt line, joined with ", " */
  char *x_nalt;                 /* every X-NAlt line, joined with ", " */

  gboolean keep_alive;          /* from the version and Connection */
  gboolean accept_deflate;      /* Accept-Encoding lists deflate */
  gboolean has_content_sha1;    /* content_urn parsed into content_sha1 */
  SvSha1 content_sha1;
  SvStatus range_status;        /* sv_http_range_parse's verdict on @range (OK when absent) */
  SvHttpRangeSet ranges;        /* meaningful when @range is set and range_status is OK */
} SvGnetHttpRequest;

void sv_gnet_http_request_free (SvGnetHttpRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvGnetHttpRequest, sv_gnet_http_request_free)

typedef struct _SvGnetHttpParser SvGnetHttpParser;

/* Returns: (transfer full) a parser waiting for a request line. */
SvGnetHttpParser *sv_gnet_http_parser_new (void);
void sv_gnet_http_parser_free (SvGnetHttpParser *parser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvGnetHttpParser, sv_gnet_http_parser_free)

/* Adds an authority ("host" or "host:port", compared case-insensitively) that names this servent,
 * so that an absolute-form target "http://<authority>/…" is accepted. Any other absolute-form
 * target is a 400. */
void sv_gnet_http_parser_add_local_host (SvGnetHttpParser *parser, const char *authority);

/* Readies the parser for the next request on a kept-alive connection (local hosts are kept). */
void sv_gnet_http_parser_reset (SvGnetHttpParser *parser);

/* Feeds @len more bytes. *@consumed is set to the bytes used.
 * Returns:
 *  - SV_STATUS_NEED_MORE: every byte was used and the head is not complete yet;
 *  - SV_STATUS_OK: the head is complete (*@consumed stops right after its empty line); take the
 *    request with sv_gnet_http_parser_steal_request and look at its verdict (OK, 400 or 404);
 *  - an error (TOO_BIG, BAD_SYNTAX, UNSUPPORTED): the head is refused; answer with
 *    sv_gnet_http_parser_verdict and close the connection. Later feeds return the same error.
 * After OK, further feeds consume nothing and return OK until reset. */
SvStatus sv_gnet_http_parser_feed (SvGnetHttpParser *parser, const guint8 *data, gsize len,
                                   gsize *consumed);

/* Returns: the answer for a refused head (or OK while none was refused). */
SvGnetHttpVerdict sv_gnet_http_parser_verdict (const SvGnetHttpParser *parser);

/* Returns: (transfer full) (nullable) the complete request after feed returned OK, once. */
SvGnetHttpRequest *sv_gnet_http_parser_steal_request (SvGnetHttpParser *parser);

/* Returns: the HTTP status code of @verdict (200 for OK). */
guint sv_gnet_http_verdict_code (SvGnetHttpVerdict verdict);
/* Returns: (transfer none) a stable token such as "ok", "bad-request", "headers-too-large". */
const char *sv_gnet_http_verdict_name (SvGnetHttpVerdict verdict);
/* Returns: (transfer none) the standard reason phrase of @code ("Partial Content"), or "Unknown". */
const char *sv_gnet_http_reason_phrase (guint code);

/* A response head the upload server sends. Unset strings and flags leave their header out. */
typedef struct {
  guint code;                   /* 200, 206, 404, 416, 503, … */
  const char *reason;           /* nullable: the standard phrase */
  guint version_minor;          /* answer as HTTP/1.<version_minor>; 1 normally */
  const char *server;           /* Server: */
  gboolean keep_alive;          /* Connection: keep-alive / close */
  gboolean has_content_length;
  guint64 content_length;
  gboolean has_content_range;   /* Content-Range: bytes <first>-<first+length-1>/<total> */
  guint64 range_first;
  guint64 range_length;         /* >= 1 */
  gboolean range_unsatisfied;   /* Content-Range: bytes * /<total> (with 416) */
  guint64 total_size;
  const char *content_type;
  const SvSha1 *sha1;           /* X-Gnutella-Content-URN: urn:sha1:… */
  guint retry_after;            /* Retry-After: seconds; 0 leaves it out */
} SvGnetHttpResponse;

/* Appends the status line and headers of @resp, then the empty line, to @out.
 * Returns: FALSE (nothing appended) if a string holds CR, LF or another control character, the
 * code is not 100–599, or the range does not fit inside total_size. */
gboolean sv_gnet_http_response_build (const SvGnetHttpResponse *resp, GString *out);
