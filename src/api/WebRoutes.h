#pragma once

#include "Router.h"

namespace sipbridge::api {

/// Adds what the bridge serves to browsers and tools, from files embedded at build time:
/// GET /sdk/sipbridge.js (the JavaScript client, an ES module), GET /demo and /demo/ (the demo
/// chat page) with /demo/{file} (its script and style sheet), and GET /api/v1/asyncapi.json.
void addWebRoutes(Router& router);

}  // namespace sipbridge::api
