#pragma once

#include <string>

namespace sipbridge::core {

/// An INVITE to send on behalf of a registered session. Validated before it gets here: the
/// URI is a sip:, sips: or tel: URI without control characters, the SDP is UTF-8 text of a
/// bounded size. The bridge never looks into media: the SDP is carried unchanged.
struct OutgoingCall {
  std::string sessionId;
  std::string callId;         ///< chosen by core, unique per session, echoed in every report
  std::string targetUri;      ///< Request-URI and To (inviteParameters already appended)
  std::string displayName;    ///< From display name; empty = the account's
  std::string sdp;            ///< the offer (application/sdp), sent as is
  int noAnswerTimeoutMs = 0;  ///< > 0: CANCEL after this long without a final answer
  /// Non-empty when this call carries out a REFER received in the session's call
  /// `referredByCallId`: the far end of that call is told of this call's progress by
  /// NOTIFYs with message/sipfrag bodies (RFC 3515).
  std::string referredByCallId;
};

/// What the SIP side tells core about one call (one INVITE dialog), in order.
struct CallUpdate {
  enum class Kind {
    Progress,    ///< a provisional answer to our INVITE (sipStatus 100-199; sdp if it had one)
    Answered,    ///< our INVITE got 2xx (sdp: the answer), or our 200 to theirs was sent
    Refused,     ///< our INVITE got a final error, or no answer in time (sipStatus 408)
    Ended,       ///< the dialog is over: BYE either way, CANCEL, or the session went away
    Reoffer,     ///< the far end sent a re-INVITE (sdp: its offer); answerCall or rejectReoffer
    Reanswered,  ///< the answer to our re-INVITE (sipStatus; sdp on 2xx)
  };
  std::string sessionId;
  std::string callId;
  Kind kind = Kind::Progress;
  int sipStatus = 0;      ///< SIP status of the answer or request that caused the update
  std::string reason;     ///< reason phrase or local cause ("SIP server unreachable", "BYE")
  std::string sdp;        ///< the far end's SDP when the message carried one
  bool byRemote = false;  ///< Ended: the far end hung up (BYE or CANCEL received)
  /// Ended: the CANCEL said another contact of the user took the call (Reason: SIP;cause=200,
  /// RFC 3326), as a SIP server forking to every session of the user sends it.
  bool answeredElsewhere = false;
  std::string sipCallId;  ///< the dialog's Call-ID header value (set on every update)
};

/// An INVITE received for a session (Request-URI user = the session's contact user). The SIP
/// side has already answered 180 Ringing; it answers 480 if nothing happens within its
/// ring timeout (then reports Ended).
struct IncomingCall {
  std::string sessionId;
  std::string callId;  ///< chosen by the SIP side (unique), used in every later report/command
  std::string callerUri;
  std::string callerDisplayName;
  std::string calleeUri;  ///< To URI
  std::string sdp;        ///< the offer ("" for an INVITE without body)
  std::string sipCallId;  ///< the Call-ID header
  std::string rawMessage;
};

/// The progress of a REFER we sent (`transfer`), from its answer and the NOTIFYs.
struct TransferUpdate {
  enum class Kind {
    Accepted,  ///< 2xx to the REFER
    Refused,   ///< final error to the REFER (sipStatus)
    Notify,    ///< a NOTIFY: sipStatus = the status line of its message/sipfrag body
  };
  std::string sessionId;
  std::string callId;
  Kind kind = Kind::Accepted;
  int sipStatus = 0;
  std::string reason;
  bool final = false;  ///< Notify: Subscription-State terminated (no more NOTIFYs)
};

/// A REFER received inside one of the session's calls (already answered 202 by the SIP side).
/// Core either carries it out (OutgoingCall::referredByCallId: the SIP side tells the
/// transferor how that call goes) or calls SipCalls::endRefer, so the transferor always gets
/// a final NOTIFY.
struct IncomingRefer {
  std::string sessionId;
  std::string callId;
  std::string referTo;     ///< Refer-To URI (without Replaces etc. parameters)
  std::string referredBy;  ///< Referred-By URI, or the REFER's From when absent
};

/// The answer to an INFO (DTMF) we sent.
struct InfoOutcome {
  std::string sessionId;
  std::string callId;
  int sipStatus = 0;
  std::string reason;
};

/// Call signalling for sessions registered through SipGateway (implemented by sip::SipStack).
/// Thread-safe; every call only posts work to the SIP thread. Throws core::Unavailable when
/// its queue is full, except when called on the SIP thread (from a CallListener method):
/// those commands are always accepted. Requests go through the session's outbound proxy with its
/// identity; digest challenges are answered with its credentials. Commands naming an unknown call
/// are ignored (the call has ended; its Ended update is on the way or already delivered).
class SipCalls {
 public:
  virtual ~SipCalls() = default;
  /// Sends the INVITE. Reports Progress*, then Answered or Refused; Ended after Answered.
  virtual void call(const OutgoingCall& call) = 0;
  /// Answers an incoming call (or a Reoffer) with 200 and this SDP; Answered follows when
  /// the first 200 is sent.
  virtual void answerCall(const std::string& sessionId, const std::string& callId,
                          const std::string& sdp) = 0;
  /// Answers the pending Reoffer (the far end's re-INVITE) with `status` (a 4xx-6xx such as
  /// 488): the call continues unchanged. Nothing is reported; ignored when no re-offer waits.
  virtual void rejectReoffer(const std::string& sessionId, const std::string& callId,
                             int status) = 0;
  /// Ends a call in whatever state it is: CANCEL (outgoing, unanswered), `rejectStatus`
  /// (incoming, unanswered: a 4xx-6xx such as 486, 488 or 603), BYE (established). Ended
  /// follows.
  virtual void hangupCall(const std::string& sessionId, const std::string& callId,
                          int rejectStatus) = 0;
  /// Sends a re-INVITE in an established call with this SDP (hold, unhold); Reanswered follows.
  virtual void reinvite(const std::string& sessionId, const std::string& callId,
                        const std::string& sdp) = 0;
  /// Sends REFER (Refer-To `targetUri`) in an established call; TransferUpdates follow.
  virtual void refer(const std::string& sessionId, const std::string& callId,
                     const std::string& targetUri) = 0;
  /// Ends the REFER last received in the call (IncomingRefer) that is not carried out: sends
  /// its final NOTIFY (message/sipfrag "SIP/2.0 <status> <reason>", Subscription-State
  /// terminated), so the transferor does not wait for the subscription to expire. Nothing is
  /// reported; ignored when the call has no REFER open. A call made for a REFER that the SIP
  /// side refuses before sending it (invalid target, too many calls) ends the REFER itself.
  virtual void endRefer(const std::string& sessionId, const std::string& callId, int status,
                        const std::string& reason) = 0;
  /// Sends INFO with this body in an established call; InfoOutcome follows.
  virtual void info(const std::string& sessionId, const std::string& callId,
                    const std::string& contentType, const std::string& body) = 0;
};

/// Implemented by core; called on the SIP thread. Must not block.
class CallListener {
 public:
  virtual ~CallListener() = default;
  virtual void onCallUpdate(const CallUpdate& update) = 0;
  virtual void onIncomingCall(const IncomingCall& call) = 0;
  virtual void onTransferUpdate(const TransferUpdate& update) = 0;
  virtual void onIncomingRefer(const IncomingRefer& refer) = 0;
  virtual void onInfoOutcome(const InfoOutcome& outcome) = 0;
};

}  // namespace sipbridge::core
