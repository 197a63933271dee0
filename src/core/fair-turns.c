/* fair-turns.c: a line of takers for a shared budget (see fair-turns.h). */
#include "fair-turns.h"

typedef struct {
  gconstpointer who;
  gint64 asked_us;           /* when it last asked */
} SvFairTurn;

void
sv_fair_turns_init (SvFairTurns *turns)
{
  g_queue_init (&turns->line);
}

void
sv_fair_turns_clear (SvFairTurns *turns)
{
  g_queue_clear_full (&turns->line, g_free);
}

static GList *
find (SvFairTurns *turns, gconstpointer who)
{
  for (GList *l = turns->line.head; l != NULL; l = l->next)
    if (((SvFairTurn *) l->data)->who == who)
      return l;
  return NULL;
}

gboolean
sv_fair_turns_ask (SvFairTurns *turns, gconstpointer who, gboolean available, gint64 now_us)
{
  GList *mine = find (turns, who);
  SvFairTurn *head;

  if (mine != NULL)
    ((SvFairTurn *) mine->data)->asked_us = now_us;
  /* Those that stopped asking give their place up. */
  while ((head = g_queue_peek_head (&turns->line)) != NULL && head->who != who
         && now_us - head->asked_us >= SV_FAIR_TURNS_STALE_US)
    g_free (g_queue_pop_head (&turns->line));
  if (available && (head == NULL || head->who == who))
    {
      if (head != NULL)
        g_free (g_queue_pop_head (&turns->line));
      return TRUE;
    }
  if (mine == NULL)
    {
      SvFairTurn *t = g_new (SvFairTurn, 1);

      t->who = who;
      t->asked_us = now_us;
      g_queue_push_tail (&turns->line, t);
    }
  return FALSE;
}

void
sv_fair_turns_forget (SvFairTurns *turns, gconstpointer who)
{
  GList *mine = find (turns, who);

  if (mine != NULL)
    {
      g_free (mine->data);
      g_queue_delete_link (&turns->line, mine);
    }
}

guint
sv_fair_turns_waiting (const SvFairTurns *turns)
{
  return turns->line.length;
}
