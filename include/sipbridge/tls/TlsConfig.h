#pragma once

#include <string>

namespace sipbridge::tls {

/// Trust and protocol settings of outgoing TLS (hooks and XCAP), read once by the
/// composition root (keys tls.* in etc/sipbridge.properties).
struct TlsConfig {
  /// Trust the operating system's CA store (Debian: ca-certificates, /etc/ssl/certs).
  bool systemCAs = true;
  /// A PEM file of further trusted CA certificates; empty: none.
  std::string caFile;
  /// A directory of further trusted CA certificates in OpenSSL's hashed layout (c_rehash);
  /// empty: none.
  std::string caDirectory;
  /// Lowest protocol version offered: "1.2" or "1.3".
  std::string minVersion = "1.2";
};

}  // namespace sipbridge::tls
