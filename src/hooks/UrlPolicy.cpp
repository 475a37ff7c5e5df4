#include "sipbridge/hooks/UrlPolicy.h"

#include "sipbridge/hooks/HookErrors.h"

#include <Poco/Net/DNS.h>
#include <Poco/URI.h>

#include <cstdint>
#include <vector>

namespace sipbridge::hooks {
namespace {

bool isPublicV4(const std::uint8_t* b) {
  const auto in = [b](std::uint8_t net0, std::uint8_t net1, int prefix) {
    const std::uint32_t addr = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                               (std::uint32_t{b[2]} << 8) | b[3];
    const std::uint32_t net = (std::uint32_t{net0} << 24) | (std::uint32_t{net1} << 16);
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (addr & mask) == (net & mask);
  };
  return !(in(0, 0, 8)          // "this network", unspecified
           || in(10, 0, 8)      // private
           || in(100, 64, 10)   // carrier-grade NAT
           || in(127, 0, 8)     // loopback
           || in(169, 254, 16)  // link-local (cloud metadata services live here)
           || in(172, 16, 12)   // private
           || in(192, 0, 24)    // IETF protocol assignments
           || in(192, 168, 16)  // private
           || in(198, 18, 15)   // benchmarking
           || in(224, 0, 4)     // multicast
           || in(240, 0, 4));   // reserved and broadcast
}

std::string describe(const Poco::Net::IPAddress& address) {
  if (address.isLoopback()) return "a loopback address";
  if (address.isWildcard()) return "the unspecified address";
  if (address.isMulticast()) return "a multicast address";
  if (address.isLinkLocal()) return "a link-local address";
  return "a private or reserved address";
}

}  // namespace

UrlPolicy::UrlPolicy(bool allowPrivate) : allowPrivate_(allowPrivate) {}

bool UrlPolicy::isPublic(const Poco::Net::IPAddress& address) {
  const auto* bytes = static_cast<const std::uint8_t*>(address.addr());
  if (address.family() == Poco::Net::IPAddress::IPv4) return isPublicV4(bytes);
  if (address.isIPv4Mapped() || address.isIPv4Compatible()) return isPublicV4(bytes + 12);
  if (address.isWildcard() || address.isLoopback() || address.isMulticast() ||
      address.isLinkLocal() || address.isSiteLocal())
    return false;
  const std::uint8_t first = bytes[0];
  if ((first & 0xFE) == 0xFC) return false;  // unique local fc00::/7
  if (first == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8)
    return false;  // documentation 2001:db8::/32
  if (first == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B)
    return false;                 // NAT64 64:ff9b::/96 can reach anything IPv4
  return (first & 0xE0) == 0x20;  // only global unicast 2000::/3
}

void UrlPolicy::check(const std::string& url) const {
  resolve(url);
}

Destination UrlPolicy::resolve(const std::string& url) const {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    throw DestinationNotAllowed("hook URL is not a valid URL: " + e.message());
  }
  if (uri.getScheme() == "https")
    throw DestinationNotAllowed(
        "https hook URLs are not supported by this build (it is linked without TLS); use http");
  if (uri.getScheme() != "http")
    throw DestinationNotAllowed("hook URL must use http, not '" + uri.getScheme() + "'");
  if (uri.getHost().empty()) throw DestinationNotAllowed("hook URL has no host");
  if (!uri.getUserInfo().empty())
    throw DestinationNotAllowed("hook URL must not carry user information");

  std::vector<Poco::Net::IPAddress> addresses;
  Poco::Net::IPAddress literal;
  if (Poco::Net::IPAddress::tryParse(uri.getHost(), literal)) {
    addresses.push_back(literal);
  } else {
    try {
      addresses = Poco::Net::DNS::resolve(uri.getHost()).addresses();
    } catch (const Poco::Exception& e) {
      throw DestinationNotAllowed("hook host '" + uri.getHost() +
                                  "' does not resolve: " + e.message());
    }
  }
  if (addresses.empty())
    throw DestinationNotAllowed("hook host '" + uri.getHost() + "' has no address");
  if (!allowPrivate_) {
    for (const auto& address : addresses) {
      if (!isPublic(address))
        throw DestinationNotAllowed("hook host '" + uri.getHost() + "' resolves to " +
                                    describe(address) + " (" + address.toString() +
                                    "); private destinations are not allowed");
    }
  }
  Destination destination;
  destination.scheme = uri.getScheme();
  destination.host = uri.getHost();
  destination.port = uri.getPort();
  destination.pathAndQuery = uri.getPathAndQuery();
  if (destination.pathAndQuery.empty()) destination.pathAndQuery = "/";
  destination.address = Poco::Net::SocketAddress(addresses.front(), destination.port);
  return destination;
}

}  // namespace sipbridge::hooks
