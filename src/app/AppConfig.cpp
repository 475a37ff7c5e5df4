#include "sipbridge/app/AppConfig.h"

#include <Poco/AutoPtr.h>
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/PropertyFileConfiguration.h>

namespace sipbridge::app {
namespace {

/// The properties file with environment overrides applied on top.
class Settings {
 public:
  explicit Settings(const std::string& file)
      : file_(new Poco::Util::PropertyFileConfiguration(file)) {}

  std::string text(const std::string& key) const {
    std::string env = "SIPBRIDGE_" + Poco::toUpper(key);
    Poco::replaceInPlace(env, ".", "_");
    if (Poco::Environment::has(env)) return Poco::Environment::get(env);
    if (!file_->hasProperty(key)) throw Poco::NotFoundException("configuration key missing", key);
    return Poco::trim(file_->getRawString(key));
  }
  int integer(const std::string& key) const {
    int value = 0;
    if (!Poco::NumberParser::tryParse(text(key), value))
      throw Poco::SyntaxException("configuration key is not an integer", key);
    return value;
  }
  bool boolean(const std::string& key) const {
    bool value = false;
    if (!Poco::NumberParser::tryParseBool(text(key), value))
      throw Poco::SyntaxException("configuration key is not true/false", key);
    return value;
  }
  std::vector<std::string> list(const std::string& key) const {
    Poco::StringTokenizer tokens(
        text(key), ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    return {tokens.begin(), tokens.end()};
  }

 private:
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file_;
};

/// `name=level` items of logging.levels as pairs; throws naming the key when an item has no
/// logger name or a level Poco does not know.
std::vector<std::pair<std::string, std::string>> loggerLevels(
    const std::vector<std::string>& items) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : items) {
    const auto equals = item.find('=');
    const std::string name = Poco::trim(item.substr(0, equals));
    const std::string level =
        equals == std::string::npos ? std::string() : Poco::trim(item.substr(equals + 1));
    try {
      if (name.empty()) throw Poco::SyntaxException("no logger name");
      Poco::Logger::parseLevel(level);
    } catch (const Poco::Exception& e) {
      throw Poco::SyntaxException(
          "configuration key logging.levels: not name=level (" + e.message() + ")", item);
    }
    out.emplace_back(name, level);
  }
  return out;
}

}  // namespace

AppConfig loadConfig(const std::string& propertiesFile) {
  const Settings s(propertiesFile);
  AppConfig c;
  c.bridge.nodeId = s.text("node.id");
  c.bridge.idleTimeoutSeconds = s.integer("session.idleTimeoutSeconds");
  c.bridge.commitTimeoutMs = s.integer("session.commitTimeoutMs");
  c.bridge.appRefreshSeconds = s.integer("session.appRefreshSeconds");
  c.bridge.defaultProxy = s.text("sip.proxy");
  c.bridge.allowedProxies = s.list("sip.allowedProxies");
  c.bridge.defaultTransport = s.text("sip.transport");
  c.bridge.registerExpires = s.integer("sip.registerExpires");

  auto& m = c.bridge.messaging;
  m.nodeId = c.bridge.nodeId;
  m.limits.maxTextBytes = static_cast<std::size_t>(s.integer("messages.maxTextBytes"));
  m.limits.maxCpimBytes = m.limits.maxTextBytes;
  m.limits.maxMultipartBytes = m.limits.maxTextBytes;
  m.limits.maxRecipients = static_cast<std::size_t>(s.integer("messages.maxRecipients"));
  m.cpimFallback = s.boolean("messages.cpimFallback");
  m.cpimCapabilityTtlSeconds = s.integer("messages.cpimCapabilityTtlSeconds");
  m.maxInFlight = static_cast<std::size_t>(s.integer("messages.maxInFlight"));
  m.sendWindow = static_cast<std::size_t>(s.integer("messages.sendWindow"));
  m.maxIncomingBytes = static_cast<std::size_t>(s.integer("messages.maxIncomingBytes"));

  auto& p = c.bridge.presence;
  p.maxSubscriptionsPerSession =
      static_cast<std::size_t>(s.integer("presence.maxSubscriptionsPerSession"));
  p.minExpires = s.integer("presence.minExpires");
  p.maxExpires = s.integer("presence.maxExpires");
  p.coalesceMs = s.integer("presence.coalesceMs");

  auto& calls = c.bridge.calls;
  calls.maxCallsPerSession = static_cast<std::size_t>(s.integer("calls.maxCallsPerSession"));
  calls.maxSdpBytes = static_cast<std::size_t>(s.integer("calls.maxSdpBytes"));
  calls.noAnswerTimeoutSeconds = s.integer("calls.noAnswerTimeoutSeconds");
  calls.maxDtmfSymbols = static_cast<std::size_t>(s.integer("calls.maxDtmfSymbols"));
  calls.referTargets = s.text("calls.referTargets");
  if (calls.referTargets != "domain" && calls.referTargets != "any" && calls.referTargets != "none")
    throw Poco::InvalidArgumentException("calls.referTargets must be domain, any or none");
  c.sip.incomingRingTimeoutMs = s.integer("calls.ringTimeoutSeconds") * 1000;
  c.sip.maxCalls = static_cast<std::size_t>(s.integer("calls.maxCalls"));

  c.xcap.roots = s.list("xcap.roots");
  c.xcap.timeoutSeconds = s.integer("xcap.timeoutSeconds");
  c.xcap.workers = s.integer("xcap.workers");
  c.bridge.xcapMaxBodyBytes = static_cast<std::size_t>(s.integer("xcap.maxBodyBytes"));

  auto& d = c.bridge.data;
  d.maxPayloadBytes = static_cast<std::size_t>(s.integer("data.maxPayloadBytes"));
  d.hookAttempts = s.integer("data.hookAttempts");
  d.hookDeadlineMs = s.integer("data.hookDeadlineMs");
  d.hookTimeoutMs = s.integer("data.hookTimeoutMs");
  d.firstRetryDelayMs = s.integer("data.firstRetryDelayMs");
  d.workers = s.integer("data.workers");
  d.queueCapacity = static_cast<std::size_t>(s.integer("data.queueCapacity"));
  d.perAppInFlight = s.integer("data.perAppInFlight");
  d.perAppQueue = static_cast<std::size_t>(s.integer("data.perAppQueue"));
  d.commitTimeoutMs = s.integer("data.commitTimeoutMs");

  c.api.plainEnabled = s.boolean("http.enabled");
  c.api.bindAddress = s.text("http.bindAddress");
  c.api.port = s.integer("http.port");
  c.api.tlsEnabled = s.boolean("https.enabled");
  c.api.tlsBindAddress = s.text("https.bindAddress");
  c.api.tlsPort = s.integer("https.port");
  c.api.tlsCertificateFile = s.text("https.certificateFile");
  c.api.tlsKeyFile = s.text("https.keyFile");
  c.api.tlsMinVersion = s.text("https.minVersion");
  c.api.ioThreads = s.integer("http.ioThreads");
  c.api.maxThreads = s.integer("http.maxThreads");
  c.api.maxQueued = s.integer("http.maxQueued");
  c.api.maxConnections = s.integer("http.maxConnections");
  c.api.maxConnectionsPerAddress = s.integer("http.maxConnectionsPerAddress");
  c.api.headerTimeoutSeconds = s.integer("http.headerTimeoutSeconds");
  c.api.bodyTimeoutSeconds = s.integer("http.bodyTimeoutSeconds");
  c.api.keepAliveSeconds = s.integer("http.keepAliveSeconds");
  c.api.maxHeaderBytes = static_cast<std::size_t>(s.integer("http.maxHeaderBytes"));
  c.api.maxBodyBytes = static_cast<std::size_t>(s.integer("http.maxBodyBytes"));
  c.api.maxLongPollSeconds = s.integer("http.maxLongPollSeconds");
  c.api.maxLongPolls = s.integer("http.maxLongPolls");
  c.api.maxWebSockets = s.integer("http.maxWebSockets");
  c.api.webSocketMaxMessageBytes =
      static_cast<std::size_t>(s.integer("http.webSocketMaxMessageBytes"));
  c.api.webSocketSendQueueBytes =
      static_cast<std::size_t>(s.integer("http.webSocketSendQueueBytes"));
  c.api.webSocketSendTimeoutSeconds = s.integer("http.webSocketSendTimeoutSeconds");
  c.api.webSocketPingSeconds = s.integer("http.webSocketPingSeconds");
  c.api.stopSeconds = s.integer("http.stopSeconds");
  c.api.corsMaxAgeSeconds = s.integer("http.corsMaxAgeSeconds");
  for (const auto& [key, value] :
       {std::pair{"http.ioThreads", c.api.ioThreads},
        {"http.maxThreads", c.api.maxThreads},
        {"http.maxConnections", c.api.maxConnections},
        {"http.maxConnectionsPerAddress", c.api.maxConnectionsPerAddress},
        {"http.headerTimeoutSeconds", c.api.headerTimeoutSeconds},
        {"http.bodyTimeoutSeconds", c.api.bodyTimeoutSeconds},
        {"http.keepAliveSeconds", c.api.keepAliveSeconds},
        {"http.webSocketSendTimeoutSeconds", c.api.webSocketSendTimeoutSeconds},
        {"http.webSocketPingSeconds", c.api.webSocketPingSeconds}})
    if (value < 1) throw Poco::InvalidArgumentException(std::string(key) + " must be at least 1");
  if (c.api.maxConnectionsPerAddress > c.api.maxConnections)
    throw Poco::InvalidArgumentException(
        "http.maxConnectionsPerAddress must not exceed http.maxConnections");
  c.api.adminToken = s.text("admin.token");

  c.store.conninfo = s.text("db.conninfo");
  c.store.poolSize = s.integer("db.poolSize");
  c.store.schemaDir = s.text("db.schemaDir");
  c.store.maxBatch = s.integer("store.maxBatch");
  c.store.queueLimit = s.integer("store.queueLimit");
  c.store.partitionDaysAhead = s.integer("store.partitionDaysAhead");
  c.store.retentionDays = s.integer("store.retentionDays");
  c.store.hookRetryPeriodSeconds = s.integer("hooks.retryPeriodSeconds");

  c.sip.bindUrl = s.text("sip.bindUrl");
  c.sip.defaultProxy = c.bridge.defaultProxy;
  c.sip.userAgent = s.text("sip.userAgent");
  c.sip.registerExpires = c.bridge.registerExpires;
  c.sip.transactionTimeoutMs = s.integer("sip.transactionTimeoutMs");
  c.sip.maxProceeding = s.integer("sip.maxProceeding");
  c.sip.maxSessionsPerUser = static_cast<std::size_t>(s.integer("sip.maxSessionsPerUser"));
  c.sip.udpReceiveBufferBytes = static_cast<unsigned>(s.integer("sip.udpReceiveBufferBytes"));
  c.sip.tcpMessageTimeoutMs = static_cast<unsigned>(s.integer("sip.tcpMessageTimeoutMs"));
  // A MESSAGE with the largest body taken fits, with room for its headers: larger bodies get
  // 413 from the core, larger messages 413 from sofia-sip.
  c.sip.maxMessageBytes = m.maxIncomingBytes + 16384;
  c.sip.tls.bindUrl = s.text("sip.tlsBindUrl");
  c.sip.tls.certificateFile = s.text("sip.tlsCertificateFile");
  c.sip.tls.keyFile = s.text("sip.tlsKeyFile");
  c.bridge.sipTlsEnabled = c.sip.tls.enabled();

  c.hooks.workers = s.integer("hooks.workers");
  c.hooks.perAppConcurrency = s.integer("hooks.perAppConcurrency");
  c.hooks.perAppMaxConcurrency = s.integer("hooks.perAppMaxConcurrency");
  c.hooks.perAppGrowAfter = s.integer("hooks.perAppGrowAfter");
  c.hooks.perAppSlowMs = s.integer("hooks.perAppSlowMs");
  c.hooks.timeoutSeconds = s.integer("hooks.timeoutSeconds");
  c.hooks.leaseSeconds = s.integer("hooks.leaseSeconds");
  c.hooks.allowPrivate = s.boolean("hooks.allowPrivate");
  c.hooks.retry.baseMs = s.integer("hooks.retryBaseMs");
  c.hooks.retry.capMs = s.integer("hooks.retryCapMs");
  c.hooks.connectHookTimeoutSeconds = s.integer("hooks.connectTimeoutSeconds");

  c.tls.systemCAs = s.boolean("tls.systemCAs");
  c.tls.caFile = s.text("tls.caFile");
  c.tls.caDirectory = s.text("tls.caDirectory");
  c.tls.minVersion = s.text("tls.minVersion");
  c.sip.tls.systemCAs = c.tls.systemCAs;
  c.sip.tls.caFile = c.tls.caFile;
  c.sip.tls.caDirectory = c.tls.caDirectory;

  c.logLevel = s.text("logging.level");
  c.loggerLevels = loggerLevels(s.list("logging.levels"));
  if (d.hookAttempts < 1 || d.workers < 1 || d.queueCapacity < 1 || d.perAppInFlight < 1 ||
      d.perAppQueue < 1)
    throw Poco::InvalidArgumentException(
        "data.hookAttempts, data.workers, data.queueCapacity, data.perAppInFlight and "
        "data.perAppQueue must be at least 1");
  if (c.bridge.defaultTransport != "udp" && c.bridge.defaultTransport != "tcp" &&
      c.bridge.defaultTransport != "tls")
    throw Poco::InvalidArgumentException("sip.transport must be udp, tcp or tls");
  if (c.bridge.defaultTransport == "tls" && !c.sip.tls.enabled())
    throw Poco::InvalidArgumentException("sip.transport is tls but sip.tlsBindUrl is empty");
  if (c.sip.tls.enabled() && c.sip.tls.bindUrl.rfind("sips:", 0) != 0)
    throw Poco::InvalidArgumentException("sip.tlsBindUrl must be a sips: URL");
  checkConsistency(c);
  return c;
}

}  // namespace sipbridge::app
