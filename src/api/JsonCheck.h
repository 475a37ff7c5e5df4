#pragma once

#include <string>

namespace sipbridge::api {

/// Checks `text` as one strict JSON text (RFC 8259) before it is parsed: well-formed UTF-8,
/// escapes that form whole code points (no lone surrogate), no duplicate member names, at most
/// 64 levels of nesting. Throws core::DomainError 400 `malformed_json` or `duplicate_member`
/// whose message says what is wrong and where (byte offset), and whose field is the path of the
/// member it is in ("payload.items[2].name"), empty at the top level.
void checkJsonText(const std::string& text);

}  // namespace sipbridge::api
