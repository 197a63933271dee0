/* handshake.c: the 0.6 handshake state machine: the headers we send, the peer's capabilities we
 * collect, the role and compression decisions, and the host fields (Listen-IP, Remote-IP,
 * X-Try-Ultrapeers). */
#include "config.h"

#include "handshake.h"

#include <stdarg.h>
#include <string.h>

#include "bytes.h"

typedef enum {
  STEP_READ_CONNECT,    /* incoming, step 1 */
  STEP_READ_REPLY,      /* outgoing, step 2 */
  STEP_READ_FINAL,      /* incoming, step 3 */
  STEP_DONE,
} Step;

struct _SvHandshake {
  SvHandshakeDirection direction;
  SvHandshakeConfig config;        /* user_agent and try_hosts point at the copies below */
  char *user_agent;
  SvHostAddr *try_hosts;
  SvHandshakeState state;
  Step step;
  SvHandshakeHeaders *block;       /* the block being read */
  GByteArray *out;
  SvHandshakeResult result;
  char *peer_user_agent;
  char *reason;
  gboolean gave_guidance;          /* incoming: we answered X-Ultrapeer-Needed: False */
};

/* --- Hosts --- */

guint
sv_handshake_parse_try_hosts (const char *value, SvHostAddr *out, guint max)
{
  guint n = 0;
  const char *p = value;

  while (p != NULL && *p != '\0' && n < max)
    {
      const char *comma = strchr (p, ',');
      gsize len = comma ? (gsize) (comma - p) : strlen (p);
      SvHostAddr h;

      if (sv_host_addr_parse_full (p, len, SV_HOST_ADDR_DEFAULT_PORT, SV_HANDSHAKE_HOST_FLAGS,
                                   &h) == SV_STATUS_OK
          && h.port != 0)
        out[n++] = h;
      p = comma ? comma + 1 : NULL;
    }
  return n;
}

/* --- Output --- */

static void
put_line (SvHandshake *hs, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
put_line (SvHandshake *hs, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *s = NULL;

  va_start (ap, fmt);
  s = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  sv_put_bytes (hs->out, s, strlen (s));
  sv_put_bytes (hs->out, "\r\n", 2);
}

static const char *
bool_text (gboolean b)
{
  return b ? "True" : "False";
}

static guint
our_qrp_version (const SvHandshake *hs)
{
  return hs->config.qrp_version ? hs->config.qrp_version : SV_HANDSHAKE_VERSION (0, 2);
}

static SvHandshakeRole
configured_role (const SvHandshakeConfig *c)
{
  if (c->force == SV_HANDSHAKE_FORCE_LEAF)
    return SV_HANDSHAKE_ROLE_LEAF;
  if (c->force == SV_HANDSHAKE_FORCE_ULTRAPEER || c->ultrapeer_capable)
    return SV_HANDSHAKE_ROLE_ULTRAPEER;
  return SV_HANDSHAKE_ROLE_LEAF;
}

static void
put_remote_ip (SvHandshake *hs)
{
  char buf[SV_HOST_ADDR_STRLEN];

  if (hs->config.remote.family == 0)
    return;
  sv_host_addr_format (&hs->config.remote, FALSE, buf);
  put_line (hs, "Remote-IP: %s", buf);
}

static void
put_try_hosts (SvHandshake *hs)
{
  static const char name[] = "X-Try-Ultrapeers: ";
  GString *line;
  guint sent = 0;

  if (hs->config.n_try_hosts == 0)
    return;
  line = g_string_new (name);
  for (guint i = 0; i < hs->config.n_try_hosts && sent < SV_HANDSHAKE_MAX_TRY_HOSTS; i++)
    {
      char buf[SV_HOST_ADDR_STRLEN];
      const char *sep = sent > 0 ? ", " : "";

      if (hs->config.try_hosts[i].family == 0 || hs->config.try_hosts[i].port == 0)
        continue;
      sv_host_addr_format (&hs->config.try_hosts[i], TRUE, buf);
      /* Keep the line within what a peer (and we) accept. */
      if (line->len + strlen (sep) + strlen (buf) > SV_HANDSHAKE_MAX_LINE_BYTES)
        break;
      g_string_append (line, sep);
      g_string_append (line, buf);
      sent++;
    }
  if (sent > 0)
    put_line (hs, "%s", line->str);
  g_string_free (line, TRUE);
}

/* Our capability headers: step 1 (outgoing) or the 200 of step 2 (incoming). */
static void
put_capabilities (SvHandshake *hs, gboolean reply)
{
  const SvHandshakeConfig *c = &hs->config;
  const SvHandshakeResult *r = &hs->result;
  gboolean up = r->our_role == SV_HANDSHAKE_ROLE_ULTRAPEER;
  char guid_hex[SV_GUID_HEX_LEN + 1];
  guint qrp = our_qrp_version (hs);

  if (reply && r->qrp_version != 0)
    qrp = r->qrp_version;

  put_line (hs, "User-Agent: %s", hs->user_agent);
  put_line (hs, "X-Ultrapeer: %s", bool_text (up));
  if (reply && up)
    {
      put_line (hs, "X-Ultrapeer-Needed: %s", bool_text (!hs->gave_guidance && c->ultrapeer_needed));
      /* With leaf guidance, other ultrapeers as a 503 offers them: a peer that must decline
       * the guidance (a forced ultrapeer) has somewhere else to go. */
      if (hs->gave_guidance)
        put_try_hosts (hs);
    }
  put_line (hs, "X-Query-Routing: %u.%u", qrp >> 8, qrp & 0xff);
  put_line (hs, "X-Ultrapeer-Query-Routing: 0.1");
  if (c->deflate)
    put_line (hs, "Accept-Encoding: deflate");
  if (reply && r->deflate_out)
    put_line (hs, "Content-Encoding: deflate");
  put_line (hs, "Pong-Caching: 0.1");
  put_line (hs, "GGEP: 0.5");
  put_line (hs, "Vendor-Message: 0.2");
  put_line (hs, "Bye-Packet: 0.1");
  sv_guid_to_hex (&c->guid, guid_hex);
  put_line (hs, "GUID: %s", guid_hex);
  put_remote_ip (hs);
  if (c->listen.family != 0 && c->listen.port != 0)
    {
      char buf[SV_HOST_ADDR_STRLEN];
      sv_host_addr_format (&c->listen, TRUE, buf);
      put_line (hs, "Listen-IP: %s", buf);
    }
  else
    put_line (hs, "Node: ");  /* an empty Node: says "firewalled", as gtk-gnutella does */
  put_line (hs, "X-Degree: %u", c->degree ? c->degree : 32);
  put_line (hs, "X-Max-TTL: %u", c->max_ttl ? MIN (c->max_ttl, SV_MSG_MAX_TTL) : SV_MSG_MAX_TTL);
  put_line (hs, "X-Dynamic-Querying: 0.1");
  put_line (hs, "X-Requeries: False");
  if (up)
    put_line (hs, "X-Ext-Probes: 0.1");
  put_line (hs, "%s", "");
}

static void
put_refusal (SvHandshake *hs, guint code, const char *reason)
{
  put_line (hs, "GNUTELLA/0.6 %03u %s", code, reason);
  put_line (hs, "User-Agent: %s", hs->user_agent);
  put_line (hs, "X-Ultrapeer: %s", bool_text (hs->result.our_role == SV_HANDSHAKE_ROLE_ULTRAPEER));
  put_remote_ip (hs);
  if (code == SV_HANDSHAKE_CODE_BUSY)
    put_try_hosts (hs);
  put_line (hs, "%s", "");
}

/* --- Final states --- */

static SvHandshakeState
refuse (SvHandshake *hs, gboolean by_us, guint code, const char *reason)
{
  g_free (hs->reason);
  hs->reason = g_strdup (reason);
  hs->result.code = code;
  hs->result.reason = hs->reason;
  hs->result.refused_by_us = by_us;
  hs->state = SV_HANDSHAKE_REFUSED;
  hs->step = STEP_DONE;
  return hs->state;
}

/* We refuse and tell the peer why. */
static SvHandshakeState
refuse_and_say (SvHandshake *hs, guint code, const char *reason)
{
  put_refusal (hs, code, reason);
  return refuse (hs, TRUE, code, reason);
}

static SvHandshakeState
fail (SvHandshake *hs, SvStatus verdict)
{
  hs->result.verdict = verdict;
  hs->state = SV_HANDSHAKE_FAILED;
  hs->step = STEP_DONE;
  return hs->state;
}

/* --- Reading the peer's headers --- */

static void
collect_listen (SvHandshake *hs, const SvHandshakeHeaders *h)
{
  static const char *const names[] = { "Listen-IP", "X-My-Address", "Node" };
  SvHandshakeResult *r = &hs->result;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *v = sv_handshake_headers_get (h, names[i]);
      SvHostAddr host;

      if (v == NULL)
        continue;
      if (*v == '\0')
        {
          r->firewalled = TRUE;
          return;
        }
      if (sv_host_addr_parse_full (v, strlen (v), SV_HOST_ADDR_DEFAULT_PORT, SV_HANDSHAKE_HOST_FLAGS,
                                   &host) == SV_STATUS_OK)
        {
          r->listen = host;
          r->firewalled = host.port == 0;
          return;
        }
    }
}

/* The peer's capabilities: its CONNECT (incoming) or its reply (outgoing). */
static void
collect_peer (SvHandshake *hs, const SvHandshakeHeaders *h)
{
  SvHandshakeResult *r = &hs->result;
  const char *v;
  gboolean b;
  guint maj, min;

  v = sv_handshake_headers_get (h, "User-Agent");
  g_free (hs->peer_user_agent);
  hs->peer_user_agent = (v != NULL && *v != '\0') ? g_strdup (v) : NULL;
  r->user_agent = hs->peer_user_agent;

  r->peer_role = (sv_handshake_headers_get_bool (h, "X-Ultrapeer", &b) && b)
                 ? SV_HANDSHAKE_ROLE_ULTRAPEER : SV_HANDSHAKE_ROLE_LEAF;
  r->ultrapeer_needed = TRUE;
  if (sv_handshake_headers_get_bool (h, "X-Ultrapeer-Needed", &b))
    r->ultrapeer_needed = b;

  r->qrp_version = 0;
  if (sv_handshake_headers_get_version (h, "X-Query-Routing", &maj, &min))
    r->qrp_version = MIN (SV_HANDSHAKE_VERSION (maj, min), our_qrp_version (hs));
  r->up_query_routing = sv_handshake_headers_get_version (h, "X-Ultrapeer-Query-Routing", &maj, &min);
  r->ggep = sv_handshake_headers_get_version (h, "GGEP", &maj, &min);
  r->vendor_messages = sv_handshake_headers_get_version (h, "Vendor-Message", &maj, &min);
  r->bye_packet = sv_handshake_headers_get_version (h, "Bye-Packet", &maj, &min);
  r->pong_caching = sv_handshake_headers_get_version (h, "Pong-Caching", &maj, &min);
  r->dynamic_querying = sv_handshake_headers_get_version (h, "X-Dynamic-Querying", &maj, &min);
  r->ext_probes = sv_handshake_headers_get_version (h, "X-Ext-Probes", &maj, &min);
  if (!sv_handshake_headers_get_uint (h, "X-Degree", G_MAXUINT16, &r->degree))
    r->degree = 0;
  if (!sv_handshake_headers_get_uint (h, "X-Max-TTL", SV_MSG_MAX_TTL, &r->max_ttl))
    r->max_ttl = 0;
  r->tls_offered = sv_handshake_headers_has_token (h, "Upgrade", "TLS/1.0");

  v = sv_handshake_headers_get (h, "GUID");
  r->has_guid = v != NULL && sv_guid_from_hex (v, strlen (v), &r->guid);

  collect_listen (hs, h);
  v = sv_handshake_headers_get (h, "Remote-IP");
  if (v == NULL || sv_host_addr_parse_full (v, strlen (v), 0, SV_HANDSHAKE_HOST_FLAGS,
                                            &r->seen_as) != SV_STATUS_OK)
    memset (&r->seen_as, 0, sizeof r->seen_as);

  v = sv_handshake_headers_get (h, "X-Try-Ultrapeers");
  g_clear_pointer (&r->try_hosts, g_free);
  r->n_try_hosts = 0;
  if (v != NULL)
    {
      SvHostAddr hosts[SV_HANDSHAKE_MAX_TRY_HOSTS];
      guint n = sv_handshake_parse_try_hosts (v, hosts, SV_HANDSHAKE_MAX_TRY_HOSTS);

      if (n > 0)
        r->try_hosts = g_memdup2 (hosts, sizeof *hosts * n);
      r->n_try_hosts = n;
    }
}

/* Content-Encoding in the peer's step: exactly one value, `deflate`. Anything else is a stream
 * we cannot read. A confirmation we did not ask for is honoured: the bytes are deflated. */
static gboolean
read_content_encoding (SvHandshake *hs, const SvHandshakeHeaders *h)
{
  const char *v = sv_handshake_headers_get (h, "Content-Encoding");

  if (v == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (v, "deflate") != 0)
    return FALSE;
  hs->result.deflate_in = TRUE;
  return TRUE;
}

static gboolean
version_supported (guint major, guint minor)
{
  return major > 0 || minor >= 6;
}

/* --- Steps --- */

static SvHandshakeState
on_connect (SvHandshake *hs, const SvHandshakeHeaders *h)
{
  const SvHandshakeConfig *c = &hs->config;
  SvHandshakeResult *r = &hs->result;
  guint maj, min;

  if (sv_handshake_headers_parse_request_line (sv_handshake_headers_first_line (h), &maj, &min)
      != SV_STATUS_OK)
    {
      put_refusal (hs, SV_HANDSHAKE_CODE_BAD_REQUEST, "Bad Request");
      return fail (hs, SV_STATUS_BAD_SYNTAX);
    }
  r->peer_version = SV_HANDSHAKE_VERSION (maj, min);
  if (!version_supported (maj, min))
    return fail (hs, SV_STATUS_UNSUPPORTED);

  collect_peer (hs, h);
  if (r->user_agent == NULL)
    return refuse_and_say (hs, SV_HANDSHAKE_CODE_NO_USER_AGENT, "User-Agent Required");

  if (r->our_role == SV_HANDSHAKE_ROLE_ULTRAPEER)
    {
      if (r->peer_role == SV_HANDSHAKE_ROLE_LEAF)
        {
          if (c->leaf_count >= c->leaf_target)
            return refuse_and_say (hs, SV_HANDSHAKE_CODE_BUSY, "Leaf Slots Full");
        }
      else if (c->up_count >= c->up_target)
        {
          if (c->leaf_count >= c->leaf_target)
            return refuse_and_say (hs, SV_HANDSHAKE_CODE_BUSY, "Ultrapeer Slots Full");
          hs->gave_guidance = TRUE;   /* come in as our leaf */
        }
    }
  else if (r->peer_role == SV_HANDSHAKE_ROLE_LEAF && c->may_promote && c->leaf_target > 0)
    {
      /* Nobody else serves this leaf: we become its ultrapeer. */
      r->our_role = SV_HANDSHAKE_ROLE_ULTRAPEER;
      r->we_promoted = TRUE;
    }
  else
    {
      if (r->peer_role == SV_HANDSHAKE_ROLE_LEAF)
        return refuse_and_say (hs, SV_HANDSHAKE_CODE_BUSY, "Shielded Leaf");
      if (c->up_count >= c->up_target)
        return refuse_and_say (hs, SV_HANDSHAKE_CODE_BUSY, "Enough Ultrapeers");
    }

  /* We send deflated only when the peer offered it and we want it (§2.2). */
  r->deflate_out = c->deflate && sv_handshake_headers_has_token (h, "Accept-Encoding", "deflate");
  put_line (hs, "GNUTELLA/0.6 200 OK");
  put_capabilities (hs, TRUE);
  hs->step = STEP_READ_FINAL;
  return SV_HANDSHAKE_NEED_MORE;
}

static SvHandshakeState
on_final (SvHandshake *hs, const SvHandshakeHeaders *h)
{
  SvHandshakeResult *r = &hs->result;
  guint maj, min, code;
  const char *reason;
  gboolean b;

  if (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (h), &maj, &min,
                                              &code, &reason) != SV_STATUS_OK)
    return fail (hs, SV_STATUS_BAD_SYNTAX);
  if (code != SV_HANDSHAKE_CODE_OK)
    return refuse (hs, FALSE, code, reason);
  if (!read_content_encoding (hs, h))
    return fail (hs, SV_STATUS_UNSUPPORTED);

  if (hs->gave_guidance)
    {
      if (!(sv_handshake_headers_get_bool (h, "X-Ultrapeer", &b) && !b))
        return refuse (hs, TRUE, SV_HANDSHAKE_CODE_BUSY, "Ultrapeer Slots Full");
      r->peer_role = SV_HANDSHAKE_ROLE_LEAF;
      r->peer_became_leaf = TRUE;
    }
  hs->state = SV_HANDSHAKE_ESTABLISHED;
  hs->step = STEP_DONE;
  return hs->state;
}

static SvHandshakeState
on_reply (SvHandshake *hs, const SvHandshakeHeaders *h)
{
  const SvHandshakeConfig *c = &hs->config;
  SvHandshakeResult *r = &hs->result;
  guint maj, min, code;
  const char *reason;
  gboolean take_guidance = FALSE;

  if (sv_handshake_headers_parse_status_line (sv_handshake_headers_first_line (h), &maj, &min,
                                              &code, &reason) != SV_STATUS_OK)
    return fail (hs, SV_STATUS_BAD_SYNTAX);
  r->peer_version = SV_HANDSHAKE_VERSION (maj, min);
  if (!version_supported (maj, min))
    return fail (hs, SV_STATUS_UNSUPPORTED);

  collect_peer (hs, h);
  if (code != SV_HANDSHAKE_CODE_OK)
    return refuse (hs, FALSE, code, reason);
  if (!read_content_encoding (hs, h))
    return fail (hs, SV_STATUS_UNSUPPORTED);
  if (r->user_agent == NULL)
    return refuse_and_say (hs, SV_HANDSHAKE_CODE_NO_USER_AGENT, "User-Agent Required");

  if (r->our_role == SV_HANDSHAKE_ROLE_ULTRAPEER)
    {
      if (r->peer_role == SV_HANDSHAKE_ROLE_ULTRAPEER && !r->ultrapeer_needed)
        {
          /* Leaf guidance: the peer has no ultrapeer slot for us. A forced ultrapeer, or one
           * already serving leaves, cannot follow it; the peer would drop us right after step
           * 3, so say no now and let the caller try the hosts it offered instead. */
          if (c->force == SV_HANDSHAKE_FORCE_ULTRAPEER || c->leaf_count > 0)
            return refuse_and_say (hs, SV_HANDSHAKE_CODE_BUSY, "Staying Ultrapeer");
          take_guidance = TRUE;
        }
      else if (c->leaf_count >= c->leaf_target)
        return refuse_and_say (hs, SV_HANDSHAKE_CODE_BUSY, "Leaf Slots Full");
    }
  else if (r->peer_role == SV_HANDSHAKE_ROLE_LEAF)
    return refuse_and_say (hs, SV_HANDSHAKE_CODE_BUSY, "Shielded Leaf");

  r->deflate_out = c->deflate && sv_handshake_headers_has_token (h, "Accept-Encoding", "deflate");
  put_line (hs, "GNUTELLA/0.6 200 OK");
  if (r->deflate_out)
    put_line (hs, "Content-Encoding: deflate");
  if (take_guidance)
    {
      put_line (hs, "X-Ultrapeer: False");
      r->our_role = SV_HANDSHAKE_ROLE_LEAF;
      r->we_became_leaf = TRUE;
    }
  put_line (hs, "%s", "");
  hs->state = SV_HANDSHAKE_ESTABLISHED;
  hs->step = STEP_DONE;
  return hs->state;
}

/* --- Public --- */

SvHandshake *
sv_handshake_new (SvHandshakeDirection direction, const SvHandshakeConfig *config)
{
  SvHandshake *hs = g_new0 (SvHandshake, 1);
  guint n = MIN (config->n_try_hosts, SV_HANDSHAKE_MAX_TRY_HOSTS);

  hs->direction = direction;
  hs->config = *config;
  hs->user_agent = g_strdup (config->user_agent ? config->user_agent : PACKAGE_NAME "/" PACKAGE_VERSION);
  hs->config.user_agent = hs->user_agent;
  hs->try_hosts = n ? g_memdup2 (config->try_hosts, n * sizeof (SvHostAddr)) : NULL;
  hs->config.try_hosts = hs->try_hosts;
  hs->config.n_try_hosts = n;
  hs->out = g_byte_array_new ();
  hs->block = sv_handshake_headers_new ();
  hs->state = SV_HANDSHAKE_NEED_MORE;
  hs->result.our_role = configured_role (config);
  hs->result.ultrapeer_needed = TRUE;
  hs->result.verdict = SV_STATUS_OK;

  if (direction == SV_HANDSHAKE_OUTGOING)
    {
      put_line (hs, "GNUTELLA CONNECT/0.6");
      put_capabilities (hs, FALSE);
      hs->step = STEP_READ_REPLY;
    }
  else
    hs->step = STEP_READ_CONNECT;
  return hs;
}

GBytes *
sv_handshake_refusal (const SvHandshakeConfig *config, guint code, const char *reason)
{
  g_autoptr (SvHandshake) hs = sv_handshake_new (SV_HANDSHAKE_INCOMING, config);

  put_refusal (hs, code, reason);
  return sv_handshake_take_output (hs);
}

void
sv_handshake_free (SvHandshake *hs)
{
  if (hs == NULL)
    return;
  g_free (hs->user_agent);
  g_free (hs->try_hosts);
  g_free (hs->peer_user_agent);
  g_free (hs->reason);
  g_free (hs->result.try_hosts);
  sv_handshake_headers_free (hs->block);
  g_byte_array_unref (hs->out);
  g_free (hs);
}

/* The exchange is over: what only it needed (the header reader, our try-host list) goes; the
 * result and the output still to be taken stay. A link keeps its handshake for its whole life. */
static void
release_exchange (SvHandshake *hs)
{
  g_clear_pointer (&hs->block, sv_handshake_headers_free);
  g_clear_pointer (&hs->try_hosts, g_free);
  hs->config.try_hosts = NULL;
  hs->config.n_try_hosts = 0;
}

SvHandshakeState
sv_handshake_feed (SvHandshake *hs, const guint8 *data, gsize len, gsize *consumed)
{
  *consumed = 0;
  while (hs->state == SV_HANDSHAKE_NEED_MORE && hs->step != STEP_DONE)
    {
      gsize n = 0;
      SvStatus st = sv_handshake_headers_feed (hs->block, data + *consumed, len - *consumed, &n);
      Step step = hs->step;

      *consumed += n;
      if (st == SV_STATUS_NEED_MORE)
        break;
      if (st != SV_STATUS_OK)
        {
          if (step == STEP_READ_CONNECT)
            put_refusal (hs, SV_HANDSHAKE_CODE_BAD_REQUEST,
                         st == SV_STATUS_TOO_BIG ? "Headers Too Large" : "Bad Request");
          return fail (hs, st);
        }
      if (step == STEP_READ_CONNECT)
        on_connect (hs, hs->block);
      else if (step == STEP_READ_REPLY)
        on_reply (hs, hs->block);
      else
        on_final (hs, hs->block);
      sv_handshake_headers_free (hs->block);
      hs->block = sv_handshake_headers_new ();
    }
  if (hs->state != SV_HANDSHAKE_NEED_MORE || hs->step == STEP_DONE)
    release_exchange (hs);
  return hs->state;
}

GBytes *
sv_handshake_take_output (SvHandshake *hs)
{
  GBytes *b;

  if (hs->out->len == 0)
    return NULL;
  b = g_byte_array_free_to_bytes (hs->out);
  hs->out = g_byte_array_new ();
  return b;
}

SvHandshakeState
sv_handshake_state (const SvHandshake *hs)
{
  return hs->state;
}

SvHandshakeProgress
sv_handshake_progress (const SvHandshake *hs)
{
  if ((hs->step != STEP_READ_CONNECT && hs->step != STEP_READ_REPLY) || hs->block == NULL)
    return SV_HANDSHAKE_PROGRESS_BLOCK;
  if (sv_handshake_headers_is_complete (hs->block))
    return SV_HANDSHAKE_PROGRESS_BLOCK;
  if (sv_handshake_headers_count (hs->block) > 0)
    return SV_HANDSHAKE_PROGRESS_HEADERS;
  if (sv_handshake_headers_first_line (hs->block) != NULL)
    return SV_HANDSHAKE_PROGRESS_FIRST_LINE;
  return SV_HANDSHAKE_PROGRESS_NONE;
}

const SvHandshakeResult *
sv_handshake_result (const SvHandshake *hs)
{
  return &hs->result;
}

const char *
sv_handshake_state_name (SvHandshakeState state)
{
  switch (state)
    {
    case SV_HANDSHAKE_NEED_MORE: return "need-more";
    case SV_HANDSHAKE_ESTABLISHED: return "established";
    case SV_HANDSHAKE_REFUSED: return "refused";
    case SV_HANDSHAKE_FAILED: return "failed";
    }
  return "unknown";
}

const char *
sv_handshake_role_name (SvHandshakeRole role)
{
  switch (role)
    {
    case SV_HANDSHAKE_ROLE_LEAF: return "leaf";
    case SV_HANDSHAKE_ROLE_ULTRAPEER: return "ultrapeer";
    case SV_HANDSHAKE_ROLE_UNKNOWN: break;
    }
  return "unknown";
}
