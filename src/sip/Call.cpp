#include "Call.h"

#include "AccountHandle.h"
#include "Digest.h"
#include "SipAddress.h"
#include "SipBody.h"

#include <Poco/Logger.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>

#include <cctype>

namespace sipbridge::sip {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

std::string text(const char* value) {
  return value ? value : "";
}

constexpr const char* kSdp = "application/sdp";

SuHomePtr newHome() {
  return SuHomePtr(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
}

/// Whether `uri` may stand in a header as it is: no white space, control character, quote or
/// angle bracket (url_make takes some of them).
bool isPlainUri(const std::string& uri) {
  for (unsigned char c : uri)
    if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"') return false;
  return true;
}

/// The status line of a message/sipfrag body ("SIP/2.0 200 OK"): code and phrase; code 0
/// when the body does not start with one.
std::pair<int, std::string> sipfragStatus(const sip_t* sip) {
  if (!sip->sip_payload || !sip->sip_payload->pl_data) return {0, ""};
  const std::string body(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  const std::string prefix = "SIP/2.0 ";
  if (body.compare(0, prefix.size(), prefix) != 0 || body.size() < prefix.size() + 3)
    return {0, ""};
  int code = 0;
  for (std::size_t i = prefix.size(); i < prefix.size() + 3; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(body[i]))) return {0, ""};
    code = code * 10 + (body[i] - '0');
  }
  std::size_t start = prefix.size() + 3;
  if (start < body.size() && body[start] == ' ') ++start;
  const std::size_t end = body.find_first_of("\r\n", start);
  return {code, body.substr(start, end == std::string::npos ? std::string::npos : end - start)};
}

/// Whether a CANCEL says the call was taken by another contact of the user: a Reason header
/// with protocol SIP and cause 200 (RFC 3326), which a forking proxy adds to the CANCELs of
/// the branches that lost.
bool answeredElsewhere(const sip_t* cancel) {
  for (const sip_reason_t* reason = cancel ? cancel->sip_reason : nullptr; reason;
       reason = reason->re_next) {
    if (su_casematch(reason->re_protocol, "SIP") && reason->re_cause &&
        std::string(reason->re_cause) == "200")
      return true;
  }
  return false;
}

}  // namespace

Call::Call(nua_t* nua, su_root_t* root, const SipConfig& config, core::CallListener& listener,
           const core::SipAccount& account, core::OutgoingCall call, Finished ended,
           Finished finished)
    : nua_(nua),
      root_(root),
      config_(config),
      listener_(listener),
      account_(account),
      outgoing_(std::move(call)),
      incoming_(false),
      sessionId_(outgoing_.sessionId),
      callId_(outgoing_.callId),
      ended_(std::move(ended)),
      finished_(std::move(finished)),
      home_(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)))) {}

Call::Call(nua_t* nua, su_root_t* root, const SipConfig& config, core::CallListener& listener,
           const core::SipAccount& account, std::string callId, nua_handle_t* handle,
           Finished ended, Finished finished)
    : nua_(nua),
      root_(root),
      config_(config),
      listener_(listener),
      account_(account),
      incoming_(true),
      sessionId_(account.sessionId),
      callId_(std::move(callId)),
      ended_(std::move(ended)),
      finished_(std::move(finished)),
      handle_(handle),
      home_(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)))) {}

Call::~Call() {
  wipe(account_.password);
}

void Call::start(Call* referrer, std::function<Call*()> findReferrer) {
  std::string problem = "out of memory";
  url_t* target = home_ ? url_make(home_.get(), outgoing_.targetUri.c_str()) : nullptr;
  if (home_ && !isRequestTarget(target)) problem = "invalid target URI";
  SuHomePtr home = newHome();
  const auto offer = makeBody(home.get(), outgoing_.sdp.empty() ? "" : kSdp, outgoing_.sdp);
  if (isRequestTarget(target) && offer) {
    core::SipAccount identity = account_;
    if (!outgoing_.displayName.empty()) identity.displayName = outgoing_.displayName;
    handle_ = makeAccountHandle(nua_, this, config_, identity, target, problem);
  }
  if (handle_) nua_set_hparams(handle_.get(), NUTAG_ALLOW("REFER"), TAG_END());
  if (!handle_) {
    // A call carrying out a REFER: the transferor hears that it is not made.
    if (referrer)
      referrer->endRefer(problem == "invalid target URI" ? 400 : 500,
                         problem == "invalid target URI" ? "Bad Request" : "Server Internal Error");
    update(core::CallUpdate::Kind::Refused, 0, problem);
    endReported_ = true;
    state_ = State::Done;
    finished_(*this);
    return;
  }
  if (referrer && referrer->referEvent_) {
    // The REFER is this call's now: its final answer ends it. The NOTIFYs are sent here
    // rather than by nua (NUTAG_NOTIFY_REFER), which would end the REFER with the first
    // 401/407 challenge of the INVITE although the call goes on with credentials.
    carriedRefer_ = sip_event_dup(home_.get(), referrer->referEvent_);
    findReferrer_ = std::move(findReferrer);
    referrer->referEvent_ = nullptr;
  }
  state_ = State::Calling;
  nua_invite(handle_.get(), NUTAG_URL(reinterpret_cast<url_string_t*>(target)),
             TAG_IF(offer->type, SIPTAG_CONTENT_TYPE(offer->type)),
             TAG_IF(offer->payload, SIPTAG_PAYLOAD(offer->payload)), TAG_END());
  if (outgoing_.noAnswerTimeoutMs > 0)
    armTimer(outgoing_.noAnswerTimeoutMs, &Call::noAnswerTimeout);
}

void Call::accept(const sip_t* sip) {
  nua_handle_bind(handle_.get(), this);
  nua_set_hparams(handle_.get(), NUTAG_M_USERNAME(account_.contactUser.c_str()),
                  NUTAG_ALLOW("REFER"), TAG_END());
  noteCallId(sip);
  state_ = State::Ringing;
  nua_respond(handle_.get(), SIP_180_RINGING, NUTAG_WITH_THIS(nua_), TAG_END());
  armTimer(config_.incomingRingTimeoutMs, &Call::ringTimeout);

  core::IncomingCall call;
  call.sessionId = sessionId_;
  call.callId = callId_;
  call.sipCallId = sipCallId_;
  su_home_t* home = home_.get();
  if (sip && home) {
    if (sip->sip_from) {
      call.callerUri = text(url_as_string(home, sip->sip_from->a_url));
      const char* display = sip->sip_from->a_display;
      if (display && *display == '"') display = msg_unquote_dup(home, display);
      call.callerDisplayName = text(display);
    }
    if (sip->sip_to) call.calleeUri = text(url_as_string(home, sip->sip_to->a_url));
    if (sip->sip_payload && sip->sip_payload->pl_data)
      call.sdp.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
    size_t length = 0;
    msg_t* msg = nua_current_request(nua_);
    if (const char* raw = msg ? msg_as_string(home, msg, nullptr, 0, &length) : nullptr)
      call.rawMessage.assign(raw, length);
  }
  logger().information("session %s: incoming call %s from %s", sessionId_, callId_, call.callerUri);
  deliver([&] { listener_.onIncomingCall(call); });
}

void Call::answer(const std::string& sdp) {
  const bool reoffer = state_ == State::Established && reofferPending_;
  if (state_ != State::Ringing && !reoffer) {
    logger().information("session %s: call %s: nothing to answer", sessionId_, callId_);
    return;
  }
  SuHomePtr home = newHome();
  const auto answer = makeBody(home.get(), sdp.empty() ? "" : kSdp, sdp);
  if (!answer) {
    logger().error("session %s: call %s: out of memory for the answer", sessionId_, callId_);
    return;
  }
  nua_respond(handle_.get(), SIP_200_OK, TAG_IF(answer->type, SIPTAG_CONTENT_TYPE(answer->type)),
              TAG_IF(answer->payload, SIPTAG_PAYLOAD(answer->payload)), TAG_END());
  if (reoffer) {
    reofferPending_ = false;
    return;
  }
  timer_.reset();
  state_ = State::Established;
  update(core::CallUpdate::Kind::Answered, 200, "OK");
}

void Call::rejectReoffer(int status) {
  if (state_ != State::Established || !reofferPending_) {
    logger().information("session %s: call %s: no re-offer to reject", sessionId_, callId_);
    return;
  }
  if (status < 400 || status >= 700) status = 488;
  reofferPending_ = false;
  nua_respond(handle_.get(), status, sip_status_phrase(status), TAG_END());
}

void Call::hangup(int rejectStatus, bool quiet) {
  quiet_ = quiet_ || quiet;
  switch (state_) {
    case State::Calling:
      timer_.reset();
      cancelCause_ = CancelCause::Hangup;
      state_ = State::Cancelling;
      nua_cancel(handle_.get(), TAG_END());
      break;
    case State::Ringing: {
      const int status = quiet                                       ? 480
                         : rejectStatus >= 400 && rejectStatus < 700 ? rejectStatus
                                                                     : 486;
      timer_.reset();
      state_ = State::Ending;
      nua_respond(handle_.get(), status, sip_status_phrase(status), TAG_END());
      reportEnded(status, text(sip_status_phrase(status)), false);
      break;
    }
    case State::Established:
      if (reofferPending_) nua_respond(handle_.get(), SIP_488_NOT_ACCEPTABLE, TAG_END());
      reofferPending_ = false;
      state_ = State::Ending;
      nua_bye(handle_.get(), TAG_END());
      break;
    default:
      break;
  }
}

void Call::reinvite(const std::string& sdp) {
  if (state_ != State::Established || reinvitePending_ || reofferPending_) {
    update(core::CallUpdate::Kind::Reanswered, 0,
           state_ != State::Established ? "call not established" : "an offer is in progress");
    return;
  }
  SuHomePtr home = newHome();
  const auto offer = makeBody(home.get(), sdp.empty() ? "" : kSdp, sdp);
  if (!offer) {
    update(core::CallUpdate::Kind::Reanswered, 0, "out of memory");
    return;
  }
  reinvitePending_ = true;
  nua_invite(handle_.get(), TAG_IF(offer->type, SIPTAG_CONTENT_TYPE(offer->type)),
             TAG_IF(offer->payload, SIPTAG_PAYLOAD(offer->payload)), TAG_END());
}

void Call::refer(const std::string& targetUri) {
  if (state_ != State::Established) {
    transferUpdate(core::TransferUpdate::Kind::Refused, 0, "call not established", true);
    return;
  }
  SuHomePtr home = newHome();
  const url_t* target =
      home && isPlainUri(targetUri) ? url_make(home.get(), targetUri.c_str()) : nullptr;
  if (!isRequestTarget(target)) {
    transferUpdate(core::TransferUpdate::Kind::Refused, 0,
                   home ? "invalid Refer-To target" : "out of memory", true);
    return;
  }
  sip_refer_to_t referTo[1];
  sip_refer_to_init(referTo);
  referTo->r_url[0] = *target;
  // Without one, nua names its own transport address as the referrer.
  const std::string user = escapeUser(account_.login);
  sip_referred_by_t referredBy[1];
  sip_referred_by_init(referredBy);
  url_init(referredBy->b_url, url_sip);
  referredBy->b_url->url_user = user.c_str();
  referredBy->b_url->url_host = account_.domain.c_str();
  referPending_ = true;
  // nua copies every tag value before this call returns.
  nua_refer(handle_.get(), SIPTAG_REFER_TO(referTo), SIPTAG_REFERRED_BY(referredBy), TAG_END());
}

void Call::endRefer(int status, const std::string& reason) {
  if (!referEvent_ || !handle_) {
    logger().information("session %s: call %s: no REFER to end", sessionId_, callId_);
    return;
  }
  notifyRefer(referEvent_, status, reason, true);
  referEvent_ = nullptr;  // that subscription is over (the copy stays in home_)
}

void Call::notifyRefer(const sip_event_t* event, int status, const std::string& reason,
                       bool final) {
  if (!event || !handle_) return;
  if (status < 100 || status >= 700) status = 500;
  std::string phrase;  // a status line holds no line break or other control character
  for (char c : reason)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) phrase += c;
  const std::string sipfrag = "SIP/2.0 " + std::to_string(status) + " " + phrase + "\r\n";
  SuHomePtr home = newHome();
  const auto body = makeBody(home.get(), "message/sipfrag", sipfrag);
  if (!body) {
    logger().error("session %s: call %s: out of memory for a NOTIFY", sessionId_, callId_);
    return;
  }
  nua_notify(handle_.get(), NUTAG_SUBSTATE(final ? nua_substate_terminated : nua_substate_active),
             SIPTAG_EVENT(event), SIPTAG_CONTENT_TYPE(body->type), SIPTAG_PAYLOAD(body->payload),
             TAG_END());
}

void Call::info(const std::string& contentType, const std::string& body) {
  if (state_ != State::Established) {
    infoOutcome(0, "call not established");
    return;
  }
  SuHomePtr home = newHome();
  const auto made = makeBody(home.get(), contentType, body);
  if (!made) {
    infoOutcome(0, home ? "invalid content type" : "out of memory");
    return;
  }
  nua_info(handle_.get(), TAG_IF(made->type, SIPTAG_CONTENT_TYPE(made->type)),
           TAG_IF(made->payload, SIPTAG_PAYLOAD(made->payload)), TAG_END());
}

void Call::onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) {
  onTaggedNuaEvent(event, status, phrase, sip, nullptr);
}

void Call::onTaggedNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip,
                            const tagi_t* tags) {
  if (state_ == State::Done) return;
  noteCallId(sip);
  switch (event) {
    case nua_r_invite:
      onInviteAnswer(status, phrase, sip);
      break;
    case nua_i_invite:
      onReinvite(sip);
      break;
    case nua_i_cancel:
      if (state_ == State::Ringing) {
        timer_.reset();
        state_ = State::Ending;
        const bool elsewhere = answeredElsewhere(sip);
        reportEnded(487, elsewhere ? "answered elsewhere" : "CANCEL", true, elsewhere);
      }
      break;
    case nua_i_bye:
      state_ = State::Ending;
      reportEnded(0, "BYE", true);
      break;
    case nua_r_bye:
      if (status >= 200) reportEnded(status, "BYE", false);
      break;
    case nua_i_refer:
      onIncomingRefer(sip, tags);
      break;
    case nua_r_refer:
      if (status < 200 || !referPending_) break;
      referPending_ = false;
      transferUpdate(
          status < 300 ? core::TransferUpdate::Kind::Accepted : core::TransferUpdate::Kind::Refused,
          status, text(phrase), status >= 300);
      break;
    case nua_i_notify:
      onReferNotify(status, phrase, sip);
      break;
    case nua_r_info:
      if (status >= 200) infoOutcome(status, text(phrase));
      break;
    case nua_i_info:
      logger().information(
          "session %s: call %s: INFO (%s) answered 200", sessionId_, callId_,
          std::string(sip && sip->sip_content_type ? sip->sip_content_type->c_type : "no body"));
      break;
    case nua_i_state:
      onStateChange(status, phrase, tags);
      break;
    default:
      break;
  }
}

void Call::onInviteAnswer(int status, const char* phrase, const sip_t* sip) {
  const bool local = isLocalResponse(nua_, sip);
  const std::string reason = local ? "SIP server unreachable (" + text(phrase) + ")" : text(phrase);
  const int reported = status >= 700 ? 500 : status;
  if (state_ == State::Established && reinvitePending_) {
    if (status < 200 || challenge(status, sip)) return;
    credentialsSent_ = false;
    reinvitePending_ = false;
    update(core::CallUpdate::Kind::Reanswered, reported, reason, status < 300 ? sip : nullptr);
    return;
  }
  if (state_ == State::Calling) {
    if (status < 200) {
      update(core::CallUpdate::Kind::Progress, status, reason, sip);
      return;
    }
    if (challenge(status, sip)) return;
    credentialsSent_ = false;
    timer_.reset();
    if (status < 300) {
      state_ = State::Established;
      update(core::CallUpdate::Kind::Answered, status, reason, sip);
      return;
    }
    endReported_ = true;
    update(core::CallUpdate::Kind::Refused, reported, reason);
    if (status == 401 || status == 407) {
      // A challenge we cannot answer leaves nua's INVITE waiting for credentials (the
      // dialog would never terminate and would hold nua's shutdown): drop the handle now.
      state_ = State::Done;
      finished_(*this);
    }
    return;
  }
  if (state_ == State::Cancelling && status >= 200) {
    if (status < 300) {
      // The answer crossed our CANCEL: the call is not wanted any more.
      state_ = State::Ending;
      nua_bye(handle_.get(), TAG_END());
    }
    if (cancelCause_ == CancelCause::NoAnswer) {
      if (!endReported_) update(core::CallUpdate::Kind::Refused, 408, "no answer");
      endReported_ = true;
    } else {
      reportEnded(status < 300 ? 487 : reported, "CANCEL", false);
    }
  }
}

void Call::onReinvite(const sip_t* sip) {
  if (state_ != State::Established || reofferPending_ || reinvitePending_) {
    nua_respond(handle_.get(), SIP_491_REQUEST_PENDING, NUTAG_WITH_THIS(nua_), TAG_END());
    return;
  }
  reofferPending_ = true;
  update(core::CallUpdate::Kind::Reoffer, 0, "re-INVITE", sip);
}

void Call::onIncomingRefer(const sip_t* sip, const tagi_t* tags) {
  if (!sip || !sip->sip_refer_to || !home_) return;
  const sip_event_t* event = nullptr;
  if (tags) tl_gets(tags, NUTAG_REFER_EVENT_REF(event), TAG_END());
  if (event) referEvent_ = sip_event_dup(home_.get(), event);
  // RFC 3515 2.4.4: the REFER's implicit subscription starts with a NOTIFY at once; the
  // outcome (the call made for it, or why none is made) follows in the final one.
  if (referEvent_) notifyRefer(referEvent_, 100, "Trying", false);
  core::IncomingRefer refer;
  refer.sessionId = sessionId_;
  refer.callId = callId_;
  url_t* target = url_hdup(home_.get(), sip->sip_refer_to->r_url);
  if (target) {
    target->url_headers = nullptr;  // Replaces and other headers are not carried out
    refer.referTo = text(url_as_string(home_.get(), target));
  }
  const url_t* by = sip->sip_referred_by ? sip->sip_referred_by->b_url
                    : sip->sip_from      ? sip->sip_from->a_url
                                         : nullptr;
  if (by) refer.referredBy = text(url_as_string(home_.get(), by));
  logger().information("session %s: call %s: REFER to %s", sessionId_, callId_, refer.referTo);
  deliver([&] { listener_.onIncomingRefer(refer); });
}

void Call::onReferNotify(int status, const char* phrase, const sip_t* sip) {
  if (!sip) {  // made up by nua: the NOTIFYs stopped coming
    transferUpdate(core::TransferUpdate::Kind::Notify, status >= 700 ? 500 : status, text(phrase),
                   true);
    return;
  }
  const auto [code, reason] = sipfragStatus(sip);
  const bool final = sip->sip_subscription_state &&
                     su_casematch(sip->sip_subscription_state->ss_substate, "terminated");
  transferUpdate(core::TransferUpdate::Kind::Notify, code, reason, final);
}

void Call::onStateChange(int status, const char* phrase, const tagi_t* tags) {
  int callstate = -1;
  if (tags) tl_gets(tags, NUTAG_CALLSTATE_REF(callstate), TAG_END());
  if (callstate != nua_callstate_terminated) return;
  timer_.reset();
  if (!endReported_) {
    if (state_ == State::Calling || state_ == State::Cancelling) {
      endReported_ = true;
      update(core::CallUpdate::Kind::Refused, status >= 300 && status < 700 ? status : 500,
             text(phrase));
    } else {
      reportEnded(status, text(phrase), false);
    }
  }
  state_ = State::Done;
  finished_(*this);
}

bool Call::challenge(int status, const sip_t* sip) {
  if ((status != 401 && status != 407) || credentialsSent_ || isLocalResponse(nua_, sip))
    return false;
  const std::string authName = account_.authName.empty() ? account_.login : account_.authName;
  if (!answerChallenge(handle_.get(), sip, authName, account_.password)) return false;
  credentialsSent_ = true;
  return true;
}

void Call::noteCallId(const sip_t* sip) {
  if (sipCallId_.empty() && sip && sip->sip_call_id && sip->sip_call_id->i_id)
    sipCallId_ = sip->sip_call_id->i_id;
}

void Call::armTimer(int ms, su_timer_f callback) {
  timer_.reset(su_timer_create(su_root_task(root_), 0));
  if (!timer_ || su_timer_set_interval(timer_.get(), callback, this, ms) != 0)
    logger().error("session %s: call %s: cannot arm a timer", sessionId_, callId_);
}

void Call::noAnswerTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  auto* self = static_cast<Call*>(arg);
  if (self->state_ != State::Calling) return;
  self->cancelCause_ = CancelCause::NoAnswer;
  self->state_ = State::Cancelling;
  nua_cancel(self->handle_.get(), TAG_END());
}

void Call::ringTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  auto* self = static_cast<Call*>(arg);
  if (self->state_ != State::Ringing) return;
  self->state_ = State::Ending;
  nua_respond(self->handle_.get(), SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
  self->reportEnded(480, "no answer", false);
}

void Call::update(core::CallUpdate::Kind kind, int status, const std::string& reason,
                  const sip_t* sip, bool byRemote, bool elsewhere) {
  core::CallUpdate update;
  update.sessionId = sessionId_;
  update.callId = callId_;
  update.kind = kind;
  update.sipStatus = status;
  update.reason = reason;
  update.byRemote = byRemote;
  update.answeredElsewhere = elsewhere;
  update.sipCallId = sipCallId_;
  if (sip && sip->sip_payload && sip->sip_payload->pl_data)
    update.sdp.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  if (kind == core::CallUpdate::Kind::Answered || kind == core::CallUpdate::Kind::Refused) {
    reportToReferrer(status > 0 ? status : 500, reason);
  } else if (kind == core::CallUpdate::Kind::Ended) {
    reportToReferrer(status >= 300 && status < 700 ? status : 487, reason);
  }
  deliver([&] { listener_.onCallUpdate(update); });
  if (kind == core::CallUpdate::Kind::Ended || kind == core::CallUpdate::Kind::Refused) {
    // The listener is done with this call: its id may name a new call from now on.
    endReported_ = true;
    quiet_ = true;
    ended_(*this);
  }
}

void Call::reportEnded(int status, const std::string& reason, bool byRemote, bool elsewhere) {
  if (endReported_) return;
  endReported_ = true;
  update(core::CallUpdate::Kind::Ended, status, reason, nullptr, byRemote, elsewhere);
}

void Call::reportToReferrer(int status, const std::string& reason) {
  if (!carriedRefer_ || referReported_) return;
  referReported_ = true;
  const char* standard = sip_status_phrase(status);
  if (Call* referrer = findReferrer_ ? findReferrer_() : nullptr)
    referrer->notifyRefer(carriedRefer_, status, standard ? standard : reason, true);
}

void Call::transferUpdate(core::TransferUpdate::Kind kind, int status, const std::string& reason,
                          bool final) {
  const core::TransferUpdate update{sessionId_, callId_, kind, status, reason, final};
  deliver([&] { listener_.onTransferUpdate(update); });
}

void Call::infoOutcome(int status, const std::string& reason) {
  const core::InfoOutcome outcome{sessionId_, callId_, status, reason};
  deliver([&] { listener_.onInfoOutcome(outcome); });
}

void Call::deliver(const std::function<void()>& report) {
  if (quiet_) return;
  try {
    report();
  } catch (const std::exception& e) {
    logger().error("session %s: call %s: the call listener failed: %s", sessionId_, callId_,
                   std::string(e.what()));
  } catch (...) {
    logger().error("session %s: call %s: the call listener failed", sessionId_, callId_);
  }
}

}  // namespace sipbridge::sip
