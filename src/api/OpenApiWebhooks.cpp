#include "Routes.h"

namespace sipbridge::api {

/// The `x-webhooks` object of the OpenAPI document (JSON): hook requests the bridge sends.
const char* openApiWebhooks() {
  return R"json({
 "ConnectionStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/ConnectionStatusEvent",
   "description": "The session's state. PENDING when created, ESTABLISHED once usable (registered when sipRegisterRequired), FAILED when refused, DISCONNECTED when ended.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConnectionStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "RegistrationStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/RegistrationStatusEvent",
   "description": "Outcome of the SIP REGISTER of the session (and of each refresh).",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RegistrationStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "MessageStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/MessageStatusEvent",
   "description": "Progress of a message sent with sendMessage (id = the message id; ACCEPTED, FAILED with sipStatus and info, IMDN_DELIVERED, IMDN_FAILED), reception of a message (RECEIVED), or an IMDN this session sent (IMDN_NOTIFICATION_SENT).",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MessageStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "OnMessageEvent": {
  "post": {
   "summary": "POST <hookUrl>/OnMessageEvent",
   "description": "An incoming message (id, from, to, body, contentType, isImdnRequired, sipMessageRaw); one per contained message of a multipart/mixed MESSAGE. No status.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OnMessageEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "SubscriptionStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/SubscriptionStatusEvent",
   "description": "State of a subscription made with subscribe (Active, Terminated): one per NOTIFY, with the body as received (requestBody) and parsed (presence, reginfo). NOTIFYs superseded within the coalescing interval (coalesced true) are stored and pushed to clients but not sent here.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubscriptionStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "XcapStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/XcapStatusEvent",
   "description": "Answer of an XCAP request made with sendXcapRequest (id, url, method, httpStatus, xcapResponse, contentType, etag, info). No status.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/XcapStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "PublishStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/PublishStatusEvent",
   "description": "Outcome of a publish (extension): PUBLISHED, WITHDRAWN, or FAILED with sipStatus and info; publicationId as answered by publish.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublishStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  },
  "x-extension": true
 },
 "OnCallEvent": {
  "post": {
   "summary": "POST <hookUrl>/OnCallEvent",
   "description": "An incoming call.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OnCallEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "CallStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/CallStatusEvent",
   "description": "Progress of a call.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "TransferStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/TransferStatusEvent",
   "description": "Progress of a transfer (REFER).",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TransferStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "OnDataEvent": {
  "post": {
   "summary": "POST <hookUrl>/OnDataEvent",
   "description": "Data a client sends to the backend with sendData (direction outgoing, hookDelivery direct): POSTed directly, answered 2xx to accept, retried at most data.hookAttempts times within data.hookDeadlineMs (the client gets DataStatusEvent ACCEPTED or FAILED). Also every other OnDataEvent (data received by a session), through the outbox like any event.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OnDataEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "DataStatusEvent": {
  "post": {
   "summary": "POST <hookUrl>/DataStatusEvent",
   "description": "Outcome of sendData.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DataStatusEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "ErrorEvent": {
  "post": {
   "summary": "POST <hookUrl>/ErrorEvent",
   "description": "An error not tied to another event. No status.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEvent"}}}},
   "responses": {"2XX": {"description": "Delivered"}, "410": {"description": "Endpoint gone: hooks of the application are disabled"}, "429": {"description": "Retried after Retry-After"}, "default": {"description": "Failure (3xx included): retried with backoff"}}
  }
 },
 "connect": {
  "post": {
   "summary": "POST <hookUrl>/connect (synchronous)",
   "description": "Called before a connect is accepted when the application has connectHook true. 2xx accepts (a JSON object body may override connect fields); any other status, a timeout or a refused connection refuses the connect: ConnectionStatusEvent FAILED with info, and the client gets 403.",
   "parameters": [{"name": "webhook-id", "in": "header", "required": true, "description": "= eventId; stable across retries (deduplicate on it)", "schema": {"type": "string"}}, {"name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds of this attempt", "schema": {"type": "integer"}}, {"name": "webhook-signature", "in": "header", "required": true, "description": "v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\" keyed with the base64-decoded part of the secret after whsec_>; fresh on every attempt", "schema": {"type": "string"}}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HookConnectRequest"}}}},
   "responses": {"2XX": {"description": "Accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HookConnectOverrides"}}}}, "default": {"description": "Refused"}}
  }
 }
})json";
}

}  // namespace sipbridge::api
