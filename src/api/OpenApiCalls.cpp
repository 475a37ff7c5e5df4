#include "Routes.h"

namespace sipbridge::api {

/// Paths of the call methods (merged into `paths`, JSON object).
const char* openApiCallPaths() {
  return R"json({
 "/api/v1/call": {
  "post": {
   "tags": ["methods"],
   "operationId": "call",
   "summary": "Starts an outgoing call (INVITE). Outcome: CallStatusEvent.",
   "description": "Sends an INVITE from the session's address of record to `callee` through the session's SIP server, with the client's SDP offer carried unchanged (the bridge never touches media), and answers 202 with the callId. Digest challenges are answered with the session's credentials. Progress arrives as CallStatusEvent: TRYING (100), RING (180-182 without SDP), SESSION_PROGRESS (18x with early SDP in `sdp`), ESTABLISHED (2xx, the answer in `sdp`), BUSY (486, 600), FAILED (any other final answer, with sipStatus and info; 408 when nobody answered within the configured no-answer time, after which the bridge CANCELs), FINISH (hung up by either side; info says which). 400 names the field: unknown field, callee not a SIP URI, tel URI, login or number, inviteParameters not URI parameters, sdp missing, not SDP (v=0 first, o=, s= and at least one m= line) or over the size limit, callId in use. 409 when the session has no SIP identity (connect with sipRegisterRequired) or already has the most calls allowed.",
   "security": [{"sessionToken": []}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallRequest"}}}},
   "responses": {
    "202": {"description": "INVITE handed to SIP", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallAccepted"}}}},
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
 "/api/v1/answer": {
  "post": {
   "tags": ["methods"],
   "operationId": "answer",
   "summary": "Answers an incoming call with the client's SDP. Outcome: CallStatusEvent ESTABLISHED.",
   "description": "Answers 200 with `sdp` (the client's answer, carried unchanged) to an incoming call that is ringing (OnCallEvent, CallStatusEvent RING). 404 (field callId) for an unknown call; 409 (field callId) when the call is not an incoming call in RING (for example an outgoing call, or one already answered); 400 for a missing or malformed sdp.",
   "security": [{"sessionToken": []}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnswerRequest"}}}},
   "responses": {
    "202": {"description": "200 OK handed to SIP", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallAccepted"}}}},
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
 "/api/v1/hangup": {
  "post": {
   "tags": ["methods"],
   "operationId": "hangup",
   "summary": "Ends a call in any state. Outcome: CallStatusEvent FINISH.",
   "description": "CANCEL for an outgoing call not answered yet, a rejection (603 Decline, or 486 Busy Here with `busy: true`) for an incoming call not answered yet, BYE for an established or held call. FINISH follows. 404 (field callId) for an unknown or already finished call.",
   "security": [{"sessionToken": []}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HangupRequest"}}}},
   "responses": {
    "202": {"description": "Hangup handed to SIP", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallAccepted"}}}},
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
 "/api/v1/hold": {
  "post": {
   "tags": ["methods"],
   "operationId": "hold",
   "summary": "Puts an established call on hold (re-INVITE, a=sendonly). Outcome: CallStatusEvent HOLD.",
   "description": "Sends a re-INVITE whose SDP is the call's current local SDP with its direction attributes changed to sendonly (session and media level). HOLD follows the far end's 2xx. When the re-INVITE is refused the call keeps its state and a CallStatusEvent with the unchanged status carries sipStatus and info. 409 (field callId) unless the call is ESTABLISHED.",
   "security": [{"sessionToken": []}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallIdRequest"}}}},
   "responses": {
    "202": {"description": "re-INVITE handed to SIP", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallAccepted"}}}},
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
 "/api/v1/unhold": {
  "post": {
   "tags": ["methods"],
   "operationId": "unhold",
   "summary": "Resumes a held call (re-INVITE, a=sendrecv). Outcome: CallStatusEvent ESTABLISHED.",
   "description": "Like hold, with the direction changed back to sendrecv; ESTABLISHED follows the far end's 2xx. 409 (field callId) unless the call is in HOLD.",
   "security": [{"sessionToken": []}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallIdRequest"}}}},
   "responses": {
    "202": {"description": "re-INVITE handed to SIP", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallAccepted"}}}},
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
 "/api/v1/transfer": {
  "post": {
   "tags": ["methods"],
   "operationId": "transfer",
   "summary": "Transfers the far end of a call to `target` (REFER, RFC 3515). Outcome: TransferStatusEvent.",
   "description": "Sends REFER with Refer-To `target` in the call. TransferStatusEvent ACCEPTED when the far end answers 2xx (FAILED with sipStatus when it refuses), then TRYING, COMPLETED or FAILED from the message/sipfrag bodies of its NOTIFYs. The call itself is not ended by the bridge: hang it up after COMPLETED (if the call ends before the outcome is known, the transfer ends FAILED with info saying so). 409 (field callId) unless the call is ESTABLISHED or HOLD; 400 (field target) when target is not a SIP URI, tel URI, login or number.",
   "security": [{"sessionToken": []}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TransferRequest"}}}},
   "responses": {
    "202": {"description": "REFER handed to SIP", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallAccepted"}}}},
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
 "/api/v1/sendDTMF": {
  "post": {
   "tags": ["methods"],
   "operationId": "sendDTMF",
   "summary": "Sends DTMF symbols in a call with SIP INFO.",
   "description": "Sends one INFO per symbol, each after the answer to the previous one. type INFO (default): Content-Type application/dtmf-relay with body `Signal=<symbol>` and `Duration=160` lines. type INFO_RELAY: Content-Type application/dtmf with the symbol alone as body, for servers that expect that form. type RFC2833 is refused with 400 (field type): RFC 2833 telephone events travel inside the media (RTP) stream, which the bridge never touches; the client sends them on its own media path. If an INFO is refused, the remaining symbols are dropped and an ErrorEvent carries callId, sipStatus and info. 400 (field dtmf) for symbols outside 0-9 * # A-D (a-d accepted) or too many; 409 (field callId) unless the call is ESTABLISHED or HOLD.",
   "security": [{"sessionToken": []}],
   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SendDtmfRequest"}}}},
   "responses": {
    "202": {"description": "INFO requests queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallAccepted"}}}},
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
 }
})json";
}

/// Schemas of the call methods and of the call events (merged into components.schemas).
const char* openApiCallSchemas() {
  return R"json({
  "CallRequest": {
   "type": "object",
   "properties": {
    "callId": {"type": "string", "maxLength": 128, "description": "The client's id for the call (printable, unique in the session); generated when absent"},
    "callee": {"type": "string", "maxLength": 256, "description": "SIP URI, tel URI, login or number (a login or number is resolved in the session's domain)"},
    "visibleName": {"type": "string", "maxLength": 128, "description": "Display name in From (default: the session's sipVisibleName)"},
    "hasVideo": {"type": "boolean", "default": false, "description": "Recorded in the call's events and row; the SDP decides what media is offered"},
    "inviteParameters": {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}], "description": "URI parameters added to the Request-URI: \"a=b;c\" or {\"a\":\"b\"} (token characters only)"},
    "sdp": {"type": "string", "description": "The client's SDP offer, sent unchanged as application/sdp (UTF-8 text, size limited by calls.maxSdpBytes)"}
   },
   "required": ["callee", "sdp"],
   "additionalProperties": false
  },
  "AnswerRequest": {
   "type": "object",
   "properties": {
    "callId": {"type": "string"},
    "sdp": {"type": "string", "description": "The client's SDP answer, sent unchanged"}
   },
   "required": ["callId", "sdp"],
   "additionalProperties": false
  },
  "HangupRequest": {
   "type": "object",
   "properties": {
    "callId": {"type": "string"},
    "busy": {"type": "boolean", "default": false, "description": "Rejecting an incoming call before answer: 486 Busy Here instead of 603 Decline", "x-extension": true}
   },
   "required": ["callId"],
   "additionalProperties": false
  },
  "CallIdRequest": {
   "type": "object",
   "properties": {"callId": {"type": "string"}},
   "required": ["callId"],
   "additionalProperties": false
  },
  "TransferRequest": {
   "type": "object",
   "properties": {
    "callId": {"type": "string"},
    "target": {"type": "string", "maxLength": 256, "description": "Refer-To: SIP URI, tel URI, login or number"}
   },
   "required": ["callId", "target"],
   "additionalProperties": false
  },
  "SendDtmfRequest": {
   "type": "object",
   "properties": {
    "callId": {"type": "string"},
    "dtmf": {"type": "string", "pattern": "^[0-9*#A-Da-d]+$", "description": "Symbols to send, at most calls.maxDtmfSymbols"},
    "type": {"type": "string", "enum": ["INFO", "INFO_RELAY", "RFC2833"], "default": "INFO", "description": "INFO: application/dtmf-relay; INFO_RELAY: application/dtmf; RFC2833 is refused (400): it needs the media path"}
   },
   "required": ["callId", "dtmf"],
   "additionalProperties": false
  },
  "CallAccepted": {
   "type": "object",
   "properties": {
    "callId": {"type": "string", "description": "Carried by every event of the call"},
    "status": {"type": "string", "description": "The call's status when the request was accepted"}
   },
   "required": ["callId"]
  },
  "OnCallEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["OnCallEvent"]}, "status": {"type": "string", "enum": ["TRYING", "RING", "SESSION_PROGRESS", "BUSY", "ESTABLISHED", "HOLD", "FINISH", "FAILED"], "description": "Absent: the statuses of the call come as CallStatusEvent"}, "callId": {"type": "string", "description": "Generated by the bridge; use it with answer, hangup, hold..."}, "caller": {"type": "string", "description": "From URI"}, "callee": {"type": "string", "description": "To URI"}, "visibleName": {"type": "string", "description": "From display name"}, "hasVideo": {"type": "boolean", "description": "The offer has an m=video line with a non-zero port"}, "sdp": {"type": "string", "description": "The caller's SDP offer as received (empty for an INVITE without body)"}, "incoming": {"type": "boolean", "enum": [true]}, "sipCallId": {"type": "string", "description": "The Call-ID header"}, "sipMessageRaw": {"type": "string", "description": "The INVITE as received"}}, "required": ["callId", "caller", "callee", "sdp", "incoming"]}],
   "description": "An incoming call (INVITE for the session's contact). The bridge has answered 180 Ringing; CallStatusEvent RING follows. Answer with answer, refuse with hangup. Unanswered calls are refused with 480 after the configured ring time (CallStatusEvent FINISH). A call the SIP server forks to several sessions of the same user rings in each of them; once one answers, the others get CallStatusEvent FINISH with info \"answered elsewhere\"."
  },
  "CallStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["CallStatusEvent"]}, "status": {"type": "string", "enum": ["TRYING", "RING", "SESSION_PROGRESS", "BUSY", "ESTABLISHED", "HOLD", "FINISH", "FAILED"]}, "callId": {"type": "string"}, "caller": {"type": "string"}, "callee": {"type": "string"}, "visibleName": {"type": "string"}, "hasVideo": {"type": "boolean"}, "incoming": {"type": "boolean"}, "sdp": {"type": "string", "description": "The far end's SDP when the SIP message carried one: early media (SESSION_PROGRESS), answer (ESTABLISHED), new offer of a far-end re-INVITE (HOLD, ESTABLISHED)"}, "sipStatus": {"type": "integer"}, "info": {"type": "string"}, "sipCallId": {"type": "string"}, "transferredFrom": {"type": "string", "description": "For a call the bridge placed to carry out a REFER received in call transferredFrom"}}, "required": ["status", "callId"]}],
   "description": "Progress of a call. TRYING, RING, SESSION_PROGRESS, ESTABLISHED, BUSY, FAILED for outgoing calls; RING, ESTABLISHED for incoming ones; HOLD after hold (or when the far end puts the call on hold, info \"held by the far end\"), ESTABLISHED again after unhold (a far-end re-offer whose m= lines differ from ours is refused with 488 and reported with the unchanged status and sipStatus 488); FINISH when the call ends (hangup, BYE from the far end, CANCEL, session ended; info \"answered elsewhere\" when another session of the same user took the call). The table `call_legs` holds the latest state of each call."
  },
  "TransferStatusEvent": {
   "allOf": [{"$ref": "#/components/schemas/Event"}, {"type": "object", "properties": {"type": {"type": "string", "enum": ["TransferStatusEvent"]}, "status": {"type": "string", "enum": ["ACCEPTED", "TRYING", "COMPLETED", "FAILED"]}, "callId": {"type": "string"}, "target": {"type": "string", "description": "Refer-To URI"}, "sipStatus": {"type": "integer", "description": "Status of the REFER's answer, or the status line of the NOTIFY's message/sipfrag"}, "info": {"type": "string"}, "incoming": {"type": "boolean", "description": "true: the far end asked this session to transfer (REFER received)"}, "referredBy": {"type": "string", "description": "Incoming: Referred-By (or From) of the REFER"}}, "required": ["status", "callId"]}],
   "description": "Progress of a transfer. Outgoing (transfer): ACCEPTED on 2xx to the REFER, TRYING on a 1xx sipfrag, COMPLETED on a 2xx sipfrag, FAILED on a refusal or an error sipfrag. Incoming (REFER received, answered 202): ACCEPTED with incoming true, after which the bridge places a new call of the session to target (its CallStatusEvents carry transferredFrom) and reports its progress to the far end in NOTIFYs (100 Trying at once, then the new call's final answer; digest challenges on the way are answered, not reported); targets outside calls.referTargets (default: SIP URIs of the session's own domain) are not called and give FAILED with sipStatus; the far end then gets a final NOTIFY (603 for a refused target, 400 for a bad Refer-To, 503 when the session cannot place the call)."
  }
})json";
}

}  // namespace sipbridge::api
