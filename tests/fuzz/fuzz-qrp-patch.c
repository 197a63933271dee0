/* fuzz-qrp-patch.c: QRP RESET / PATCH payloads fed to the receive state machine.
 *
 * Input: a sequence of payloads, each preceded by its length as 2 bytes little-endian. */
#include <stdint.h>
#include <stddef.h>

#include "bytes.h"
#include "qrp-patch.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SvQrpReceiver *r = sv_qrp_receiver_new (SV_QRP_MAX_TABLE_SLOTS);
  SvQrpQuery *q = sv_qrp_query_new ("zebrafile leafb", -1, NULL);
  SvReader rd = sv_reader_init (data, size);
  guint16 len;
  const guint8 *payload;

  while (sv_reader_le16 (&rd, &len))
    {
      gboolean done = FALSE;
      SvMsgQrp msg;
      SvFields *fields;

      /* a length past the end takes what is left */
      len = (guint16) MIN ((gsize) len, sv_reader_left (&rd));
      if (!sv_reader_bytes (&rd, len, &payload))
        break;
      if (sv_msg_qrp_decode (payload, len, &msg) == SV_STATUS_OK)
        {
          fields = sv_fields_new ();
          sv_msg_qrp_describe (&msg, fields);
          sv_fields_free (fields);
        }
      if (sv_qrp_receiver_handle_payload (r, payload, len, &done) != SV_STATUS_OK)
        break;
      if (done)
        {
          const SvQrpTable *t = sv_qrp_receiver_table (r);
          SvQrpTable *small = sv_qrp_table_scale (t, SV_QRP_MIN_TABLE_SLOTS);

          (void) sv_qrp_table_matches (t, q);
          (void) sv_qrp_table_matches (small, q);
          sv_qrp_table_free (small);
        }
    }
  sv_qrp_query_free (q);
  sv_qrp_receiver_free (r);
  return 0;
}
