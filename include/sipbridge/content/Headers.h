#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipbridge::content {

/// Header fields in their order of appearance: name as received, value with the
/// surrounding whitespace removed (folded MIME lines joined by one space).
using Headers = std::vector<std::pair<std::string, std::string>>;

/// How header sections are read. Line-length and count limits bound the work done on
/// hostile input before anything is allocated for it.
struct HeaderRules {
  std::size_t maxLineLength = 998;  ///< octets per line without the line break (RFC 5322)
  std::size_t maxHeaders = 64;      ///< fields per section
  bool allowBareLf = false;         ///< accept LF alone as a line break (RFC: CRLF only)
  bool allowFolding = false;        ///< accept continuation lines (MIME yes, CPIM no)
};

/// ASCII case-insensitive equality, for header and parameter names.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

/// The first value of `name` (case-insensitive), or nothing.
std::optional<std::string> findHeader(const Headers& headers, std::string_view name);

/// Every value of `name` (case-insensitive), in order.
std::vector<std::string> findHeaders(const Headers& headers, std::string_view name);

/// True when `name` is a non-empty RFC 2045 token (no CTLs, spaces or tspecials, ':' ...).
bool isHeaderName(std::string_view name);

/// Throws ContentError when `value` holds CR, LF or NUL (header injection) or another
/// control character other than HT.
void checkHeaderValue(std::string_view value);

/// Appends `name: value CRLF` after checking both; throws ContentError on a bad field.
void appendHeader(std::string& out, std::string_view name, std::string_view value);

/// Reads one header section of `text` starting at `pos` up to and including the empty line
/// that ends it; appends the fields to `out` and returns the offset just after that empty
/// line. Throws ContentError naming `section` when the section is malformed, unterminated
/// or over a limit.
std::size_t parseHeaderSection(std::string_view text, std::size_t pos, const HeaderRules& rules,
                               const char* section, Headers& out);

}  // namespace sipbridge::content
