/* control-transfers.c: /v1/downloads and /v1/uploads (see control-transfers.h). */
#include "config.h"

#include "control-transfers.h"

#include <string.h>

#include "control-json.h"
#include "control-protocol.h"
#include "downloads.h"
#include "magnet.h"
#include "uploads.h"

static void
download_to_json (JsonBuilder *b, const SvDownloadInfo *d)
{
  char urn[SV_URN_SHA1_LEN + 1];

  sv_urn_sha1_format (&d->sha1, urn);
  json_builder_begin_object (b);
  sv_control_json_uint (b, SV_CTL_ID, (guint64) d->id);
  sv_control_json_string (b, SV_CTL_NAME, d->name);
  sv_control_json_string (b, SV_CTL_URN, urn);
  sv_control_json_uint (b, SV_CTL_SIZE, d->size);
  sv_control_json_uint (b, SV_CTL_DONE, d->done);
  sv_control_json_string (b, SV_CTL_STATE, d->state);
  sv_control_json_string (b, SV_CTL_PATH, d->path);
  sv_control_json_string (b, SV_CTL_ERROR, d->error);
  sv_control_json_uint (b, SV_CTL_RATE, d->rate);
  sv_control_json_uint (b, SV_CTL_SOURCES, d->sources);
  sv_control_json_uint (b, SV_CTL_SOURCES_ALIVE, d->sources_alive);
  sv_control_json_uint (b, SV_CTL_SOURCES_ACTIVE, d->sources_active);
  sv_control_json_uint (b, SV_CTL_SOURCES_USED, d->sources_used);
  sv_control_json_uint (b, SV_CTL_MISMATCHES, d->mismatches);
  sv_control_json_string (b, SV_CTL_METHOD, d->method);
  if (d->from.family != 0)
    sv_control_json_addr (b, SV_CTL_FROM, &d->from);
  else
    sv_control_json_string (b, SV_CTL_FROM, NULL);
  sv_control_json_uint (b, SV_CTL_FIRST_BYTE_MS, d->first_byte_ms);
  sv_control_json_uint (b, SV_CTL_PUSHES_SENT, d->pushes_sent);
  sv_control_json_uint (b, SV_CTL_PUSHES_ANSWERED, d->pushes_answered);
  json_builder_end_object (b);
}

/* The download id in the path; replies 404 and returns 0 when it is not one. */
static gint64
download_id_arg (const SvControlRequest *req)
{
  guint64 id = 0;

  if (!g_ascii_string_to_unsigned (req->args[0], 10, 1, G_MAXINT64, &id, NULL))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND,
                              "no download %s (ids are positive numbers)", req->args[0]);
      return 0;
    }
  return (gint64) id;
}

/* Every source of @sha1 among the hits of the open searches. @name, @size: (out) from the
 * first. Returns: (transfer full) (element-type SvDownloadSourceInfo). */
static GArray *
known_sources (SvServent *sv, const SvSha1 *sha1, char **name, guint64 *size)
{
  g_autoptr (GArray) searches = sv_servent_get_searches (sv);
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SvDownloadSourceInfo));

  for (guint i = 0; searches != NULL && i < searches->len; i++)
    {
      g_autoptr (GArray) hits = sv_servent_search_hits (sv, g_array_index (searches, SvServentSearch, i).id);

      for (guint j = 0; hits != NULL && j < hits->len; j++)
        {
          const SvSearchHit *h = &g_array_index (hits, SvSearchHit, j);
          SvDownloadSourceInfo src[2];
          guint n;

          if (!h->has_sha1 || memcmp (&h->sha1, sha1, sizeof *sha1) != 0)
            continue;
          if (*name == NULL)
            {
              *name = g_strdup (h->name);
              *size = h->size;
            }
          if (h->size != *size)
            continue;
          n = sv_download_sources_from_hit (src, h);
          g_array_append_vals (out, src, n);
        }
    }
  return out;
}

/* A magnet's exact sources of the form http://IP:PORT/… become direct sources (the file is
 * asked for by SHA-1 there, whatever path the URL names). */
static void
add_magnet_sources (const SvMagnet *magnet, GArray *sources)
{
  for (guint i = 0; magnet != NULL && i < magnet->sources->len; i++)
    {
      const SvMagnetSource *ms = g_ptr_array_index (magnet->sources, i);
      const char *p = ms->url;
      const char *end;
      SvDownloadSourceInfo src = { 0 };

      if (g_ascii_strncasecmp (p, "http://", 7) != 0)
        continue;
      p += 7;
      end = strchr (p, '/');
      if (sv_host_addr_parse (p, end != NULL ? (gsize) (end - p) : strlen (p), 80, &src.addr) != SV_STATUS_OK)
        continue;
      g_array_append_val (sources, src);
    }
}

static void
reply_created (const SvControlRequest *req, SvServent *sv, gint64 id);

/* Starts the download and answers 201 with it, or 409 with why not. */
static void
add_and_reply (const SvControlRequest *req, SvServent *sv, const SvSha1 *sha1, const char *name,
               guint64 size, GArray *sources)
{
  g_autoptr (GError) error = NULL;
  gint64 id = sv_downloads_add (sv_servent_downloads (sv), sha1, name, size,
                                (const SvDownloadSourceInfo *) (const void *) sources->data,
                                sources->len, &error);

  if (id == 0)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_CONFLICT, "%s", error->message);
      return;
    }
  reply_created (req, sv, id);
}

static void
reply_created (const SvControlRequest *req, SvServent *sv, gint64 id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  SvDownloadInfo info;

  if (!sv_downloads_get (sv_servent_downloads (sv), id, &info))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the download vanished");
      return;
    }
  download_to_json (b, &info);
  sv_download_info_clear (&info);
  sv_control_reply_builder (req->msg, SOUP_STATUS_CREATED, b);
}

static void
add_from_result (const SvControlRequest *req, SvServent *sv, JsonObject *obj, guint64 number)
{
  guint64 search = 0;
  g_autoptr (GArray) hits = NULL;
  g_autoptr (GArray) sources = NULL;
  g_autofree char *name = NULL;
  guint64 size = 0;
  const SvSearchHit *h;

  if (!sv_control_json_member_uint (obj, SV_CTL_SEARCH, &search))
    search = sv_servent_search_latest (sv);
  if (search == 0 || (hits = sv_servent_search_hits (sv, search)) == NULL)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND,
                              "no search to take result %" G_GUINT64_FORMAT " from; run 'servent search' first",
                              number);
      return;
    }
  if (number == 0 || number > hits->len)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND,
                              "search %" G_GUINT64_FORMAT " has %u result(s); %" G_GUINT64_FORMAT
                              " is not one of them", search, hits->len, number);
      return;
    }
  h = &g_array_index (hits, SvSearchHit, number - 1);
  if (!h->has_sha1)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                              "result %" G_GUINT64_FORMAT " carries no SHA-1: it cannot be checked, so it is not fetched",
                              number);
      return;
    }
  sources = known_sources (sv, &h->sha1, &name, &size);
  add_and_reply (req, sv, &h->sha1, h->name, h->size, sources);
}

void
sv_control_transfers_post_download (const SvControlRequest *req)
{
  SvServent *sv = sv_control_api_servent (req->user_data);
  g_autoptr (JsonNode) root = sv_control_request_json (req);
  g_autoptr (GArray) sources = NULL;
  g_autoptr (SvMagnet) magnet = NULL;
  g_autofree char *name = NULL;
  JsonObject *obj;
  const char *urn, *magnet_text, *given_name;
  guint64 number = 0, size = 0, given_size = 0;
  SvSha1 sha1;

  if (root == NULL)
    return;
  obj = json_node_get_object (root);
  if (sv_control_json_member_uint (obj, SV_CTL_RESULT, &number))
    {
      add_from_result (req, sv, obj, number);
      return;
    }
  urn = sv_control_json_member_string (obj, SV_CTL_URN);
  magnet_text = sv_control_json_member_string (obj, SV_CTL_MAGNET);
  given_name = sv_control_json_member_string (obj, SV_CTL_NAME);
  (void) sv_control_json_member_uint (obj, SV_CTL_SIZE, &given_size);
  if (magnet_text != NULL)
    {
      if (sv_magnet_parse (magnet_text, strlen (magnet_text), &magnet) != SV_STATUS_OK || !magnet->has_sha1)
        {
          sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST,
                                  "the magnet link does not parse or names no urn:sha1");
          return;
        }
      sha1 = magnet->sha1;
      if (given_name == NULL)
        given_name = magnet->display_name;
      if (given_size == 0 && magnet->has_size)
        given_size = magnet->size;
    }
  else if (urn == NULL || !sv_urn_parse (urn, strlen (urn), &sha1))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST,
                              "the body needs \"result\" (a number), \"urn\" (urn:sha1:…) or \"magnet\"");
      return;
    }
  sources = known_sources (sv, &sha1, &name, &size);
  add_magnet_sources (magnet, sources);
  if (given_size != 0)
    size = given_size;
  if (given_name != NULL)
    {
      g_free (name);
      name = g_strdup (given_name);
    }
  if (size == 0)
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND,
                              "no source of %s is known and its size was not given; search for it first",
                              urn != NULL ? urn : "this file");
      return;
    }
  if (name == NULL)
    name = g_strdup ("download");
  add_and_reply (req, sv, &sha1, name, size, sources);
}

void
sv_control_transfers_get_downloads (const SvControlRequest *req)
{
  SvServent *sv = sv_control_api_servent (req->user_data);
  g_autoptr (GArray) list = sv_downloads_list (sv_servent_downloads (sv));
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_DOWNLOADS);
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    download_to_json (b, &g_array_index (list, SvDownloadInfo, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}

void
sv_control_transfers_get_download (const SvControlRequest *req)
{
  SvServent *sv = sv_control_api_servent (req->user_data);
  gint64 id = download_id_arg (req);
  g_autoptr (JsonBuilder) b = NULL;
  SvDownloadInfo info;

  if (id == 0)
    return;
  if (!sv_downloads_get (sv_servent_downloads (sv), id, &info))
    {
      sv_control_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "no download %" G_GINT64_FORMAT, id);
      return;
    }
  b = json_builder_new ();
  download_to_json (b, &info);
  sv_download_info_clear (&info);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}

typedef gboolean (*DownloadAction) (SvDownloads *downloads, gint64 id, GError **error);

static void
act (const SvControlRequest *req, DownloadAction action, guint ok_status)
{
  SvServent *sv = sv_control_api_servent (req->user_data);
  gint64 id = download_id_arg (req);
  g_autoptr (GError) error = NULL;

  if (id == 0)
    return;
  if (!action (sv_servent_downloads (sv), id, &error))
    {
      sv_control_reply_error (req->msg,
                              g_error_matches (error, SV_DOWNLOADS_ERROR, SV_DOWNLOADS_ERROR_NOT_FOUND)
                                  ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              "%s", error->message);
      return;
    }
  sv_control_reply_empty (req->msg, ok_status);
}

void
sv_control_transfers_delete_download (const SvControlRequest *req)
{
  act (req, sv_downloads_cancel, SOUP_STATUS_NO_CONTENT);
}

void
sv_control_transfers_pause_download (const SvControlRequest *req)
{
  act (req, sv_downloads_pause, SOUP_STATUS_NO_CONTENT);
}

void
sv_control_transfers_resume_download (const SvControlRequest *req)
{
  act (req, sv_downloads_resume, SOUP_STATUS_NO_CONTENT);
}

void
sv_control_transfers_get_uploads (const SvControlRequest *req)
{
  SvServent *sv = sv_control_api_servent (req->user_data);
  guint queued = 0;
  g_autoptr (GArray) list = sv_uploads_list (sv_servent_uploads (sv), &queued);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  char a[SV_HOST_ADDR_STRLEN];

  json_builder_begin_object (b);
  json_builder_set_member_name (b, SV_CTL_UPLOADS);
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      const SvUploadInfo *u = &g_array_index (list, SvUploadInfo, i);

      json_builder_begin_object (b);
      sv_control_json_string (b, SV_CTL_ADDRESS, sv_host_addr_format (&u->remote, TRUE, a));
      sv_control_json_string (b, SV_CTL_NAME, u->name);
      sv_control_json_uint (b, SV_CTL_OFFSET, u->offset);
      sv_control_json_uint (b, SV_CTL_END, u->end);
      sv_control_json_uint (b, SV_CTL_BYTES, u->body_bytes);
      json_builder_set_member_name (b, SV_CTL_PUSHED);
      json_builder_add_boolean_value (b, u->pushed);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  sv_control_json_uint (b, SV_CTL_QUEUED, queued);
  json_builder_end_object (b);
  sv_control_reply_builder (req->msg, SOUP_STATUS_OK, b);
}
