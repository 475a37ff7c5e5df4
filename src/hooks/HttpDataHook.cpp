#include "sipbridge/hooks/HttpDataHook.h"

#include "sipbridge/hooks/Signer.h"

namespace sipbridge::hooks {
namespace {

constexpr std::size_t kQuotedBody = 200;

}  // namespace

HttpDataHook::HttpDataHook(const UrlPolicy& policy, tls::TlsClient& tls,
                           std::chrono::milliseconds timeout, core::Counter* development)
    : sender_(policy, tls, timeout, 64 * 1024, {}, nullptr, development) {}

core::DataHookResult HttpDataHook::post(const core::App& app, const std::string& eventJson,
                                        const std::string& eventId) {
  core::DataHookResult result;
  if (app.hookUrl.empty()) {
    result.error = "the application has no hook URL";
    return result;
  }
  SendResult sent;
  try {
    const Signer signer(app.secret);
    sent = sender_.post(endpointFor(app, "OnDataEvent"), eventId, signer, eventJson);
  } catch (const Poco::Exception& e) {
    result.error = e.message();
    return result;
  }
  result.status = sent.status;
  result.retryAfterMs = sent.retryAfterMs;
  if (sent.status == 0)
    result.error = sent.error;
  else if (sent.status < 200 || sent.status >= 300)
    result.error = sent.body.substr(0, kQuotedBody);
  return result;
}

}  // namespace sipbridge::hooks
