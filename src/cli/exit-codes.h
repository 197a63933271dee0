/* exit-codes.h: the documented exit statuses of `servent` (see servent(1), EXIT STATUS). */
#pragma once

enum {
  SV_EXIT_OK = 0,
  SV_EXIT_FAILURE = 1,        /* generic failure; for `decode`: malformed input */
  SV_EXIT_USAGE = 2,          /* bad command line */
  SV_EXIT_NOT_FOUND = 3,      /* nothing found */
  SV_EXIT_NO_DAEMON = 4,      /* serventd is not running or not reachable */
  SV_EXIT_NETWORK = 5,        /* a transfer failed (no source worked, both sides firewalled) */
  SV_EXIT_REFUSED = 6,        /* the daemon refused the request (a conflict, a bad value) */
  SV_EXIT_IO = 7,             /* a file could not be read or written */
};
