/* fd-relay.h: two connected stream sockets spliced together on the main loop: what one side
 * sends, the other receives, in both directions, until both have ended.
 *
 * Each direction holds at most SV_FD_RELAY_BUFFER_BYTES; a side is read only while its
 * direction has room, so a slow reader slows the writer down (TCP flow control end to end). An
 * end of stream on one side is passed on as a half close (shutdown for writing) once its
 * buffered bytes are out; an error on either side ends the whole relay. */
#pragma once

#include <glib.h>

#define SV_FD_RELAY_BUFFER_BYTES (256 * 1024)

typedef struct _SvFdRelay SvFdRelay;

/* Called once, when both directions ended or one failed. The relay may be freed there. */
typedef void (*SvFdRelayDone) (SvFdRelay *relay, gpointer user_data);

/* Splices @a and @b (both taken: closed by the relay). Returns: (transfer full). */
SvFdRelay *sv_fd_relay_new (int a, int b, SvFdRelayDone done, gpointer user_data);
/* How many of @want bytes may be read now (0: none; asked again every SV_FD_RELAY_THROTTLE_MS;
 * after less than SV_FD_RELAY_MIN_GRANT of more, read, it is asked again after that wait too). */
typedef gsize (*SvFdRelayBudget) (gsize want, gpointer user_data);
#define SV_FD_RELAY_THROTTLE_MS 20
#define SV_FD_RELAY_MIN_GRANT   4096

/* Limits what the relay reads, in both directions, to what @budget allows (NULL: no limit). */
void sv_fd_relay_set_budget (SvFdRelay *relay, SvFdRelayBudget budget, gpointer user_data);

/* Closes both sockets at once (no callback). NULL is ignored. */
void sv_fd_relay_free (SvFdRelay *relay);

/* Bytes moved from a to b and from b to a. */
void sv_fd_relay_counts (const SvFdRelay *relay, guint64 *a_to_b, guint64 *b_to_a);
