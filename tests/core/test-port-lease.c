/* test-port-lease.c: a NAT port mapping is renewed half-way through its lease (not too often,
 * and a permanent one rechecked hourly), and failed requests back off by doubling, capped. */
#include "check-util.h"
#include "port-lease.h"

START_TEST (test_renew_half_way)
{
  ck_assert_uint_eq (sv_port_lease_renew_in (3600), 1800);
  ck_assert_uint_eq (sv_port_lease_renew_in (121), 60);
  /* A short lease is still not asked for more than every SV_PORT_LEASE_MIN_RENEW_S. */
  ck_assert_uint_eq (sv_port_lease_renew_in (10), SV_PORT_LEASE_MIN_RENEW_S);
  ck_assert_uint_eq (sv_port_lease_renew_in (1), SV_PORT_LEASE_MIN_RENEW_S);
  /* Permanent: checked again so that a gateway that forgot it is noticed. */
  ck_assert_uint_eq (sv_port_lease_renew_in (0), SV_PORT_LEASE_RECHECK_S);
}
END_TEST

START_TEST (test_retry_doubles_capped)
{
  ck_assert_uint_eq (sv_port_lease_retry_in (1), 60);
  ck_assert_uint_eq (sv_port_lease_retry_in (2), 120);
  ck_assert_uint_eq (sv_port_lease_retry_in (3), 240);
  ck_assert_uint_eq (sv_port_lease_retry_in (6), 1920);
  ck_assert_uint_eq (sv_port_lease_retry_in (7), SV_PORT_LEASE_RETRY_MAX_S);
  ck_assert_uint_eq (sv_port_lease_retry_in (G_MAXUINT), SV_PORT_LEASE_RETRY_MAX_S);
  ck_assert_uint_eq (sv_port_lease_retry_in (0), SV_PORT_LEASE_RETRY_S);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("port-lease");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_renew_half_way);
  tcase_add_test (tc, test_retry_doubles_capped);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
