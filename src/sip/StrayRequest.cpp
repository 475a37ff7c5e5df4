#include "StrayRequest.h"

#include <Poco/Logger.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>

#include <string>

namespace sipbridge::sip {

bool isRequestEvent(nua_event_t event) {
  switch (event) {
    case nua_i_invite:
    case nua_i_refer:
    case nua_i_subscribe:
    case nua_i_publish:
    case nua_i_register:
    case nua_i_method:
    case nua_i_message:
    case nua_i_options:
    case nua_i_info:
    case nua_i_update:
    case nua_i_prack:
    case nua_i_bye:
    case nua_i_notify:
      return true;
    default:
      return false;
  }
}

int refusalStatus(nua_event_t event) {
  switch (event) {
    case nua_i_invite:
    case nua_i_refer:
    case nua_i_message:
      return 403;
    case nua_i_subscribe:
      return 489;
    case nua_i_publish:
    case nua_i_register:
      return 405;
    case nua_i_method:
      return 501;
    case nua_i_options:
      return 200;
    default:
      return 481;
  }
}

void refuseRequest(nua_t* nua, nua_handle_t* handle, nua_event_t event, int status, bool destroy) {
  if (!handle) return;
  if (status < 200) {
    const int refusal = refusalStatus(event);
    Poco::Logger::get("sipbridge.sip")
        .information("%s nobody takes: answered %d", std::string(nua_event_name(event)), refusal);
    nua_respond(handle, refusal, sip_status_phrase(refusal), NUTAG_WITH_THIS(nua), TAG_END());
  }
  if (destroy) nua_handle_destroy(handle);
}

void refuseInvite(nua_t* nua, nua_handle_t* handle, IncomingMessages::Target::Kind target) {
  using Kind = IncomingMessages::Target::Kind;
  if (target == Kind::Registered) {
    nua_respond(handle, SIP_480_TEMPORARILY_UNAVAILABLE, NUTAG_WITH_THIS(nua), TAG_END());
  } else if (target == Kind::Gone) {
    nua_respond(handle, kContactGone, kContactGonePhrase, NUTAG_WITH_THIS(nua), TAG_END());
  } else {
    nua_respond(handle, SIP_404_NOT_FOUND, NUTAG_WITH_THIS(nua), TAG_END());
  }
  nua_handle_destroy(handle);
}

}  // namespace sipbridge::sip
