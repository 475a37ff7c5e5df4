#pragma once

#include "sipbridge/core/XcapClient.h"
#include "sipbridge/tls/TlsClient.h"
#include "sipbridge/xcap/XcapConfig.h"
#include "sipbridge/xcap/XcapUrlPolicy.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sipbridge::xcap {

/// core::XcapClient over HTTP or HTTPS (RFC 4825; https through tls::TlsClient, the server's
/// certificate and host name verified).
/// Each request opens its own connection (Connection: close) to the root named by its URL,
/// answers at most one digest challenge (RFC 7616 MD5, qop=auth or none; never Basic) with
/// the request's user and password, never follows redirects (a 3xx is returned as is) and
/// reads at most maxResponseBytes of the answer. Requests run on the client's own worker
/// threads; `done` is called on a worker, and an exception escaping it is logged
/// (logger "sipbridge.xcap.HttpXcapClient") and dropped. Passwords are never logged.
/// Thread-safe. Destruction waits for requests in progress (each bounded by the timeouts);
/// requests still queued get status 0 with error "XCAP client stopped".
class HttpXcapClient : public core::XcapClient {
 public:
  /// Starts config.workers threads. Throws Poco::InvalidArgumentException for a bad root
  /// or a non-positive workers, queueLimit or timeoutSeconds. `tls` must outlive the client.
  HttpXcapClient(XcapConfig config, tls::TlsClient& tls);
  ~HttpXcapClient() override;
  HttpXcapClient(const HttpXcapClient&) = delete;
  HttpXcapClient& operator=(const HttpXcapClient&) = delete;

  void checkUrl(const std::string& url) const override;
  /// Checks the request first and throws core::DomainError 400 on the caller's thread: field
  /// "url" (see checkUrl), "method" (GET, PUT or DELETE), "body" (only PUT has one),
  /// "contentType", "ifMatch", "ifNoneMatch" (no control characters). Throws core::Unavailable
  /// when queueLimit requests are already waiting. Otherwise `done` is called exactly once
  /// with the HTTP answer, or status 0 and `error` (connection refused, timeout, answer too
  /// large, challenge that cannot be answered...).
  void execute(core::XcapRequest request, std::function<void(core::XcapResponse)> done) override;

 private:
  struct Job {
    core::XcapRequest request;
    XcapTarget target;
    std::function<void(core::XcapResponse)> done;
  };

  void work();
  void finish(Job& job, core::XcapResponse response) const;

  const XcapConfig config_;
  const XcapUrlPolicy policy_;
  tls::TlsClient& tls_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sipbridge::xcap
