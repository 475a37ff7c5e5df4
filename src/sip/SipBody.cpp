#include "SipBody.h"

#include <sofia-sip/sip_header.h>

namespace sipbridge::sip {

std::optional<SipBody> makeBody(su_home_t* home, const std::string& contentType,
                                const std::string& body) {
  if (!home) return std::nullopt;
  SipBody made;
  if (!contentType.empty()) {
    made.type = sip_content_type_make(home, contentType.c_str());
    if (!made.type) return std::nullopt;
  }
  if (!body.empty()) {
    made.payload = sip_payload_create(home, body.data(), static_cast<isize_t>(body.size()));
    if (!made.payload) return std::nullopt;
  }
  return made;
}

}  // namespace sipbridge::sip
