#pragma once

#include <Poco/Dynamic/Var.h>

#include <string>

namespace sipbridge::api {

/// The AsyncAPI 3.0 document served at /api/v1/asyncapi.json: the skeleton src/api/asyncapi.json
/// (embedded at build time) completed from the OpenAPI document's components.schemas with, for
/// every event type, its payload schema, a message on the WebSocket stream, a hook channel and
/// the operation that delivers it. Built once; immutable afterwards.
const std::string& asyncApiDocument();

/// An OpenAPI 3.0 schema written as JSON Schema draft 7 (as AsyncAPI schemas are):
/// `nullable: true` becomes a "null" type (or a "null" option), a discriminator object its
/// property name. Everything else is copied.
Poco::Dynamic::Var toJsonSchema(const Poco::Dynamic::Var& openApiSchema);

}  // namespace sipbridge::api
