#include "ApiIo.h"
#include "Routes.h"
#include "WebSocketSession.h"
#include "sipbridge/api/HttpErrors.h"
#include "sipbridge/core/Errors.h"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <limits>

namespace sipbridge::api {
namespace {

/// The subprotocols offered in Sec-WebSocket-Protocol, in order.
std::vector<std::string> offeredProtocols(const Request& request) {
  std::vector<std::string> out;
  for (const auto& [name, value] : request.headers) {
    if (Poco::icompare(name, "Sec-WebSocket-Protocol") != 0) continue;
    Poco::StringTokenizer tokens(
        value, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    out.insert(out.end(), tokens.begin(), tokens.end());
  }
  return out;
}

bool headerHasToken(const Request& request, const std::string& name, const std::string& token) {
  Poco::StringTokenizer tokens(
      request.header(name), ",",
      Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& t : tokens)
    if (Poco::icompare(t, token) == 0) return true;
  return false;
}

}  // namespace

std::string webSocketToken(const Request& request) {
  if (auto token = request.queryParam("token")) return *token;
  const std::string prefix = "token.";
  for (const auto& protocol : offeredProtocols(request))
    if (protocol.size() > prefix.size() && protocol.compare(0, prefix.size(), prefix) == 0)
      return protocol.substr(prefix.size());
  return {};
}

Reply serveWebSocket(Request& request, ApiContext& context) {
  const auto session = authenticateClient(context, request, true);
  WebSocketUpgrade upgrade;
  upgrade.session = session;
  upgrade.after = parseInteger(request.queryParam("after").value_or("0"), "after", 0,
                               std::numeric_limits<std::int64_t>::max());
  // Checked again when the socket is taken over; refusing early spares the handshake.
  if (context.openWebSockets->load() >= context.config.maxWebSockets)
    throw core::Unavailable("too many WebSockets are open; use long-poll or retry later", 5);
  if (!headerHasToken(request, "Upgrade", "websocket") ||
      !headerHasToken(request, "Connection", "upgrade") ||
      request.header("Sec-WebSocket-Key").empty() ||
      request.header("Sec-WebSocket-Version") != "13")
    throw HttpError(400, "bad_handshake",
                    "not a WebSocket handshake (Upgrade: websocket, Sec-WebSocket-Key and "
                    "Sec-WebSocket-Version: 13 are required)");
  for (const auto& protocol : offeredProtocols(request))
    if (protocol == "sipbridge") upgrade.subprotocol = protocol;
  Reply reply;
  reply.takeOver = std::move(upgrade);
  return reply;
}

std::string answerMethodFrame(ApiContext& context, const core::SessionPtr& session,
                              const std::string& text) {
  Poco::Dynamic::Var id;
  int status = 500;
  Poco::JSON::Object::Ptr body;
  try {
    const auto frame = parseJsonObject(text);
    if (frame->has("id")) id = frame->get("id");
    if (!id.isEmpty() && !id.isString() && !id.isInteger())
      throw core::invalidField("id", "must be a string or an integer");
    const std::string method = stringMember(*frame, "method");
    if (method.empty()) throw core::invalidField("method", "is required");
    Poco::JSON::Object fields(*frame);
    fields.remove("id");
    fields.remove("method");
    const MethodReply reply = context.methods.run(method, session, fields);
    status = reply.status;
    body = reply.body ? reply.body : new Poco::JSON::Object;
  } catch (const core::DomainError& e) {
    status = httpStatusOf(e);
    body = errorBodyOf(e);
    if (const int seconds = retryAfterOf(e); seconds > 0) body->set("retryAfter", seconds);
  } catch (const Poco::Exception& e) {
    Poco::Logger::get("sipbridge.api").error("WebSocket method failed: %s", e.displayText());
    body = errorObject("internal_error", "internal error");
  } catch (const std::exception& e) {
    Poco::Logger::get("sipbridge.api").error("WebSocket method failed: %s", std::string(e.what()));
    body = errorObject("internal_error", "internal error");
  }
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("replyTo", id);
  out->set("status", status);
  out->set("body", body);
  return stringify(out);
}

std::string busyMethodFrame(const std::string& text) {
  Poco::Dynamic::Var id;
  try {
    const auto frame = parseJsonObject(text);
    if (frame->has("id")) id = frame->get("id");
  } catch (const core::DomainError&) {
    // not even JSON: the reply goes without replyTo
  }
  auto body = errorObject("unavailable", "every worker is busy; retry later");
  body->set("retryAfter", 1);
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("replyTo", id);
  out->set("status", 503);
  out->set("body", body);
  return stringify(out);
}

}  // namespace sipbridge::api
