// libFuzzer target: the first line of the input is a Content-Type value, the rest a body.
// parseMultipart must succeed or throw ContentError; what parses must build and parse back
// to the same parts.
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Multipart.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace sipbridge::content;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view contentType = input.substr(0, newline);
  const std::string_view body = input.substr(newline + 1);
  MultipartLimits limits;
  limits.allowBareLf = contentType.find("lf") != std::string_view::npos;
  std::vector<MimePart> parts;
  try {
    parts = parseMultipart(body, boundaryFromContentType(contentType), limits);
  } catch (const ContentError&) {
    return 0;
  }
  std::mt19937_64 random(size);
  MultipartBody built;
  try {
    built = buildMultipart(parts, random);
  } catch (const ContentError&) {
    return 0;
  }
  MultipartLimits relaxed = limits;
  relaxed.maxSize = built.body.size();
  relaxed.maxLineLength = built.body.size();  // folded header lines come back joined
  const auto back = parseMultipart(built.body, built.boundary, relaxed);
  if (back.size() != parts.size()) std::abort();
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (back[i].headers != parts[i].headers || back[i].body != parts[i].body) std::abort();
  return 0;
}
