/* socket-addr.h: SvHostAddr to and from GIO's socket addresses, for every net adapter (the
 * listener, the peer links, and what connects next). */
#pragma once

#include <gio/gio.h>
#include <sys/socket.h>

#include "host-addr.h"

/* Returns: FALSE (and @out cleared) for a socket address that is not IPv4 or IPv6. An
 * IPv4-mapped IPv6 address becomes IPv4. */
gboolean sv_socket_addr_to_host (GSocketAddress *sa, SvHostAddr *out);
/* The same for an address and a port (a resolver's answer). */
gboolean sv_socket_addr_inet_to_host (GInetAddress *ia, guint16 port, SvHostAddr *out);
/* The same for a native socket address (what accept() and getsockname() fill). */
gboolean sv_socket_addr_from_native (const struct sockaddr *sa, socklen_t len, SvHostAddr *out);
/* @addr as a native socket address in @out (for bind() and connect() on a raw socket).
 * Returns: its length, 0 for an unset family. */
socklen_t sv_socket_addr_to_native (const SvHostAddr *addr, struct sockaddr_storage *out);
/* Returns: (transfer full) (nullable) NULL for an unset family. */
GSocketAddress *sv_socket_addr_from_host (const SvHostAddr *addr);
