/* msg.c: dispatch of a framed message's payload to the codec of its type. */
#include "msg.h"

SvStatus
sv_msg_describe (const SvMsgHeader *hdr, const guint8 *payload, gsize len, SvFields *out)
{
  switch (hdr->type)
    {
    default:
      return SV_STATUS_OK;
    }
}
