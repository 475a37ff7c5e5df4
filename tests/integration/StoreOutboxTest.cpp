#include "../support/TestEnv.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Outbox.h"
#include "sipbridge/store/PgAppDirectory.h"
#include "sipbridge/store/PgHookDeliveries.h"

#include <boost/test/unit_test.hpp>

#include <future>
#include <map>
#include <set>

using namespace sipbridge;
using namespace std::chrono_literals;

namespace {

/// One PostgreSQL and one migrated database; each case starts with an empty outbox.
struct OutboxSuite {
  OutboxSuite() {
    pg = std::make_unique<test::PgInstance>();
    config.conninfo = pg->createDatabase("store_outbox");
    config.schemaDir = test::repoRoot() + "/schema";
    pool = std::make_shared<store::ConnectionPool>(config.conninfo, 4);
    store::Migrations::apply(*pool, config.schemaDir);
  }
  ~OutboxSuite() {
    pool.reset();
    pg.reset();
  }
  static inline std::unique_ptr<test::PgInstance> pg;
  static inline store::StoreConfig config;
  static inline std::shared_ptr<store::ConnectionPool> pool;
};

std::string sql(const std::string& statement) {
  return OutboxSuite::pg->psql(statement, "store_outbox");
}

struct Counter : core::CommitListener {
  void onCommitted(const std::vector<core::Event>& batch) override {
    std::lock_guard lock(mutex);
    n += batch.size();
    cv.notify_all();
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t n = 0;
};

/// Commits `perApp` events for each application through a real EventWriter.
void commitEvents(const std::vector<std::string>& apps, int perApp) {
  core::Metrics metrics;
  store::EventWriter writer(OutboxSuite::config, metrics);
  Counter counter;
  writer.addListener(counter);
  writer.start();
  int seq = 0;
  for (int i = 0; i < perApp; ++i)
    for (const auto& key : apps) {
      core::Event e;
      e.eventId = core::newUuid();
      e.type = "MessageStatusEvent";
      e.status = "ACCEPTED";
      e.nodeId = "n";
      e.sessionId = key + "-s";
      e.appKey = key;
      e.seq = ++seq;
      e.timestampMs = core::nowMs();
      writer.append(std::move(e), nullptr);
    }
  std::unique_lock lock(counter.mutex);
  BOOST_REQUIRE(counter.cv.wait_for(lock, 10s, [&] { return counter.n == apps.size() * perApp; }));
  lock.unlock();
  writer.stop();
}

/// A fresh outbox with `perApp` committed events for each application (all with hooks).
void seed(const std::vector<std::string>& apps, int perApp) {
  sql("TRUNCATE hook_deliveries; DELETE FROM apps");
  store::PgAppDirectory directory(OutboxSuite::pool);
  for (const auto& key : apps)
    directory.put({key, "http://127.0.0.1:9/" + key, "whsec_x", true, false, 0});
  commitEvents(apps, perApp);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(StoreOutboxTest, *boost::unit_test::fixture<OutboxSuite>())

BOOST_AUTO_TEST_CASE(claim_returns_payload_url_and_leases) {
  seed({"o_a"}, 3);
  store::Outbox outbox(OutboxSuite::pool);
  BOOST_TEST(outbox.msUntilNextDue() == 0);
  auto claimed = outbox.claim(10, 30s, {});
  BOOST_REQUIRE_EQUAL(claimed.size(), 3u);
  BOOST_TEST(claimed[0].hookUrl == "http://127.0.0.1:9/o_a");
  BOOST_TEST(claimed[0].secret == "whsec_x");
  BOOST_TEST(claimed[0].eventType == "MessageStatusEvent");
  BOOST_TEST(claimed[0].attempts == 0);
  BOOST_TEST(claimed[0].payload.find(claimed[0].eventId) != std::string::npos);
  BOOST_TEST(claimed[0].retryUntilMs - claimed[0].createdMs == 86400 * 1000);
  BOOST_TEST(outbox.claim(10, 30s, {}).empty());
  BOOST_TEST(outbox.msUntilNextDue() > 25000);
}

BOOST_AUTO_TEST_CASE(two_threads_never_get_the_same_row) {
  seed({"o_b", "o_c"}, 200);
  store::Outbox outbox(OutboxSuite::pool);
  auto worker = [&] {
    std::vector<std::int64_t> ids;
    for (;;) {
      auto batch = outbox.claim(7, 60s, {});
      if (batch.empty()) return ids;
      for (auto& d : batch) ids.push_back(d.id);
    }
  };
  auto a = std::async(std::launch::async, worker);
  auto b = std::async(std::launch::async, worker);
  auto idsA = a.get();
  auto idsB = b.get();
  std::set<std::int64_t> all(idsA.begin(), idsA.end());
  for (auto id : idsB) BOOST_TEST(all.insert(id).second);
  BOOST_TEST(all.size() == 400u);
  BOOST_TEST(!idsA.empty());
  BOOST_TEST(!idsB.empty());
}

BOOST_AUTO_TEST_CASE(expired_lease_is_claimed_again) {
  seed({"o_d"}, 1);
  store::Outbox outbox(OutboxSuite::pool);
  BOOST_REQUIRE_EQUAL(outbox.claim(5, 1s, {}).size(), 1u);
  BOOST_TEST(outbox.claim(5, 1s, {}).empty());
  std::this_thread::sleep_for(1100ms);
  auto again = outbox.claim(5, 30s, {});
  BOOST_REQUIRE_EQUAL(again.size(), 1u);
  BOOST_TEST(again[0].attempts == 1);
}

BOOST_AUTO_TEST_CASE(excluded_apps_are_skipped) {
  seed({"o_e", "o_f", "o_g"}, 2);
  store::Outbox outbox(OutboxSuite::pool);
  auto claimed = outbox.claim(100, 30s, {"o_e", "o_g"});
  BOOST_REQUIRE_EQUAL(claimed.size(), 2u);
  for (auto& d : claimed) BOOST_TEST(d.appKey == "o_f");
}

BOOST_AUTO_TEST_CASE(marks_retry_dead_delivered_and_replay) {
  seed({"o_h"}, 3);
  store::Outbox outbox(OutboxSuite::pool);
  auto claimed = outbox.claim(3, 30s, {});
  BOOST_REQUIRE_EQUAL(claimed.size(), 3u);
  outbox.markDelivered(claimed[0].id, 204);
  outbox.markRetry(claimed[1].id, core::nowMs() + 60000, 500, "server error");
  outbox.markDead(claimed[2].id, 0, "timeout");
  BOOST_TEST(outbox.claim(3, 30s, {}).empty());
  auto due = outbox.msUntilNextDue();
  BOOST_TEST((due > 55000 && due <= 60000));
  store::PgHookDeliveries deliveries(OutboxSuite::pool, 3600);
  core::DeliveryFilter filter;
  filter.appKey = "o_h";
  auto all = deliveries.find(filter);
  BOOST_REQUIRE_EQUAL(all.size(), 3u);
  std::map<std::int64_t, core::HookDelivery> byId;
  for (auto& d : all) byId[d.id] = d;
  BOOST_TEST(byId[claimed[0].id].state == "delivered");
  BOOST_TEST(byId[claimed[0].id].deliveredMs > 0);
  BOOST_TEST(byId[claimed[1].id].state == "pending");
  BOOST_TEST(byId[claimed[1].id].lastHttpStatus == 500);
  BOOST_TEST(byId[claimed[1].id].lastError == "server error");
  BOOST_TEST(byId[claimed[2].id].state == "dead");
  BOOST_TEST(byId[claimed[2].id].attempts == 1);
  filter.state = "dead";
  BOOST_TEST(deliveries.replay(filter) == 1);
  auto again = outbox.claim(3, 30s, {});
  BOOST_REQUIRE_EQUAL(again.size(), 1u);
  BOOST_TEST(again[0].id == claimed[2].id);
  BOOST_TEST(again[0].attempts == 1);
  filter.state.reset();
  filter.eventId = "not-a-uuid";
  BOOST_TEST(deliveries.find(filter).empty());
}

BOOST_AUTO_TEST_CASE(gone_endpoint_disables_app_and_its_pending_rows) {
  seed({"o_i", "o_j"}, 3);
  store::Outbox outbox(OutboxSuite::pool);
  auto claimed = outbox.claim(1, 30s, {"o_j"});
  BOOST_REQUIRE_EQUAL(claimed.size(), 1u);
  outbox.disableEndpoint(claimed[0].id, "o_i", 410);
  BOOST_TEST(sql("SELECT hook_disabled FROM apps WHERE app_key = 'o_i'") == "t\n");
  BOOST_TEST(sql("SELECT state || ':' || count(*) FROM hook_deliveries WHERE app_key = 'o_i' "
                 "GROUP BY state") == "disabled:3\n");
  BOOST_TEST(sql("SELECT last_http_status FROM hook_deliveries WHERE id = " +
                 std::to_string(claimed[0].id)) == "410\n");
  auto rest = outbox.claim(10, 30s, {});
  BOOST_TEST(rest.size() == 3u);
  for (auto& d : rest) BOOST_TEST(d.appKey == "o_j");
  // New events of a disabled application get no delivery rows.
  commitEvents({"o_i", "o_j"}, 1);
  BOOST_TEST(sql("SELECT app_key || ':' || count(*) FROM hook_deliveries WHERE state = "
                 "'pending' GROUP BY app_key") == "o_j:4\n");
}

BOOST_AUTO_TEST_CASE(claim_per_app_fills_up_to_each_applications_room) {
  seed({"p_a", "p_b", "p_c"}, 5);
  store::Outbox outbox(OutboxSuite::pool);
  // p_a has one in flight already (room 1), p_c is at its cap (room 0).
  auto claimed = outbox.claimPerApp(100, 30s, 2, {{"p_a", 1}, {"p_c", 0}});
  std::map<std::string, int> byApp;
  for (auto& d : claimed) ++byApp[d.appKey];
  BOOST_TEST(byApp["p_a"] == 1);
  BOOST_TEST(byApp["p_b"] == 2);
  BOOST_TEST(byApp.count("p_c") == 0u);
  BOOST_TEST(claimed.size() == 3u);
  // The overall limit takes the oldest due first; leased rows are not claimed twice.
  auto more = outbox.claimPerApp(2, 30s, 5, {});
  BOOST_TEST(more.size() == 2u);
  std::set<std::int64_t> ids;
  for (auto& d : claimed) ids.insert(d.id);
  for (auto& d : more) BOOST_TEST(ids.insert(d.id).second);
  BOOST_TEST(outbox.claimPerApp(100, 30s, 100, {}).size() == 10u);
  BOOST_TEST(outbox.claimPerApp(100, 30s, 100, {}).empty());
}

BOOST_AUTO_TEST_CASE(record_writes_a_batch_of_outcomes_in_one_statement) {
  seed({"p_d"}, 4);
  store::Outbox outbox(OutboxSuite::pool);
  auto claimed = outbox.claimPerApp(4, 30s, 4, {});
  BOOST_REQUIRE_EQUAL(claimed.size(), 4u);
  using Kind = store::AttemptRecord::Kind;
  outbox.record({{claimed[0].id, Kind::Delivered, 200, "ignored", 0},
                 {claimed[1].id, Kind::Retry, 503, "HTTP 503", core::nowMs() + 60000},
                 {claimed[2].id, Kind::Dead, 0, "timeout", 0}});
  const auto id = [&](int i) { return std::to_string(claimed[static_cast<std::size_t>(i)].id); };
  const auto row = [&](int i) {
    return sql(
        "SELECT state || ' ' || coalesce(last_http_status, -1) || ' ' ||"
        " coalesce(last_error, '-') || ' ' || (lease_until IS NULL) FROM hook_deliveries"
        " WHERE id = " +
        id(i));
  };
  BOOST_TEST(row(0) == "delivered 200 - true\n");
  BOOST_TEST(row(1) == "pending 503 HTTP 503 true\n");
  BOOST_TEST(row(2) == "dead 0 timeout true\n");
  BOOST_TEST(row(3) == "pending -1 - false\n");  // not in the batch: still leased
  BOOST_TEST(sql("SELECT next_attempt_at > now() + interval '55 seconds' FROM hook_deliveries"
                 " WHERE id = " +
                 id(1)) == "t\n");
  // A late outcome for a delivery no longer pending changes nothing.
  outbox.record({{claimed[2].id, Kind::Delivered, 200, {}, 0}});
  BOOST_TEST(row(2) == "dead 0 timeout true\n");
  outbox.record({});
}

BOOST_AUTO_TEST_SUITE_END()
