/* fuzz-payload.c: every message payload decoder fed with arbitrary bytes.
 *
 * The first input byte is the payload type (as in the header), the rest is the payload. What
 * decodes is re-encoded: the bytes must come back identical, and must decode again. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "msg-bye.h"
#include "msg-header.h"
#include "msg-ping.h"
#include "msg-push.h"
#include "msg-qrp.h"
#include "msg-query.h"
#include "msg-queryhit.h"
#include "msg-vendor.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_same (const GByteArray *out, const uint8_t *p, size_t len)
{
  if (out->len != len || (len > 0 && memcmp (out->data, p, len) != 0))
    abort ();
}

/* Decodes, describes, re-encodes, compares and decodes the re-encoded bytes once more. */
#define ROUND_TRIP(Type, prefix, p, len)                                  \
  do                                                                      \
    {                                                                     \
      Type *msg_ = NULL;                                                  \
      if (prefix##_decode ((p), (len), &msg_) == SV_STATUS_OK)            \
        {                                                                 \
          GByteArray *out_ = g_byte_array_new ();                         \
          SvFields *f_ = sv_fields_new ();                                \
          Type *again_ = NULL;                                            \
          prefix##_describe (msg_, f_);                                   \
          g_free (sv_fields_to_text (f_));                                \
          prefix##_encode (msg_, out_);                                   \
          check_same (out_, (p), (len));                                  \
          if (prefix##_decode (out_->data, out_->len, &again_) != SV_STATUS_OK) \
            abort ();                                                     \
          prefix##_free (again_);                                         \
          sv_fields_free (f_);                                            \
          g_byte_array_unref (out_);                                      \
          prefix##_free (msg_);                                           \
        }                                                                 \
      else if (msg_ != NULL)                                              \
        abort ();                                                         \
    }                                                                     \
  while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *p;
  size_t len;

  if (size < 1 || size - 1 > SV_MSG_MAX_QUERYHIT_BYTES)
    return 0;
  p = data + 1;
  len = size - 1;

  switch (data[0])
    {
    case SV_MSG_PING:
      ROUND_TRIP (SvPing, sv_ping, p, len);
      break;
    case SV_MSG_PONG:
      ROUND_TRIP (SvPong, sv_pong, p, len);
      break;
    case SV_MSG_BYE:
      ROUND_TRIP (SvBye, sv_bye, p, len);
      break;
    case SV_MSG_PUSH:
      ROUND_TRIP (SvPush, sv_push, p, len);
      break;
    case SV_MSG_VENDOR:
    case SV_MSG_VENDOR_STD:
      ROUND_TRIP (SvVendorMsg, sv_vendor_msg, p, len);
      break;
    case SV_MSG_QUERY:
      ROUND_TRIP (SvQuery, sv_query, p, len);
      break;
    case SV_MSG_QUERYHIT:
      ROUND_TRIP (SvQueryHit, sv_queryhit, p, len);
      break;
    case SV_MSG_QRP:
      {
        SvMsgQrp qrp, again;
        if (sv_msg_qrp_decode (p, len, &qrp) == SV_STATUS_OK)
          {
            GByteArray *out = g_byte_array_new ();
            SvFields *f = sv_fields_new ();
            sv_msg_qrp_describe (&qrp, f);
            g_free (sv_fields_to_text (f));
            sv_msg_qrp_encode (&qrp, out);
            check_same (out, p, len);
            if (sv_msg_qrp_decode (out->data, out->len, &again) != SV_STATUS_OK)
              abort ();
            sv_fields_free (f);
            g_byte_array_unref (out);
          }
      }
      break;
    default:
      /* Any other type byte: every decoder sees the payload (no round trip demanded). */
      {
        SvPing *a = NULL;
        SvPong *b = NULL;
        SvBye *c = NULL;
        SvPush *d = NULL;
        SvVendorMsg *e = NULL;
        if (sv_ping_decode (p, len, &a) == SV_STATUS_OK)
          sv_ping_free (a);
        if (sv_pong_decode (p, len, &b) == SV_STATUS_OK)
          sv_pong_free (b);
        if (sv_bye_decode (p, len, &c) == SV_STATUS_OK)
          sv_bye_free (c);
        if (sv_push_decode (p, len, &d) == SV_STATUS_OK)
          sv_push_free (d);
        if (sv_vendor_msg_decode (p, len, &e) == SV_STATUS_OK)
          sv_vendor_msg_free (e);
      }
      break;
    }
  return 0;
}
