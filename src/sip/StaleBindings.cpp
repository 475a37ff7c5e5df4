#include "StaleBindings.h"

#include "AccountHandle.h"
#include "Digest.h"

#include <Poco/Logger.h>

#include <sofia-sip/hostdomain.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>

#include <algorithm>

namespace sipbridge::sip {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

std::string text(const char* value) {
  return value ? value : "";
}

}  // namespace

std::vector<std::string> staleBindings(const sip_t* answer, const url_t* own,
                                       const BindingCheck& check) {
  std::vector<std::string> stale;
  if (!answer || !own || !own->url_host) return stale;
  const std::string ownPort = text(url_port(own));
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!home) return stale;
  for (const sip_contact_t* m = answer->sip_contact; m; m = m->m_next) {
    const url_t* url = m->m_url;
    if ((url->url_type != url_sip && url->url_type != url_sips) || !url->url_user ||
        !url->url_host || host_cmp(url->url_host, own->url_host) != 0)
      continue;
    const std::string port = text(url_port(url));
    const bool nodePort = port == ownPort || std::find(check.ports.begin(), check.ports.end(),
                                                       port) != check.ports.end();
    if (!nodePort || (check.live && check.live(url->url_user))) continue;
    if (const char* uri = url_as_string(home.get(), url)) stale.emplace_back(uri);
  }
  return stale;
}

StaleBindings::StaleBindings(nua_t* nua, const SipConfig& config, const core::SipAccount& account)
    : nua_(nua), config_(config), account_(account) {}

StaleBindings::~StaleBindings() {
  wipe(account_.password);
}

bool StaleBindings::remove(const std::vector<std::string>& contacts) {
  std::string problem;
  handle_ = makeAccountHandle(nua_, this, config_, account_, nullptr, problem);
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!handle_ || !home || contacts.empty()) return false;
  url_t registrar;
  url_init(&registrar, url_sip);
  registrar.url_host = account_.domain.c_str();
  sip_contact_t* list = nullptr;
  sip_contact_t** tail = &list;
  for (const std::string& uri : contacts) {
    url_t* url = url_make(home.get(), uri.c_str());
    sip_contact_t* m =
        url ? sip_contact_create(home.get(), reinterpret_cast<url_string_t*>(url), nullptr)
            : nullptr;
    if (!m) continue;
    *tail = m;
    tail = &m->m_next;
  }
  if (!list) return false;
  // nua copies every tag value before these calls return.
  nua_set_hparams(handle_.get(), NUTAG_REGISTRAR(reinterpret_cast<url_string_t*>(&registrar)),
                  TAG_END());
  busy_ = true;
  nua_unregister(handle_.get(), SIPTAG_CONTACT(list), TAG_END());
  return true;
}

void StaleBindings::onNuaEvent(nua_event_t event, int status, const char* phrase,
                               const sip_t* sip) {
  if (event != nua_r_unregister || status < 200 || !busy_) return;
  if ((status == 401 || status == 407) && !credentialsSent_ && sip &&
      answerChallenge(handle_.get(), sip,
                      account_.authName.empty() ? account_.login : account_.authName,
                      account_.password)) {
    credentialsSent_ = true;
    return;
  }
  busy_ = false;
  credentialsSent_ = false;
  if (status < 300) {
    logger().information("session %s: bindings left by an earlier run removed", account_.sessionId);
  } else {
    logger().warning(
        "session %s: bindings left by an earlier run not removed (%d %s); they "
        "expire at the registrar",
        account_.sessionId, status, text(phrase));
  }
}

}  // namespace sipbridge::sip
