#pragma once

#include <Poco/Net/IPAddress.h>

#include <string>

namespace sipbridge::hooks {

/// How an address is classed by the IANA special-purpose address registries (IPv4 and
/// IPv6), for deciding whether a hook may be sent to it.
struct AddressClass {
  /// True for a unicast address that the registries call globally reachable (or that no
  /// special-purpose entry covers, within IPv4 unicast or IPv6 global unicast 2000::/3).
  bool global = false;
  /// What the address is ("loopback", "documentation (TEST-NET-1)", "private-use"...);
  /// "global unicast" for a global one.
  std::string name;
};

/// Classes `address`. IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96,
/// IPv4-compatible ::/96, the NAT64 well-known prefix 64:ff9b::/96 and 6to4 2002::/16) are
/// judged by the IPv4 address they carry, so one policy holds for both families.
AddressClass classifyAddress(const Poco::Net::IPAddress& address);

}  // namespace sipbridge::hooks
