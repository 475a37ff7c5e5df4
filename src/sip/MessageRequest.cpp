#include "MessageRequest.h"

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
  const auto proxy =
      parseHostPort(account_.outboundProxy.empty() ? config_.defaultProxy : account_.outboundProxy);
  if (!proxy || account_.login.empty() || !isValidHost(account_.domain)) {
    problem = "invalid SIP account";
    return false;
  }
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!home) {
    problem = "out of memory";
    return false;
  }
  url_t* target = url_make(home.get(), message_.targetUri.c_str());
  if (target && target->url_type == url_sips && account_.transport != "tls") {
    problem = "a sips: target needs a session connected with sipTransport tls";
    return false;
  }
  const bool sipTarget = target && (target->url_type == url_sip || target->url_type == url_sips);
  if (!target || (!sipTarget && target->url_type != url_tel) ||
      (sipTarget && (!target->url_host || !*target->url_host))) {
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

  const std::string user = escapeUser(account_.login);
  url_t aor;
  url_init(&aor, url_sip);
  aor.url_user = user.c_str();
  aor.url_host = account_.domain.c_str();
  sip_from_t* from = sip_from_create(home.get(), reinterpret_cast<url_string_t*>(&aor));
  sip_to_t* to = sip_to_create(home.get(), reinterpret_cast<url_string_t*>(target));
  if (!from || !to) {
    problem = "invalid target URI";
    return false;
  }
  const std::string display =
      account_.displayName.empty() ? std::string() : quoteDisplayName(account_.displayName);
  if (!display.empty()) from->a_display = display.c_str();

  // RFC 3428: a request near the path MTU must not go over UDP; the proxy URI's transport
  // decides the transport of this request only. A TLS session sends everything over TLS.
  const bool overTls = account_.transport == "tls";
  overTcp_ =
      !overTls && (account_.transport == "tcp" || message_.body.size() > config_.udpBodyLimit);
  const std::string transportParam = overTls    ? "transport=tls"
                                     : overTcp_ ? "transport=tcp"
                                                : "transport=udp";
  url_t proxyUrl;
  url_init(&proxyUrl, url_sip);
  proxyUrl.url_host = proxy->host.c_str();
  proxyUrl.url_port = proxy->port.c_str();
  proxyUrl.url_params = transportParam.c_str();

  handle_.reset(nua_handle(nua_, static_cast<HandleContext*>(this), SIPTAG_FROM(from),
                           SIPTAG_TO(to), TAG_END()));
  if (!handle_) {
    problem = "cannot create a SIP handle";
    return false;
  }
  // nua copies every tag value before these calls return; the stack processes them in order.
  nua_set_hparams(handle_.get(), NUTAG_PROXY(reinterpret_cast<url_string_t*>(&proxyUrl)),
                  NUTAG_OUTBOUND(config_.outboundOptions.c_str()), TAG_END());
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
