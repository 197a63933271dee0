/* msg.h: one entry point over every message payload codec.
 *
 * Given a framed message (header + payload), decodes the payload with the codec of its type and
 * describes it in an SvFields tree. Types this servent does not know (gtk-gnutella's HSEP 0xCD, …)
 * are reported as unknown, which is not an error. */
#pragma once

#include <glib.h>

#include "fields.h"
#include "msg-header.h"
#include "status.h"

/* Decodes @payload (@len bytes, the payload of a message of header @hdr) and adds its fields to
 * @out. For an unknown type, adds nothing and returns SV_STATUS_OK.
 * Returns: the payload decoder's verdict. */
SvStatus sv_msg_describe (const SvMsgHeader *hdr, const guint8 *payload, gsize len, SvFields *out);
