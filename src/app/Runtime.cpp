#include "sipbridge/app/Runtime.h"

#include "OpenFileLimit.h"
#include "sipbridge/api/HttpApi.h"
#include "sipbridge/core/Bridge.h"
#include "sipbridge/hooks/Dispatcher.h"
#include "sipbridge/hooks/HttpConnectHook.h"
#include "sipbridge/hooks/HttpDataHook.h"
#include "sipbridge/hooks/UrlPolicy.h"
#include "sipbridge/sip/SipStack.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Outbox.h"
#include "sipbridge/store/Partitions.h"
#include "sipbridge/store/PgAppDirectory.h"
#include "sipbridge/store/PgCallStore.h"
#include "sipbridge/store/PgDataStore.h"
#include "sipbridge/store/PgEventQuery.h"
#include "sipbridge/store/PgHookDeliveries.h"
#include "sipbridge/store/PgMessageStore.h"
#include "sipbridge/store/PgSessionStore.h"
#include "sipbridge/tls/ClientIdentity.h"
#include "sipbridge/tls/TlsClient.h"
#include "sipbridge/xcap/HttpXcapClient.h"

#include <Poco/Logger.h>
#include <Poco/Util/Timer.h>
#include <Poco/Util/TimerTaskAdapter.h>
#include <libxml/parser.h>

#include <atomic>
#include <thread>

namespace sipbridge::app {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.app");
}

/// Lets the SIP stack be built before the Bridge that listens to it.
class SipListenerRelay final : public core::SipListener {
 public:
  std::atomic<core::SipListener*> target{nullptr};
  void onRegistration(const std::string& id, const core::RegistrationResult& r) override {
    if (auto* t = target.load()) t->onRegistration(id, r);
  }
};

/// Lets the SIP stack be built before the Bridge whose messaging listens to it.
class MessageListenerRelay final : public core::MessageListener {
 public:
  std::atomic<core::MessageListener*> target{nullptr};
  void onMessageOutcome(const core::MessageOutcome& outcome) override {
    if (auto* t = target.load()) t->onMessageOutcome(outcome);
  }
  void onIncomingMessage(const core::IncomingMessage& message) override {
    if (auto* t = target.load()) t->onIncomingMessage(message);
  }
};

/// Lets the SIP stack be built before the Bridge whose presence use cases listen to it.
class SubscriptionListenerRelay final : public core::SubscriptionListener {
 public:
  std::atomic<core::SubscriptionListener*> target{nullptr};
  void onSubscriptionOutcome(const core::SubscriptionOutcome& outcome) override {
    if (auto* t = target.load()) t->onSubscriptionOutcome(outcome);
  }
  void onNotify(const core::NotifyInfo& notify) override {
    if (auto* t = target.load()) t->onNotify(notify);
  }
  void onPublishOutcome(const core::PublishOutcome& outcome) override {
    if (auto* t = target.load()) t->onPublishOutcome(outcome);
  }
};

/// Lets the SIP stack be built before the Bridge whose call use case listens to it.
class CallListenerRelay final : public core::CallListener {
 public:
  std::atomic<core::CallListener*> target{nullptr};
  void onCallUpdate(const core::CallUpdate& update) override {
    if (auto* t = target.load()) t->onCallUpdate(update);
  }
  void onIncomingCall(const core::IncomingCall& call) override {
    if (auto* t = target.load()) t->onIncomingCall(call);
  }
  void onTransferUpdate(const core::TransferUpdate& update) override {
    if (auto* t = target.load()) t->onTransferUpdate(update);
  }
  void onIncomingRefer(const core::IncomingRefer& refer) override {
    if (auto* t = target.load()) t->onIncomingRefer(refer);
  }
  void onInfoOutcome(const core::InfoOutcome& outcome) override {
    if (auto* t = target.load()) t->onInfoOutcome(outcome);
  }
};

class UrlCheck final : public api::HookUrlCheck {
 public:
  explicit UrlCheck(const hooks::UrlPolicy& policy) : policy_(policy) {}
  void check(const std::string& url, bool development) override { policy_.check(url, development); }
  api::CertificateInfo describeCertificate(const std::string& pem) override {
    const tls::CertificateSummary summary = tls::summarizeCertificate(pem);
    return {summary.subject, summary.issuer, summary.fingerprint, summary.notAfterMs};
  }
  void checkKey(const std::string& certificatePem, const std::string& keyPem) override {
    tls::checkPrivateKey(certificatePem, keyPem);
  }

 private:
  const hooks::UrlPolicy& policy_;
};

}  // namespace

struct Runtime::Parts {
  explicit Parts(AppConfig c)
      : config(std::move(c)),
        tlsClient(config.tls),
        pool(std::make_shared<store::ConnectionPool>(config.store.conninfo, config.store.poolSize)),
        apps(pool),
        sessions(pool),
        eventQuery(pool),
        deliveries(pool, config.store.hookRetryPeriodSeconds),
        messages(pool),
        outbox(pool),
        partitions(pool),
        writer(config.store, metrics),
        urlPolicy(config.hooks.allowPrivate),
        connectHook(urlPolicy, tlsClient,
                    std::chrono::seconds(config.hooks.connectHookTimeoutSeconds), {},
                    &hooks::developmentCounter(metrics, "connect")),
        dataHook(urlPolicy, tlsClient, std::chrono::milliseconds(config.bridge.data.hookTimeoutMs),
                 &hooks::developmentCounter(metrics, "data")),
        dataStore(pool),
        callStore(pool),
        dispatcher(config.hooks, outbox, metrics, tlsClient),
        sip(config.sip, relay, messageRelay, subscriptionRelay, callRelay),
        xcapClient(config.xcap.roots.empty()
                       ? nullptr
                       : std::make_unique<xcap::HttpXcapClient>(config.xcap, tlsClient)),
        bridge(config.bridge,
               core::Bridge::Ports{writer, eventQuery, apps, sessions, deliveries, connectHook, sip,
                                   messages, sip, sip, sip, xcapClient.get(), dataHook, dataStore,
                                   callStore},
               metrics),
        urlCheck(urlPolicy),
        api(config.api, bridge, metrics, urlCheck) {
    relay.target = &bridge;
    messageRelay.target = &bridge.messageListener();
    subscriptionRelay.target = &bridge.subscriptionListener();
    callRelay.target = &bridge.callListener();
    writer.addListener(bridge);
    writer.addListener(dispatcher);
  }

  void maintainPartitions(Poco::Util::TimerTask&) {
    try {
      partitions.ensure(config.store.partitionDaysAhead);
      partitions.dropOlderThan(config.store.retentionDays);
    } catch (const std::exception& e) {
      logger().warning("partition maintenance failed, will retry: %s", std::string(e.what()));
    }
  }

  AppConfig config;
  core::Metrics metrics;
  /// Outgoing TLS (hooks, XCAP); owns OpenSSL's initialisation, so it outlives every user.
  tls::TlsClient tlsClient;
  std::shared_ptr<store::ConnectionPool> pool;
  store::PgAppDirectory apps;
  store::PgSessionStore sessions;
  store::PgEventQuery eventQuery;
  store::PgHookDeliveries deliveries;
  store::PgMessageStore messages;
  store::Outbox outbox;
  store::Partitions partitions;
  store::EventWriter writer;
  hooks::UrlPolicy urlPolicy;
  hooks::HttpConnectHook connectHook;
  hooks::HttpDataHook dataHook;
  store::PgDataStore dataStore;
  store::PgCallStore callStore;
  hooks::Dispatcher dispatcher;
  SipListenerRelay relay;
  MessageListenerRelay messageRelay;
  SubscriptionListenerRelay subscriptionRelay;
  CallListenerRelay callRelay;
  sip::SipStack sip;
  std::unique_ptr<xcap::HttpXcapClient> xcapClient;  ///< null when no XCAP root is configured
  core::Bridge bridge;
  UrlCheck urlCheck;
  api::HttpApi api;
  Poco::Util::Timer maintenance;
  bool started = false;
};

Runtime::Runtime(AppConfig config) : parts_(std::make_unique<Parts>(std::move(config))) {}

Runtime::~Runtime() {
  stop();
}

void Runtime::start() {
  Parts& p = *parts_;
  xmlInitParser();  // libxml2's global state, before any thread parses XML
  for (int attempt = 1;; ++attempt) {
    try {
      store::Migrations::apply(*p.pool, p.config.store.schemaDir);
      break;
    } catch (const std::exception& e) {
      if (attempt >= 30) throw;
      logger().warning("database not ready (%s); retrying", std::string(e.what()));
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }
  p.partitions.ensure(p.config.store.partitionDaysAhead);
  for (const auto& app : p.apps.list())
    if (app.development)
      logger().warning(
          "application %s is marked development: its hooks may use plain http and https "
          "certificates are not verified (counted in sipbridge_hook_development_requests_total)",
          app.appKey);
  if (p.config.sip.tls.enabled() && p.config.tls.minVersion != "1.2")
    logger().warning(
        "tls.minVersion is %s, but SIP over TLS (sofia-sip) negotiates TLS 1.2 or later and "
        "cannot be held to %s",
        p.config.tls.minVersion, p.config.tls.minVersion);
  p.maintenance.scheduleAtFixedRate(
      new Poco::Util::TimerTaskAdapter<Parts>(p, &Parts::maintainPartitions), 3600 * 1000L,
      3600 * 1000L);
  p.writer.start();
  p.dispatcher.start();
  p.bridge.start();
  const auto wantedFiles = static_cast<std::uint64_t>(p.config.api.maxConnections) + 1024;
  const auto openFiles = raiseOpenFileLimit(wantedFiles);
  if (openFiles < wantedFiles)
    logger().warning(
        "open-file limit is %s, below http.maxConnections + 1024 (%s): "
        "connections beyond it are refused",
        std::to_string(openFiles), std::to_string(wantedFiles));
  p.api.start();
  p.started = true;
  if (p.config.api.plainEnabled)
    logger().information("sipbridge node %s listening for http on %s:%d", p.config.bridge.nodeId,
                         p.config.api.bindAddress, p.api.port());
  if (p.config.api.tlsEnabled)
    logger().information("sipbridge node %s listening for https on %s:%d", p.config.bridge.nodeId,
                         p.config.api.tlsBindAddress, p.api.tlsPort());
}

void Runtime::stop() {
  Parts& p = *parts_;
  if (!p.started) return;
  p.started = false;
  p.api.stop();
  // Before the writer stops: the Bridge records the outcomes of its last sendData and the
  // end of every session.
  p.bridge.stop();
  // The SIP stack outlives the Bridge in destruction order: from here on its reports go nowhere.
  p.relay.target = nullptr;
  p.messageRelay.target = nullptr;
  p.subscriptionRelay.target = nullptr;
  p.callRelay.target = nullptr;
  p.maintenance.cancel(true);
  p.dispatcher.stop();
  p.writer.stop();
  logger().information("sipbridge node %s stopped", p.config.bridge.nodeId);
}

int Runtime::httpPort() const {
  return parts_->api.port();
}

int Runtime::httpsPort() const {
  return parts_->api.tlsPort();
}

void Runtime::reloadCertificate() {
  parts_->api.reloadCertificate();
}

}  // namespace sipbridge::app
