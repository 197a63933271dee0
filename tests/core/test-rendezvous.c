/* test-rendezvous.c: the broker's meetings: matched by token, bounded, expiring, cancelled. */
#include "check-util.h"
#include "gnet-http.h"
#include "rendezvous.h"
#include "urn.h"

#include <string.h>

static SvGuid
token_of (guint n)
{
  SvGuid g;

  memset (g.b, 0x5A, sizeof g.b);
  g.b[0] = (guint8) n;
  g.b[1] = (guint8) (n >> 8);
  return g;
}

static SvHostAddr
addr_of (guint host, guint16 port)
{
  SvHostAddr a;
  guint8 ip[4] = { 198, 51, 100, (guint8) host };

  sv_host_addr_set_ipv4 (&a, ip, port);
  return a;
}

START_TEST (test_meet)
{
  g_autoptr (SvRendezvous) r = sv_rendezvous_new ();
  SvGuid t = token_of (1), other = token_of (2);
  SvHostAddr d = addr_of (20, 40001), got = { 0 };
  int held;

  ck_assert_int_eq (sv_rendezvous_open (r, &t, &d, &held, 0), SV_RENDEZVOUS_OPENED);
  ck_assert_uint_eq (sv_rendezvous_size (r), 1);
  ck_assert_int_eq (sv_rendezvous_next_deadline (r), SV_RENDEZVOUS_WAIT_US);
  /* A call with another token meets nobody; the right one meets the requester, once. */
  ck_assert_ptr_null (sv_rendezvous_take (r, &other, 10, &got));
  ck_assert_ptr_eq (sv_rendezvous_take (r, &t, 10, &got), &held);
  ck_assert (sv_host_addr_equal (&got, &d));
  ck_assert_ptr_null (sv_rendezvous_take (r, &t, 20, &got));
  ck_assert_uint_eq (sv_rendezvous_size (r), 0);
  ck_assert_int_eq (sv_rendezvous_next_deadline (r), 0);
}
END_TEST

START_TEST (test_expiry_and_cancel)
{
  g_autoptr (SvRendezvous) r = sv_rendezvous_new ();
  SvGuid a = token_of (1), b = token_of (2);
  SvHostAddr d = addr_of (20, 40001), got;
  int ha, hb;

  ck_assert_int_eq (sv_rendezvous_open (r, &a, &d, &ha, 0), SV_RENDEZVOUS_OPENED);
  ck_assert_int_eq (sv_rendezvous_open (r, &b, &d, &hb, 1000), SV_RENDEZVOUS_OPENED);
  ck_assert_ptr_null (sv_rendezvous_pop_expired (r, SV_RENDEZVOUS_WAIT_US - 1));
  /* The leaf called too late: no meeting, and the requester's wait is reported once. */
  ck_assert_ptr_null (sv_rendezvous_take (r, &a, SV_RENDEZVOUS_WAIT_US, &got));
  ck_assert_ptr_eq (sv_rendezvous_pop_expired (r, SV_RENDEZVOUS_WAIT_US), &ha);
  ck_assert_ptr_null (sv_rendezvous_pop_expired (r, SV_RENDEZVOUS_WAIT_US));
  /* The requester went away: its meeting goes with it. */
  sv_rendezvous_cancel (r, &hb);
  ck_assert_uint_eq (sv_rendezvous_size (r), 0);
  ck_assert_ptr_null (sv_rendezvous_take (r, &b, 2000, &got));
  /* A token reused after its meeting ended is fine. */
  ck_assert_int_eq (sv_rendezvous_open (r, &a, &d, &ha, 3000), SV_RENDEZVOUS_OPENED);
}
END_TEST

START_TEST (test_bounds)
{
  g_autoptr (SvRendezvous) r = sv_rendezvous_new ();
  int handles[SV_RENDEZVOUS_MAX_PENDING + 8];
  SvHostAddr got;
  guint n = 0;

  /* One address gets SV_RENDEZVOUS_MAX_PER_ADDR meetings, whatever its ports. */
  for (guint i = 0; i < SV_RENDEZVOUS_MAX_PER_ADDR; i++, n++)
    {
      SvGuid t = token_of (n);
      SvHostAddr d = addr_of (20, (guint16) (40000 + i));

      ck_assert_int_eq (sv_rendezvous_open (r, &t, &d, &handles[n], 0), SV_RENDEZVOUS_OPENED);
    }
  SvGuid extra = token_of (9999);
  SvHostAddr same = addr_of (20, 50000);
  ck_assert_int_eq (sv_rendezvous_open (r, &extra, &same, &handles[n], 0),
                    SV_RENDEZVOUS_ADDR_LIMIT);
  /* A token already waiting cannot be opened again, from anywhere. */
  SvGuid first = token_of (0);
  SvHostAddr elsewhere = addr_of (99, 1);
  ck_assert_int_eq (sv_rendezvous_open (r, &first, &elsewhere, &handles[n], 0),
                    SV_RENDEZVOUS_TOKEN_TAKEN);
  /* Many addresses: the table fills at its cap. */
  while (n < SV_RENDEZVOUS_MAX_PENDING)
    {
      SvGuid t = token_of (n);
      SvHostAddr d = addr_of (30 + n, 40000);

      ck_assert_int_eq (sv_rendezvous_open (r, &t, &d, &handles[n], 0), SV_RENDEZVOUS_OPENED);
      n++;
    }
  ck_assert_int_eq (sv_rendezvous_open (r, &extra, &elsewhere, &handles[n], 0),
                    SV_RENDEZVOUS_FULL);
  ck_assert_uint_eq (sv_rendezvous_size (r), SV_RENDEZVOUS_MAX_PENDING);
  /* Every meeting is still found by its token. */
  for (guint i = 0; i < SV_RENDEZVOUS_MAX_PENDING; i++)
    {
      SvGuid t = token_of (i);

      ck_assert_ptr_eq (sv_rendezvous_take (r, &t, 1, &got), &handles[i]);
    }
  ck_assert_str_eq (sv_rendezvous_verdict_name (SV_RENDEZVOUS_ADDR_LIMIT), "address-limit");
}
END_TEST

START_TEST (test_target)
{
  SvGuid t = token_of (0x0102), leaf;
  g_autofree char *leaf_call = NULL, *own = NULL, *relay = NULL;
  g_autofree char *b32 = NULL;
  g_autofree char *want = NULL;

  memset (leaf.b, 0xAB, sizeof leaf.b);
  b32 = sv_base32_encode (leaf.b, SV_GUID_LEN);
  leaf_call = sv_rendezvous_target (FALSE, &leaf, &t, FALSE);
  want = g_strdup_printf ("/gnutella/rendezvous?ServerId=%s&token=02015a5a5a5a5a5a5a5a5a5a5a5a5a5a", b32);
  ck_assert_str_eq (leaf_call, want);
  own = sv_rendezvous_target (FALSE, NULL, &t, TRUE);
  ck_assert_str_eq (own, "/gnutella/rendezvous?token=02015a5a5a5a5a5a5a5a5a5a5a5a5a5a&ports=random");
  relay = sv_rendezvous_target (TRUE, NULL, &t, FALSE);
  ck_assert_str_eq (relay, "/gnutella/relay?token=02015a5a5a5a5a5a5a5a5a5a5a5a5a5a");
  /* What a caller sends, the broker's parser reads back. */
  {
    g_autoptr (SvGnetHttpParser) p = sv_gnet_http_parser_new ();
    g_autofree char *head = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", leaf_call);
    g_autoptr (SvGnetHttpRequest) req = NULL;
    gsize used = 0;

    ck_assert_int_eq (sv_gnet_http_parser_feed (p, (const guint8 *) head, strlen (head), &used),
                      SV_STATUS_OK);
    req = sv_gnet_http_parser_steal_request (p);
    ck_assert_int_eq (req->target, SV_GNET_HTTP_TARGET_RENDEZVOUS);
    ck_assert (req->push_has_guid && sv_guid_equal (&req->push_guid, &leaf));
    ck_assert (sv_guid_equal (&req->rendezvous_token, &t));
  }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("rendezvous");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_meet);
  tcase_add_test (tc, test_expiry_and_cancel);
  tcase_add_test (tc, test_bounds);
  tcase_add_test (tc, test_target);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
