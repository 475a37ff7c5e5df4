#include "sipbridge/hooks/HttpConnectHook.h"

#include "sipbridge/core/Event.h"
#include "sipbridge/hooks/Signer.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>

namespace sipbridge::hooks {
namespace {

constexpr std::size_t kQuotedBody = 200;

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

core::ConnectDecision refuse(std::string info) {
  core::ConnectDecision decision;
  decision.accepted = false;
  decision.info = std::move(info);
  return decision;
}

}  // namespace

HttpConnectHook::HttpConnectHook(const UrlPolicy& policy, tls::TlsClient& tls,
                                 std::chrono::milliseconds timeout, IdSource newId,
                                 core::Counter* development)
    : sender_(policy, tls, timeout, 64 * 1024, {}, nullptr, development),
      newId_(newId ? std::move(newId) : IdSource(core::newUuid)) {}

core::ConnectDecision HttpConnectHook::ask(const core::App& app, const std::string& requestJson) {
  if (app.hookUrl.empty() || !app.connectHook) {
    core::ConnectDecision decision;
    decision.accepted = true;
    return decision;
  }
  SendResult result;
  try {
    const Signer signer(app.secret);
    result = sender_.post(endpointFor(app, "connect"), newId_(), signer, requestJson);
  } catch (const Poco::Exception& e) {
    return refuse("connect hook unreachable: " + e.message());
  }
  if (result.status == 0) return refuse("connect hook unreachable: " + result.error);
  if (result.status < 200 || result.status >= 300)
    return refuse("connect hook answered " + std::to_string(result.status) + ": " +
                  result.body.substr(0, kQuotedBody));

  core::ConnectDecision decision;
  if (blank(result.body)) {
    decision.accepted = true;
    return decision;
  }
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var parsed = parser.parse(result.body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
      return refuse("connect hook answered " + std::to_string(result.status) +
                    " with a body that is not a JSON object");
    decision.overrides = parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return refuse("connect hook answered " + std::to_string(result.status) +
                  " with a body that is not JSON: " + e.message());
  }
  decision.accepted = true;
  return decision;
}

}  // namespace sipbridge::hooks
