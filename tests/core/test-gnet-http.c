/* test-gnet-http.c: the upload request parser (framing, caps, targets, headers) and the response
 * head builder. */
#include "check-util.h"
#include "gnet-http.h"

#include <string.h>

#define GUID_HEX "7a80310213277edcf7378b115cdf03f5"
#define SHA1_B32 "QY2JLSMMJYG7XRQNKNMV56U7AFLRSPFB"

/* Feeds @len bytes in two parts cut at @split (the second only after NEED_MORE).
 * Returns: the final status; *@req is the request on OK, *@verdict the parser's verdict. */
static SvStatus
feed_split (const char *text, gsize len, gsize split, SvGnetHttpRequest **req,
            SvGnetHttpVerdict *verdict, gsize *consumed)
{
  g_autoptr (SvGnetHttpParser) p = sv_gnet_http_parser_new ();
  gsize used = 0, total;
  SvStatus st;

  sv_gnet_http_parser_add_local_host (p, "10.0.0.1:6346");
  st = sv_gnet_http_parser_feed (p, (const guint8 *) text, split, &used);
  total = used;
  if (st == SV_STATUS_NEED_MORE)
    {
      ck_assert_uint_eq (used, split);
      st = sv_gnet_http_parser_feed (p, (const guint8 *) text + split, len - split, &used);
      total += used;
    }
  *consumed = total;
  *verdict = sv_gnet_http_parser_verdict (p);
  *req = st == SV_STATUS_OK ? sv_gnet_http_parser_steal_request (p) : NULL;
  return st;
}

/* Returns: (transfer full) the request @text parses into; fails the test if the head is refused. */
static SvGnetHttpRequest *
parse_ok (const char *text)
{
  SvGnetHttpRequest *req = NULL;
  SvGnetHttpVerdict verdict;
  gsize consumed;
  SvStatus st = feed_split (text, strlen (text), strlen (text), &req, &verdict, &consumed);

  ck_assert_msg (st == SV_STATUS_OK, "%s: %s (%s)", text, sv_status_name (st),
                 sv_gnet_http_verdict_name (verdict));
  ck_assert_uint_eq (consumed, strlen (text));
  ck_assert_ptr_nonnull (req);
  return req;
}

/* The head is refused with @status and @verdict. */
static void
check_refused (const char *text, gsize len, SvStatus status, SvGnetHttpVerdict verdict)
{
  SvGnetHttpRequest *req = NULL;
  SvGnetHttpVerdict got;
  gsize consumed;
  SvStatus st = feed_split (text, len, len, &req, &got, &consumed);

  ck_assert_msg (st == status && got == verdict, "%.60s: %s / %s", text, sv_status_name (st),
                 sv_gnet_http_verdict_name (got));
  ck_assert_ptr_null (req);
}

/* The head parses but the target resolves to @verdict. */
static void
check_target_verdict (const char *target, SvGnetHttpVerdict verdict)
{
  g_autofree char *text = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target);
  g_autoptr (SvGnetHttpRequest) req = parse_ok (text);

  ck_assert_msg (req->verdict == verdict, "%s: %s", target,
                 sv_gnet_http_verdict_name (req->verdict));
  if (verdict != SV_GNET_HTTP_VERDICT_OK)
    ck_assert (req->target == SV_GNET_HTTP_TARGET_NONE || req->target == SV_GNET_HTTP_TARGET_THEX);
}

/* Returns: (transfer full) the request head that starts with @start in http.txt. */
static char *
fixture_request (const char *start)
{
  g_autoptr (GBytes) bytes = sv_test_read_fixture ("gtk-gnutella/run-3peers-push/http.txt");
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  const char *begin = g_strstr_len (text, (gssize) len, start);
  const char *end;

  ck_assert_ptr_nonnull (begin);
  end = g_strstr_len (begin, (gssize) (len - (gsize) (begin - text)), "\r\n\r\n");
  ck_assert_ptr_nonnull (end);
  return g_strndup (begin, (gsize) (end - begin) + 4);
}

static void
check_fixture_fields (const SvGnetHttpRequest *req, const char *b32, const char *host,
                      const char *node)
{
  char urn[SV_URN_SHA1_LEN + 1];

  ck_assert_int_eq (req->method, SV_GNET_HTTP_GET);
  ck_assert_uint_eq (req->version_minor, 1);
  ck_assert_int_eq (req->verdict, SV_GNET_HTTP_VERDICT_OK);
  ck_assert_int_eq (req->target, SV_GNET_HTTP_TARGET_SHA1);
  sv_urn_sha1_format (&req->sha1, urn);
  ck_assert_str_eq (urn + strlen (SV_URN_SHA1_PREFIX), b32);
  ck_assert_str_eq (req->host, host);
  ck_assert_str_eq (req->user_agent, "gtk-gnutella/1.2.3 (2024-03-03; Topless; Linux x86_64)");
  ck_assert_str_eq (req->x_features, "browse/1.0, fwalt/0.1, queue/1.1");
  ck_assert_str_eq (req->x_queue, "1.1");
  ck_assert_str_eq (req->x_node, node);
  ck_assert_ptr_null (req->range);
  ck_assert_int_eq (req->range_status, SV_STATUS_OK);
  ck_assert (req->keep_alive);
  ck_assert_ptr_null (req->content_urn);
  ck_assert (g_str_has_suffix (req->raw_target, b32));
}

START_TEST (test_fixture_requests)
{
  g_autofree char *push_get = fixture_request ("GET /uri-res/N2R?urn:sha1:" SHA1_B32);
  g_autofree char *plain_get = fixture_request ("GET /uri-res/N2R?urn:sha1:SWFS3GUKNT72");
  g_autoptr (SvGnetHttpRequest) a = parse_ok (push_get);
  g_autoptr (SvGnetHttpRequest) b = parse_ok (plain_get);

  check_fixture_fields (a, SHA1_B32, "127.0.0.1:0", "127.0.0.1:16348");
  check_fixture_fields (b, "SWFS3GUKNT72ASOX6ABLF2LSKPMQIZHQ", "127.0.0.1:16348", "127.0.0.3:16350");
  ck_assert_str_eq (a->raw_target, "/uri-res/N2R?urn:sha1:" SHA1_B32);
}
END_TEST

#define RICH_REQUEST \
  "HEAD /get/12/My%20Song%20%C3%9Cber.mp3 HTTP/1.1\r\n" \
  "host: 10.0.0.1:6346\r\n" \
  "User-Agent:   servent/0.1  \r\n" \
  "RANGE: bytes=0-99, 200-\r\n" \
  "X-Queue: 0.1\r\n" \
  "X-Queued: position=3; ID=b7a7c50286a92d84623156dac31bd88f\r\n" \
  "X-Content-URN: urn:sha1:" SHA1_B32 "\r\n" \
  "X-Listen-IP: 1.2.3.4:6346\r\n" \
  "X-Node: 5.6.7.8:6347\r\n" \
  "X-Features: browse/1.0\r\n" \
  "X-Features: fwalt/0.1\r\n" \
  "X-Alt: 1.1.1.1:6346\r\n" \
  "x-alt: 2.2.2.2\r\n" \
  "X-NAlt: 3.3.3.3:1\n" \
  "Connection: TE, Close\r\n" \
  "X-Unknown: kept out\r\n" \
  "\r\n"

static void
check_rich (const SvGnetHttpRequest *req)
{
  SvSha1 expect;

  ck_assert_int_eq (req->method, SV_GNET_HTTP_HEAD);
  ck_assert_int_eq (req->verdict, SV_GNET_HTTP_VERDICT_OK);
  ck_assert_int_eq (req->target, SV_GNET_HTTP_TARGET_INDEX);
  ck_assert_uint_eq (req->index, 12);
  ck_assert_str_eq (req->name, "My Song Über.mp3");
  ck_assert_str_eq (req->host, "10.0.0.1:6346");
  ck_assert_str_eq (req->user_agent, "servent/0.1");
  ck_assert_str_eq (req->range, "bytes=0-99, 200-");
  ck_assert_int_eq (req->range_status, SV_STATUS_OK);
  ck_assert_uint_eq (req->ranges.count, 2);
  ck_assert_uint_eq (req->ranges.specs[1].first, 200);
  ck_assert_str_eq (req->x_queue, "0.1");
  ck_assert_str_eq (req->x_queued, "position=3; ID=b7a7c50286a92d84623156dac31bd88f");
  ck_assert (req->has_content_sha1);
  ck_assert (sv_urn_parse ("urn:sha1:" SHA1_B32, SV_URN_SHA1_LEN, &expect));
  ck_assert_mem_eq (req->content_sha1.b, expect.b, SV_SHA1_LEN);
  ck_assert_str_eq (req->x_node, "1.2.3.4:6346");       /* the first of X-Listen-IP / X-Node */
  ck_assert_str_eq (req->x_features, "browse/1.0, fwalt/0.1");
  ck_assert_str_eq (req->x_alt, "1.1.1.1:6346, 2.2.2.2");
  ck_assert_str_eq (req->x_nalt, "3.3.3.3:1");
  ck_assert (!req->keep_alive);
}

START_TEST (test_every_split)
{
  g_autofree char *fixture = fixture_request ("GET /uri-res/N2R?urn:sha1:SWFS3GUKNT72");
  const char *texts[] = { fixture, RICH_REQUEST };

  for (gsize t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      gsize len = strlen (texts[t]);

      for (gsize cut = 0; cut <= len; cut++)
        {
          SvGnetHttpRequest *req = NULL;
          SvGnetHttpVerdict verdict;
          gsize consumed;

          ck_assert_msg (feed_split (texts[t], len, cut, &req, &verdict, &consumed) == SV_STATUS_OK,
                         "text %zu cut %zu", t, cut);
          ck_assert_uint_eq (consumed, len);
          if (t == 1)
            check_rich (req);
          else
            check_fixture_fields (req, "SWFS3GUKNT72ASOX6ABLF2LSKPMQIZHQ", "127.0.0.1:16348",
                                  "127.0.0.3:16350");
          sv_gnet_http_request_free (req);
        }
    }
}
END_TEST

START_TEST (test_byte_at_a_time_and_pipelining)
{
  const char *two = "GET /get/1/a HTTP/1.1\r\nHost: h\r\n\r\n"
                    "GET /get/2/b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  gsize first_len = strlen ("GET /get/1/a HTTP/1.1\r\nHost: h\r\n\r\n");
  g_autoptr (SvGnetHttpParser) p = sv_gnet_http_parser_new ();
  g_autoptr (SvGnetHttpRequest) r1 = NULL;
  g_autoptr (SvGnetHttpRequest) r2 = NULL;
  gsize pos = 0, used = 0;
  SvStatus st = SV_STATUS_NEED_MORE;

  while (st == SV_STATUS_NEED_MORE)
    {
      st = sv_gnet_http_parser_feed (p, (const guint8 *) two + pos, 1, &used);
      pos += used;
    }
  ck_assert_int_eq (st, SV_STATUS_OK);
  ck_assert_uint_eq (pos, first_len);
  /* Done: nothing more is consumed until reset. */
  ck_assert_int_eq (sv_gnet_http_parser_feed (p, (const guint8 *) two + pos, 5, &used),
                    SV_STATUS_OK);
  ck_assert_uint_eq (used, 0);
  r1 = sv_gnet_http_parser_steal_request (p);
  ck_assert_ptr_nonnull (r1);
  ck_assert_ptr_null (sv_gnet_http_parser_steal_request (p));
  ck_assert_uint_eq (r1->index, 1);
  ck_assert (r1->keep_alive);

  sv_gnet_http_parser_reset (p);
  ck_assert_int_eq (sv_gnet_http_parser_feed (p, (const guint8 *) two + pos, strlen (two) - pos,
                                              &used), SV_STATUS_OK);
  ck_assert_uint_eq (pos + used, strlen (two));
  r2 = sv_gnet_http_parser_steal_request (p);
  ck_assert_uint_eq (r2->index, 2);
  ck_assert_str_eq (r2->name, "b");
  ck_assert (!r2->keep_alive);
}
END_TEST

/* A head whose request line holds @line_len bytes. */
static char *
request_with_line_len (gsize line_len)
{
  const char *prefix = "GET /get/1/";
  const char *suffix = " HTTP/1.1";
  g_autoptr (GString) s = g_string_new (prefix);

  while (s->len < line_len - strlen (suffix))
    g_string_append_c (s, 'a');
  g_string_append (s, suffix);
  ck_assert_uint_eq (s->len, line_len);
  g_string_append (s, "\r\nHost: h\r\n\r\n");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

START_TEST (test_request_line_cap)
{
  g_autofree char *at_cap = request_with_line_len (SV_HTTP_MAX_REQUEST_LINE_BYTES);
  g_autofree char *over = request_with_line_len (SV_HTTP_MAX_REQUEST_LINE_BYTES + 1);
  g_autoptr (SvGnetHttpRequest) req = parse_ok (at_cap);
  g_autoptr (GString) lf_only = g_string_new (over);

  ck_assert_int_eq (req->verdict, SV_GNET_HTTP_VERDICT_OK);
  ck_assert_uint_eq (strlen (req->name), SV_HTTP_MAX_REQUEST_LINE_BYTES - strlen ("GET /get/1/ HTTP/1.1"));
  check_refused (over, strlen (over), SV_STATUS_TOO_BIG, SV_GNET_HTTP_VERDICT_URI_TOO_LONG);
  /* Refused as soon as the line is known to be too long, LF or not. */
  check_refused (over, SV_HTTP_MAX_REQUEST_LINE_BYTES + 1, SV_STATUS_TOO_BIG,
                 SV_GNET_HTTP_VERDICT_URI_TOO_LONG);
  g_string_replace (lf_only, "\r\n", "\n", 0);
  check_refused (lf_only->str, lf_only->len, SV_STATUS_TOO_BIG, SV_GNET_HTTP_VERDICT_URI_TOO_LONG);
  {
    /* At the cap with its CR, the line is still waiting for the LF. */
    g_autoptr (SvGnetHttpParser) p = sv_gnet_http_parser_new ();
    gsize used;

    ck_assert_int_eq (sv_gnet_http_parser_feed (p, (const guint8 *) at_cap,
                                                SV_HTTP_MAX_REQUEST_LINE_BYTES + 1, &used),
                      SV_STATUS_NEED_MORE);
  }
}
END_TEST

/* A head with @lines header lines holding @bytes bytes in all (terminators aside). */
static char *
request_with_headers (guint lines, gsize bytes)
{
  g_autoptr (GString) s = g_string_new ("GET /get/1/a HTTP/1.1\r\nHost: h\r\n");
  gsize left = bytes - strlen ("Host: h");

  for (guint i = 1; i < lines; i++)
    {
      gsize want = left / (lines - i);
      gsize start = s->len;

      g_string_append_printf (s, "X-P%u:", i);
      while (s->len - start < want)
        g_string_append_c (s, 'v');
      left -= s->len - start;
      g_string_append (s, "\r\n");
    }
  ck_assert_uint_eq (left, 0);
  g_string_append (s, "\r\n");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

START_TEST (test_header_caps)
{
  g_autofree char *max_lines = request_with_headers (SV_HTTP_MAX_HEADER_LINES, 4000);
  g_autofree char *too_many = request_with_headers (SV_HTTP_MAX_HEADER_LINES + 1, 4000);
  g_autofree char *max_bytes = request_with_headers (20, SV_HTTP_MAX_HEADER_BYTES);
  g_autofree char *too_big = request_with_headers (20, SV_HTTP_MAX_HEADER_BYTES + 1);
  g_autofree char *one_line = request_with_headers (2, SV_HTTP_MAX_HEADER_BYTES + 1);
  g_autoptr (SvGnetHttpRequest) a = parse_ok (max_lines);
  g_autoptr (SvGnetHttpRequest) b = parse_ok (max_bytes);

  ck_assert_int_eq (a->verdict, SV_GNET_HTTP_VERDICT_OK);
  ck_assert_int_eq (b->verdict, SV_GNET_HTTP_VERDICT_OK);
  check_refused (too_many, strlen (too_many), SV_STATUS_TOO_BIG,
                 SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE);
  check_refused (too_big, strlen (too_big), SV_STATUS_TOO_BIG,
                 SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE);
  check_refused (one_line, strlen (one_line), SV_STATUS_TOO_BIG,
                 SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE);
}
END_TEST

START_TEST (test_traversal_rejected)
{
  static const char *const targets[] = {
    "/../../etc/passwd",
    "/get/0/../../etc/passwd",
    "/get/0/..",
    "/get/0/.",
    "/get/0/%2e%2e",
    "/get/0/%2E%2E",
    "/get/0/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/get/0/%252e%252e",
    "/get/0/%252e%252e%252fetc",
    "/get/0/a%5cb",
    "/get/0/..\\..\\windows",
    "/get/0/a%00b",
    "/get/0/%c0%ae%c0%ae",
    "/get/0/%c0%af",
    "/get/0/%e0%80%ae",
    "/get/0/%ff",
    "/get/0//etc/passwd",
    "//etc/passwd",
    "/get/0/a%2fb",
    "/get/0/a%0d%0ab",
    "/get/0/a%",
    "/get/0/a%g0",
    "/get/0/a#frag",
    "C:\\boot.ini",
    "etc/passwd",
    "*",
    "http://evil.example/get/0/a",
    "http://evil.example:6346/uri-res/N2R?urn:sha1:" SHA1_B32,
    "https://10.0.0.1:6346/get/0/a",
    "file:///etc/passwd",
    "/uri-res/N2R?urn:sha1:../../etc/passwd",
    "/uri-res/N2R?%2e%2e",
    "/uri-res/N2R",
    "/get/4294967296/a",
    "/get/-1/a",
    "/get/1",
    "/get/1/a/b",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (targets); i++)
    check_target_verdict (targets[i], SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  /* Not in the vocabulary: not found, whatever it names. */
  check_target_verdict ("/etc/passwd", SV_GNET_HTTP_VERDICT_NOT_FOUND);
  check_target_verdict ("/home/user/.ssh/id_rsa", SV_GNET_HTTP_VERDICT_NOT_FOUND);
  check_target_verdict ("/index.html", SV_GNET_HTTP_VERDICT_NOT_FOUND);
  check_target_verdict ("/uri-res/N2L?urn:sha1:" SHA1_B32, SV_GNET_HTTP_VERDICT_NOT_FOUND);
  check_target_verdict ("/", SV_GNET_HTTP_VERDICT_NOT_FOUND);   /* no Accept: not a browse */
  /* Raw NUL and raw non-ASCII bytes end the head itself. */
  check_refused ("GET /get/0/a\0b HTTP/1.1\r\nHost: h\r\n\r\n", 36, SV_STATUS_BAD_SYNTAX,
                 SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/get/0/\xc3\x9c", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
}
END_TEST

START_TEST (test_targets)
{
  g_autoptr (SvGnetHttpRequest) thex = NULL;
  g_autoptr (SvGnetHttpRequest) browse = NULL;
  g_autoptr (SvGnetHttpRequest) absolute = NULL;
  g_autoptr (SvGnetHttpRequest) bitprint = NULL;
  g_autoptr (SvGnetHttpRequest) idx = NULL;

  thex = parse_ok ("GET /uri-res/N2X?urn:sha1:" SHA1_B32 " HTTP/1.1\r\nHost: h\r\n\r\n");
  ck_assert_int_eq (thex->target, SV_GNET_HTTP_TARGET_THEX);
  ck_assert_int_eq (thex->verdict, SV_GNET_HTTP_VERDICT_NOT_FOUND);

  browse = parse_ok ("GET / HTTP/1.1\r\nHost: h\r\nAccept: text/html, "
                     "Application/X-Gnutella-Packets;q=1\r\n\r\n");
  ck_assert_int_eq (browse->target, SV_GNET_HTTP_TARGET_BROWSE);
  ck_assert_int_eq (browse->verdict, SV_GNET_HTTP_VERDICT_OK);

  absolute = parse_ok ("GET http://10.0.0.1:6346/uri-res/n2r?urn%3Asha1%3A" SHA1_B32
                       " HTTP/1.1\r\nHost: x\r\n\r\n");
  ck_assert_int_eq (absolute->target, SV_GNET_HTTP_TARGET_SHA1);
  ck_assert_int_eq (absolute->verdict, SV_GNET_HTTP_VERDICT_OK);

  bitprint = parse_ok ("GET /uri-res/N2R?urn:bitprint:" SHA1_B32
                       ".LGQUWJUPXQECYP5OBLXY5OZCJYAE7GX6NAAHIUQ HTTP/1.0\r\n\r\n");
  ck_assert_int_eq (bitprint->target, SV_GNET_HTTP_TARGET_SHA1);
  ck_assert_uint_eq (bitprint->version_minor, 0);
  ck_assert (!bitprint->keep_alive);

  idx = parse_ok ("GET /get/4294967295/a+b%2Bc.txt HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  ck_assert_int_eq (idx->target, SV_GNET_HTTP_TARGET_INDEX);
  ck_assert_uint_eq (idx->index, G_MAXUINT32);
  ck_assert_str_eq (idx->name, "a+b+c.txt");
  ck_assert (idx->keep_alive);

  check_target_verdict ("/uri-res/N2R?urn:sha1:" SHA1_B32 "A", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/uri-res/N2R?urn:sha1:" "0000000000000000000000000000000!",
                        SV_GNET_HTTP_VERDICT_BAD_REQUEST);
}
END_TEST

START_TEST (test_push_proxy)
{
  SvGuid guid;
  g_autofree char *b32 = NULL;

  ck_assert (sv_guid_from_hex (GUID_HEX, 32, &guid));
  b32 = sv_base32_encode (guid.b, SV_GUID_LEN);
  ck_assert_uint_eq (strlen (b32), 26);

  {
    char *t[] = {
      g_strdup_printf ("/gnutella/push-proxy?ServerId=%s&file=7&tls=true", b32),
      g_strdup_printf ("/gnutella/pushproxy?serverid=%s", b32),
      g_strdup_printf ("/gnet/push-proxy?guid=%s", GUID_HEX),
      g_strdup_printf ("/gnutella/push-proxy?ServerId=%s%%3D%%3D%%3D%%3D%%3D%%3D", b32),
    };

    for (gsize i = 0; i < G_N_ELEMENTS (t); i++)
      {
        g_autofree char *text = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: h\r\n"
                                                 "X-Node: 1.2.3.4:6346\r\nConnection: close\r\n\r\n",
                                                 t[i]);
        g_autoptr (SvGnetHttpRequest) req = parse_ok (text);

        ck_assert_msg (req->verdict == SV_GNET_HTTP_VERDICT_OK, "%s", t[i]);
        ck_assert_int_eq (req->target, SV_GNET_HTTP_TARGET_PUSH_PROXY);
        ck_assert (sv_guid_equal (&req->push_guid, &guid));
        ck_assert_str_eq (req->x_node, "1.2.3.4:6346");
        if (i == 0)
          {
            ck_assert (req->push_has_file);
            ck_assert_uint_eq (req->index, 7);
            ck_assert (req->push_tls);
          }
        else
          ck_assert (!req->push_has_file && !req->push_tls);
        g_free (t[i]);
      }
  }
  check_target_verdict ("/gnutella/push-proxy", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnutella/push-proxy?file=1", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnutella/push-proxy?ServerId=ABC", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnet/push-proxy?guid=" GUID_HEX "&guid=" GUID_HEX,
                        SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnet/push-proxy?guid=" GUID_HEX "&file=x",
                        SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnet/push-proxy?guid", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnet/pushproxy?guid=" GUID_HEX, SV_GNET_HTTP_VERDICT_NOT_FOUND);
}
END_TEST

START_TEST (test_rendezvous)
{
  SvGuid guid, token;
  g_autofree char *b32 = NULL;

  ck_assert (sv_guid_from_hex (GUID_HEX, 32, &guid));
  ck_assert (sv_guid_from_hex ("00112233445566778899aabbccddeeff", 32, &token));
  b32 = sv_base32_encode (guid.b, SV_GUID_LEN);
  {
    g_autofree char *text = g_strdup_printf (
        "GET /gnutella/rendezvous?ServerId=%s&token=00112233445566778899AABBCCDDEEFF HTTP/1.1\r\n"
        "Host: h\r\n\r\n", b32);
    g_autoptr (SvGnetHttpRequest) req = parse_ok (text);

    ck_assert_int_eq (req->verdict, SV_GNET_HTTP_VERDICT_OK);
    ck_assert_int_eq (req->target, SV_GNET_HTTP_TARGET_RENDEZVOUS);
    ck_assert (req->push_has_guid);
    ck_assert (sv_guid_equal (&req->push_guid, &guid));
    ck_assert (sv_guid_equal (&req->rendezvous_token, &token));
  }
  {
    g_autoptr (SvGnetHttpRequest) req = parse_ok (
        "GET /gnutella/rendezvous?token=00112233445566778899aabbccddeeff HTTP/1.1\r\n"
        "Host: h\r\n\r\n");

    ck_assert_int_eq (req->target, SV_GNET_HTTP_TARGET_RENDEZVOUS);
    ck_assert (!req->push_has_guid);
    ck_assert (!req->rendezvous_random_ports);
    ck_assert (sv_guid_equal (&req->rendezvous_token, &token));
  }
  {
    g_autoptr (SvGnetHttpRequest) req = parse_ok (
        "GET /gnutella/rendezvous?token=00112233445566778899aabbccddeeff&ports=random HTTP/1.1\r\n"
        "Host: h\r\n\r\n");

    ck_assert (req->rendezvous_random_ports);
  }
  /* The token is required, exactly 32 hex digits, once. */
  check_target_verdict ("/gnutella/rendezvous", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnutella/rendezvous?ServerId=" GUID_HEX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnutella/rendezvous?token=0011", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnutella/rendezvous?token=00112233445566778899aabbccddeefg",
                        SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnutella/rendezvous?token=00112233445566778899aabbccddeeff"
                        "&token=00112233445566778899aabbccddeeff", SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnutella/rendezvous?token=00112233445566778899aabbccddeeff&ServerId=AB",
                        SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_target_verdict ("/gnet/rendezvous?token=00112233445566778899aabbccddeeff",
                        SV_GNET_HTTP_VERDICT_NOT_FOUND);
  {
    g_autoptr (SvGnetHttpRequest) req = parse_ok (
        "GET /gnutella/relay?token=00112233445566778899aabbccddeeff HTTP/1.1\r\n"
        "Host: h\r\n\r\n");

    ck_assert_int_eq (req->target, SV_GNET_HTTP_TARGET_RELAY);
    ck_assert (!req->push_has_guid);
    ck_assert (sv_guid_equal (&req->rendezvous_token, &token));
  }
  check_target_verdict ("/gnutella/relay?ServerId=" GUID_HEX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  /* A push-proxy call does not take a token for a ServerId. */
  check_target_verdict ("/gnutella/push-proxy?token=00112233445566778899aabbccddeeff",
                        SV_GNET_HTTP_VERDICT_BAD_REQUEST);
}
END_TEST

START_TEST (test_methods_and_versions)
{
#define REFUSE(text, st, v) check_refused (text, strlen (text), st, v)
  REFUSE ("POST /get/1/a HTTP/1.1\r\n", SV_STATUS_UNSUPPORTED,
          SV_GNET_HTTP_VERDICT_METHOD_NOT_ALLOWED);
  REFUSE ("OPTIONS * HTTP/1.1\r\n", SV_STATUS_UNSUPPORTED, SV_GNET_HTTP_VERDICT_METHOD_NOT_ALLOWED);
  REFUSE ("BREW /pot HTTP/1.1\r\n", SV_STATUS_UNSUPPORTED, SV_GNET_HTTP_VERDICT_NOT_IMPLEMENTED);
  REFUSE ("get / HTTP/1.1\r\n", SV_STATUS_UNSUPPORTED, SV_GNET_HTTP_VERDICT_NOT_IMPLEMENTED);
  REFUSE ("GET / HTTP/2.0\r\n", SV_STATUS_UNSUPPORTED,
          SV_GNET_HTTP_VERDICT_VERSION_NOT_SUPPORTED);
  REFUSE ("GET / HTTP/0.9\r\n", SV_STATUS_UNSUPPORTED,
          SV_GNET_HTTP_VERDICT_VERSION_NOT_SUPPORTED);
  REFUSE ("GET /\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET  / HTTP/1.1\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1 \r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / http/1.1\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.10\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE (" GET / HTTP/1.1\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("G(T / HTTP/1.1\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("\r\n\r\nGET / HTTP/1.1\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  {
    g_autoptr (SvGnetHttpRequest) later_minor = parse_ok ("GET /get/1/a HTTP/1.9\r\nHost: h\r\n\r\n");
    g_autoptr (SvGnetHttpRequest) stray_crlf = parse_ok ("\r\nGET /get/1/a HTTP/1.1\r\nHost: h\r\n\r\n");
    g_autoptr (SvGnetHttpRequest) bare_lf = parse_ok ("GET /get/1/a HTTP/1.1\nHost: h\n\n");

    ck_assert_uint_eq (later_minor->version_minor, 1);
    ck_assert_uint_eq (stray_crlf->index, 1);
    ck_assert_str_eq (bare_lf->host, "h");
  }
}
END_TEST

START_TEST (test_header_syntax)
{
  REFUSE ("GET / HTTP/1.1\r\n\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\r\nX-Alt: 1.2.3.4\r\n 5.6.7.8\r\n\r\n",
          SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\r\n\tfolded\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost a\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\n: a\r\n\r\n", SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", SV_STATUS_BAD_SYNTAX,
          SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  REFUSE ("GET / HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n",
          SV_STATUS_BAD_SYNTAX, SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  check_refused ("GET / HTTP/1.1\r\nHost: a\0\r\n\r\n", 28, SV_STATUS_BAD_SYNTAX,
                 SV_GNET_HTTP_VERDICT_BAD_REQUEST);
  {
    g_autoptr (SvGnetHttpRequest) zero = parse_ok ("GET /get/1/a HTTP/1.1\r\nHost: h\r\n"
                                                   "Content-Length: 0\r\n"
                                                   "User-Agent: caf\xc3\xa9\t1\r\n\r\n");
    g_autoptr (SvGnetHttpRequest) bad_range = parse_ok ("GET /get/1/a HTTP/1.1\r\nHost: h\r\n"
                                                        "Range: bytes=9-1\r\n"
                                                        "X-Gnutella-Content-URN: urn:sha1:bad\r\n"
                                                        "\r\n");
    g_autoptr (SvGnetHttpRequest) many = parse_ok ("GET /get/1/a HTTP/1.1\r\nHost: h\r\nRange: bytes="
                                                   "1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,11-11,"
                                                   "12-12,13-13,14-14,15-15,16-16,17-17\r\n\r\n");

    ck_assert_str_eq (zero->user_agent, "caf\xc3\xa9\t1");
    ck_assert_int_eq (bad_range->range_status, SV_STATUS_BAD_VALUE);
    ck_assert_int_eq (bad_range->verdict, SV_GNET_HTTP_VERDICT_OK);
    ck_assert_str_eq (bad_range->content_urn, "urn:sha1:bad");
    ck_assert (!bad_range->has_content_sha1);
    ck_assert_int_eq (many->range_status, SV_STATUS_TOO_BIG);
  }
#undef REFUSE
}
END_TEST

START_TEST (test_truncation_and_failure_are_sticky)
{
  const char *text = RICH_REQUEST;
  gsize len = strlen (text);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr (SvGnetHttpParser) p = sv_gnet_http_parser_new ();
      gsize used;

      ck_assert_msg (sv_gnet_http_parser_feed (p, (const guint8 *) text, cut, &used)
                     == SV_STATUS_NEED_MORE, "cut %zu", cut);
      ck_assert_uint_eq (used, cut);
      ck_assert_ptr_null (sv_gnet_http_parser_steal_request (p));
    }
  {
    g_autoptr (SvGnetHttpParser) p = sv_gnet_http_parser_new ();
    gsize used;

    ck_assert_int_eq (sv_gnet_http_parser_feed (p, (const guint8 *) "PUT / HTTP/1.1\r\nX", 17, &used),
                      SV_STATUS_UNSUPPORTED);
    ck_assert_uint_eq (used, 16);
    ck_assert_int_eq (sv_gnet_http_parser_feed (p, (const guint8 *) text, len, &used),
                      SV_STATUS_UNSUPPORTED);
    ck_assert_uint_eq (used, 0);
    ck_assert_int_eq (sv_gnet_http_parser_verdict (p), SV_GNET_HTTP_VERDICT_METHOD_NOT_ALLOWED);
    sv_gnet_http_parser_reset (p);
    ck_assert_int_eq (sv_gnet_http_parser_verdict (p), SV_GNET_HTTP_VERDICT_OK);
    ck_assert_int_eq (sv_gnet_http_parser_feed (p, (const guint8 *) text, len, &used), SV_STATUS_OK);
  }
}
END_TEST

START_TEST (test_response_build)
{
  g_autoptr (GString) out = g_string_new (NULL);
  SvSha1 sha1;
  SvGnetHttpResponse partial = {
    .code = 206, .version_minor = 1, .server = "servent/0.1", .keep_alive = TRUE,
    .has_content_length = TRUE, .content_length = 100,
    .has_content_range = TRUE, .range_first = G_GUINT64_CONSTANT (5000000000), .range_length = 100,
    .total_size = G_GUINT64_CONSTANT (6000000000), .content_type = "application/octet-stream",
    .sha1 = &sha1,
  };
  SvGnetHttpResponse unsat = { .code = 416, .version_minor = 1, .range_unsatisfied = TRUE,
                               .total_size = 1000, .has_content_length = TRUE };
  SvGnetHttpResponse busy = { .code = 503, .reason = "Queued", .retry_after = 60 };

  ck_assert (sv_urn_parse ("urn:sha1:" SHA1_B32, SV_URN_SHA1_LEN, &sha1));
  ck_assert (sv_gnet_http_response_build (&partial, out));
  ck_assert_str_eq (out->str,
                    "HTTP/1.1 206 Partial Content\r\n"
                    "Server: servent/0.1\r\n"
                    "Connection: keep-alive\r\n"
                    "Content-Range: bytes 5000000000-5000000099/6000000000\r\n"
                    "Content-Length: 100\r\n"
                    "Content-Type: application/octet-stream\r\n"
                    "X-Gnutella-Content-URN: urn:sha1:" SHA1_B32 "\r\n"
                    "\r\n");

  g_string_truncate (out, 0);
  ck_assert (sv_gnet_http_response_build (&unsat, out));
  ck_assert_str_eq (out->str, "HTTP/1.1 416 Range Not Satisfiable\r\nConnection: close\r\n"
                    "Content-Range: bytes */1000\r\nContent-Length: 0\r\n\r\n");

  g_string_truncate (out, 0);
  ck_assert (sv_gnet_http_response_build (&busy, out));
  ck_assert_str_eq (out->str, "HTTP/1.0 503 Queued\r\nConnection: close\r\nRetry-After: 60\r\n\r\n");

  g_string_truncate (out, 0);
  partial.server = "evil\r\nSet-Cookie: x";
  ck_assert (!sv_gnet_http_response_build (&partial, out));
  partial.server = NULL;
  partial.range_length = 1000000001;                   /* past total_size */
  ck_assert (!sv_gnet_http_response_build (&partial, out));
  partial.range_length = 0;
  ck_assert (!sv_gnet_http_response_build (&partial, out));
  busy.code = 99;
  ck_assert (!sv_gnet_http_response_build (&busy, out));
  ck_assert_uint_eq (out->len, 0);

  ck_assert_uint_eq (sv_gnet_http_verdict_code (SV_GNET_HTTP_VERDICT_HEADERS_TOO_LARGE), 431);
  ck_assert_uint_eq (sv_gnet_http_verdict_code (SV_GNET_HTTP_VERDICT_URI_TOO_LONG), 414);
  ck_assert_uint_eq (sv_gnet_http_verdict_code (SV_GNET_HTTP_VERDICT_NOT_IMPLEMENTED), 501);
  ck_assert_str_eq (sv_gnet_http_reason_phrase (404), "Not Found");
  ck_assert_str_eq (sv_gnet_http_verdict_name (SV_GNET_HTTP_VERDICT_NOT_FOUND), "not-found");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("gnet-http");
  TCase *tc = tcase_create ("http");

  tcase_add_test (tc, test_fixture_requests);
  tcase_add_test (tc, test_every_split);
  tcase_add_test (tc, test_byte_at_a_time_and_pipelining);
  tcase_add_test (tc, test_request_line_cap);
  tcase_add_test (tc, test_header_caps);
  tcase_add_test (tc, test_traversal_rejected);
  tcase_add_test (tc, test_targets);
  tcase_add_test (tc, test_push_proxy);
  tcase_add_test (tc, test_rendezvous);
  tcase_add_test (tc, test_methods_and_versions);
  tcase_add_test (tc, test_header_syntax);
  tcase_add_test (tc, test_truncation_and_failure_are_sticky);
  tcase_add_test (tc, test_response_build);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
