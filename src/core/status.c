/* status.c: names for SvStatus verdicts. */
#include "status.h"

const char *
sv_status_name (SvStatus status)
{
  switch (status)
    {
    case SV_STATUS_OK: return "ok";
    case SV_STATUS_NEED_MORE: return "need-more";
    case SV_STATUS_TRUNCATED: return "truncated";
    case SV_STATUS_TOO_BIG: return "too-big";
    case SV_STATUS_BAD_LENGTH: return "bad-length";
    case SV_STATUS_BAD_VALUE: return "bad-value";
    case SV_STATUS_BAD_GGEP: return "bad-ggep";
    case SV_STATUS_BAD_COBS: return "bad-cobs";
    case SV_STATUS_BAD_DEFLATE: return "bad-deflate";
    case SV_STATUS_INFLATE_CAP: return "inflate-cap";
    case SV_STATUS_BAD_SEQUENCE: return "bad-sequence";
    case SV_STATUS_BAD_SYNTAX: return "bad-syntax";
    case SV_STATUS_UNSUPPORTED: return "unsupported";
    }
  return "unknown";
}
