#include "sipbridge/core/ConnectRequest.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

#include <set>

namespace sipbridge::core {
namespace {

const std::set<std::string> kStringFields = {
    "appKey",    "sipLogin",         "sipAuthenticationName", "sipPassword",     "sipVisibleName",
    "sipDomain", "sipOutboundProxy", "sipTransport",          "sipContactParams"};

std::string& stringField(ConnectRequest& r, const std::string& name) {
  if (name == "appKey") return r.appKey;
  if (name == "sipLogin") return r.sipLogin;
  if (name == "sipAuthenticationName") return r.sipAuthenticationName;
  if (name == "sipPassword") return r.sipPassword;
  if (name == "sipVisibleName") return r.sipVisibleName;
  if (name == "sipDomain") return r.sipDomain;
  if (name == "sipOutboundProxy") return r.sipOutboundProxy;
  if (name == "sipTransport") return r.sipTransport;
  return r.sipContactParams;
}

/// Copies the fields present in `json` into `r`, checking JSON types only.
void readFields(ConnectRequest& r, const Poco::JSON::Object& json, bool allowAppKey) {
  for (const auto& [key, value] : json) {
    if (key == "appKey" && !allowAppKey) throw invalidField(key, "cannot be overridden");
    if (kStringFields.count(key)) {
      if (value.isEmpty()) {
        stringField(r, key).clear();
        continue;
      }
      if (!value.isString()) throw invalidField(key, "must be a string");
      stringField(r, key) = value.extract<std::string>();
    } else if (key == "sipRegisterRequired") {
      if (!value.isBoolean()) throw invalidField(key, "must be true or false");
      r.sipRegisterRequired = value.extract<bool>();
    } else if (key == "sipPort") {
      if (value.isEmpty()) {
        r.sipPort = 0;
        continue;
      }
      if (!value.isInteger()) throw invalidField(key, "must be an integer");
      const auto port = value.convert<std::int64_t>();
      if (port < 1 || port > 65535) throw invalidField(key, "must be between 1 and 65535");
      r.sipPort = static_cast<int>(port);
    } else if (key == "custom") {
      if (value.isEmpty()) {
        r.custom = nullptr;
        continue;
      }
      if (value.type() != typeid(Poco::JSON::Object::Ptr))
        throw invalidField(key, "must be a JSON object");
      r.custom = value.extract<Poco::JSON::Object::Ptr>();
    } else {
      throw invalidField(key, "is not a connect field");
    }
  }
}

void check(const std::string& field, const std::string& problem) {
  if (!problem.empty()) throw invalidField(field, field + " " + problem);
}

}  // namespace

ConnectRequest ConnectRequest::fromJson(const Poco::JSON::Object& json) {
  ConnectRequest request;
  readFields(request, json, true);
  request.validate();
  return request;
}

void ConnectRequest::applyOverrides(const Poco::JSON::Object& overrides) {
  readFields(*this, overrides, false);
  validate();
}

void ConnectRequest::validate() const {
  if (appKey.empty()) throw invalidField("appKey", "appKey is required");
  check("appKey", checkAppKey(appKey));
  if (!sipLogin.empty()) check("sipLogin", checkSipUser(sipLogin));
  if (!sipAuthenticationName.empty()) {
    check("sipAuthenticationName", checkHeaderSafe(sipAuthenticationName, 128));
    if (sipAuthenticationName.find_first_of(":\"\\") != std::string::npos)
      throw invalidField("sipAuthenticationName",
                         "sipAuthenticationName may not contain : \" or \\");
  }
  check("sipPassword", checkHeaderSafe(sipPassword, 256));
  check("sipVisibleName", checkHeaderSafe(sipVisibleName, 128));
  if (sipVisibleName.find_first_of("\"\\") != std::string::npos)
    throw invalidField("sipVisibleName", "sipVisibleName may not contain \" or \\");
  if (!sipDomain.empty()) check("sipDomain", checkHost(sipDomain));
  if (!sipOutboundProxy.empty()) check("sipOutboundProxy", checkHostPort(sipOutboundProxy));
  if (!sipTransport.empty() && sipTransport != "udp" && sipTransport != "tcp" &&
      sipTransport != "tls")
    throw invalidField("sipTransport", "sipTransport must be \"udp\", \"tcp\" or \"tls\"");
  if (!sipContactParams.empty()) check("sipContactParams", checkUriParams(sipContactParams));
  if (sipRegisterRequired) {
    if (sipLogin.empty())
      throw invalidField("sipLogin", "sipLogin is required when sipRegisterRequired is true");
    if (sipDomain.empty())
      throw invalidField("sipDomain", "sipDomain is required when sipRegisterRequired is true");
  }
}

std::string ConnectRequest::proxyAddress(const std::string& defaultProxy) const {
  if (sipOutboundProxy.empty()) return defaultProxy;
  const auto close = sipOutboundProxy.rfind(']');
  const auto colon = sipOutboundProxy.rfind(':');
  const bool hasPort = colon != std::string::npos && (close == std::string::npos || colon > close);
  if (hasPort) return sipOutboundProxy;
  return sipOutboundProxy + ":" + std::to_string(sipPort != 0 ? sipPort : 5060);
}

Poco::JSON::Object::Ptr ConnectRequest::toHookJson() const {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  json->set("appKey", appKey);
  json->set("sipRegisterRequired", sipRegisterRequired);
  json->set("sipLogin", sipLogin);
  json->set("sipAuthenticationName", sipAuthenticationName);
  json->set("sipVisibleName", sipVisibleName);
  json->set("sipDomain", sipDomain);
  json->set("sipOutboundProxy", sipOutboundProxy);
  if (sipPort != 0) json->set("sipPort", sipPort);
  if (!sipTransport.empty()) json->set("sipTransport", sipTransport);
  json->set("sipContactParams", sipContactParams);
  if (custom) json->set("custom", custom);
  return json;
}

}  // namespace sipbridge::core
