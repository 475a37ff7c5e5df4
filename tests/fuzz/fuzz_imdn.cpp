// libFuzzer target: parseImdn (XmlDocument underneath) on arbitrary bytes. It must succeed
// or throw ContentError, never fetch or expand anything; what parses and builds again
// must parse back to the same notification.
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Imdn.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace sipbridge::content;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  Imdn imdn;
  try {
    imdn = parseImdn(xml);
  } catch (const ContentError&) {
    return 0;
  }
  std::string built;
  try {
    built = buildImdn(imdn);
  } catch (const ContentError&) {
    return 0;  // e.g. a datetime that is not RFC 3339 characters
  }
  XmlLimits limits;
  limits.maxBytes = built.size();
  const Imdn back = parseImdn(built, limits);
  if (back.messageId != imdn.messageId || back.datetime != imdn.datetime ||
      back.recipientUri != imdn.recipientUri ||
      back.originalRecipientUri != imdn.originalRecipientUri || back.kind != imdn.kind ||
      back.status != imdn.status)
    std::abort();
  return 0;
}
