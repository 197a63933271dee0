/* net-util.h: helpers for the loopback suites: a bounded main-loop runner, handshake configs,
 * test messages, and a blocking "raw" peer (run in a thread) that speaks the handshake through
 * the core machine and then sends whatever bytes a test wants. */
#pragma once

#include <check.h>
#include <gio/gio.h>

#include "handshake.h"
#include "host-addr.h"
#include "msg-header.h"

/* Runs the thread-default main context until *@flag is TRUE or @timeout_ms pass.
 * Returns: *@flag. */
gboolean net_run_until (const gboolean *flag, guint timeout_ms);
/* Runs the main context for @ms. */
void net_run_for (guint ms);

/* A handshake config: an ultrapeer-capable acceptor or a leaf. */
SvHandshakeConfig net_hs_config (gboolean ultrapeer, gboolean deflate);

/* 127.0.0.1:@port or [::1]:@port. */
SvHostAddr net_loopback (guint family, guint16 port);

/* Returns: (transfer full) a vendor message (type 0x31, TTL 1) of @payload_len bytes whose GUID
 * and payload encode @seq (so a test can check content and order). */
GBytes *net_test_msg (guint seq, gsize payload_len);
/* Checks that @hdr/@payload is the message net_test_msg (@seq, …) built. */
gboolean net_test_msg_check (const SvMsgHeader *hdr, const guint8 *payload, guint seq);

/* --- Blocking raw peer (for a thread) --- */

/* Connects (blocking, 10 s socket timeout). @rcvbuf > 0 sets SO_RCVBUF first.
 * Returns: (transfer full) (nullable). */
GSocket *raw_connect (const SvHostAddr *addr, int rcvbuf);
/* Runs an outgoing handshake (a leaf, @deflate offered) over @sock. Bytes past the handshake
 * are appended to @leftover. Returns: the final state. */
SvHandshakeState raw_handshake (GSocket *sock, gboolean deflate, GByteArray *leftover);
gboolean raw_send_all (GSocket *sock, const guint8 *data, gsize len);
/* Reads until EOF, an error or @max bytes. Returns: (transfer full). */
GByteArray *raw_read_all (GSocket *sock, gsize max);
/* Inflates a whole zlib stream prefix (sync-flushed). Returns: (transfer full) (nullable). */
GByteArray *raw_inflate (const guint8 *data, gsize len);
