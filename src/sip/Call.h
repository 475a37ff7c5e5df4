#pragma once

#include "HandleContext.h"
#include "SofiaPtr.h"
#include "sipbridge/core/SipCalls.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/sip/SipConfig.h"

#include <functional>
#include <string>

namespace sipbridge::sip {

/// One INVITE dialog of a session on its own nua handle (hmagic = this). nua runs with media
/// disabled, so the SDP of either side is carried unchanged (application/sdp bodies) and
/// every answer to an INVITE, first or re-INVITE, is sent by this class. Outgoing: INVITE
/// through the account's outbound proxy with one digest answer per challenge round, CANCEL
/// on hangup or after noAnswerTimeoutMs, BYE once established. Incoming: 180 at once, 200 on
/// answer, the reject status on hangup, 480 after config.incomingRingTimeoutMs. In an
/// established call: re-INVITE both ways, REFER both ways (REFER is allowed on call handles
/// only; nua answers an incoming one 202 and sends the NOTIFYs of a call made for it), INFO both
/// ways (incoming INFO answered 200 by nua). Everything is reported to the CallListener, with the
/// dialog's Call-ID. Once its end is reported (Ended or Refused) the call reports nothing
/// more and `ended` is called (CallTable forgets its call id then); it is over, and `finished`
/// called, when nua says the call state is terminated (after the BYE or the ACK, which can
/// take a transaction timeout). Lives on the SIP thread only; owned by CallTable.
class Call : public HandleContext {
 public:
  using Finished = std::function<void(Call&)>;

  /// An outgoing call; start() sends the INVITE. Copies what it needs of `account` (the
  /// password is wiped on destruction).
  Call(nua_t* nua, su_root_t* root, const SipConfig& config, core::CallListener& listener,
       const core::SipAccount& account, core::OutgoingCall call, Finished ended, Finished finished);
  /// An incoming call on the handle nua made for the INVITE (taken over, bound to this);
  /// accept() answers 180 and reports it.
  Call(nua_t* nua, su_root_t* root, const SipConfig& config, core::CallListener& listener,
       const core::SipAccount& account, std::string callId, nua_handle_t* handle, Finished ended,
       Finished finished);
  ~Call() override;
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  /// Sends the INVITE; reports Refused (status 0) at once when it cannot be expressed.
  /// `referrer`: the call whose incoming REFER this call carries out, or null; this call
  /// takes that REFER over and, once its INVITE has a final answer (challenges answered on
  /// the way are not one), its far end gets the final NOTIFY with that status through the
  /// call `findReferrer` returns then (null: that call has ended, nothing is sent).
  void start(Call* referrer, std::function<Call*()> findReferrer = {});
  /// Answers the INVITE being processed (`sip`, inside its nua_i_invite) with 180, reports
  /// IncomingCall and arms the ring timer.
  void accept(const sip_t* sip);

  void answer(const std::string& sdp);
  /// Answers the far end's pending re-INVITE with `status` (4xx-6xx, else 488); the call
  /// goes on as it was.
  void rejectReoffer(int status);
  /// CANCEL, `rejectStatus` or BYE depending on the state. `quiet`: nothing more is
  /// reported (the session is going away).
  void hangup(int rejectStatus, bool quiet);
  void reinvite(const std::string& sdp);
  void refer(const std::string& targetUri);
  /// Sends the final NOTIFY (sipfrag "SIP/2.0 <status> <reason>", terminated) of the REFER
  /// last received in this call, which is not carried out; nothing when none is open.
  void endRefer(int status, const std::string& reason);
  /// Sends a NOTIFY of the REFER subscription `event` (received in this call) with the
  /// message/sipfrag status line "SIP/2.0 <status> <reason>": active, or terminated when
  /// `final` (RFC 3515 2.4.4).
  void notifyRefer(const sip_event_t* event, int status, const std::string& reason, bool final);
  void info(const std::string& contentType, const std::string& body);
  /// Nothing more is reported (the stack shuts down).
  void silence() { quiet_ = true; }

  void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) override;
  void onTaggedNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip,
                        const tagi_t* tags) override;
  /// A re-INVITE in the call's dialog is answered here.
  bool answers(nua_event_t event) const override { return event == nua_i_invite; }

  const std::string& sessionId() const { return sessionId_; }
  const std::string& callId() const { return callId_; }

 private:
  enum class State { Idle, Calling, Cancelling, Ringing, Established, Ending, Done };
  enum class CancelCause { Hangup, NoAnswer };

  void onInviteAnswer(int status, const char* phrase, const sip_t* sip);
  void onReinvite(const sip_t* sip);
  void onIncomingRefer(const sip_t* sip, const tagi_t* tags);
  void onReferNotify(int status, const char* phrase, const sip_t* sip);
  void onStateChange(int status, const char* phrase, const tagi_t* tags);
  bool challenge(int status, const sip_t* sip);
  void noteCallId(const sip_t* sip);
  void armTimer(int ms, su_timer_f callback);
  static void noAnswerTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg);
  static void ringTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg);

  void update(core::CallUpdate::Kind kind, int status, const std::string& reason,
              const sip_t* sip = nullptr, bool byRemote = false, bool elsewhere = false);
  void reportEnded(int status, const std::string& reason, bool byRemote, bool elsewhere = false);
  /// A call carrying out a REFER: the final NOTIFY for its transferor, once.
  void reportToReferrer(int status, const std::string& reason);
  void transferUpdate(core::TransferUpdate::Kind kind, int status, const std::string& reason,
                      bool final);
  void infoOutcome(int status, const std::string& reason);
  /// Runs `report` unless quiet, logging what the listener throws.
  void deliver(const std::function<void()>& report);

  nua_t* nua_;
  su_root_t* root_;
  const SipConfig& config_;
  core::CallListener& listener_;
  core::SipAccount account_;
  core::OutgoingCall outgoing_;  ///< outgoing calls only
  const bool incoming_;
  std::string sessionId_;
  std::string callId_;
  std::string sipCallId_;
  Finished ended_;
  Finished finished_;
  NuaHandlePtr handle_;
  SuTimerPtr timer_;
  SuHomePtr home_;                       ///< holds referEvent_
  sip_event_t* referEvent_ = nullptr;    ///< Event of the last REFER received (in home_)
  sip_event_t* carriedRefer_ = nullptr;  ///< Event of the REFER this call carries out (in home_)
  std::function<Call*()> findReferrer_;  ///< the call that received carriedRefer_, if still up
  bool referReported_ = false;           ///< the final NOTIFY of carriedRefer_ is sent
  State state_ = State::Idle;
  CancelCause cancelCause_ = CancelCause::Hangup;
  bool quiet_ = false;
  bool endReported_ = false;
  bool credentialsSent_ = false;
  bool reinvitePending_ = false;  ///< our re-INVITE waits for its answer
  bool reofferPending_ = false;   ///< their re-INVITE waits for answer()
  bool referPending_ = false;     ///< our REFER waits for its answer
};

}  // namespace sipbridge::sip
