#include "sipbridge/content/Multipart.h"

#include "sipbridge/content/ContentError.h"

#include <cstring>

namespace sipbridge::content {

namespace {

bool isBoundaryChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != '\0' && std::strchr("'()+_,-./:=? ", c) != nullptr;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

/// Where a delimiter line starts (its leading line break) and where the text after it does.
struct Delimiter {
  std::size_t lineStart = 0;
  std::size_t after = 0;
  bool close = false;
  bool found = false;
};

/// Finds the next delimiter line `--boundary[--] padding CRLF` starting at or after `from`.
/// A line that merely begins with the boundary is not a delimiter.
Delimiter findDelimiter(std::string_view body, std::string_view dash, std::size_t from,
                        bool allowBareLf) {
  std::size_t search = from;
  while (true) {
    const std::size_t p = body.find(dash, search);
    if (p == std::string_view::npos) return {};
    search = p + 1;
    std::size_t lineStart = p;
    if (p != 0) {
      if (body[p - 1] != '\n') continue;
      if (p >= 2 && body[p - 2] == '\r') {
        lineStart = p - 2;
      } else if (allowBareLf) {
        lineStart = p - 1;
      } else {
        continue;
      }
      if (lineStart < from) continue;  // that line break ends the previous delimiter line
    }
    std::size_t q = p + dash.size();
    bool close = false;
    if (body.substr(q, 2) == "--") {
      close = true;
      q += 2;
    }
    while (q < body.size() && isSpace(body[q])) ++q;
    if (q == body.size()) {
      if (close) return {lineStart, q, true, true};
      continue;
    }
    if (body[q] == '\r' && q + 1 < body.size() && body[q + 1] == '\n')
      return {lineStart, q + 2, close, true};
    if (body[q] == '\n' && allowBareLf) return {lineStart, q + 1, close, true};
  }
}

bool isMultipart(std::string_view contentType) {
  const auto type = trim(contentType.substr(0, contentType.find('/')));
  return equalsIgnoreCase(type, "multipart");
}

std::vector<MimePart> parseLevel(std::string_view body, std::string_view boundary,
                                 const MultipartLimits& limits, std::size_t depth,
                                 std::size_t& count) {
  if (depth > limits.maxDepth) throw ContentError("multipart: nested too deep");
  checkBoundary(boundary);
  const std::string dash = "--" + std::string(boundary);
  if (dash.size() > body.size()) throw ContentError("multipart: boundary longer than body");

  HeaderRules rules;
  rules.maxHeaders = limits.maxHeaders;
  rules.maxLineLength = limits.maxLineLength;
  rules.allowBareLf = limits.allowBareLf;
  rules.allowFolding = true;

  Delimiter delimiter = findDelimiter(body, dash, 0, limits.allowBareLf);
  if (!delimiter.found) throw ContentError("multipart: no boundary delimiter");
  if (delimiter.close) throw ContentError("multipart: no body part");
  std::vector<MimePart> parts;
  while (!delimiter.close) {
    const std::size_t start = delimiter.after;
    delimiter = findDelimiter(body, dash, start, limits.allowBareLf);
    if (!delimiter.found) throw ContentError("multipart: missing close delimiter");
    if (++count > limits.maxParts) throw ContentError("multipart: too many parts");
    const std::string_view text = body.substr(start, delimiter.lineStart - start);
    MimePart part;
    std::size_t bodyStart = 0;
    if (!text.empty())
      bodyStart = parseHeaderSection(text, 0, rules, "multipart part", part.headers);
    part.body.assign(text.substr(bodyStart));
    const auto type = findHeader(part.headers, "Content-Type");
    if (type && isMultipart(*type))
      part.parts = parseLevel(part.body, boundaryFromContentType(*type), limits, depth + 1, count);
    parts.push_back(std::move(part));
  }
  return parts;
}

bool occursIn(const std::vector<MimePart>& parts, std::string_view needle) {
  for (const auto& part : parts) {
    if (part.body.find(needle) != std::string::npos) return true;
    for (const auto& [name, value] : part.headers)
      if (value.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

void checkBoundary(std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70) throw ContentError("multipart: boundary length");
  for (char c : boundary)
    if (!isBoundaryChar(c)) throw ContentError("multipart: invalid boundary character");
  if (boundary.back() == ' ') throw ContentError("multipart: boundary ends with space");
}

std::string boundaryFromContentType(std::string_view contentType) {
  const std::size_t semi = contentType.find(';');
  const auto mediaType = trim(contentType.substr(0, semi));
  const std::size_t slash = mediaType.find('/');
  if (slash == std::string_view::npos || !isMultipart(mediaType) ||
      !isHeaderName(mediaType.substr(slash + 1)))
    throw ContentError("multipart: not a multipart type");
  std::size_t pos = semi;
  while (pos != std::string_view::npos && pos < contentType.size()) {
    ++pos;  // past ';'
    while (pos < contentType.size() && isSpace(contentType[pos])) ++pos;
    const std::size_t eq = contentType.find('=', pos);
    if (eq == std::string_view::npos) break;
    const auto name = trim(contentType.substr(pos, eq - pos));
    std::string value;
    pos = eq + 1;
    while (pos < contentType.size() && isSpace(contentType[pos])) ++pos;
    if (pos < contentType.size() && contentType[pos] == '"') {
      ++pos;
      bool closed = false;
      while (pos < contentType.size()) {
        const char c = contentType[pos++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && pos < contentType.size()) {
          value.push_back(contentType[pos++]);
        } else {
          value.push_back(c);
        }
      }
      if (!closed) throw ContentError("multipart: unterminated quoted parameter");
      while (pos < contentType.size() && isSpace(contentType[pos])) ++pos;
      if (pos < contentType.size() && contentType[pos] != ';')
        throw ContentError("multipart: text after quoted parameter");
    } else {
      const std::size_t end = contentType.find(';', pos);
      value.assign(trim(contentType.substr(pos, end - pos)));
      pos = end;
    }
    if (equalsIgnoreCase(name, "boundary")) {
      checkBoundary(value);
      return value;
    }
  }
  throw ContentError("multipart: no boundary parameter");
}

std::vector<MimePart> parseMultipart(std::string_view body, std::string_view boundary,
                                     const MultipartLimits& limits) {
  if (body.size() > limits.maxSize) throw ContentError("multipart: body too large");
  std::size_t count = 0;
  return parseLevel(body, boundary, limits, 1, count);
}

MultipartBody buildMultipart(const std::vector<MimePart>& parts, std::mt19937_64& random) {
  if (parts.empty()) throw ContentError("multipart: no body part");
  static constexpr char kAlphabet[] =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  MultipartBody result;
  for (int attempt = 0; attempt < 8 && result.boundary.empty(); ++attempt) {
    std::string candidate = "sb-";
    for (int i = 0; i < 24; ++i) candidate.push_back(kAlphabet[random() % (sizeof kAlphabet - 1)]);
    if (!occursIn(parts, candidate)) result.boundary = std::move(candidate);
  }
  if (result.boundary.empty()) throw ContentError("multipart: no free boundary");
  std::size_t size = 0;
  for (const auto& part : parts) size += part.body.size() + 128;
  result.body.reserve(size);
  for (const auto& part : parts) {
    result.body.append("--").append(result.boundary).append("\r\n");
    for (const auto& [name, value] : part.headers) appendHeader(result.body, name, value);
    result.body.append("\r\n").append(part.body).append("\r\n");
  }
  result.body.append("--").append(result.boundary).append("--\r\n");
  result.contentType = "multipart/mixed;boundary=\"" + result.boundary + "\"";
  return result;
}

MultipartBody buildMultipart(const std::vector<MimePart>& parts) {
  std::random_device device;
  std::mt19937_64 random((static_cast<std::uint64_t>(device()) << 32) ^ device());
  return buildMultipart(parts, random);
}

}  // namespace sipbridge::content
