#pragma once

#include "sipbridge/api/ApiConfig.h"
#include "sipbridge/core/Bridge.h"
#include "sipbridge/hooks/HookConfig.h"
#include "sipbridge/sip/SipConfig.h"
#include "sipbridge/store/StoreConfig.h"
#include "sipbridge/xcap/XcapConfig.h"

#include <string>

namespace sipbridge::app {

/// Every setting of the process, read once at start-up (see etc/sipbridge.properties).
struct AppConfig {
  core::BridgeConfig bridge;
  api::ApiConfig api;
  store::StoreConfig store;
  sip::SipConfig sip;
  hooks::HookConfig hooks;
  xcap::XcapConfig xcap;
  std::string logLevel = "information";
};

/// Reads the properties file, with each key overridable by the environment variable
/// SIPBRIDGE_<KEY> (upper case, dots as underscores). Throws Poco::Exception naming the key
/// when a value is missing or malformed.
AppConfig loadConfig(const std::string& propertiesFile);

}  // namespace sipbridge::app
