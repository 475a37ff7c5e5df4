#pragma once

#include "sipbridge/api/ApiConfig.h"
#include "sipbridge/core/Bridge.h"
#include "sipbridge/hooks/HookConfig.h"
#include "sipbridge/sip/SipConfig.h"
#include "sipbridge/store/StoreConfig.h"
#include "sipbridge/tls/TlsConfig.h"
#include "sipbridge/xcap/XcapConfig.h"

#include <string>
#include <utility>
#include <vector>

namespace sipbridge::app {

/// Every setting of the process, read once at start-up (see etc/sipbridge.properties).
struct AppConfig {
  core::BridgeConfig bridge;
  api::ApiConfig api;
  store::StoreConfig store;
  sip::SipConfig sip;
  hooks::HookConfig hooks;
  xcap::XcapConfig xcap;
  tls::TlsConfig tls;
  std::string logLevel = "information";
  /// Levels of named loggers and their descendants ("sipbridge.sip" = debug), applied in order
  /// after logLevel; each level is one Poco::Logger::parseLevel accepts.
  std::vector<std::pair<std::string, std::string>> loggerLevels;
};

/// Reads the properties file, with each key overridable by the environment variable
/// SIPBRIDGE_<KEY> (upper case, dots as underscores). Throws Poco::Exception naming the key
/// when a value is missing or malformed, and Poco::InvalidArgumentException naming the keys
/// when settings contradict each other (see checkConsistency).
AppConfig loadConfig(const std::string& propertiesFile);

/// The pairs of settings that contradict each other in `config` (a lease too short for the
/// hook timeout, a retry cap below its base, expires bounds the wrong way round...), one
/// sentence each naming the keys; empty when there are none.
std::vector<std::string> contradictions(const AppConfig& config);

/// Throws Poco::InvalidArgumentException listing every contradiction; the bridge refuses to
/// start rather than run with settings under which a feature can never work.
void checkConsistency(const AppConfig& config);

}  // namespace sipbridge::app
