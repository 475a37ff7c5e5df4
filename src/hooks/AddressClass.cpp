#include "sipbridge/hooks/AddressClass.h"

#include <array>
#include <cstdint>

namespace sipbridge::hooks {
namespace {

/// One entry of a special-purpose registry: a prefix and whether it is globally reachable.
struct Block {
  std::array<std::uint8_t, 16> prefix;  ///< IPv4 entries use the first 4 bytes
  int length;                           ///< prefix length in bits
  bool global;
  const char* name;
};

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and its updates), plus multicast and
// limited broadcast, which are no unicast destinations either. Globally reachable entries
// more specific than a non-global one are listed too: the longest match decides.
constexpr Block kIpv4[] = {
    {{0}, 8, false, "\"this network\""},
    {{10}, 8, false, "private-use"},
    {{100, 64}, 10, false, "shared address space (carrier-grade NAT)"},
    {{127}, 8, false, "loopback"},
    {{169, 254}, 16, false, "link-local"},
    {{172, 16}, 12, false, "private-use"},
    {{192, 0, 0}, 24, false, "IETF protocol assignments"},
    {{192, 0, 0, 0}, 29, false, "IPv4 service continuity prefix"},
    {{192, 0, 0, 8}, 32, false, "IPv4 dummy address"},
    {{192, 0, 0, 9}, 32, true, "port control protocol anycast"},
    {{192, 0, 0, 10}, 32, true, "traversal using relays around NAT anycast"},
    {{192, 0, 0, 170}, 31, false, "NAT64/DNS64 discovery"},
    {{192, 0, 2}, 24, false, "documentation (TEST-NET-1)"},
    {{192, 31, 196}, 24, true, "AS112-v4"},
    {{192, 52, 193}, 24, true, "automatic multicast tunneling"},
    {{192, 88, 99}, 24, false, "deprecated 6to4 relay anycast"},
    {{192, 168}, 16, false, "private-use"},
    {{192, 175, 48}, 24, true, "direct delegation AS112 service"},
    {{198, 18}, 15, false, "benchmarking"},
    {{198, 51, 100}, 24, false, "documentation (TEST-NET-2)"},
    {{203, 0, 113}, 24, false, "documentation (TEST-NET-3)"},
    {{224}, 4, false, "multicast"},
    {{240}, 4, false, "reserved"},
    {{255, 255, 255, 255}, 32, false, "limited broadcast"},
};

// IANA IPv6 Special-Purpose Address Registry, plus the ranges outside global unicast that
// are no destinations (multicast, link-local, unique-local, deprecated site-local). The
// forms carrying an IPv4 address are handled before this table.
constexpr Block kIpv6[] = {
    {{}, 128, false, "the unspecified address"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, false, "loopback"},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, false, "local-use IPv4/IPv6 translation"},
    {{0x01, 0x00}, 64, false, "discard-only"},
    {{0x01, 0x00, 0, 0, 0, 0, 0, 1}, 64, false, "dummy IPv6 prefix"},
    {{0x20, 0x01}, 23, false, "IETF protocol assignments"},
    {{0x20, 0x01, 0x00, 0x00}, 32, false, "Teredo"},
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
     128,
     true,
     "port control protocol anycast"},
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
     128,
     true,
     "traversal using relays around NAT anycast"},
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3},
     128,
     true,
     "DNS-SD service registration protocol anycast"},
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, false, "benchmarking"},
    {{0x20, 0x01, 0x00, 0x03}, 32, true, "automatic multicast tunneling"},
    {{0x20, 0x01, 0x00, 0x04, 0x01, 0x12}, 48, true, "AS112-v6"},
    {{0x20, 0x01, 0x00, 0x10}, 28, false, "deprecated ORCHID"},
    {{0x20, 0x01, 0x00, 0x20}, 28, true, "ORCHIDv2"},
    {{0x20, 0x01, 0x00, 0x30}, 28, true, "drone remote ID protocol entity tags"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, false, "documentation"},
    {{0x26, 0x20, 0x00, 0x4f, 0x80, 0x00}, 48, true, "direct delegation AS112 service"},
    {{0x3f, 0xff}, 20, false, "documentation"},
    {{0x5f, 0x00}, 16, false, "segment routing SIDs"},
    {{0xfc}, 7, false, "unique-local"},
    {{0xfe, 0x80}, 10, false, "link-local"},
    {{0xfe, 0xc0}, 10, false, "deprecated site-local"},
    {{0xff}, 8, false, "multicast"},
};

bool matches(const std::uint8_t* address, const Block& block) {
  const int whole = block.length / 8;
  for (int i = 0; i < whole; ++i)
    if (address[i] != block.prefix[static_cast<std::size_t>(i)]) return false;
  const int rest = block.length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (address[whole] & mask) == (block.prefix[static_cast<std::size_t>(whole)] & mask);
}

/// The longest matching entry of `table`, or null.
template <std::size_t N>
const Block* longestMatch(const std::uint8_t* address, const Block (&table)[N]) {
  const Block* best = nullptr;
  for (const Block& block : table)
    if (matches(address, block) && (!best || block.length > best->length)) best = &block;
  return best;
}

AddressClass classifyV4(const std::uint8_t* bytes) {
  if (const Block* block = longestMatch(bytes, kIpv4)) return {block->global, block->name};
  return {true, "global unicast"};
}

/// The IPv4 address an IPv6 address carries in a form judged by it, or null.
const std::uint8_t* embeddedIpv4(const std::uint8_t* b, std::string& form) {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr std::uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  static constexpr std::uint8_t kZero[12] = {};
  const auto starts = [b](const std::uint8_t(&prefix)[12]) {
    for (int i = 0; i < 12; ++i)
      if (b[i] != prefix[i]) return false;
    return true;
  };
  if (starts(kMapped)) {
    form = "IPv4-mapped";
    return b + 12;
  }
  if (starts(kNat64)) {
    form = "NAT64";
    return b + 12;
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    form = "6to4";
    return b + 2;
  }
  // ::/96 without the unspecified address and loopback, which the table names.
  if (starts(kZero) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1)) {
    form = "IPv4-compatible";
    return b + 12;
  }
  return nullptr;
}

}  // namespace

AddressClass classifyAddress(const Poco::Net::IPAddress& address) {
  const auto* bytes = static_cast<const std::uint8_t*>(address.addr());
  if (address.family() == Poco::Net::IPAddress::IPv4) return classifyV4(bytes);
  std::string form;
  if (const std::uint8_t* v4 = embeddedIpv4(bytes, form)) {
    AddressClass embedded = classifyV4(v4);
    embedded.name = form + " form of " + (embedded.global ? "a global address" : embedded.name);
    return embedded;
  }
  if (const Block* block = longestMatch(bytes, kIpv6)) return {block->global, block->name};
  if ((bytes[0] & 0xE0) == 0x20) return {true, "global unicast"};
  return {false, "reserved (outside global unicast 2000::/3)"};
}

}  // namespace sipbridge::hooks
