#pragma once

#include <string>

namespace sipbridge::api {

/// `origin` in the canonical form the applications' allowedOrigins are kept in
/// ("https://chat.example.com:8443": scheme and host lower-case, no default port, no path),
/// or "*" (any origin); throws core::DomainError 400 naming `field` for anything else.
std::string canonicalOrigin(const std::string& origin, const std::string& field);

}  // namespace sipbridge::api
