/* fuzz-handshake.c: the 0.6 header parser and the handshake state machine fed with arbitrary bytes.
 *
 * Byte 0 picks the side and our configuration (bit 0: incoming, bit 1: ultrapeer capable,
 * bit 2: deflate, bits 3-4: forced role, bit 5: slots full, bit 6: leaf slots full), byte 1 the
 * chunk size the rest is fed in. The rest is also parsed whole by the header parser. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "handshake.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
parse_headers (const uint8_t *data, size_t size)
{
  SvHandshakeHeaders *h = sv_handshake_headers_new ();
  gsize used = 0;
  guint maj, min, code, n;
  const char *reason, *value;
  gboolean b;

  if (sv_handshake_headers_feed (h, data, size, &used) == SV_STATUS_OK)
    {
      const char *line = sv_handshake_headers_first_line (h);
      SvHostAddr hosts[SV_HANDSHAKE_MAX_TRY_HOSTS];

      (void) sv_handshake_headers_parse_request_line (line, &maj, &min);
      (void) sv_handshake_headers_parse_status_line (line, &maj, &min, &code, &reason);
      for (guint i = 0; i < sv_handshake_headers_count (h); i++)
        {
          const char *name = sv_handshake_headers_nth (h, i, &value);
          SvHostAddr host;

          (void) sv_handshake_headers_get_bool (h, name, &b);
          (void) sv_handshake_headers_get_version (h, name, &maj, &min);
          (void) sv_handshake_headers_get_uint (h, name, 100, &n);
          (void) sv_handshake_headers_has_token (h, name, "deflate");
          (void) sv_host_addr_parse_full (value, strlen (value), SV_HOST_ADDR_DEFAULT_PORT,
                                          SV_HANDSHAKE_HOST_FLAGS, &host);
          (void) sv_handshake_parse_try_hosts (value, hosts, SV_HANDSHAKE_MAX_TRY_HOSTS);
        }
    }
  sv_handshake_headers_free (h);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const SvHostAddr try_hosts[] = {
    { .family = 4, .ip = { 192, 0, 2, 1 }, .port = 6346 },
    { .family = 6, .ip = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .port = 6347 },
  };
  SvHandshakeConfig cfg = {
    .user_agent = "servent/fuzz",
    .leaf_target = 30, .up_target = 32, .leaf_count = 1, .up_count = 1,
    .listen = { .family = 4, .ip = { 127, 0, 0, 1 }, .port = 6346 },
    .try_hosts = try_hosts, .n_try_hosts = G_N_ELEMENTS (try_hosts),
  };
  SvHandshake *hs;
  gsize chunk, off = 0;

  if (size < 2)
    return 0;
  cfg.ultrapeer_capable = (data[0] & 0x02) != 0;
  cfg.deflate = (data[0] & 0x04) != 0;
  cfg.force = (SvHandshakeForce) ((data[0] >> 3) % 3);
  if (data[0] & 0x20)
    cfg.up_count = cfg.up_target;
  if (data[0] & 0x40)
    cfg.leaf_count = cfg.leaf_target;
  if (data[0] & 0x80)
    cfg.leaf_count = 0;
  chunk = data[1] ? data[1] : size;

  parse_headers (data + 2, size - 2);

  hs = sv_handshake_new ((data[0] & 0x01) ? SV_HANDSHAKE_INCOMING : SV_HANDSHAKE_OUTGOING, &cfg);
  data += 2;
  size -= 2;
  while (off < size)
    {
      gsize n = MIN (chunk, size - off), used = 0;
      SvHandshakeState st = sv_handshake_feed (hs, data + off, n, &used);
      GBytes *out = sv_handshake_take_output (hs);

      if (out != NULL)
        g_bytes_unref (out);
      if (used > n || (st == SV_HANDSHAKE_NEED_MORE && used != n))
        __builtin_trap ();
      if (st != SV_HANDSHAKE_NEED_MORE)
        break;
      off += n;
    }
  (void) sv_handshake_result (hs);
  sv_handshake_free (hs);
  return 0;
}
