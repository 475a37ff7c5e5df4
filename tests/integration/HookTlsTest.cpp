#include "../support/EventStore.h"
#include "../support/HookReceiver.h"
#include "../support/TestCertificates.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/hooks/Dispatcher.h"
#include "sipbridge/hooks/HttpConnectHook.h"
#include "sipbridge/hooks/HttpDataHook.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Outbox.h"
#include "sipbridge/store/PgAppDirectory.h"
#include "sipbridge/tls/TlsClient.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <future>
#include <thread>

using namespace sipbridge;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// One PostgreSQL, a migrated database, an event writer, a test CA and a TLS client that
/// trusts it (besides the system store) for the suite.
struct Env {
  Env() {
    store = std::make_unique<test::EventStore>("hooks_tls_test", 8);
    ca = std::make_unique<test::TestCa>();
    tls::TlsConfig tlsConfig;
    tlsConfig.caFile = ca->caFile();
    tlsClient = std::make_unique<tls::TlsClient>(tlsConfig);
    trusted = ca->server("receiver", {"IP:127.0.0.1", "DNS:hooks.example.test"});
  }
  ~Env() {
    tlsClient.reset();
    store.reset();
  }
  static inline std::unique_ptr<test::EventStore> store;
  static inline std::unique_ptr<test::TestCa> ca;
  static inline std::unique_ptr<tls::TlsClient> tlsClient;
  static inline test::IssuedCertificate trusted;
};

std::string sql(const std::string& statement) {
  return Env::store->sql(statement);
}

/// `a` presenting a client certificate the suite's CA issued to `commonName`.
core::App withClientCertificate(core::App a, const std::string& commonName) {
  const auto client = Env::ca->client(commonName);
  a.clientCertificate = client.certPem;
  a.clientKey = client.keyPem;
  return a;
}

test::ReceiverTls serving(const test::IssuedCertificate& cert) {
  return {cert.certFile, cert.keyFile, {}, false};
}

core::App app(const std::string& key, const std::string& url) {
  core::App a;
  a.appKey = key;
  a.hookUrl = url;
  a.secret = kSecret;
  return a;
}

/// Each case: empty tables and a dispatcher for short test times.
struct Fixture {
  Fixture() {
    sql("TRUNCATE hook_deliveries; DELETE FROM events; DELETE FROM apps;");
    config.workers = 4;
    config.timeoutSeconds = 2;
    config.leaseSeconds = 5;
    config.allowPrivate = true;
    config.pollMs = 100;
    config.retry.baseMs = 100;
    config.retry.capMs = 300;
    config.retry.minDelayMs = 50;
  }
  ~Fixture() { dispatcher.reset(); }

  void put(const core::App& a) { store::PgAppDirectory(Env::store->db.pool).put(a); }
  void start() {
    dispatcher = std::make_unique<hooks::Dispatcher>(config, outbox, metrics, *Env::tlsClient,
                                                     hooks::RetryPolicy::seeded(config.retry, 7));
    dispatcher->start();
  }
  void commit(const std::string& appKey, int count) {
    std::vector<std::future<bool>> done;
    for (int i = 0; i < count; ++i) {
      done.push_back(test::append(Env::store->writer,
                                  test::messageEvent(appKey, appKey + "-session", "node1", ++seq)));
    }
    for (auto& f : done) BOOST_REQUIRE(f.get());
    if (dispatcher) dispatcher->wake();
  }
  std::string waitSql(const std::string& query, const std::string& expected,
                      std::chrono::milliseconds timeout = 10s) {
    const auto until = Clock::now() + timeout;
    std::string out;
    while (Clock::now() < until) {
      out = sql(query);
      if (out == expected) break;
      std::this_thread::sleep_for(50ms);
    }
    return out;
  }
  std::string lastError(const std::string& appKey) {
    return sql("SELECT last_error FROM hook_deliveries WHERE app_key = '" + appKey + "'");
  }

  hooks::HookConfig config;
  core::Metrics metrics;
  store::Outbox outbox{Env::store->db.pool};
  std::unique_ptr<hooks::Dispatcher> dispatcher;
  int seq = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(HookTls, *boost::unit_test::fixture<Env>())

BOOST_FIXTURE_TEST_CASE(deliveries_over_https_are_signed_and_verified, Fixture) {
  test::HookReceiver receiver(serving(Env::trusted));
  put(app("shop", receiver.url("/hooks")));
  start();
  commit("shop", 3);
  BOOST_REQUIRE(receiver.waitFor(3, 10s));
  for (const auto& request : receiver.requests()) {
    BOOST_TEST(request.path == "/hooks/OnMessageEvent");
    BOOST_TEST(test::HookReceiver::signatureValid(request, kSecret));
  }
  BOOST_TEST(waitSql("SELECT string_agg(state, ',') FROM hook_deliveries",
                     "delivered,delivered,delivered") == "delivered,delivered,delivered");
  BOOST_TEST(metrics.counter("sipbridge_hook_development_requests_total", "", "{hook=\"event\"}")
                 .value() == 0);
}

BOOST_FIXTURE_TEST_CASE(untrusted_expired_and_wrong_host_receivers_get_nothing_and_say_why,
                        Fixture) {
  test::TestCa stranger("stranger CA");
  test::HookReceiver untrusted(serving(stranger.server("untrusted", {"IP:127.0.0.1"})));
  test::HookReceiver expired(serving(Env::ca->server("expired", {"IP:127.0.0.1"}, true)));
  test::HookReceiver wrongHost(serving(Env::ca->server("elsewhere", {"DNS:elsewhere.test"})));
  put(app("untrusted", untrusted.url("/h")));
  put(app("expired", expired.url("/h")));
  put(app("wronghost", wrongHost.url("/h")));
  for (const char* key : {"untrusted", "expired", "wronghost"}) commit(key, 1);
  sql("UPDATE hook_deliveries SET retry_until = now() + interval '2 seconds'");
  start();
  BOOST_TEST(waitSql("SELECT string_agg(state || ' ' || (attempts >= 2)::text, ',')"
                     " FROM hook_deliveries",
                     "dead true,dead true,dead true") == "dead true,dead true,dead true");
  BOOST_TEST(
      lastError("untrusted").find("unable to get local issuer certificate") != std::string::npos,
      lastError("untrusted"));
  BOOST_TEST(lastError("expired").find("certificate has expired") != std::string::npos,
             lastError("expired"));
  BOOST_TEST(lastError("wronghost").find("not valid for host '127.0.0.1'") != std::string::npos,
             lastError("wronghost"));
  BOOST_TEST(untrusted.count() == 0u);
  BOOST_TEST(expired.count() == 0u);
  BOOST_TEST(wrongHost.count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_receiver_requiring_a_client_certificate_gets_the_applications_own,
                        Fixture) {
  test::ReceiverTls mutual = serving(Env::trusted);
  mutual.clientCaFile = Env::ca->caFile();
  mutual.requireClientCertificate = true;
  test::HookReceiver receiver(mutual);
  put(withClientCertificate(app("withcert", receiver.url("/with")), "shop-client"));
  put(app("nocert", receiver.url("/without")));
  start();
  commit("withcert", 2);
  commit("nocert", 1);
  BOOST_REQUIRE(receiver.waitFor(2, 10s, "/with/OnMessageEvent"));
  for (const auto& request : receiver.requests()) {
    BOOST_TEST(request.path == "/with/OnMessageEvent");
    BOOST_TEST(request.clientCommonName == "shop-client");
  }
  BOOST_TEST(waitSql("SELECT attempts >= 1 AND last_error <> '' FROM hook_deliveries"
                     " WHERE app_key = 'nocert'",
                     "t") == "t");
  BOOST_TEST(sql("SELECT state FROM hook_deliveries WHERE app_key = 'nocert'") == "pending");
  BOOST_TEST(receiver.requests("/without/OnMessageEvent").empty());
}

BOOST_FIXTURE_TEST_CASE(kept_connections_are_never_shared_between_client_certificates, Fixture) {
  test::ReceiverTls optional = serving(Env::trusted);
  optional.clientCaFile = Env::ca->caFile();
  test::HookReceiver receiver(optional);
  put(withClientCertificate(app("alpha", receiver.url("/alpha")), "alpha-client"));
  put(app("beta", receiver.url("/beta")));
  start();
  for (int round = 0; round < 4; ++round) {
    commit("alpha", 3);
    commit("beta", 3);
  }
  BOOST_REQUIRE(receiver.waitFor(24, 15s));
  for (const auto& request : receiver.requests()) {
    const bool isAlpha = request.path == "/alpha/OnMessageEvent";
    BOOST_TEST(request.clientCommonName == (isAlpha ? "alpha-client" : ""), request.path);
  }
}

BOOST_FIXTURE_TEST_CASE(a_development_application_may_use_http_and_unverified_https_counted,
                        Fixture) {
  test::TestCa stranger("stranger CA");
  test::HookReceiver unverified(serving(stranger.server("self", {"IP:127.0.0.1"})));
  test::HookReceiver plain;
  core::App dev = app("dev", unverified.url("/dev"));
  dev.development = true;
  put(dev);
  core::App devPlain = app("devplain", plain.url("/plain"));
  devPlain.development = true;
  put(devPlain);
  put(app("prodplain", plain.url("/prod")));
  start();
  commit("dev", 1);
  commit("devplain", 1);
  commit("prodplain", 1);
  BOOST_REQUIRE(unverified.waitFor(1, 10s));
  BOOST_REQUIRE(plain.waitFor(1, 10s, "/plain/OnMessageEvent"));
  BOOST_TEST(waitSql("SELECT last_error LIKE 'destination not allowed%https%development%'"
                     " FROM hook_deliveries WHERE app_key = 'prodplain'",
                     "t") == "t");
  BOOST_TEST(plain.requests("/prod/OnMessageEvent").empty());
  BOOST_TEST(metrics.counter("sipbridge_hook_development_requests_total", "", "{hook=\"event\"}")
                 .value() >= 2);
}

BOOST_AUTO_TEST_CASE(connect_and_data_hooks_go_over_https) {
  test::HookReceiver receiver(serving(Env::trusted));
  receiver.setReply("/b/connect", test::Reply::ok(R"({"sipLogin":"carol"})"));
  hooks::UrlPolicy policy(true);
  core::Metrics metrics;
  hooks::HttpConnectHook connect(policy, *Env::tlsClient, 2s);
  const auto decision = connect.ask(app("shop", receiver.url("/b")), "{}");
  BOOST_TEST(decision.accepted, decision.info);
  BOOST_REQUIRE(decision.overrides);
  BOOST_TEST(decision.overrides->getValue<std::string>("sipLogin") == "carol");

  hooks::HttpDataHook data(policy, *Env::tlsClient, 2s);
  const auto posted = data.post(app("shop", receiver.url("/b")), R"({"x":1})", "evt-1");
  BOOST_TEST(posted.status == 200, posted.error);
  const auto requests = receiver.requests("/b/OnDataEvent");
  BOOST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(test::HookReceiver::signatureValid(requests.front(), kSecret));

  test::HookReceiver expired(serving(Env::ca->server("old", {"IP:127.0.0.1"}, true)));
  const auto refused = connect.ask(app("shop", expired.url("/b")), "{}");
  BOOST_TEST(!refused.accepted);
  BOOST_TEST(refused.info.find("certificate has expired") != std::string::npos, refused.info);
  const auto failed = data.post(app("shop", expired.url("/b")), "{}", "evt-2");
  BOOST_TEST(failed.status == 0);
  BOOST_TEST(failed.error.find("certificate has expired") != std::string::npos, failed.error);
  BOOST_TEST(expired.count() == 0u);
}

BOOST_AUTO_TEST_CASE(the_url_host_is_sent_as_sni_and_checked_but_never_looked_up) {
  // hooks.example.test is in no DNS: the connection reaches the address given, and the
  // certificate must name the host of the URL.
  test::HookReceiver receiver(serving(Env::trusted));
  const Poco::Net::SocketAddress address("127.0.0.1", static_cast<Poco::UInt16>(receiver.port()));
  auto exchange = [&](const std::string& host) {
    auto session = Env::tlsClient->session(address, host, {}, true);
    session->setTimeout(Poco::Timespan(2, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/sni",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(host, address.port());
    request.setContentLength(0);
    Env::tlsClient->takeRefusal();
    try {
      session->sendRequest(request);
      Poco::Net::HTTPResponse response;
      std::string body;
      Poco::StreamCopier::copyToString(session->receiveResponse(response), body);
      return std::to_string(static_cast<int>(response.getStatus()));
    } catch (const Poco::Exception& e) {
      return Env::tlsClient->takeRefusal() + " / " + e.displayText();
    }
  };
  BOOST_TEST(exchange("hooks.example.test") == "200");
  BOOST_TEST(receiver.requests().front().header("host") ==
             "hooks.example.test:" + std::to_string(receiver.port()));
  const std::string other = exchange("other.example.test");
  BOOST_TEST(other.find("not valid for host 'other.example.test'") != std::string::npos, other);
  BOOST_TEST(receiver.count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
