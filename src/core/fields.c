/* fields.c: the describe tree of decoded messages, and its text and JSON renderings. */
#include "fields.h"

#include <stdarg.h>
#include <string.h>

struct _SvFields {
  GArray *items;        /* of SvField */
};

static void
field_clear (gpointer data)
{
  SvField *f = data;

  g_free (f->key);
  if (f->kind == SV_FIELD_STRING)
    g_free (f->v.s);
  else if (f->kind == SV_FIELD_OBJECT || f->kind == SV_FIELD_ARRAY)
    sv_fields_free (f->v.obj);
}

SvFields *
sv_fields_new (void)
{
  SvFields *fields = g_new0 (SvFields, 1);

  fields->items = g_array_new (FALSE, TRUE, sizeof (SvField));
  g_array_set_clear_func (fields->items, field_clear);
  return fields;
}

void
sv_fields_free (SvFields *fields)
{
  if (fields == NULL)
    return;
  g_array_unref (fields->items);
  g_free (fields);
}

guint
sv_fields_count (const SvFields *fields)
{
  return fields->items->len;
}

const SvField *
sv_fields_nth (const SvFields *fields, guint index)
{
  g_return_val_if_fail (index < fields->items->len, NULL);
  return &g_array_index (fields->items, SvField, index);
}

const SvField *
sv_fields_find (const SvFields *fields, const char *key)
{
  for (guint i = 0; i < fields->items->len; i++)
    {
      const SvField *f = &g_array_index (fields->items, SvField, i);
      if (g_strcmp0 (f->key, key) == 0)
        return f;
    }
  return NULL;
}

static SvField *
append (SvFields *fields, const char *key, SvFieldKind kind)
{
  SvField f = { .key = g_strdup (key), .kind = kind };

  g_array_append_val (fields->items, f);
  return &g_array_index (fields->items, SvField, fields->items->len - 1);
}

void
sv_fields_add_int (SvFields *fields, const char *key, gint64 value)
{
  append (fields, key, SV_FIELD_INT)->v.i = value;
}

void
sv_fields_add_uint (SvFields *fields, const char *key, guint64 value)
{
  append (fields, key, SV_FIELD_UINT)->v.u = value;
}

void
sv_fields_add_bool (SvFields *fields, const char *key, gboolean value)
{
  append (fields, key, SV_FIELD_BOOL)->v.b = value ? TRUE : FALSE;
}

void
sv_fields_add_string (SvFields *fields, const char *key, const char *value, gssize len)
{
  append (fields, key, SV_FIELD_STRING)->v.s = g_utf8_make_valid (value, len);
}

void
sv_fields_add_printf (SvFields *fields, const char *key, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, fmt);
  text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  sv_fields_add_string (fields, key, text, -1);
}

void
sv_fields_add_hex (SvFields *fields, const char *key, const guint8 *data, gsize len)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      hex[2 * i] = digits[data[i] >> 4];
      hex[2 * i + 1] = digits[data[i] & 0x0F];
    }
  hex[len * 2] = '\0';
  append (fields, key, SV_FIELD_STRING)->v.s = hex;
}

void
sv_fields_add_ipv4 (SvFields *fields, const char *key, const guint8 addr[4])
{
  sv_fields_add_printf (fields, key, "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
}

SvFields *
sv_fields_add_object (SvFields *fields, const char *key)
{
  SvField *f = append (fields, key, SV_FIELD_OBJECT);

  f->v.obj = sv_fields_new ();
  return f->v.obj;
}

SvFields *
sv_fields_add_array (SvFields *fields, const char *key)
{
  SvField *f = append (fields, key, SV_FIELD_ARRAY);

  f->v.obj = sv_fields_new ();
  return f->v.obj;
}

/* --- text rendering --- */

static gboolean
needs_quotes (const char *s)
{
  if (*s == '\0')
    return TRUE;
  for (const char *p = s; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c == ',' || c == '[' || c == ']'
          || c == '{' || c == '}' || c == 0x7F)
        return TRUE;
    }
  return FALSE;
}

static void text_value (GString *out, const SvField *f);

static void
text_list (GString *out, const SvFields *fields, gboolean keyed)
{
  for (guint i = 0; i < fields->items->len; i++)
    {
      const SvField *f = &g_array_index (fields->items, SvField, i);
      if (i > 0)
        g_string_append_c (out, keyed ? ' ' : ',');
      if (keyed && f->key)
        g_string_append_printf (out, "%s=", f->key);
      text_value (out, f);
    }
}

static void
text_value (GString *out, const SvField *f)
{
  switch (f->kind)
    {
    case SV_FIELD_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, f->v.i);
      break;
    case SV_FIELD_UINT:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, f->v.u);
      break;
    case SV_FIELD_BOOL:
      g_string_append (out, f->v.b ? "true" : "false");
      break;
    case SV_FIELD_STRING:
      if (needs_quotes (f->v.s))
        {
          g_autofree char *esc = g_strescape (f->v.s, NULL);
          g_string_append_printf (out, "\"%s\"", esc);
        }
      else
        g_string_append (out, f->v.s);
      break;
    case SV_FIELD_OBJECT:
      g_string_append_c (out, '{');
      text_list (out, f->v.obj, TRUE);
      g_string_append_c (out, '}');
      break;
    case SV_FIELD_ARRAY:
      g_string_append_c (out, '[');
      text_list (out, f->v.obj, FALSE);
      g_string_append_c (out, ']');
      break;
    }
}

char *
sv_fields_to_text (const SvFields *fields)
{
  GString *out = g_string_new (NULL);

  text_list (out, fields, TRUE);
  return g_string_free (out, FALSE);
}
