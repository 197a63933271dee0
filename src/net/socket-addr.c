/* socket-addr.c: SvHostAddr and GIO socket addresses (see socket-addr.h). */
#include "socket-addr.h"

#include <string.h>

gboolean
sv_socket_addr_inet_to_host (GInetAddress *ia, guint16 port, SvHostAddr *out)
{
  const guint8 *bytes;

  memset (out, 0, sizeof *out);
  if (ia == NULL)
    return FALSE;
  bytes = g_inet_address_to_bytes (ia);
  if (g_inet_address_get_family (ia) == G_SOCKET_FAMILY_IPV4)
    sv_host_addr_set_ipv4 (out, bytes, port);
  else if (g_inet_address_get_family (ia) == G_SOCKET_FAMILY_IPV6)
    sv_host_addr_set_ipv6 (out, bytes, port);
  else
    return FALSE;
  return TRUE;
}

gboolean
sv_socket_addr_to_host (GSocketAddress *sa, SvHostAddr *out)
{
  memset (out, 0, sizeof *out);
  if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS (sa))
    return FALSE;
  return sv_socket_addr_inet_to_host (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa)),
                                      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sa)),
                                      out);
}

GSocketAddress *
sv_socket_addr_from_host (const SvHostAddr *addr)
{
  g_autoptr (GInetAddress) ia = NULL;

  if (addr->family == SV_HOST_ADDR_IPV4)
    ia = g_inet_address_new_from_bytes (addr->ip, G_SOCKET_FAMILY_IPV4);
  else if (addr->family == SV_HOST_ADDR_IPV6)
    ia = g_inet_address_new_from_bytes (addr->ip, G_SOCKET_FAMILY_IPV6);
  else
    return NULL;
  return g_inet_socket_address_new (ia, addr->port);
}

gboolean
sv_socket_addr_from_native (const struct sockaddr *sa, socklen_t len, SvHostAddr *out)
{
  g_autoptr (GSocketAddress) ga = g_socket_address_new_from_native ((gpointer) sa, len);

  return sv_socket_addr_to_host (ga, out);
}

socklen_t
sv_socket_addr_to_native (const SvHostAddr *addr, struct sockaddr_storage *out)
{
  g_autoptr (GSocketAddress) ga = sv_socket_addr_from_host (addr);

  memset (out, 0, sizeof *out);
  if (ga == NULL || !g_socket_address_to_native (ga, out, sizeof *out, NULL))
    return 0;
  return (socklen_t) g_socket_address_get_native_size (ga);
}
