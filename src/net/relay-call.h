/* relay-call.h: our end of a relayed transfer, the last resort when two firewalled hosts could
 * not connect to each other: we call the broker (the same reachable ultrapeer that brokered the
 * rendezvous) with GET /gnutella/relay?token=… (with ServerId=<leaf> as the downloader, without
 * as that leaf); once both sides called, it answers each "200" and from then on splices the two
 * connections. What travels on the result is the ordinary download request and its answer; the
 * SHA-1 check at the end catches a relay that changed a byte.
 *
 * The answer head is read here with the strict response parser (core/http-response), at most
 * SV_RELAY_CALL_MAX_HEAD bytes; bytes that came after it are handed on with the socket. */
#pragma once

#include <gio/gio.h>

#include "guid.h"
#include "host-addr.h"

#define SV_RELAY_CALL_MAX_HEAD   4096
#define SV_RELAY_CALL_TIMEOUT_US (G_GINT64_CONSTANT (15) * G_USEC_PER_SEC)

typedef struct _SvRelayCall SvRelayCall;

/* @fd: (transfer full) the spliced connection, or -1 with @error; @extra: (transfer none)
 * (nullable) bytes that came after the answer head (the other side's first bytes). */
typedef void (*SvRelayCallDone) (int fd, GBytes *extra, const GError *error, gpointer user_data);

/* Calls @broker about @token, as the downloader when @leaf is set, as that leaf when NULL.
 * @done is called exactly once unless the call is freed first. Returns: (transfer full). */
SvRelayCall *sv_relay_call_start (const SvHostAddr *broker, const SvGuid *leaf,
                                  const SvGuid *token, SvRelayCallDone done, gpointer user_data);
/* Stops (no callback) and frees. NULL is ignored. */
void sv_relay_call_free (SvRelayCall *call);
