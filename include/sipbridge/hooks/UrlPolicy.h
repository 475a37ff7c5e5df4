#pragma once

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>

#include <string>

namespace sipbridge::hooks {

/// A hook URL that passed the policy, with the address to connect to. Connecting to
/// `address` (not resolving `host` again) keeps a DNS answer that changes between the
/// check and the connection from reaching a refused address; over https `host` is only
/// used for SNI and the certificate's host name check.
struct Destination {
  std::string scheme;  ///< "https", or "http" for an application marked development
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
  /// URL is https (or http when `development`: an application marked development), has a
  /// host and no user information, and every address the host resolves to is allowed (see
  /// classifyAddress; any address when allowPrivate). One policy for IPv4 and IPv6.
  void check(const std::string& url, bool development) const;

  /// Like check(), and returns where to connect: the first address the host resolved to,
  /// once all passed. Called before every connection, so the check holds at connect time.
  Destination resolve(const std::string& url, bool development) const;

  /// True for globally reachable unicast addresses (see classifyAddress).
  static bool isPublic(const Poco::Net::IPAddress& address);

  bool allowPrivate() const { return allowPrivate_; }

 private:
  bool allowPrivate_;
};

}  // namespace sipbridge::hooks
