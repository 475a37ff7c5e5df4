#pragma once

#include <string>

namespace sipbridge::core {

/// `value` as a SIP or tel URI: kept when it is one ("sip:", "sips:", "tel:"), else taken as
/// a login or number at `domain`. Returns "" when it cannot be one (the caller names the field).
std::string addressToUri(const std::string& value, const std::string& domain);

}  // namespace sipbridge::core
