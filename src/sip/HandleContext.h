#pragma once

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_tag.h>

namespace sipbridge::sip {

/// What a nua handle's hmagic points to: the SIP-thread object that owns the handle and
/// takes its events (a Registration, an outgoing MessageRequest, a Call...). SipStack routes
/// every event of a handle with a non-null hmagic to onTaggedNuaEvent; handles nua creates
/// for incoming requests have none until bound.
class HandleContext {
 public:
  virtual ~HandleContext() = default;
  /// A nua event for this object's handle; SIP thread only.
  virtual void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) = 0;
  /// The same with the event's tags (valid during the call only); by default the tags are
  /// dropped. SIP thread only.
  virtual void onTaggedNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip,
                                const tagi_t* /*tags*/) {
    onNuaEvent(event, status, phrase, sip);
  }
  /// Whether this object answers incoming requests of this kind (nua_i_invite, nua_i_refer...)
  /// that nua leaves to the application (status < 200) on its handle. SipStack refuses the
  /// others itself, so no request waits for an answer nobody sends.
  virtual bool answers(nua_event_t /*event*/) const { return false; }
};

}  // namespace sipbridge::sip
