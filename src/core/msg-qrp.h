/* msg-qrp.h: the payload of a Query Routing message (0x30): RESET (variant 0) and PATCH (1).
 *
 * This codec checks the layout only; whether the values make sense (a power-of-two size, entry
 * bits 1/4/8, the sequence) is for the receiver (qrp-patch.h), so that `servent decode` can still
 * show a message that a peer would be kicked for. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "limits.h"
#include "status.h"

#define SV_MSG_QRP_RESET_SIZE        6   /* variant, 4-byte table length, infinity */
#define SV_MSG_QRP_PATCH_HEADER_SIZE 5   /* variant, seq no, seq size, compressor, entry bits */

typedef enum {
  SV_MSG_QRP_RESET = 0,
  SV_MSG_QRP_PATCH = 1,
} SvMsgQrpVariant;

typedef enum {
  SV_MSG_QRP_COMPRESSOR_NONE = 0,
  SV_MSG_QRP_COMPRESSOR_ZLIB = 1,
} SvMsgQrpCompressor;

typedef struct {
  guint8 variant;            /* an SvMsgQrpVariant */
  /* RESET */
  guint32 table_length;      /* slots (LE on the wire) */
  guint8 infinity;
  /* PATCH */
  guint8 seq_no;             /* 1-based */
  guint8 seq_size;
  guint8 compressor;         /* an SvMsgQrpCompressor, or what the peer sent */
  guint8 entry_bits;
  const guint8 *data;        /* (transfer none) this chunk of the patch stream, borrowed from
                              * the decoded payload (or from the caller when encoding) */
  gsize data_len;
} SvMsgQrp;

/* Decodes one QRP payload. @out->data points into @payload.
 * Returns: SV_STATUS_OK; SV_STATUS_TRUNCATED when shorter than its variant's fixed part;
 * SV_STATUS_BAD_LENGTH for a RESET longer than 6 bytes; SV_STATUS_TOO_BIG above
 * SV_MSG_MAX_OTHER_BYTES; SV_STATUS_UNSUPPORTED for a variant other than 0 and 1. */
SvStatus sv_msg_qrp_decode (const guint8 *payload, gsize len, SvMsgQrp *out);

/* Appends the payload for @msg (RESET or PATCH per @msg->variant) to @out. */
void sv_msg_qrp_encode (const SvMsgQrp *msg, GByteArray *out);

/* Fills @fields: variant ("reset"/"patch"), then table_length and infinity, or seq_no,
 * seq_size, compressor ("none"/"zlib"/number), entry_bits and data_len. */
void sv_msg_qrp_describe (const SvMsgQrp *msg, SvFields *fields);
