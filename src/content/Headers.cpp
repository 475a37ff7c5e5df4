#include "sipbridge/content/Headers.h"

#include "sipbridge/content/ContentError.h"

#include <cstring>

namespace sipbridge::content {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool isTokenChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::strchr("()<>@,;:\\\"/[]?={}", c) == nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string reason(const char* section, const char* what) {
  return std::string(section) + ": " + what;
}

}  // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::optional<std::string> findHeader(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (equalsIgnoreCase(n, name)) return v;
  return std::nullopt;
}

std::vector<std::string> findHeaders(const Headers& headers, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [n, v] : headers)
    if (equalsIgnoreCase(n, name)) values.push_back(v);
  return values;
}

bool isHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!isTokenChar(c)) return false;
  return true;
}

void checkHeaderValue(std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\0') throw ContentError("CR, LF or NUL in header value");
    if ((u < 0x20 && c != '\t') || u == 0x7f) throw ContentError("control character in header");
  }
}

void appendHeader(std::string& out, std::string_view name, std::string_view value) {
  if (!isHeaderName(name)) throw ContentError("invalid header name");
  checkHeaderValue(value);
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

std::size_t parseHeaderSection(std::string_view text, std::size_t pos, const HeaderRules& rules,
                               const char* section, Headers& out) {
  const std::size_t first = out.size();
  while (true) {
    if (pos >= text.size()) throw ContentError(reason(section, "unterminated header section"));
    // Look for the line break no further than the longest allowed line.
    const std::size_t window = std::min(text.size() - pos, rules.maxLineLength + 2);
    const void* nl = std::memchr(text.data() + pos, '\n', window);
    if (nl == nullptr) {
      if (window == text.size() - pos)
        throw ContentError(reason(section, "unterminated header section"));
      throw ContentError(reason(section, "line too long"));
    }
    const std::size_t end = static_cast<const char*>(nl) - text.data();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    } else if (!rules.allowBareLf) {
      throw ContentError(reason(section, "bare LF line break"));
    }
    if (line.size() > rules.maxLineLength) throw ContentError(reason(section, "line too long"));
    pos = end + 1;
    if (line.empty()) return pos;
    if (line.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos)
      throw ContentError(reason(section, "CR or NUL in header line"));
    if (line.front() == ' ' || line.front() == '\t') {
      if (!rules.allowFolding) throw ContentError(reason(section, "folded header line"));
      if (out.size() == first) throw ContentError(reason(section, "continuation without header"));
      const auto more = trim(line);
      auto& value = out.back().second;
      if (!more.empty()) {
        if (!value.empty()) value.push_back(' ');
        value.append(more);
      }
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw ContentError(reason(section, "header without ':'"));
    const std::string_view name = line.substr(0, colon);
    if (!isHeaderName(name)) throw ContentError(reason(section, "invalid header name"));
    if (out.size() - first >= rules.maxHeaders)
      throw ContentError(reason(section, "too many headers"));
    out.emplace_back(std::string(name), std::string(trim(line.substr(colon + 1))));
  }
}

}  // namespace sipbridge::content
