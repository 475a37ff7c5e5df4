// The CallListener half of core::Calls: what the SIP thread reports about calls.
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Sdp.h"
#include "sipbridge/core/Addresses.h"
#include "sipbridge/core/Calls.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace sipbridge::core {
namespace {

using Direction = content::Sdp::Direction;

/// ASCII case-insensitive equality (URI schemes and host names).
bool sameText(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string describe(int sipStatus, const std::string& reason) {
  if (sipStatus <= 0) return reason;
  return std::to_string(sipStatus) + (reason.empty() ? "" : " " + reason);
}

/// The far end's SDP if it is one we can carry in an event (checked), else nothing.
std::optional<content::Sdp> remoteSdp(const std::string& sdp, std::size_t maxBytes) {
  if (sdp.empty()) return std::nullopt;
  try {
    return content::Sdp::parse(sdp, maxBytes);
  } catch (const content::ContentError&) {
    return std::nullopt;
  }
}

/// Whether our SDP `local` can answer `offer`: the same number of m= lines, of the same media
/// types in the same order (RFC 3264 6). True when `local` is not SDP we can read (it was
/// checked when it came in, so that is only an empty one: nothing to compare).
bool sameMediaLines(const content::Sdp& offer, const std::string& local, std::size_t maxBytes) {
  try {
    return content::Sdp::parse(local, maxBytes + 64).mediaTypes() == offer.mediaTypes();
  } catch (const content::ContentError&) {
    return true;
  }
}

/// The SDP text of an update, when it is acceptable for an event.
std::string carried(const std::string& sdp, std::size_t maxBytes) {
  const auto parsed = remoteSdp(sdp, maxBytes);
  return parsed ? parsed->text() : std::string();
}

}  // namespace

void Calls::onCallUpdate(const CallUpdate& update) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find({update.sessionId, update.callId});
  if (it == calls_.end()) return;
  auto session = sessions_.anySession(update.sessionId);
  if (!session) {
    calls_.erase(it);
    return;
  }
  Call& call = it->second;
  if (!update.sipCallId.empty()) call.sipCallId = update.sipCallId;
  const std::string sdp = carried(update.sdp, config_.maxSdpBytes);
  const Extra extra{sdp, update.sipStatus, ""};
  switch (update.kind) {
    case CallUpdate::Kind::Progress:
      if (call.hangingUp || update.sipStatus < 180) return;
      if (!sdp.empty() || update.sipStatus == 183)
        report(*session, call, Status::SessionProgress, extra);
      else if (update.sipStatus <= 182 && call.status != Status::Ring)
        report(*session, call, Status::Ring, extra);
      return;
    case CallUpdate::Kind::Answered:
      if (call.status == Status::Established || call.status == Status::Hold) return;
      call.answering = false;
      report(*session, call, Status::Established, extra);
      return;
    case CallUpdate::Kind::Refused: {
      Extra final{"", update.sipStatus, describe(update.sipStatus, update.reason)};
      if (call.hangingUp) {
        final.info = "hung up by the client";
        finish(it, Status::Finish, final);
      } else {
        const bool busy = update.sipStatus == 486 || update.sipStatus == 600;
        finish(it, busy ? Status::Busy : Status::Failed, final);
      }
      return;
    }
    case CallUpdate::Kind::Ended: {
      if (update.answeredElsewhere && !call.hangingUp) {
        // The user took the call in another session (the SIP server CANCELs the others).
        finish(it, Status::Finish, {"", update.sipStatus, "answered elsewhere"});
        return;
      }
      std::string who = call.hangingUp          ? "hung up by the client"
                        : update.byRemote       ? "hung up by the far end"
                        : update.reason.empty() ? "ended"
                                                : update.reason;
      if ((call.hangingUp || update.byRemote) && !update.reason.empty())
        who += " (" + update.reason + ")";
      finish(it, Status::Finish, {"", update.sipStatus, who});
      return;
    }
    case CallUpdate::Kind::Reoffer:
      onReoffer(*session, call, update);
      return;
    case CallUpdate::Kind::Reanswered:
      onReanswered(*session, call, update);
      return;
  }
}

void Calls::onReoffer(Session& session, Call& call, const CallUpdate& update) {
  const auto offer = remoteSdp(update.sdp, config_.maxSdpBytes);
  if (offer && !sameMediaLines(*offer, call.localSdp, config_.maxSdpBytes)) {
    // Our SDP cannot answer it (RFC 3264 6: as many m= lines, of the same types) and the
    // bridge cannot make up media: the re-INVITE is refused and the call goes on as it was.
    sip_.rejectReoffer(call.sessionId, call.callId, 488);
    report(session, call, call.status,
           {"", 488, "far-end re-offer changes the media lines; refused with 488"});
    return;
  }
  // Without an offer (or one we cannot read) we answer with our SDP as it stands.
  const Direction theirs = offer ? offer->direction() : Direction::SendRecv;
  const Direction wanted = call.localHold ? Direction::SendOnly : Direction::SendRecv;
  std::string answer = call.localSdp;
  if (offer) {
    try {
      answer = content::Sdp::parse(call.localSdp, config_.maxSdpBytes + 64)
                   .withDirection(content::Sdp::answerDirection(theirs, wanted))
                   .text();
    } catch (const content::ContentError&) {
      answer = call.localSdp;
    }
  }
  sip_.answerCall(call.sessionId, call.callId, answer);
  call.localSdp = answer;
  const bool wasHeld = call.remoteHold;
  call.remoteHold = offer && (theirs == Direction::SendOnly || theirs == Direction::Inactive);
  if (offer) call.hasVideo = call.hasVideo || offer->hasVideo();
  std::string info = "new SDP from the far end";
  if (call.remoteHold && !wasHeld) info = "held by the far end";
  if (!call.remoteHold && wasHeld) info = "resumed by the far end";
  const Status status = call.localHold || call.remoteHold ? Status::Hold : Status::Established;
  report(session, call, status, {offer ? offer->text() : "", update.sipStatus, info});
}

void Calls::onReanswered(Session& session, Call& call, const CallUpdate& update) {
  const auto pending = call.reinvite;
  call.reinvite = Reinvite::None;
  if (pending == Reinvite::None) return;
  const std::string sdp = carried(update.sdp, config_.maxSdpBytes);
  const bool hold = pending == Reinvite::Hold;
  if (update.sipStatus < 200 || update.sipStatus >= 300) {
    report(
        session, call, call.status,
        {"", update.sipStatus,
         (hold ? "hold failed: " : "unhold failed: ") + describe(update.sipStatus, update.reason)});
    return;
  }
  call.localSdp = call.pendingSdp;
  call.localHold = hold;
  const Status status = call.localHold || call.remoteHold ? Status::Hold : Status::Established;
  report(session, call, status,
         {sdp, update.sipStatus, hold ? "held by the client" : "resumed by the client"});
}

void Calls::onIncomingCall(const IncomingCall& incoming) {
  std::lock_guard lock(mutex_);
  auto session = sessions_.liveSession(incoming.sessionId);
  const Key key{incoming.sessionId, incoming.callId};
  if (!session || session->ending() || calls_.count(key)) {
    // Not 603, which a forking proxy takes as the user's refusal and CANCELs the other
    // sessions for: a 5xx ranks below whatever the user's live sessions answer.
    sip_.hangupCall(incoming.sessionId, incoming.callId, 500);
    return;
  }
  if (!sessions_.accepting()) {  // the call could not be recorded: the caller may retry
    sip_.hangupCall(incoming.sessionId, incoming.callId, 503);
    return;
  }
  const auto offer = remoteSdp(incoming.sdp, config_.maxSdpBytes);
  if (!incoming.sdp.empty() && !offer) {
    // RFC 3261 21.4.26: the offer cannot be used. The client hears of it as an ErrorEvent.
    sip_.hangupCall(incoming.sessionId, incoming.callId, 488);
    Poco::DynamicStruct fields;
    fields["info"] = "incoming call from " + incoming.callerUri +
                     " refused with 488: its SDP is malformed or over calls.maxSdpBytes";
    fields["caller"] = incoming.callerUri;
    fields["sipCallId"] = incoming.sipCallId;
    sessions_.emit(*session, "ErrorEvent", "", std::move(fields));
    return;
  }
  if (countLocked(incoming.sessionId) >= config_.maxCallsPerSession) {
    sip_.hangupCall(incoming.sessionId, incoming.callId, 486);
    return;
  }
  Call& call = calls_[key];
  call.sessionId = incoming.sessionId;
  call.callId = incoming.callId;
  call.incoming = true;
  call.status = Status::Ring;
  call.caller = incoming.callerUri;
  call.callee = incoming.calleeUri;
  call.visibleName = incoming.callerDisplayName;
  call.hasVideo = offer && offer->hasVideo();
  call.sipCallId = incoming.sipCallId;
  Poco::DynamicStruct fields;
  fields["callId"] = call.callId;
  fields["caller"] = call.caller;
  fields["callee"] = call.callee;
  fields["visibleName"] = call.visibleName;
  fields["hasVideo"] = call.hasVideo;
  fields["sdp"] = incoming.sdp;
  fields["incoming"] = true;
  fields["sipCallId"] = call.sipCallId;
  if (isUtf8Text(incoming.rawMessage)) fields["sipMessageRaw"] = incoming.rawMessage;
  sessions_.emit(*session, "OnCallEvent", "", std::move(fields));
  report(*session, call, Status::Ring, {"", 180, ""});
}

void Calls::onTransferUpdate(const TransferUpdate& update) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find({update.sessionId, update.callId});
  if (it == calls_.end() || it->second.transferTarget.empty()) return;
  auto session = sessions_.anySession(update.sessionId);
  if (!session) return;
  Call& call = it->second;
  std::string status;
  bool over = false;
  switch (update.kind) {
    case TransferUpdate::Kind::Accepted:
      status = "ACCEPTED";
      break;
    case TransferUpdate::Kind::Refused:
      status = "FAILED";
      over = true;
      break;
    case TransferUpdate::Kind::Notify:
      if (update.sipStatus >= 100 && update.sipStatus < 200) {
        status = update.final ? "FAILED" : "TRYING";
        over = update.final;
      } else {
        status = update.sipStatus >= 200 && update.sipStatus < 300 ? "COMPLETED" : "FAILED";
        over = true;
      }
      break;
  }
  Poco::DynamicStruct fields;
  fields["target"] = call.transferTarget;
  fields["incoming"] = false;
  if (update.sipStatus > 0) fields["sipStatus"] = update.sipStatus;
  std::string info = describe(update.sipStatus, update.reason);
  if (status == "FAILED" && update.kind == TransferUpdate::Kind::Notify && update.sipStatus < 200)
    info = "the transfer ended without a final answer" + (info.empty() ? "" : " (" + info + ")");
  if (!info.empty()) fields["info"] = info;
  if (over) call.transferTarget.clear();
  emitTransfer(*session, call.callId, status, std::move(fields));
}

void Calls::onIncomingRefer(const IncomingRefer& refer) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find({refer.sessionId, refer.callId});
  auto session = sessions_.liveSession(refer.sessionId);
  if (it == calls_.end() || !session || session->ending()) {
    // The call or its session is going away: the transferor still gets a final answer.
    sip_.endRefer(refer.sessionId, refer.callId, 503, "Service Unavailable");
    return;
  }
  Poco::DynamicStruct fields;
  fields["target"] = refer.referTo;
  fields["referredBy"] = refer.referredBy;
  fields["incoming"] = true;
  emitTransfer(*session, refer.callId, "ACCEPTED", std::move(fields));
  carryOutRefer(*session, it->second, refer);
}

void Calls::carryOutRefer(Session& session, const Call& referring, const IncomingRefer& refer) {
  // Not carried out: the transferor gets the final NOTIFY with `status` (the 202 is gone
  // already) and the client a FAILED transfer saying why.
  const auto failed = [&](int status, const std::string& reason, const std::string& info) {
    sip_.endRefer(refer.sessionId, refer.callId, status, reason);
    Poco::DynamicStruct fields;
    fields["target"] = refer.referTo;
    fields["referredBy"] = refer.referredBy;
    fields["incoming"] = true;
    fields["sipStatus"] = status;
    fields["info"] = info;
    emitTransfer(session, refer.callId, "FAILED", std::move(fields));
  };
  const auto target = addressToUri(refer.referTo, session.request().sipDomain);
  if (target.empty()) return failed(400, "Bad Request", "Refer-To is not a SIP or tel URI");
  if (!referTargetAllowed(target, session.request().sipDomain))
    return failed(603, "Declined",
                  "Refer-To " + target + " is outside what calls.referTargets allows (" +
                      config_.referTargets + ")");
  if (countLocked(session.sessionId()) >= config_.maxCallsPerSession)
    return failed(503, "Service Unavailable",
                  "the session has " + std::to_string(config_.maxCallsPerSession) +
                      " calls, the most allowed");
  // The referring call may be held either way: the new call starts with media both ways.
  std::string offer = referring.localSdp;
  try {
    offer = content::Sdp::parse(offer, config_.maxSdpBytes + 64)
                .withDirection(Direction::SendRecv)
                .text();
  } catch (const content::ContentError&) {
    return failed(488, "Not Acceptable Here", "the referring call has no SDP to offer");
  }
  OutgoingCall out;
  out.sessionId = session.sessionId();
  out.callId = newUuid();
  out.targetUri = target;
  out.displayName = session.request().sipVisibleName;
  out.sdp = offer;
  out.noAnswerTimeoutMs = config_.noAnswerTimeoutSeconds * 1000;
  out.referredByCallId = referring.callId;
  try {
    sip_.call(out);
  } catch (const Unavailable& e) {
    return failed(503, "Service Unavailable", e.message());
  }
  Call& call = calls_[{out.sessionId, out.callId}];
  call.sessionId = out.sessionId;
  call.callId = out.callId;
  call.caller = "sip:" + session.request().sipLogin + "@" + session.request().sipDomain;
  call.callee = target;
  call.visibleName = out.displayName;
  call.hasVideo = referring.hasVideo;
  call.localSdp = offer;
  call.transferredFrom = referring.callId;
  report(session, call, Status::Trying, Extra{});
}

bool Calls::referTargetAllowed(const std::string& target, const std::string& domain) const {
  if (config_.referTargets == "any") return true;
  if (config_.referTargets != "domain") return false;
  const auto colon = target.find(':');
  const std::string scheme = colon == std::string::npos ? "" : target.substr(0, colon);
  if (!sameText(scheme, "sip") && !sameText(scheme, "sips")) return false;
  const auto at = target.find('@');
  if (at == std::string::npos) return false;
  const auto end = target.find_first_of(";:?>", at + 1);
  return sameText(target.substr(at + 1, end == std::string::npos ? end : end - at - 1), domain);
}

void Calls::onInfoOutcome(const InfoOutcome& outcome) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find({outcome.sessionId, outcome.callId});
  if (it == calls_.end() || !it->second.dtmfInFlight) return;
  Call& call = it->second;
  std::string failure;
  if (outcome.sipStatus >= 200 && outcome.sipStatus < 300) {
    try {
      sendNextDtmf(call);
      return;
    } catch (const Unavailable& e) {
      failure = e.message();
    }
  } else {
    failure = describe(outcome.sipStatus, outcome.reason);
  }
  const auto dropped = call.dtmf.size();
  call.dtmf.clear();
  call.dtmfInFlight = false;
  auto session = sessions_.anySession(outcome.sessionId);
  if (!session) return;
  Poco::DynamicStruct fields;
  fields["callId"] = call.callId;
  fields["sipStatus"] = outcome.sipStatus;
  fields["info"] =
      "DTMF INFO failed: " + failure + "; " + std::to_string(dropped) + " symbols not sent";
  sessions_.emit(*session, "ErrorEvent", "", std::move(fields));
}

}  // namespace sipbridge::core
