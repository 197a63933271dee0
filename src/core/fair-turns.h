/* fair-turns.h: who takes next from a shared budget that runs short (the upload limit's token
 * bucket). A taker that finds nothing left, or finds others already waiting, joins the line;
 * while anyone waits only the head of the line may take, and taking makes it leave. So two
 * uploads that keep asking take turns instead of the quicker one taking everything. A taker that
 * stopped asking (it finished, or waits on its peer) loses its place after SV_FAIR_TURNS_STALE_US.
 * Pure: takers are opaque handles, time comes in. */
#pragma once

#include <glib.h>

#define SV_FAIR_TURNS_STALE_US (G_GINT64_CONSTANT (100) * 1000)

typedef struct {
  GQueue line;               /* (element-type SvFairTurn) (owned), head first */
} SvFairTurns;

void sv_fair_turns_init (SvFairTurns *turns);
void sv_fair_turns_clear (SvFairTurns *turns);

/* @who asks to take, with something left to take (@available) or not. Returns: TRUE when it may
 * take now; FALSE when it is to wait (it is in line then, keeping its place if it was). */
gboolean sv_fair_turns_ask (SvFairTurns *turns, gconstpointer who, gboolean available,
                            gint64 now_us);
/* @who is gone: it leaves the line. */
void sv_fair_turns_forget (SvFairTurns *turns, gconstpointer who);
/* Takers waiting. */
guint sv_fair_turns_waiting (const SvFairTurns *turns);
