#include "sipbridge/xcap/XcapUrlPolicy.h"

#include "sipbridge/core/Errors.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <optional>

namespace sipbridge::xcap {
namespace {

const char kField[] = "url";

[[noreturn]] void refuse(const std::string& why) {
  throw core::invalidField(kField, "XCAP URL refused: " + why);
}

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool isUnreserved(char c) {
  return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool isSubDelim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}
/// RFC 3986 pchar without the percent escapes, which are checked while decoding.
bool isPchar(char c) {
  return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@';
}
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool isControl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

/// Decodes `raw`, whose raw characters must satisfy `allowed`; refuses bad escapes and
/// decoded control characters (NUL included).
template <typename Allowed>
std::string decode(std::string_view raw, Allowed allowed, const std::string& what) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '%') {
      const int high = i + 2 < raw.size() ? hexValue(raw[i + 1]) : -1;
      const int low = i + 2 < raw.size() ? hexValue(raw[i + 2]) : -1;
      if (high < 0 || low < 0) refuse(what + " has a malformed percent escape");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (!allowed(c)) {
      refuse(what + " contains the character '" + std::string(1, c) +
             "', which must be percent-encoded");
    } else {
      out.push_back(c);
    }
  }
  for (unsigned char c : out)
    if (isControl(c)) refuse(what + " contains a control character");
  return out;
}

/// True when `text` holds a percent escape of '.', '/', '\\' or '%' itself: a segment that
/// a server decoding twice would read as a traversal or a separator.
bool hasDoubleEscape(const std::string& text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] != '%') continue;
    const int high = hexValue(text[i + 1]);
    const int low = hexValue(text[i + 2]);
    if (high < 0 || low < 0) continue;
    const char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '.' || decoded == '/' || decoded == '\\' || decoded == '%') return true;
  }
  return false;
}

/// Checks one path segment below the root. `last` allows the empty segment of a trailing '/'.
/// Servers disagree on how they normalise a path: servlet containers drop path parameters
/// (";..." up to the next '/') before resolving "." and "..", Windows servers trim trailing
/// dots and spaces and take '\\' for '/', some decode twice. A segment is refused when any
/// of these readings would make it empty, "." or ".." or split it: its name (before any ';')
/// is empty or made of dots and spaces only.
void checkSegment(std::string_view raw, bool last) {
  const std::string segment = decode(raw, isPchar, "a path segment");
  if (segment.empty()) {
    if (last) return;
    refuse("the path has an empty segment (\"//\")");
  }
  if (segment.find('/') != std::string::npos) refuse("a path segment contains an encoded '/'");
  if (segment.find('\\') != std::string::npos) refuse("a path segment contains a '\\'");
  if (hasDoubleEscape(segment))
    refuse("a path segment holds a percent-encoded escape of '.', '/', '\\' or '%'");
  const std::string name = segment.substr(0, segment.find(';'));
  if (name.empty()) refuse("a path segment has parameters but no name (\";\")");
  if (name.find_first_not_of(". ") == std::string::npos)
    refuse("the path has a \".\" or \"..\" segment (or one that a server reads as such)");
}

bool isNcNameChar(char c, bool first) {
  if (isAlnum(c) || c == '_') return !first || !(c >= '0' && c <= '9');
  return !first && (c == '-' || c == '.');
}

/// RFC 4825 section 6.4: the only query XCAP uses is a list of xmlns(prefix=namespace)
/// bindings for the prefixes of a node selector.
void checkQuery(std::string_view raw) {
  const auto queryChar = [](char c) { return isPchar(c) || c == '/' || c == '?'; };
  const std::string query = decode(raw, queryChar, "the query");
  std::string_view rest = query;
  if (rest.empty()) refuse("the query is empty");
  while (!rest.empty()) {
    if (rest.substr(0, 6) != "xmlns(") refuse("the query may only hold xmlns() bindings");
    rest.remove_prefix(6);
    std::size_t i = 0;
    while (i < rest.size() && isNcNameChar(rest[i], i == 0)) ++i;
    if (i == 0 || i >= rest.size() || rest[i] != '=') refuse("bad namespace prefix in xmlns()");
    const std::size_t close = rest.find(')', i);
    if (close == std::string_view::npos || close == i + 1) refuse("bad namespace name in xmlns()");
    rest.remove_prefix(close + 1);
  }
}

}  // namespace

XcapUrlPolicy::XcapUrlPolicy(const std::vector<std::string>& roots) {
  for (const std::string& text : roots) {
    Poco::URI uri;
    try {
      uri = Poco::URI(text);
    } catch (const Poco::Exception& e) {
      throw Poco::InvalidArgumentException("XCAP root '" + text + "': " + e.message());
    }
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty() ||
        !uri.getUserInfo().empty() || !uri.getRawQuery().empty() || !uri.getFragment().empty() ||
        text.find_first_of("?#") != std::string::npos)
      throw Poco::InvalidArgumentException(
          "XCAP root '" + text +
          "' must be https://host[:port]/path (or http), without user, query or fragment");
    std::string path = uri.getPath();
    while (!path.empty() && path.back() == '/') path.pop_back();
    roots_.push_back(Root{uri.getScheme(), Poco::toLower(uri.getHost()), uri.getPort(), path});
  }
}

XcapTarget XcapUrlPolicy::check(const std::string& url) const {
  for (char c : url) {
    const bool allowed = isPchar(c) || std::string_view("%/?#[]").find(c) != std::string::npos;
    if (!allowed) {
      if (isControl(static_cast<unsigned char>(c))) refuse("it contains a control character");
      refuse("it contains a character outside RFC 3986; percent-encode it");
    }
  }
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    refuse("it is not a valid URL (" + e.message() + ")");
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https")
    refuse("it must be an https (or http) URL");
  const std::size_t authority = url.find("://");
  if (authority == std::string::npos) refuse("it must be an absolute URL");
  if (!uri.getUserInfo().empty() || url.find('@') < url.find_first_of("/?#", authority + 3))
    refuse("it must not contain user information");
  if (url.find('#') != std::string::npos) refuse("it must not contain a fragment");

  const std::size_t pathStart = url.find_first_of("/?", authority + 3);
  if (pathStart == std::string::npos || url[pathStart] != '/') refuse("it has no path");
  const std::size_t queryStart = url.find('?', pathStart);
  const std::size_t pathEnd = queryStart == std::string::npos ? url.size() : queryStart;
  const std::string_view rawPath = std::string_view(url).substr(pathStart, pathEnd - pathStart);

  const std::string host = Poco::toLower(uri.getHost());
  const Root* root = nullptr;
  bool hostKnown = false;
  for (const Root& candidate : roots_) {
    if (candidate.scheme != uri.getScheme() || candidate.host != host ||
        candidate.port != uri.getPort())
      continue;
    hostKnown = true;
    const std::string prefix = candidate.path + "/";
    if (rawPath.size() > prefix.size() && rawPath.substr(0, prefix.size()) == prefix) {
      root = &candidate;
      break;
    }
  }
  if (!hostKnown) refuse("its scheme, host and port are not those of a configured XCAP root");
  if (!root) refuse("its path is not below a configured XCAP root");

  std::string_view rest = rawPath.substr(root->path.size() + 1);
  bool nodeSelector = false;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    checkSegment(segment, slash == std::string_view::npos);
    if (segment == "~~") nodeSelector = true;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (queryStart != std::string::npos) {
    if (!nodeSelector) refuse("it has a query but no node selector (\"~~\")");
    checkQuery(std::string_view(url).substr(queryStart + 1));
  }
  return XcapTarget{root->scheme, root->host, root->port, url.substr(pathStart)};
}

}  // namespace sipbridge::xcap
