#pragma once

#include <functional>
#include <string>

namespace sipbridge::core {

/// One XCAP operation (RFC 4825) on behalf of a session.
struct XcapRequest {
  std::string method = "GET";  ///< GET, PUT or DELETE
  std::string url;             ///< absolute http URL under a configured XCAP root
  std::string body;            ///< PUT only
  std::string contentType;     ///< PUT only, e.g. application/resource-lists+xml
  std::string ifMatch;         ///< ETag precondition, may be empty
  std::string ifNoneMatch;     ///< ETag precondition ("*" = must not exist), may be empty
  std::string user;            ///< digest credentials: the session's SIP identity
  std::string password;        ///< never logged
};

struct XcapResponse {
  int status = 0;  ///< HTTP status; 0 when no answer (then `error` says why)
  std::string body;
  std::string contentType;
  std::string etag;
  std::string error;
};

/// The XCAP HTTP client (implemented by the xcap module). Thread-safe.
class XcapClient {
 public:
  virtual ~XcapClient() = default;
  /// Throws an invalid-field DomainError (field "url") unless `url` lies under a configured XCAP
  /// root, with no "..", no encoded "/" (%2F), no control characters, and only http(s) to a root's
  /// host.
  virtual void checkUrl(const std::string& url) const = 0;
  /// Runs the request on the client's own bounded worker pool (digest auth answered once)
  /// and calls `done` there with the outcome. Throws Unavailable when the pool's queue is full.
  virtual void execute(XcapRequest request, std::function<void(XcapResponse)> done) = 0;
};

}  // namespace sipbridge::core
