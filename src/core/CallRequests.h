#pragma once

#include "sipbridge/content/Sdp.h"

#include <Poco/JSON/Object.h>

#include <initializer_list>
#include <optional>
#include <string>

/// Validation of the call methods' request fields (used by core::Calls). Every function
/// throws ApiError 400 naming the offending field.
namespace sipbridge::core::callrequests {

/// Refuses members of `json` not in `names`.
void onlyFields(const Poco::JSON::Object& json, std::initializer_list<const char*> names,
                const std::string& method);
/// A string field safe for SIP headers (no controls, UTF-8, at most maxLen bytes); "" when
/// absent; `required` refuses absent or empty.
std::string text(const Poco::JSON::Object& json, const std::string& name, std::size_t maxLen,
                 bool required = false);
/// A call id: 1 to 128 printable characters without spaces; "" when absent and not required.
std::string callId(const Poco::JSON::Object& json, bool required);
/// A boolean field, or nothing when absent.
std::optional<bool> flag(const Poco::JSON::Object& json, const std::string& name);
/// inviteParameters as Request-URI parameters ";a=b;c": from a string "a=b;c" (a leading
/// ';' is accepted) or an object of strings; "" when absent.
std::string inviteParameters(const Poco::JSON::Object& json);
/// The required field `name` checked as SDP of at most maxBytes.
content::Sdp sdp(const Poco::JSON::Object& json, const std::string& name, std::size_t maxBytes);
/// dtmf: 1 to maxSymbols of 0-9 * # A-D (a-d accepted), returned in upper case.
std::string dtmf(const Poco::JSON::Object& json, std::size_t maxSymbols);
/// type: INFO (default) or INFO_RELAY; RFC2833 is refused with the reason.
std::string dtmfType(const Poco::JSON::Object& json);

}  // namespace sipbridge::core::callrequests
