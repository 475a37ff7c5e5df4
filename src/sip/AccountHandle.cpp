#include "AccountHandle.h"

#include "SipAddress.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>

namespace sipbridge::sip {

bool isRequestTarget(const url_t* url) {
  if (!url) return false;
  if (url->url_type == url_tel) return true;
  return (url->url_type == url_sip || url->url_type == url_sips) && url->url_host && *url->url_host;
}

NuaHandlePtr makeAccountHandle(nua_t* nua, HandleContext* context, const SipConfig& config,
                               const core::SipAccount& account, const url_t* target,
                               std::string& problem, const std::string& requestTransport) {
  const auto proxy =
      parseHostPort(account.outboundProxy.empty() ? config.defaultProxy : account.outboundProxy);
  const std::string transport = account.transport.empty() ? "udp" : account.transport;
  const bool knownTransport =
      transport == "udp" || transport == "tcp" || (transport == "tls" && config.tls.enabled());
  if (target && target->url_type == url_sips && transport != "tls") {
    problem = "a sips: target needs a session connected with sipTransport tls";
    return nullptr;
  }
  if (!proxy || !knownTransport || account.login.empty() || !isValidHost(account.domain) ||
      !isToken(account.contactUser)) {
    problem = "invalid SIP account";
    return nullptr;
  }
  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!home) {
    problem = "out of memory";
    return nullptr;
  }
  const std::string user = escapeUser(account.login);
  url_t aor;
  url_init(&aor, url_sip);
  aor.url_user = user.c_str();
  aor.url_host = account.domain.c_str();
  sip_from_t* from = sip_from_create(home.get(), reinterpret_cast<url_string_t*>(&aor));
  sip_to_t* to =
      sip_to_create(home.get(), reinterpret_cast<const url_string_t*>(target ? target : &aor));
  if (!from || !to) {
    problem = "invalid target URI";
    return nullptr;
  }
  const std::string display =
      account.displayName.empty() ? std::string() : quoteDisplayName(account.displayName);
  if (!display.empty()) from->a_display = display.c_str();

  const std::string transportParam = "transport=" + transport;
  const std::string requestParam =
      requestTransport.empty() ? transportParam : "transport=" + requestTransport;
  url_t proxyUrl;
  url_init(&proxyUrl, url_sip);
  proxyUrl.url_host = proxy->host.c_str();
  proxyUrl.url_port = proxy->port.c_str();
  proxyUrl.url_params = requestParam.c_str();

  // nua copies every tag value before these calls return; the stack processes them in order.
  NuaHandlePtr handle(nua_handle(nua, context, SIPTAG_FROM(from), SIPTAG_TO(to), TAG_END()));
  if (!handle) {
    problem = "cannot create a SIP handle";
    return nullptr;
  }
  nua_set_hparams(handle.get(), NUTAG_PROXY(reinterpret_cast<url_string_t*>(&proxyUrl)),
                  NUTAG_M_USERNAME(account.contactUser.c_str()),
                  TAG_IF(transport != "udp", NUTAG_M_PARAMS(transportParam.c_str())),
                  NUTAG_OUTBOUND(config.outboundOptions.c_str()), TAG_END());
  return handle;
}

}  // namespace sipbridge::sip
