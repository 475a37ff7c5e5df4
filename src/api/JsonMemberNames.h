#pragma once

#include <string>

namespace sipbridge::api {

/// Throws DomainError 400 when a member name anywhere in `json` (a valid JSON text) holds a NUL
/// (`\u0000`). POCO's parser cuts member names at a NUL, so `{"a\u0000b":1}` would silently
/// become `{"a":1}`; every JSON body is checked here before it is used. The error names the
/// top-level member the name is found in (the name itself, as written, at the top level).
void refuseNulInMemberNames(const std::string& json);

}  // namespace sipbridge::api
