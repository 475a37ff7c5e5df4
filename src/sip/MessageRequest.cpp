#include "MessageRequest.h"

#include "AccountHandle.h"
#include "Digest.h"
#include "SipAddress.h"

#include <Poco/Logger.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

namespace sipbridge::sip {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

}  // namespace

MessageRequest::MessageRequest(nua_t* nua, const SipConfig& config, core::MessageListener& listener,
                               const core::SipAccount& account, core::OutgoingMessage message,
                               Finished finished)
    : nua_(nua),
      config_(config),
      listener_(listener),
      account_(account),
      message_(std::move(message)),
      finished_(std::move(finished)) {}

MessageRequest::~MessageRequest() {
  wipe(account_.password);
}

void MessageRequest::start() {
  std::string problem;
  if (!send(problem)) {
    handle_.reset();
    report(0, problem);
  }
}

bool MessageRequest::send(std::string& problem) {
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!home) {
    problem = "out of memory";
    return false;
  }
  url_t* target = url_make(home.get(), message_.targetUri.c_str());
  if (!isRequestTarget(target)) {
    problem = "invalid target URI";
    return false;
  }
  sip_content_type_t* contentType =
      message_.contentType.empty()
          ? nullptr
          : sip_content_type_make(home.get(), message_.contentType.c_str());
  if (!message_.contentType.empty() && !contentType) {
    problem = "invalid content type";
    return false;
  }
  sip_payload_t* payload =
      sip_payload_create(home.get(), message_.body.data(), message_.body.size());
  if (!payload) {
    problem = "out of memory";
    return false;
  }
  // RFC 3428: a request near the path MTU must not go over UDP; the proxy URI's transport
  // decides the transport of this request only. A TLS session sends everything over TLS.
  const bool overTls = account_.transport == "tls";
  overTcp_ =
      !overTls && (account_.transport == "tcp" || message_.body.size() > config_.udpBodyLimit);
  handle_ = makeAccountHandle(nua_, this, config_, account_, target, problem,
                              overTls    ? "tls"
                              : overTcp_ ? "tcp"
                                         : "udp");
  if (!handle_) return false;
  // nua copies every tag value before this call returns.
  nua_message(handle_.get(), NUTAG_URL(reinterpret_cast<url_string_t*>(target)),
              TAG_IF(contentType, SIPTAG_CONTENT_TYPE(contentType)), SIPTAG_PAYLOAD(payload),
              TAG_END());
  return true;
}

void MessageRequest::onNuaEvent(nua_event_t event, int status, const char* phrase,
                                const sip_t* sip) {
  if (event != nua_r_message || status < 200 || reported_) return;
  if (status < 300) {
    report(status, phrase ? phrase : "OK");
    return;
  }
  if ((status == 401 || status == 407) && !credentialsSent_ && !isLocalResponse(nua_, sip)) {
    const std::string authName = account_.authName.empty() ? account_.login : account_.authName;
    if (answerChallenge(handle_.get(), sip, authName, account_.password)) {
      credentialsSent_ = true;
      return;
    }
  }
  if ((status == 408 || status == 503 || status >= 900) && isLocalResponse(nua_, sip)) {
    report(status >= 900 ? 503 : status, "SIP server unreachable");
    return;
  }
  report(status >= 700 ? 500 : status, phrase ? phrase : "");
}

void MessageRequest::report(int status, const std::string& reason) {
  reported_ = true;
  if (status >= 300 || status == 0)
    logger().information("session %s: MESSAGE %s refused: %d %s", message_.sessionId,
                         std::to_string(message_.requestId), status, reason);
  core::MessageOutcome outcome{message_.sessionId, message_.requestId, status, reason};
  try {
    listener_.onMessageOutcome(outcome);
  } catch (const std::exception& e) {
    logger().error("session %s: the MESSAGE listener failed: %s", message_.sessionId,
                   std::string(e.what()));
  }
  finished_(*this);
}

}  // namespace sipbridge::sip
