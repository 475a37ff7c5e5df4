#include "sipbridge/content/Sdp.h"

#include "sipbridge/content/ContentError.h"

#include <cctype>
#include <optional>
#include <vector>

namespace sipbridge::content {
namespace {

/// Length of the UTF-8 sequence starting at s[i] (1-4), or 0 when it is not well formed
/// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t utf8Length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned min = 0, cp = 0;
  if ((b & 0xE0) == 0xC0)
    n = 2, min = 0x80, cp = b & 0x1F;
  else if ((b & 0xF0) == 0xE0)
    n = 3, min = 0x800, cp = b & 0x0F;
  else if ((b & 0xF8) == 0xF0)
    n = 4, min = 0x10000, cp = b & 0x07;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void checkCharacters(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7F)
      throw ContentError("SDP contains a control character");
    const auto n = utf8Length(text, i);
    if (n == 0) throw ContentError("SDP is not valid UTF-8");
    i += n;
  }
}

/// The lines of `text` without their line breaks; trailing empty lines dropped.
std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::optional<Sdp::Direction> directionOf(const std::string& line) {
  if (line == "a=sendrecv") return Sdp::Direction::SendRecv;
  if (line == "a=sendonly") return Sdp::Direction::SendOnly;
  if (line == "a=recvonly") return Sdp::Direction::RecvOnly;
  if (line == "a=inactive") return Sdp::Direction::Inactive;
  return std::nullopt;
}

/// The port of an m= line ("m=<media> <port>[/<count>] <proto> <fmt> ..."), or nothing.
std::optional<long> mediaPort(const std::string& line) {
  const auto space = line.find(' ');
  if (space == std::string::npos || space == 2) return std::nullopt;
  std::size_t i = space + 1;
  long port = 0;
  std::size_t digits = 0;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])) && digits < 6) {
    port = port * 10 + (line[i] - '0');
    ++i, ++digits;
  }
  if (digits == 0 || port > 65535 || i >= line.size() || (line[i] != ' ' && line[i] != '/'))
    return std::nullopt;
  return port;
}

std::string mediaType(const std::string& line) {
  return line.substr(2, line.find(' ') - 2);
}

bool sends(Sdp::Direction d) {
  return d == Sdp::Direction::SendRecv || d == Sdp::Direction::SendOnly;
}
bool receives(Sdp::Direction d) {
  return d == Sdp::Direction::SendRecv || d == Sdp::Direction::RecvOnly;
}

/// Increments the <sess-version> field of an o= line
/// ("o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>").
std::string bumpVersion(const std::string& origin) {
  std::vector<std::size_t> spaces;
  for (std::size_t i = 0; i < origin.size(); ++i)
    if (origin[i] == ' ') spaces.push_back(i);
  if (spaces.size() < 3) return origin;
  const auto from = spaces[1] + 1, to = spaces[2];
  std::string version = origin.substr(from, to - from);
  if (version.empty() || version.size() > 19) return origin;
  for (char c : version)
    if (!std::isdigit(static_cast<unsigned char>(c))) return origin;
  // Decimal increment on the text: no overflow whatever the length.
  int i = static_cast<int>(version.size()) - 1;
  while (i >= 0 && version[i] == '9') version[i--] = '0';
  if (i < 0)
    version.insert(version.begin(), '1');
  else
    ++version[i];
  return origin.substr(0, from) + version + origin.substr(to);
}

}  // namespace

Sdp Sdp::parse(std::string_view text, std::size_t maxBytes) {
  if (text.size() > maxBytes)
    throw ContentError("SDP is longer than " + std::to_string(maxBytes) + " bytes");
  if (text.empty()) throw ContentError("SDP is empty");
  checkCharacters(text);
  const auto lines = splitLines(text);
  if (lines.empty() || lines.front() != "v=0") throw ContentError("SDP does not start with v=0");
  bool origin = false, name = false;
  for (const auto& line : lines) {
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
      throw ContentError("SDP has a line that is not <type>=<value>");
    if (line[0] == 'o') origin = true;
    if (line[0] == 's') name = true;
    if (line[0] == 'm' && !mediaPort(line)) throw ContentError("SDP has a malformed m= line");
  }
  if (!origin) throw ContentError("SDP has no o= line");
  if (!name) throw ContentError("SDP has no s= line");
  return Sdp(std::string(text));
}

bool Sdp::hasVideo() const {
  for (const auto& line : splitLines(text_))
    if (line.rfind("m=", 0) == 0 && mediaType(line) == "video" && mediaPort(line).value_or(0) != 0)
      return true;
  return false;
}

std::vector<std::string> Sdp::mediaTypes() const {
  std::vector<std::string> types;
  for (const auto& line : splitLines(text_))
    if (line.rfind("m=", 0) == 0) types.emplace_back(mediaType(line));
  return types;
}

Sdp::Direction Sdp::direction() const {
  std::optional<Direction> session;
  bool inMedia = false, inActiveMedia = false;
  for (const auto& line : splitLines(text_)) {
    if (line.rfind("m=", 0) == 0) {
      if (inActiveMedia) break;  // the first active section had no attribute of its own
      inMedia = true;
      inActiveMedia = mediaPort(line).value_or(0) != 0;
      continue;
    }
    const auto d = directionOf(line);
    if (!d) continue;
    if (!inMedia)
      session = d;
    else if (inActiveMedia)
      return *d;
  }
  return session.value_or(Direction::SendRecv);
}

Sdp Sdp::withDirection(Direction direction) const {
  const auto lines = splitLines(text_);
  const std::string eol = text_.find("\r\n") == std::string::npos ? "\n" : "\r\n";
  const std::string attribute = "a=" + std::string(name(direction));
  std::vector<std::string> out;
  bool inMedia = false, sectionHasDirection = false, anyMedia = false, sessionHasDirection = false;
  auto closeSection = [&] {
    if (inMedia && !sectionHasDirection) out.push_back(attribute);
  };
  for (const auto& line : lines) {
    if (line.rfind("m=", 0) == 0) {
      closeSection();
      inMedia = anyMedia = true;
      sectionHasDirection = false;
    }
    if (directionOf(line)) {
      (inMedia ? sectionHasDirection : sessionHasDirection) = true;
      out.push_back(attribute);
      continue;
    }
    out.push_back(line);
  }
  closeSection();
  if (!anyMedia && !sessionHasDirection) out.push_back(attribute);
  std::string result;
  bool changed = false;
  for (std::size_t i = 0; i < out.size(); ++i)
    changed = changed || i >= lines.size() || out[i] != lines[i];
  for (auto& line : out) {
    if (changed && line.rfind("o=", 0) == 0) line = bumpVersion(line);
    result += line + eol;
  }
  return changed ? Sdp(std::move(result)) : *this;
}

Sdp::Direction Sdp::answerDirection(Direction offered, Direction wanted) {
  const bool send = receives(offered) && sends(wanted);
  const bool receive = sends(offered) && receives(wanted);
  if (send && receive) return Direction::SendRecv;
  if (send) return Direction::SendOnly;
  if (receive) return Direction::RecvOnly;
  return Direction::Inactive;
}

std::string_view Sdp::name(Direction direction) {
  switch (direction) {
    case Direction::SendRecv:
      return "sendrecv";
    case Direction::SendOnly:
      return "sendonly";
    case Direction::RecvOnly:
      return "recvonly";
    case Direction::Inactive:
      return "inactive";
  }
  return "sendrecv";
}

}  // namespace sipbridge::content
