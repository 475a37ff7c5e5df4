#include "Subscription.h"

#include "AccountHandle.h"
#include "Digest.h"

#include <Poco/Logger.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/su_string.h>

#include <cctype>
#include <string_view>

namespace sipbridge::sip {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

std::string text(const char* value) {
  return value ? value : "";
}

/// RFC 6665 event-type: token-nodot *( "." token-nodot ), no parameters.
bool isEventPackage(const std::string& event) {
  if (event.empty() || event.front() == '.' || event.back() == '.') return false;
  char previous = 0;
  for (unsigned char c : event) {
    const bool tokenNodot =
        std::isalnum(c) ||
        std::string_view("-!%*_+`'~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!tokenNodot && !(c == '.' && previous != '.')) return false;
    previous = static_cast<char>(c);
  }
  return true;
}

}  // namespace

Subscription::Subscription(nua_t* nua, const SipConfig& config,
                           core::SubscriptionListener& listener, const core::SipAccount& account,
                           core::SubscribeRequest request, Finished finished)
    : nua_(nua),
      config_(config),
      listener_(listener),
      account_(account),
      request_(std::move(request)),
      finished_(std::move(finished)) {}

Subscription::~Subscription() {
  wipe(account_.password);
}

void Subscription::start() {
  std::string problem;
  if (!send(problem)) {
    handle_.reset();
    reportOutcome(0, problem, true);
    finish();
  }
}

bool Subscription::send(std::string& problem) {
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!home) {
    problem = "out of memory";
    return false;
  }
  url_t* target = url_make(home.get(), request_.targetUri.c_str());
  if (!isRequestTarget(target) || target->url_type == url_tel) {
    problem = "invalid target URI";
    return false;
  }
  if (!isEventPackage(request_.event)) {
    problem = "invalid event package";
    return false;
  }
  sip_event_t* event = sip_event_make(home.get(), request_.event.c_str());
  if (!event) {
    problem = "invalid event package";
    return false;
  }
  sip_accept_t* accept =
      request_.accept.empty() ? nullptr : sip_accept_make(home.get(), request_.accept.c_str());
  if (!request_.accept.empty() && !accept) {
    problem = "invalid Accept";
    return false;
  }
  if (request_.expires < 0) {
    problem = "invalid expires";
    return false;
  }
  sip_expires_t* expires =
      sip_expires_create(home.get(), static_cast<sip_time_t>(request_.expires));
  if (!expires) {
    problem = "out of memory";
    return false;
  }
  handle_ = makeAccountHandle(nua_, this, config_, account_, target, problem);
  if (!handle_) return false;
  state_ = State::Subscribing;
  nua_subscribe(handle_.get(), NUTAG_URL(reinterpret_cast<url_string_t*>(target)),
                SIPTAG_EVENT(event), TAG_IF(accept, SIPTAG_ACCEPT(accept)), SIPTAG_EXPIRES(expires),
                TAG_END());
  return true;
}

void Subscription::stop(bool quiet) {
  quiet_ = quiet_ || quiet;
  if (state_ == State::Unsubscribing || state_ == State::Done) return;
  if (!handle_ || state_ == State::Idle) {
    finish();
    return;
  }
  state_ = State::Unsubscribing;
  credentialsSent_ = false;
  // The event package parsed when the subscription was sent.
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  sip_event_t* event = home ? sip_event_make(home.get(), request_.event.c_str()) : nullptr;
  nua_unsubscribe(handle_.get(), TAG_IF(event, SIPTAG_EVENT(event)), TAG_END());
}

void Subscription::onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) {
  if (state_ == State::Done) return;
  switch (event) {
    case nua_r_subscribe:
      onSubscribeAnswer(status, phrase, sip);
      break;
    case nua_r_unsubscribe:
      onUnsubscribeAnswer(status, phrase, sip);
      break;
    case nua_i_notify:
      onNotify(status, phrase, sip);
      break;
    default:
      break;
  }
}

bool Subscription::challenge(int status, const sip_t* sip) {
  if ((status != 401 && status != 407) || credentialsSent_ || isLocalResponse(nua_, sip))
    return false;
  const std::string authName = account_.authName.empty() ? account_.login : account_.authName;
  if (!answerChallenge(handle_.get(), sip, authName, account_.password)) return false;
  credentialsSent_ = true;
  return true;
}

void Subscription::onSubscribeAnswer(int status, const char* phrase, const sip_t* sip) {
  if (status < 200 || state_ == State::Unsubscribing) return;
  if (challenge(status, sip)) return;
  credentialsSent_ = false;
  if (status < 300) {
    state_ = State::Active;
    reportOutcome(status, text(phrase), false);
    if (terminatedSeen_) finish();
    return;
  }
  // A refused SUBSCRIBE or a failed refresh: the subscription no longer exists.
  const bool local = isLocalResponse(nua_, sip);
  reportOutcome(status >= 700 ? 500 : status,
                local ? "SIP server unreachable (" + text(phrase) + ")" : text(phrase), true);
  finish();
}

void Subscription::onUnsubscribeAnswer(int status, const char* phrase, const sip_t* sip) {
  if (status < 200 || state_ != State::Unsubscribing) return;
  if (challenge(status, sip)) return;
  unsubscribeAnswered_ = true;
  reportOutcome(status >= 700 ? 500 : status, text(phrase), true);
  // After a 2xx the final NOTIFY is still to come; nua gives up waiting for it after 32 s
  // and says so with a local nua_i_notify.
  if (terminatedSeen_ || status >= 300) finish();
}

void Subscription::onNotify(int status, const char* phrase, const sip_t* sip) {
  if (!sip) {
    // Made up by nua: a refresh could not be sent, or the final NOTIFY never came.
    if (state_ != State::Unsubscribing)
      reportOutcome(status >= 700 ? 500 : status, text(phrase), true);
    finish();
    return;
  }
  core::NotifyInfo notify;
  notify.sessionId = request_.sessionId;
  notify.subscriptionId = request_.subscriptionId;
  const sip_subscription_state_t* state = sip->sip_subscription_state;
  if (state) {
    notify.state = text(state->ss_substate);
    notify.reason = text(state->ss_reason);
  } else {
    notify.state = sip->sip_expires && sip->sip_expires->ex_delta == 0 ? "terminated" : "active";
  }
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (home) {
    if (sip->sip_content_type)
      notify.contentType = text(sip_header_as_string(
          home.get(), reinterpret_cast<const sip_header_t*>(sip->sip_content_type)));
    size_t length = 0;
    msg_t* msg = nua_current_request(nua_);
    if (const char* raw = msg ? msg_as_string(home.get(), msg, nullptr, 0, &length) : nullptr)
      notify.rawMessage.assign(raw, length);
  }
  if (sip->sip_payload && sip->sip_payload->pl_data)
    notify.body.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  const bool terminated = su_casematch(notify.state.c_str(), "terminated");
  if (!quiet_) {
    try {
      listener_.onNotify(notify);
    } catch (const std::exception& e) {
      logger().error("session %s: the subscription listener failed: %s", request_.sessionId,
                     std::string(e.what()));
    }
  }
  if (!terminated) return;
  terminatedSeen_ = true;
  // Wait for the answer to our own SUBSCRIBE, so that it is reported too.
  const bool answerPending =
      state_ == State::Subscribing || (state_ == State::Unsubscribing && !unsubscribeAnswered_);
  if (!answerPending) finish();
}

void Subscription::reportOutcome(int status, const std::string& reason, bool terminated) {
  if (status >= 300 || status == 0)
    logger().information("session %s: subscription %s (%s) %s: %d %s", request_.sessionId,
                         std::to_string(request_.subscriptionId), request_.event,
                         std::string(terminated ? "ended" : "answered"), status, reason);
  if (quiet_) return;
  core::SubscriptionOutcome outcome{request_.sessionId, request_.subscriptionId, status, reason,
                                    terminated};
  try {
    listener_.onSubscriptionOutcome(outcome);
  } catch (const std::exception& e) {
    logger().error("session %s: the subscription listener failed: %s", request_.sessionId,
                   std::string(e.what()));
  }
}

void Subscription::finish() {
  if (state_ == State::Done) return;
  state_ = State::Done;
  finished_(*this);
}

}  // namespace sipbridge::sip
