/* test-local-addr.c: the address we announce and the firewalled verdict (local-addr.h). */
#include "check-util.h"
#include "local-addr.h"

#include <string.h>

static SvHostAddr
addr (const char *text)
{
  SvHostAddr a;

  ck_assert_int_eq (sv_host_addr_parse_full (text, strlen (text), 6346,
                                             SV_HOST_ADDR_PARSE_PORT_ZERO, &a), SV_STATUS_OK);
  return a;
}

static void
assert_announced (const SvLocalAddr *local, const char *want)
{
  SvHostAddr got;
  char text[SV_HOST_ADDR_STRLEN];

  sv_local_addr_announced (local, &got);
  ck_assert_str_eq (sv_host_addr_format (&got, TRUE, text), want);
}

START_TEST (test_wildcard_announces_what_peers_see)
{
  SvHostAddr listen[] = { addr ("0.0.0.0:6346"), addr ("[::]:6346") };
  SvLocalAddr local;

  sv_local_addr_init (&local, listen, G_N_ELEMENTS (listen), FALSE);
  local.port = 6346;
  ck_assert_ptr_null (sv_local_addr_bound (&local, 0));
  assert_announced (&local, "0.0.0.0:6346");
  /* A peer's Remote-IP is all we know of our public address. */
  local.seen_as = addr ("198.51.100.7:1");
  assert_announced (&local, "198.51.100.7:6346");
  ck_assert (sv_local_addr_is_own_ip (&local, &local.seen_as));
  {
    SvHostAddr other = addr ("198.51.100.8:6346");

    ck_assert (!sv_local_addr_is_own_ip (&local, &other));
  }
  /* Firewalled until another host's connection reaches our port; our own address proves
   * nothing. */
  ck_assert (sv_local_addr_firewalled (&local));
  ck_assert (!sv_local_addr_known_firewalled (&local, 100 * G_USEC_PER_SEC));   /* nobody asked */
  local.connect_back_us = 100 * G_USEC_PER_SEC;
  ck_assert (!sv_local_addr_known_firewalled (&local, 105 * G_USEC_PER_SEC));
  ck_assert (sv_local_addr_known_firewalled (&local, 110 * G_USEC_PER_SEC));
  ck_assert (!sv_local_addr_note_inbound (&local, &local.seen_as));
  ck_assert (sv_local_addr_firewalled (&local));
  {
    SvHostAddr other = addr ("198.51.100.8:40000");
    char why[256];

    ck_assert_str_eq (sv_local_addr_verdict (&local, 105 * G_USEC_PER_SEC, why, sizeof why), "unknown");
    ck_assert_str_eq (sv_local_addr_verdict (&local, 110 * G_USEC_PER_SEC, why, sizeof why), "firewalled");
    ck_assert (sv_local_addr_note_inbound (&local, &other));
    ck_assert (!sv_local_addr_note_inbound (&local, &other));   /* proven once */
    ck_assert (!sv_local_addr_firewalled (&local));
    ck_assert (!sv_local_addr_known_firewalled (&local, 200 * G_USEC_PER_SEC));
    ck_assert_str_eq (sv_local_addr_verdict (&local, 0, why, sizeof why), "reachable");
    ck_assert (strstr (why, "198.51.100.8") != NULL);
    ck_assert_uint_eq (local.inbound, 2);
  }
  sv_local_addr_clear (&local);
}
END_TEST

START_TEST (test_bound_address)
{
  /* (A pure test: no packet goes anywhere; a documentation address would not count as
   * routable, so a public one stands here.) */
  SvHostAddr routable[] = { addr ("[2001:db8::1]:6346"), addr ("11.0.0.5:6346") };
  SvHostAddr private_[] = { addr ("192.168.1.9:6346") };
  SvLocalAddr local;

  /* A routable bound IPv4 address wins over what peers say. */
  sv_local_addr_init (&local, routable, G_N_ELEMENTS (routable), FALSE);
  local.port = 6346;
  local.seen_as = addr ("198.51.100.7:1");
  assert_announced (&local, "11.0.0.5:6346");
  ck_assert_uint_eq (sv_local_addr_bound (&local, 0)->family, SV_HOST_ADDR_IPV6);
  ck_assert_uint_eq (sv_local_addr_bound (&local, SV_HOST_ADDR_IPV4)->family, SV_HOST_ADDR_IPV4);
  sv_local_addr_clear (&local);

  /* A private one behind a NAT: what peers see is announced, but for a LAN servent. */
  sv_local_addr_init (&local, private_, 1, FALSE);
  local.port = 7000;
  assert_announced (&local, "192.168.1.9:7000");
  local.seen_as = addr ("198.51.100.7:1");
  assert_announced (&local, "198.51.100.7:7000");
  ck_assert (sv_local_addr_firewalled (&local));
  sv_local_addr_clear (&local);
  /* --lan decides nothing about reachability: a LAN servent peers see at another address is
   * behind a NAT, announces the outer address and stays firewalled until a connection from
   * another host proves otherwise. */
  sv_local_addr_init (&local, private_, 1, TRUE);
  local.port = 7000;
  assert_announced (&local, "192.168.1.9:7000");
  local.seen_as = addr ("192.168.1.9:1");
  assert_announced (&local, "192.168.1.9:7000");
  ck_assert (!sv_local_addr_behind_nat (&local));
  local.seen_as = addr ("198.51.100.7:1");
  ck_assert (sv_local_addr_behind_nat (&local));
  assert_announced (&local, "198.51.100.7:7000");
  ck_assert (sv_local_addr_firewalled (&local));
  {
    char why[256];

    ck_assert_str_eq (sv_local_addr_verdict (&local, 0, why, sizeof why), "unknown");
    local.connect_back_us = 1;
    ck_assert_str_eq (sv_local_addr_verdict (&local, SV_LOCAL_ADDR_PROOF_WAIT_US + 1, why, sizeof why),
                      "firewalled-nat");
    ck_assert (strstr (why, "198.51.100.7") != NULL);
  }
  sv_local_addr_clear (&local);
}
END_TEST

/* A UDP connect-back ping counts only when it carries the GUID we asked for and comes from
 * another host. */
START_TEST (test_udp_connect_back)
{
  SvHostAddr listen[] = { addr ("192.0.2.5:6346") };
  SvHostAddr peer = addr ("198.51.100.9:6346"), self = addr ("192.0.2.5:6346");
  SvLocalAddr local;
  SvGuid other = { { 1 } };
  char why[256];

  sv_local_addr_init (&local, listen, 1, FALSE);
  memset (local.udp_guid.b, 0x5a, sizeof local.udp_guid.b);
  /* Nothing asked yet: no ping proves anything. */
  ck_assert (!sv_local_addr_note_udp_ping (&local, &local.udp_guid, &peer));
  local.udp_connect_backs = 1;
  sv_local_addr_verdict (&local, 0, why, sizeof why);
  ck_assert (strstr (why, "UDP: not proven (1 request(s))") != NULL);
  ck_assert (!sv_local_addr_note_udp_ping (&local, &other, &peer));
  ck_assert (!sv_local_addr_note_udp_ping (&local, &local.udp_guid, &self));
  ck_assert (!local.udp_reachable);
  ck_assert (sv_local_addr_note_udp_ping (&local, &local.udp_guid, &peer));
  ck_assert (local.udp_reachable);
  sv_local_addr_verdict (&local, 0, why, sizeof why);
  ck_assert (strstr (why, "UDP: a connect-back ping from 198.51.100.9 reached us") != NULL);
  /* TCP reachability is another question. */
  ck_assert (sv_local_addr_firewalled (&local));
  sv_local_addr_clear (&local);
}
END_TEST

START_TEST (test_nat_kinds)
{
  SvHostAddr bound[] = { addr ("192.0.2.2:6346") };
  SvHostAddr broker1 = addr ("198.51.100.10:6346"), broker2 = addr ("198.51.100.11:6346");
  SvLocalAddr local;
  char why[256];
  gint64 later = 200 * G_USEC_PER_SEC;

  sv_local_addr_init (&local, bound, 1, FALSE);
  local.port = 6346;
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why), SV_LOCAL_NAT_UNKNOWN);
  /* Peers see the address we are bound to, connect-backs never come: a host firewall. */
  local.seen_as = addr ("192.0.2.2:0");
  local.connect_back_us = 100 * G_USEC_PER_SEC;
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why), SV_LOCAL_NAT_FIREWALL);
  /* Peers see another address: a NAT, how it maps ports not known yet. */
  local.seen_as = addr ("198.51.100.20:0");
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why), SV_LOCAL_NAT_NAT);
  ck_assert_str_eq (sv_local_nat_name (SV_LOCAL_NAT_NAT), "nat");
  /* Two brokers saw our ports unchanged. */
  {
    SvHostAddr seen1 = addr ("198.51.100.20:40001"), seen2 = addr ("198.51.100.20:40002");

    sv_local_addr_note_mapping (&local, &broker1, 40001, &seen1);
    sv_local_addr_note_mapping (&local, &broker2, 40002, &seen2);
  }
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why),
                    SV_LOCAL_NAT_PORT_PRESERVING);
  ck_assert_msg (strstr (why, "2 connection(s)") != NULL, "%s", why);
  /* One that came out on another port: the NAT picks ports. */
  {
    SvHostAddr seen = addr ("198.51.100.20:51234");

    sv_local_addr_note_mapping (&local, &broker1, 40003, &seen);
  }
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why),
                    SV_LOCAL_NAT_PORT_RANDOMISING);
  ck_assert_msg (strstr (why, "40003") != NULL && strstr (why, "51234") != NULL, "%s", why);
  ck_assert_str_eq (sv_local_nat_name (SV_LOCAL_NAT_PORT_RANDOMISING), "port-randomising-nat");
  /* Old observations make way for new ones: four kept. */
  for (guint i = 0; i < SV_LOCAL_ADDR_MAPPINGS; i++)
    {
      SvHostAddr seen = addr ("198.51.100.20:41000");

      seen.port = (guint16) (41000 + i);
      sv_local_addr_note_mapping (&local, &broker2, (guint16) (41000 + i), &seen);
    }
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why),
                    SV_LOCAL_NAT_PORT_PRESERVING);
  /* Reachable through the NAT: a forwarded port. */
  {
    SvHostAddr other = addr ("198.51.100.30:5000");

    ck_assert (sv_local_addr_note_inbound (&local, &other));
  }
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why), SV_LOCAL_NAT_MAPPED);
  sv_local_addr_clear (&local);
  /* Reachable at the bound address: public. */
  sv_local_addr_init (&local, bound, 1, FALSE);
  local.seen_as = addr ("192.0.2.2:0");
  {
    SvHostAddr other = addr ("198.51.100.30:5000");

    ck_assert (sv_local_addr_note_inbound (&local, &other));
  }
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why), SV_LOCAL_NAT_PUBLIC);
  ck_assert_str_eq (sv_local_nat_name (SV_LOCAL_NAT_PUBLIC), "public");
  sv_local_addr_clear (&local);
}
END_TEST

START_TEST (test_port_map)
{
  SvHostAddr bound[] = { addr ("192.0.2.2:6346") };
  SvHostAddr mapped = addr ("198.51.100.20:7000"), elsewhere = addr ("203.0.113.9:6346");
  SvHostAddr other = addr ("198.51.100.30:5000");
  SvLocalAddr local;
  char why[256];
  gint64 later = 200 * G_USEC_PER_SEC;

  sv_local_addr_init (&local, bound, 1, FALSE);
  local.port = 6346;
  /* Nothing seen yet: the gateway's word is taken, and its port announced. */
  ck_assert (sv_local_addr_note_port_map (&local, &mapped, "NAT-PMP"));
  assert_announced (&local, "198.51.100.20:7000");
  /* Peers see us there too; once a connection comes in, that is how we are reached. */
  local.seen_as = addr ("198.51.100.20:0");
  ck_assert (sv_local_addr_note_port_map (&local, &mapped, "NAT-PMP"));
  ck_assert (sv_local_addr_note_inbound (&local, &other));
  ck_assert_int_eq (sv_local_addr_nat (&local, later, why, sizeof why), SV_LOCAL_NAT_MAPPED);
  ck_assert_msg (strstr (why, "NAT-PMP") != NULL && strstr (why, "198.51.100.20:7000") != NULL,
                 "%s", why);
  ck_assert_str_eq (sv_local_nat_name (SV_LOCAL_NAT_MAPPED), "mapped");
  /* A gateway naming an address peers do not see us at (a second NAT beyond it, or a lie): not
   * used, and the mapping held before is dropped. */
  ck_assert (!sv_local_addr_note_port_map (&local, &elsewhere, "UPnP IGD"));
  ck_assert_uint_eq (local.port_mapped.family, 0);
  assert_announced (&local, "198.51.100.20:6346");
  /* Forgotten: back to what peers see, with our own port. */
  ck_assert (sv_local_addr_note_port_map (&local, &mapped, "UPnP IGD"));
  sv_local_addr_forget_port_map (&local);
  assert_announced (&local, "198.51.100.20:6346");
  sv_local_addr_clear (&local);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("local-addr");
  TCase *tc = tcase_create ("local-addr");

  tcase_add_test (tc, test_wildcard_announces_what_peers_see);
  tcase_add_test (tc, test_bound_address);
  tcase_add_test (tc, test_udp_connect_back);
  tcase_add_test (tc, test_nat_kinds);
  tcase_add_test (tc, test_port_map);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
