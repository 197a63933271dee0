/* control-json.c: JSON members of control API answers (see control-json.h). */
#include "control-json.h"

void
sv_control_json_uint (JsonBuilder *b, const char *name, guint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, (gint64) MIN (value, (guint64) G_MAXINT64));
}

void
sv_control_json_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
sv_control_json_bool (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

void
sv_control_json_guid (JsonBuilder *b, const char *name, const SvGuid *guid)
{
  char hex[SV_GUID_HEX_LEN + 1];

  sv_guid_to_hex (guid, hex);
  sv_control_json_string (b, name, hex);
}

void
sv_control_json_addr (JsonBuilder *b, const char *name, const SvHostAddr *addr)
{
  char text[SV_HOST_ADDR_STRLEN];

  sv_control_json_string (b, name, addr->family != 0 ? sv_host_addr_format (addr, TRUE, text) : NULL);
}

const char *
sv_control_json_member_string (JsonObject *obj, const char *name)
{
  JsonNode *n = json_object_get_member (obj, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

gboolean
sv_control_json_member_uint (JsonObject *obj, const char *name, guint64 *out)
{
  JsonNode *n = json_object_get_member (obj, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) < 0)
    return FALSE;
  *out = (guint64) json_node_get_int (n);
  return TRUE;
}

gboolean
sv_control_json_member_bool (JsonObject *obj, const char *name, gboolean fallback)
{
  JsonNode *n = json_object_get_member (obj, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (n);
}
