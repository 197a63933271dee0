/* token-bucket.c: a shared byte rate limit (see token-bucket.h). */
#include "token-bucket.h"

void
sv_token_bucket_init (SvTokenBucket *b, guint64 rate, gdouble min_burst, gint64 now_us)
{
  b->rate = rate;
  b->min_burst = min_burst;
  b->tokens = 0;
  b->filled_us = now_us;
}

guint64
sv_token_bucket_available (SvTokenBucket *b, guint64 want, gint64 now_us)
{
  if (b->rate == 0)
    return want;
  b->tokens = MIN (b->tokens + (gdouble) (now_us - b->filled_us) * (gdouble) b->rate / G_USEC_PER_SEC,
                   MAX ((gdouble) b->rate / 10, b->min_burst));
  b->filled_us = now_us;
  return b->tokens >= 1 ? MIN (want, (guint64) b->tokens) : 0;
}

void
sv_token_bucket_spend (SvTokenBucket *b, guint64 bytes)
{
  if (b->rate != 0)
    b->tokens -= (gdouble) bytes;
}
