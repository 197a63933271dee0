/* fuzz-frame.c: the stream framer and header codec fed with arbitrary bytes. */
#include <stdint.h>
#include <stddef.h>

#include "msg-header.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvMsgHeader hdr;
  gsize total;

  while (size > 0 && sv_msg_header_frame (data, size, &hdr, &total) == SV_STATUS_OK)
    {
      data += total;
      size -= total;
      if (sv_msg_header_check_ttl (&hdr, SV_MSG_MAX_TTL, SV_MSG_HARD_TTL_LIMIT) != SV_TTL_DROP)
        (void) sv_msg_header_hop (&hdr);
    }
  return 0;
}
