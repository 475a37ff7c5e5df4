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
 }
})json";
}

}  // namespace sipbridge::api
