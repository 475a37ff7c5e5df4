// libFuzzer target: parseCpim on arbitrary bytes (the first byte chooses bare-LF tolerance).
// Whatever parses must build again and parse back to the same message, and the IMDN
// helpers must not fail on it except with ContentError.
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Cpim.h"
#include "sipbridge/content/Imdn.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace sipbridge::content;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  CpimLimits limits;
  limits.allowBareLf = (data[0] & 1) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  CpimMessage message;
  try {
    message = parseCpim(text, limits);
  } catch (const ContentError&) {
    return 0;
  }
  (void)requestedDispositions(message);
  (void)isImdn(message);
  try {
    (void)parseNameAddr(findHeader(message.headers, "From").value_or(""));
  } catch (const ContentError&) {
  }
  std::string built;
  try {
    built = buildCpim(message);
  } catch (const ContentError&) {
    return 0;  // parsed values may hold controls that building refuses
  }
  // Folded content header lines come back joined: allow a line as long as the whole text.
  const CpimMessage back =
      parseCpim(built, CpimLimits{built.size(), limits.maxHeaders, built.size(), false});
  if (back.headers != message.headers || back.contentType != message.contentType ||
      back.contentHeaders != message.contentHeaders || back.body != message.body)
    std::abort();
  return 0;
}
