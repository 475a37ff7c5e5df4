#pragma once

#include <string>
#include <vector>

namespace sipbridge::xcap {

/// Where an accepted XCAP URL points: the connection to open and the request target to send
/// (the URL's own percent-encoded path and query, byte for byte as checked).
struct XcapTarget {
  std::string scheme;  ///< "http" or "https", as the root's
  std::string host;
  unsigned short port = 0;
  std::string requestUri;
};

/// The allow-list of XCAP roots (RFC 4825). Immutable after construction, thread-safe.
class XcapUrlPolicy {
 public:
  /// Parses `roots` (see XcapConfig::roots); throws Poco::InvalidArgumentException naming
  /// the first root that is not an absolute http or https URL without user info, query or
  /// fragment.
  explicit XcapUrlPolicy(const std::vector<std::string>& roots);

  /// Returns where `url` points, or throws core::DomainError 400 (field "url") saying why it is
  /// refused: not http or https, user info, fragment, a scheme, host, port or path outside
  /// every root, a character outside RFC 3986 (raw characters must
  /// be pchar in the path), a bad percent escape, an empty, "." or ".." segment (also when
  /// encoded), a segment that decodes to '/', '\' or a control character, or a query other
  /// than xmlns() namespace bindings after a node selector ("~~").
  XcapTarget check(const std::string& url) const;

 private:
  struct Root {
    std::string scheme;
    std::string host;
    unsigned short port = 0;
    std::string path;  ///< without a trailing '/'
  };
  std::vector<Root> roots_;
};

}  // namespace sipbridge::xcap
