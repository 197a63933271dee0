/* decode.c: `servent decode`: turns the bytes one side of a Gnutella connection sent into one line
 * per message (text or JSON).
 *
 * The input may start with that side's handshake text (one or two header blocks); when a block
 * announces `Content-Encoding: deflate`, everything after it is one zlib stream and is inflated
 * first. Offsets printed for messages count in the (inflated) message stream. */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "commands.h"
#include "exit-codes.h"
#include "handshake-headers.h"
#include "msg.h"
#include "print-fields.h"

/* A decode run never inflates more than this (the input is a local file, but a bomb is a bomb). */
#define SV_DECODE_MAX_INFLATED_BYTES (256u << 20)

typedef struct {
  gboolean json;
  gboolean failed;
} DecodeRun;

/* Every line's first field is "type"; as text it is shown bare: `pong guid=… ttl=1 …`. */
static void
emit (DecodeRun *run, SvFields *line)
{
  g_autofree char *text = run->json ? sv_print_fields_json (line) : sv_fields_to_text (line);
  const char *shown = text;

  if (!run->json && g_str_has_prefix (text, "type="))
    shown += strlen ("type=");
  printf ("%s\n", shown);
}

/* Reports a malformed stream at byte @offset and marks the run failed. A stream that stops
 * before an item ends is "truncated": the input will never bring the rest. */
static void
emit_malformed (DecodeRun *run, SvStatus status, gsize offset)
{
  g_autoptr (SvFields) line = sv_fields_new ();

  sv_fields_add_string (line, "type", "malformed", -1);
  sv_fields_add_string (line, "verdict",
                        sv_status_name (status == SV_STATUS_NEED_MORE ? SV_STATUS_TRUNCATED : status), -1);
  sv_fields_add_uint (line, "offset", offset);
  emit (run, line);
  run->failed = TRUE;
}

/* Prints the handshake blocks in front of the binary stream (parsed with the core's handshake
 * header parser); returns the bytes they take and sets @deflate when one of them announced a
 * deflated stream. */
static gsize
skip_handshake (DecodeRun *run, const char *data, gsize len, gboolean *deflate)
{
  gsize off = 0;

  while (len - off >= 8 && memcmp (data + off, "GNUTELLA", 8) == 0)
    {
      g_autoptr (SvHandshakeHeaders) block = sv_handshake_headers_new ();
      g_autoptr (SvFields) line = sv_fields_new ();
      gsize taken = 0;
      SvStatus st = sv_handshake_headers_feed (block, (const guint8 *) data + off, len - off, &taken);
      SvFields *headers;
      const char *encoding;

      if (st != SV_STATUS_OK)
        {
          emit_malformed (run, st, off);
          return len;
        }
      sv_fields_add_string (line, "type", "handshake", -1);
      sv_fields_add_uint (line, "offset", off);
      sv_fields_add_string (line, "start", sv_handshake_headers_first_line (block), -1);
      headers = sv_fields_add_object (line, "headers");
      for (guint i = 0; i < sv_handshake_headers_count (block); i++)
        {
          const char *value = NULL;
          const char *name = sv_handshake_headers_nth (block, i, &value);
          sv_fields_add_string (headers, name, value, -1);
        }
      encoding = sv_handshake_headers_get (block, "Content-Encoding");
      if (encoding != NULL && g_ascii_strcasecmp (encoding, "deflate") == 0)
        *deflate = TRUE;
      emit (run, line);
      off += taken;
    }
  return off;
}

/* Inflates @len bytes of one zlib stream. Returns NULL (and prints the verdict) on corrupt data. */
static GByteArray *
inflate_stream (DecodeRun *run, const guint8 *data, gsize len, gsize base_offset)
{
  GByteArray *out = g_byte_array_new ();
  z_stream zs = { 0 };
  guint8 chunk[65536];
  int rc = Z_OK;

  if (inflateInit (&zs) != Z_OK)
    g_error ("zlib: out of memory");
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) MIN (len, G_MAXUINT);
  while (zs.avail_in > 0 && rc != Z_STREAM_END)
    {
      zs.next_out = chunk;
      zs.avail_out = sizeof chunk;
      rc = inflate (&zs, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
        break;
      g_byte_array_append (out, chunk, (guint) (sizeof chunk - zs.avail_out));
      if (out->len > SV_DECODE_MAX_INFLATED_BYTES)
        {
          rc = Z_MEM_ERROR;
          break;
        }
      if (rc == Z_BUF_ERROR && zs.avail_out != 0)
        break;  /* the stream stops mid-way: keep what inflated */
    }
  if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
    emit_malformed (run, rc == Z_MEM_ERROR ? SV_STATUS_INFLATE_CAP : SV_STATUS_BAD_DEFLATE,
                    base_offset + (len - zs.avail_in));
  inflateEnd (&zs);
  return out;
}

static void
decode_messages (DecodeRun *run, const guint8 *data, gsize len)
{
  gsize off = 0;

  while (off < len)
    {
      SvMsgHeader hdr;
      gsize total = 0;
      char hex[SV_GUID_HEX_LEN + 1];
      g_autoptr (SvFields) line = sv_fields_new ();
      SvStatus st = sv_msg_header_frame (data + off, len - off, &hdr, &total);

      if (st != SV_STATUS_OK)
        {
          emit_malformed (run, st, off);
          return;
        }
      sv_guid_to_hex (&hdr.guid, hex);
      sv_fields_add_string (line, "type", sv_msg_type_name (hdr.type), -1);
      if (!sv_msg_type_is_known (hdr.type))
        sv_fields_add_printf (line, "code", "0x%02x", hdr.type);
      sv_fields_add_uint (line, "offset", off);
      sv_fields_add_string (line, "guid", hex, -1);
      sv_fields_add_uint (line, "ttl", hdr.ttl);
      sv_fields_add_uint (line, "hops", hdr.hops);
      sv_fields_add_uint (line, "length", hdr.length);
      st = sv_msg_describe (&hdr, data + off + SV_MSG_HEADER_SIZE, hdr.length, line);
      if (st != SV_STATUS_OK)
        {
          sv_fields_add_string (line, "verdict", sv_status_name (st), -1);
          run->failed = TRUE;
        }
      emit (run, line);
      off += total;
    }
}

int
sv_cli_decode (int argc, char **argv)
{
  DecodeRun run = { 0 };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &run.json, N_("Print one JSON object per line"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("[FILE|-] — print the messages in a captured stream"));
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  const char *path;
  gsize len = 0, off;
  gboolean deflate = FALSE;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 2)
    {
      fprintf (stderr, _("servent decode: %s; run 'servent decode --help'\n"),
               error ? error->message : _("give at most one FILE"));
      return SV_EXIT_USAGE;
    }
  path = (argc == 2 && strcmp (argv[1], "-") != 0) ? argv[1] : "/dev/stdin";
  if (!g_file_get_contents (path, &data, &len, &error))
    {
      fprintf (stderr, _("servent decode: %s\n"), error->message);
      return SV_EXIT_IO;
    }

  off = skip_handshake (&run, data, len, &deflate);
  if (deflate)
    {
      g_autoptr (GByteArray) plain = inflate_stream (&run, (const guint8 *) data + off, len - off, off);
      decode_messages (&run, plain->data, plain->len);
    }
  else
    decode_messages (&run, (const guint8 *) data + off, len - off);
  return run.failed ? SV_EXIT_FAILURE : SV_EXIT_OK;
}
