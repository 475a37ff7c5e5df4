#include "../support/HookReceiver.h"
#include "../support/TestCertificates.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/hooks/AppConcurrency.h"
#include "sipbridge/hooks/Dispatcher.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Outbox.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <future>

using namespace sipbridge;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

hooks::ConcurrencyLimits limits(int initial, int maximum, int growAfter) {
  hooks::ConcurrencyLimits l;
  l.initial = initial;
  l.maximum = maximum;
  l.growAfter = growAfter;
  l.slow = 1000ms;
  return l;
}

/// The most requests that arrived within any `window`: while each answer takes longer
/// than `window`, at most as many requests as were in flight at once.
std::size_t mostWithin(std::vector<test::ReceivedRequest> requests,
                       std::chrono::milliseconds window) {
  std::sort(requests.begin(), requests.end(),
            [](const auto& a, const auto& b) { return a.at < b.at; });
  std::size_t most = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    std::size_t n = 0;
    for (std::size_t j = i; j < requests.size() && requests[j].at - requests[i].at < window; ++j)
      ++n;
    most = std::max(most, n);
  }
  return most;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(HookConcurrency)

BOOST_AUTO_TEST_CASE(fast_successes_raise_the_limit_up_to_the_maximum) {
  hooks::AppConcurrency c(limits(2, 4, 3));
  BOOST_TEST(c.limit("a") == 2);
  for (int i = 0; i < 2; ++i) c.onAnswer("a", 200, 5ms);
  BOOST_TEST(c.limit("a") == 2);
  c.onAnswer("a", 204, 5ms);
  BOOST_TEST(c.limit("a") == 3);
  for (int i = 0; i < 30; ++i) c.onAnswer("a", 200, 5ms);
  BOOST_TEST(c.limit("a") == 4);
  BOOST_TEST(c.limit("b") == 2);
  BOOST_TEST(c.adapted().size() == 1u);
}

BOOST_AUTO_TEST_CASE(trouble_halves_the_limit_down_to_one) {
  hooks::AppConcurrency c(limits(2, 8, 1));
  for (int i = 0; i < 6; ++i) c.onAnswer("a", 200, 1ms);
  BOOST_TEST(c.limit("a") == 8);
  c.onAnswer("a", 503, 1ms);
  BOOST_TEST(c.limit("a") == 4);
  c.onAnswer("a", 429, 1ms);
  BOOST_TEST(c.limit("a") == 2);
  c.onAnswer("a", 0, 1ms);  // timeout or refused
  BOOST_TEST(c.limit("a") == 1);
  c.onAnswer("a", 0, 1ms);
  BOOST_TEST(c.limit("a") == 1);
  c.onAnswer("a", 200, 1000ms);  // slow success
  BOOST_TEST(c.limit("a") == 1);
  c.onAnswer("a", 200, 1ms);
  BOOST_TEST(c.limit("a") == 2);
  // Back at the initial limit: forgotten.
  BOOST_TEST(c.adapted().empty());
}

BOOST_AUTO_TEST_CASE(client_errors_change_nothing) {
  hooks::AppConcurrency c(limits(2, 8, 2));
  c.onAnswer("a", 200, 1ms);
  c.onAnswer("a", 404, 1ms);
  c.onAnswer("a", 302, 1ms);
  BOOST_TEST(c.limit("a") == 2);
  c.onAnswer("a", 200, 1ms);
  BOOST_TEST(c.limit("a") == 3);
}

BOOST_AUTO_TEST_CASE(a_fast_single_application_gets_more_workers_and_loses_them_when_slow) {
  test::PgInstance pg;
  store::StoreConfig storeConfig;
  storeConfig.conninfo = pg.createDatabase("hooks_concurrency");
  storeConfig.schemaDir = test::repoRoot() + "/schema";
  auto pool = std::make_shared<store::ConnectionPool>(storeConfig.conninfo, 8);
  store::Migrations::apply(*pool, storeConfig.schemaDir);
  core::Metrics writerMetrics;
  store::EventWriter writer(storeConfig, writerMetrics);
  writer.start();
  store::Outbox outbox(pool);
  test::HookReceiver receiver;
  pg.psql("INSERT INTO apps (app_key, hook_url, secret, development) VALUES ('one', '" +
              receiver.url("/one") + "', '" + kSecret + "', true)",
          "hooks_concurrency");
  const std::string path = "/one/OnMessageEvent";
  receiver.setReply(path, test::Reply::slow(60));

  hooks::HookConfig config;
  config.workers = 6;
  config.perAppConcurrency = 1;
  config.perAppMaxConcurrency = 4;
  config.perAppGrowAfter = 2;
  config.perAppSlowMs = 300;
  config.timeoutSeconds = 2;
  config.leaseSeconds = 10;
  config.allowPrivate = true;
  config.pollMs = 100;
  core::Metrics metrics;
  hooks::Dispatcher dispatcher(config, outbox, metrics, test::systemTls());

  auto commit = [&](int count) {
    std::vector<std::future<bool>> done;
    for (int i = 0; i < count; ++i) {
      core::Event event;
      event.eventId = core::newUuid();
      event.type = "OnMessageEvent";
      event.nodeId = "node1";
      event.sessionId = "one-session";
      event.appKey = "one";
      event.seq = i + 1;
      event.timestampMs = core::nowMs();
      auto promise = std::make_shared<std::promise<bool>>();
      done.push_back(promise->get_future());
      writer.append(event, [promise](bool ok) { promise->set_value(ok); });
    }
    for (auto& f : done) BOOST_REQUIRE(f.get());
    dispatcher.wake();
  };

  commit(60);
  dispatcher.start();
  BOOST_REQUIRE(receiver.waitFor(60, 10s, path));
  const auto fast = receiver.requests(path);
  // Started at one in flight, grown to the maximum, never past it.
  BOOST_TEST(mostWithin(fast, 50ms) == 4u);

  // Now every answer takes longer than the slow threshold: back to one at a time.
  receiver.clear();
  receiver.setReply(path, test::Reply::slow(400));
  commit(12);
  BOOST_REQUIRE(receiver.waitFor(12, 10s, path));
  const auto slow = receiver.requests(path);
  BOOST_TEST(mostWithin(std::vector<test::ReceivedRequest>(slow.end() - 4, slow.end()), 350ms) ==
             1u);
  receiver.stop();
  dispatcher.stop();
  writer.stop();
}

BOOST_AUTO_TEST_SUITE_END()
