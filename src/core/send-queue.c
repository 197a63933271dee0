/* send-queue.c: per-connection send queue with watermarks, shedding order and the 502 verdict. */
#include "send-queue.h"

typedef struct {
  GBytes *msg;
  guint8 klass;
  guint8 hops;
} Item;

struct _SvSendQueue {
  SvSendQueueConfig config;
  GQueue items;                 /* Item*, oldest at the head */
  gsize head_off;               /* bytes of the head already written */
  gsize bytes;                  /* unwritten bytes in the queue */
  guint n_droppable;            /* queued queries and pongs */
  gboolean flow_controlled;
  SvSendQueueStats stats;
};

void
sv_send_queue_config_init (SvSendQueueConfig *config)
{
  config->low_watermark = 32 * 1024;
  config->high_watermark = 64 * 1024;
  config->hard_cap = SV_SEND_QUEUE_MAX_BYTES;
}

SvSendQueue *
sv_send_queue_new (const SvSendQueueConfig *config)
{
  SvSendQueue *q = g_new0 (SvSendQueue, 1);
  SvSendQueueConfig *c = &q->config;

  *c = *config;
  c->hard_cap = MIN (c->hard_cap, SV_SEND_QUEUE_MAX_BYTES);
  c->high_watermark = MIN (c->high_watermark, c->hard_cap);
  c->low_watermark = MIN (c->low_watermark, c->high_watermark);
  g_queue_init (&q->items);
  return q;
}

static void
item_free (gpointer data)
{
  Item *it = data;

  g_bytes_unref (it->msg);
  g_free (it);
}

void
sv_send_queue_clear (SvSendQueue *queue)
{
  g_queue_clear_full (&queue->items, item_free);
  queue->head_off = 0;
  queue->bytes = 0;
  queue->n_droppable = 0;
  queue->flow_controlled = FALSE;
}

void
sv_send_queue_free (SvSendQueue *queue)
{
  if (queue == NULL)
    return;
  sv_send_queue_clear (queue);
  g_free (queue);
}

static gboolean
droppable (guint klass)
{
  return klass == SV_SEND_QUERY || klass == SV_SEND_PONG;
}

/* Higher sheds earlier: any query before any pong, queries by hops. */
static guint
badness (guint klass, guint8 hops)
{
  return klass == SV_SEND_QUERY ? 1000u + hops : 500u;
}

static void
count_drop (SvSendQueue *q, guint klass, gsize len)
{
  q->stats.dropped_msgs[klass]++;
  q->stats.dropped_bytes[klass] += len;
}

/* The queued message to shed next: the highest badness, the newest among equals. A partly
 * written head is never a candidate. Returns: NULL when nothing can be shed. */
static GList *
find_worst (SvSendQueue *q)
{
  GList *worst = NULL;
  guint worst_bad = 0;

  if (q->n_droppable == 0)
    return NULL;
  for (GList *l = q->items.tail; l != NULL; l = l->prev)
    {
      const Item *it = l->data;
      guint b;

      if (!droppable (it->klass) || (l == q->items.head && q->head_off > 0))
        continue;
      b = badness (it->klass, it->hops);
      if (worst == NULL || b > worst_bad)
        {
          worst = l;
          worst_bad = b;
        }
    }
  return worst;
}

static void
shed (SvSendQueue *q, GList *link)
{
  Item *it = link->data;
  gsize len = g_bytes_get_size (it->msg);

  count_drop (q, it->klass, len);
  q->bytes -= len;
  q->n_droppable--;
  g_queue_delete_link (&q->items, link);
  item_free (it);
}

static void
enqueue (SvSendQueue *q, GBytes *msg, guint klass, guint8 hops)
{
  Item *it = g_new (Item, 1);

  it->msg = g_bytes_ref (msg);
  it->klass = (guint8) klass;
  it->hops = hops;
  g_queue_push_tail (&q->items, it);
  q->bytes += g_bytes_get_size (msg);
  if (droppable (klass))
    q->n_droppable++;
}

SvSendVerdict
sv_send_queue_push (SvSendQueue *queue, GBytes *msg, SvSendClass klass, guint8 hops)
{
  SvSendQueue *q = queue;
  gsize size = g_bytes_get_size (msg);
  guint k = (guint) klass < SV_SEND_N_CLASSES ? (guint) klass : SV_SEND_CONTROL;

  if (size == 0)
    return SV_SEND_QUEUED;

  if (droppable (k) && q->flow_controlled)
    {
      count_drop (q, k, size);
      return SV_SEND_DROPPED;
    }

  if (size > q->config.high_watermark || q->bytes > q->config.high_watermark - size)
    {
      if (!q->flow_controlled)
        {
          q->flow_controlled = TRUE;
          q->stats.flow_control_entries++;
        }
      /* Shed queued broadcast traffic worse than this message until it fits under the high
       * watermark. A broadcast message loses ties: it is the newest. */
      while (size > q->config.high_watermark || q->bytes > q->config.high_watermark - size)
        {
          GList *worst = find_worst (q);

          if (worst == NULL)
            break;
          if (droppable (k))
            {
              const Item *w = worst->data;

              if (badness (k, hops) >= badness (w->klass, w->hops))
                break;
            }
          shed (q, worst);
        }
      if (size > q->config.high_watermark || q->bytes > q->config.high_watermark - size)
        {
          if (droppable (k))
            {
              count_drop (q, k, size);
              return SV_SEND_DROPPED;
            }
          if (size > q->config.hard_cap || q->bytes > q->config.hard_cap - size)
            return SV_SEND_KICK;
        }
    }
  enqueue (q, msg, k, hops);
  return SV_SEND_QUEUED;
}

const guint8 *
sv_send_queue_head (const SvSendQueue *queue, gsize *len)
{
  const Item *it = queue->items.head ? queue->items.head->data : NULL;
  gsize total;
  const guint8 *data;

  if (it == NULL)
    {
      *len = 0;
      return NULL;
    }
  data = g_bytes_get_data (it->msg, &total);
  *len = total - queue->head_off;
  return data + queue->head_off;
}

void
sv_send_queue_consume (SvSendQueue *queue, gsize n)
{
  Item *it = g_queue_peek_head (&queue->items);

  if (it != NULL && n > 0)
    {
      gsize left = g_bytes_get_size (it->msg) - queue->head_off;
      gsize take = MIN (n, left);

      queue->head_off += take;
      queue->bytes -= take;
      if (take == left)
        {
          g_queue_pop_head (&queue->items);
          if (droppable (it->klass))
            queue->n_droppable--;
          item_free (it);
          queue->head_off = 0;
        }
    }
  if (queue->flow_controlled && queue->bytes <= queue->config.low_watermark)
    queue->flow_controlled = FALSE;
}

gsize
sv_send_queue_bytes (const SvSendQueue *queue)
{
  return queue->bytes;
}

guint
sv_send_queue_length (const SvSendQueue *queue)
{
  return queue->items.length;
}

gboolean
sv_send_queue_flow_controlled (const SvSendQueue *queue)
{
  return queue->flow_controlled;
}

const SvSendQueueStats *
sv_send_queue_stats (const SvSendQueue *queue)
{
  return &queue->stats;
}
