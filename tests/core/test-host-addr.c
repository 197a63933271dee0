/* test-host-addr.c: address parsing and formatting, IPP entries, classification, LAN mode. */
#include "check-util.h"
#include "host-addr.h"

#include <string.h>

static SvHostAddr
parse_ok (const char *text)
{
  SvHostAddr a;

  ck_assert_msg (sv_host_addr_parse (text, strlen (text), SV_HOST_ADDR_DEFAULT_PORT, &a) == SV_STATUS_OK,
                 "%s should parse", text);
  return a;
}

static void
roundtrip (const char *text, const char *expect)
{
  SvHostAddr a = parse_ok (text), b;
  char buf[SV_HOST_ADDR_STRLEN];

  ck_assert_str_eq (sv_host_addr_format (&a, TRUE, buf), expect);
  b = parse_ok (buf);
  ck_assert (sv_host_addr_equal (&a, &b));
}

START_TEST (test_parse_and_format)
{
  /* The Node: header of the captured gtk-gnutella handshake. */
  SvHostAddr a = parse_ok ("127.0.0.3:16350");
  char buf[SV_HOST_ADDR_STRLEN];

  ck_assert_uint_eq (a.family, SV_HOST_ADDR_IPV4);
  ck_assert_uint_eq (a.port, 16350);
  ck_assert_uint_eq (sv_host_addr_ipv4_u32 (&a), 0x7f000003);

  roundtrip ("127.0.0.3:16350", "127.0.0.3:16350");
  roundtrip ("198.51.100.2", "198.51.100.2:6346");
  roundtrip ("  203.0.113.2:6348\t", "203.0.113.2:6348");
  roundtrip ("[2001:db8::1]:6347", "[2001:db8::1]:6347");
  roundtrip ("[2001:DB8:0:0::1]", "[2001:db8::1]:6346");
  roundtrip ("2001:db8::1", "[2001:db8::1]:6346");
  roundtrip ("[::1]:1", "[::1]:1");
  roundtrip ("0.0.0.0:65535", "0.0.0.0:65535");
  /* An IPv4-mapped IPv6 address is one IPv4 host. */
  roundtrip ("[::ffff:192.0.2.7]:99", "192.0.2.7:99");
  a = parse_ok ("::ffff:10.1.2.3");
  ck_assert_uint_eq (a.family, SV_HOST_ADDR_IPV4);

  a = parse_ok ("[2001:db8::1]:6347");
  ck_assert_str_eq (sv_host_addr_format (&a, FALSE, buf), "2001:db8::1");
  a = parse_ok ("10.0.0.1:80");
  ck_assert_str_eq (sv_host_addr_format (&a, FALSE, buf), "10.0.0.1");
}
END_TEST

START_TEST (test_parse_rejects)
{
  static const char *const bad[] = {
    "", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3.4:", "1.2.3.4:0",
    "1.2.3.4:65536", "1.2.3.4:123456", "1.2.3.4:-1", "1.2.3.4:+80", "1.2.3.4:80x", "1.2.3.4 :80",
    "a.b.c.d", "1..2.3", ".1.2.3", "1.2.3.4.", "[::1", "[::1]x", "[::1]:", "[::1]:0", "[1.2.3.4]:80",
    "[fe80::1%eth0]:6346", "::1:80:", ":::", "1:2:3:4:5:6:7:8:9", "[]", "[]:6346", "host.example:6346",
    "0x7f.0.0.1", "1.2.3.4:6346:1",
  };
  SvHostAddr a, untouched;

  memset (&untouched, 0xAB, sizeof untouched);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      a = untouched;
      ck_assert_msg (sv_host_addr_parse (bad[i], strlen (bad[i]), 6346, &a) != SV_STATUS_OK,
                     "\"%s\" should be refused", bad[i]);
      ck_assert_msg (memcmp (&a, &untouched, sizeof a) == 0, "\"%s\" touched the output", bad[i]);
    }
  /* Embedded NUL, and a NULL text. */
  ck_assert_int_eq (sv_host_addr_parse ("1.2.3.4\0:80", 11, 6346, &a), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_host_addr_parse ("::1\0", 4, 6346, &a), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_host_addr_parse (NULL, 0, 6346, &a), SV_STATUS_BAD_SYNTAX);
}
END_TEST

/* Each relaxation lets through exactly what it names; everything else stays refused. */
START_TEST (test_parse_full_flags)
{
  static const char *const still_bad[] = {
    "1.2.3.4:65536", "1.2.3.4:", "0001.2.3.4", "1.2.3.0004", "[::1]:", "1.2.3", "256.1.1.1",
    "0x7f.0.0.1", "1.2.3.4:-0",
  };
  const SvHostAddrParseFlags all = SV_HOST_ADDR_PARSE_PORT_ZERO | SV_HOST_ADDR_PARSE_LEADING_ZEROS;
  char buf[SV_HOST_ADDR_STRLEN];
  SvHostAddr a;

  ck_assert_int_eq (sv_host_addr_parse_full ("1.2.3.4:0", 9, 6346, SV_HOST_ADDR_PARSE_PORT_ZERO, &a),
                    SV_STATUS_OK);
  ck_assert_str_eq (sv_host_addr_format (&a, TRUE, buf), "1.2.3.4:0");
  ck_assert_int_eq (sv_host_addr_parse_full ("[::1]:00000", 11, 6346, SV_HOST_ADDR_PARSE_PORT_ZERO, &a),
                    SV_STATUS_OK);
  ck_assert_str_eq (sv_host_addr_format (&a, TRUE, buf), "[::1]:0");
  ck_assert_int_eq (sv_host_addr_parse_full ("01.2.3.4:0", 10, 6346, SV_HOST_ADDR_PARSE_PORT_ZERO, &a),
                    SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_host_addr_parse_full ("01.2.3.004", 10, 6346, SV_HOST_ADDR_PARSE_LEADING_ZEROS,
                                             &a), SV_STATUS_OK);
  ck_assert_str_eq (sv_host_addr_format (&a, TRUE, buf), "1.2.3.4:6346");
  ck_assert_int_eq (sv_host_addr_parse_full ("01.2.3.4:0", 10, 6346, SV_HOST_ADDR_PARSE_LEADING_ZEROS,
                                             &a), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_host_addr_parse_full ("01.2.3.4:0", 10, 6346, all, &a), SV_STATUS_OK);
  /* The plain address form keeps refusing leading zeros. */
  ck_assert_int_eq (sv_host_addr_parse_ip ("01.2.3.4", 8, &a), SV_STATUS_BAD_SYNTAX);
  for (gsize i = 0; i < G_N_ELEMENTS (still_bad); i++)
    ck_assert_msg (sv_host_addr_parse_full (still_bad[i], strlen (still_bad[i]), 6346, all, &a)
                   != SV_STATUS_OK, "\"%s\" should be refused", still_bad[i]);
}
END_TEST

START_TEST (test_parse_cap_and_truncation)
{
  char big[SV_HOST_ADDR_MAX_TEXT_BYTES + 2];
  const char *text = "[2001:db8:1234:5678:9abc:def0:1234:5678]:6346";
  SvHostAddr a;

  /* Exactly at the cap the text is looked at; one byte over is TOO_BIG. */
  memset (big, '1', sizeof big);
  ck_assert_int_eq (sv_host_addr_parse (big, SV_HOST_ADDR_MAX_TEXT_BYTES, 6346, &a), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_host_addr_parse (big, SV_HOST_ADDR_MAX_TEXT_BYTES + 1, 6346, &a), SV_STATUS_TOO_BIG);
  ck_assert_int_eq (sv_host_addr_parse_ip (big, SV_HOST_ADDR_MAX_TEXT_BYTES + 1, &a), SV_STATUS_TOO_BIG);

  /* Every prefix of a valid address either parses to something sane or is refused. */
  for (gsize cut = 0; cut <= strlen (text); cut++)
    {
      SvStatus st = sv_host_addr_parse (text, cut, 6346, &a);

      if (cut == strlen (text))
        ck_assert_int_eq (st, SV_STATUS_OK);
      else if (st == SV_STATUS_OK)
        ck_assert_uint_ne (a.port, 0);
    }
}
END_TEST

START_TEST (test_parse_ip_only)
{
  SvHostAddr a;

  ck_assert_int_eq (sv_host_addr_parse_ip ("10.1.2.3", 8, &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.port, 0);
  ck_assert_int_eq (sv_host_addr_parse_ip ("fc00::", 6, &a), SV_STATUS_OK);
  ck_assert_uint_eq (a.family, SV_HOST_ADDR_IPV6);
  ck_assert_int_eq (sv_host_addr_parse_ip ("10.1.2.3:80", 11, &a), SV_STATUS_BAD_SYNTAX);
  ck_assert_int_eq (sv_host_addr_parse_ip ("[::1]", 5, &a), SV_STATUS_BAD_SYNTAX);
}
END_TEST

START_TEST (test_ipp_entries)
{
  /* IP big-endian, port little-endian: 192.0.2.1:6346 (6346 = 0x18CA). */
  static const guint8 ipp[6] = { 192, 0, 2, 1, 0xCA, 0x18 };
  static const guint8 ipp6[18] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1, 0x35, 0x00 };
  SvHostAddr a, b;

  sv_host_addr_from_ipp (&a, ipp);
  b = parse_ok ("192.0.2.1:6346");
  ck_assert (sv_host_addr_equal (&a, &b));
  sv_host_addr_from_ipp6 (&a, ipp6);
  b = parse_ok ("[2001:db8::1]:53");
  ck_assert (sv_host_addr_equal (&a, &b));
}
END_TEST

START_TEST (test_equality_and_hash)
{
  SvHostAddr a = parse_ok ("1.2.3.4:6346"), b = parse_ok ("1.2.3.4:6347"), c = parse_ok ("[::ffff:1.2.3.4]:6346");
  GHashTable *set = g_hash_table_new (sv_host_addr_hash, sv_host_addr_key_equal);

  ck_assert (!sv_host_addr_equal (&a, &b));
  ck_assert (sv_host_addr_same_ip (&a, &b));
  ck_assert (sv_host_addr_equal (&a, &c));
  ck_assert_uint_eq (sv_host_addr_hash (&a), sv_host_addr_hash (&c));
  g_hash_table_add (set, &a);
  ck_assert (g_hash_table_contains (set, &c));
  ck_assert (!g_hash_table_contains (set, &b));
  g_hash_table_unref (set);
}
END_TEST

typedef struct {
  const char *addr;
  SvHostClass klass;
  gboolean prod;     /* connectable in production */
  gboolean lan;      /* connectable with --lan */
} ClassCase;

static const ClassCase class_cases[] = {
  { "8.8.8.8:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "81.2.69.160:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "127.0.0.1:6346", SV_HOST_CLASS_LOOPBACK, FALSE, TRUE },
  { "127.255.255.254:6346", SV_HOST_CLASS_LOOPBACK, FALSE, TRUE },
  { "10.0.0.1:6346", SV_HOST_CLASS_PRIVATE, FALSE, TRUE },
  { "172.16.0.1:6346", SV_HOST_CLASS_PRIVATE, FALSE, TRUE },
  { "172.31.255.255:6346", SV_HOST_CLASS_PRIVATE, FALSE, TRUE },
  { "172.15.255.255:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "172.32.0.0:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "192.168.1.1:6346", SV_HOST_CLASS_PRIVATE, FALSE, TRUE },
  { "100.64.0.1:6346", SV_HOST_CLASS_SHARED, FALSE, TRUE },
  { "100.127.255.255:6346", SV_HOST_CLASS_SHARED, FALSE, TRUE },
  { "100.128.0.0:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "169.254.1.1:6346", SV_HOST_CLASS_LINK_LOCAL, FALSE, FALSE },
  { "224.0.0.1:6346", SV_HOST_CLASS_MULTICAST, FALSE, FALSE },
  { "239.255.255.250:6346", SV_HOST_CLASS_MULTICAST, FALSE, FALSE },
  { "192.0.2.1:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "198.51.100.2:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "203.0.113.255:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "198.18.0.0:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "198.19.255.255:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "198.20.0.0:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "198.17.255.255:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "192.0.3.0:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "0.0.0.0:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "0.1.2.3:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "192.0.0.8:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "240.0.0.1:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "255.255.255.255:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "[2a00:1450:4001::1]:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "[::1]:6346", SV_HOST_CLASS_LOOPBACK, FALSE, TRUE },
  { "[::]:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "[fe80::1]:6346", SV_HOST_CLASS_LINK_LOCAL, FALSE, FALSE },
  { "[febf::1]:6346", SV_HOST_CLASS_LINK_LOCAL, FALSE, FALSE },
  { "[fec0::1]:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "[fc00::1]:6346", SV_HOST_CLASS_PRIVATE, FALSE, TRUE },
  { "[fd12:3456::1]:6346", SV_HOST_CLASS_PRIVATE, FALSE, TRUE },
  { "[ff02::1]:6346", SV_HOST_CLASS_MULTICAST, FALSE, FALSE },
  { "[2001:db8::1]:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "[2001:2::1]:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "[3fff::1]:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "[3fff:0fff:ffff::1]:6346", SV_HOST_CLASS_TEST_NET, FALSE, TRUE },
  { "[3fff:1000::1]:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "[2001:db9::1]:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
  { "[100::1]:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "[4000::1]:6346", SV_HOST_CLASS_RESERVED, FALSE, FALSE },
  { "[::ffff:10.0.0.1]:6346", SV_HOST_CLASS_PRIVATE, FALSE, TRUE },
  { "[::ffff:8.8.4.4]:6346", SV_HOST_CLASS_ROUTABLE, TRUE, TRUE },
};

START_TEST (test_classification_table)
{
  for (gsize i = 0; i < G_N_ELEMENTS (class_cases); i++)
    {
      const ClassCase *c = &class_cases[i];
      SvHostAddr a = parse_ok (c->addr);
      SvHostClass k = sv_host_addr_classify (&a);

      ck_assert_msg (k == c->klass, "%s: %s, expected %s", c->addr, sv_host_class_name (k),
                     sv_host_class_name (c->klass));
      ck_assert_msg (sv_host_addr_is_connectable (&a, FALSE) == c->prod, "%s in production", c->addr);
      ck_assert_msg (sv_host_addr_is_connectable (&a, TRUE) == c->lan, "%s in LAN mode", c->addr);
    }
}
END_TEST

START_TEST (test_bogon_and_port_zero)
{
  SvHostAddr a;

  ck_assert (sv_host_class_is_bogon (SV_HOST_CLASS_TEST_NET));
  ck_assert (sv_host_class_is_bogon (SV_HOST_CLASS_RESERVED));
  ck_assert (sv_host_class_is_bogon (SV_HOST_CLASS_SHARED));
  ck_assert (!sv_host_class_is_bogon (SV_HOST_CLASS_ROUTABLE));
  ck_assert (!sv_host_class_is_bogon (SV_HOST_CLASS_PRIVATE));
  /* A routable address on port 0 (an IPP entry can carry one) is never dialled. */
  sv_host_addr_set_ipv4_u32 (&a, 0x08080808, 0);
  ck_assert_int_eq (sv_host_addr_classify (&a), SV_HOST_CLASS_ROUTABLE);
  ck_assert (!sv_host_addr_is_connectable (&a, FALSE));
  ck_assert (!sv_host_addr_is_connectable (&a, TRUE));
  /* An unset address is nothing to connect to. */
  memset (&a, 0, sizeof a);
  a.port = 6346;
  ck_assert (!sv_host_addr_is_connectable (&a, TRUE));
}
END_TEST

START_TEST (test_wildcard)
{
  const char *wild[] = { "0.0.0.0:6346", "[::]:6346" };
  const char *specific[] = { "127.0.0.1:6346", "[::1]:6346", "198.51.100.7:0" };
  SvHostAddr a = { 0 };

  ck_assert (sv_host_addr_is_wildcard (&a));     /* no family */
  for (guint i = 0; i < G_N_ELEMENTS (wild); i++)
    {
      ck_assert (sv_host_addr_parse_full (wild[i], strlen (wild[i]), 0, SV_HOST_ADDR_PARSE_PORT_ZERO, &a)
                 == SV_STATUS_OK);
      ck_assert_msg (sv_host_addr_is_wildcard (&a), "%s", wild[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (specific); i++)
    {
      ck_assert (sv_host_addr_parse_full (specific[i], strlen (specific[i]), 0,
                                          SV_HOST_ADDR_PARSE_PORT_ZERO, &a) == SV_STATUS_OK);
      ck_assert_msg (!sv_host_addr_is_wildcard (&a), "%s", specific[i]);
    }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("host-addr");
  TCase *tc = tcase_create ("host-addr");

  tcase_add_test (tc, test_parse_and_format);
  tcase_add_test (tc, test_parse_rejects);
  tcase_add_test (tc, test_parse_full_flags);
  tcase_add_test (tc, test_parse_cap_and_truncation);
  tcase_add_test (tc, test_parse_ip_only);
  tcase_add_test (tc, test_ipp_entries);
  tcase_add_test (tc, test_equality_and_hash);
  tcase_add_test (tc, test_classification_table);
  tcase_add_test (tc, test_bogon_and_port_zero);
  tcase_add_test (tc, test_wildcard);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
