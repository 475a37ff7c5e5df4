#include "Routes.h"

namespace sipbridge::api {

/// The document's `info.description` (CommonMark).
const char* openApiDescription() {
  return R"md(
REST and WebSocket API of sipbridge: a bridge between web clients and SIP (registration, messages, presence, calls), with every event recorded in PostgreSQL and delivered to the application's web hooks.

## Authentication
- `POST /api/v1/connect` needs no token; it answers with the session's `authToken`.
- Every other client call: `Authorization: Bearer <authToken>`. Browsers cannot set headers on a WebSocket: `GET /api/v1/ws` also takes the token as the query parameter `token`, or as the subprotocol `token.<authToken>` offered beside `sipbridge` (`new WebSocket(url, ["sipbridge", "token." + authToken])`; the server selects `sipbridge`, never echoes the token).
- `/admin/v1/*`: `Authorization: Bearer <admin token>`. When the server has no admin token configured, the admin API answers 404.

## Requests and errors
Bodies are JSON objects with `Content-Type: application/json` (UTF-8), at most 64 KiB by default. They are checked strictly: invalid UTF-8, a lone surrogate escape (`\ud800`) or a syntax error is `400 malformed_json`, a member name given twice `400 duplicate_member`; the message says what and at which byte, `field` names the member it is in (`payload.items[2]`). HTTP framing is strict too: two different `Content-Length`s, a negative or oversized one, `Transfer-Encoding` with `Content-Length` or other than `chunked`, and obsolete header line folding are answered 400 and the connection is closed; headers over the limit 431. Every error answers `{"error":{"code","message","field"}}`; `field` names the offending field and is omitted when none applies. 400 bad input, 401 bad or expired token, 403 connect refused or an origin the application does not allow (`origin_not_allowed`), 404 unknown id or route (`unknown_method` for an unknown method name), 413 body too large, 415 wrong Content-Type, 501 method not implemented yet, 503 overload or database unavailable with `Retry-After` (no accepted work is lost; the message is a stable public one, details go to the server log). A method answers 202 as soon as its work is durably queued; its outcome arrives as events.

## Events
Every event is a JSON object (schema `Event`): `type`, `status` (when the type has one), the type's own fields, `nodeId`, `sessionId`, `appKey`, `eventId` (globally unique, the idempotency key), `seq` (monotonic per session) and `timestamp` (ISO 8601, UTC, milliseconds). Types and statuses:

| type | statuses |
|---|---|
| ConnectionStatusEvent | PENDING, ESTABLISHED, FAILED, DISCONNECTED |
| RegistrationStatusEvent | REGISTERED, UNREGISTERED, FAILED |
| MessageStatusEvent | RECEIVED, ACCEPTED, FAILED, IMDN_DELIVERED, IMDN_FAILED, IMDN_NOTIFICATION_SENT |
| OnMessageEvent | (none: id, from, to, body, contentType, isImdnRequired, sipMessageRaw) |
| SubscriptionStatusEvent | Active, Terminated (requestBody: the NOTIFY body) |
| XcapStatusEvent | (none: url, xcapResponse, httpStatus) |
| OnCallEvent, CallStatusEvent | TRYING, RING, SESSION_PROGRESS, BUSY, ESTABLISHED, HOLD, FINISH, FAILED |
| TransferStatusEvent | ACCEPTED, TRYING, COMPLETED, FAILED |
| OnDataEvent, DataStatusEvent | ACCEPTED, FAILED |
| ErrorEvent | (none: info) |

Each event is committed to PostgreSQL first, then reaches, at least once: the session's WebSocket (`GET /api/v1/ws`), long-poll (`GET /api/v1/events`), and the application's hook.

## Hook delivery contract
For every event the bridge sends `POST <hookUrl>/<EventType>` (for example `<hookUrl>/MessageStatusEvent`) with the event JSON as body and the Standard Webhooks headers `webhook-id` (= eventId, stable), `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded secret after `whsec_`; fresh on every attempt). Delivery is at least once and unordered: deduplicate on `webhook-id`, reorder by `seq`. A 2xx answer is success. Anything else is retried with exponential backoff and jitter for a configurable period (about a day by default), with a timeout of about 10-15 s per attempt; 3xx counts as failure (redirects are never followed); 429 with Retry-After is honoured; 410 Gone disables the application's hooks (a PUT of the application re-enables them). Exhausted deliveries are kept as dead and can be inspected and replayed with the admin API. Hook URLs are checked against the server's allow policy. The requests are described under `x-webhooks`.

## Connect hook contract
When the application has `connectHook` true, `POST /api/v1/connect` first calls `POST <hookUrl>/connect` synchronously, signed like every hook, with the connect as the backend sees it (every field but `sipPassword`). A 2xx answer accepts; its JSON object body, if any, overrides connect fields (for example the SIP credentials, so a browser never holds them, and `custom`; `appKey` cannot be overridden) and the result is validated again. Any other answer, a timeout or a refused connection refuses the connect: ConnectionStatusEvent FAILED with `info`, and the client gets 403 with the connect body and an error object.

## Messages and reporting
Every message sent with `sendMessage` or received has one row in the PostgreSQL table `messages` (key: sessionId, message id, direction) with its current status (QUEUED, ACCEPTED, FAILED, IMDN_DELIVERED, IMDN_FAILED for outgoing; RECEIVED, IMDN_NOTIFICATION_SENT for incoming) and the time of each transition (`queued_at`, `accepted_at`, `failed_at`, `received_at`, `imdn_delivered_at`, `imdn_failed_at`, `imdn_sent_at`). The row is updated in the same transaction that commits the MessageStatusEvent, and a late ACCEPTED never replaces an IMDN status. The view `message_delivery_daily` gives per application and UTC day the counts sent, accepted, failed, IMDN requested and delivered, received, `acceptance_rate` and `delivery_rate`; `message_latency` gives per outgoing message `accept_latency` and `delivery_latency` (also in milliseconds as double precision), e.g. `SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY accept_latency_ms) FROM message_latency WHERE day = current_date`. Every table, column and view carries a COMMENT.

## Presence, registration state and XCAP
`subscribe` sends a SUBSCRIBE (event `presence`, `reg`, or another package with `accept`) and keeps it refreshed while the session lives; each NOTIFY becomes a SubscriptionStatusEvent with the body as received and, for PIDF and reginfo, parsed into `presence` / `reginfo`. NOTIFYs of one subscription arriving faster than the coalescing interval are all stored and pushed to clients, but only the latest of a burst is sent to hooks (the others carry `coalesced: true`). `publish` (extension) publishes the session's own presence; its outcome is a PublishStatusEvent. `sendXcapRequest` performs GET (PUT and DELETE as extensions) under a configured XCAP root with the session's SIP credentials; its answer is an XcapStatusEvent. All three need a SIP identity (409 otherwise) and answer 202 with the ids of what they started.

## Calls
The bridge carries signalling only: the client's SDP goes into the INVITE (or the 200) unchanged and the far end's SDP comes back in the events; media never passes through the bridge. `call` sends an INVITE through the session's SIP server (digest challenges answered with the session's credentials) and reports CallStatusEvent TRYING, RING, SESSION_PROGRESS (early SDP), ESTABLISHED (answer SDP), BUSY (486/600), FAILED (other final answers; 408 when nobody answered in `calls.noAnswerTimeoutSeconds`, after which the bridge sends CANCEL) and FINISH. An incoming INVITE for the session's contact gets 180 at once and becomes OnCallEvent (incoming: true, the offer in `sdp`) plus CallStatusEvent RING; `answer` sends 200 with the client's SDP, `hangup` rejects it (603, or 486 with `busy`), and after `calls.ringTimeoutSeconds` without an answer the bridge refuses it with 480. `hold` / `unhold` send a re-INVITE with the call's SDP whose direction is changed to sendonly / sendrecv (with a new o= version); a re-INVITE from the far end is answered at once with our SDP in the matching direction (their sendonly: our recvonly; inactive: inactive) and reported as HOLD or ESTABLISHED with their SDP. `transfer` sends REFER; TransferStatusEvent ACCEPTED (2xx to the REFER), TRYING, COMPLETED or FAILED (from the message/sipfrag NOTIFYs). A REFER received in a call is answered 202, reported as TransferStatusEvent ACCEPTED with incoming: true, and carried out by the bridge: a new call of the session to the Refer-To target (with the referring call's SDP as the offer; its events carry `transferredFrom`) whose progress is reported to the referrer in NOTIFYs. `sendDTMF` sends SIP INFO (application/dtmf-relay, or application/dtmf for INFO_RELAY), one per symbol; RFC2833 is refused because it travels in RTP. When a session ends, its calls get FINISH and are hung up. Every call leg has a row in `call_legs` (status, sip_status, direction, caller, callee, sip_call_id, created/ringing/established/ended times, final_status), kept by the database from the committed call events; the view `calls` groups the legs of one SIP Call-ID (a call between two sessions of the bridge has two legs) with `started_at`, `answered_at`, `ended_at`, `duration_seconds` and `outcome`, and `call_outcomes_daily` counts calls per application and day.

## Browsers (CORS)
Each application lists the origins whose pages may call the client API (`allowedOrigins`, admin API). A preflight (`OPTIONS /api/v1/...` with `Origin` and `Access-Control-Request-Method`) carries no token, so it is answered 204 when some application allows the origin (`Access-Control-Allow-Methods: GET, POST`, `Access-Control-Allow-Headers: Authorization, Content-Type`, `Access-Control-Max-Age`), else 403. The actual request is then checked against its own application (the session's, or the connect body's `appKey`): an origin it does not allow is refused with 403 `origin_not_allowed` before anything is done; an allowed one gets `Access-Control-Allow-Origin: <origin>`, `Vary: Origin` and `Access-Control-Expose-Headers: Retry-After`. Errors given before the application is known (401) carry the header when some application allows the origin. No cookies or credentials are used: `Access-Control-Allow-Credentials` is never sent. A WebSocket handshake with an `Origin` is checked the same way.

## Limits
Connections are served by an event loop: an idle connection, a waiting long-poll and an open WebSocket cost memory, not a thread. Over a limit the answer is a clear refusal, never a stall, and each refusal is counted in `sipbridge_http_refused_total{reason}`: too many connections in total or from one address (503 with Retry-After, then the connection is closed), too many waiting long-polls (`maxLongPolls`) or open WebSockets (`maxWebSockets`) (503 with Retry-After), every worker busy (503 with Retry-After; over the WebSocket a reply with status 503 and `retryAfter`). A request's headers must arrive within the header deadline and its body within the body deadline, and an idle kept-alive connection is closed (`sipbridge_http_timeouts_total{phase}`). WebSocket close codes: 1000 session ended, 1001 server stopping, 1003 a binary frame, 1009 a message over the size limit, 1013 the client reads too slowly (its send queue is full: reconnect with `after` = the last seq received; nothing is lost). The server pings a silent client and closes one that does not answer (`sipbridge_websocket_closed_total{reason}`). Every method of the reference list is built; 501 `not_implemented` remains for a known method a node is configured without.

Members marked `x-extension: true` go beyond the reference method list.
)md";
}

}  // namespace sipbridge::api
