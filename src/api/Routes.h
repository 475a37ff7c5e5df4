#pragma once

#include "ApiContext.h"
#include "Router.h"

#include <string>

namespace sipbridge::api {

/// Adds /api/v1 (connect, methods, events, ws, openapi.json), /metrics and /health.
void addClientRoutes(Router& router, ApiContext& context);
/// Adds /admin/v1 (apps, sessions, events, deliveries).
void addAdminRoutes(Router& router, ApiContext& context);

/// The session of the request's bearer token (or, when `allowWebSocketToken`, the `token`
/// query parameter or a `token.<authToken>` WebSocket subprotocol); throws DomainError 401. A
/// request with Origin must come from an origin the session's application allows (403).
core::SessionPtr authenticateClient(ApiContext& context, Request& request,
                                    bool allowWebSocketToken);
/// The token a WebSocket handshake carries: the `token` query parameter, or the subprotocol
/// `token.<authToken>` offered in Sec-WebSocket-Protocol (beside `sipbridge`); empty if none.
std::string webSocketToken(const Request& request);
/// GET /api/v1/ws: checks the token and the handshake, then hands the connection over
/// (Reply::takeOver) to become the session's WebSocket.
Reply serveWebSocket(Request& request, ApiContext& context);

/// The OpenAPI 3.0 document served at /api/v1/openapi.json: the data file src/api/openapi.json
/// with src/api/openapi.md as info.description, both embedded at build time.
const std::string& openApiDocument();
/// A fresh copy of the document's components.schemas (the AsyncAPI document is built from it).
Poco::JSON::Object::Ptr openApiSchemas();

}  // namespace sipbridge::api
