/* admission.h: who gets one of the few places where a new connection proves itself (the sniff of
 * its first bytes, a Gnutella handshake, an upload request head), when hosts flood the port.
 *
 * A newcomer is refused when its address, or its network (IPv4 /24, IPv6 /64), already holds its
 * share of the places. When every place is taken, the newcomer is not refused: the place held by
 * the connection that has made the least progress for the longest is taken back (its owner closes
 * it) and given to the newcomer. A connection whose progress reached `protect` (a peer that sent
 * its whole handshake) is never taken back; when all are that far, the newcomer is refused.
 *
 * Pure: the caller lists the places held (a few hundred at most) and acts on the verdict. */
#pragma once

#include <glib.h>

#include "host-addr.h"

typedef struct {
  guint max;         /* places in all (0: no place, everyone refused) */
  guint per_addr;    /* places one address may hold (0: no cap) */
  guint per_net;     /* places one IPv4 /24 or IPv6 /64 may hold (0: no cap) */
  guint protect;     /* progress at or above which a place is never taken back */
  guint caps_from;   /* the per-address and per-network caps apply once this many places are
                      * held (0: always); below it a burst from one host is let in */
} SvAdmissionConfig;

/* One place held. Progress is the owner's measure (bytes read, header lines complete...): more
 * is further along. */
typedef struct {
  SvHostAddr addr;
  gint64 since_us;   /* when it took its place */
  guint progress;
} SvAdmissionEntry;

typedef enum {
  SV_ADMISSION_OK = 0,         /* a place is free: take it */
  SV_ADMISSION_EVICT,          /* take the place of the entry *victim names (close it first) */
  SV_ADMISSION_FULL,           /* every place is held by a connection too far along to drop */
  SV_ADMISSION_ADDR_CAP,       /* its address holds per_addr places already */
  SV_ADMISSION_NET_CAP,        /* its /24 or /64 holds per_net places already */
} SvAdmissionVerdict;

/* TRUE when @a and @b are in the same IPv4 /24 or IPv6 /64 (ports ignored). */
gboolean sv_admission_same_net (const SvHostAddr *a, const SvHostAddr *b);

/* The verdict for @newcomer given the @n places @held. @victim: (out) the index into @held to
 * close when the verdict is SV_ADMISSION_EVICT: the lowest progress below `protect`, the oldest
 * among equals. */
SvAdmissionVerdict sv_admission_decide (const SvAdmissionConfig *config, const SvAdmissionEntry *held,
                                        guint n, const SvHostAddr *newcomer, guint *victim);

/* Describes the place @key holds (for sv_admission_decide_in). */
typedef void (*SvAdmissionDescribe) (gconstpointer key, SvAdmissionEntry *out);

/* sv_admission_decide() over the places held by the keys of @set (a set-like GHashTable, each
 * key described by @describe). @victim: (out) the key to close on SV_ADMISSION_EVICT. */
SvAdmissionVerdict sv_admission_decide_in (const SvAdmissionConfig *config, GHashTable *set,
                                           SvAdmissionDescribe describe, const SvHostAddr *newcomer,
                                           gpointer *victim);

/* Returns: (transfer none) "ok", "evict", "full", "address-cap", "network-cap". */
const char *sv_admission_verdict_name (SvAdmissionVerdict verdict);
