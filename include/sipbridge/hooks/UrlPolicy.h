#pragma once

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>

#include <string>

namespace sipbridge::hooks {

/// A hook URL that passed the policy, with the address to connect to. Connecting to
/// `address` (not resolving `host` again) keeps a DNS answer that changes between the
/// check and the connection from reaching a refused address.
struct Destination {
  std::string scheme;  ///< "http"
  std::string host;    ///< as written in the URL (sent in the Host header)
  unsigned short port = 0;
  std::string pathAndQuery;          ///< never empty ("/" at least)
  Poco::Net::SocketAddress address;  ///< first allowed address the host resolved to
};

/// Which URLs hooks may be sent to. Immutable; thread-safe. Resolves names with
/// Poco::Net::DNS (blocking: HTTP threads and hook workers only).
class UrlPolicy {
 public:
  /// `allowPrivate` lets loopback, private, link-local... addresses through (development).
  explicit UrlPolicy(bool allowPrivate);

  /// Throws DestinationNotAllowed, with a message fit for an administrator, unless the
  /// URL is http, has a host, and every address the host resolves to is allowed.
  /// https is refused for now: this build does not link POCO NetSSL.
  void check(const std::string& url) const;

  /// Like check(), and returns where to connect.
  Destination resolve(const std::string& url) const;

  /// True for globally routable unicast addresses (IPv4-mapped IPv6 judged as IPv4).
  static bool isPublic(const Poco::Net::IPAddress& address);

  bool allowPrivate() const { return allowPrivate_; }

 private:
  bool allowPrivate_;
};

}  // namespace sipbridge::hooks
