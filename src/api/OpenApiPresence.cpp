#include "Routes.h"

namespace sipbridge::api {

/// Schemas of subscribe, publish and sendXcapRequest and of their events (JSON object merged
/// into components.schemas).
const char* openApiPresenceSchemas() {
  return R"json({
  "SubscribeRequest": {
   "type": "object",
   "properties": {
    "event": {"type": "string", "maxLength": 64, "description": "Event package: presence, reg, or any other package name (token) when accept is given"},
    "expires": {"type": "integer", "minimum": 60, "maximum": 86400, "default": 3600, "description": "Requested subscription duration in seconds (server limits; the bridge refreshes the subscription)"},
    "terminate": {"type": "boolean", "default": false, "description": "Ends the subscription of this session to the same event and to (404 when there is none)"},
    "to": {"type": "string", "maxLength": 256, "description": "Target: SIP or tel URI, login or number (resolved in the session's domain). Default: the session's own AOR (e.g. reg of oneself)", "x-extension": true},
    "accept": {"type": "string", "maxLength": 256, "description": "Accept header of the SUBSCRIBE; required for packages other than presence (default application/pidf+xml) and reg (default application/reginfo+xml)", "x-extension": true}
   },
   "required": ["event"],
   "additionalProperties": false,
   "description": "Needs a session connected with sipRegisterRequired (409 otherwise). Subscribing again to the same event and to refreshes the existing subscription (same subscriptionId). At most a configured number of subscriptions per session (400, field event)."
  },
  "SubscribeAccepted": {
   "type": "object",
   "properties": {
    "subscriptionId": {"type": "string", "description": "Carried by every SubscriptionStatusEvent of this subscription"},
    "event": {"type": "string"},
    "to": {"type": "string", "description": "The target URI as resolved"}
   },
   "required": ["subscriptionId", "event", "to"]
  },
  "PublishRequest": {
   "type": "object",
   "properties": {
    "state": {"type": "string", "enum": ["open", "closed"], "default": "open", "description": "PIDF basic status of the session's own presence"},
    "note": {"type": "string", "maxLength": 256, "description": "PIDF note (no control characters)"},
    "expires": {"type": "integer", "minimum": 60, "maximum": 86400, "default": 3600},
    "withdraw": {"type": "boolean", "default": false, "description": "Removes the published state (PUBLISH with Expires 0)"}
   },
   "additionalProperties": false,
   "description": "Publishes a PIDF document for the session's own AOR. Needs sipRegisterRequired (409 otherwise).",
   "x-extension": true
  },
  "PublishAccepted": {
   "type": "object",
   "properties": {
    "publicationId": {"type": "string", "description": "Carried by the PublishStatusEvent of this PUBLISH"}
   },
   "required": ["publicationId"],
   "x-extension": true
  },
  "XcapRequest": {
   "type": "object",
   "properties": {
    "url": {"type": "string", "maxLength": 2048, "description": "Absolute http(s) URL under one of the configured XCAP roots (same scheme, host and port; an https root's certificate is verified). Refused with 400 (field url): another root, scheme or host, a segment a server could read as '.' or '..' (also with path parameters such as '..;', encoded dots in any case, trailing spaces or double encoding), an empty segment, an encoded slash or backslash, control characters"},
    "method": {"type": "string", "enum": ["GET", "PUT", "DELETE"], "default": "GET", "description": "GET is the reference method; PUT and DELETE are extensions"},
    "body": {"type": "string", "description": "PUT only (required there); at most a configured size", "x-extension": true},
    "contentType": {"type": "string", "maxLength": 128, "description": "PUT only (required there), e.g. application/xcap-el+xml or application/resource-lists+xml", "x-extension": true},
    "ifMatch": {"type": "string", "maxLength": 256, "description": "If-Match ETag precondition", "x-extension": true},
    "ifNoneMatch": {"type": "string", "maxLength": 256, "description": "If-None-Match precondition (\"*\": the document must not exist)", "x-extension": true}
   },
   "required": ["url"],
   "additionalProperties": false,
   "description": "Sent with the session's SIP credentials (digest authentication). Needs sipLogin (409 otherwise)."
  },
  "XcapAccepted": {
   "type": "object",
   "properties": {
    "id": {"type": "string", "description": "Carried by the XcapStatusEvent of this request"}
   },
   "required": ["id"]
  },
  "PresenceDocument": {
   "type": "object",
   "description": "A PIDF NOTIFY body (RFC 3863), parsed",
   "properties": {
    "entity": {"type": "string", "description": "The presentity URI"},
    "basic": {"type": "string", "enum": ["open", "closed"], "description": "open when any tuple is open"},
    "note": {"type": "string", "description": "The presentity's note (presence/person note, else the leading tuple's), or empty"},
    "activities": {"type": "array", "items": {"type": "string"}, "description": "RPID activities (away, busy...)"},
    "tuples": {"type": "array", "items": {"type": "object", "properties": {
     "id": {"type": "string"},
     "basic": {"type": "string", "description": "open, closed, or empty"},
     "contact": {"type": "string"},
     "priority": {"type": "number", "nullable": true},
     "note": {"type": "string"},
     "timestamp": {"type": "string"}
    }}}
   }
  },
  "ReginfoDocument": {
   "type": "object",
   "description": "A reginfo NOTIFY body (RFC 3680), parsed",
   "properties": {
    "version": {"type": "integer", "format": "int64"},
    "state": {"type": "string", "enum": ["full", "partial"]},
    "registrations": {"type": "array", "items": {"type": "object", "properties": {
     "aor": {"type": "string"},
     "id": {"type": "string"},
     "state": {"type": "string", "enum": ["init", "active", "terminated"]},
     "contacts": {"type": "array", "items": {"type": "object", "properties": {
      "id": {"type": "string"},
      "uri": {"type": "string"},
      "state": {"type": "string", "enum": ["active", "terminated"]},
      "event": {"type": "string", "enum": ["registered", "created", "refreshed", "shortened", "expired", "deactivated", "probation", "unregistered", "rejected"]},
      "expires": {"type": "integer", "nullable": true},
      "q": {"type": "number", "nullable": true},
      "displayName": {"type": "string", "nullable": true}
     }}}
    }}}
   }
  },
  "SubscriptionStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {
    "type": {"type": "string", "enum": ["SubscriptionStatusEvent"]},
    "status": {"type": "string", "enum": ["Active", "Terminated"], "description": "Active: a NOTIFY with Subscription-State active or pending. Terminated: the subscription ended (NOTIFY terminated, SUBSCRIBE refused, refresh failed, or terminate asked)"},
    "subscriptionId": {"type": "string", "description": "As answered by subscribe; on every event of the subscription, Terminated ones included (refused, ended with terminate, ended by the server)"},
    "event": {"type": "string"},
    "to": {"type": "string", "description": "The subscription's target URI"},
    "requestBody": {"type": "string", "description": "The NOTIFY body as received"},
    "contentType": {"type": "string", "description": "Content type of the NOTIFY body"},
    "sipMessageRaw": {"type": "string", "description": "The NOTIFY request as received"},
    "info": {"type": "string", "description": "Termination reason, or why the body was not understood (it is then kept in requestBody only)"},
    "sipStatus": {"type": "integer", "description": "SIP status when the SUBSCRIBE (or its refresh) was refused or not answered"},
    "presence": {"$ref": "#/components/schemas/PresenceDocument"},
    "reginfo": {"$ref": "#/components/schemas/ReginfoDocument"},
    "coalesced": {"type": "boolean", "description": "true on a NOTIFY superseded by a newer one of the same subscription within the coalescing interval: stored and pushed to clients, not sent to hooks. Absent otherwise"}
   }, "required": ["subscriptionId", "status", "event", "to"]}],
   "description": "State of a subscription made with subscribe. One event per NOTIFY: presence holds the parsed PIDF body (event presence), reginfo the parsed reginfo body (event reg); the body as received is always in requestBody."
  },
  "XcapStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {
    "type": {"type": "string", "enum": ["XcapStatusEvent"]},
    "id": {"type": "string", "description": "As answered by sendXcapRequest"},
    "url": {"type": "string"},
    "method": {"type": "string", "enum": ["GET", "PUT", "DELETE"]},
    "httpStatus": {"type": "integer", "description": "HTTP status of the XCAP server; 0 when it gave no answer (see info)"},
    "xcapResponse": {"type": "string", "description": "The response body"},
    "contentType": {"type": "string", "description": "Content type of the response, when any"},
    "etag": {"type": "string", "description": "ETag of the document, when the server sent one"},
    "info": {"type": "string", "description": "Why there was no answer (connection refused, timeout...)"}
   }, "required": ["id", "url", "method", "httpStatus", "xcapResponse"]}],
   "description": "Answer of an XCAP request made with sendXcapRequest. No status."
  },
  "PublishStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {
    "type": {"type": "string", "enum": ["PublishStatusEvent"]},
    "status": {"type": "string", "enum": ["PUBLISHED", "WITHDRAWN", "FAILED"], "description": "PUBLISHED / WITHDRAWN: the presence server answered 2xx to the publication / withdrawal. FAILED: 4xx-6xx or no answer"},
    "publicationId": {"type": "string", "description": "As answered by publish"},
    "sipStatus": {"type": "integer"},
    "info": {"type": "string", "description": "SIP status and reason of a failure"}
   }, "required": ["status", "publicationId"]}],
   "description": "Outcome of a publish.",
   "x-extension": true
  }
})json";
}

}  // namespace sipbridge::api
