#include "sipbridge/core/Calls.h"

#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Sdp.h"
#include "sipbridge/core/Addresses.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

namespace sipbridge::core {
namespace {

using Direction = content::Sdp::Direction;

const char* const kStatusEvent = "CallStatusEvent";
const char* const kTransferEvent = "TransferStatusEvent";

std::string aorOf(const Session& session) {
  return "sip:" + session.request().sipLogin + "@" + session.request().sipDomain;
}

/// `text` checked as SDP of at most maxBytes; an invalid field named sdp otherwise.
content::Sdp checkedSdp(const std::string& text, std::size_t maxBytes) {
  try {
    return content::Sdp::parse(text, maxBytes);
  } catch (const content::ContentError& e) {
    throw invalidField("sdp", "sdp is not acceptable: " + e.message());
  }
}

/// `sdp` with its direction set to `direction`; unchanged when it is not SDP we can parse
/// (it was checked when it came in, so that only happens for an empty one).
std::string directed(const std::string& sdp, Direction direction, std::size_t maxBytes) {
  try {
    return content::Sdp::parse(sdp, maxBytes + 64).withDirection(direction).text();
  } catch (const content::ContentError&) {
    return sdp;
  }
}

}  // namespace

Calls::Calls(CallsConfig config, SessionContext& sessions, SipCalls& sip)
    : config_(config), sessions_(sessions), sip_(sip) {}

CallResult Calls::startCall(const std::shared_ptr<Session>& session, const PlaceCall& request) {
  if (!session->request().sipRegisterRequired)
    throw conflict("call needs a SIP identity: connect with sipRegisterRequired");
  std::string callId = request.callId;
  const std::string callee = addressToUri(request.callee, session->request().sipDomain);
  if (callee.empty())
    throw invalidField("callee", "callee is not a SIP URI, tel URI, login or number");
  std::string visibleName = request.visibleName;
  const auto hasVideo = request.hasVideo;
  const std::string& params = request.inviteParameters;
  const auto sdp = checkedSdp(request.sdp, config_.maxSdpBytes);
  if (callId.empty()) callId = newUuid();
  if (visibleName.empty()) visibleName = session->request().sipVisibleName;

  std::lock_guard lock(mutex_);
  // sessionEnded() may have run since the session was looked up: no call may outlive it.
  if (session->ending()) throw conflict("the session has ended");
  const Key key{session->sessionId(), callId};
  if (calls_.count(key)) throw conflict("callId " + callId + " is already in use", "callId");
  if (countLocked(session->sessionId()) >= config_.maxCallsPerSession)
    throw conflict("the session has " + std::to_string(config_.maxCallsPerSession) +
                   " calls, the most allowed");
  OutgoingCall out;
  out.sessionId = session->sessionId();
  out.callId = callId;
  out.targetUri = callee + params;
  out.displayName = visibleName;
  out.sdp = sdp.text();
  out.noAnswerTimeoutMs = config_.noAnswerTimeoutSeconds * 1000;
  sip_.call(out);  // throws Unavailable before anything is recorded
  Call& call = calls_[key];
  call.sessionId = out.sessionId;
  call.callId = callId;
  call.caller = aorOf(*session);
  call.callee = out.targetUri;
  call.visibleName = visibleName;
  call.hasVideo = hasVideo.value_or(sdp.hasVideo());
  call.localSdp = sdp.text();
  report(*session, call, Status::Trying, Extra{});
  return {callId, "TRYING", "", ""};
}

CallResult Calls::answer(Session& session, const Answer& request) {
  const std::string& callId = request.callId;
  const auto sdp = checkedSdp(request.sdp, config_.maxSdpBytes);
  std::lock_guard lock(mutex_);
  Call& call = callOf(session, callId);
  if (!call.incoming || call.status != Status::Ring || call.answering || call.hangingUp)
    throw conflict("only an incoming call that is ringing can be answered", "callId");
  sip_.answerCall(call.sessionId, call.callId, sdp.text());
  call.answering = true;
  call.localSdp = sdp.text();
  return {callId, "", "", ""};
}

CallResult Calls::hangup(Session& session, const Hangup& request) {
  const std::string& callId = request.callId;
  const bool busy = request.busy;
  std::lock_guard lock(mutex_);
  Call& call = callOf(session, callId);
  if (!call.hangingUp) {
    const bool reject = call.incoming && call.status == Status::Ring && !call.answering;
    sip_.hangupCall(call.sessionId, call.callId, reject ? (busy ? 486 : 603) : 0);
    call.hangingUp = true;
  }
  return {callId, "", "", ""};
}

CallResult Calls::hold(Session& session, const Hold& request, bool hold) {
  const std::string& callId = request.callId;
  std::lock_guard lock(mutex_);
  Call& call = callOf(session, callId);
  if (call.hangingUp || call.reinvite != Reinvite::None)
    throw conflict("the call is busy with an earlier request", "callId");
  // A call the far end holds (status HOLD, not localHold) can be held by us as well.
  if (hold &&
      (call.localHold || (call.status != Status::Established && call.status != Status::Hold)))
    throw conflict("only an established call can be put on hold", "callId");
  if (!hold && (call.status != Status::Hold || !call.localHold))
    throw conflict("only a call put on hold with hold can be resumed", "callId");
  const auto sdp = directed(call.localSdp, hold ? Direction::SendOnly : Direction::SendRecv,
                            config_.maxSdpBytes);
  sip_.reinvite(call.sessionId, call.callId, sdp);
  call.reinvite = hold ? Reinvite::Hold : Reinvite::Unhold;
  call.pendingSdp = sdp;
  return {callId, "", "", ""};
}

CallResult Calls::transfer(Session& session, const Transfer& request) {
  const std::string& callId = request.callId;
  const auto target = addressToUri(request.target, session.request().sipDomain);
  if (target.empty())
    throw invalidField("target", "target is not a SIP URI, tel URI, login or number");
  std::lock_guard lock(mutex_);
  Call& call = callOf(session, callId);
  if ((call.status != Status::Established && call.status != Status::Hold) || call.hangingUp)
    throw conflict("only an established call can be transferred", "callId");
  if (!call.transferTarget.empty())
    throw conflict("a transfer of this call is in progress", "callId");
  sip_.refer(call.sessionId, call.callId, target);
  call.transferTarget = target;
  return {callId, "", target, ""};
}

CallResult Calls::sendDtmf(Session& session, const SendDtmf& request) {
  const std::string& callId = request.callId;
  const std::string& symbols = request.dtmf;
  if (symbols.size() > config_.maxDtmfSymbols)
    throw invalidField("dtmf",
                       "dtmf has more than " + std::to_string(config_.maxDtmfSymbols) + " symbols");
  const std::string& type = request.type;
  std::lock_guard lock(mutex_);
  Call& call = callOf(session, callId);
  if ((call.status != Status::Established && call.status != Status::Hold) || call.hangingUp)
    throw conflict("DTMF needs an established call", "callId");
  if (call.dtmf.size() + symbols.size() > config_.maxDtmfSymbols)
    throw conflict("DTMF of an earlier sendDTMF is still being sent", "dtmf");
  if (call.dtmfInFlight && type != call.dtmfType)
    throw conflict("DTMF of another type is still being sent", "type");
  for (char c : symbols) call.dtmf.emplace_back(1, c);
  call.dtmfType = type;
  if (!call.dtmfInFlight) {
    try {
      sendNextDtmf(call);
    } catch (const Unavailable&) {
      call.dtmf.clear();
      throw;
    }
  }
  return {callId, "", "", symbols};
}

void Calls::sendNextDtmf(Call& call) {
  if (call.dtmf.empty()) {
    call.dtmfInFlight = false;
    return;
  }
  const auto symbol = call.dtmf.front();
  call.dtmf.pop_front();
  if (call.dtmfType == "INFO_RELAY")
    sip_.info(call.sessionId, call.callId, "application/dtmf", symbol);
  else
    sip_.info(call.sessionId, call.callId, "application/dtmf-relay",
              "Signal=" + symbol + "\r\nDuration=160\r\n");
  call.dtmfInFlight = true;
}

void Calls::sessionEnded(Session& session) {
  std::lock_guard lock(mutex_);
  auto it = calls_.lower_bound({session.sessionId(), ""});
  while (it != calls_.end() && it->first.first == session.sessionId()) {
    report(session, it->second, Status::Finish, {"", 0, "session ended"});
    it = calls_.erase(it);
  }
}

std::size_t Calls::callCount(const std::string& sessionId) const {
  std::lock_guard lock(mutex_);
  return countLocked(sessionId);
}

std::size_t Calls::countLocked(const std::string& sessionId) const {
  std::size_t n = 0;
  for (auto it = calls_.lower_bound({sessionId, ""});
       it != calls_.end() && it->first.first == sessionId; ++it)
    ++n;
  return n;
}

Calls::Call& Calls::callOf(const Session& session, const std::string& callId) {
  auto it = calls_.find({session.sessionId(), callId});
  if (it == calls_.end()) throw notFound("call " + callId, "callId");
  return it->second;
}

void Calls::report(Session& session, Call& call, Status status, const Extra& extra) {
  static const char* const kNames[] = {
      "TRYING", "RING", "SESSION_PROGRESS", "ESTABLISHED", "BUSY", "FAILED", "HOLD", "FINISH"};
  call.status = status;
  Poco::DynamicStruct fields;
  fields["callId"] = call.callId;
  fields["caller"] = call.caller;
  fields["callee"] = call.callee;
  fields["visibleName"] = call.visibleName;
  fields["hasVideo"] = call.hasVideo;
  fields["incoming"] = call.incoming;
  if (!call.sipCallId.empty()) fields["sipCallId"] = call.sipCallId;
  if (!call.transferredFrom.empty()) fields["transferredFrom"] = call.transferredFrom;
  if (!extra.sdp.empty()) fields["sdp"] = extra.sdp;
  if (extra.sipStatus > 0) fields["sipStatus"] = extra.sipStatus;
  if (!extra.info.empty()) fields["info"] = extra.info;
  sessions_.emit(session, kStatusEvent, kNames[static_cast<int>(status)], std::move(fields));
}

void Calls::finish(CallMap::iterator it, Status status, const Extra& extra) {
  if (auto session = sessions_.anySession(it->second.sessionId)) {
    report(*session, it->second, status, extra);
    if (!it->second.transferTarget.empty()) {
      // The REFER's NOTIFYs die with the dialog: the transfer gets a final status anyway.
      Poco::DynamicStruct fields;
      fields["target"] = it->second.transferTarget;
      fields["incoming"] = false;
      fields["info"] = std::string("the call ended before the transfer's outcome was known");
      emitTransfer(*session, it->second.callId, "FAILED", std::move(fields));
    }
  }
  calls_.erase(it);
}

void Calls::emitTransfer(Session& session, const std::string& callId, const std::string& status,
                         Poco::DynamicStruct fields) {
  fields["callId"] = callId;
  sessions_.emit(session, kTransferEvent, status, std::move(fields));
}

}  // namespace sipbridge::core
