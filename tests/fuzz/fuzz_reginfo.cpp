// libFuzzer target: parseReginfo (XmlDocument underneath) on arbitrary bytes. It must
// succeed or throw ContentError, never fetch or expand anything; what parses must hold only
// values RFC 3680 defines (every enumerated value printable, no empty aor, id or uri, q
// within [0, 1]).
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Reginfo.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace sipbridge::content;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  Reginfo reginfo;
  try {
    reginfo = parseReginfo(xml);
  } catch (const ContentError&) {
    return 0;
  }
  check(!toString(reginfo.state).empty());
  for (const auto& registration : reginfo.registrations) {
    check(!registration.aor.empty() && !registration.id.empty());
    check(!toString(registration.state).empty());
    for (const auto& contact : registration.contacts) {
      check(!contact.id.empty() && !contact.uri.empty());
      check(!toString(contact.state).empty() && !toString(contact.event).empty());
      check(!contact.q || (*contact.q >= 0.0 && *contact.q <= 1.0));
    }
  }
  return 0;
}
