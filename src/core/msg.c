/* msg.c: dispatch of a framed message's payload to the codec of its type. */
#include "msg.h"

#include "msg-bye.h"
#include "msg-ping.h"
#include "msg-push.h"
#include "msg-qrp.h"
#include "msg-query.h"
#include "msg-queryhit.h"
#include "msg-vendor.h"

/* Decodes with sv_<name>_decode, describes with sv_<name>_describe, frees with sv_<name>_free. */
#define DESCRIBE_WITH(Type, name)                                          \
  do                                                                       \
    {                                                                      \
      g_autoptr (Type) msg = NULL;                                         \
      SvStatus st = sv_##name##_decode (payload, len, &msg);               \
      if (st == SV_STATUS_OK)                                              \
        sv_##name##_describe (msg, out);                                   \
      return st;                                                           \
    }                                                                      \
  while (0)

SvStatus
sv_msg_describe (const SvMsgHeader *hdr, const guint8 *payload, gsize len, SvFields *out)
{
  switch (hdr->type)
    {
    case SV_MSG_PING:
      DESCRIBE_WITH (SvPing, ping);
    case SV_MSG_PONG:
      DESCRIBE_WITH (SvPong, pong);
    case SV_MSG_BYE:
      DESCRIBE_WITH (SvBye, bye);
    case SV_MSG_PUSH:
      DESCRIBE_WITH (SvPush, push);
    case SV_MSG_VENDOR:
    case SV_MSG_VENDOR_STD:
      DESCRIBE_WITH (SvVendorMsg, vendor_msg);
    case SV_MSG_QUERY:
      DESCRIBE_WITH (SvQuery, query);
    case SV_MSG_QUERYHIT:
      DESCRIBE_WITH (SvQueryHit, queryhit);
    case SV_MSG_QRP:
      {
        SvMsgQrp msg;
        SvStatus st = sv_msg_qrp_decode (payload, len, &msg);
        if (st == SV_STATUS_OK)
          sv_msg_qrp_describe (&msg, out);
        return st;
      }
    default:
      return SV_STATUS_OK;
    }
}
