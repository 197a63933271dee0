/* print-fields.h: renders core describe trees (SvFields) for people and scripts. */
#pragma once

#include "fields.h"

/* Renders @fields as one compact JSON object with json-glib. Returns: (transfer full). */
char *sv_print_fields_json (const SvFields *fields);
