#include "../support/StoreDatabase.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Outbox.h"
#include "sipbridge/store/Partitions.h"
#include "sipbridge/store/PgAppDirectory.h"
#include "sipbridge/store/PgArray.h"
#include "sipbridge/store/PgEventQuery.h"
#include "sipbridge/store/PgHookDeliveries.h"
#include "sipbridge/store/PgSessionStore.h"
#include "sipbridge/store/StoreError.h"

#include <Poco/File.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <future>
#include <set>
#include <thread>

using namespace sipbridge;
using namespace std::chrono_literals;

namespace {

/// One PostgreSQL and one migrated database for the whole suite.
struct StoreSuite {
  StoreSuite() {
    db = std::make_unique<test::StoreDatabase>("store_test");
    db->config.maxBatch = 100;
  }
  ~StoreSuite() { db.reset(); }
  static inline std::unique_ptr<test::StoreDatabase> db;
};

std::string sql(const std::string& statement) {
  return StoreSuite::db->sql(statement);
}

core::Event makeEvent(const std::string& app, const std::string& session, std::int64_t seq,
                      std::int64_t ms = core::nowMs()) {
  core::Event e;
  e.eventId = core::newUuid();
  e.type = "OnMessageEvent";
  e.nodeId = "node1";
  e.sessionId = session;
  e.appKey = app;
  e.seq = seq;
  e.timestampMs = ms;
  e.fields["id"] = "msg-" + session + "-" + std::to_string(seq);
  e.fields["body"] = std::string("he said \"hi\" \\ {x,y} NULL");
  return e;
}

/// Collects committed batches (writer thread) for the test thread.
struct Collector : core::CommitListener {
  void onCommitted(const std::vector<core::Event>& batch) override {
    std::lock_guard lock(mutex);
    for (const auto& e : batch) events.push_back(e);
    cv.notify_all();
  }
  bool waitFor(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, timeout, [&] { return events.size() >= n; });
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<core::Event> events;
};

void putApp(const std::string& key, const std::string& url, bool disabled = false) {
  store::PgAppDirectory apps(StoreSuite::db->pool);
  core::App app;
  app.appKey = key;
  app.hookUrl = url;
  app.secret = "whsec_c2VjcmV0";
  app.hookDisabled = disabled;
  apps.put(app);
}

/// Writes events through a real EventWriter and waits for their commit.
void writeEvents(const std::vector<core::Event>& events) {
  core::Metrics metrics;
  store::EventWriter writer(StoreSuite::db->config, metrics);
  Collector collector;
  writer.addListener(collector);
  writer.start();
  for (const auto& e : events) writer.append(e, nullptr);
  BOOST_REQUIRE(collector.waitFor(events.size()));
  writer.stop();
}

}  // namespace

/// How many NNN_*.sql migrations the schema directory holds.
std::size_t schemaFileCount() {
  std::vector<std::string> files;
  Poco::File(StoreSuite::db->config.schemaDir).list(files);
  return static_cast<std::size_t>(std::count_if(files.begin(), files.end(), [](const auto& f) {
    return f.size() > 4 && f.substr(f.size() - 4) == ".sql";
  }));
}

BOOST_AUTO_TEST_SUITE(StoreTest, *boost::unit_test::fixture<StoreSuite>())

BOOST_AUTO_TEST_CASE(migrations_are_applied_once) {
  BOOST_TEST(
      store::Migrations::apply(*StoreSuite::db->pool, StoreSuite::db->config.schemaDir).empty());
  BOOST_TEST(sql("SELECT count(*) FROM schema_migrations") ==
             std::to_string(schemaFileCount()) + "\n");
  BOOST_TEST(sql("SELECT min(version) FROM schema_migrations") == "1\n");
  BOOST_TEST(sql("SELECT obj_description('events'::regclass) IS NOT NULL") == "t\n");
}

BOOST_AUTO_TEST_CASE(migrations_from_several_nodes_at_once) {
  std::string conninfo = StoreSuite::db->pg.createDatabase("store_migrate");
  auto run = [&] {
    store::ConnectionPool pool(conninfo, 1);
    return store::Migrations::apply(pool, StoreSuite::db->config.schemaDir).size();
  };
  auto a = std::async(std::launch::async, run);
  auto b = std::async(std::launch::async, run);
  BOOST_TEST(a.get() + b.get() == schemaFileCount());
}

BOOST_AUTO_TEST_CASE(array_literals_round_trip_through_postgresql) {
  std::vector<std::string> values{"", "a,b", "{}", "NULL", R"(q"uo\te)", "é ü", " lead"};
  auto conn = StoreSuite::db->pool->acquire();
  auto r = conn->exec("SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS t(x, i) ORDER BY i",
                      {store::PgArray::text(values)});
  BOOST_REQUIRE_EQUAL(r.rows(), static_cast<int>(values.size()));
  for (int i = 0; i < r.rows(); ++i)
    BOOST_TEST(r.text(i, 0) == values[static_cast<std::size_t>(i)]);
}

BOOST_AUTO_TEST_CASE(writer_commits_events_and_hook_rows_then_notifies) {
  putApp("w_hook", "http://127.0.0.1:1/h");
  putApp("w_nohook", "");
  putApp("w_disabled", "http://127.0.0.1:1/h", true);
  core::Metrics metrics;
  store::EventWriter writer(StoreSuite::db->config, metrics);
  Collector collector;
  writer.addListener(collector);
  writer.start();
  std::atomic<int> callbacks{0};
  std::vector<std::string> apps{"w_hook", "w_nohook", "w_disabled", "w_unknown"};
  for (int i = 0; i < 40; ++i)
    writer.append(makeEvent(apps[i % 4], "w_s" + std::to_string(i % 4), i / 4 + 1),
                  [&](bool ok) { callbacks += ok ? 1 : 1000; });
  BOOST_REQUIRE(collector.waitFor(40));
  // Listeners hear of a batch before its callbacks run: give those a moment.
  for (int i = 0; i < 200 && callbacks.load() < 40; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(callbacks.load() == 40);
  BOOST_TEST(sql("SELECT count(*) FROM events WHERE app_key LIKE 'w\\_%'") == "40\n");
  BOOST_TEST(sql("SELECT app_key || ':' || count(*) FROM hook_deliveries WHERE app_key LIKE "
                 "'w\\_%' GROUP BY app_key") == "w_hook:10\n");
  BOOST_TEST(writer.committedTotal() == 40);
  BOOST_TEST(metrics.render().find("sipbridge_events_committed_total 40") != std::string::npos);
  writer.stop();
}

BOOST_AUTO_TEST_CASE(coalesced_events_are_stored_without_hook_delivery) {
  putApp("q_hook", "http://127.0.0.1:1/h");
  core::Event kept = makeEvent("q_hook", "q_s", 1);
  core::Event quiet = makeEvent("q_hook", "q_s", 2);
  quiet.fields["coalesced"] = true;
  writeEvents({kept, quiet});
  BOOST_TEST(sql("SELECT count(*) FROM events WHERE app_key = 'q_hook'") == "2\n");
  BOOST_TEST(sql("SELECT count(*) FROM hook_deliveries WHERE app_key = 'q_hook'") == "1\n");
  BOOST_TEST(sql("SELECT event_id FROM hook_deliveries WHERE app_key = 'q_hook'") ==
             kept.eventId + "\n");
}

BOOST_AUTO_TEST_CASE(seq_order_per_session_is_preserved_and_readable) {
  std::vector<core::Event> events;
  for (int i = 1; i <= 250; ++i)
    events.push_back(makeEvent("q_app", "q_s" + std::to_string(i % 2), i));
  writeEvents(events);
  store::PgEventQuery query(StoreSuite::db->pool);
  auto got = query.sessionEventsAfter("q_s1", 0, 1000);
  BOOST_REQUIRE_EQUAL(got.size(), 125u);
  for (std::size_t i = 1; i < got.size(); ++i) BOOST_TEST(got[i].seq > got[i - 1].seq);
  BOOST_TEST(got[0].fields["body"].toString() == "he said \"hi\" \\ {x,y} NULL");
  BOOST_TEST(got[0].eventId == events[0].eventId);
  BOOST_TEST(got[0].timestampMs == events[0].timestampMs);
  BOOST_TEST(query.lastSeq("q_s0") == 250);
  BOOST_TEST(query.lastSeq("q_none") == 0);
  BOOST_TEST(query.sessionEventsAfter("q_s0", 240, 10).size() == 5u);
  // Commit order (row_id) follows append order.
  BOOST_TEST(sql("SELECT bool_and(ok) FROM (SELECT seq > lag(seq, 1, 0::bigint) OVER (ORDER BY "
                 "row_id) AS ok FROM events WHERE app_key = 'q_app') t") == "t\n");
}

BOOST_AUTO_TEST_CASE(find_filters_and_pages) {
  std::vector<core::Event> events;
  std::int64_t base = core::nowMs() - 3600 * 1000;
  for (int i = 1; i <= 30; ++i) {
    auto e = makeEvent("f_app", "f_s", i, base + i * 1000);
    e.status = i % 3 == 0 ? "FAILED" : "DELIVERED";
    events.push_back(e);
  }
  events.push_back(makeEvent("f_other", "f_o", 1, base));
  writeEvents(events);
  store::PgEventQuery query(StoreSuite::db->pool);
  core::EventFilter filter;
  filter.appKey = "f_app";
  filter.status = "FAILED";
  BOOST_TEST(query.find(filter).events.size() == 10u);
  filter.status.reset();
  filter.fromMs = base + 5000;
  filter.toMs = base + 10000;
  BOOST_TEST(query.find(filter).events.size() == 5u);
  core::EventFilter byMessage;
  byMessage.messageId = "msg-f_s-7";
  auto found = query.find(byMessage);
  BOOST_REQUIRE_EQUAL(found.events.size(), 1u);
  BOOST_TEST(found.events[0].seq == 7);
  core::EventFilter paging;
  paging.appKey = "f_app";
  paging.limit = 12;
  std::set<std::int64_t> seen;
  for (int pages = 0; pages < 5; ++pages) {
    auto page = query.find(paging);
    for (auto& e : page.events) BOOST_TEST(seen.insert(e.seq).second);
    if (!page.nextCursor) break;
    paging.afterEventRow = page.nextCursor;
  }
  BOOST_TEST(seen.size() == 30u);
}

BOOST_AUTO_TEST_CASE(event_refused_for_content_fails_alone) {
  core::Metrics metrics;
  store::EventWriter writer(StoreSuite::db->config, metrics);
  Collector collector;
  writer.addListener(collector);
  std::vector<int> outcomes(3, -1);
  auto bad = makeEvent("r_app", "r_s", 2);
  bad.eventId = "not-a-uuid";
  writer.append(makeEvent("r_app", "r_s", 1), [&](bool ok) { outcomes[0] = ok; });
  writer.append(bad, [&](bool ok) { outcomes[1] = ok; });
  writer.append(makeEvent("r_app", "r_s", 3), [&](bool ok) { outcomes[2] = ok; });
  writer.start();
  BOOST_REQUIRE(collector.waitFor(2));
  writer.stop();
  BOOST_TEST((outcomes == std::vector<int>{1, 0, 1}));
  BOOST_TEST(writer.accepting());
}

BOOST_AUTO_TEST_CASE(apps_and_sessions) {
  store::PgAppDirectory apps(StoreSuite::db->pool);
  core::App app;
  app.appKey = "a_one";
  app.hookUrl = "http://127.0.0.1:9/x";
  BOOST_TEST(apps.put(app));
  app.connectHook = false;
  BOOST_TEST(!apps.put(app));
  auto got = apps.find("a_one");
  BOOST_REQUIRE(got);
  BOOST_TEST(!got->connectHook);
  BOOST_TEST(got->createdMs > 0);
  BOOST_TEST(!apps.find("a_none"));
  BOOST_TEST(apps.remove("a_one"));
  BOOST_TEST(!apps.remove("a_one"));

  // Session records follow the committed ConnectionStatusEvents (schema/011).
  auto connection = [](const std::string& id, const std::string& node, const std::string& login,
                       std::int64_t seq, const std::string& status, std::int64_t ms) {
    core::Event e = makeEvent("s_app", id, seq, ms);
    e.type = "ConnectionStatusEvent";
    e.status = status;
    e.nodeId = node;
    e.fields.clear();
    e.fields["sipLogin"] = login;
    return e;
  };
  const std::int64_t t = core::nowMs() - 10000;
  writeEvents({connection("s_1", "nodeA", "alice", 1, "PENDING", t + 1000),
               connection("s_2", "nodeA", "bob", 1, "ESTABLISHED", t + 2000),
               connection("s_3", "nodeB", "carol", 1, "PENDING", t + 3000),
               connection("s_1", "nodeA", "alice", 2, "ESTABLISHED", t + 3500),
               connection("s_2", "nodeA", "bob", 2, "DISCONNECTED", t + 5000)});
  store::PgSessionStore sessions(StoreSuite::db->pool);
  auto active = sessions.activeOnNode("nodeA");
  BOOST_REQUIRE_EQUAL(active.size(), 1u);
  BOOST_TEST(active[0].sipLogin == "alice");
  auto all = sessions.list("s_app", false, 10);
  BOOST_REQUIRE_EQUAL(all.size(), 3u);
  BOOST_TEST(all[0].sessionId == "s_3");
  BOOST_TEST(all[1].endedMs == t + 5000);
  BOOST_TEST(sessions.list("s_app", true, 10).size() == 2u);
}

BOOST_AUTO_TEST_CASE(unreachable_database_is_unavailable_fast) {
  auto pool = std::make_shared<store::ConnectionPool>(
      "host=127.0.0.1 port=" + std::to_string(test::freePort()) + " user=postgres", 2);
  auto start = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(pool->acquire(), store::StoreUnavailable);
  store::PgAppDirectory apps(pool);
  BOOST_CHECK_THROW(apps.find("x"), core::Unavailable);
  store::PgEventQuery query(pool);
  BOOST_CHECK_THROW(query.lastSeq("x"), core::Unavailable);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 3s));
}

BOOST_AUTO_TEST_CASE(partitions_are_created_ahead_and_dropped_after_retention) {
  store::Partitions partitions(StoreSuite::db->pool);
  partitions.ensure(3);
  BOOST_TEST(partitions.ensure(3) == 0);
  BOOST_TEST(sql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass AND "
                 "inhrelid::regclass::text LIKE 'events_p%'") == "5\n");
  // An old event lands in the default partition; creating its day moves it out.
  auto old = makeEvent("p_app", "p_s", 1, core::nowMs() - 40LL * 86400 * 1000);
  writeEvents({old});
  BOOST_TEST(sql("SELECT count(*) FROM events_default") == "1\n");
  std::string day =
      sql("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM events "
          "WHERE app_key = 'p_app'");
  BOOST_TEST(partitions.ensureDay(day.substr(0, 10)));
  BOOST_TEST(sql("SELECT count(*) FROM events_default") == "0\n");
  BOOST_TEST(sql("SELECT tableoid::regclass::text LIKE 'events_p%' FROM events WHERE app_key = "
                 "'p_app'") == "t\n");
  // Reporting rows of those days go with them; recent and live ones stay.
  sql("INSERT INTO sessions (session_id, app_key, node_id, state, created_at, ended_at) VALUES "
      "('p_old', 'p_app', 'n1', 'ended', now() - interval '40 days', now() - interval '40 days'),"
      "('p_live', 'p_app', 'n1', 'active', now() - interval '40 days', NULL)");
  sql("INSERT INTO call_legs (session_id, call_id, app_key, node_id, direction, status, "
      "created_at, ended_at) VALUES "
      "('p_old', 'c1', 'p_app', 'n1', 'outgoing', 'FINISH', now() - interval '40 days', "
      "now() - interval '40 days'), "
      "('p_live', 'c2', 'p_app', 'n1', 'outgoing', 'FINISH', now() - interval '2 days', "
      "now() - interval '2 days')");
  sql("INSERT INTO messages (session_id, message_id, direction, app_key, node_id, status, "
      "updated_at) VALUES ('p_old', 'm1', 'outgoing', 'p_app', 'n1', 'ACCEPTED', "
      "now() - interval '40 days')");
  BOOST_TEST(partitions.dropOlderThan(30) == 1);
  BOOST_TEST(sql("SELECT count(*) FROM events WHERE app_key = 'p_app'") == "0\n");
  BOOST_TEST(sql("SELECT string_agg(session_id, ',' ORDER BY session_id) FROM sessions "
                 "WHERE app_key = 'p_app'") == "p_live\n");
  BOOST_TEST(sql("SELECT string_agg(call_id, ',') FROM call_legs WHERE app_key = 'p_app'") ==
             "c2\n");
  BOOST_TEST(sql("SELECT count(*) FROM messages WHERE app_key = 'p_app'") == "0\n");
  BOOST_TEST(partitions.dropOlderThan(30) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
