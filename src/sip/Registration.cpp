#include "Registration.h"

#include "AccountHandle.h"
#include "Digest.h"
#include "SipAddress.h"
#include "TlsTransport.h"

#include <Poco/Logger.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/url.h>

namespace sipbridge::sip {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

std::string statusText(int status, const char* phrase) {
  return std::to_string(status) + " " + (phrase ? phrase : "");
}

}  // namespace

Registration::Registration(nua_t* nua, su_root_t* root, const SipConfig& config,
                           core::SipListener& listener, core::SipAccount account,
                           const BindingCheck& check, TlsTransport* tls, Finished finished)
    : nua_(nua),
      root_(root),
      config_(config),
      listener_(listener),
      account_(std::move(account)),
      check_(check),
      tls_(tls),
      finished_(std::move(finished)) {}

Registration::~Registration() {
  wipe(account_.password);
}

void Registration::start() {
  if (!createHandle()) {
    fail(0, "invalid SIP account");
    return;
  }
  const int expires =
      account_.expiresSeconds > 0 ? account_.expiresSeconds : config_.registerExpires;
  const std::string expiresText = std::to_string(expires);
  state_ = State::Registering;
  nua_register(handle_.get(), SIPTAG_EXPIRES_STR(expiresText.c_str()), TAG_END());
}

bool Registration::createHandle() {
  std::string problem;
  if (account_.authName.find(':') == std::string::npos)
    handle_ = makeAccountHandle(nua_, this, config_, account_, nullptr, problem);
  if (!handle_) {
    logger().warning(
        "session %s: account rejected before REGISTER (proxy, transport, domain, "
        "login, authentication name or contact user malformed)",
        account_.sessionId);
    return false;
  }
  url_t registrar;
  url_init(&registrar, url_sip);
  registrar.url_host = account_.domain.c_str();
  const std::string contactDisplay = escapeQuoted(account_.displayName);
  // UDP and TCP share one port, so nua's Contact names no transport; a TCP or TLS session
  // says so, making the registrar reach it the same way (TLS: on the TLS listener's port).
  const std::string transport = account_.transport.empty() ? "udp" : account_.transport;
  std::string contactParams = transport == "udp" ? "" : "transport=" + transport;
  if (!account_.contactParams.empty()) {
    if (!contactParams.empty() && account_.contactParams.front() != ';') contactParams += ';';
    contactParams += account_.contactParams;
  }
  if (!contactParams.empty() && contactParams.front() == ';') contactParams.erase(0, 1);

  // nua copies every tag value before this call returns. The handle parameters are set
  // before the first request on the handle, which the stack processes in order.
  nua_set_hparams(handle_.get(), NUTAG_REGISTRAR(reinterpret_cast<url_string_t*>(&registrar)),
                  TAG_IF(!contactDisplay.empty(), NUTAG_M_DISPLAY(contactDisplay.c_str())),
                  TAG_IF(!contactParams.empty(), NUTAG_M_PARAMS(contactParams.c_str())), TAG_END());
  return true;
}

void Registration::onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) {
  if (event == nua_r_register) onRegisterAnswer(status, phrase, sip);
  if (event == nua_r_unregister) onUnregisterAnswer(status, phrase, sip);
}

void Registration::onRegisterAnswer(int status, const char* phrase, const sip_t* sip) {
  if (status < 200 || state_ == State::Unregistering || state_ == State::Done) return;
  if (status < 300) {
    credentialsSent_ = false;
    mayHaveBinding_ = true;
    removeStaleBindings(sip);
    if (state_ != State::Registered) {
      state_ = State::Registered;
      logger().information("session %s registered (%s)", account_.sessionId,
                           statusText(status, phrase));
      listener_.onRegistration(account_.sessionId,
                               {core::RegistrationResult::State::Registered, status, "registered"});
    }
    return;
  }
  if ((status == 401 || status == 407) && !credentialsSent_ && sip) {
    answerChallenge(sip);
    return;
  }
  if (status == 401 || status == 407 || status == 403 || status == 904) {
    // nua keeps a challenged request waiting for credentials we will not give: drop the
    // handle so nothing stays pending (no binding exists that an unREGISTER could remove).
    handle_.reset();
    mayHaveBinding_ = false;
    fail(status, "authentication failed");
  } else if (status == 408 || status == 503 || status >= 900) {
    const std::string tlsProblem = tls_ && account_.transport == "tls" && isLocalResponse(nua_, sip)
                                       ? tls_->takeProblem()
                                       : "";
    fail(status, tlsProblem.empty() ? "SIP server unreachable (" + statusText(status, phrase) + ")"
                                    : "TLS connection to the SIP server refused: " + tlsProblem);
  } else {
    fail(status, "registration rejected (" + statusText(status, phrase) + ")");
  }
}

void Registration::removeStaleBindings(const sip_t* sip) {
  if (!sip || (cleanup_ && cleanup_->busy())) return;
  const url_t* own = nullptr;
  for (const sip_contact_t* m = sip->sip_contact; m && !own; m = m->m_next)
    if (m->m_url->url_user && account_.contactUser == m->m_url->url_user) own = m->m_url;
  const auto stale = staleBindings(sip, own, check_);
  if (stale.empty()) return;
  std::string list;
  for (const auto& uri : stale) list += (list.empty() ? "" : ", ") + uri;
  logger().information("session %s: removing %z bindings of %s@%s no session holds: %s",
                       account_.sessionId, stale.size(), account_.login, account_.domain, list);
  cleanup_ = std::make_unique<StaleBindings>(nua_, config_, account_);
  if (!cleanup_->remove(stale))
    logger().warning("session %s: cannot send the removal", account_.sessionId);
}

void Registration::answerChallenge(const sip_t* sip) {
  const std::string authName = account_.authName.empty() ? account_.login : account_.authName;
  if (!sip::answerChallenge(handle_.get(), sip, authName, account_.password)) {
    fail(sip->sip_status ? sip->sip_status->st_status : 401, "authentication failed");
    return;
  }
  credentialsSent_ = true;
}

void Registration::fail(int status, const std::string& info) {
  state_ = State::Failed;
  credentialsSent_ = false;
  logger().warning("session %s registration failed: %s (%d)", account_.sessionId, info, status);
  listener_.onRegistration(account_.sessionId,
                           {core::RegistrationResult::State::Failed, status, info});
}

void Registration::stop() {
  if (state_ == State::Unregistering || state_ == State::Done) return;
  if (!handle_ || !(mayHaveBinding_ || state_ == State::Registering)) {
    finish(0, "unregistered");
    return;
  }
  state_ = State::Unregistering;
  credentialsSent_ = false;
  timer_.reset(su_timer_create(su_root_task(root_), 0));
  if (!timer_ || su_timer_set_interval(timer_.get(), &Registration::unregisterTimeout, this,
                                       config_.unregisterTimeoutMs) != 0) {
    logger().error("session %s: cannot arm the unregister timer", account_.sessionId);
  }
  nua_unregister(handle_.get(), TAG_END());
}

void Registration::onUnregisterAnswer(int status, const char* phrase, const sip_t* sip) {
  if (status < 200 || state_ != State::Unregistering) return;
  if ((status == 401 || status == 407) && !credentialsSent_ && sip) {
    answerChallenge(sip);
    return;
  }
  if (timer_) su_timer_reset(timer_.get());
  finish(status, status < 300 ? "unregistered"
                              : "unregistered locally (" + statusText(status, phrase) + ")");
}

void Registration::unregisterTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  auto* self = static_cast<Registration*>(arg);
  if (self->state_ == State::Unregistering)
    self->finish(408, "unregistered locally (no answer from the SIP server)");
}

void Registration::finish(int status, const std::string& info) {
  state_ = State::Done;
  logger().information("session %s unregistered: %s", account_.sessionId, info);
  listener_.onRegistration(account_.sessionId,
                           {core::RegistrationResult::State::Unregistered, status, info});
  finished_(*this);
}

}  // namespace sipbridge::sip
