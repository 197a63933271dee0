/* rendezvous.c: the meetings an ultrapeer brokers (see rendezvous.h). A small array: there are
 * at most SV_RENDEZVOUS_MAX_PENDING of them. */
#include "rendezvous.h"

#include "urn.h"

typedef struct {
  SvGuid token;
  SvHostAddr requester;
  gpointer handle;
  gint64 deadline_us;
} Meeting;

struct _SvRendezvous {
  GArray *meetings;          /* (element-type Meeting) */
};

SvRendezvous *
sv_rendezvous_new (void)
{
  SvRendezvous *rdv = g_new0 (SvRendezvous, 1);

  rdv->meetings = g_array_new (FALSE, FALSE, sizeof (Meeting));
  return rdv;
}

void
sv_rendezvous_free (SvRendezvous *rdv)
{
  if (rdv == NULL)
    return;
  g_array_unref (rdv->meetings);
  g_free (rdv);
}

static Meeting *
meeting_at (const SvRendezvous *rdv, guint i)
{
  return &g_array_index (rdv->meetings, Meeting, i);
}

gpointer
sv_rendezvous_pop_expired (SvRendezvous *rdv, gint64 now_us)
{
  for (guint i = 0; i < rdv->meetings->len; i++)
    if (now_us >= meeting_at (rdv, i)->deadline_us)
      {
        gpointer handle = meeting_at (rdv, i)->handle;

        g_array_remove_index_fast (rdv->meetings, i);
        return handle;
      }
  return NULL;
}

SvRendezvousVerdict
sv_rendezvous_open (SvRendezvous *rdv, const SvGuid *token, const SvHostAddr *requester,
                    gpointer handle, gint64 now_us)
{
  Meeting m = { 0 };
  guint same_addr = 0;

  g_return_val_if_fail (handle != NULL, SV_RENDEZVOUS_FULL);
  for (guint i = 0; i < rdv->meetings->len; i++)
    {
      const Meeting *o = meeting_at (rdv, i);

      if (now_us >= o->deadline_us)
        continue;
      if (sv_guid_equal (&o->token, token))
        return SV_RENDEZVOUS_TOKEN_TAKEN;
      if (sv_host_addr_same_ip (&o->requester, requester))
        same_addr++;
    }
  if (same_addr >= SV_RENDEZVOUS_MAX_PER_ADDR)
    return SV_RENDEZVOUS_ADDR_LIMIT;
  if (rdv->meetings->len >= SV_RENDEZVOUS_MAX_PENDING)
    return SV_RENDEZVOUS_FULL;
  m.token = *token;
  m.requester = *requester;
  m.handle = handle;
  m.deadline_us = now_us + SV_RENDEZVOUS_WAIT_US;
  g_array_append_val (rdv->meetings, m);
  return SV_RENDEZVOUS_OPENED;
}

gpointer
sv_rendezvous_take (SvRendezvous *rdv, const SvGuid *token, gint64 now_us,
                    SvHostAddr *requester_out)
{
  for (guint i = 0; i < rdv->meetings->len; i++)
    {
      const Meeting *m = meeting_at (rdv, i);
      gpointer handle;

      if (!sv_guid_equal (&m->token, token) || now_us >= m->deadline_us)
        continue;
      handle = m->handle;
      *requester_out = m->requester;
      g_array_remove_index_fast (rdv->meetings, i);
      return handle;
    }
  return NULL;
}

void
sv_rendezvous_cancel (SvRendezvous *rdv, gpointer handle)
{
  for (guint i = 0; i < rdv->meetings->len; i++)
    if (meeting_at (rdv, i)->handle == handle)
      {
        g_array_remove_index_fast (rdv->meetings, i);
        return;
      }
}

guint
sv_rendezvous_size (const SvRendezvous *rdv)
{
  return rdv->meetings->len;
}

gint64
sv_rendezvous_next_deadline (const SvRendezvous *rdv)
{
  gint64 next = 0;

  for (guint i = 0; i < rdv->meetings->len; i++)
    if (next == 0 || meeting_at (rdv, i)->deadline_us < next)
      next = meeting_at (rdv, i)->deadline_us;
  return next;
}

char *
sv_rendezvous_target (gboolean relay, const SvGuid *leaf, const SvGuid *token,
                      gboolean random_ports)
{
  GString *t = g_string_new (relay ? "/gnutella/relay?" : "/gnutella/rendezvous?");
  char hex[SV_GUID_HEX_LEN + 1];

  if (leaf != NULL)
    {
      g_autofree char *id = sv_base32_encode (leaf->b, SV_GUID_LEN);

      g_string_append_printf (t, "ServerId=%s&", id);
    }
  sv_guid_to_hex (token, hex);
  g_string_append_printf (t, "token=%s", hex);
  if (random_ports)
    g_string_append (t, "&ports=random");
  return g_string_free (t, FALSE);
}

const char *
sv_rendezvous_verdict_name (SvRendezvousVerdict verdict)
{
  switch (verdict)
    {
    case SV_RENDEZVOUS_OPENED: return "opened";
    case SV_RENDEZVOUS_FULL: return "full";
    case SV_RENDEZVOUS_ADDR_LIMIT: return "address-limit";
    case SV_RENDEZVOUS_TOKEN_TAKEN: return "token-taken";
    default: return "unknown";
    }
}
