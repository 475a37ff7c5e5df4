#include "Routes.h"

namespace sipbridge::api {

/// The `components` object of the OpenAPI document (JSON).
const char* openApiComponents() {
  return R"json({
 "securitySchemes": {
  "sessionToken": {
   "type": "http",
   "scheme": "bearer",
   "description": "authToken from /api/v1/connect"
  },
  "sessionTokenQuery": {
   "type": "apiKey",
   "in": "query",
   "name": "token",
   "description": "authToken as query parameter (WebSocket only)"
  },
  "adminToken": {
   "type": "http",
   "scheme": "bearer",
   "description": "The configured admin token"
  }
 },
 "headers": {
  "RetryAfter": {
   "description": "Seconds to wait before retrying",
   "schema": {
    "type": "integer"
   }
  }
 },
 "parameters": {
  "AppKeyPath": {
   "name": "appKey",
   "in": "path",
   "required": true,
   "schema": {
    "type": "string",
    "pattern": "^[A-Za-z0-9._-]{1,64}$"
   }
  },
  "Limit": {
   "name": "limit",
   "in": "query",
   "schema": {
    "type": "integer",
    "minimum": 1,
    "maximum": 1000,
    "default": 100
   }
  }
 },
 "requestBodies": {
  "MethodBody": {
   "description": "The method's fields as a JSON object (absent body = {})",
   "content": {
    "application/json": {"schema": {"type": "object", "additionalProperties": true}}
   }
  }
 },
 "responses": {
  "BadRequest": {
   "description": "Invalid input: a field of the wrong type or value, malformed JSON, a body that is not a JSON object (error code invalid_field, malformed_json or invalid_body)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "Unauthorized": {
   "description": "Missing, wrong or expired token (error code unauthorized)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "NotFound": {
   "description": "No such thing (or admin API disabled) (error code not_found)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "Conflict": {
   "description": "Conflicts with the current state (error code conflict)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "PayloadTooLarge": {
   "description": "Body larger than the server's maxBodyBytes (64 KiB by default) (error code body_too_large)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "UnsupportedMediaType": {
   "description": "Content-Type is not application/json (UTF-8); field is Content-Type (error code unsupported_media_type)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "NotImplemented": {
   "description": "A known method not built in this version (error code not_implemented)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "InternalError": {
   "description": "Unexpected failure; details are in the server log (error code internal_error)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   }
  },
  "Unavailable": {
   "description": "The store or a queue cannot take more work now; nothing accepted is lost; retry after Retry-After seconds (error code unavailable)",
   "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
   },
   "headers": {
    "Retry-After": {"$ref": "#/components/headers/RetryAfter"}
   }
  }
 },
 "schemas": {
  "Error": {
   "type": "object",
   "properties": {
    "error": {"type": "object", "properties": {"code": {"type": "string", "description": "Stable machine-readable code: invalid_field, malformed_json, invalid_body, unauthorized, not_found, unknown_method, not_implemented, conflict, body_too_large, unsupported_media_type, method_not_allowed, unavailable, connect_refused, internal_error"}, "message": {"type": "string", "description": "Human-readable explanation"}, "field": {"type": "string", "description": "The offending request field, header (Content-Type) or parameter; omitted when none"}}, "required": ["code", "message"]}
   },
   "required": ["error"]
  },
  "ConnectRequest": {
   "type": "object",
   "properties": {
    "appKey": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    "sipRegisterRequired": {"type": "boolean", "default": false},
    "sipLogin": {"type": "string", "description": "User part of the address of record"},
    "sipAuthenticationName": {"type": "string", "description": "Digest user name (default sipLogin)"},
    "sipPassword": {"type": "string", "format": "password", "writeOnly": true, "description": "Never echoed, logged or sent to hooks"},
    "sipVisibleName": {"type": "string"},
    "sipDomain": {"type": "string", "description": "Host part of the address of record"},
    "sipOutboundProxy": {"type": "string", "description": "host or host:port every request is routed through; default: the configured SIP server. Only that server or one of sip.allowedProxies: anything else is refused with 400 (field sipOutboundProxy) before the /connect hook is asked"},
    "sipPort": {"type": "integer", "minimum": 0, "maximum": 65535, "description": "Port of sipOutboundProxy when it has none"},
    "sipTransport": {"type": "string", "enum": ["udp", "tcp", "tls"], "default": "udp", "x-extension": true, "description": "Transport to the SIP proxy; tls needs the bridge's SIP TLS listener (sip.tlsBindUrl) and verifies the proxy's certificate"},
    "sipContactParams": {"type": "string", "description": "\";a=b\" parameters appended to the Contact URI"},
    "custom": {"type": "object", "description": "Opaque object echoed to the backend", "additionalProperties": true}
   },
   "required": ["appKey"],
   "additionalProperties": false,
   "description": "Connect fields. sipLogin and sipDomain are required when sipRegisterRequired is true. Control characters are refused in every field."
  },
  "ConnectResponse": {
   "type": "object",
   "properties": {
    "sessionId": {"type": "string"},
    "authToken": {"type": "string", "description": "Bearer token of every other client call; keep it secret"},
    "nodeId": {"type": "string"},
    "status": {"type": "string", "enum": ["PENDING", "ESTABLISHED", "FAILED"]},
    "info": {"type": "string"}
   },
   "required": ["sessionId", "authToken", "nodeId", "status"]
  },
  "ConnectRefused": {
   "allOf": [{"$ref": "#/components/schemas/ConnectResponse"}, {"$ref": "#/components/schemas/Error"}]
  },
  "MethodAccepted": {
   "type": "object",
   "properties": {
    "id": {"type": "string"},
    "callId": {"type": "string"},
    "operationId": {"type": "string"}
   },
   "additionalProperties": true,
   "description": "The ids the method created"
  },
  "SendMessageRequest": {
   "type": "object",
   "properties": {
    "id": {"type": "string", "maxLength": 128, "description": "Message id chosen by the client, unique within the session (printable, no spaces); generated when absent. Reused ids are refused with 400 (field id)."},
    "to": {"type": "string", "description": "Recipient: SIP URI (sip:bob@example.test), tel URI, login (bob, completed with the session's domain) or number. For multipart/mixed: the SIP server that distributes the parts."},
    "body": {"type": "string", "minLength": 1, "description": "The text. Not empty; at most the configured size for its contentType (16 KiB by default)."},
    "contentType": {"type": "string", "enum": ["text/plain", "message/cpim", "multipart/mixed"], "default": "text/plain", "description": "text/plain: the body as is. message/cpim: a CPIM message (RFC 3862) wrapping the text. multipart/mixed: one CPIM part per recipient, each with its own To and imdn.Message-ID, in one MESSAGE."},
    "isImdnRequired": {"type": "boolean", "default": false, "description": "Ask for a delivery notification (RFC 5438 imdn.Message-ID, DateTime, Disposition-Notification: positive-delivery, negative-delivery). Needs message/cpim or multipart/mixed."},
    "recipients": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}], "description": "For multipart/mixed (required there): comma-separated SIP URIs, tel URIs or logins (an array of them is accepted too); at most the configured number (10 by default)."}
   },
   "required": ["to", "body"],
   "additionalProperties": false
  },
  "SendMessageAccepted": {
   "type": "object",
   "properties": {
    "id": {"type": "string", "description": "The message id (the client's or a generated one); the id of its MessageStatusEvents"},
    "status": {"type": "string", "enum": ["QUEUED"]}
   },
   "required": ["id", "status"]
  },
  "SendImdnRequest": {
   "type": "object",
   "properties": {
    "messageId": {"type": "string", "description": "The id of the received message (OnMessageEvent id)"}
   },
   "required": ["messageId"],
   "additionalProperties": false
  },
  "SendImdnAccepted": {
   "type": "object",
   "properties": {
    "messageId": {"type": "string"}
   },
   "required": ["messageId"]
  },
  "DisconnectReply": {
   "type": "object",
   "properties": {
    "status": {"type": "string", "enum": ["DISCONNECTED"]}
   },
   "required": ["status"]
  },
  "Event": {
   "type": "object",
   "properties": {
    "type": {"type": "string", "enum": ["ConnectionStatusEvent", "RegistrationStatusEvent", "MessageStatusEvent", "OnMessageEvent", "SubscriptionStatusEvent", "XcapStatusEvent", "PublishStatusEvent", "OnCallEvent", "CallStatusEvent", "TransferStatusEvent", "OnDataEvent", "DataStatusEvent", "ErrorEvent"]},
    "status": {"type": "string", "enum": ["ACCEPTED", "Active", "BUSY", "COMPLETED", "DISCONNECTED", "ESTABLISHED", "FAILED", "FINISH", "HOLD", "IMDN_DELIVERED", "IMDN_FAILED", "IMDN_NOTIFICATION_SENT", "PENDING", "PUBLISHED", "RECEIVED", "REGISTERED", "RING", "SESSION_PROGRESS", "TRYING", "Terminated", "UNREGISTERED", "WITHDRAWN"], "description": "Absent for events without a status"},
    "eventId": {"type": "string", "format": "uuid", "description": "Globally unique and stable: the idempotency key (webhook-id)"},
    "seq": {"type": "integer", "format": "int64", "description": "Monotonic per session"},
    "timestamp": {"type": "string", "format": "date-time"},
    "nodeId": {"type": "string"},
    "sessionId": {"type": "string"},
    "appKey": {"type": "string"}
   },
   "required": ["type", "eventId", "seq", "timestamp", "nodeId", "sessionId", "appKey"],
   "additionalProperties": true,
   "description": "One status change. The event's own fields (info, id, body...) are members of the same object. The type-specific schemas below list statuses and fields per type.",
   "discriminator": {
    "propertyName": "type",
    "mapping": {"ConnectionStatusEvent": "#/components/schemas/ConnectionStatusEvent", "RegistrationStatusEvent": "#/components/schemas/RegistrationStatusEvent", "MessageStatusEvent": "#/components/schemas/MessageStatusEvent", "OnMessageEvent": "#/components/schemas/OnMessageEvent", "SubscriptionStatusEvent": "#/components/schemas/SubscriptionStatusEvent", "XcapStatusEvent": "#/components/schemas/XcapStatusEvent", "PublishStatusEvent": "#/components/schemas/PublishStatusEvent", "OnCallEvent": "#/components/schemas/OnCallEvent", "CallStatusEvent": "#/components/schemas/CallStatusEvent", "TransferStatusEvent": "#/components/schemas/TransferStatusEvent", "OnDataEvent": "#/components/schemas/OnDataEvent", "DataStatusEvent": "#/components/schemas/DataStatusEvent", "ErrorEvent": "#/components/schemas/ErrorEvent"}
   }
  },
  "ConnectionStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["ConnectionStatusEvent"]}, "status": {"type": "string", "enum": ["PENDING", "ESTABLISHED", "FAILED", "DISCONNECTED"]}, "info": {"type": "string", "description": "Why the session failed or ended"}, "sipLogin": {"type": "string", "description": "The session's SIP login, on the first event of a session that has one"}, "sipStatus": {"type": "integer", "description": "FAILED because the SIP registration failed: the SIP status of the REGISTER's answer"}}, "required": ["status"]}],
   "description": "The session's state. PENDING when created, ESTABLISHED once usable (registered when sipRegisterRequired), FAILED when refused, DISCONNECTED when ended."
  },
  "RegistrationStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["RegistrationStatusEvent"]}, "status": {"type": "string", "enum": ["REGISTERED", "UNREGISTERED", "FAILED"]}, "info": {"type": "string", "description": "Why, for FAILED: authentication failed, SIP server unreachable (...), registration rejected (...), or that the user has sip.maxSessionsPerUser sessions on this node already"}, "sipStatus": {"type": "integer", "description": "SIP status of the REGISTER's final answer, when there was one"}}, "required": ["status"]}],
   "description": "Outcome of the SIP REGISTER of the session (and of each refresh)."
  },
  "MessageStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["MessageStatusEvent"]}, "status": {"type": "string", "enum": ["RECEIVED", "ACCEPTED", "FAILED", "IMDN_DELIVERED", "IMDN_FAILED", "IMDN_NOTIFICATION_SENT"], "description": "RECEIVED: an incoming message was committed (its OnMessageEvent has the same id). ACCEPTED: SIP answered 2xx to a sendMessage. FAILED: SIP answered 4xx-6xx or nothing (sipStatus 408); see sipStatus and info. IMDN_DELIVERED / IMDN_FAILED: the recipient's IMDN (delivered; failed, forbidden or error) for a message this session sent. IMDN_NOTIFICATION_SENT: this session's IMDN delivered for a received message was sent (automatically or by sendIMDN)."}, "id": {"type": "string", "description": "The message id: sendMessage's id for outgoing messages, the OnMessageEvent id for incoming ones"}, "sipStatus": {"type": "integer", "description": "Final SIP status of the MESSAGE (ACCEPTED, FAILED)"}, "info": {"type": "string", "description": "Reason of a failure, or a note such as a resend as text/plain after 415"}, "from": {"type": "string", "description": "RECEIVED: the sender (as in the OnMessageEvent)"}, "contentType": {"type": "string", "description": "RECEIVED: the content type of the message (as in the OnMessageEvent)"}, "isImdnRequired": {"type": "boolean", "description": "RECEIVED: the sender asked for a delivery notification"}}, "required": ["status", "id"]}],
   "description": "Progress of a message sent with sendMessage (id = the message id), reception of a message, or an IMDN. The table `messages` holds the latest status of each message."
  },
  "OnMessageEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["OnMessageEvent"]}, "id": {"type": "string", "description": "Message id (the CPIM imdn.Message-ID when present, else generated); use it with sendIMDN"}, "from": {"type": "string", "description": "Sender URI (CPIM From when present, else SIP From)"}, "to": {"type": "string", "description": "Recipient URI (this session's identity)"}, "body": {"type": "string", "description": "The text (for CPIM and multipart/mixed: the text of the contained message)"}, "contentType": {"type": "string", "description": "Content type of the SIP body: text/plain, message/cpim or multipart/mixed"}, "isImdnRequired": {"type": "boolean", "description": "The sender asked for a delivery notification"}, "sipMessageRaw": {"type": "string", "description": "The SIP MESSAGE request as received"}}, "required": ["id", "from", "to", "body", "contentType", "isImdnRequired"]}],
   "description": "An incoming message. No status. A multipart/mixed MESSAGE gives one event per contained message."
  },
  "OnCallEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["OnCallEvent"]}, "status": {"type": "string", "enum": ["TRYING", "RING", "SESSION_PROGRESS", "BUSY", "ESTABLISHED", "HOLD", "FINISH", "FAILED"]}, "callId": {"type": "string"}, "caller": {"type": "string"}, "callee": {"type": "string"}, "sdp": {"type": "string"}, "info": {"type": "string"}}}],
   "description": "An incoming call."
  },
  "CallStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["CallStatusEvent"]}, "status": {"type": "string", "enum": ["TRYING", "RING", "SESSION_PROGRESS", "BUSY", "ESTABLISHED", "HOLD", "FINISH", "FAILED"]}, "callId": {"type": "string"}, "sdp": {"type": "string"}, "info": {"type": "string"}}}],
   "description": "Progress of a call."
  },
  "TransferStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["TransferStatusEvent"]}, "status": {"type": "string", "enum": ["ACCEPTED", "TRYING", "COMPLETED", "FAILED"]}, "callId": {"type": "string"}, "info": {"type": "string"}}}],
   "description": "Progress of a transfer (REFER)."
  },
  "OnDataEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["OnDataEvent"]}, "operationId": {"type": "string"}, "payload": {"description": "Any JSON value, as sent"}, "incoming": {"type": "boolean", "description": "true on the receiving session"}, "from": {"type": "string", "description": "Receiving side: the sending session id, or \"backend\" for data sent with the admin API"}, "fromLogin": {"type": "string", "description": "The sending session's SIP login, when it has one"}, "direction": {"type": "string", "enum": ["outgoing"], "description": "On the sending session: a record of data sent to the backend"}, "to": {"type": "string", "enum": ["backend"]}, "hookDelivery": {"type": "string", "enum": ["direct"], "description": "This record was POSTed to <hookUrl>/OnDataEvent directly by sendData (with its own retry policy) and is not sent again by the hook outbox"}}, "required": ["operationId", "payload"]}],
   "description": "Data for a session (from another session of the application with sendData `to`, or from the backend with POST /admin/v1/sessions/{sessionId}/data), or, with direction outgoing, the record of a sendData to the backend: the backend receives exactly this event at <hookUrl>/OnDataEvent."
  },
  "DataStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["DataStatusEvent"]}, "status": {"type": "string", "enum": ["ACCEPTED", "FAILED"]}, "operationId": {"type": "string"}, "httpStatus": {"type": "integer", "description": "The backend's last answer (0: none)"}, "attempts": {"type": "integer", "description": "POSTs made to the backend"}, "to": {"type": "string", "description": "sendData's to (a session id or SIP login)"}, "deliveredTo": {"type": "array", "items": {"type": "string"}, "description": "The sessions that received the data, for sendData with to (every live session of that login but the sender)"}, "info": {"type": "string"}}, "required": ["status", "operationId"]}],
   "description": "Outcome of sendData: ACCEPTED when the backend answered 2xx (or the receiving session's OnDataEvent was committed), FAILED after the retry policy, without a hook URL, or when the node stopped or restarted before an answer."
  },
  "ErrorEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["ErrorEvent"]}, "info": {"type": "string", "description": "What went wrong, e.g. a malformed incoming CPIM, multipart or IMDN body that was refused (SIP 400), or an incoming body over messages.maxIncomingBytes (SIP 413)"}, "sipMessageRaw": {"type": "string", "description": "The SIP request that was refused, when it is text"}, "caller": {"type": "string", "description": "For a refused incoming call: its From URI"}, "sipCallId": {"type": "string", "description": "For a refused incoming call: its Call-ID"}, "callId": {"type": "string", "description": "For a failed DTMF INFO: the call"}, "sipStatus": {"type": "integer", "description": "For a failed DTMF INFO: the SIP status of its answer (0: none)"}}, "required": ["info"]}],
   "description": "An error not tied to another event. No status."
  },
  "EventBatch": {
   "type": "object",
   "properties": {
    "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
    "last": {"type": "integer", "format": "int64", "description": "seq of the last event returned, or `after` when none"}
   },
   "required": ["events", "last"]
  },
  "EventPage": {
   "type": "object",
   "properties": {
    "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
    "nextCursor": {"type": "integer", "format": "int64", "nullable": true}
   },
   "required": ["events", "nextCursor"]
  },
  "WsMethodFrame": {
   "type": "object",
   "properties": {
    "id": {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "Client request id, echoed as replyTo"},
    "method": {"type": "string", "description": "A method name, e.g. disconnect"}
   },
   "required": ["method"],
   "additionalProperties": true,
   "description": "The method's own fields are members of the same object"
  },
  "WsReply": {
   "type": "object",
   "properties": {
    "replyTo": {"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true},
    "status": {"type": "integer", "description": "The HTTP status the same call would have got"},
    "body": {"type": "object", "description": "The method's answer or an Error object"}
   },
   "required": ["replyTo", "status", "body"]
  },
  "App": {
   "type": "object",
   "properties": {
    "appKey": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    "hookUrl": {"type": "string", "format": "uri", "description": "Base URL; events go to <hookUrl>/<EventType>. Empty = no hooks. Must be https (the certificate and host name are verified against tls.* trust) unless development is true; refused (400 hookUrl) when the host resolves to an address that is not globally reachable, unless hooks.allowPrivate."},
    "connectHook": {"type": "boolean", "default": true, "description": "Call <hookUrl>/connect before accepting a connect"},
    "hookDisabled": {"type": "boolean", "description": "Set when the endpoint answered 410 Gone"},
    "imdnMode": {"type": "string", "enum": ["automatic", "manual", "never"], "default": "automatic", "description": "When incoming messages that ask for it get an IMDN delivered: automatic (once committed), manual (only on sendIMDN) or never"},
    "allowedOrigins": {"type": "array", "items": {"type": "string"}, "description": "Browser origins allowed to call the client API (CORS), canonical form"},
    "development": {"type": "boolean", "description": "Marked for development: hooks may use plain http and an https endpoint's certificate is not verified. Logged at start, counted in sipbridge_hook_development_requests_total"},
    "clientCertificate": {"type": "object", "nullable": true, "description": "The client certificate presented to the hook endpoint when it asks (mutual TLS), or null. Never its key.", "properties": {"subject": {"type": "string"}, "issuer": {"type": "string"}, "fingerprint": {"type": "string", "description": "SHA-256 of the DER form, AB:CD:..."}, "notAfter": {"type": "string", "format": "date-time"}}},
    "created": {"type": "string", "format": "date-time"}
   },
   "required": ["appKey", "hookUrl", "connectHook", "hookDisabled", "imdnMode", "allowedOrigins", "development", "clientCertificate", "created"]
  },
  "AppWithSecret": {
   "allOf": [{"$ref": "#/components/schemas/App"}, {"type": "object", "properties": {"secret": {"type": "string", "description": "\"whsec_\" + base64; shown only when created or generated"}}, "required": ["secret"]}]
  },
  "AppCreate": {
   "type": "object",
   "properties": {
    "appKey": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    "hookUrl": {"type": "string", "format": "uri", "description": "Base URL; events go to <hookUrl>/<EventType>. Empty = no hooks. Must be https (the certificate and host name are verified against tls.* trust) unless development is true; refused (400 hookUrl) when the host resolves to an address that is not globally reachable, unless hooks.allowPrivate."},
    "secret": {"type": "string", "pattern": "^whsec_[A-Za-z0-9+/=]{24,512}$", "description": "Signing secret; generated when absent"},
    "connectHook": {"type": "boolean", "default": true, "description": "Call <hookUrl>/connect before accepting a connect"},
    "development": {"type": "boolean", "default": false, "description": "Mark the application for development: plain http hook URLs allowed, https certificates not verified (logged at start, listed, counted in /metrics). Extension."},
    "clientCertificate": {"type": "string", "nullable": true, "description": "PEM client certificate (optionally followed by its chain) presented to the hook endpoint when it asks (mutual TLS); needs clientKey in the same body; null or an empty string removes it. Only its subject and fingerprint are ever shown. Extension."},
    "clientKey": {"type": "string", "writeOnly": true, "description": "Unencrypted PEM private key of clientCertificate; never shown nor logged. Extension."},
    "imdnMode": {"type": "string", "enum": ["automatic", "manual", "never"], "default": "automatic", "description": "When incoming messages that ask for it get an IMDN delivered: automatic (once committed), manual (only on sendIMDN) or never"},
    "allowedOrigins": {"type": "array", "maxItems": 100, "items": {"type": "string", "example": "https://chat.example.com"}, "description": "Browser origins (scheme://host[:port], no path) whose pages may call the client API for this application (CORS); \"*\" allows any. Kept in canonical form (lower case, no default port)"}
   },
   "required": ["appKey"],
   "additionalProperties": false
  },
  "AppUpdate": {
   "type": "object",
   "properties": {
    "appKey": {"type": "string", "description": "Must equal the path's appKey when given"},
    "hookUrl": {"type": "string", "format": "uri", "description": "Base URL; events go to <hookUrl>/<EventType>. Empty = no hooks. Must be https (the certificate and host name are verified against tls.* trust) unless development is true; refused (400 hookUrl) when the host resolves to an address that is not globally reachable, unless hooks.allowPrivate."},
    "secret": {"type": "string", "pattern": "^whsec_[A-Za-z0-9+/=]{24,512}$", "description": "Signing secret; generated when absent"},
    "connectHook": {"type": "boolean", "default": true, "description": "Call <hookUrl>/connect before accepting a connect"},
    "hookDisabled": {"type": "boolean", "default": false},
    "development": {"type": "boolean", "description": "Mark the application for development: plain http hook URLs allowed, https certificates not verified (logged at start, listed, counted in /metrics). Unchanged when absent. Extension."},
    "clientCertificate": {"type": "string", "nullable": true, "description": "PEM client certificate (optionally followed by its chain) presented to the hook endpoint when it asks (mutual TLS); needs clientKey in the same body; null or an empty string removes it. Only its subject and fingerprint are ever shown. Unchanged when absent. Extension."},
    "clientKey": {"type": "string", "writeOnly": true, "description": "Unencrypted PEM private key of clientCertificate; never shown nor logged. Unchanged when absent. Extension."},
    "imdnMode": {"type": "string", "enum": ["automatic", "manual", "never"], "description": "When incoming messages that ask for it get an IMDN delivered: automatic (once committed), manual (only on sendIMDN) or never; unchanged when absent. Applies to sessions already connected from their next message on (on other nodes within session.appRefreshSeconds)"},
    "allowedOrigins": {"type": "array", "maxItems": 100, "items": {"type": "string", "example": "https://chat.example.com"}, "description": "Browser origins (scheme://host[:port], no path) whose pages may call the client API for this application (CORS); \"*\" allows any. Kept in canonical form (lower case, no default port); unchanged when absent"}
   },
   "additionalProperties": false
  },
  "AppList": {
   "type": "object",
   "properties": {
    "apps": {"type": "array", "items": {"$ref": "#/components/schemas/App"}}
   },
   "required": ["apps"]
  },
  "Session": {
   "type": "object",
   "properties": {
    "sessionId": {"type": "string"},
    "appKey": {"type": "string"},
    "nodeId": {"type": "string"},
    "sipLogin": {"type": "string"},
    "state": {"type": "string", "enum": ["active", "ended"]},
    "created": {"type": "string", "format": "date-time"},
    "ended": {"type": "string", "format": "date-time"}
   },
   "required": ["sessionId", "appKey", "nodeId", "state", "created"]
  },
  "SessionList": {
   "type": "object",
   "properties": {
    "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}}
   },
   "required": ["sessions"]
  },
  "TerminateReply": {
   "type": "object",
   "properties": {
    "sessionId": {"type": "string"},
    "status": {"type": "string", "enum": ["DISCONNECTED"]}
   },
   "required": ["sessionId", "status"]
  },
  "Delivery": {
   "type": "object",
   "properties": {
    "id": {"type": "integer", "format": "int64"},
    "eventId": {"type": "string"},
    "appKey": {"type": "string"},
    "eventType": {"type": "string"},
    "state": {"type": "string", "enum": ["pending", "delivered", "dead", "disabled"]},
    "attempts": {"type": "integer"},
    "lastHttpStatus": {"type": "integer"},
    "lastError": {"type": "string"},
    "created": {"type": "string", "format": "date-time"},
    "nextAttempt": {"type": "string", "format": "date-time"},
    "delivered": {"type": "string", "format": "date-time"}
   }
  },
  "DeliveryList": {
   "type": "object",
   "properties": {
    "deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}
   },
   "required": ["deliveries"]
  },
  "ReplayFilter": {
   "type": "object",
   "properties": {
    "appKey": {"type": "string"},
    "state": {"type": "string", "enum": ["dead", "disabled"]},
    "eventId": {"type": "string"},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1000}
   },
   "additionalProperties": false
  },
  "ReplayResult": {
   "type": "object",
   "properties": {
    "replayed": {"type": "integer"}
   },
   "required": ["replayed"]
  },
  "Health": {
   "type": "object",
   "properties": {
    "status": {"type": "string", "enum": ["ok", "unavailable"]},
    "accepting": {"type": "boolean"},
    "nodeId": {"type": "string"}
   },
   "required": ["status", "accepting"]
  },
  "HookConnectRequest": {
   "allOf": [{"type": "object", "properties": {"appKey": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}, "sipRegisterRequired": {"type": "boolean", "default": false}, "sipLogin": {"type": "string", "description": "User part of the address of record"}, "sipAuthenticationName": {"type": "string", "description": "Digest user name (default sipLogin)"}, "sipVisibleName": {"type": "string"}, "sipDomain": {"type": "string", "description": "Host part of the address of record"}, "sipOutboundProxy": {"type": "string", "description": "host or host:port every request is routed through; default: the configured SIP server"}, "sipPort": {"type": "integer", "minimum": 0, "maximum": 65535, "description": "Port of sipOutboundProxy when it has none"}, "sipTransport": {"type": "string", "enum": ["udp", "tcp", "tls"], "default": "udp", "x-extension": true, "description": "Transport to the SIP proxy; tls needs the bridge's SIP TLS listener (sip.tlsBindUrl) and verifies the proxy's certificate"}, "sipContactParams": {"type": "string", "description": "\";a=b\" parameters appended to the Contact URI"}, "custom": {"type": "object", "description": "Opaque object echoed to the backend", "additionalProperties": true}}}],
   "description": "Body of POST <hookUrl>/connect: the connect as the backend sees it, never the password"
  },
  "HookConnectOverrides": {
   "type": "object",
   "properties": {
    "sipRegisterRequired": {"type": "boolean", "default": false},
    "sipLogin": {"type": "string", "description": "User part of the address of record"},
    "sipAuthenticationName": {"type": "string", "description": "Digest user name (default sipLogin)"},
    "sipPassword": {"type": "string", "format": "password", "writeOnly": true, "description": "Never echoed, logged or sent to hooks"},
    "sipVisibleName": {"type": "string"},
    "sipDomain": {"type": "string", "description": "Host part of the address of record"},
    "sipOutboundProxy": {"type": "string", "description": "host or host:port every request is routed through; default: the configured SIP server"},
    "sipPort": {"type": "integer", "minimum": 0, "maximum": 65535, "description": "Port of sipOutboundProxy when it has none"},
    "sipTransport": {"type": "string", "enum": ["udp", "tcp", "tls"], "default": "udp", "x-extension": true, "description": "Transport to the SIP proxy; tls needs the bridge's SIP TLS listener (sip.tlsBindUrl) and verifies the proxy's certificate"},
    "sipContactParams": {"type": "string", "description": "\";a=b\" parameters appended to the Contact URI"},
    "custom": {"type": "object", "description": "Opaque object echoed to the backend", "additionalProperties": true}
   },
   "additionalProperties": false,
   "description": "Optional JSON object answered by the /connect hook with a 2xx: connect fields replaced (for example the SIP credentials, so a browser never holds them) and a custom object. appKey cannot be overridden."
  }
 }
})json";
}

}  // namespace sipbridge::api
