#pragma once

#include "sipbridge/core/Requests.h"
#include "sipbridge/core/SessionContext.h"
#include "sipbridge/core/SipCalls.h"

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace sipbridge::core {

/// Limits on calls (keys `calls.*` in etc/sipbridge.properties).
struct CallsConfig {
  std::size_t maxCallsPerSession = 4;  ///< live calls, outgoing and incoming together
  std::size_t maxSdpBytes = 16384;     ///< SDP of the client (offers, answers) and of the far end
  int noAnswerTimeoutSeconds = 60;     ///< outgoing INVITE cancelled after this (FAILED 408)
  std::size_t maxDtmfSymbols = 32;     ///< symbols of one sendDTMF, and queued per call
  /// Where a REFER received in a call is carried out to: "domain" (sip:/sips: URIs in the
  /// session's own SIP domain), "any", or "none" (reported and refused). A far end must not
  /// be able to make the bridge dial anywhere in the user's name.
  std::string referTargets = "domain";
};

/// Voice and video calls of sessions (call, answer, hangup, hold, unhold, transfer,
/// sendDTMF): validates the client's requests, keeps the state of each call, hands the
/// signalling to SipCalls and turns what SIP reports into CallStatusEvent, OnCallEvent,
/// TransferStatusEvent and ErrorEvent. The bridge never touches media: SDP is checked
/// (content::Sdp) and carried, only its direction attribute is rewritten for hold/unhold and
/// to answer a far-end re-INVITE.
///
/// Choices the API leaves open:
/// - TRYING is emitted when the INVITE is handed to SIP (with the 202); a 100 Trying from
///   the SIP server is not reported again. 183 without SDP is reported as SESSION_PROGRESS.
/// - hold/unhold refused by the far end: the call keeps its status and a CallStatusEvent
///   with that unchanged status carries sipStatus and info.
/// - A far-end re-INVITE is answered at once with our SDP (direction adjusted); one whose m=
///   lines differ in number or media type from ours cannot be answered that way (RFC 3264
///   §6) and is refused with 488: a CallStatusEvent with the unchanged status, sipStatus 488
///   and an info saying so.
/// - An incoming INVITE whose SDP is not acceptable (content::Sdp) is rejected with 488 and
///   reported as an ErrorEvent; one beyond maxCallsPerSession is rejected with 486.
/// - hangup of an incoming call still ringing rejects it with 603 Decline, or 486 Busy Here
///   with "busy": true.
/// - sendDTMF type INFO sends application/dtmf-relay "Signal=<s>\r\nDuration=160\r\n",
///   INFO_RELAY sends application/dtmf "<s>"; one INFO per symbol, the next one after the
///   answer to the previous; a failure emits ErrorEvent {callId, info, sipStatus} and drops
///   the symbols still queued.
///
/// Thread-safe: one mutex guards the calls. SipCalls and SessionContext::emit only queue,
/// so both are called with it held, which keeps SIP reports ordered after the command that
/// caused them. CallListener methods run on the SIP thread and never block.
class Calls final : public CallListener {
 public:
  Calls(CallsConfig config, SessionContext& sessions, SipCalls& sip);
  Calls(const Calls&) = delete;
  Calls& operator=(const Calls&) = delete;

  // The call methods: each checks the request against the limits and the call's state,
  // updates the call, hands the work to SIP and returns what it started. Each throws
  // DomainError (invalid field naming it, NotFound for an unknown callId, Conflict for a call
  // in the wrong state) and Unavailable when the SIP queue is full (nothing changed then).
  CallResult startCall(const std::shared_ptr<Session>& session, const PlaceCall& request);
  CallResult answer(Session& session, const Answer& request);
  CallResult hangup(Session& session, const Hangup& request);
  /// hold (`hold` true) or unhold.
  CallResult hold(Session& session, const Hold& request, bool hold);
  CallResult transfer(Session& session, const Transfer& request);
  CallResult sendDtmf(Session& session, const SendDtmf& request);

  /// The session is ending: every call still alive gets CallStatusEvent FINISH (info
  /// "session ended") and is forgotten; the SIP side hangs them up with the registration.
  void sessionEnded(Session& session);

  /// Live calls of the session (for tests and metrics).
  std::size_t callCount(const std::string& sessionId) const;

  // CallListener (SIP thread, never blocks)
  void onCallUpdate(const CallUpdate& update) override;
  void onIncomingCall(const IncomingCall& call) override;
  void onTransferUpdate(const TransferUpdate& update) override;
  void onIncomingRefer(const IncomingRefer& refer) override;
  void onInfoOutcome(const InfoOutcome& outcome) override;

 private:
  enum class Status { Trying, Ring, SessionProgress, Established, Busy, Failed, Hold, Finish };
  enum class Reinvite { None, Hold, Unhold };

  struct Call {
    std::string sessionId;
    std::string callId;
    bool incoming = false;
    Status status = Status::Trying;
    std::string caller;
    std::string callee;
    std::string visibleName;
    bool hasVideo = false;
    std::string sipCallId;
    std::string localSdp;  ///< our current SDP: the offer, our answer, or the latest re-offer
    std::string transferredFrom;
    bool answering = false;   ///< incoming: answer sent, Answered not yet reported
    bool hangingUp = false;   ///< the client hung up; the SIP side ends the call
    bool localHold = false;   ///< we put the far end on hold
    bool remoteHold = false;  ///< the far end put us on hold
    Reinvite reinvite = Reinvite::None;
    std::string pendingSdp;        ///< the SDP of our re-INVITE in flight
    std::string transferTarget;    ///< non-empty while a transfer of ours is in progress
    std::deque<std::string> dtmf;  ///< symbols still to send
    std::string dtmfType;
    bool dtmfInFlight = false;
  };
  using Key = std::pair<std::string, std::string>;  ///< session id, call id
  using CallMap = std::map<Key, Call>;

  struct Extra {  ///< optional fields of one CallStatusEvent
    std::string sdp;
    int sipStatus = 0;
    std::string info;
  };

  /// The call named by the request's callId (404 when unknown). Call with mutex_ held.
  Call& callOf(const Session& session, const std::string& callId);
  std::size_t countLocked(const std::string& sessionId) const;
  /// Sets the status and emits its CallStatusEvent. Call with mutex_ held.
  void report(Session& session, Call& call, Status status, const Extra& extra);
  /// Reports the final status and forgets the call. Call with mutex_ held.
  void finish(CallMap::iterator it, Status status, const Extra& extra);
  void sendNextDtmf(Call& call);
  void onReoffer(Session& session, Call& call, const CallUpdate& update);
  void onReanswered(Session& session, Call& call, const CallUpdate& update);
  void carryOutRefer(Session& session, const Call& referring, const IncomingRefer& refer);
  /// Whether config_.referTargets lets an incoming REFER make the session call `target`.
  bool referTargetAllowed(const std::string& target, const std::string& domain) const;
  void emitTransfer(Session& session, const std::string& callId, const std::string& status,
                    Poco::DynamicStruct fields);

  const CallsConfig config_;
  SessionContext& sessions_;
  SipCalls& sip_;

  mutable std::mutex mutex_;
  CallMap calls_;
};

}  // namespace sipbridge::core
