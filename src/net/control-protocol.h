/* control-protocol.h: the control API as both ends speak it: where the socket is, the resource
 * paths, and the JSON member names. serventd (control-api.c) writes what `servent` (src/cli)
 * reads; both take the names from here, so that a renamed field is one change that both follow.
 *
 * Resources (JSON over HTTP/1.1 on a Unix socket):
 *   GET    /v1/status                   the daemon's state and counters
 *   GET    /v1/peers                    the connected peers
 *   POST   /v1/searches                 start a search {query, ttl?, max_results?}
 *   GET    /v1/searches                 the searches
 *   GET    /v1/searches/ID/results      their hits (?follow: stream them as they arrive)
 *   DELETE /v1/searches/ID              stop and forget one
 *   GET    /v1/shares                   the shared folders and the index
 *   POST   /v1/shares/rescan            rescan the folders
 *   POST   /v1/downloads                start one {urn, name?, size?} or {result, search?}
 *   GET    /v1/downloads                the downloads
 *   GET    /v1/downloads/ID             one of them
 *   DELETE /v1/downloads/ID             cancel and forget one (its partial data too)
 *   POST   /v1/downloads/ID/pause       pause / resume one
 *   POST   /v1/downloads/ID/resume
 *   GET    /v1/uploads                  the upload connections and the queue
 * Errors are {"error": "one line"} with a 4xx or 5xx status. */
#pragma once

#include <glib.h>

/* The control socket's file name inside the runtime directory. */
#define SV_CONTROL_SOCKET_NAME "control.sock"

/* Where serventd puts its control socket and `servent` looks for it, when not told: the first of
 * $SERVENT_RUNTIME_DIR, systemd's $RUNTIME_DIRECTORY (its first path), $XDG_RUNTIME_DIR/servent,
 * /run/user/UID/servent (when /run/user/UID exists), $TMPDIR/servent-UID, /tmp/servent-UID.
 * Relative $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR and $TMPDIR are ignored. @envp: (nullable) the
 * environment to read (NULL: none). Returns: (transfer full). */
char *sv_control_protocol_default_runtime_dir (char **envp);

/* Returns: (transfer full) @runtime_dir/SV_CONTROL_SOCKET_NAME. */
char *sv_control_protocol_socket_path (const char *runtime_dir);

/* Resource paths ("*" stands for one path segment, the search id). */
#define SV_CTL_PATH_STATUS             "/v1/status"
#define SV_CTL_PATH_PEERS              "/v1/peers"
#define SV_CTL_PATH_SEARCHES           "/v1/searches"
#define SV_CTL_PATH_SEARCH             "/v1/searches/*"
#define SV_CTL_PATH_SEARCH_RESULTS     "/v1/searches/*/results"
#define SV_CTL_PATH_SHARES             "/v1/shares"
#define SV_CTL_PATH_SHARES_RESCAN      "/v1/shares/rescan"
#define SV_CTL_PATH_SHARES_REMOVE      "/v1/shares/remove"
#define SV_CTL_PATH_DOWNLOADS          "/v1/downloads"
#define SV_CTL_PATH_DOWNLOAD           "/v1/downloads/*"
#define SV_CTL_PATH_DOWNLOAD_PAUSE     "/v1/downloads/*/pause"
#define SV_CTL_PATH_DOWNLOAD_RESUME    "/v1/downloads/*/resume"
#define SV_CTL_PATH_UPLOADS            "/v1/uploads"
#define SV_CTL_PATH_SYNCS              "/v1/syncs"
#define SV_CTL_PATH_SYNCS_REMOVE       "/v1/syncs/remove"
#define SV_CTL_PATH_SYNCS_NOW          "/v1/syncs/now"
#define SV_CTL_PATH_DOWNLOAD_FMT       "/v1/downloads/%" G_GINT64_FORMAT
/* A search's own paths, for printf with its id (gint64). */
#define SV_CTL_PATH_SEARCH_FMT         "/v1/searches/%" G_GINT64_FORMAT
#define SV_CTL_PATH_SEARCH_RESULTS_FMT "/v1/searches/%" G_GINT64_FORMAT "/results"

/* JSON member names and query parameters. */
#define SV_CTL_ANNOUNCED                 "announced"
#define SV_CTL_DONE                      "done"
#define SV_CTL_DOWNLOADS                 "downloads"
#define SV_CTL_END                       "end"
#define SV_CTL_EVIDENCE                  "evidence"
#define SV_CTL_NAT                       "nat"
#define SV_CTL_NAT_EVIDENCE              "nat_evidence"
#define SV_CTL_PORT_MAP                  "port_map"
#define SV_CTL_PROTOCOL                  "protocol"
#define SV_CTL_EXTERNAL                  "external"
#define SV_CTL_LEASE                     "lease_s"
#define SV_CTL_UDP                       "udp"
#define SV_CTL_REQUESTS                  "requests"
#define SV_CTL_REFUSED                   "refused"
#define SV_CTL_ERROR                     "error"
#define SV_CTL_MAGNET                    "magnet"
#define SV_CTL_METHOD                    "method"
#define SV_CTL_FROM                      "from"
#define SV_CTL_FIRST_BYTE_MS             "first_byte_ms"
#define SV_CTL_OFFSET                    "offset"
#define SV_CTL_PUSHED                    "pushed"
#define SV_CTL_PUSHES_ANSWERED           "pushes_answered"
#define SV_CTL_PUSHES_SENT               "pushes_sent"
#define SV_CTL_RATE                      "rate"
#define SV_CTL_REACHABILITY              "reachability"
#define SV_CTL_RESULT                    "result"
#define SV_CTL_SOURCES                   "sources"
#define SV_CTL_SOURCES_USED              "sources_used"
#define SV_CTL_MISMATCHES                "mismatches"
#define SV_CTL_SOURCES_ACTIVE            "sources_active"
#define SV_CTL_SOURCES_ALIVE             "sources_alive"
#define SV_CTL_STATE                     "state"
#define SV_CTL_TRANSFERS                 "transfers"
#define SV_CTL_ADMISSION                 "admission"
#define SV_CTL_UPLOADS                   "uploads"
#define SV_CTL_SYNCS                     "syncs"
#define SV_CTL_SOURCE                    "source"
#define SV_CTL_DELETE                    "delete"
#define SV_CTL_INTERVAL_S                "interval_s"
#define SV_CTL_LAST_RUN_S                "last_run_s"
#define SV_CTL_NEXT_RUN_S                "next_run_s"
#define SV_CTL_LAST_ERROR                "last_error"
#define SV_CTL_PENDING                   "pending"
#define SV_CTL_CONFLICTS                 "conflicts"
#define SV_CTL_RUNS                      "runs"
#define SV_CTL_SKIPPED                   "skipped"
#define SV_CTL_ROUTE_ENTRIES             "route_entries"
#define SV_CTL_PUSH_ROUTES               "push_routes"
#define SV_CTL_LATEST                    "latest"
#define SV_CTL_FETCH_BYTES               "fetch_bytes"
#define SV_CTL_FETCHED_BYTES             "fetched_bytes"
#define SV_CTL_VERDICT                   "verdict"
#define SV_CTL_PATH                      "path"
#define SV_CTL_QUEUED                    "queued"
#define SV_CTL_SEARCH                    "search"
#define SV_CTL_ACCEPT_REJECTED           "accept_rejected"
#define SV_CTL_ACTIVE                    "active"
#define SV_CTL_ADDRESS                   "address"
#define SV_CTL_AGE_S                     "age_s"
#define SV_CTL_BYTES                     "bytes"
#define SV_CTL_BYTES_HASHED              "bytes_hashed"
#define SV_CTL_BYTES_IN                  "bytes_in"
#define SV_CTL_BYTES_OUT                 "bytes_out"
#define SV_CTL_CLOSED                    "closed"
#define SV_CTL_CONNECTED_S               "connected_s"
#define SV_CTL_CONNECTING                "connecting"
#define SV_CTL_COUNTERS                  "counters"
#define SV_CTL_DEFLATE_IN                "deflate_in"
#define SV_CTL_DEFLATE_OUT               "deflate_out"
#define SV_CTL_DIRECTION                 "direction"
#define SV_CTL_DROPPED                   "dropped"
#define SV_CTL_ERROR                     "error"
#define SV_CTL_FILES                     "files"
#define SV_CTL_FILES_HASHED              "files_hashed"
#define SV_CTL_FIREWALLED                "firewalled"
#define SV_CTL_FOLDER                    "folder"
#define SV_CTL_FOLDERS                   "folders"
#define SV_CTL_FOLLOW                    "follow"
#define SV_CTL_GUID                      "guid"
#define SV_CTL_HITS                      "hits"
#define SV_CTL_HITS_RECEIVED             "hits_received"
#define SV_CTL_HITS_ROUTED               "hits_routed"
#define SV_CTL_HITS_SENT                 "hits_sent"
#define SV_CTL_HOPS                      "hops"
#define SV_CTL_HOST_CACHE                "host_cache"
#define SV_CTL_ID                        "id"
#define SV_CTL_INDEX                     "index"
#define SV_CTL_LEAVES                    "leaves"
#define SV_CTL_LISTEN                    "listen"
#define SV_CTL_MAX_RESULTS               "max_results"
#define SV_CTL_MSGS_IN                   "msgs_in"
#define SV_CTL_MSGS_OUT                  "msgs_out"
#define SV_CTL_MUID                      "muid"
#define SV_CTL_NAME                      "name"
#define SV_CTL_PEERS                     "peers"
#define SV_CTL_PEERS_KICKED              "peers_kicked"
#define SV_CTL_PORT                      "port"
#define SV_CTL_QRP_FILL_PERMILLE         "qrp_fill_permille"
#define SV_CTL_QRP_TABLE                 "qrp_table"
#define SV_CTL_QRP_TABLES_RECEIVED       "qrp_tables_received"
#define SV_CTL_QRP_TABLES_SENT           "qrp_tables_sent"
#define SV_CTL_QUERIES_DUPLICATE         "queries_duplicate"
#define SV_CTL_QUERIES_FORWARDED         "queries_forwarded"
#define SV_CTL_QUERIES_HANDLED           "queries_handled"
#define SV_CTL_QUERIES_QRP_BLOCKED       "queries_qrp_blocked"
#define SV_CTL_QUERIES_RECEIVED          "queries_received"
#define SV_CTL_QUERY                     "query"
#define SV_CTL_QUEUED_BYTES              "queued_bytes"
#define SV_CTL_REFUSED_BUSY              "refused_busy"
#define SV_CTL_ROLE                      "role"
#define SV_CTL_SCANNING                  "scanning"
#define SV_CTL_SEARCHES                  "searches"
#define SV_CTL_SERVENT                   "servent"
#define SV_CTL_SHARES                    "shares"
#define SV_CTL_SIZE                      "size"
#define SV_CTL_TTL                       "ttl"
#define SV_CTL_ULTRAPEERS                "ultrapeers"
#define SV_CTL_UNREADABLE                "unreadable"
#define SV_CTL_UPTIME_S                  "uptime_s"
#define SV_CTL_URN                       "urn"
#define SV_CTL_USER_AGENT                "user_agent"
#define SV_CTL_VENDOR                    "vendor"
#define SV_CTL_VERSION                   "version"
#define SV_CTL_WIRE_BYTES_IN             "wire_bytes_in"
#define SV_CTL_WIRE_BYTES_OUT            "wire_bytes_out"
