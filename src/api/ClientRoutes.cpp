#include "ApiIo.h"
#include "Cors.h"
#include "PageLimits.h"
#include "Routes.h"
#include "sipbridge/api/HttpErrors.h"
#include "sipbridge/core/ConnectRequest.h"
#include "sipbridge/core/Errors.h"

#include <chrono>
#include <limits>

namespace sipbridge::api {
namespace {

constexpr std::int64_t kMaxSeq = std::numeric_limits<std::int64_t>::max();

Reply connect(ApiContext& context, Request& request) {
  const auto body = readJsonBody(request, context.config.maxBodyBytes, false);
  const auto connectRequest = core::ConnectRequest::fromJson(*body);
  checkOrigin(context, request, connectRequest.appKey);
  const core::ConnectResponse result = context.service.connect(connectRequest);
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("sessionId", result.sessionId);
  out->set("authToken", result.authToken);
  out->set("nodeId", result.nodeId);
  out->set("status", result.status);
  if (!result.info.empty()) out->set("info", result.info);
  if (result.status != "FAILED") return jsonReply(200, out);
  const std::string message =
      result.info.empty() ? "the application refused the connect" : result.info;
  out->set("error", errorObject("connect_refused", message)->getObject("error"));
  return jsonReply(403, out);
}

/// Long-poll: checked here, then held by the connection without a thread until an event
/// is committed, the session ends or `wait` passes.
Reply events(ApiContext& context, Request& request) {
  const auto session = authenticateClient(context, request, false);
  LongPollWait wait;
  wait.session = session;
  wait.after = parseInteger(request.queryParam("after").value_or("0"), "after", 0, kMaxSeq);
  wait.wait = std::chrono::seconds(std::min<std::int64_t>(
      parseInteger(request.queryParam("wait").value_or("0"), "wait", 0, 86400),
      context.config.maxLongPollSeconds));
  wait.limit = static_cast<int>(parseInteger(
      request.queryParam("limit").value_or(defaultPageSizeText()), "limit", 1, kMaxPageSize));
  Reply reply;
  reply.takeOver = std::move(wait);
  return reply;
}

Reply method(ApiContext& context, Request& request) {
  const std::string name = request.params.at("method");
  if (!context.methods.find(name)) throw HttpError(404, "unknown_method", "no such method");
  request.label = "/api/v1/" + name;
  const auto session = authenticateClient(context, request, false);
  const auto body = readJsonBody(request, context.config.maxBodyBytes, true);
  const MethodReply result = context.methods.run(name, session, *body);
  return jsonReply(result.status, result.body ? result.body : new Poco::JSON::Object);
}

Reply health(ApiContext& context) {
  const bool accepting = context.service.accepting();
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("status", accepting ? "ok" : "unavailable");
  out->set("accepting", accepting);
  out->set("nodeId", context.service.nodeId());
  Reply reply = jsonReply(accepting ? 200 : 503, out);
  if (!accepting) reply.headers.emplace_back("Retry-After", "2");
  return reply;
}

}  // namespace

core::SessionPtr authenticateClient(ApiContext& context, Request& request,
                                    bool allowWebSocketToken) {
  std::string token = bearerToken(request);
  if (token.empty() && allowWebSocketToken) token = webSocketToken(request);
  if (token.empty()) throw core::unauthorized("missing bearer token");
  auto session = context.service.authenticate(token);
  checkOrigin(context, request, session->appKey());
  return session;
}

void addClientRoutes(Router& router, ApiContext& context) {
  router.add("POST", "/api/v1/connect", [&context](Request& r) { return connect(context, r); });
  router.add("GET", "/api/v1/events", [&context](Request& r) { return events(context, r); });
  router.add("GET", "/api/v1/ws", [&context](Request& r) { return serveWebSocket(r, context); });
  router.add(
      "OPTIONS", "/api/v1/{name}", [&context](Request& r) { return answerPreflight(context, r); },
      false);
  router.addInline("GET", "/api/v1/openapi.json", [](Request&) {
    Reply reply;
    reply.body = openApiDocument();
    return reply;
  });
  // Catch-all for the registered methods; HttpApi::routes() lists each method instead.
  router.add(
      "POST", "/api/v1/{method}", [&context](Request& r) { return method(context, r); }, false);
  router.addInline("GET", "/metrics", [&context](Request&) {
    Reply reply;
    reply.body = context.metrics.render();
    reply.contentType = "text/plain; version=0.0.4; charset=utf-8";
    return reply;
  });
  router.addInline("GET", "/health", [&context](Request&) { return health(context); });
}

}  // namespace sipbridge::api
