#include "Publication.h"

#include "AccountHandle.h"
#include "Digest.h"

#include <Poco/Logger.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>

namespace sipbridge::sip {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

std::string text(const char* value) {
  return value ? value : "";
}

}  // namespace

Publication::Publication(nua_t* nua, const SipConfig& config, core::SubscriptionListener& listener,
                         const core::SipAccount& account, std::string event, Finished finished)
    : nua_(nua),
      config_(config),
      listener_(listener),
      account_(account),
      event_(std::move(event)),
      finished_(std::move(finished)) {}

Publication::~Publication() {
  wipe(account_.password);
}

void Publication::publish(core::PublishRequest request) {
  if (done_) return;
  if (inFlight_) {
    if (waiting_.size() >= kMaxWaiting) {
      report(request.publicationId, 503, "too many PUBLISH requests waiting");
      return;
    }
    waiting_.push_back(std::move(request));
    return;
  }
  waiting_.push_front(std::move(request));
  sendNext();
}

void Publication::withdrawQuietly() {
  quiet_ = true;
  waiting_.clear();
  core::PublishRequest withdrawal;
  withdrawal.sessionId = account_.sessionId;
  withdrawal.event = event_;
  withdrawal.body.clear();
  withdrawal.expires = 0;
  if (inFlight_) {
    waiting_.push_back(std::move(withdrawal));
    return;
  }
  waiting_.push_back(std::move(withdrawal));
  sendNext();
}

/// Sends the first waiting request that can be sent; finishes when nothing is left to do.
void Publication::sendNext() {
  while (!inFlight_ && !waiting_.empty() && !done_) {
    core::PublishRequest request = std::move(waiting_.front());
    waiting_.pop_front();
    if (isWithdrawal(request) && !published_) {
      report(request.publicationId, 200, "nothing published");
      continue;
    }
    std::string problem;
    if (!send(request, problem)) {
      report(request.publicationId, 0, problem);
      continue;
    }
    inFlight_ = std::move(request);
  }
  if (!inFlight_ && !published_) finish();
}

bool Publication::send(const core::PublishRequest& request, std::string& problem) {
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!home) {
    problem = "out of memory";
    return false;
  }
  sip_event_t* event = sip_event_make(home.get(), event_.c_str());
  if (!event) {
    problem = "invalid event package";
    return false;
  }
  if (isWithdrawal(request)) {
    credentialsSent_ = false;
    nua_unpublish(handle_.get(), SIPTAG_EVENT(event), TAG_END());
    return true;
  }
  if (request.body.empty() || request.expires <= 0) {
    problem = request.body.empty() ? "empty body" : "invalid expires";
    return false;
  }
  sip_content_type_t* contentType = sip_content_type_make(home.get(), request.contentType.c_str());
  if (!contentType) {
    problem = "invalid content type";
    return false;
  }
  sip_payload_t* payload = sip_payload_create(home.get(), request.body.data(), request.body.size());
  if (!payload) {
    problem = "out of memory";
    return false;
  }
  if (!handle_) {
    handle_ = makeAccountHandle(nua_, this, config_, account_, nullptr, problem);
    if (!handle_) return false;
  }
  sip_expires_t* expires = sip_expires_create(home.get(), static_cast<sip_time_t>(request.expires));
  if (!expires) {
    problem = "out of memory";
    return false;
  }
  credentialsSent_ = false;
  nua_publish(handle_.get(), SIPTAG_EVENT(event), SIPTAG_CONTENT_TYPE(contentType),
              SIPTAG_PAYLOAD(payload), SIPTAG_EXPIRES(expires), TAG_END());
  return true;
}

void Publication::onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) {
  if (done_ || (event != nua_r_publish && event != nua_r_unpublish) || status < 200) return;
  onAnswer(event, status, phrase, sip);
}

void Publication::onAnswer(nua_event_t, int status, const char* phrase, const sip_t* sip) {
  if ((status == 401 || status == 407) && !credentialsSent_ && !isLocalResponse(nua_, sip)) {
    const std::string authName = account_.authName.empty() ? account_.login : account_.authName;
    if (answerChallenge(handle_.get(), sip, authName, account_.password)) {
      credentialsSent_ = true;
      return;
    }
  }
  credentialsSent_ = false;
  const int reported = status >= 700 ? 500 : status;
  if (!inFlight_) {
    // nua's own refresh.
    if (status < 300) return;
    report(lastId_, reported, "refresh failed: " + text(phrase));
    handle_.reset();
    published_ = false;
    sendNext();
    return;
  }
  const core::PublishRequest request = std::move(*inFlight_);
  inFlight_.reset();
  report(request.publicationId, reported, text(phrase));
  if (status < 300 && !isWithdrawal(request)) {
    published_ = true;
    lastId_ = request.publicationId;
  } else {
    // Withdrawn, or refused: a handle that ran an un-PUBLISH or a failed PUBLISH is not
    // used again (a refused modification leaves the earlier state to expire on the server).
    handle_.reset();
    published_ = false;
  }
  sendNext();
}

void Publication::report(std::uint64_t publicationId, int status, const std::string& reason) {
  if (status >= 300 || status == 0)
    logger().information("session %s: PUBLISH %s (%s) refused: %d %s", account_.sessionId,
                         std::to_string(publicationId), event_, status, reason);
  if (quiet_) return;
  try {
    listener_.onPublishOutcome({account_.sessionId, publicationId, status, reason});
  } catch (const std::exception& e) {
    logger().error("session %s: the subscription listener failed: %s", account_.sessionId,
                   std::string(e.what()));
  }
}

void Publication::finish() {
  if (done_) return;
  done_ = true;
  finished_(*this);
}

}  // namespace sipbridge::sip
