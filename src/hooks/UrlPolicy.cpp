#include "sipbridge/hooks/UrlPolicy.h"

#include "sipbridge/hooks/AddressClass.h"
#include "sipbridge/hooks/HookErrors.h"

#include <Poco/Net/DNS.h>
#include <Poco/URI.h>

#include <vector>

namespace sipbridge::hooks {

UrlPolicy::UrlPolicy(bool allowPrivate) : allowPrivate_(allowPrivate) {}

bool UrlPolicy::isPublic(const Poco::Net::IPAddress& address) {
  return classifyAddress(address).global;
}

void UrlPolicy::check(const std::string& url, bool development) const {
  resolve(url, development);
}

Destination UrlPolicy::resolve(const std::string& url, bool development) const {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    throw DestinationNotAllowed("hook URL is not a valid URL: " + e.message());
  }
  if (uri.getScheme() == "http" && !development)
    throw DestinationNotAllowed(
        "hook URL must use https; plain http is allowed only for an application marked "
        "development");
  if (uri.getScheme() != "https" && uri.getScheme() != "http")
    throw DestinationNotAllowed("hook URL must use https, not '" + uri.getScheme() + "'");
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
      const AddressClass kind = classifyAddress(address);
      if (!kind.global)
        throw DestinationNotAllowed("hook host '" + uri.getHost() + "' resolves to " +
                                    address.toString() + ", " + kind.name +
                                    ", which is not globally reachable; such destinations "
                                    "need hooks.allowPrivate (development)");
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
