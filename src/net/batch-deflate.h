/* batch-deflate.h: link compression without a compressor per link.
 *
 * A link's outgoing zlib stream is its two-byte header (SV_BATCH_DEFLATE_HEADER, sent once), then
 * for every batch of messages raw DEFLATE blocks that end with a sync flush. Each batch comes from
 * one deflater shared by every link of the thread, reset before the batch: no block refers to
 * bytes of an earlier batch, no block is final, so any inflater reads the concatenation as one
 * standard zlib stream. A link keeps no compression state at all (a per-link deflater costs about
 * 64 KiB); the price is that history does not reach across batches. */
#pragma once

#include <zlib.h>

/* CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (fastest; no dictionary; check bits). */
#define SV_BATCH_DEFLATE_HEADER     "\x78\x01"
#define SV_BATCH_DEFLATE_HEADER_LEN 2

/* The thread's deflater at @level, reset for a new batch (no history), or NULL if zlib could not
 * make one. Feed it with deflate(Z_NO_FLUSH) and end the batch with deflate(Z_SYNC_FLUSH) before
 * anything else asks for it. Returns: (transfer none). */
z_stream *sv_batch_deflate_begin (int level);
