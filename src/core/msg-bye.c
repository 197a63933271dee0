/* msg-bye.c: Bye payload codec, the Bye code names and the reason/header split. */
#include "msg-bye.h"

#include <string.h>

#include "bytes.h"

static const struct {
  guint16 code;
  const char *name;
} bye_names[] = {
  { SV_BYE_SHUTDOWN, "shutdown" },
  { SV_BYE_USER_CLOSED, "user-closed" },
  { SV_BYE_MESSAGE_TOO_BIG, "message-too-big" },
  { SV_BYE_TOO_MANY_DUPLICATES, "too-many-duplicates" },
  { SV_BYE_BAD_QUERY, "bad-query" },
  { SV_BYE_TTL_HOPS_LIMIT, "ttl-hops-limit" },
  { SV_BYE_TOO_MANY_UNKNOWN, "too-many-unknown" },
  { SV_BYE_INACTIVITY, "inactivity" },
  { SV_BYE_NO_PING_REPLY, "no-ping-reply" },
  { SV_BYE_NOT_SHARING, "not-sharing" },
  { SV_BYE_INTERNAL_ERROR, "internal-error" },
  { SV_BYE_DESYNC, "desync" },
  { SV_BYE_SEND_QUEUE_FULL, "send-queue-full" },
  { SV_BYE_LEGACY_NO_CODE, "legacy-no-code" },
};

const char *
sv_bye_code_name (guint16 code)
{
  for (guint i = 0; i < G_N_ELEMENTS (bye_names); i++)
    if (bye_names[i].code == code)
      return bye_names[i].name;
  return "unknown";
}

void
sv_bye_free (SvBye *bye)
{
  if (bye == NULL)
    return;
  g_free (bye->reason);
  g_clear_pointer (&bye->trailing, g_bytes_unref);
  g_free (bye);
}

SvBye *
sv_bye_new (guint16 code, const char *reason)
{
  SvBye *bye = g_new0 (SvBye, 1);

  bye->code = code;
  bye->reason = g_strdup (reason != NULL ? reason : "");
  bye->reason_len = strlen (bye->reason);
  bye->terminated = TRUE;
  return bye;
}

SvStatus
sv_bye_decode (const guint8 *payload, gsize len, SvBye **out)
{
  g_autoptr (SvBye) bye = g_new0 (SvBye, 1);
  SvReader r = sv_reader_init (payload, len);
  gssize nul;

  *out = NULL;
  if (!sv_reader_le16 (&r, &bye->code))
    return SV_STATUS_TRUNCATED;
  if (bye->code > 999 && g_ascii_isalnum (payload[0]) && g_ascii_isalnum (payload[1]))
    {
      r = sv_reader_init (payload, len);
      bye->code = SV_BYE_LEGACY_NO_CODE;
      bye->legacy_no_code = TRUE;
    }
  nul = sv_reader_find (&r, 0);
  bye->terminated = nul >= 0;
  bye->reason_len = nul >= 0 ? (gsize) nul : sv_reader_left (&r);
  bye->reason = g_strndup ((const char *) sv_reader_here (&r), bye->reason_len);
  (void) sv_reader_skip (&r, bye->reason_len + (bye->terminated ? 1 : 0));
  if (sv_reader_left (&r) > 0)
    bye->trailing = g_bytes_new (sv_reader_here (&r), sv_reader_left (&r));
  *out = g_steal_pointer (&bye);
  return SV_STATUS_OK;
}

void
sv_bye_encode (const SvBye *bye, GByteArray *out)
{
  if (!bye->legacy_no_code)
    sv_put_le16 (out, bye->code);
  sv_put_bytes (out, bye->reason, bye->reason_len);
  if (bye->terminated)
    sv_put_u8 (out, 0);
  if (bye->trailing != NULL)
    {
      gsize n;
      const guint8 *d = g_bytes_get_data (bye->trailing, &n);
      sv_put_bytes (out, d, n);
    }
}

void
sv_bye_describe (const SvBye *bye, SvFields *out)
{
  const char *text = bye->reason;
  const char *end = bye->reason + bye->reason_len;
  const char *crlf = g_strstr_len (text, (gssize) bye->reason_len, "\r\n");

  sv_fields_add_uint (out, "code", bye->code);
  sv_fields_add_string (out, "code_name", sv_bye_code_name (bye->code), -1);
  sv_fields_add_string (out, "reason", text, crlf != NULL ? crlf - text : (gssize) bye->reason_len);
  if (crlf != NULL)
    {
      SvFields *headers = sv_fields_add_array (out, "headers");
      const char *line = crlf + 2;

      while (line < end)
        {
          const char *next = g_strstr_len (line, end - line, "\r\n");
          const char *stop = next != NULL ? next : end;

          if (stop == line)
            break;                          /* the empty line closes the headers */
          sv_fields_add_string (headers, NULL, line, stop - line);
          line = next != NULL ? next + 2 : end;
        }
    }
  if (!bye->terminated)
    sv_fields_add_bool (out, "unterminated", TRUE);
  if (bye->legacy_no_code)
    sv_fields_add_bool (out, "legacy_no_code", TRUE);
  if (bye->trailing != NULL)
    {
      gsize n;
      const guint8 *d = g_bytes_get_data (bye->trailing, &n);
      sv_fields_add_hex (out, "trailing", d, n);
    }
}
