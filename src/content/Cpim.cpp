#include "sipbridge/content/Cpim.h"

#include "sipbridge/content/ContentError.h"

namespace sipbridge::content {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void checkUri(std::string_view uri) {
  if (uri.empty()) throw ContentError("empty URI");
  for (char c : uri) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"')
      throw ContentError("invalid character in URI");
  }
}

/// The content's Content-Length header, if it has one: decimal digits only, at most one.
std::optional<std::size_t> declaredLength(const Headers& contentHeaders) {
  std::optional<std::size_t> length;
  for (const auto& [name, value] : contentHeaders) {
    if (!equalsIgnoreCase(name, "Content-Length")) continue;
    if (length) throw ContentError("cpim: duplicate Content-Length");
    const std::string_view digits = trim(value);
    if (digits.empty() || digits.size() > 9) throw ContentError("cpim: invalid Content-Length");
    std::size_t n = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') throw ContentError("cpim: invalid Content-Length");
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    length = n;
  }
  return length;
}

}  // namespace

CpimMessage parseCpim(std::string_view text, const CpimLimits& limits) {
  if (text.size() > limits.maxSize) throw ContentError("cpim: message too large");
  HeaderRules rules;
  rules.maxHeaders = limits.maxHeaders;
  rules.maxLineLength = limits.maxLineLength;
  rules.allowBareLf = limits.allowBareLf;
  CpimMessage message;
  rules.allowFolding = false;
  std::size_t pos = parseHeaderSection(text, 0, rules, "cpim message headers", message.headers);
  if (message.headers.empty()) throw ContentError("cpim: no message headers");
  rules.allowFolding = true;
  Headers content;
  pos = parseHeaderSection(text, pos, rules, "cpim content headers", content);
  for (auto& field : content) {
    if (equalsIgnoreCase(field.first, "Content-Type")) {
      if (!message.contentType.empty()) throw ContentError("cpim: duplicate Content-Type");
      if (field.second.empty()) throw ContentError("cpim: empty Content-Type");
      message.contentType = std::move(field.second);
    } else {
      message.contentHeaders.push_back(std::move(field));
    }
  }
  if (message.contentType.empty()) throw ContentError("cpim: no Content-Type");
  message.body.assign(text.substr(pos));
  if (const auto length = declaredLength(message.contentHeaders)) {
    // A content shorter than it says it is was cut on the way: refused, never guessed at.
    // Octets after the declared length are not part of the content.
    if (*length > message.body.size())
      throw ContentError("cpim: Content-Length " + std::to_string(*length) +
                         " exceeds the content (" + std::to_string(message.body.size()) +
                         " octets)");
    message.body.resize(*length);
  }
  return message;
}

std::string buildCpim(const CpimMessage& message) {
  if (message.headers.empty()) throw ContentError("cpim: no message headers");
  if (message.contentType.empty()) throw ContentError("cpim: no Content-Type");
  std::string out;
  out.reserve(256 + message.body.size());
  for (const auto& [name, value] : message.headers) appendHeader(out, name, value);
  out.append("\r\n");
  appendHeader(out, "Content-Type", message.contentType);
  for (const auto& [name, value] : message.contentHeaders) {
    if (equalsIgnoreCase(name, "Content-Type")) throw ContentError("cpim: duplicate Content-Type");
    appendHeader(out, name, value);
  }
  out.append("\r\n");
  out.append(message.body);
  return out;
}

NameAddr parseNameAddr(std::string_view value) {
  value = trim(value);
  NameAddr result;
  std::size_t pos = 0;
  if (!value.empty() && value.front() == '"') {
    pos = 1;
    bool closed = false;
    while (pos < value.size()) {
      const char c = value[pos++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c == '\\') {
        if (pos >= value.size()) break;
        result.displayName.push_back(value[pos++]);
      } else {
        result.displayName.push_back(c);
      }
    }
    if (!closed) throw ContentError("unterminated quoted display name");
  }
  const std::size_t open = value.find('<', pos);
  if (open == std::string_view::npos) throw ContentError("name-addr without '<'");
  if (pos == 0) {
    result.displayName.assign(trim(value.substr(0, open)));
  } else if (!trim(value.substr(pos, open - pos)).empty()) {
    throw ContentError("text between display name and '<'");
  }
  const std::size_t close = value.find('>', open);
  if (close == std::string_view::npos || close + 1 != value.size())
    throw ContentError("name-addr without closing '>'");
  result.uri.assign(value.substr(open + 1, close - open - 1));
  checkUri(result.uri);
  checkHeaderValue(result.displayName);
  return result;
}

std::string formatNameAddr(const NameAddr& address) {
  checkUri(address.uri);
  checkHeaderValue(address.displayName);
  std::string out;
  if (!address.displayName.empty()) {
    out.push_back('"');
    for (char c : address.displayName) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.append("\" ");
  }
  out.push_back('<');
  out.append(address.uri);
  out.push_back('>');
  return out;
}

std::optional<std::string> namespacePrefix(const CpimMessage& message, std::string_view urn) {
  for (const auto& [name, value] : message.headers) {
    if (!equalsIgnoreCase(name, "NS")) continue;
    NameAddr declared;
    try {
      declared = parseNameAddr(value);
    } catch (const ContentError&) {
      continue;  // a malformed declaration binds nothing
    }
    if (equalsIgnoreCase(declared.uri, urn) && isHeaderName(declared.displayName))
      return declared.displayName;
  }
  return std::nullopt;
}

std::optional<std::string> findNamespaced(const CpimMessage& message, std::string_view urn,
                                          std::string_view localName) {
  const auto prefix = namespacePrefix(message, urn);
  if (!prefix) return std::nullopt;
  const std::string name = *prefix + "." + std::string(localName);
  return findHeader(message.headers, name);
}

void declareNamespace(CpimMessage& message, std::string_view prefix, std::string_view urn) {
  if (!isHeaderName(prefix) || prefix.find('.') != std::string_view::npos)
    throw ContentError("invalid namespace prefix");
  checkUri(urn);
  message.headers.emplace_back("NS", std::string(prefix) + " <" + std::string(urn) + ">");
}

}  // namespace sipbridge::content
