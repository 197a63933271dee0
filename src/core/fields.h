/* fields.h: an ordered tree of named values that describes a decoded message.
 *
 * Each message module fills one (`sv_<msg>_describe`) so that a front end can show any message
 * without knowing its struct: `servent decode` renders it as `key=value` text, or (through
 * json-glib, in the CLI) as JSON.
 * Keys are stable, lower-case, protocol-level names (never translated). */
#pragma once

#include <glib.h>

typedef enum {
  SV_FIELD_INT,       /* signed 64-bit */
  SV_FIELD_UINT,      /* unsigned 64-bit */
  SV_FIELD_BOOL,
  SV_FIELD_STRING,    /* UTF-8 (invalid input is repaired on add) */
  SV_FIELD_OBJECT,    /* a nested SvFields */
  SV_FIELD_ARRAY,     /* a list of values (strings, numbers or objects) */
} SvFieldKind;

typedef struct _SvFields SvFields;

typedef struct {
  char *key;            /* NULL for array items */
  SvFieldKind kind;
  union {
    gint64 i;
    guint64 u;
    gboolean b;
    char *s;
    SvFields *obj;      /* OBJECT and ARRAY both hold their children here */
  } v;
} SvField;

/* Returns: (transfer full) an empty object. */
SvFields *sv_fields_new (void);
void sv_fields_free (SvFields *fields);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvFields, sv_fields_free)

guint sv_fields_count (const SvFields *fields);
/* Returns: (transfer none) the @index-th field, in insertion order. */
const SvField *sv_fields_nth (const SvFields *fields, guint index);
/* Returns: (transfer none) (nullable) the first field named @key. */
const SvField *sv_fields_find (const SvFields *fields, const char *key);

void sv_fields_add_int (SvFields *fields, const char *key, gint64 value);
void sv_fields_add_uint (SvFields *fields, const char *key, guint64 value);
void sv_fields_add_bool (SvFields *fields, const char *key, gboolean value);
/* @value is copied; @len may be -1 for NUL-terminated. Invalid UTF-8 is repaired. */
void sv_fields_add_string (SvFields *fields, const char *key, const char *value, gssize len);
/* Adds printf-formatted text. */
void sv_fields_add_printf (SvFields *fields, const char *key, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
/* Adds @len bytes as lower-case hex text. */
void sv_fields_add_hex (SvFields *fields, const char *key, const guint8 *data, gsize len);
/* Adds an IPv4 address given as 4 network-order bytes, as dotted-quad text. */
void sv_fields_add_ipv4 (SvFields *fields, const char *key, const guint8 addr[4]);

/* Returns: (transfer none) a new nested object under @key, owned by @fields. */
SvFields *sv_fields_add_object (SvFields *fields, const char *key);
/* Returns: (transfer none) a new array under @key, owned by @fields; fill it with the
 * sv_fields_add_* calls passing key NULL, or sv_fields_add_object (array, NULL) for objects. */
SvFields *sv_fields_add_array (SvFields *fields, const char *key);

/* Renders on one line: `key=value key2=[a,b] obj={k=v}`; strings with spaces or special
 * characters are quoted with C escapes. Returns: (transfer full). */
char *sv_fields_to_text (const SvFields *fields);
