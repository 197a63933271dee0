/* qrp-patch.h: QRP patches: building the PATCH messages that turn one table into another, and
 * the receiving side's RESET/PATCH state machine.
 *
 * Patch stream: one entry per slot, ENTRY_BITS wide, high bits first within a byte, optionally
 * zlib-compressed as a whole, cut into at most 255 PATCH messages.
 * - 4 and 8 bits: signed deltas. We send -1 (0xF / 0xFF) for "now present", +1 for "now absent",
 *   0 for no change. Received, any negative value makes the slot present and any positive one
 *   absent (leaf tables have two states; gtk-gnutella reads them the same way).
 * - 1 bit (the "QRP1" extension): a set bit flips the slot.
 *
 * The receiver never inflates more than the table's own patch size (slots * bits / 8), so a
 * deflate bomb stops at that size with SV_STATUS_INFLATE_CAP. Every verdict other than
 * SV_STATUS_OK means: close the link with "Bye 413". */
#pragma once

#include <glib.h>

#include "msg-qrp.h"
#include "qrp.h"
#include "status.h"

/* The uncompressed patch stream from @old_table (NULL: all absent) to @new_table, with
 * @entry_bits 1, 4 or 8. Returns: (transfer full) (nullable) NULL when the sizes differ or
 * @entry_bits is not 1, 4 or 8. */
GBytes *sv_qrp_patch_diff (const SvQrpTable *old_table, const SvQrpTable *new_table,
                           guint entry_bits);

/* The PATCH payloads (ready for a 0x30 message, TTL 1) that turn @old_table (NULL: all absent,
 * i.e. right after a RESET) into @new_table. The stream is compressed when @compressor is
 * SV_MSG_QRP_COMPRESSOR_ZLIB, and cut into chunks of @chunk_bytes (0 means
 * SV_QRP_MAX_PATCH_CHUNK_BYTES; larger chunks are used if 255 would not hold the stream).
 * Returns: (transfer full) (nullable) (element-type GBytes) the payloads in sequence order, or
 * NULL under the same conditions as sv_qrp_patch_diff(). */
GPtrArray *sv_qrp_patch_build (const SvQrpTable *old_table, const SvQrpTable *new_table,
                               guint entry_bits, SvMsgQrpCompressor compressor,
                               gsize chunk_bytes);

/* Returns: (transfer full) the RESET payload announcing @table's size and infinity. */
GBytes *sv_qrp_patch_build_reset (const SvQrpTable *table);

/* The receiving side of one connection. */
typedef struct _SvQrpReceiver SvQrpReceiver;

/* @max_slots: the largest table accepted (at most SV_QRP_MAX_TABLE_SLOTS; e.g.
 * SV_QRP_MAX_UP_TABLE_SLOTS from an ultrapeer). Returns: (transfer full). */
SvQrpReceiver *sv_qrp_receiver_new (guint32 max_slots);
void sv_qrp_receiver_free (SvQrpReceiver *receiver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvQrpReceiver, sv_qrp_receiver_free)

/* Feeds one decoded QRP message. @done is set TRUE when it completed a patch sequence (a new
 * table is then available).
 * RESET: drops the current table and starts an all-absent one of the given size.
 * PATCH: continues the sequence (after a RESET, or on a copy of the current table for an
 * update without RESET).
 * Returns: SV_STATUS_OK, or a verdict:
 * - SV_STATUS_BAD_SEQUENCE: PATCH with no table yet, sequence number not the expected one,
 *   sequence size / compressor / entry bits changed within a sequence;
 * - SV_STATUS_BAD_VALUE: RESET size 0, not a power of two or below SV_QRP_MIN_TABLE_SLOTS,
 *   infinity 0; PATCH sequence size 0, entry bits other than 1, 2, 4, 8;
 * - SV_STATUS_TOO_BIG: RESET size above the receiver's maximum;
 * - SV_STATUS_UNSUPPORTED: entry bits 2, compressor other than 0 and 1, unknown variant;
 * - SV_STATUS_BAD_LENGTH: uncompressed data past the table's end, or the sequence ended before
 *   covering the whole table;
 * - SV_STATUS_INFLATE_CAP: inflated data past the table's end;
 * - SV_STATUS_BAD_DEFLATE: corrupt zlib data, or its end before the last message.
 * After a verdict the receiver stays failed and repeats it for every later message. */
SvStatus sv_qrp_receiver_handle (SvQrpReceiver *receiver, const SvMsgQrp *msg, gboolean *done);

/* Decodes @payload with sv_msg_qrp_decode() and feeds it. A decoding verdict also fails the
 * receiver. */
SvStatus sv_qrp_receiver_handle_payload (SvQrpReceiver *receiver, const guint8 *payload,
                                         gsize len, gboolean *done);

/* Returns: (transfer none) (nullable) the last complete table; NULL before the first sequence
 * completes and from a RESET until its patches complete. */
const SvQrpTable *sv_qrp_receiver_table (const SvQrpReceiver *receiver);

/* TRUE between a RESET (or the first PATCH of an update) and the end of its sequence. */
gboolean sv_qrp_receiver_in_sequence (const SvQrpReceiver *receiver);
