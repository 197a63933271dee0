/* check-util.h: shared helpers for the Check suites: fixtures from tests/data, captured messages
 * split into header and payload, captured handshake blocks, and hex. */
#pragma once

#include <check.h>
#include <glib.h>

#include "msg-header.h"

/* Reads tests/data/@relpath (SV_TEST_DATA points there). Aborts the test if missing.
 * Returns: (transfer full) the file's bytes. */
GBytes *sv_test_read_fixture (const char *relpath);

/* Splits a whole message (header and payload): decodes the header into @hdr and checks that its
 * length field covers exactly the rest of @msg. Returns: (transfer none) the payload inside @msg,
 * @len bytes. */
const guint8 *sv_test_msg_payload (GBytes *msg, SvMsgHeader *hdr, gsize *len);

/* The payload of the captured message tests/data/@relpath, checked as sv_test_msg_payload() does.
 * Returns: (transfer full). */
GBytes *sv_test_fixture_payload (const char *relpath, SvMsgHeader *hdr);

/* The handshake block sent in step @step (1-3) of connection @conn in a captured handshakes.txt
 * (tests/data/@relpath), up to and including its blank line, CRLFs as captured.
 * Returns: (transfer full). */
GBytes *sv_test_handshake_block (const char *relpath, guint conn, guint step);

/* Decodes hex text (whitespace ignored). Returns: (transfer full). */
GBytes *sv_test_hex (const char *hex);

/* Runs @suite, printing Check's summary; returns the process exit status. */
int sv_test_run (Suite *suite);
