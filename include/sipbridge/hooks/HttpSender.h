#pragma once

#include "sipbridge/core/AppDirectory.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/hooks/KeepAlivePool.h"
#include "sipbridge/hooks/Signer.h"
#include "sipbridge/hooks/UrlPolicy.h"
#include "sipbridge/tls/ClientIdentity.h"
#include "sipbridge/tls/TlsClient.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sipbridge::hooks {

/// The answer to one POST, or why there was none.
struct SendResult {
  int status = 0;  ///< HTTP status; 0 when no answer (refused, timeout, not allowed...)
  std::optional<std::int64_t> retryAfterMs;  ///< the Retry-After header as a delay
  std::string error;  ///< why there was no answer, or "HTTP <status>" for a non-2xx answer
  std::string body;   ///< the answer's body, cut at the sender's body limit
};

/// `base` + "/" + `segment`, keeping any query of `base` at the end.
std::string hookUrlFor(const std::string& base, const std::string& segment);

/// Where one hook request goes, with the application's transport settings.
struct HookEndpoint {
  std::string url;
  /// The application is marked development: plain http is allowed and an https server's
  /// certificate is not verified (counted, see HttpSender).
  bool development = false;
  tls::ClientIdentity identity = {};  ///< presented when the server asks (mutual TLS); may be empty
};

/// The endpoint of `app` for `<hookUrl>/<segment>`.
HookEndpoint endpointFor(const core::App& app, const std::string& segment);

/// The counter of hook requests of kind `hook` ("event", "connect", "data") sent to
/// applications marked development: sipbridge_hook_development_requests_total{hook="..."}.
core::Counter& developmentCounter(core::Metrics& metrics, const std::string& hook);

/// Sends one signed POST per call with Poco::Net::HTTPClientSession, or over https with the
/// TlsClient's sessions (certificate and host name verified before the request is written;
/// the application's client certificate presented when the server asks). Every connection
/// goes to the address the UrlPolicy accepted for this call, never to a new DNS answer.
/// Redirects are never followed. Without a keep-alive pool every call uses its own
/// connection; with one, a connection whose answer was read completely is kept for the next
/// call to the same destination (scheme, checked address, port, host, client certificate
/// and verification: a connection is never shared across any of these). A pooled
/// connection that fails before the request is written is replaced once by a fresh one
/// (POCO reconnects on a failed first write); once the request may have been sent, a
/// failure is reported, never resent. Thread-safe, blocking (one call lasts at most about
/// twice the timeout: connect and handshake, then receive).
class HttpSender {
 public:
  /// The clock giving `webhook-timestamp` (Unix seconds); injected for tests.
  using Clock = std::function<std::int64_t()>;

  /// `policy` and `tls` must outlive the sender; the policy is applied to every URL before
  /// connecting. `keepAlive`, when given, holds the connections reused between calls.
  /// `development`, when given, counts the requests sent to applications marked development.
  HttpSender(const UrlPolicy& policy, tls::TlsClient& tls, std::chrono::milliseconds timeout,
             std::size_t maxResponseBytes = 64 * 1024, Clock clock = {},
             std::unique_ptr<KeepAlivePool> keepAlive = {}, core::Counter* development = nullptr);

  /// POSTs `body` (application/json) to the endpoint with webhook-id, a fresh
  /// webhook-timestamp and webhook-signature. Never throws for network or policy failures:
  /// they come back as status 0 with `error` ("destination not allowed: ...", "timeout: ...",
  /// "certificate refused: certificate has expired (...)").
  SendResult post(const HookEndpoint& endpoint, const std::string& webhookId, const Signer& signer,
                  const std::string& body) const;

 private:
  /// A new session to `destination`, set up for `endpoint`.
  KeepAlivePool::Session open(const Destination& destination, const HookEndpoint& endpoint) const;

  const UrlPolicy& policy_;
  tls::TlsClient& tls_;
  std::chrono::milliseconds timeout_;
  std::size_t maxResponseBytes_;
  Clock clock_;
  std::unique_ptr<KeepAlivePool> keepAlive_;
  core::Counter* development_;
};

}  // namespace sipbridge::hooks
