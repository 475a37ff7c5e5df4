#pragma once

#include "sipbridge/hooks/KeepAlivePool.h"
#include "sipbridge/hooks/Signer.h"
#include "sipbridge/hooks/UrlPolicy.h"

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

/// Sends one signed POST per call with Poco::Net::HTTPClientSession. Redirects are never
/// followed. Without a keep-alive pool every call uses its own connection; with one, a
/// connection whose answer was read completely is kept for the next call to the same
/// destination. A pooled connection that fails before the request is written is replaced
/// once by a fresh one (POCO reconnects on a failed first write); once the request may
/// have been sent, a failure is reported, never resent. Thread-safe, blocking (one call
/// lasts at most about twice the timeout: connect, then receive).
class HttpSender {
 public:
  /// The clock giving `webhook-timestamp` (Unix seconds); injected for tests.
  using Clock = std::function<std::int64_t()>;

  /// `policy` must outlive the sender; it is applied to every URL before connecting.
  /// `keepAlive`, when given, holds the connections reused between calls.
  HttpSender(const UrlPolicy& policy, std::chrono::milliseconds timeout,
             std::size_t maxResponseBytes = 64 * 1024, Clock clock = {},
             std::unique_ptr<KeepAlivePool> keepAlive = {});

  /// POSTs `body` (application/json) to `url` with webhook-id, a fresh webhook-timestamp
  /// and webhook-signature. Never throws for network or policy failures: they come back
  /// as status 0 with `error` ("destination not allowed: ...", "timeout: ...").
  SendResult post(const std::string& url, const std::string& webhookId, const Signer& signer,
                  const std::string& body) const;

 private:
  const UrlPolicy& policy_;
  std::chrono::milliseconds timeout_;
  std::size_t maxResponseBytes_;
  Clock clock_;
  std::unique_ptr<KeepAlivePool> keepAlive_;
};

}  // namespace sipbridge::hooks
