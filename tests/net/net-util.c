/* net-util.c: loop runner, configs, test messages and the blocking raw peer of the net suites. */
#include "net-util.h"

#include <string.h>
#include <sys/socket.h>
#include <zlib.h>

#include "peer-conn.h"
#include "socket-addr.h"

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
net_run_until (const gboolean *flag, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GSource *waker = g_timeout_source_new (20);

  g_source_set_callback (waker, wake, NULL, NULL);
  g_source_attach (waker, g_main_context_get_thread_default ());
  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (waker);
  g_source_unref (waker);
  return *flag;
}

void
net_run_for (guint ms)
{
  gboolean never = FALSE;
  net_run_until (&never, ms);
}

SvHandshakeConfig
net_hs_config (gboolean ultrapeer, gboolean deflate)
{
  SvHandshakeConfig c = {
    .ultrapeer_capable = ultrapeer,
    .force = ultrapeer ? SV_HANDSHAKE_FORCE_ULTRAPEER : SV_HANDSHAKE_FORCE_LEAF,
    .leaf_count = 0, .leaf_target = 300,
    .up_count = 0, .up_target = ultrapeer ? 32 : 3,
    .user_agent = ultrapeer ? "servent-test-up/0.1" : "servent-test-leaf/0.1",
    .deflate = deflate,
    .qrp_version = SV_HANDSHAKE_VERSION (0, 2),
  };
  for (int i = 0; i < SV_GUID_LEN; i++)
    c.guid.b[i] = (guint8) ((ultrapeer ? 0x10 : 0x40) + i);
  c.guid.b[8] = 0xff;
  return c;
}

SvHostAddr
net_loopback (guint family, guint16 port)
{
  SvHostAddr a = { 0 };
  if (family == 6)
    {
      guint8 ip[16] = { [15] = 1 };
      sv_host_addr_set_ipv6 (&a, ip, port);
    }
  else
    {
      guint8 ip[4] = { 127, 0, 0, 1 };
      sv_host_addr_set_ipv4 (&a, ip, port);
    }
  return a;
}

GBytes *
net_test_msg (guint seq, gsize payload_len)
{
  GByteArray *b = g_byte_array_sized_new ((guint) (SV_MSG_HEADER_SIZE + payload_len));
  SvMsgHeader hdr = { .type = SV_MSG_VENDOR, .ttl = 1, .hops = 0, .length = (guint32) payload_len };
  guint8 head[SV_MSG_HEADER_SIZE];

  memcpy (hdr.guid.b, &seq, sizeof seq);
  hdr.guid.b[8] = 0xff;
  sv_msg_header_encode (&hdr, head);
  g_byte_array_append (b, head, sizeof head);
  for (gsize i = 0; i < payload_len; i++)
    {
      guint8 c = (guint8) ("query hit text "[i % 15] + (seq + i / 64) % 7);
      g_byte_array_append (b, &c, 1);
    }
  return g_byte_array_free_to_bytes (b);
}

gboolean
net_test_msg_check (const SvMsgHeader *hdr, const guint8 *payload, guint seq)
{
  g_autoptr (GBytes) want = net_test_msg (seq, hdr->length);
  const guint8 *w = g_bytes_get_data (want, NULL);
  guint8 head[SV_MSG_HEADER_SIZE];

  sv_msg_header_encode (hdr, head);
  return memcmp (head, w, SV_MSG_HEADER_SIZE) == 0
         && (hdr->length == 0 || memcmp (payload, w + SV_MSG_HEADER_SIZE, hdr->length) == 0);
}

GSocket *
raw_connect (const SvHostAddr *addr, int rcvbuf)
{
  g_autoptr (GSocketAddress) sa = sv_socket_addr_from_host (addr);
  GSocket *s = g_socket_new (addr->family == 6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4,
                             G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

  if (s == NULL)
    return NULL;
  if (rcvbuf > 0)
    g_socket_set_option (s, SOL_SOCKET, SO_RCVBUF, rcvbuf, NULL);
  g_socket_set_timeout (s, 10);
  if (!g_socket_connect (s, sa, NULL, NULL))
    {
      g_object_unref (s);
      return NULL;
    }
  return s;
}

gboolean
raw_send_all (GSocket *sock, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (sock, (const char *) data, len, NULL, NULL);
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

SvHandshakeState
raw_handshake (GSocket *sock, gboolean deflate, GByteArray *leftover)
{
  SvHandshakeConfig cfg = net_hs_config (FALSE, deflate);
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_OUTGOING, &cfg);
  SvHandshakeState st = SV_HANDSHAKE_NEED_MORE;
  guint8 buf[4096];

  for (;;)
    {
      g_autoptr (GBytes) out = sv_handshake_take_output (hs);
      gssize n;
      gsize used = 0;

      if (out != NULL && !raw_send_all (sock, g_bytes_get_data (out, NULL), g_bytes_get_size (out)))
        return SV_HANDSHAKE_FAILED;
      if (st != SV_HANDSHAKE_NEED_MORE)
        return st;
      n = g_socket_receive (sock, (char *) buf, sizeof buf, NULL, NULL);
      if (n <= 0)
        return SV_HANDSHAKE_FAILED;
      st = sv_handshake_feed (hs, buf, (gsize) n, &used);
      if (st == SV_HANDSHAKE_ESTABLISHED && leftover != NULL)
        g_byte_array_append (leftover, buf + used, (guint) ((gsize) n - used));
    }
}

GByteArray *
raw_read_all (GSocket *sock, gsize max)
{
  GByteArray *all = g_byte_array_new ();
  guint8 buf[4096];

  while (all->len < max)
    {
      gssize n = g_socket_receive (sock, (char *) buf, sizeof buf, NULL, NULL);
      if (n <= 0)
        break;
      g_byte_array_append (all, buf, (guint) n);
    }
  return all;
}

GByteArray *
raw_inflate (const guint8 *data, gsize len)
{
  z_stream z = { 0 };
  GByteArray *out = g_byte_array_new ();
  guint8 buf[4096];
  int ret = Z_OK;

  if (inflateInit (&z) != Z_OK)
    return out;
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) len;
  while (ret == Z_OK && out->len < (1u << 24))
    {
      z.next_out = buf;
      z.avail_out = sizeof buf;
      ret = inflate (&z, Z_SYNC_FLUSH);
      g_byte_array_append (out, buf, (guint) (sizeof buf - z.avail_out));
      if (z.avail_in == 0 && z.avail_out != 0)
        break;
    }
  inflateEnd (&z);
  return out;
}
