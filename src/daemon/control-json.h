/* control-json.h: the members the control API's handlers add to their JSON answers, written one
 * way: numbers clamped to int64, NULL strings as null, GUIDs in hex, unknown addresses as null. */
#pragma once

#include <json-glib/json-glib.h>

#include "guid.h"
#include "host-addr.h"

void sv_control_json_uint (JsonBuilder *b, const char *name, guint64 value);
void sv_control_json_string (JsonBuilder *b, const char *name, const char *value);
void sv_control_json_bool (JsonBuilder *b, const char *name, gboolean value);
void sv_control_json_guid (JsonBuilder *b, const char *name, const SvGuid *guid);
void sv_control_json_addr (JsonBuilder *b, const char *name, const SvHostAddr *addr);

/* Members of a request body. Returns: (transfer none) the string member @name, or NULL when it
 * is missing or not a string. */
const char *sv_control_json_member_string (JsonObject *obj, const char *name);
/* Returns: TRUE and sets @out when @name is a number >= 0. */
gboolean sv_control_json_member_uint (JsonObject *obj, const char *name, guint64 *out);
/* Returns: the boolean member @name, or @fallback when it is missing or not a boolean. */
gboolean sv_control_json_member_bool (JsonObject *obj, const char *name, gboolean fallback);
