#include "Digest.h"

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>

#include <algorithm>

namespace sipbridge::sip {

bool answerChallenge(nua_handle_t* handle, const sip_t* sip, const std::string& authName,
                     const std::string& password) {
  if (!handle || !sip) return false;
  const msg_auth_t* challenge =
      sip->sip_www_authenticate ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
  const char* realm = challenge ? msg_params_find(challenge->au_params, "realm=") : nullptr;
  if (!challenge || !challenge->au_scheme || !realm) return false;
  // scheme:"realm":user:password as auc_credentials() expects; the realm keeps its quotes.
  std::string credentials =
      std::string(challenge->au_scheme) + ":" + realm + ":" + authName + ":" + password;
  nua_authenticate(handle, NUTAG_AUTH(credentials.c_str()), TAG_END());
  wipe(credentials);
  return true;
}

bool isLocalResponse(nua_t* nua, const sip_t* sip) {
  msg_t* response = nua_current_request(nua);  // the response, while one is processed
  const su_addrinfo_t* source = response ? msg_addrinfo(response) : nullptr;
  return !sip || !source || source->ai_protocol == 0;
}

void wipe(std::string& secret) {
  std::fill(secret.begin(), secret.end(), '\0');
  secret.clear();
}

}  // namespace sipbridge::sip
