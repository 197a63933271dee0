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
