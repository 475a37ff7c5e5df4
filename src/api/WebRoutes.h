#pragma once

#include "Router.h"

namespace sipbridge::api {

/// Adds what the bridge serves to browsers and tools from files embedded at build time:
/// GET /api/v1/asyncapi.json.
void addWebRoutes(Router& router);

}  // namespace sipbridge::api
