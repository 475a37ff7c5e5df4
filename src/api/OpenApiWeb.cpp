#include "Routes.h"

namespace sipbridge::api {

/// Paths of what the bridge serves to browsers and tools (merged into `paths`, JSON object).
const char* openApiWebPaths() {
  return R"json({
 "/api/v1/asyncapi.json": {
  "get": {
   "tags": ["events"],
   "operationId": "asyncApi",
   "summary": "The AsyncAPI 3.0 document of the WebSocket event stream and the web hooks",
   "description": "One message per event type on the WebSocket (GET /api/v1/ws) and one hook channel per event type (POST <hookUrl>/<EventType>), with payload schemas built from this document's components.schemas, written as JSON Schema: each event type's schema lists every member the event can carry.",
   "responses": {
    "200": {"description": "AsyncAPI 3.0 document", "content": {"application/json": {"schema": {"type": "object"}}}}
   }
  }
 },
 "/sdk/sipbridge.js": {
  "get": {
   "tags": ["browser"],
   "operationId": "javascriptClient",
   "summary": "The JavaScript client (an ES module without dependencies)",
   "description": "`import { SipBridgeClient } from '/sdk/sipbridge.js'`: connect, every client method (promises rejected with the JSON error), the session's events by WebSocket with automatic reconnection and resumption after the last seq, long-poll when no WebSocket can be opened, handlers named after the event types. Served with Cache-Control: no-cache.",
   "responses": {
    "200": {"description": "The module", "content": {"text/javascript": {"schema": {"type": "string"}}}}
   }
  }
 },
 "/demo": {
  "get": {
   "tags": ["browser"],
   "operationId": "demoRedirect",
   "summary": "Redirects to /demo/",
   "responses": {
    "301": {"description": "Location: /demo/"}
   }
  }
 },
 "/demo/": {
  "get": {
   "tags": ["browser"],
   "operationId": "demoPage",
   "summary": "The demo chat page",
   "description": "Sign in as a demo user of application `demo`, see the other demo users' presence, chat one to one (text/plain, or CPIM with a delivery report) with delivery ticks. Uses only its own files and the bridge's own API (Content-Security-Policy).",
   "responses": {
    "200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}
   }
  }
 },
 "/demo/{file}": {
  "get": {
   "tags": ["browser"],
   "operationId": "demoFile",
   "summary": "The demo page's script (demo.js) and style sheet (demo.css)",
   "parameters": [{"name": "file", "in": "path", "required": true, "schema": {"type": "string", "enum": ["demo.js", "demo.css"]}}],
   "responses": {
    "200": {"description": "The file", "content": {"text/javascript": {"schema": {"type": "string"}}, "text/css": {"schema": {"type": "string"}}}},
    "404": {"$ref": "#/components/responses/NotFound"}
   }
  }
 }
})json";
}

}  // namespace sipbridge::api
