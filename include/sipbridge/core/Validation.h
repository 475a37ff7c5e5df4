#pragma once

#include <string>
#include <string_view>

namespace sipbridge::core {

/// Checks for values that end up in SIP or HTTP headers. Each returns an empty string when
/// the value is acceptable, else a short reason for the client ("contains a control character").

/// No C0 control character (CR, LF, NUL, TAB included), no DEL, valid UTF-8, at most maxLen bytes.
std::string checkHeaderSafe(std::string_view value, std::size_t maxLen);
/// A SIP URI user part (RFC 3261 `user`: unreserved, escaped and user-unreserved characters).
std::string checkSipUser(std::string_view value);
/// A host name or IPv4 address, or an IPv6 reference in brackets.
std::string checkHost(std::string_view value);
/// `host` or `host:port` (port 1 to 65535), host as in checkHost.
std::string checkHostPort(std::string_view value);
/// Contact URI parameters: one or more `;name[=value]` with token characters only.
std::string checkUriParams(std::string_view value);
/// True when `value` is valid UTF-8 without NUL: text that JSON and the event store can carry.
bool isUtf8Text(std::string_view value);
/// `value` with every NUL and every byte that does not start a valid UTF-8 sequence replaced
/// by U+FFFD: text from the network made safe for JSON and the event store.
std::string toUtf8Text(std::string_view value);
/// An application key: 1 to 64 of [A-Za-z0-9._-].
std::string checkAppKey(std::string_view value);

}  // namespace sipbridge::core
