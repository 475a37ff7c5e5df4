#pragma once

#include <optional>
#include <string>

namespace sipbridge::sip {

/// Helpers that turn validated account fields into the text forms sofia's typed
/// constructors expect (url_t fields are copied verbatim, so they must be escaped here).

/// Percent-encodes everything outside RFC 3261 `unreserved` and `user-unreserved`.
std::string escapeUser(const std::string& user);

/// The inside of a quoted-string: quotes and backslashes escaped (what NUTAG_M_DISPLAY
/// expects; nua adds the surrounding quotes itself when the text is not a token).
std::string escapeQuoted(const std::string& text);

/// A quoted-string for a display name: "..." around escapeQuoted(name).
std::string quoteDisplayName(const std::string& name);

/// True for a host name, IPv4 literal or bracketed IPv6 literal (letters, digits, '.', '-',
/// ':' inside brackets). No control characters, no spaces.
bool isValidHost(const std::string& host);

/// True when every character is an RFC 3261 `unreserved` character (safe as a URI user
/// part without escaping).
bool isToken(const std::string& text);

/// "host:port" split and checked; nullopt if malformed (port 1..65535 required).
struct HostPort {
  std::string host;
  std::string port;
};
std::optional<HostPort> parseHostPort(const std::string& text);

}  // namespace sipbridge::sip
