#include "../support/StoreDatabase.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/PgAppDirectory.h"
#include "sipbridge/store/StoreError.h"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace sipbridge;
using namespace std::chrono_literals;

namespace {

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

core::Event event(std::int64_t seq) {
  core::Event e;
  e.eventId = core::newUuid();
  e.type = "OnMessageEvent";
  e.nodeId = "n";
  e.sessionId = "outage-s";
  e.appKey = "outage";
  e.seq = seq;
  e.timestampMs = core::nowMs();
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(StoreOutageTest)

BOOST_AUTO_TEST_CASE(events_appended_while_database_is_down_are_all_committed_once) {
  test::StoreDatabase db("store_outage", 2);
  test::PgInstance& pg = db.pg;
  store::StoreConfig& config = db.config;
  config.maxBatch = 50;
  const auto& pool = db.pool;
  store::PgAppDirectory(pool).put({"outage", "http://127.0.0.1:9/h", "whsec_x", true, false, 0});

  core::Metrics metrics;
  store::EventWriter writer(config, metrics);
  writer.start();
  std::atomic<int> ok{0}, failed{0};
  auto done = [&](bool committed) { (committed ? ok : failed)++; };
  std::int64_t seq = 0;
  for (; seq < 100; ++seq) writer.append(event(seq + 1), done);
  BOOST_REQUIRE(waitUntil([&] { return ok == 100; }, 10s));

  pg.stop(true);
  for (; seq < 300; ++seq) writer.append(event(seq + 1), done);
  BOOST_TEST(waitUntil([&] { return !writer.accepting(); }, 5s));
  BOOST_TEST(metrics.render().find("sipbridge_store_available 0") != std::string::npos);
  BOOST_TEST(ok.load() == 100);
  // A pool query fails fast too, and the pool recovers after the restart.
  BOOST_CHECK_THROW(pool->acquire()->exec("SELECT 1"), store::StoreUnavailable);

  pg.start();
  BOOST_TEST(waitUntil([&] { return ok == 300; }, 15s));
  BOOST_TEST(writer.accepting());
  BOOST_TEST(failed.load() == 0);
  writer.stop();
  BOOST_TEST(pg.psql("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM events",
                     "store_outage") == "300|300|1|300\n");
  BOOST_TEST(pg.psql("SELECT count(*), count(DISTINCT event_id) FROM hook_deliveries",
                     "store_outage") == "300|300\n");
  BOOST_TEST(pool->acquire()->exec("SELECT 1").int64(0, 0) == 1);
}

BOOST_AUTO_TEST_CASE(queue_above_limit_refuses_new_work_and_stop_fails_the_rest) {
  store::StoreConfig config;
  config.conninfo = "host=127.0.0.1 port=" + std::to_string(test::freePort()) + " user=postgres";
  config.queueLimit = 10;
  config.stopDrainMs = 300;
  core::Metrics metrics;
  store::EventWriter writer(config, metrics);
  BOOST_TEST(writer.accepting());
  std::atomic<int> failed{0};
  for (int i = 0; i < 11; ++i) writer.append(event(i + 1), [&](bool ok) { failed += !ok; });
  BOOST_TEST(!writer.accepting());
  BOOST_TEST(writer.queueDepth() == 11u);
  writer.start();
  auto start = std::chrono::steady_clock::now();
  writer.stop();
  BOOST_TEST((std::chrono::steady_clock::now() - start < 3s));
  BOOST_TEST(failed.load() == 11);
}

BOOST_AUTO_TEST_SUITE_END()
