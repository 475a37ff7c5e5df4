#pragma once

#include "sipbridge/core/ConnectHook.h"
#include "sipbridge/hooks/HttpSender.h"
#include "sipbridge/hooks/UrlPolicy.h"

#include <chrono>
#include <functional>
#include <string>

namespace sipbridge::hooks {

/// core::ConnectHook over HTTP: POST <hookUrl>/connect, signed like every hook, with a
/// fresh webhook-id per call. Thread-safe; blocking for at most about twice the timeout
/// (HTTP threads only).
class HttpConnectHook : public core::ConnectHook {
 public:
  using IdSource = std::function<std::string()>;

  /// `policy` and `tls` must outlive the hook. `newId` makes the webhook-id (default
  /// core::newUuid). `development`, when given, counts calls to applications marked development.
  HttpConnectHook(const UrlPolicy& policy, tls::TlsClient& tls, std::chrono::milliseconds timeout,
                  IdSource newId = {}, core::Counter* development = nullptr);

  /// Accepted without a call when the app has no hook URL or its connect hook is off.
  /// A 2xx answer accepts: a JSON object body holds overrides, an empty body none, any
  /// other body refuses. Other answers refuse with "connect hook answered <status>: <body
  /// start>"; no answer refuses with "connect hook unreachable: <reason>".
  core::ConnectDecision ask(const core::App& app, const std::string& requestJson) override;

 private:
  HttpSender sender_;
  IdSource newId_;
};

}  // namespace sipbridge::hooks
