/* rendezvous-broker.h: the reachable side of a rendezvous: a firewalled downloader's call to
 * GET /gnutella/rendezvous?ServerId=<leaf>&token=T is held on its upload connection while the
 * leaf is told (SVNT/1, through the owner's callback) to call ?token=T; then both are answered
 * "200" with X-Rendezvous-Peer: the address and port the other side's call came from. A meeting
 * no leaf came to is answered 504 after SV_RENDEZVOUS_WAIT_US; one for a host that is not our
 * leaf 404; one over the caps (core/rendezvous) 503. Every answer closes its connection. A
 * leaf's call with a token nobody waits for gets 404 with X-Rendezvous-Self alone: that is how a
 * firewalled servent learns how its NAT maps ports (a call from a port it knows).
 *
 * The relay, when the two could not connect: /gnutella/relay meets the same way (SVNT/2), and
 * then both are answered "200" and their sockets spliced (net/fd-relay), at most @max_relays at
 * once (0: no relay, 503), all of them together within @relay_rate, and a relay idle for
 * SV_RENDEZVOUS_BROKER_RELAY_IDLE_US is closed. Only two calls that named the same token are
 * ever joined, and nothing else is forwarded. */
#pragma once

#include <glib.h>

#include "guid.h"
#include "upload-conn.h"

typedef struct _SvRendezvousBroker SvRendezvousBroker;

/* Tells our leaf @leaf to call us with @token (@relay: at /gnutella/relay; @ipv6: over IPv6, as
 * the downloader did). Returns: FALSE when @leaf is not a leaf of ours. */
typedef gboolean (*SvRendezvousNotify) (const SvGuid *leaf, const SvGuid *token, gboolean relay,
                                        gboolean ipv6, gpointer user_data);

#define SV_RENDEZVOUS_BROKER_RELAYS     4     /* relayed transfers at once, by default */
#define SV_RENDEZVOUS_BROKER_RELAY_KIB  512   /* KiB/s all relays together, by default */
#define SV_RENDEZVOUS_BROKER_RELAY_IDLE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC) /* a relay
                                          * that moved nothing this long is closed */

/* @max_relays: relayed transfers at once (0: none); @relay_rate: bytes per second all relays
 * together may carry (0: no limit). Returns: (transfer full). */
SvRendezvousBroker *sv_rendezvous_broker_new (SvRendezvousNotify notify, guint max_relays,
                                              guint64 relay_rate, gpointer user_data);
/* Answers nothing more (held connections are their owner's to close). */
void sv_rendezvous_broker_free (SvRendezvousBroker *broker);

/* A RENDEZVOUS request arrived on @conn: fills @reply (or sets reply->defer and answers later
 * through sv_upload_conn_answer()). */
void sv_rendezvous_broker_request (SvRendezvousBroker *broker, SvUploadConn *conn,
                                   const SvGnetHttpRequest *req, SvUploadReply *reply);
/* @conn is closing: forget the meeting it waits in. */
void sv_rendezvous_broker_forget (SvRendezvousBroker *broker, SvUploadConn *conn);
/* @conn, answered for a relay, handed its socket over (@fd: transfer full, -1: lost). */
void sv_rendezvous_broker_detached (SvRendezvousBroker *broker, SvUploadConn *conn, int fd);

typedef struct {
  guint64 opened;      /* downloaders' calls held for a leaf of ours */
  guint64 met;         /* meetings where the leaf came: both answered with the other */
  guint64 expired;     /* the leaf did not come in time (504) */
  guint64 refused;     /* over the caps (503), no such leaf (404), unknown token (404) */
  guint64 relays;      /* relays started */
  guint64 relays_refused; /* relay calls met over the cap or with relaying off */
  guint64 relay_bytes; /* bytes relayed (both directions) by relays that ended */
  guint64 relays_idle; /* relays closed for moving nothing */
  guint relays_active;
} SvRendezvousBrokerCounters;
void sv_rendezvous_broker_get_counters (const SvRendezvousBroker *broker,
                                        SvRendezvousBrokerCounters *out);
