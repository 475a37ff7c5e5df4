#include "../support/EventStore.h"
#include "../support/HookReceiver.h"
#include "../support/TestCertificates.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/hooks/Dispatcher.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Outbox.h"

#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <future>
#include <set>
#include <thread>

using namespace sipbridge;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// One PostgreSQL, one migrated database and one event writer for the suite.
struct Db {
  Db() { store = std::make_unique<test::EventStore>("hooks_test", 12); }
  ~Db() { store.reset(); }
  static inline std::unique_ptr<test::EventStore> store;
};

/// The statement's output without its final newline.
std::string sql(const std::string& statement) {
  return Db::store->sql(statement);
}

/// Each case: empty tables, a receiver, a dispatcher configured for short test times.
struct Fixture {
  Fixture() {
    sql("TRUNCATE hook_deliveries; DELETE FROM events; DELETE FROM apps;");
    config.workers = 4;
    config.perAppConcurrency = 2;
    config.timeoutSeconds = 1;
    config.leaseSeconds = 3;
    config.allowPrivate = true;
    config.pollMs = 100;
    config.retry.baseMs = 100;
    config.retry.capMs = 400;
    config.retry.minDelayMs = 50;
  }
  ~Fixture() {
    receiver.stop();
    dispatcher.reset();
  }

  void addApp(const std::string& app, const std::string& path) {
    sql("INSERT INTO apps (app_key, hook_url, secret, development) VALUES ('" + app + "', '" +
        receiver.url(path) + "', '" + kSecret + "', true)");
  }
  void start() {
    dispatcher = std::make_unique<hooks::Dispatcher>(config, outbox, metrics, test::systemTls(),
                                                     hooks::RetryPolicy::seeded(config.retry, 7));
    dispatcher->start();
  }
  /// Commits `count` events of `app` through the store's writer; returns their ids.
  std::vector<std::string> commit(const std::string& app, int count) {
    std::vector<std::string> ids;
    std::vector<std::future<bool>> done;
    for (int i = 0; i < count; ++i) {
      core::Event event = test::messageEvent(app, app + "-session", "node1", ++seq);
      event.fields["id"] = "m" + std::to_string(seq);
      ids.push_back(event.eventId);
      done.push_back(test::append(Db::store->writer, event));
    }
    for (auto& f : done) BOOST_REQUIRE(f.get());
    if (dispatcher) dispatcher->wake();
    return ids;
  }
  std::string states(const std::string& app) {
    return sql("SELECT string_agg(state, ',' ORDER BY id) FROM hook_deliveries WHERE app_key = '" +
               app + "'");
  }
  /// Polls until `query` prints `expected` or `timeout` passes; returns the last output.
  std::string waitSql(const std::string& query, const std::string& expected,
                      std::chrono::milliseconds timeout = 5s) {
    const auto until = Clock::now() + timeout;
    std::string out;
    while (Clock::now() < until) {
      out = sql(query);
      if (out == expected) break;
      std::this_thread::sleep_for(50ms);
    }
    return out;
  }
  std::int64_t counted(const std::string& outcome) {
    return metrics.counter("sipbridge_hook_deliveries_total", "", "{outcome=\"" + outcome + "\"}")
        .value();
  }

  test::HookReceiver receiver;
  hooks::HookConfig config;
  core::Metrics metrics;
  store::Outbox outbox{Db::store->db.pool};
  std::unique_ptr<hooks::Dispatcher> dispatcher;
  int seq = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(HookDelivery, *boost::unit_test::fixture<Db>())

BOOST_FIXTURE_TEST_CASE(committed_events_are_delivered_signed_to_their_path, Fixture) {
  addApp("shop", "/hooks/shop");
  start();
  const auto ids = commit("shop", 3);
  BOOST_REQUIRE(receiver.waitFor(3, 5s));
  std::set<std::string> seen;
  for (const auto& request : receiver.requests()) {
    BOOST_TEST(request.path == "/hooks/shop/OnMessageEvent");
    BOOST_TEST(request.header("content-type") == "application/json");
    BOOST_TEST(request.header("user-agent") == "sipbridge");
    BOOST_TEST(test::HookReceiver::signatureValid(request, kSecret));
    const auto json = Poco::JSON::Parser().parse(request.body).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(json->getValue<std::string>("eventId") == request.header("webhook-id"));
    BOOST_TEST(json->getValue<std::string>("appKey") == "shop");
    seen.insert(request.header("webhook-id"));
  }
  BOOST_TEST((seen == std::set<std::string>(ids.begin(), ids.end())));
  BOOST_TEST(waitSql("SELECT string_agg(state, ',') FROM hook_deliveries",
                     "delivered,delivered,delivered") == "delivered,delivered,delivered");
  BOOST_TEST(counted("delivered") == 3);
  BOOST_TEST(metrics.render().find("sipbridge_hook_inflight 0") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_500_is_retried_with_the_same_id_and_a_fresh_signature, Fixture) {
  addApp("shop", "/h");
  receiver.setNth("/h/OnMessageEvent", 1, test::Reply::withStatus(500));
  start();
  commit("shop", 1);
  BOOST_REQUIRE(receiver.waitFor(2, 5s));
  const auto requests = receiver.requests();
  BOOST_TEST(requests[0].header("webhook-id") == requests[1].header("webhook-id"));
  BOOST_TEST(test::HookReceiver::signatureValid(requests[0], kSecret));
  BOOST_TEST(test::HookReceiver::signatureValid(requests[1], kSecret));
  BOOST_TEST(waitSql("SELECT state || ' ' || attempts || ' ' || last_http_status "
                     "FROM hook_deliveries",
                     "delivered 2 200") == "delivered 2 200");
  BOOST_TEST(counted("retry") == 1);
  BOOST_TEST(counted("delivered") == 1);
}

BOOST_FIXTURE_TEST_CASE(a_timeout_is_retried, Fixture) {
  addApp("shop", "/h");
  receiver.setNth("/h/OnMessageEvent", 1, test::Reply::slow(2500));
  start();
  commit("shop", 1);
  BOOST_TEST(waitSql("SELECT state || ' ' || attempts FROM hook_deliveries", "delivered 2") ==
             "delivered 2");
  BOOST_TEST(receiver.count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_receiver_down_then_up_gets_the_delivery, Fixture) {
  addApp("shop", "/h");
  receiver.stop();
  start();
  commit("shop", 2);
  // At least two failed attempts each while nothing listens.
  BOOST_TEST(waitSql("SELECT bool_and(attempts >= 2 AND last_http_status = 0 AND state = "
                     "'pending') FROM hook_deliveries",
                     "t") == "t");
  receiver.start();
  BOOST_TEST(waitSql("SELECT string_agg(state, ',') FROM hook_deliveries", "delivered,delivered") ==
             "delivered,delivered");
  BOOST_TEST(receiver.count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_redirect_is_a_failure_and_is_not_followed, Fixture) {
  addApp("shop", "/h");
  receiver.setNth("/h/OnMessageEvent", 1, test::Reply::redirect(receiver.url("/elsewhere")));
  start();
  commit("shop", 1);
  BOOST_TEST(waitSql("SELECT state || ' ' || attempts FROM hook_deliveries", "delivered 2") ==
             "delivered 2");
  BOOST_TEST(receiver.requests("/elsewhere").empty());
  BOOST_TEST(receiver.requests("/h/OnMessageEvent").size() == 2u);
  BOOST_TEST(counted("retry") == 1);
}

BOOST_FIXTURE_TEST_CASE(retry_after_of_a_429_is_honoured, Fixture) {
  addApp("shop", "/h");
  receiver.setNth("/h/OnMessageEvent", 1, test::Reply::tooMany("2"));
  start();
  commit("shop", 1);
  BOOST_REQUIRE(receiver.waitFor(2, 6s));
  const auto requests = receiver.requests();
  const auto gap = requests[1].at - requests[0].at;
  // Without Retry-After the backoff here is at most 400 ms.
  BOOST_TEST((gap >= 1900ms), std::chrono::duration_cast<std::chrono::milliseconds>(gap).count());
  BOOST_TEST((gap < 3500ms));
}

BOOST_FIXTURE_TEST_CASE(a_410_disables_the_application, Fixture) {
  addApp("gone", "/g");
  receiver.setDefault(test::Reply::gone());
  commit("gone", 4);
  start();
  BOOST_TEST(waitSql("SELECT string_agg(state, ',') FROM hook_deliveries",
                     "disabled,disabled,disabled,disabled") ==
             "disabled,disabled,disabled,disabled");
  BOOST_TEST(sql("SELECT hook_disabled FROM apps WHERE app_key = 'gone'") == "t");
  BOOST_TEST(receiver.count() <= 2u);  // at most the per-app cap was in flight
  BOOST_TEST(counted("disabled") >= 1);
  const auto before = receiver.count();
  commit("gone", 1);  // a disabled endpoint gets no new deliveries
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(receiver.count() == before);
}

BOOST_FIXTURE_TEST_CASE(an_exhausted_retry_period_makes_the_delivery_dead, Fixture) {
  addApp("shop", "/h");
  receiver.setDefault(test::Reply::withStatus(500));
  commit("shop", 1);
  sql("UPDATE hook_deliveries SET retry_until = now() + interval '1 second'");
  start();
  BOOST_TEST(waitSql("SELECT state || ' ' || last_http_status || ' ' || last_error "
                     "FROM hook_deliveries",
                     "dead 500 HTTP 500") == "dead 500 HTTP 500");
  BOOST_TEST(counted("dead") == 1);
  BOOST_TEST(receiver.count() >= 2u);
  const auto after = receiver.count();
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(receiver.count() == after);
}

BOOST_FIXTURE_TEST_CASE(a_destination_not_allowed_is_a_failure, Fixture) {
  config.allowPrivate = false;
  addApp("shop", "/h");
  commit("shop", 1);
  start();
  BOOST_TEST(waitSql("SELECT last_error LIKE 'destination not allowed%' FROM hook_deliveries",
                     "t") == "t");
  BOOST_TEST(receiver.count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_slow_endpoint_does_not_delay_other_applications, Fixture) {
  config.timeoutSeconds = 5;
  config.leaseSeconds = 15;
  addApp("slow", "/slow");
  addApp("fast", "/fast");
  receiver.setReply("/slow/OnMessageEvent", test::Reply::slow(3000));
  commit("slow", 6);  // older: first in line
  start();
  BOOST_REQUIRE(receiver.waitFor(2, 2s, "/slow/OnMessageEvent"));
  const auto committed = Clock::now();
  commit("fast", 10);
  BOOST_REQUIRE(receiver.waitFor(10, 3s, "/fast/OnMessageEvent"));
  const auto fast = receiver.requests("/fast/OnMessageEvent");
  const auto last = fast.back().at - committed;
  BOOST_TEST((last < 1000ms), std::chrono::duration_cast<std::chrono::milliseconds>(last).count());
  // The slow application never holds more than its cap of workers.
  BOOST_TEST(receiver.requests("/slow/OnMessageEvent").size() == 2u);
  BOOST_TEST(waitSql("SELECT count(*) FROM hook_deliveries WHERE app_key = 'fast' AND state = "
                     "'delivered'",
                     "10") == "10");
}

BOOST_FIXTURE_TEST_CASE(a_claim_whose_lease_expires_is_delivered_again, Fixture) {
  addApp("shop", "/h");
  commit("shop", 1);
  // A worker that claimed and died: the lease is never recorded nor released.
  BOOST_REQUIRE(outbox.claim(1, 1s, {}).size() == 1u);
  start();
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(receiver.count() == 0u);  // still leased
  BOOST_TEST(waitSql("SELECT state || ' ' || attempts FROM hook_deliveries", "delivered 2") ==
             "delivered 2");
  BOOST_TEST(receiver.count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_database_going_away_loses_nothing, Fixture) {
  addApp("shop", "/h");
  receiver.setDefault(test::Reply::slow(1500));
  config.leaseSeconds = 20;
  start();
  commit("shop", 2);
  BOOST_REQUIRE(receiver.waitFor(2, 3s));
  Db::store->db.pg.stop(true);  // the outcomes cannot be recorded now
  std::this_thread::sleep_for(2500ms);
  Db::store->db.pg.start();
  receiver.setDefault(test::Reply::ok());
  BOOST_TEST(waitSql("SELECT string_agg(state, ',') FROM hook_deliveries", "delivered,delivered",
                     15s) == "delivered,delivered");
  commit("shop", 1);
  BOOST_TEST(receiver.waitFor(3, 5s));
}

BOOST_AUTO_TEST_SUITE_END()
