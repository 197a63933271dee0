/* print-fields.c: JSON rendering of SvFields trees through json-glib. */
#include "print-fields.h"

#include <json-glib/json-glib.h>

static JsonNode *to_node (const SvField *field);

static JsonNode *
container_node (const SvFields *fields, gboolean object)
{
  JsonNode *node = json_node_alloc ();

  if (object)
    {
      JsonObject *obj = json_object_new ();
      for (guint i = 0; i < sv_fields_count (fields); i++)
        {
          const SvField *f = sv_fields_nth (fields, i);
          json_object_set_member (obj, f->key ? f->key : "", to_node (f));
        }
      json_node_init_object (node, obj);
      json_object_unref (obj);
    }
  else
    {
      JsonArray *arr = json_array_new ();
      for (guint i = 0; i < sv_fields_count (fields); i++)
        json_array_add_element (arr, to_node (sv_fields_nth (fields, i)));
      json_node_init_array (node, arr);
      json_array_unref (arr);
    }
  return node;
}

static JsonNode *
to_node (const SvField *f)
{
  JsonNode *node;

  switch (f->kind)
    {
    case SV_FIELD_INT:
      node = json_node_init_int (json_node_alloc (), f->v.i);
      break;
    case SV_FIELD_UINT:
      node = json_node_init_int (json_node_alloc (), (gint64) MIN (f->v.u, (guint64) G_MAXINT64));
      break;
    case SV_FIELD_BOOL:
      node = json_node_init_boolean (json_node_alloc (), f->v.b);
      break;
    case SV_FIELD_STRING:
      node = json_node_init_string (json_node_alloc (), f->v.s);
      break;
    case SV_FIELD_OBJECT:
      node = container_node (f->v.obj, TRUE);
      break;
    case SV_FIELD_ARRAY:
    default:
      node = container_node (f->v.obj, FALSE);
      break;
    }
  return node;
}

char *
sv_print_fields_json (const SvFields *fields)
{
  g_autoptr (JsonNode) root = container_node (fields, TRUE);

  return json_to_string (root, FALSE);
}
