/* bootstrap-list.h: where a servent with nobody to connect to asks for hosts: the entries of the
 * shipped list (data/bootstrap.txt), of servent.conf's `bootstrap` key and of `udp-host-caches`.
 *
 * An entry is one of
 *   uhc:HOST:PORT        a UDP host cache (HOST: a name, an IPv4 address or a [bracketed] IPv6)
 *   http://…, https://…  a GWebCache (version 2)
 * In a list file, '#' starts a comment and blank lines are skipped. Pure: text in, values out. */
#pragma once

#include <glib.h>

#include "status.h"

#define SV_BOOTSTRAP_MAX_ENTRIES 64        /* entries kept from one list */
#define SV_BOOTSTRAP_MAX_ENTRY_BYTES 512   /* a longer line is refused */
#define SV_BOOTSTRAP_MAX_FILE_BYTES (64 * 1024)

typedef enum {
  SV_BOOTSTRAP_UHC = 0,
  SV_BOOTSTRAP_GWC,
} SvBootstrapKind;

typedef struct {
  SvBootstrapKind kind;
  char *host;          /* UHC: the host name or address, without brackets (owned) */
  guint16 port;        /* UHC */
  char *url;           /* GWC (owned) */
} SvBootstrapEntry;

/* Parses one entry (surrounding blanks ignored). Returns: SV_STATUS_OK and fills @out (clear it
 * with sv_bootstrap_entry_clear), or SV_STATUS_BAD_SYNTAX / SV_STATUS_TOO_BIG. */
SvStatus sv_bootstrap_entry_parse (const char *text, SvBootstrapEntry *out);
void sv_bootstrap_entry_clear (SvBootstrapEntry *entry);

/* The entry as it is written (for logs). Returns: (transfer full). */
char *sv_bootstrap_entry_to_string (const SvBootstrapEntry *entry);

/* Splits a list file's text into entry strings (comments, blanks and CR dropped), at most
 * SV_BOOTSTRAP_MAX_ENTRIES. Lines that do not parse as entries are counted in @n_bad (optional)
 * and left out. Returns: (transfer full) a NULL-terminated array. */
char **sv_bootstrap_list_parse (const char *text, gsize len, guint *n_bad);
