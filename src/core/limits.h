/* limits.h: every cap that bytes from the network can push against, named in one place.
 *
 * Figures follow the protocol notes (gtk-gnutella's deployed limits). Code that reads from a peer
 * checks against these names, never against a bare number. */
#pragma once

/* --- Message framing (23-byte header + payload) --- */
#define SV_MSG_HEADER_SIZE              23
#define SV_MSG_MAX_QUERY_BYTES          1024    /* a larger Query gets the link kicked (Bye 400) */
#define SV_MSG_MAX_QUERY_FORWARD_BYTES  256     /* larger Queries are answered but not forwarded */
#define SV_MSG_MAX_QUERYHIT_BYTES       65536   /* a larger QueryHit gets the link kicked */
#define SV_MSG_MAX_QUERYHIT_FORWARD_BYTES 16384 /* larger QueryHits are not relayed */
#define SV_MSG_MAX_OTHER_BYTES          40960   /* every other payload type, known or not */
#define SV_MSG_OWN_QUERYHIT_FLUSH_BYTES 2016    /* our own hits are cut into messages about this big */
#define SV_MSG_MAX_RESULTS_PER_HIT      10      /* results in one QueryHit we build */

/* --- TTL and hops --- */
#define SV_MSG_MAX_TTL                  4       /* TTL is trimmed to this on forward */
#define SV_MSG_HARD_TTL_LIMIT           15      /* TTL + hops above this: dropped, sender penalised */
#define SV_MSG_REPLY_TTL_MARGIN         2       /* replies leave with the request's hops + this */

/* --- GGEP --- */
#define SV_GGEP_MAGIC                   0xC3
#define SV_GGEP_MAX_ID_LEN              15
#define SV_GGEP_MAX_DATA_LEN            262143  /* the 3-byte length encoding's ceiling */
#define SV_GGEP_MAX_INFLATED_BYTES      65535   /* a deflated extension may not grow past this */
#define SV_GGEP_MAX_EXTENSIONS          64      /* extensions in one block */

/* --- Query / QueryHit contents --- */
#define SV_QUERY_MAX_URNS               16      /* HUGE URNs honoured in one Query */
#define SV_QUERYHIT_MAX_ALTLOCS         10      /* ALT entries kept per result */
#define SV_QUERYHIT_MAX_PUSH_PROXIES    8       /* PUSH entries kept from a trailer */
#define SV_PONG_MAX_IPP_ENTRIES         30      /* IPP / IPP6 entries kept from a Pong */
#define SV_VENDOR_MAX_SUPPORTED_ENTRIES 256     /* entries in Messages/Features Supported */

/* --- QRP --- */
#define SV_QRP_MIN_TABLE_SLOTS          16      /* smallest table size accepted (2^4) */
#define SV_QRP_MAX_TABLE_SLOTS          (1u << 21) /* 2 Mi slots */
#define SV_QRP_MAX_UP_TABLE_SLOTS       (1u << 17) /* tables between ultrapeers: 128 Ki */
#define SV_QRP_MAX_PATCH_CHUNK_BYTES    4096    /* one PATCH message's data when we send */
#define SV_QRP_MAX_KEYWORD_BYTES        255     /* longer query words are not hashed */

/* --- Zlib on the link and in payloads --- */
#define SV_INFLATE_MAX_RATIO            100     /* compressed:inflated ratio budget (deflate bombs) */

/* --- 0.6 handshake --- */
#define SV_HANDSHAKE_MAX_HEADER_LINES   128
#define SV_HANDSHAKE_MAX_HEADER_BYTES   16384
#define SV_HANDSHAKE_MAX_LINE_BYTES     1024
#define SV_HANDSHAKE_MAX_TRY_HOSTS      20      /* X-Try-Ultrapeers entries kept / sent */
#define SV_HANDSHAKES_PER_ADDR          4       /* inbound handshakes in progress from one address */
#define SV_HANDSHAKES_PER_NET           16      /* ...from one IPv4 /24 or IPv6 /64 */

/* --- Gnutella-port HTTP --- */
#define SV_HTTP_MAX_REQUEST_LINE_BYTES  1024
#define SV_HTTP_MAX_HEADER_LINES        128
#define SV_HTTP_MAX_HEADER_BYTES        16384
#define SV_HTTP_MAX_RANGES              16      /* more ranges in one Range header: refused */
#define SV_GIV_MAX_LINE_BYTES           1024
#define SV_SNIFF_BYTES                  16      /* bytes looked at to classify a new connection */

/* --- Magnet links --- */
#define SV_MAGNET_MAX_BYTES             8192
#define SV_MAGNET_MAX_SOURCES           32

/* --- Routing tables (route-table, push-route, pong-cache, router) --- */
#define SV_ROUTE_TABLE_MAX_ENTRIES      (64u * 16384u) /* (MUID, type) routes kept; oldest evicted */
#define SV_ROUTE_TABLE_LIFETIME_US      (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC) /* then forgotten */
#define SV_PUSH_ROUTE_MAX_ENTRIES       65536   /* servent GUID -> connection routes kept */
#define SV_PUSH_ROUTE_LIFETIME_US       (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define SV_PONG_CACHE_HOP_SLOTS         8       /* hop distances kept apart (0..7; more are put in 7) */
#define SV_PONG_CACHE_PER_HOP           10      /* pongs kept per hop distance */
#define SV_PONG_CACHE_MAX_PAYLOAD_BYTES 1024    /* larger pongs are not cached */
#define SV_PONG_CACHE_LIFETIME_US       (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define SV_PONG_CACHE_MAX_PONGS         10      /* pongs sent in answer to one ping */
#define SV_ROUTER_MAX_PEER_STATS        4096    /* per-connection counters the router keeps */
#define SV_DYN_QUERY_MAX_PEERS          1024    /* ultrapeer connections one dynamic query tracks */

/* --- Host addresses, hostile list, host cache, connection policy, send queue --- */
#define SV_HOST_ADDR_MAX_TEXT_BYTES     64      /* longest "ip:port" / "[v6]:port" text parsed */
#define SV_HOSTILE_MAX_LINES            65536   /* lines read from a hostile-address list */
#define SV_HOSTILE_MAX_LINE_BYTES       256     /* a longer line is counted malformed */
#define SV_HOST_CACHE_MAX_HOSTS         16384   /* ceiling on the known-hosts cache size */
#define SV_CONN_ACCEPT_MAX_TRACKED      4096    /* remote IPs the accept throttle remembers */
#define SV_CONN_ACCEPT_MAX_PER_WINDOW   8       /* ceiling on the configurable connects per window */
#define SV_SEND_QUEUE_MAX_BYTES         98304   /* 96 KiB per connection; past it: Bye 502 */

/* --- Control API (control-server, control-api, the servent CLI) --- */
#define SV_CONTROL_MAX_BODY_BYTES       65536   /* request body; larger: 413 */
#define SV_CONTROL_MAX_LINE_BYTES       65536   /* one NDJSON line read by the CLI; longer: an error */

/* --- Network links and the Gnutella port (libsvnet: peer-conn, listener) --- */
#define SV_LINK_READ_CHUNK_BYTES        16384   /* bytes read from a socket at a time */
#define SV_LINK_READS_PER_WAKEUP        4       /* reads per readiness callback (fairness) */
#define SV_LINK_WRITES_PER_WAKEUP       8       /* writes per readiness callback */
#define SV_LINK_READ_BUFFER_BYTES       (SV_MSG_MAX_QUERYHIT_BYTES + SV_MSG_HEADER_SIZE \
                                         + SV_LINK_READ_CHUNK_BYTES) /* framing buffer */
#define SV_LINK_INFLATE_FREE_BYTES      65536   /* inflated bytes before the ratio budget applies */
#define SV_LINK_WRITE_BATCH_BYTES       16384   /* message bytes gathered per write (and per sync
                                                 * flush when deflating) */
#define SV_LINK_BYE_LINGER_US           (G_GINT64_CONSTANT (2) * G_USEC_PER_SEC) /* Bye, then cut */
#define SV_UDP_MAX_DATAGRAM_BYTES       65535   /* one UDP datagram read or sent */
#define SV_LISTENER_MAX_SNIFFING        256     /* accepted connections being classified at once */
#define SV_LISTENER_SNIFFING_PER_ADDR   8       /* ...from one address */
#define SV_LISTENER_SNIFFING_PER_NET    64      /* ...from one IPv4 /24 or IPv6 /64 */
#define SV_LISTENER_ACCEPTS_PER_WAKEUP  16      /* accept() calls per readiness callback */
#define SV_LISTENER_DATAGRAMS_PER_WAKEUP 32     /* datagrams read per readiness callback */
