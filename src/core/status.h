/* status.h: the verdict every core parser returns.
 *
 * One enum for all decoders so that a caller (the router, `servent decode`) can report any failure
 * by name without knowing which module produced it. Hot paths return these, never GError. */
#pragma once

#include <glib.h>

typedef enum {
  SV_STATUS_OK = 0,
  SV_STATUS_NEED_MORE,       /* not an error: the input stops before the item ends */
  SV_STATUS_TRUNCATED,       /* a complete item is shorter than its own layout requires */
  SV_STATUS_TOO_BIG,         /* a size is over its named cap in limits.h */
  SV_STATUS_BAD_LENGTH,      /* a length field disagrees with the bytes present */
  SV_STATUS_BAD_VALUE,       /* a field holds a value the format forbids */
  SV_STATUS_BAD_GGEP,        /* a GGEP block is malformed */
  SV_STATUS_BAD_COBS,        /* COBS decoding failed */
  SV_STATUS_BAD_DEFLATE,     /* zlib data is corrupt */
  SV_STATUS_INFLATE_CAP,     /* inflated data would exceed its cap (deflate bomb) */
  SV_STATUS_BAD_SEQUENCE,    /* out-of-order step (QRP PATCH before RESET, sequence gap) */
  SV_STATUS_BAD_SYNTAX,      /* text that does not follow its grammar */
  SV_STATUS_UNSUPPORTED,     /* well-formed, but a variant we do not handle */
} SvStatus;

/* Returns: (transfer none) a stable lower-case token such as "truncated". */
const char *sv_status_name (SvStatus status);
