#pragma once

#include "sipbridge/core/DataHook.h"
#include "sipbridge/hooks/HttpSender.h"
#include "sipbridge/hooks/UrlPolicy.h"

#include <chrono>
#include <string>

namespace sipbridge::hooks {

/// core::DataHook over HTTP: one POST of the OnDataEvent to <hookUrl>/OnDataEvent, signed with
/// the application's secret (webhook-id = the event's eventId, so retries carry the same id).
/// Thread-safe; one call blocks for at most about twice the timeout (data workers only).
class HttpDataHook : public core::DataHook {
 public:
  /// `policy` and `tls` must outlive the hook; the policy is applied to every URL before
  /// connecting. `development`, when given, counts posts to applications marked development.
  HttpDataHook(const UrlPolicy& policy, tls::TlsClient& tls, std::chrono::milliseconds timeout,
               core::Counter* development = nullptr);

  /// Status 0 with `error` when the app has no hook URL, its secret is unusable, the URL
  /// is not allowed or nothing answered; otherwise the answer's status, Retry-After, and
  /// for a non-2xx answer the start of its body in `error`.
  core::DataHookResult post(const core::App& app, const std::string& eventJson,
                            const std::string& eventId) override;

 private:
  HttpSender sender_;
};

}  // namespace sipbridge::hooks
