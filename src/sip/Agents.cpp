#include "Agents.h"

#include "SofiaPtr.h"
#include "sipbridge/sip/SipStack.h"

#include <Poco/Logger.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

namespace sipbridge::sip {

namespace {

/// Methods accepted outside a call: nua's defaults without REFER (allowed on call handles
/// only, so an out-of-dialog REFER is answered 405 before any handle exists) plus INFO.
constexpr const char* kAllow =
    "INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, MESSAGE, SUBSCRIBE, NOTIFY, UPDATE, INFO";

/// The port of a SIP URL ("5060" when it names none), "" when it cannot be parsed.
std::string urlPort(const std::string& text) {
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  url_t* url = home ? url_make(home.get(), text.c_str()) : nullptr;
  const char* port = url ? url_port(url) : nullptr;
  return port ? port : "";
}

}  // namespace

std::string agentUrl(const std::string& bindUrl, std::size_t offset) {
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  url_t* url = home ? url_make(home.get(), bindUrl.c_str()) : nullptr;
  if (!url || (url->url_type != url_sip && url->url_type != url_sips)) return "";
  const std::string given = url->url_port ? url->url_port : "";
  long port = given.empty() ? 5060 : 0;
  for (char c : given) {
    if (c < '0' || c > '9' || port > 65535) return "";
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return "";
  if (port == 0 || offset == 0) return bindUrl;
  port += static_cast<long>(offset);
  if (port > 65535) return "";
  const std::string text = std::to_string(port);
  url->url_port = text.c_str();
  const char* out = url_as_string(home.get(), url);
  return out ? out : "";
}

Agents::Agents(su_root_t* root, const SipConfig& config, const tagi_t* tlsTags,
               nua_callback_f callback, nua_magic_t* magic) {
  const std::size_t count = config.maxSessionsPerUser > 0 ? config.maxSessionsPerUser : 1;
  for (std::size_t k = 0; k < count; ++k) {
    const std::string url = agentUrl(config.bindUrl, k);
    const std::string sipsUrl = tlsTags ? agentUrl(config.tls.bindUrl, k) : "";
    // NTATAG_MERGE_482(0): every branch of a forked request gets its own transaction (with
    // nua's default, a second branch reaching this node were refused 482 Request Merged).
    // The Request-URI of each branch names the session it is for.
    nua_t* nua =
        url.empty() || (tlsTags && sipsUrl.empty())
            ? nullptr
            : nua_create(root, callback, magic, NUTAG_URL(url.c_str()),
                         SIPTAG_USER_AGENT_STR(config.userAgent.c_str()),
                         NUTAG_OUTBOUND(config.outboundOptions.c_str()),
                         NTATAG_MAX_PROCEEDING(config.maxProceeding),
                         NTATAG_SIP_T1X64(config.transactionTimeoutMs),
                         NTATAG_MAXSIZE(config.maxMessageBytes), NTATAG_MERGE_482(0),
                         NTATAG_MCLASS(messages_.get()),
                         TPTAG_UDP_RMEM(config.udpReceiveBufferBytes),
                         TPTAG_TIMEOUT(config.tcpMessageTimeoutMs), NTATAG_USE_NAPTR(0),
                         NTATAG_USE_SRV(0), NUTAG_APPL_METHOD("MESSAGE"), SIPTAG_ALLOW_STR(kAllow),
                         NUTAG_ENABLEMESSAGE(1), NUTAG_MEDIA_ENABLE(0),
                         TAG_IF(tlsTags, NUTAG_SIPS_URL(sipsUrl.c_str())), TAG_NEXT(tlsTags));
    if (!nua) {
      for (nua_t* made : agents_) nua_destroy(made);
      agents_.clear();
      const std::string where =
          (url.empty() ? config.bindUrl : url) +
          (tlsTags ? " and " + (sipsUrl.empty() ? config.tls.bindUrl : sipsUrl) : std::string());
      throw SipError("cannot start nua on " + where +
                     (k == 0 ? " (is it free?)"
                             : " (port " + std::to_string(k) +
                                   " after sip.bindUrl's, for another session of one user: is "
                                   "it free? see sip.maxSessionsPerUser)"));
    }
    agents_.push_back(nua);
    for (const std::string& bound : {url, sipsUrl})
      if (const std::string port = urlPort(bound); !port.empty() && port != "0")
        ports_.push_back(port);
  }
}

Agents::~Agents() {
  for (nua_t* nua : agents_) {
    if (down_.count(nua)) {
      nua_destroy(nua);
    } else {
      Poco::Logger::get("sipbridge.sip")
          .error("nua did not finish shutting down; its memory is left behind");
    }
  }
}

std::optional<std::size_t> Agents::assign(const std::string& aor, const std::string& sessionId) {
  release(sessionId);
  std::set<std::size_t> taken;
  for (const auto& [id, entry] : sessions_)
    if (entry.first == aor) taken.insert(entry.second);
  for (std::size_t k = 0; k < agents_.size(); ++k) {
    if (taken.count(k)) continue;
    sessions_[sessionId] = {aor, k};
    return k;
  }
  return std::nullopt;
}

void Agents::release(const std::string& sessionId) {
  sessions_.erase(sessionId);
}

void Agents::shutdown() {
  for (nua_t* nua : agents_) nua_shutdown(nua);
}

bool Agents::shutDown(nua_t* nua) {
  down_.insert(nua);
  return down_.size() >= agents_.size();
}

}  // namespace sipbridge::sip
