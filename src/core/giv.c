/* giv.c: GIV / G2 PUSH announcement parsing and building. */
#include "giv.h"

#include <stdio.h>
#include <string.h>

static const char giv_prefix[] = "GIV ";
static const char push_prefix[] = "PUSH guid:";

/* Does @data (@len bytes) agree with @prefix as far as it goes? */
static gboolean
prefix_agrees (const guint8 *data, gsize len, const char *prefix, gboolean icase)
{
  gsize n = MIN (len, strlen (prefix));

  return icase ? g_ascii_strncasecmp ((const char *) data, prefix, n) == 0
               : memcmp (data, prefix, n) == 0;
}

static gboolean
is_control (guint8 c)
{
  return c < 0x20 || c == 0x7f;
}

static SvStatus
parse_giv_line (const guint8 *line, gsize len, SvGiv *out)
{
  gsize pos = strlen (giv_prefix);
  guint64 index = 0;
  gsize digits = 0;

  while (pos < len && g_ascii_isdigit (line[pos]))
    {
      index = index * 10 + (guint64) (line[pos] - '0');
      if (index > G_MAXUINT32)
        return SV_STATUS_BAD_VALUE;
      pos++;
      digits++;
    }
  if (digits == 0 || pos >= len || line[pos] != ':')
    return SV_STATUS_BAD_SYNTAX;
  pos++;
  if (len - pos < SV_GUID_HEX_LEN
      || !sv_guid_from_hex ((const char *) line + pos, SV_GUID_HEX_LEN, &out->guid))
    return SV_STATUS_BAD_SYNTAX;
  pos += SV_GUID_HEX_LEN;
  out->kind = SV_GIV_KIND_GIV;
  out->index = (guint32) index;
  out->name_len = 0;
  out->name[0] = '\0';
  if (pos == len)
    return SV_STATUS_OK;                  /* no "/name": tolerated */
  if (line[pos] != '/')
    return SV_STATUS_BAD_SYNTAX;
  pos++;
  for (gsize i = pos; i < len; i++)
    if (is_control (line[i]))
      return SV_STATUS_BAD_SYNTAX;
  out->name_len = len - pos;
  memcpy (out->name, line + pos, out->name_len);
  out->name[out->name_len] = '\0';
  return SV_STATUS_OK;
}

static SvStatus
parse_push_line (const guint8 *line, gsize len, SvGiv *out)
{
  gsize pos = strlen (push_prefix);

  if (len - pos != SV_GUID_HEX_LEN
      || !sv_guid_from_hex ((const char *) line + pos, SV_GUID_HEX_LEN, &out->guid))
    return SV_STATUS_BAD_SYNTAX;
  out->kind = SV_GIV_KIND_PUSH;
  out->index = 0;
  out->name_len = 0;
  out->name[0] = '\0';
  return SV_STATUS_OK;
}

SvStatus
sv_giv_parse (const guint8 *data, gsize len, SvGiv *out, gsize *consumed)
{
  gboolean is_giv = prefix_agrees (data, len, giv_prefix, FALSE);
  gboolean is_push = prefix_agrees (data, len, push_prefix, TRUE);
  const guint8 *lf;
  gsize line_len, pos;
  SvStatus st;

  if (!is_giv && !is_push)
    return SV_STATUS_BAD_SYNTAX;
  /* The line may hold SV_GIV_MAX_LINE_BYTES bytes, then CR LF. */
  lf = memchr (data, '\n', MIN (len, (gsize) SV_GIV_MAX_LINE_BYTES + 2));
  if (lf == NULL)
    {
      if (len >= SV_GIV_MAX_LINE_BYTES + 2
          || (len == SV_GIV_MAX_LINE_BYTES + 1 && data[len - 1] != '\r'))
        return SV_STATUS_TOO_BIG;
      for (gsize i = 0; i < len; i++)
        if (data[i] == '\0' || (data[i] == '\r' && i + 1 < len))
          return SV_STATUS_BAD_SYNTAX;
      return SV_STATUS_NEED_MORE;
    }
  line_len = (gsize) (lf - data);
  pos = line_len + 1;
  if (line_len > 0 && data[line_len - 1] == '\r')
    line_len--;
  if (line_len > SV_GIV_MAX_LINE_BYTES)
    return SV_STATUS_TOO_BIG;
  if (line_len < strlen (is_giv ? giv_prefix : push_prefix))
    return SV_STATUS_BAD_SYNTAX;
  for (gsize i = 0; i < line_len; i++)
    if (data[i] == '\0' || data[i] == '\r')
      return SV_STATUS_BAD_SYNTAX;

  st = is_giv ? parse_giv_line (data, line_len, out) : parse_push_line (data, line_len, out);
  if (st != SV_STATUS_OK)
    return st;

  /* The empty line: LF or CR LF. */
  if (pos >= len)
    return SV_STATUS_NEED_MORE;
  if (data[pos] == '\r')
    {
      if (pos + 1 >= len)
        return SV_STATUS_NEED_MORE;
      if (data[pos + 1] != '\n')
        return SV_STATUS_BAD_SYNTAX;
      *consumed = pos + 2;
      return SV_STATUS_OK;
    }
  if (data[pos] != '\n')
    return SV_STATUS_BAD_SYNTAX;
  *consumed = pos + 1;
  return SV_STATUS_OK;
}

gboolean
sv_giv_build (guint32 index, const SvGuid *guid, const char *name, GByteArray *out)
{
  char hex[SV_GUID_HEX_LEN + 1];
  char head[64];
  gsize name_len;
  int n;

  if (name == NULL)
    name = "file";
  name_len = strlen (name);
  for (gsize i = 0; i < name_len; i++)
    if (is_control ((guint8) name[i]))
      return FALSE;
  sv_guid_to_hex (guid, hex);
  n = snprintf (head, sizeof head, "GIV %u:%s/", (unsigned) index, hex);
  if (n < 0 || (gsize) n + name_len > SV_GIV_MAX_LINE_BYTES)
    return FALSE;
  g_byte_array_append (out, (const guint8 *) head, (guint) n);
  g_byte_array_append (out, (const guint8 *) name, (guint) name_len);
  g_byte_array_append (out, (const guint8 *) "\n\n", 2);
  return TRUE;
}

void
sv_giv_build_push (const SvGuid *guid, GByteArray *out)
{
  char hex[SV_GUID_HEX_LEN + 1];

  sv_guid_to_hex (guid, hex);
  g_byte_array_append (out, (const guint8 *) push_prefix, (guint) strlen (push_prefix));
  g_byte_array_append (out, (const guint8 *) hex, SV_GUID_HEX_LEN);
  g_byte_array_append (out, (const guint8 *) "\r\n\r\n", 4);
}
