#pragma once

#include "Call.h"
#include "HandleContext.h"
#include "sipbridge/core/SipCalls.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/sip/SipConfig.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sipbridge::sip {

/// The calls of every session (at most config.maxCalls, counting those still finishing), by
/// session id and call id: creates them for outgoing calls and incoming INVITEs and routes
/// commands to them. Once a call has reported its end (Ended or Refused) its call id is
/// forgotten at once, so the session can use it again, while the Call itself is kept (quiet)
/// until nua terminates its handle; then it goes into `graveyard`, emptied by SipStack after
/// each callback. SIP thread only; owned by SipStack, lives while the nua does.
class CallTable {
 public:
  CallTable(su_root_t* root, const SipConfig& config, core::CallListener& listener,
            std::vector<std::unique_ptr<HandleContext>>& graveyard);
  ~CallTable();
  CallTable(const CallTable&) = delete;
  CallTable& operator=(const CallTable&) = delete;

  /// Starts an outgoing call for `account` on `nua`, the agent of its session (null account:
  /// the session has no SIP account; the call is refused with status 0). A call id in use for
  /// the session is refused with 0 too.
  void call(nua_t* nua, const core::SipAccount* account, core::OutgoingCall call);
  /// An initial INVITE (inside the nua_i_invite of `nua`, on the handle it made, which this
  /// takes over) for the registered session of `account`: answered 180 and reported, or 503
  /// when there are too many calls or the stack shuts down.
  void incoming(nua_t* nua, nua_handle_t* handle, const core::SipAccount& account,
                const sip_t* sip);

  void answer(const std::string& sessionId, const std::string& callId, const std::string& sdp);
  void rejectReoffer(const std::string& sessionId, const std::string& callId, int status);
  void hangup(const std::string& sessionId, const std::string& callId, int rejectStatus);
  void reinvite(const std::string& sessionId, const std::string& callId, const std::string& sdp);
  void refer(const std::string& sessionId, const std::string& callId, const std::string& target);
  void endRefer(const std::string& sessionId, const std::string& callId, int status,
                const std::string& reason);
  void info(const std::string& sessionId, const std::string& callId, const std::string& contentType,
            const std::string& body);

  /// Hangs up every call of the session without reporting anything more.
  void endSession(const std::string& sessionId);
  /// Silences every call and refuses new ones; nua_shutdown ends the calls.
  void shutdown();

 private:
  using Key = std::pair<std::string, std::string>;  ///< session id, call id
  Call* find(const std::string& sessionId, const std::string& callId);
  /// The call reported its end: moves it from calls_ to finishing_.
  void forget(Call& call);
  /// nua terminated the call: moves it to the graveyard.
  void retire(Call& call);
  std::string newCallId();

  su_root_t* root_;
  const SipConfig& config_;
  core::CallListener& listener_;
  std::vector<std::unique_ptr<HandleContext>>& graveyard_;
  std::map<Key, std::unique_ptr<Call>> calls_;        ///< live: their end is not reported yet
  std::map<Call*, std::unique_ptr<Call>> finishing_;  ///< reported, waiting for nua
  bool shuttingDown_ = false;
  std::string idPrefix_;  ///< random per stack, so incoming call ids are unique
  std::uint64_t nextId_ = 0;
};

}  // namespace sipbridge::sip
