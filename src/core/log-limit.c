/* log-limit.c: the per-kind log line cap (see log-limit.h). */
#include "log-limit.h"

gboolean
sv_log_limit_allow (SvLogLimit *limit, gint64 now_us, guint *suppressed)
{
  if (suppressed != NULL)
    *suppressed = 0;
  if (limit->window_start_us == 0 || now_us - limit->window_start_us >= SV_LOG_LIMIT_WINDOW_US)
    {
      if (suppressed != NULL)
        *suppressed = limit->suppressed;
      limit->window_start_us = now_us;
      limit->shown = 0;
      limit->suppressed = 0;
    }
  if (limit->shown < SV_LOG_LIMIT_BURST)
    {
      limit->shown++;
      return TRUE;
    }
  limit->suppressed++;
  return FALSE;
}
