/* check-util.h: shared helpers for the Check suites: fixtures from tests/data and hex. */
#pragma once

#include <check.h>
#include <glib.h>

/* Reads tests/data/@relpath (SV_TEST_DATA points there). Aborts the test if missing.
 * Returns: (transfer full) the file's bytes. */
GBytes *sv_test_read_fixture (const char *relpath);

/* Decodes hex text (whitespace ignored). Returns: (transfer full). */
GBytes *sv_test_hex (const char *hex);

/* Runs @suite, printing Check's summary; returns the process exit status. */
int sv_test_run (Suite *suite);
