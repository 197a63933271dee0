/* msg-bye.h: the Bye (0x02) payload: a code and a reason, sent as the last message of a link.
 *
 * Layout: code (LE16), then the reason text ended by a NUL. The text may continue with CRLF
 * separated header lines (`Server: …`) closed by an empty line. Like gtk-gnutella (nodes.c scans
 * the reason "manually" because the payload "may not be NUL terminated"), a reason that runs to
 * the end of the payload without a NUL is accepted; bytes after an early NUL are kept too. Also
 * like gtk-gnutella, a payload whose first two bytes are ASCII letters or digits reading as a
 * code above 999 is an old GnucDNA Bye without a code: its text starts at byte 0 and its code is
 * SV_BYE_LEGACY_NO_CODE. Everything is kept so a decoded Bye re-encodes to identical bytes. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "status.h"

#define SV_BYE_MIN_SIZE 2

/* Codes (protocol notes §10). Any other value may arrive and is kept as is. */
typedef enum {
  SV_BYE_SHUTDOWN = 200,            /* normal shutdown */
  SV_BYE_USER_CLOSED = 201,         /* closed by the local user */
  SV_BYE_MESSAGE_TOO_BIG = 400,
  SV_BYE_TOO_MANY_DUPLICATES = 401,
  SV_BYE_BAD_QUERY = 402,
  SV_BYE_TTL_HOPS_LIMIT = 403,      /* TTL + hops above the limit */
  SV_BYE_TOO_MANY_UNKNOWN = 404,    /* too many unknown messages */
  SV_BYE_INACTIVITY = 405,          /* inactivity timeout */
  SV_BYE_NO_PING_REPLY = 406,       /* no reply to a TTL=1 ping */
  SV_BYE_NOT_SHARING = 407,         /* not sharing enough */
  SV_BYE_INTERNAL_ERROR = 500,
  SV_BYE_DESYNC = 501,              /* protocol desynchronisation */
  SV_BYE_SEND_QUEUE_FULL = 502,
  SV_BYE_LEGACY_NO_CODE = 901,      /* a GnucDNA Bye that carried no code (see above) */
} SvByeCode;

typedef struct {
  guint16 code;
  char *reason;           /* (owned) the text up to the first NUL or the end, NUL-terminated here */
  gsize reason_len;       /* bytes in @reason */
  gboolean terminated;    /* a NUL ended the text (FALSE: the payload ended first) */
  GBytes *trailing;       /* (owned) (nullable) bytes after the NUL */
  gboolean legacy_no_code; /* no code bytes on the wire (GnucDNA); @code is 901 */
} SvBye;

/* Returns: SV_STATUS_OK with @out (transfer full), or SV_STATUS_TRUNCATED under 2 bytes. */
G_GNUC_WARN_UNUSED_RESULT
SvStatus sv_bye_decode (const guint8 *payload, gsize len, SvBye **out);
/* Appends the code (unless legacy_no_code), the reason, the NUL (if terminated), the trailing
 * bytes. */
void sv_bye_encode (const SvBye *bye, GByteArray *out);
/* Returns: (transfer full) a NUL-terminated Bye with @code and @reason (which may carry CRLF
 * header lines; a NUL inside it ends it). */
SvBye *sv_bye_new (guint16 code, const char *reason);
void sv_bye_free (SvBye *bye);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvBye, sv_bye_free)

/* Returns: (transfer none) a stable lower-case name ("shutdown", "message-too-big", …) or
 * "unknown". */
const char *sv_bye_code_name (guint16 code);

/* Keys: code, code_name, reason (the first line), headers [lines after the first CRLF, up to the
 * empty line], unterminated (only when no NUL), legacy_no_code, trailing (hex). */
void sv_bye_describe (const SvBye *bye, SvFields *out);
