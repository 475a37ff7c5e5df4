#pragma once

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>

#include <optional>
#include <string>

namespace sipbridge::sip {

/// A message body and its Content-Type as sofia's typed headers, for the tags of one nua call
/// (nua copies tag values before the call returns, so `home` may end right after it).
struct SipBody {
  sip_content_type_t* type = nullptr;  ///< null: no Content-Type header
  sip_payload_t* payload = nullptr;    ///< null: no body
};

/// Builds `body` (every byte, NUL bytes included: its length is passed, never a C string)
/// and `contentType` (empty: none; parsed by sip_content_type_make) in `home`. Returns nothing
/// when the content type does not parse or memory runs out.
std::optional<SipBody> makeBody(su_home_t* home, const std::string& contentType,
                                const std::string& body);

}  // namespace sipbridge::sip
