#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sipbridge::xcap {

/// Configuration of the XCAP client, read once by the composition root.
struct XcapConfig {
  /// The XCAP roots (RFC 4825 section 6.1) requests may go to, e.g.
  /// "https://xcap.example.test/xcap-root" (https: the server's certificate is verified like
  /// a hook's, see tls::TlsClient) or "http://127.0.0.1:5061/xcap-root"; no user info, query
  /// or fragment. A request URL must name the same scheme, host and port as one root and
  /// have a path below that root's path. Empty: every XCAP URL is refused.
  std::vector<std::string> roots;
  /// Timeout of connecting, sending and of each wait for the answer, per HTTP exchange.
  /// A digest-authenticated request makes two exchanges.
  int timeoutSeconds = 10;
  /// Worker threads running requests: the most XCAP requests in progress at once.
  int workers = 4;
  /// Requests waiting for a worker; one more is refused with core::Unavailable.
  std::size_t queueLimit = 256;
  /// Largest response body accepted; a larger answer becomes status 0 with an error.
  std::size_t maxResponseBytes = 1 << 20;
};

}  // namespace sipbridge::xcap
