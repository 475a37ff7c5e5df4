#include "sipbridge/app/AppConfig.h"

#include <Poco/Exception.h>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

using sipbridge::app::AppConfig;
using sipbridge::app::contradictions;

namespace {

/// The one contradiction found in `config` (the test fails when there is not exactly one).
std::string onlyContradiction(const AppConfig& config) {
  const auto found = contradictions(config);
  BOOST_TEST_REQUIRE(found.size() == 1u);
  return found.front();
}

bool names(const std::string& text, const std::string& a, const std::string& b) {
  return text.find(a) != std::string::npos && text.find(b) != std::string::npos;
}

std::string sampleConfig() {
  const char* root = std::getenv("SIPBRIDGE_ROOT");
  return std::string(root ? root : ".") + "/etc/sipbridge.properties";
}

/// Sets an environment override for the lifetime of the object.
struct EnvOverride {
  EnvOverride(const char* name, const char* value) : name(name) { ::setenv(name, value, 1); }
  ~EnvOverride() { ::unsetenv(name); }
  const char* name;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(AppConfigChecks)

BOOST_AUTO_TEST_CASE(the_defaults_and_the_sample_file_are_consistent) {
  BOOST_TEST(contradictions(AppConfig{}).empty());
  BOOST_TEST(contradictions(sipbridge::app::loadConfig(sampleConfig())).empty());
}

BOOST_AUTO_TEST_CASE(a_lease_not_above_twice_the_hook_timeout_is_refused) {
  AppConfig config;
  config.hooks.timeoutSeconds = 10;
  config.hooks.leaseSeconds = 20;
  BOOST_TEST(names(onlyContradiction(config), "hooks.leaseSeconds", "hooks.timeoutSeconds"));
  config.hooks.leaseSeconds = 21;
  BOOST_TEST(contradictions(config).empty());
}

BOOST_AUTO_TEST_CASE(the_bridge_refuses_to_start_with_a_lease_too_short) {
  EnvOverride lease("SIPBRIDGE_HOOKS_LEASESECONDS", "15");
  EnvOverride timeout("SIPBRIDGE_HOOKS_TIMEOUTSECONDS", "10");
  try {
    sipbridge::app::loadConfig(sampleConfig());
    BOOST_FAIL("a lease of 15 s with a 10 s timeout was accepted");
  } catch (const Poco::InvalidArgumentException& e) {
    BOOST_TEST(names(e.message(), "hooks.leaseSeconds", "hooks.timeoutSeconds"), e.message());
  }
}

BOOST_AUTO_TEST_CASE(a_retry_cap_below_its_base_is_refused) {
  AppConfig config;
  config.hooks.retry.baseMs = 5000;
  config.hooks.retry.capMs = 4000;
  BOOST_TEST(names(onlyContradiction(config), "hooks.retryCapMs", "hooks.retryBaseMs"));
  config.hooks.retry.capMs = 5000;
  BOOST_TEST(contradictions(config).empty());
}

BOOST_AUTO_TEST_CASE(a_concurrency_maximum_below_its_start_is_refused) {
  AppConfig config;
  config.hooks.perAppConcurrency = 4;
  config.hooks.perAppMaxConcurrency = 3;
  BOOST_TEST(
      names(onlyContradiction(config), "hooks.perAppMaxConcurrency", "hooks.perAppConcurrency"));
  config.hooks.perAppMaxConcurrency = 0;
  BOOST_TEST(contradictions(config).empty());
}

BOOST_AUTO_TEST_CASE(data_hook_retries_that_could_never_start_are_refused) {
  AppConfig config;
  config.bridge.data.hookAttempts = 3;
  config.bridge.data.hookDeadlineMs = 1000;
  config.bridge.data.hookTimeoutMs = 500;
  config.bridge.data.firstRetryDelayMs = 1000;
  BOOST_TEST(names(onlyContradiction(config), "data.firstRetryDelayMs", "data.hookDeadlineMs"));

  config.bridge.data.firstRetryDelayMs = 100;
  config.bridge.data.hookTimeoutMs = 1000;
  BOOST_TEST(names(onlyContradiction(config), "data.hookTimeoutMs", "data.hookDeadlineMs"));

  // A single attempt has no retry to lose.
  config.bridge.data.hookAttempts = 1;
  config.bridge.data.firstRetryDelayMs = 5000;
  BOOST_TEST(contradictions(config).empty());
}

BOOST_AUTO_TEST_CASE(presence_expires_bounds_the_wrong_way_round_are_refused) {
  AppConfig config;
  config.bridge.presence.minExpires = 3600;
  config.bridge.presence.maxExpires = 600;
  BOOST_TEST(names(onlyContradiction(config), "presence.maxExpires", "presence.minExpires"));
  config.bridge.presence.maxExpires = 3600;
  BOOST_TEST(contradictions(config).empty());
}

BOOST_AUTO_TEST_CASE(https_without_its_certificate_or_key_is_refused) {
  AppConfig config;
  config.api.tlsEnabled = true;
  config.api.tlsKeyFile = "/etc/sipbridge/key.pem";
  BOOST_TEST(names(onlyContradiction(config), "https.enabled", "https.certificateFile"));
  config.api.tlsCertificateFile = "/etc/sipbridge/cert.pem";
  config.api.tlsKeyFile.clear();
  BOOST_TEST(names(onlyContradiction(config), "https.enabled", "https.keyFile"));
  config.api.tlsKeyFile = "/etc/sipbridge/key.pem";
  BOOST_TEST(contradictions(config).empty());
  config.api.tlsMinVersion = "1.1";
  BOOST_TEST(names(onlyContradiction(config), "https.minVersion", "1.1"));
}

BOOST_AUTO_TEST_CASE(no_listener_or_one_port_for_both_listeners_is_refused) {
  AppConfig config;
  config.api.plainEnabled = false;
  BOOST_TEST(names(onlyContradiction(config), "http.enabled", "https.enabled"));
  config.api.plainEnabled = true;
  config.api.tlsEnabled = true;
  config.api.tlsCertificateFile = "cert.pem";
  config.api.tlsKeyFile = "key.pem";
  config.api.tlsPort = config.api.port;
  BOOST_TEST(names(onlyContradiction(config), "http.port", "https.port"));
  config.api.tlsBindAddress = "127.0.0.2";
  BOOST_TEST(contradictions(config).empty());
  config.api.tlsBindAddress = config.api.bindAddress;
  config.api.tlsPort = config.api.port + 1;
  BOOST_TEST(contradictions(config).empty());
}

BOOST_AUTO_TEST_CASE(the_https_keys_are_read_from_the_file_and_the_environment) {
  const EnvOverride enabled("SIPBRIDGE_HTTPS_ENABLED", "true");
  const EnvOverride cert("SIPBRIDGE_HTTPS_CERTIFICATEFILE", "/run/cert.pem");
  const EnvOverride key("SIPBRIDGE_HTTPS_KEYFILE", "/run/key.pem");
  const EnvOverride plain("SIPBRIDGE_HTTP_ENABLED", "false");
  const auto config = sipbridge::app::loadConfig(sampleConfig());
  BOOST_TEST(config.api.tlsEnabled);
  BOOST_TEST(!config.api.plainEnabled);
  BOOST_TEST(config.api.tlsCertificateFile == "/run/cert.pem");
  BOOST_TEST(config.api.tlsKeyFile == "/run/key.pem");
  BOOST_TEST(config.api.tlsPort == 8443);
  BOOST_TEST(config.api.tlsMinVersion == "1.2");
  BOOST_TEST(contradictions(config).empty());
}

BOOST_AUTO_TEST_CASE(every_contradiction_is_reported_at_once) {
  AppConfig config;
  config.hooks.leaseSeconds = 1;
  config.bridge.presence.maxExpires = 0;
  try {
    sipbridge::app::checkConsistency(config);
    BOOST_FAIL("contradictory settings were accepted");
  } catch (const Poco::InvalidArgumentException& e) {
    BOOST_TEST(names(e.message(), "hooks.leaseSeconds", "presence.maxExpires"), e.message());
  }
}

BOOST_AUTO_TEST_CASE(sip_over_tls_needs_its_listener_and_shares_the_tls_trust) {
  {
    EnvOverride transport("SIPBRIDGE_SIP_TRANSPORT", "tls");
    BOOST_CHECK_EXCEPTION(sipbridge::app::loadConfig(sampleConfig()),
                          Poco::InvalidArgumentException,
                          [](const Poco::InvalidArgumentException& e) {
                            return names(e.message(), "sip.transport", "sip.tlsBindUrl");
                          });
  }
  {
    EnvOverride bind("SIPBRIDGE_SIP_TLSBINDURL", "sip:127.0.0.1:5071");
    BOOST_CHECK_EXCEPTION(sipbridge::app::loadConfig(sampleConfig()),
                          Poco::InvalidArgumentException,
                          [](const Poco::InvalidArgumentException& e) {
                            return names(e.message(), "sip.tlsBindUrl", "sips:");
                          });
  }
  {
    // sip.bindUrl is sip:127.0.0.1:5070 with 4 sessions per user: TCP ports 5070-5073.
    EnvOverride bind("SIPBRIDGE_SIP_TLSBINDURL", "sips:127.0.0.1:5072");
    BOOST_CHECK_EXCEPTION(sipbridge::app::loadConfig(sampleConfig()),
                          Poco::InvalidArgumentException,
                          [](const Poco::InvalidArgumentException& e) {
                            return names(e.message(), "sip.tlsBindUrl", "sip.maxSessionsPerUser");
                          });
  }
  EnvOverride transport("SIPBRIDGE_SIP_TRANSPORT", "tls");
  EnvOverride bind("SIPBRIDGE_SIP_TLSBINDURL", "sips:127.0.0.1:5080");
  EnvOverride caFile("SIPBRIDGE_TLS_CAFILE", "/etc/sipbridge/private-ca.pem");
  const AppConfig config = sipbridge::app::loadConfig(sampleConfig());
  BOOST_TEST(config.bridge.sipTlsEnabled);
  BOOST_TEST(config.bridge.defaultTransport == "tls");
  BOOST_TEST(config.sip.tls.bindUrl == "sips:127.0.0.1:5080");
  BOOST_TEST(config.sip.tls.caFile == "/etc/sipbridge/private-ca.pem");
  BOOST_TEST(config.sip.tls.systemCAs);
}

BOOST_AUTO_TEST_CASE(module_log_levels_are_read_in_order_and_a_bad_one_is_refused) {
  BOOST_TEST(sipbridge::app::loadConfig(sampleConfig()).loggerLevels.empty());
  {
    EnvOverride levels("SIPBRIDGE_LOGGING_LEVELS",
                       "sipbridge.sip = debug, sipbridge.sip.sofia=warning");
    const auto config = sipbridge::app::loadConfig(sampleConfig());
    using Levels = std::vector<std::pair<std::string, std::string>>;
    BOOST_TEST((config.loggerLevels ==
                Levels{{"sipbridge.sip", "debug"}, {"sipbridge.sip.sofia", "warning"}}));
  }
  for (const char* bad : {"sipbridge.sip", "sipbridge.sip=loud", "=debug"}) {
    EnvOverride levels("SIPBRIDGE_LOGGING_LEVELS", bad);
    BOOST_CHECK_EXCEPTION(sipbridge::app::loadConfig(sampleConfig()), Poco::SyntaxException,
                          [](const Poco::SyntaxException& e) {
                            return e.message().find("logging.levels") != std::string::npos;
                          });
  }
}

BOOST_AUTO_TEST_SUITE_END()
