#pragma once

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

namespace sipbridge::sip {

/// What a nua handle's hmagic points to: the SIP-thread object that owns the handle and
/// takes its events (a Registration or an outgoing MessageRequest). SipStack routes every
/// event of a handle with a non-null hmagic here; handles nua creates for incoming
/// requests have none.
class HandleContext {
 public:
  virtual ~HandleContext() = default;
  /// A nua event for this object's handle; SIP thread only.
  virtual void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) = 0;
};

}  // namespace sipbridge::sip
