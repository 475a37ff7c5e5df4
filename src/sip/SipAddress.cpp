#include "SipAddress.h"

#include <cctype>
#include <cstdio>
#include <string_view>

namespace sipbridge::sip {

namespace {

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos;
}

bool isUserUnreserved(unsigned char c) {
  return std::string_view("&=+$,;?/").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::string escapeUser(const std::string& user) {
  std::string out;
  out.reserve(user.size());
  for (unsigned char c : user) {
    if (isUnreserved(c) || isUserUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string escapeQuoted(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string quoteDisplayName(const std::string& name) {
  return "\"" + escapeQuoted(name) + "\"";
}

bool isValidHost(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    for (size_t i = 1; i + 1 < host.size(); ++i) {
      unsigned char c = host[i];
      if (!std::isxdigit(c) && c != ':' && c != '.') return false;
    }
    return true;
  }
  for (unsigned char c : host)
    if (!std::isalnum(c) && c != '.' && c != '-') return false;
  return host.front() != '.' && host.front() != '-';
}

bool isToken(const std::string& text) {
  if (text.empty()) return false;
  for (unsigned char c : text)
    if (!isUnreserved(c)) return false;
  return true;
}

std::optional<HostPort> parseHostPort(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) return std::nullopt;
  HostPort result{text.substr(0, colon), text.substr(colon + 1)};
  if (!isValidHost(result.host) || result.port.size() > 5) return std::nullopt;
  long port = 0;
  for (unsigned char c : result.port) {
    if (!std::isdigit(c)) return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) return std::nullopt;
  return result;
}

}  // namespace sipbridge::sip
