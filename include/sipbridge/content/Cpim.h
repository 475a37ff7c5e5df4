#pragma once

#include "sipbridge/content/Headers.h"

#include <optional>
#include <string>
#include <string_view>

namespace sipbridge::content {

/// The IMDN namespace URN (RFC 5438) and the prefix this module declares for it.
inline constexpr std::string_view kImdnNamespace = "urn:ietf:params:imdn";
inline constexpr std::string_view kImdnPrefix = "imdn";

/// A Message/CPIM body (RFC 3862): message headers, the MIME content headers and the
/// content, byte for byte. `contentType` is the Content-Type content header; it is not
/// repeated in `contentHeaders`. Header values are kept as written after the colon (CPIM
/// header parameters such as `;lang=fr` stay at the front of the value).
struct CpimMessage {
  Headers headers;  ///< From, To, cc, DateTime, Subject, NS, Require, prefix.Name ...
  std::string contentType;
  Headers contentHeaders;  ///< Content-ID, Content-Disposition, Content-Length ...
  std::string body;
};

/// Bounds applied by parseCpim before and while reading.
///
/// Line breaks: RFC 3862 requires CRLF; by default a bare LF in the header sections is
/// refused (allowBareLf=false), because two parsers disagreeing on where a header ends is
/// how injections pass. Callers that must interoperate with LF-only senders set
/// allowBareLf; the body is never touched either way.
struct CpimLimits {
  std::size_t maxSize = 64 * 1024;  ///< whole CPIM body, octets
  std::size_t maxHeaders = 32;      ///< per section (message headers, content headers)
  std::size_t maxLineLength = 998;  ///< per header line, without CRLF
  bool allowBareLf = false;
};

/// Parses `text` (the SIP body of type message/cpim). Message headers may not be folded
/// (RFC 3862 §3); content headers may (MIME). A missing blank line after either header
/// section, a second Content-Type or a missing one is an error. A content Content-Length
/// must be decimal and appear once; the content is that many octets (more: ContentError,
/// octets beyond it are dropped). Throws ContentError.
CpimMessage parseCpim(std::string_view text, const CpimLimits& limits = {});

/// Serialises `message` with CRLF line breaks; refuses (ContentError) invalid header names
/// and CR, LF, NUL or other controls in any header value or in contentType, and an empty
/// contentType.
std::string buildCpim(const CpimMessage& message);

/// A From/To/cc value: optional display name and a URI, `"Alice" <sip:alice@example.test>`.
struct NameAddr {
  std::string displayName;  ///< unquoted, unescaped; may be empty
  std::string uri;
};

/// Parses `Name <uri>`, `"Quoted \"Name\"" <uri>` or `<uri>`; throws ContentError.
NameAddr parseNameAddr(std::string_view value);

/// Formats as `"display" <uri>` (quotes and backslashes escaped) or `<uri>` when the
/// display name is empty; refuses controls, and '<', '>' or whitespace in the URI.
std::string formatNameAddr(const NameAddr& address);

/// The prefix declared by an `NS: prefix <urn>` header of `message` for `urn`, or nothing.
std::optional<std::string> namespacePrefix(const CpimMessage& message, std::string_view urn);

/// The value of header `localName` in namespace `urn` (whatever prefix the sender declared
/// for it, matched case-insensitively), or nothing when the namespace or header is absent.
std::optional<std::string> findNamespaced(const CpimMessage& message, std::string_view urn,
                                          std::string_view localName);

/// Appends `NS: prefix <urn>` to `message.headers` (validated).
void declareNamespace(CpimMessage& message, std::string_view prefix, std::string_view urn);

}  // namespace sipbridge::content
