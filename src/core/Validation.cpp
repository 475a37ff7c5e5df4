#include "sipbridge/core/Validation.h"

#include <cctype>

namespace sipbridge::core {
namespace {

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' ||
         c == '\'' || c == '(' || c == ')';
}

bool isTokenChar(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '!' || c == '%' || c == '*' || c == '_' ||
         c == '+' || c == '`' || c == '\'' || c == '~';
}

bool isHex(unsigned char c) {
  return std::isxdigit(c) != 0;
}

/// Length of the UTF-8 sequence starting at s[i], or 0 if it is not well-formed.
std::size_t utf8Length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xE  ? 3
                  : (c >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

std::string checkHeaderSafe(std::string_view value, std::size_t maxLen) {
  if (value.size() > maxLen) return "is longer than " + std::to_string(maxLen) + " bytes";
  for (std::size_t i = 0; i < value.size();) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) return "contains a control character";
    const std::size_t n = utf8Length(value, i);
    if (n == 0) return "is not valid UTF-8";
    i += n;
  }
  return {};
}

std::string checkSipUser(std::string_view value) {
  if (value.empty()) return "is empty";
  if (value.size() > 128) return "is longer than 128 bytes";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) return "contains a control character";
    if (c == '%') {
      if (i + 2 >= value.size() || !isHex(value[i + 1]) || !isHex(value[i + 2]))
        return "has a malformed %-escape";
      i += 2;
      continue;
    }
    const bool userUnreserved = c == '&' || c == '=' || c == '+' || c == '$' || c == ',' ||
                                c == ';' || c == '?' || c == '/';
    if (!isUnreserved(c) && !userUnreserved)
      return "contains a character not allowed in a SIP user";
  }
  return {};
}

std::string checkHost(std::string_view value) {
  if (value.empty()) return "is empty";
  if (value.size() > 253) return "is longer than 253 bytes";
  if (value.front() == '[') {
    if (value.back() != ']' || value.size() < 4) return "is not a valid IPv6 reference";
    for (char c : value.substr(1, value.size() - 2))
      if (!isHex(c) && c != ':' && c != '.') return "is not a valid IPv6 reference";
    return {};
  }
  std::size_t labelLen = 0;
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      if (labelLen == 0) return "has an empty label";
      labelLen = 0;
    } else if (std::isalnum(c) || c == '-') {
      if (++labelLen > 63) return "has a label longer than 63 characters";
    } else {
      return "contains a character not allowed in a host name";
    }
  }
  return {};
}

std::string checkHostPort(std::string_view value) {
  std::string_view host = value;
  std::string_view port;
  bool hasPort = false;
  if (!value.empty() && value.front() == '[') {
    const auto close = value.find(']');
    if (close == std::string_view::npos) return "is not a valid IPv6 reference";
    host = value.substr(0, close + 1);
    const auto rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "has text after the IPv6 reference";
      port = rest.substr(1);
      hasPort = true;
    }
  } else if (const auto colon = value.find(':'); colon != std::string_view::npos) {
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
    hasPort = true;
  }
  if (hasPort) {
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
      return "has an invalid port";
    const int number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) return "has a port outside 1 to 65535";
  }
  return checkHost(host);
}

std::string checkUriParams(std::string_view value) {
  if (value.size() > 256) return "is longer than 256 bytes";
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] != ';') return "must be a list of ;name=value parameters";
    ++i;
    std::size_t start = i;
    while (i < value.size() && isTokenChar(value[i])) ++i;
    if (i == start) return "has a parameter without a name";
    if (i < value.size() && value[i] == '=') {
      ++i;
      start = i;
      if (i < value.size() && value[i] == '"') {
        ++i;
        while (i < value.size() && value[i] != '"') {
          const auto c = static_cast<unsigned char>(value[i]);
          if (c < 0x20 || c == 0x7F || c == '\\') return "contains a forbidden character";
          ++i;
        }
        if (i == value.size()) return "has an unterminated quoted value";
        ++i;
      } else {
        while (i < value.size() && (isTokenChar(value[i]) || value[i] == ':' || value[i] == '<' ||
                                    value[i] == '>' || value[i] == '[' || value[i] == ']'))
          ++i;
        if (i == start) return "has a parameter with an empty value";
      }
    }
  }
  return {};
}

bool isUtf8Text(std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    if (value[i] == '\0') return false;
    const std::size_t n = utf8Length(value, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string toUtf8Text(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t n = value[i] == '\0' ? 0 : utf8Length(value, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(value.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string checkAppKey(std::string_view value) {
  if (value.empty() || value.size() > 64) return "must be 1 to 64 characters";
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-')
      return "may only contain letters, digits, '.', '_' and '-'";
  }
  return {};
}

}  // namespace sipbridge::core
