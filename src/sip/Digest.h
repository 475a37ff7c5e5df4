#pragma once

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include <string>

namespace sipbridge::sip {

/// Answers the WWW- or Proxy-Authenticate challenge in `sip` on `handle` with
/// nua_authenticate (scheme:"realm":authName:password). Returns false, and sends nothing,
/// when the answer carries no usable challenge. SIP thread only.
bool answerChallenge(nua_handle_t* handle, const sip_t* sip, const std::string& authName,
                     const std::string& password);

/// True for a response nta made up itself (timeout, transport failure) rather than one
/// received: it carries every header a received one does, but no transport protocol in its
/// address info. Only inside the nua callback that reports the response.
bool isLocalResponse(nua_t* nua, const sip_t* sip);

/// Overwrites a string that held a password before it is freed.
void wipe(std::string& secret);

}  // namespace sipbridge::sip
