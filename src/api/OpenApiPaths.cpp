#include "Routes.h"

namespace sipbridge::api {

/// The `paths` object of the OpenAPI document (JSON).
const char* openApiPaths() {
  return R"json({
 "/api/v1/connect": {
  "post": {
   "tags": ["client"],
   "operationId": "connect",
   "summary": "Creates a session",
   "description": "Validates the connect fields, calls the application's /connect hook (see the description of this document), creates the session and commits ConnectionStatusEvent PENDING (or FAILED). Unknown fields are refused with 400.",
   "requestBody": {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConnectRequest"}}},
    "required": true
   },
   "responses": {
    "200": {"description": "Session created; status is PENDING or ESTABLISHED", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConnectResponse"}}}},
    "403": {"description": "The /connect hook refused the connect: status FAILED with info, plus the error object", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConnectRefused"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/disconnect": {
  "post": {
   "tags": ["methods"],
   "operationId": "disconnect",
   "summary": "Ends the session",
   "description": "Unregisters the session from SIP and commits ConnectionStatusEvent DISCONNECTED. The body is optional and must be an empty object when present.",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Session ended", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DisconnectReply"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/sendMessage": {
  "post": {
   "tags": ["methods"],
   "operationId": "sendMessage",
   "summary": "Sends an instant message (SIP MESSAGE: text/plain, CPIM, or multipart/mixed to several recipients). Outcome: MessageStatusEvent.",
   "description": "Validates the fields, records the message as QUEUED (table `messages`) and hands it to SIP; answers 202 as soon as it is queued. The SIP From and the CPIM From are always the session's own identity. The outcome arrives as MessageStatusEvent with the same `id`: ACCEPTED when SIP answered 2xx, FAILED with `sipStatus` and `info` for 4xx-6xx or no answer (a 401/407 challenge is answered with the session's credentials), then IMDN_DELIVERED or IMDN_FAILED when `isImdnRequired` and the recipient sends a notification. A far end answering 415 to CPIM gets the text again as text/plain (said in `info`). Every bad field is refused with 400 naming it, and nothing reaches SIP: empty or oversized body (limits per content type in the server configuration), unknown contentType, malformed `to` or recipient, more recipients than configured, control characters, an `id` the session already used.",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "required": true,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SendMessageRequest"}}}
   },
   "responses": {
    "202": {"description": "Message queued; outcome as MessageStatusEvent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SendMessageAccepted"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/sendIMDN": {
  "post": {
   "tags": ["methods"],
   "operationId": "sendIMDN",
   "summary": "Sends the IMDN delivery notification of a received message. Outcome: MessageStatusEvent IMDN_NOTIFICATION_SENT.",
   "description": "For a message received by this session (OnMessageEvent with isImdnRequired true), sends the IMDN \"delivered\" notification (RFC 5438) to its sender. Needed when the application's imdnMode is manual; with automatic the bridge sends it itself once the message is committed, with never it is not sent unless asked here. Committed as MessageStatusEvent IMDN_NOTIFICATION_SENT with the message's id. 404 (field messageId) when the session received no such message asking for a notification.",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "required": true,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SendImdnRequest"}}}
   },
   "responses": {
    "202": {"description": "Notification queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SendImdnAccepted"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/subscribe": {
  "post": {
   "tags": ["methods"],
   "operationId": "subscribe",
   "summary": "Subscribes to an event package (SUBSCRIBE). Outcome: SubscriptionStatusEvent.",
   "description": "Sends a SUBSCRIBE for the event package `event` (presence, reg, or another package with `accept`) to `to` (default: the session's own AOR) and keeps it refreshed while the session lives. Answers 202 with the subscriptionId once the SUBSCRIBE is handed to SIP; every NOTIFY then becomes a SubscriptionStatusEvent (Active, or Terminated with info) carrying the body as received and, for presence and reg, the body parsed into `presence` / `reginfo`. A refused SUBSCRIBE gives Terminated with sipStatus. NOTIFYs of one subscription closer together than the coalescing interval are all stored, but only the latest is sent to hooks (the others carry coalesced true). `terminate: true` ends the subscription to the same event and target (404 when there is none). 400 names the bad field (unknown field, bad event name, expires outside 60..86400, malformed to, missing accept, too many subscriptions); 409 when the session has no SIP identity (connect with sipRegisterRequired).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "required": true,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubscribeRequest"}}}
   },
   "responses": {
    "202": {"description": "SUBSCRIBE handed to SIP; outcome as SubscriptionStatusEvent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubscribeAccepted"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/sendXcapRequest": {
  "post": {
   "tags": ["methods"],
   "operationId": "sendXcapRequest",
   "summary": "Performs an XCAP request (GET; PUT and DELETE as extensions). Outcome: XcapStatusEvent.",
   "description": "Sends an HTTP request to the XCAP server (RFC 4825) with the session's SIP credentials (digest authentication) and answers 202 with the request id; the answer arrives as XcapStatusEvent with the same id (httpStatus, xcapResponse = the response body, contentType, etag; info when there was no answer). `url` must lie under one of the configured XCAP roots: another root or host, '..', an encoded slash (%2F) or control characters are refused with 400 (field url) and nothing is sent. `method` is GET (reference) or PUT / DELETE (extensions); PUT needs `body` and `contentType`, other methods carry no body. `ifMatch` / `ifNoneMatch` set ETag preconditions. 409 when the session has no SIP login; 503 when the XCAP client's queue is full.",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "required": true,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/XcapRequest"}}}
   },
   "responses": {
    "202": {"description": "Request queued; outcome as XcapStatusEvent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/XcapAccepted"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/call": {
  "post": {
   "tags": ["methods"],
   "operationId": "call",
   "summary": "Starts an outgoing call. Outcome: CallStatusEvent.",
   "description": "Starts an outgoing call. Outcome: CallStatusEvent. Not implemented yet in this version: after authentication and JSON validation it answers 501 not_implemented (an unknown method answers 404 unknown_method instead).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "501": {"$ref": "#/components/responses/NotImplemented"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/answer": {
  "post": {
   "tags": ["methods"],
   "operationId": "answer",
   "summary": "Answers an incoming call.",
   "description": "Answers an incoming call. Not implemented yet in this version: after authentication and JSON validation it answers 501 not_implemented (an unknown method answers 404 unknown_method instead).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "501": {"$ref": "#/components/responses/NotImplemented"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/hangup": {
  "post": {
   "tags": ["methods"],
   "operationId": "hangup",
   "summary": "Ends a call.",
   "description": "Ends a call. Not implemented yet in this version: after authentication and JSON validation it answers 501 not_implemented (an unknown method answers 404 unknown_method instead).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "501": {"$ref": "#/components/responses/NotImplemented"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/hold": {
  "post": {
   "tags": ["methods"],
   "operationId": "hold",
   "summary": "Puts a call on hold.",
   "description": "Puts a call on hold. Not implemented yet in this version: after authentication and JSON validation it answers 501 not_implemented (an unknown method answers 404 unknown_method instead).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "501": {"$ref": "#/components/responses/NotImplemented"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/unhold": {
  "post": {
   "tags": ["methods"],
   "operationId": "unhold",
   "summary": "Resumes a held call.",
   "description": "Resumes a held call. Not implemented yet in this version: after authentication and JSON validation it answers 501 not_implemented (an unknown method answers 404 unknown_method instead).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "501": {"$ref": "#/components/responses/NotImplemented"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/transfer": {
  "post": {
   "tags": ["methods"],
   "operationId": "transfer",
   "summary": "Transfers a call (REFER). Outcome: TransferStatusEvent.",
   "description": "Transfers a call (REFER). Outcome: TransferStatusEvent. Not implemented yet in this version: after authentication and JSON validation it answers 501 not_implemented (an unknown method answers 404 unknown_method instead).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "501": {"$ref": "#/components/responses/NotImplemented"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/sendDTMF": {
  "post": {
   "tags": ["methods"],
   "operationId": "sendDTMF",
   "summary": "Sends DTMF digits on a call.",
   "description": "Sends DTMF digits on a call. Not implemented yet in this version: after authentication and JSON validation it answers 501 not_implemented (an unknown method answers 404 unknown_method instead).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "501": {"$ref": "#/components/responses/NotImplemented"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/sendData": {
  "post": {
   "tags": ["methods"],
   "operationId": "sendData",
   "summary": "Sends data to the application backend. Outcome: DataStatusEvent.",
   "description": "Body: `payload` (any JSON value, at most data.maxPayloadBytes once serialised), `operationId` (optional string of up to 128 printable characters; generated when absent), `to` (optional; extension). Without `to` the payload goes to the application backend: an OnDataEvent {operationId, payload, direction: outgoing, to: backend, hookDelivery: direct} is recorded on the session and, once committed (202 {operationId}), POSTed signed to <hookUrl>/OnDataEvent directly (not through the hook outbox; webhook-id = its eventId). Retry policy: at most data.hookAttempts attempts; no answer, 408, 429 and 5xx are retried after 250 ms, then 1 s, 4 s... (data.firstRetryDelayMs, times 4; a Retry-After of 429/503 replaces the delay); other answers are final; no attempt starts later than data.hookDeadlineMs after the sendData was accepted (one still queued then fails with info \"deadline passed before the backend could be reached\"). Each application has its own queue (data.perAppQueue) and at most data.perAppInFlight POSTs at a time, so a slow backend delays only its own application. The outcome is a DataStatusEvent {operationId, status ACCEPTED (2xx) or FAILED, httpStatus, attempts, info}; FAILED at once when the application has no hook URL, FAILED \"node shutting down\" for one still queued when the node stops. With `to` (extension: a session id or a SIP login of the same application) every live session it names except the sender gets OnDataEvent {operationId, payload, from, fromLogin, incoming: true} (a user with several tabs gets it in each), and the sender gets DataStatusEvent ACCEPTED {operationId, to, deliveredTo: [session ids]} once all are committed. 400 names the bad field (unknown member, payload missing or too large, a payload string or member name holding a NUL or invalid UTF-8, operationId, `to` naming only the sender); 404 field to when no such session of the application is live; 409 when the same operationId is still being sent; 503 when too many sendData are in progress (in all, or of this application) or the node is stopping.",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "$ref": "#/components/requestBodies/MethodBody"
   },
   "responses": {
    "202": {"description": "Work durably queued; the ids created are returned, the outcome arrives as events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodAccepted"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/publish": {
  "post": {
   "tags": ["methods"],
   "operationId": "publish",
   "summary": "Publishes the session's own presence (PUBLISH). Outcome: PublishStatusEvent.",
   "description": "Sends a PUBLISH of a PIDF document for the session's own AOR: `state` open (default) or closed, an optional `note`, `expires` 60..86400 (default 3600); `withdraw: true` removes the published state instead. Answers 202 with the publicationId; the outcome arrives as PublishStatusEvent (extension) with the same publicationId: PUBLISHED or WITHDRAWN on 2xx, FAILED with sipStatus and info otherwise. 400 names the bad field; 409 when the session has no SIP identity (connect with sipRegisterRequired).",
   "security": [{"sessionToken": []}],
   "requestBody": {
    "required": true,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublishRequest"}}}
   },
   "responses": {
    "202": {"description": "PUBLISH handed to SIP; outcome as PublishStatusEvent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublishAccepted"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   },
   "x-extension": true
  }
 },
 "/api/v1/events": {
  "get": {
   "tags": ["events"],
   "operationId": "pollEvents",
   "summary": "Long-poll for the session's events",
   "description": "Returns the committed events of the session with seq > after, in seq order. When there is none yet, waits up to `wait` seconds (capped by the server's maxLongPollSeconds, 30 by default) for the first one; a waiting long-poll holds no server thread. Returns early (possibly empty) when the session ends or the server stops. Resume with after = last. When the server's cap of waiting long-polls is reached the answer is 503 with Retry-After.",
   "security": [{"sessionToken": []}],
   "parameters": [{"name": "after", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 0, "default": 0}, "description": "Last seq already seen (400 field after when not an integer >= 0)"}, {"name": "wait", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}, "description": "Seconds to wait for a first event; capped by the server"}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "x-extension": true, "description": "Most events returned at once"}],
   "responses": {
    "200": {"description": "Events (possibly none)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventBatch"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/ws": {
  "get": {
   "tags": ["events"],
   "operationId": "webSocket",
   "summary": "WebSocket: event push and method calls",
   "description": "Upgrades to a WebSocket (RFC 6455). Browsers cannot set headers on a WebSocket: the token is given as the subprotocol `token.<authToken>` offered together with `sipbridge` (`new WebSocket(url, [\"sipbridge\", \"token.\" + authToken])`; the server answers `Sec-WebSocket-Protocol: sipbridge` and never echoes the token), or as the `token` query parameter, or as Bearer header. A handshake with `Origin` must come from an origin the session's application allows (403 otherwise).\n\nServer → client: each committed event of the session as one text frame holding the event JSON object (schema Event), in seq order, starting after `after`; a reconnecting client passes the last seq it saw and loses nothing. Replies to method frames: `{\"replyTo\":<id>,\"status\":<HTTP status>,\"body\":{...}}` (schema WsReply).\n\nClient → server: method calls as text frames `{\"id\":\"<client request id>\",\"method\":\"disconnect\",...fields}` (schema WsMethodFrame), answered like POST /api/v1/{method}.\n\nPing frames are answered with pong. After webSocketPingSeconds (30) of silence the server pings; a client silent for twice that is closed as dead. Messages larger than webSocketMaxMessageBytes (64 KiB) close the socket with 1009; binary frames with 1003. Events and replies wait in a send queue of at most webSocketSendQueueBytes (256 KiB) per socket: a client that reads more slowly than its events arrive is closed with 1013 (Try Again Later) and resumes by reconnecting with after = the last seq it received (nothing is lost); one that takes nothing for webSocketSendTimeoutSeconds (10) is cut. The socket closes with 1000 when the session ends and 1001 when the server stops. Method frames run on the server's worker pool; when it is full the reply has status 503 and `retryAfter`.\n\nAn open WebSocket holds no server thread. The number of open WebSockets is capped (maxWebSockets, 20000 by default); beyond it the upgrade is refused with 503 and Retry-After: use long-poll (GET /api/v1/events) or retry.",
   "security": [{"sessionTokenQuery": []}, {"sessionToken": []}],
   "parameters": [{"name": "token", "in": "query", "schema": {"type": "string"}, "description": "The session's authToken (alternative to the Bearer header and the token subprotocol)"}, {"name": "Sec-WebSocket-Protocol", "in": "header", "schema": {"type": "string"}, "description": "`sipbridge, token.<authToken>`: the token as a subprotocol (browsers)"}, {"name": "after", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 0, "default": 0}, "description": "Last seq already seen"}],
   "responses": {
    "101": {"description": "Switched to the WebSocket protocol"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/api/v1/openapi.json": {
  "get": {
   "tags": ["operations"],
   "operationId": "openApi",
   "summary": "This document",
   "responses": {
    "200": {"description": "OpenAPI 3.0 document", "content": {"application/json": {"schema": {"type": "object"}}}}
   }
  }
 },
 "/metrics": {
  "get": {
   "tags": ["operations"],
   "operationId": "metrics",
   "summary": "Prometheus metrics",
   "description": "Counters and gauges in the Prometheus text format 0.0.4, among them sipbridge_http_requests_total{route,status} (route is the path template), sipbridge_http_connections_open, sipbridge_longpolls_open, sipbridge_websockets_open, sipbridge_http_refused_total{reason} (connections, connections_per_address, long_polls, websockets, workers_busy), sipbridge_http_timeouts_total{phase} (header, body, idle) and sipbridge_websocket_closed_total{reason} (slow_client, send_timeout, too_big, dead_peer, bad_frame, stopping, session_ended).",
   "responses": {
    "200": {"description": "Metrics", "content": {"text/plain; version=0.0.4": {"schema": {"type": "string"}}}}
   }
  }
 },
 "/health": {
  "get": {
   "tags": ["operations"],
   "operationId": "health",
   "summary": "Liveness and readiness",
   "responses": {
    "200": {"description": "Accepting new work", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
    "503": {"description": "Not accepting new work (store down or queues full); Retry-After set", "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
   }
  }
 },
 "/admin/v1/apps": {
  "get": {
   "tags": ["admin"],
   "operationId": "listApps",
   "summary": "Lists applications (secrets are never listed)",
   "security": [{"adminToken": []}],
   "responses": {
    "200": {"description": "Applications", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppList"}}}},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  },
  "post": {
   "tags": ["admin"],
   "operationId": "createApp",
   "summary": "Creates an application",
   "description": "The hook URL is checked against the server's allow policy (scheme, resolved address). When `secret` is absent one is generated (\"whsec_\" + base64 of 24 random bytes); the secret is returned in this answer only.",
   "security": [{"adminToken": []}],
   "requestBody": {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppCreate"}}},
    "required": true
   },
   "responses": {
    "201": {"description": "Created; includes the secret", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppWithSecret"}}}},
    "409": {"$ref": "#/components/responses/Conflict"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 },
 "/admin/v1/apps/{appKey}": {
  "parameters": [{"$ref": "#/components/parameters/AppKeyPath"}],
  "get": {
   "tags": ["admin"],
   "operationId": "getApp",
   "summary": "One application (without its secret)",
   "security": [{"adminToken": []}],
   "responses": {
    "200": {"description": "The application", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/App"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  },
  "put": {
   "tags": ["admin"],
   "operationId": "putApp",
   "summary": "Creates or changes an application",
   "description": "Fields absent from the body keep their value; a new application gets the defaults and a generated secret (returned once). hookDisabled is cleared unless given, so a PUT re-enables an endpoint disabled after a 410 answer.",
   "security": [{"adminToken": []}],
   "requestBody": {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppUpdate"}}},
    "required": true
   },
   "responses": {
    "200": {"description": "Changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/App"}}}},
    "201": {"description": "Created; includes the generated secret", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppWithSecret"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  },
  "delete": {
   "tags": ["admin"],
   "operationId": "deleteApp",
   "summary": "Removes an application",
   "security": [{"adminToken": []}],
   "responses": {
    "204": {"description": "Removed"},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 },
 "/admin/v1/sessions": {
  "get": {
   "tags": ["admin"],
   "operationId": "listSessions",
   "summary": "Lists sessions, newest first",
   "security": [{"adminToken": []}],
   "parameters": [{"name": "appKey", "in": "query", "schema": {"type": "string"}, "description": "Only this application's sessions"}, {"name": "active", "in": "query", "schema": {"type": "boolean", "default": false}, "description": "Only active sessions"}, {"$ref": "#/components/parameters/Limit"}],
   "responses": {
    "200": {"description": "Sessions", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionList"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 },
 "/admin/v1/sessions/{sessionId}": {
  "delete": {
   "tags": ["admin"],
   "operationId": "terminateSession",
   "summary": "Terminates a live session of this node",
   "description": "Unregisters the session and commits ConnectionStatusEvent DISCONNECTED. 404 when the session is not live on this node.",
   "security": [{"adminToken": []}],
   "parameters": [{"name": "sessionId", "in": "path", "required": true, "schema": {"type": "string"}}],
   "responses": {
    "202": {"description": "Terminated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TerminateReply"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 },
 "/admin/v1/sessions/{sessionId}/data": {
  "post": {
   "tags": ["admin"],
   "operationId": "sendDataToSession",
   "summary": "Sends data from the backend to a live session of this node",
   "description": "Body: `payload` (any JSON value, at most data.maxPayloadBytes once serialised) and optional `operationId`. The session receives OnDataEvent {operationId, payload, from: backend, incoming: true}; answers 202 {operationId} once it is committed. 404 (field sessionId) when the session is not live on this node.",
   "security": [{"adminToken": []}],
   "parameters": [{"name": "sessionId", "in": "path", "required": true, "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["payload"], "properties": {"operationId": {"type": "string", "maxLength": 128}, "payload": {}}, "additionalProperties": false}}}},
   "responses": {
    "202": {"description": "Committed", "content": {"application/json": {"schema": {"type": "object", "properties": {"operationId": {"type": "string"}}}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"}
   }
  }
 },
 "/admin/v1/events": {
  "get": {
   "tags": ["admin"],
   "operationId": "findEvents",
   "summary": "Queries committed events",
   "description": "Every given filter narrows the result. Pages with `cursor` = nextCursor of the previous page; nextCursor is null on the last page.",
   "security": [{"adminToken": []}],
   "parameters": [{"name": "appKey", "in": "query", "schema": {"type": "string"}, "description": "Application"}, {"name": "sessionId", "in": "query", "schema": {"type": "string"}, "description": "Session"}, {"name": "type", "in": "query", "schema": {"type": "string"}, "description": "Event type, e.g. MessageStatusEvent"}, {"name": "status", "in": "query", "schema": {"type": "string"}, "description": "Status value"}, {"name": "messageId", "in": "query", "schema": {"type": "string"}, "description": "Message id (fields.id of message events)"}, {"name": "from", "in": "query", "schema": {"type": "string"}, "description": "Inclusive lower bound: ISO 8601 date-time or epoch milliseconds"}, {"name": "to", "in": "query", "schema": {"type": "string"}, "description": "Exclusive upper bound: ISO 8601 date-time or epoch milliseconds"}, {"name": "cursor", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 0}, "description": "Opaque paging cursor"}, {"$ref": "#/components/parameters/Limit"}],
   "responses": {
    "200": {"description": "One page of events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventPage"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 },
 "/admin/v1/deliveries": {
  "get": {
   "tags": ["admin"],
   "operationId": "listDeliveries",
   "summary": "Inspects hook deliveries",
   "security": [{"adminToken": []}],
   "parameters": [{"name": "appKey", "in": "query", "schema": {"type": "string"}, "description": "Application"}, {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["pending", "delivered", "dead", "disabled"]}, "description": "Delivery state"}, {"name": "eventId", "in": "query", "schema": {"type": "string"}, "description": "Event id"}, {"$ref": "#/components/parameters/Limit"}],
   "responses": {
    "200": {"description": "Deliveries", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeliveryList"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 },
 "/admin/v1/deliveries/replay": {
  "post": {
   "tags": ["admin"],
   "operationId": "replayDeliveries",
   "summary": "Replays dead or disabled deliveries",
   "description": "Makes the dead or disabled deliveries matching the filter pending again, due now, with a fresh retry period.",
   "security": [{"adminToken": []}],
   "requestBody": {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReplayFilter"}}}
   },
   "responses": {
    "200": {"description": "How many deliveries were replayed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReplayResult"}}}},
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 }
})json";
}

}  // namespace sipbridge::api
