#include "JsonMemberNames.h"

#include "sipbridge/core/Errors.h"

#include <cctype>
#include <cstddef>

namespace sipbridge::api {
namespace {

/// True when the raw (still escaped) JSON string text holds the escape `\u0000`.
bool holdsNul(const std::string& raw) {
  for (std::size_t i = 0; i + 1 < raw.size(); ++i) {
    if (raw[i] != '\\') continue;
    if (raw[i + 1] == 'u' && raw.compare(i + 2, 4, "0000") == 0) return true;
    ++i;  // skip the escaped character, so `\\u0000` (a backslash, then text) is not a NUL
  }
  return false;
}

/// Index of the closing quote of the string whose opening quote is at `open`.
std::size_t closingQuote(const std::string& json, std::size_t open) {
  std::size_t i = open + 1;
  while (i < json.size() && json[i] != '"') i += json[i] == '\\' ? 2 : 1;
  return i;
}

}  // namespace

void refuseNulInMemberNames(const std::string& json) {
  int depth = 0;
  std::string topLevelName;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      const std::size_t close = closingQuote(json, i);
      std::size_t next = close + 1;
      while (next < json.size() && std::isspace(static_cast<unsigned char>(json[next]))) ++next;
      if (next < json.size() && json[next] == ':') {  // a member name, not a value
        const std::string raw = json.substr(i + 1, close - i - 1);
        if (depth == 1) topLevelName = raw;
        if (holdsNul(raw))
          throw core::invalidField(topLevelName, "member names must not contain NUL (\\u0000)");
      }
      i = close;
    }
  }
}

}  // namespace sipbridge::api
