/* token-bucket.h: a byte rate limit shared by several streams (the upload limit, the relays).
 *
 * Tokens fill at @rate bytes a second up to a tenth of a second's worth (never less than
 * @min_burst), so that a burst after a pause stays short. Pure: time comes in as `now_us`. */
#pragma once

#include <glib.h>

typedef struct {
  guint64 rate;              /* bytes per second; 0: no limit */
  gdouble min_burst;         /* the bucket holds at least this much */
  gdouble tokens;            /* bytes that may go now (may go below 0 after a large spend) */
  gint64 filled_us;          /* when @tokens was last filled */
} SvTokenBucket;

/* Starts empty at @now_us. */
void sv_token_bucket_init (SvTokenBucket *bucket, guint64 rate, gdouble min_burst, gint64 now_us);

/* Bytes that may go now, at most @want (all of it without a limit); takes none of them. */
guint64 sv_token_bucket_available (SvTokenBucket *bucket, guint64 want, gint64 now_us);

/* @bytes went. */
void sv_token_bucket_spend (SvTokenBucket *bucket, guint64 bytes);
