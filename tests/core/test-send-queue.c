/* test-send-queue.c: byte accounting, FIFO order, watermark hysteresis, shedding order, Bye 502. */
#include "check-util.h"
#include "send-queue.h"

#include <string.h>

/* A message of @len bytes that all carry @tag, so the output order can be checked. */
static GBytes *
msg (guint8 tag, gsize len)
{
  guint8 *b = g_malloc (len);

  memset (b, tag, len);
  return g_bytes_new_take (b, len);
}

static SvSendVerdict
push (SvSendQueue *q, guint8 tag, SvSendClass klass, guint8 hops)
{
  g_autoptr (GBytes) m = msg (tag, 40);

  return sv_send_queue_push (q, m, klass, hops);
}

static SvSendQueue *
small_queue (void)
{
  SvSendQueueConfig c = { .low_watermark = 100, .high_watermark = 200, .hard_cap = 300 };

  return sv_send_queue_new (&c);
}

/* Drains the queue, writing at most @chunk bytes at a time; returns the tags in order. */
static GString *
drain (SvSendQueue *q, gsize chunk)
{
  GString *tags = g_string_new (NULL);
  const guint8 *p;
  gsize len, total = sv_send_queue_bytes (q), written = 0;
  guint8 last = 0;

  while ((p = sv_send_queue_head (q, &len)) != NULL)
    {
      gsize n = MIN (len, chunk);

      ck_assert_uint_gt (len, 0);
      for (gsize i = 0; i < n; i++)
        ck_assert_uint_eq (p[i], p[0]);
      if (p[0] != last || len == 40)
        g_string_append_c (tags, (char) p[0]);
      last = p[0];
      sv_send_queue_consume (q, n);
      written += n;
      ck_assert_uint_eq (sv_send_queue_bytes (q), total - written);
    }
  ck_assert_uint_eq (sv_send_queue_bytes (q), 0);
  ck_assert_uint_eq (sv_send_queue_length (q), 0);
  return tags;
}

START_TEST (test_fifo_and_exact_bytes)
{
  g_autoptr (SvSendQueue) q = small_queue ();
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr (GString) tags = NULL;

  ck_assert_int_eq (push (q, 'a', SV_SEND_QUERY, 2), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'b', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'c', SV_SEND_PONG, 1), SV_SEND_QUEUED);
  ck_assert_int_eq (sv_send_queue_push (q, empty, SV_SEND_QUERY, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'd', SV_SEND_CONTROL, 0), SV_SEND_QUEUED);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 160);
  ck_assert_uint_eq (sv_send_queue_length (q), 4);
  ck_assert (!sv_send_queue_flow_controlled (q));
  /* Partial writes of 7 bytes: every byte accounted for, order kept. */
  tags = drain (q, 7);
  ck_assert_str_eq (tags->str, "abcd");
  /* Consuming on an empty queue and consuming too much are harmless. */
  sv_send_queue_consume (q, 10);
  ck_assert_int_eq (push (q, 'e', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  sv_send_queue_consume (q, 1000);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 0);
}
END_TEST

START_TEST (test_hysteresis)
{
  g_autoptr (SvSendQueue) q = small_queue ();
  const SvSendQueueStats *st = sv_send_queue_stats (q);
  gsize len;

  /* 200 bytes exactly: at the high watermark, not over it. */
  ck_assert_int_eq (push (q, 'a', SV_SEND_QUERY, 1), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'b', SV_SEND_QUERY, 3), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'c', SV_SEND_QUERY, 2), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'd', SV_SEND_QUERY, 3), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'e', SV_SEND_QUERY, 0), SV_SEND_QUEUED);
  ck_assert (!sv_send_queue_flow_controlled (q));

  /* Going over: flow control starts and the newest of the highest-hop queries ('d') makes room
   * for a lower-hop one. */
  ck_assert_int_eq (push (q, 'f', SV_SEND_QUERY, 1), SV_SEND_QUEUED);
  ck_assert (sv_send_queue_flow_controlled (q));
  ck_assert_uint_eq (st->flow_control_entries, 1);
  ck_assert_uint_eq (st->dropped_msgs[SV_SEND_QUERY], 1);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 200);

  /* In flow control, broadcast traffic is refused on arrival, even with room below high. */
  sv_send_queue_consume (q, 40);                          /* 'a' written: 160 */
  ck_assert (sv_send_queue_flow_controlled (q));
  ck_assert_int_eq (push (q, 'g', SV_SEND_QUERY, 0), SV_SEND_DROPPED);
  ck_assert_int_eq (push (q, 'h', SV_SEND_PONG, 0), SV_SEND_DROPPED);
  ck_assert_uint_eq (st->dropped_msgs[SV_SEND_QUERY], 2);
  ck_assert_uint_eq (st->dropped_msgs[SV_SEND_PONG], 1);
  ck_assert_uint_eq (st->dropped_bytes[SV_SEND_PONG], 40);
  /* Replies still go in. */
  ck_assert_int_eq (push (q, 'i', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);   /* 200 */

  /* Draining: still flow-controlled above low (120), released at low (100) or below. */
  sv_send_queue_consume (q, 40);
  sv_send_queue_consume (q, 40);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 120);
  ck_assert (sv_send_queue_flow_controlled (q));
  sv_send_queue_consume (q, 20);                          /* half a message: 100 */
  ck_assert_uint_eq (sv_send_queue_bytes (q), 100);
  ck_assert (!sv_send_queue_flow_controlled (q));
  ck_assert_int_eq (push (q, 'j', SV_SEND_QUERY, 0), SV_SEND_QUEUED);
  ck_assert_ptr_nonnull (sv_send_queue_head (q, &len));
  ck_assert_uint_eq (len, 20);
}
END_TEST

START_TEST (test_drop_order)
{
  g_autoptr (SvSendQueue) q = small_queue ();
  const SvSendQueueStats *st = sv_send_queue_stats (q);
  g_autoptr (GString) tags = NULL;

  ck_assert_int_eq (push (q, 'A', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'p', SV_SEND_PONG, 1), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'q', SV_SEND_QUERY, 1), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'r', SV_SEND_QUERY, 4), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 's', SV_SEND_QUERY, 2), SV_SEND_QUEUED);   /* 200 */

  /* Each routed push over high sheds one broadcast message: hops 4, then 2, then 1, then the pong. */
  ck_assert_int_eq (push (q, 'B', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_uint_eq (st->dropped_msgs[SV_SEND_QUERY], 1);
  ck_assert_int_eq (push (q, 'C', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'D', SV_SEND_CONTROL, 0), SV_SEND_QUEUED);
  ck_assert_uint_eq (st->dropped_msgs[SV_SEND_QUERY], 3);
  ck_assert_uint_eq (st->dropped_msgs[SV_SEND_PONG], 0);
  ck_assert_int_eq (push (q, 'E', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_uint_eq (st->dropped_msgs[SV_SEND_PONG], 1);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 200);
  /* Nothing left to shed: replies now fill the space up to the hard cap. */
  ck_assert_int_eq (push (q, 'F', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 240);
  tags = drain (q, 40);
  ck_assert_str_eq (tags->str, "ABCDEF");
}
END_TEST

START_TEST (test_pong_shed_after_queries_and_newest_first)
{
  g_autoptr (SvSendQueue) q = small_queue ();
  g_autoptr (GString) tags = NULL;

  ck_assert_int_eq (push (q, 'p', SV_SEND_PONG, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'o', SV_SEND_PONG, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'a', SV_SEND_QUERY, 2), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'b', SV_SEND_QUERY, 2), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'R', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  /* A query with the same hops as the worst queued one loses the tie: it is dropped itself. */
  ck_assert_int_eq (push (q, 'c', SV_SEND_QUERY, 2), SV_SEND_DROPPED);
  ck_assert (sv_send_queue_flow_controlled (q));
  /* Replies shed queries (newest first among equal hops), then pongs (newest first). */
  ck_assert_int_eq (push (q, 'S', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'T', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'U', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  tags = drain (q, 1000);
  ck_assert_str_eq (tags->str, "pRSTU");
}
END_TEST

START_TEST (test_kick_502)
{
  g_autoptr (SvSendQueue) q = small_queue ();
  g_autoptr (GBytes) big = msg ('Z', 301);
  guint n = 0;

  /* Replies only: accepted up to the hard cap (7 × 40 = 280), the eighth cannot fit. */
  while (push (q, (guint8) ('a' + n), SV_SEND_ROUTED, 0) == SV_SEND_QUEUED)
    n++;
  ck_assert_uint_eq (n, 7);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 280);
  ck_assert_uint_eq (sv_send_queue_length (q), 7);
  ck_assert_int_eq (push (q, 'x', SV_SEND_CONTROL, 0), SV_SEND_KICK);
  /* The kicked message was not queued; broadcast is just dropped, never a kick. */
  ck_assert_uint_eq (sv_send_queue_bytes (q), 280);
  ck_assert_int_eq (push (q, 'y', SV_SEND_QUERY, 0), SV_SEND_DROPPED);

  /* A single message over the hard cap can never be sent. */
  sv_send_queue_clear (q);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 0);
  ck_assert (!sv_send_queue_flow_controlled (q));
  ck_assert_int_eq (sv_send_queue_push (q, big, SV_SEND_ROUTED, 0), SV_SEND_KICK);
  ck_assert_int_eq (sv_send_queue_push (q, big, SV_SEND_QUERY, 0), SV_SEND_DROPPED);
  ck_assert_uint_eq (sv_send_queue_length (q), 0);
}
END_TEST

START_TEST (test_partly_written_head_is_kept)
{
  g_autoptr (SvSendQueue) q = small_queue ();
  g_autoptr (GString) tags = NULL;
  const guint8 *p;
  gsize len;

  ck_assert_int_eq (push (q, 'h', SV_SEND_QUERY, 7), SV_SEND_QUEUED);
  sv_send_queue_consume (q, 10);                  /* 'h' is on the wire: 30 bytes left */
  ck_assert_int_eq (push (q, 'a', SV_SEND_QUERY, 1), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'b', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'c', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_int_eq (push (q, 'd', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);   /* 190 */
  /* Over high: the hops-7 query cannot be shed (it is half sent), the hops-1 one goes. */
  ck_assert_int_eq (push (q, 'e', SV_SEND_ROUTED, 0), SV_SEND_QUEUED);
  ck_assert_uint_eq (sv_send_queue_bytes (q), 190);
  p = sv_send_queue_head (q, &len);
  ck_assert_uint_eq (len, 30);
  ck_assert_uint_eq (p[0], 'h');
  tags = drain (q, 1000);
  ck_assert_str_eq (tags->str, "hbcde");
}
END_TEST

START_TEST (test_config_clamped_and_defaults)
{
  SvSendQueueConfig c = { .low_watermark = 1 << 20, .high_watermark = 1 << 20, .hard_cap = 1 << 30 };
  g_autoptr (SvSendQueue) q = sv_send_queue_new (&c);
  g_autoptr (GBytes) m = msg ('m', 1024);
  guint n = 0;

  /* Every configuration stays under SV_SEND_QUEUE_MAX_BYTES. */
  while (sv_send_queue_push (q, m, SV_SEND_ROUTED, 0) == SV_SEND_QUEUED)
    n++;
  ck_assert_uint_eq (n, SV_SEND_QUEUE_MAX_BYTES / 1024);
  sv_send_queue_config_init (&c);
  ck_assert_uint_lt (c.low_watermark, c.high_watermark);
  ck_assert_uint_lt (c.high_watermark, c.hard_cap);
  ck_assert_uint_eq (c.hard_cap, 96 * 1024);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("send-queue");
  TCase *tc = tcase_create ("send-queue");

  tcase_add_test (tc, test_fifo_and_exact_bytes);
  tcase_add_test (tc, test_hysteresis);
  tcase_add_test (tc, test_drop_order);
  tcase_add_test (tc, test_pong_shed_after_queries_and_newest_first);
  tcase_add_test (tc, test_kick_502);
  tcase_add_test (tc, test_partly_written_head_is_kept);
  tcase_add_test (tc, test_config_clamped_and_defaults);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
