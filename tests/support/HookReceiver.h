#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace sipbridge::test {

/// One request as the receiver saw it.
struct ReceivedRequest {
  std::string method;
  std::string path;                            ///< path and query
  std::map<std::string, std::string> headers;  ///< names in lower case
  std::string body;
  std::chrono::steady_clock::time_point at;  ///< when it arrived
  int answeredStatus = 0;
  std::string clientCommonName;  ///< over https: the CN of the client's certificate, if any

  /// The header's value, or "" when absent.
  std::string header(const std::string& lowerCaseName) const;
};

/// How the receiver answers a request.
struct Reply {
  int status = 200;
  int delayMs = 0;         ///< wait before answering (cut short by stop())
  std::string body;        ///< answered with content-type application/json when not empty
  std::string location;    ///< Location header (redirects)
  std::string retryAfter;  ///< Retry-After header

  static Reply ok(std::string body = {}) { return Reply{200, 0, std::move(body), {}, {}}; }
  static Reply withStatus(int code) { return Reply{code, 0, {}, {}, {}}; }
  static Reply slow(int delayMs, int code = 200) { return Reply{code, delayMs, {}, {}, {}}; }
  static Reply redirect(std::string location) { return Reply{302, 0, {}, std::move(location), {}}; }
  static Reply tooMany(std::string retryAfter) {
    return Reply{429, 0, {}, {}, std::move(retryAfter)};
  }
  static Reply gone() { return Reply{410, 0, {}, {}, {}}; }
};

/// The TLS settings of a receiver serving https.
struct ReceiverTls {
  std::string certFile;  ///< the server's certificate (PEM)
  std::string keyFile;   ///< its key
  /// When not empty: client certificates signed by this CA are asked for.
  std::string clientCaFile;
  bool requireClientCertificate = false;  ///< refuse the handshake without one
};

/// A real HTTP (or HTTPS) server on 127.0.0.1 (port chosen by the system) standing in for
/// an application backend. Records every request and answers as programmed: per path or
/// by default, with exceptions for the Nth request to a path. Thread-safe.
class HookReceiver {
 public:
  /// Starts listening (plain http) at once.
  HookReceiver();
  /// Starts listening over https at once.
  explicit HookReceiver(ReceiverTls tls);
  ~HookReceiver();
  HookReceiver(const HookReceiver&) = delete;
  HookReceiver& operator=(const HookReceiver&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:<port>" (https for a TLS receiver) followed by `path`.
  std::string url(const std::string& path = {}) const;

  /// The answer to every request without a more specific rule.
  void setDefault(Reply reply);
  /// The answer to requests whose path (without query) is `path`.
  void setReply(const std::string& path, Reply reply);
  /// The answer to the `n`th request (1-based) to `path` ("" = counting every request).
  void setNth(const std::string& path, int n, Reply reply);

  /// Stops listening and cuts pending delays short; connections are refused meanwhile.
  void stop();
  /// Listens again on the same port.
  void start();

  std::vector<ReceivedRequest> requests() const;
  std::vector<ReceivedRequest> requests(const std::string& path) const;
  std::size_t count() const;
  /// Waits until at least `count` requests (to `path` when not empty) were recorded.
  bool waitFor(std::size_t count, std::chrono::milliseconds timeout,
               const std::string& path = {}) const;
  void clear();

  /// True when the request's webhook-signature matches its webhook-id, webhook-timestamp
  /// and body under `secret` (Standard Webhooks).
  static bool signatureValid(const ReceivedRequest& request, const std::string& secret);

 private:
  class Handler;
  class Factory;
  Reply replyFor(const std::string& path, int nthOverall, int nthForPath) const;
  void record(ReceivedRequest request);
  /// Waits up to `delayMs` unless stopped; false when stopped.
  bool delay(int delayMs);

  std::optional<ReceiverTls> tls_;
  int port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<ReceivedRequest> requests_;
  std::map<std::string, int> perPath_;
  int total_ = 0;
  std::optional<Reply> default_;
  std::map<std::string, Reply> byPath_;
  std::map<std::pair<std::string, int>, Reply> nth_;
  bool running_ = false;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace sipbridge::test
