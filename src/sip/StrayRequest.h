#pragma once

#include "IncomingMessages.h"

#include <sofia-sip/nua.h>

namespace sipbridge::sip {

/// Whether `event` reports an incoming request (nua_i_invite, nua_i_refer, nua_i_options...).
bool isRequestEvent(nua_event_t event);

/// The status a request nobody takes is refused with: 403 for INVITE, MESSAGE and REFER
/// (which only gets here where it is allowed), 489 for SUBSCRIBE, 405 for PUBLISH and
/// REGISTER, 501 for unknown methods, 481 for requests that only make sense inside a dialog
/// (BYE, INFO, UPDATE, PRACK, NOTIFY).
int refusalStatus(nua_event_t event);

/// Answers the request being reported (inside its nua callback) with refusalStatus(event)
/// when nua left the answer to the application (`status` < 200); requests nua answered
/// itself are left alone. `destroy`: the handle is one nua made for this request and nobody
/// owns it, so it is released too. SIP thread only.
void refuseRequest(nua_t* nua, nua_handle_t* handle, nua_event_t event, int status, bool destroy);

/// An initial INVITE nobody takes, inside its nua_i_invite: 480 for a registered session
/// (the stack has no call listener), kContactGone for a contact no registered
/// session holds, 404 without a contact. The handle nua made for it is released. SIP thread
/// only.
void refuseInvite(nua_t* nua, nua_handle_t* handle, IncomingMessages::Target::Kind target);

}  // namespace sipbridge::sip
