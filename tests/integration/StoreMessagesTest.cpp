#include "../support/TestEnv.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/PgAppDirectory.h"
#include "sipbridge/store/PgArray.h"
#include "sipbridge/store/PgMessageStore.h"
#include "sipbridge/store/StoreError.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

using namespace sipbridge;
using namespace std::chrono_literals;

namespace {

/// One PostgreSQL and one migrated database for the suite; events go through a real
/// EventWriter so the messages trigger runs exactly as in production.
struct MessagesSuite {
  MessagesSuite() {
    pg = std::make_unique<test::PgInstance>();
    config.conninfo = pg->createDatabase("messages_test");
    config.schemaDir = test::repoRoot() + "/schema";
    pool = std::make_shared<store::ConnectionPool>(config.conninfo, 4);
    store::Migrations::apply(*pool, config.schemaDir);
  }
  ~MessagesSuite() {
    pool.reset();
    pg.reset();
  }
  static inline std::unique_ptr<test::PgInstance> pg;
  static inline store::StoreConfig config;
  static inline std::shared_ptr<store::ConnectionPool> pool;
};

/// 2024-03-01T10:00:00Z: far from today, so rows land in the default partition and the
/// reporting day is known.
constexpr std::int64_t kT0 = 1709287200000;

core::MessageRecord outgoing(const std::string& session, const std::string& id,
                             const std::string& app = "msgapp", const std::string& node = "n1",
                             std::int64_t queuedMs = kT0, bool imdn = false) {
  core::MessageRecord m;
  m.sessionId = session;
  m.messageId = id;
  m.appKey = app;
  m.nodeId = node;
  m.peer = "sip:bob@example.test";
  m.contentType = "message/cpim";
  m.imdnMessageIds = {"imdn-" + id, "second \"quoted\", {x}"};
  m.imdnRequested = imdn;
  m.queuedMs = queuedMs;
  return m;
}

core::Event statusEvent(const std::string& session, const std::string& id,
                        const std::string& status, std::int64_t ms,
                        const std::string& app = "msgapp") {
  static std::atomic<std::int64_t> seq{0};
  core::Event e;
  e.eventId = core::newUuid();
  e.type = "MessageStatusEvent";
  e.status = status;
  e.nodeId = "n1";
  e.sessionId = session;
  e.appKey = app;
  e.seq = ++seq;
  e.timestampMs = ms;
  e.fields["id"] = id;
  return e;
}

/// Writes events through a real EventWriter (one batch, in order) and waits until every
/// one of them is committed; fails the test if any is refused.
void commit(const std::vector<core::Event>& events) {
  core::Metrics metrics;
  store::EventWriter writer(MessagesSuite::config, metrics);
  std::mutex mutex;
  std::condition_variable cv;
  int done = 0, ok = 0;
  for (const auto& e : events)
    writer.append(e, [&](bool committed) {
      std::lock_guard lock(mutex);
      ++done;
      ok += committed ? 1 : 0;
      cv.notify_all();
    });
  writer.start();
  {
    std::unique_lock lock(mutex);
    BOOST_REQUIRE(cv.wait_for(lock, 10s, [&] { return done == static_cast<int>(events.size()); }));
  }
  writer.stop();
  BOOST_REQUIRE_EQUAL(ok, static_cast<int>(events.size()));
}

/// The message's status, sip_status, info and transition times (ms since the epoch, 0 when
/// unset), joined with '|'.
std::string state(const std::string& session, const std::string& id,
                  const std::string& direction = "outgoing") {
  auto conn = MessagesSuite::pool->acquire();
  auto r = conn->exec(
      "SELECT status || '|' || coalesce(sip_status::text, '-') || '|' || info || '|' || "
      "concat_ws('|', VARIADIC (SELECT array_agg(coalesce(floor(extract(epoch FROM t) * 1000 - "
      "$4::bigint)::text, '-') ORDER BY i) FROM unnest(ARRAY[accepted_at, failed_at, "
      "received_at, imdn_delivered_at, imdn_failed_at, imdn_sent_at]) WITH ORDINALITY AS "
      "u(t, i))) FROM messages WHERE session_id = $1 AND message_id = $2 AND direction = $3",
      {session, id, direction, std::to_string(kT0)});
  BOOST_REQUIRE_EQUAL(r.rows(), 1);
  return r.text(0, 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(StoreMessagesTest, *boost::unit_test::fixture<MessagesSuite>())

BOOST_AUTO_TEST_CASE(insert_outgoing_refuses_a_duplicate_id_of_the_session) {
  store::PgMessageStore messages(MessagesSuite::pool);
  BOOST_TEST(messages.insertOutgoing(outgoing("s-dup", "m1")));
  auto again = outgoing("s-dup", "m1");
  again.peer = "sip:other@example.test";
  BOOST_TEST(!messages.insertOutgoing(again));
  BOOST_TEST(messages.insertOutgoing(outgoing("s-dup2", "m1")));  // other session: fine
  BOOST_TEST(state("s-dup", "m1") == "QUEUED|-||-|-|-|-|-|-");
  auto conn = MessagesSuite::pool->acquire();
  auto r = conn->exec(
      "SELECT peer, content_type, imdn_message_ids[2], direction FROM messages "
      "WHERE session_id = 's-dup' AND message_id = 'm1'");
  BOOST_TEST(r.text(0, 0) == "sip:bob@example.test");
  BOOST_TEST(r.text(0, 1) == "message/cpim");
  BOOST_TEST(r.text(0, 2) == "second \"quoted\", {x}");
  BOOST_TEST(r.text(0, 3) == "outgoing");
}

BOOST_AUTO_TEST_CASE(accepted_then_imdn_delivered_update_status_and_times) {
  store::PgMessageStore messages(MessagesSuite::pool);
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-acc", "m1")));
  auto accepted = statusEvent("s-acc", "m1", "ACCEPTED", kT0 + 120);
  accepted.fields["sipStatus"] = 202;
  commit({accepted});
  BOOST_TEST(state("s-acc", "m1") == "ACCEPTED|202||120|-|-|-|-|-");
  commit({statusEvent("s-acc", "m1", "IMDN_DELIVERED", kT0 + 1500)});
  BOOST_TEST(state("s-acc", "m1") == "IMDN_DELIVERED|202||120|-|-|1500|-|-");
}

BOOST_AUTO_TEST_CASE(late_accepted_never_downgrades_an_imdn_status) {
  store::PgMessageStore messages(MessagesSuite::pool);
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-late", "m1")));
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-late", "m2")));
  // Separate transactions: IMDN first, ACCEPTED later.
  commit({statusEvent("s-late", "m1", "IMDN_DELIVERED", kT0 + 900)});
  commit({statusEvent("s-late", "m1", "ACCEPTED", kT0 + 300)});
  BOOST_TEST(state("s-late", "m1") == "IMDN_DELIVERED|-||300|-|-|900|-|-");
  // Same batch, IMDN row first.
  commit({statusEvent("s-late", "m2", "IMDN_FAILED", kT0 + 800),
          statusEvent("s-late", "m2", "ACCEPTED", kT0 + 200)});
  BOOST_TEST(state("s-late", "m2") == "IMDN_FAILED|-||200|-|-|-|800|-");
}

BOOST_AUTO_TEST_CASE(failed_records_sip_status_and_info) {
  store::PgMessageStore messages(MessagesSuite::pool);
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-fail", "m1")));
  auto failed = statusEvent("s-fail", "m1", "FAILED", kT0 + 32000);
  failed.fields["sipStatus"] = 408;
  failed.fields["info"] = "Request Timeout";
  commit({failed});
  BOOST_TEST(state("s-fail", "m1") == "FAILED|408|Request Timeout|-|32000|-|-|-|-");
}

BOOST_AUTO_TEST_CASE(odd_payloads_are_committed_and_change_nothing) {
  store::PgMessageStore messages(MessagesSuite::pool);
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-odd", "m1")));
  auto badStatus = statusEvent("s-odd", "m1", "ACCEPTED", kT0 + 10);
  badStatus.fields["sipStatus"] = "two hundred";
  auto noId = statusEvent("s-odd", "", "FAILED", kT0 + 20);
  noId.fields.erase("id");
  auto unknown = statusEvent("s-odd", "m1", "SOMETHING_NEW", kT0 + 30);
  auto otherMessage = statusEvent("s-odd", "nope", "ACCEPTED", kT0 + 40);
  commit({badStatus, noId, unknown, otherMessage});
  BOOST_TEST(state("s-odd", "m1") == "ACCEPTED|-||10|-|-|-|-|-");
  auto conn = MessagesSuite::pool->acquire();
  BOOST_TEST(conn->exec("SELECT count(*) FROM messages WHERE session_id = 's-odd'").int64(0, 0) ==
             1);
}

BOOST_AUTO_TEST_CASE(received_creates_the_incoming_row) {
  store::PgMessageStore messages(MessagesSuite::pool);
  // An outgoing message with the same id in the same session stays separate.
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-in", "same-id")));
  auto received = statusEvent("s-in", "same-id", "RECEIVED", kT0 + 50);
  received.fields["from"] = "sip:carol@example.test";
  received.fields["contentType"] = "message/cpim";
  received.fields["isImdnRequired"] = true;
  commit({received});
  BOOST_TEST(state("s-in", "same-id", "incoming") == "RECEIVED|-||-|-|50|-|-|-");
  BOOST_TEST(state("s-in", "same-id") == "QUEUED|-||-|-|-|-|-|-");
  commit({statusEvent("s-in", "same-id", "IMDN_NOTIFICATION_SENT", kT0 + 70)});
  BOOST_TEST(state("s-in", "same-id", "incoming") == "IMDN_NOTIFICATION_SENT|-||-|-|50|-|-|70");
  BOOST_TEST(state("s-in", "same-id") == "QUEUED|-||-|-|-|-|-|-");
  auto conn = MessagesSuite::pool->acquire();
  auto r = conn->exec(
      "SELECT peer, content_type, imdn_requested, app_key, node_id, queued_at IS NULL "
      "FROM messages WHERE session_id = 's-in' AND direction = 'incoming'");
  BOOST_REQUIRE_EQUAL(r.rows(), 1);
  BOOST_TEST(r.text(0, 0) == "sip:carol@example.test");
  BOOST_TEST(r.text(0, 1) == "message/cpim");
  BOOST_TEST(r.boolean(0, 2));
  BOOST_TEST(r.text(0, 3) == "msgapp");
  BOOST_TEST(r.text(0, 4) == "n1");
  BOOST_TEST(r.boolean(0, 5));
}

BOOST_AUTO_TEST_CASE(views_report_rates_and_latencies) {
  store::PgMessageStore messages(MessagesSuite::pool);
  // Four messages of app "report" on one day: three accepted (after 100, 200, 300 ms), one
  // failed; two asked for IMDN, one of them delivered after 2000 ms. One received.
  for (int i = 1; i <= 4; ++i)
    BOOST_REQUIRE(messages.insertOutgoing(
        outgoing("s-rep", "m" + std::to_string(i), "report", "n1", kT0, i <= 2)));
  std::vector<core::Event> events;
  for (int i = 1; i <= 3; ++i)
    events.push_back(
        statusEvent("s-rep", "m" + std::to_string(i), "ACCEPTED", kT0 + 100 * i, "report"));
  events.push_back(statusEvent("s-rep", "m4", "FAILED", kT0 + 50, "report"));
  events.push_back(statusEvent("s-rep", "m1", "IMDN_DELIVERED", kT0 + 2000, "report"));
  auto in = statusEvent("s-rep", "in1", "RECEIVED", kT0 + 5, "report");
  in.fields["from"] = "sip:dave@example.test";
  events.push_back(in);
  commit(events);

  auto conn = MessagesSuite::pool->acquire();
  auto daily = conn->exec(
      "SELECT day::text, sent, pending, accepted, failed, imdn_requested, imdn_delivered, "
      "imdn_failed, received, acceptance_rate::text, delivery_rate::text "
      "FROM message_delivery_daily WHERE app_key = 'report'");
  BOOST_REQUIRE_EQUAL(daily.rows(), 1);
  BOOST_TEST(daily.text(0, 0) == "2024-03-01");
  BOOST_TEST(daily.int64(0, 1) == 4);
  BOOST_TEST(daily.int64(0, 2) == 0);
  BOOST_TEST(daily.int64(0, 3) == 3);
  BOOST_TEST(daily.int64(0, 4) == 1);
  BOOST_TEST(daily.int64(0, 5) == 2);
  BOOST_TEST(daily.int64(0, 6) == 1);
  BOOST_TEST(daily.int64(0, 7) == 0);
  BOOST_TEST(daily.int64(0, 8) == 1);
  BOOST_TEST(daily.text(0, 9) == "0.7500");
  BOOST_TEST(daily.text(0, 10) == "0.5000");

  auto latency = conn->exec(
      "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY accept_latency_ms), "
      "max(accept_latency_ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY delivery_latency_ms), "
      "percentile_cont(0.5) WITHIN GROUP (ORDER BY accept_latency)::text, count(*) "
      "FROM message_latency WHERE app_key = 'report' AND day = '2024-03-01'");
  BOOST_TEST(latency.text(0, 0) == "200");
  BOOST_TEST(latency.text(0, 1) == "300");
  BOOST_TEST(latency.text(0, 2) == "2000");
  BOOST_TEST(latency.text(0, 3) == "00:00:00.2");
  BOOST_TEST(latency.int64(0, 4) == 4);
}

BOOST_AUTO_TEST_CASE(queued_on_node_lists_only_unanswered_messages_of_the_node) {
  store::PgMessageStore messages(MessagesSuite::pool);
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-q", "a", "msgapp", "node-q", kT0 + 2)));
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-q", "b", "msgapp", "node-q", kT0 + 1)));
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-q", "c", "msgapp", "node-q", kT0 + 3)));
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-q2", "d", "msgapp", "node-other", kT0)));
  commit({statusEvent("s-q", "c", "ACCEPTED", kT0 + 10)});
  const auto queued = messages.queuedOnNode("node-q");
  BOOST_REQUIRE_EQUAL(queued.size(), 2u);
  BOOST_TEST(queued[0].messageId == "b");
  BOOST_TEST(queued[1].messageId == "a");
  BOOST_TEST(queued[0].queuedMs == kT0 + 1);
  BOOST_TEST(queued[0].sessionId == "s-q");
  BOOST_TEST(queued[0].appKey == "msgapp");
  BOOST_TEST(queued[0].peer == "sip:bob@example.test");
  BOOST_TEST(queued[0].contentType == "message/cpim");
  BOOST_REQUIRE_EQUAL(queued[0].imdnMessageIds.size(), 2u);
  BOOST_TEST(queued[0].imdnMessageIds[0] == "imdn-b");
  BOOST_TEST(queued[0].imdnMessageIds[1] == "second \"quoted\", {x}");
  BOOST_TEST(messages.queuedOnNode("node-none").empty());
}

BOOST_AUTO_TEST_CASE(day_partitions_created_later_apply_message_events_too) {
  constexpr std::int64_t kDay = 86400000;
  {
    auto conn = MessagesSuite::pool->acquire();
    BOOST_TEST(conn->exec("SELECT sipbridge_ensure_event_partition('2024-03-05')").boolean(0, 0));
  }
  store::PgMessageStore messages(MessagesSuite::pool);
  BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-part", "m1", "msgapp", "n1", kT0 + 4 * kDay)));
  commit({statusEvent("s-part", "m1", "ACCEPTED", kT0 + 4 * kDay + 40)});
  auto conn = MessagesSuite::pool->acquire();
  BOOST_TEST(
      conn->exec("SELECT count(*) FROM events_p20240305 WHERE session_id = 's-part'").int64(0, 0) ==
      1);
  BOOST_TEST(conn->exec("SELECT status FROM messages WHERE session_id = 's-part'").text(0, 0) ==
             "ACCEPTED");
}

BOOST_AUTO_TEST_CASE(apps_keep_their_imdn_mode) {
  store::PgAppDirectory apps(MessagesSuite::pool);
  core::App app;
  app.appKey = "imdn-app";
  BOOST_TEST(apps.put(app));
  BOOST_TEST(apps.find("imdn-app")->imdnMode == "automatic");
  app.imdnMode = "manual";
  BOOST_TEST(!apps.put(app));
  BOOST_TEST(apps.find("imdn-app")->imdnMode == "manual");
  app.imdnMode = "sometimes";
  BOOST_CHECK_THROW(apps.put(app), store::StoreError);
  BOOST_TEST(apps.find("imdn-app")->imdnMode == "manual");
}

BOOST_AUTO_TEST_CASE(concurrent_inserts_with_duplicates_get_exact_answers) {
  store::PgMessageStore messages(MessagesSuite::pool);
  // Ids taken before the threads start: every thread's attempt at them is refused.
  for (int k = 0; k < 5; ++k)
    BOOST_REQUIRE(messages.insertOutgoing(outgoing("s-conc", "pre-" + std::to_string(k))));
  constexpr int kThreads = 8, kPerThread = 200;
  // Every 10th id of a thread is shared by all threads ("dup-<i>"); every 40th is "pre-<k>".
  auto idOf = [](int t, int i) {
    if (i % 40 == 0) return "pre-" + std::to_string(i / 40);
    if (i % 10 == 0) return "dup-" + std::to_string(i);
    return "t" + std::to_string(t) + "-" + std::to_string(i);
  };
  std::vector<std::vector<char>> answers(kThreads, std::vector<char>(kPerThread, 'x'));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto m = outgoing("s-conc", idOf(t, i));
        m.peer = "sip:t" + std::to_string(t) + "@example.test";
        try {
          answers[t][i] = messages.insertOutgoing(m) ? 'T' : 'F';
        } catch (const std::exception&) {
          answers[t][i] = 'E';
        }
      }
    });
  for (auto& thread : threads) thread.join();

  std::map<std::string, int> winners;           // shared id -> threads answered true
  std::map<std::string, std::string> winnerOf;  // shared id -> peer of the winner
  int errors = 0, ownTrue = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i) {
      const char a = answers[t][i];
      errors += a == 'E' || a == 'x';
      if (i % 40 == 0) {
        BOOST_TEST(a == 'F');
      } else if (i % 10 == 0) {
        if (a == 'T') {
          ++winners[idOf(t, i)];
          winnerOf[idOf(t, i)] = "sip:t" + std::to_string(t) + "@example.test";
        }
      } else {
        ownTrue += a == 'T';
      }
    }
  BOOST_TEST(errors == 0);
  BOOST_TEST(ownTrue == kThreads * (kPerThread - kPerThread / 10));
  BOOST_TEST(winners.size() == 15u);  // multiples of 10 below 200, not of 40
  for (const auto& [id, n] : winners) BOOST_TEST(n == 1, id);

  auto conn = MessagesSuite::pool->acquire();
  BOOST_TEST(conn->exec("SELECT count(*) FROM messages WHERE session_id = 's-conc'").int64(0, 0) ==
             5 + 15 + kThreads * (kPerThread - kPerThread / 10));
  // The row of a shared id is the one whose caller was told true.
  for (const auto& [id, peer] : winnerOf)
    BOOST_TEST(conn->exec("SELECT peer FROM messages WHERE session_id = 's-conc' AND "
                          "message_id = $1",
                          {id})
                   .text(0, 0) == peer);
  BOOST_TEST(state("s-conc", "t3-7") == "QUEUED|-||-|-|-|-|-|-");
}

BOOST_AUTO_TEST_CASE(a_full_queue_is_unavailable) {
  // A lock on the table holds the one writer; one row in flight, two queued, the fourth
  // refused.
  store::MessageBatchConfig batch;
  batch.writers = 1;
  batch.maxBatch = 1;
  batch.queueLimit = 2;
  store::PgMessageStore messages(MessagesSuite::pool, batch);
  auto locker = MessagesSuite::pool->acquire();
  locker->exec("BEGIN");
  locker->exec("LOCK TABLE messages IN EXCLUSIVE MODE");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      try {
        ok += messages.insertOutgoing(outgoing("s-full", "m" + std::to_string(i))) ? 1 : 0;
      } catch (const std::exception&) {
        ok += 100;
      }
    });
    std::this_thread::sleep_for(200ms);
  }
  BOOST_CHECK_THROW(messages.insertOutgoing(outgoing("s-full", "m3")), core::Unavailable);
  locker->exec("COMMIT");
  for (auto& thread : threads) thread.join();
  BOOST_TEST(ok.load() == 3);
  BOOST_TEST(messages.insertOutgoing(outgoing("s-full", "m3")));
}

BOOST_AUTO_TEST_CASE(a_statement_timeout_fails_the_batch_as_unavailable) {
  store::MessageBatchConfig batch;
  batch.statementTimeoutMs = 300;
  store::PgMessageStore messages(MessagesSuite::pool, batch);
  auto locker = MessagesSuite::pool->acquire();
  locker->exec("BEGIN");
  locker->exec("LOCK TABLE messages IN EXCLUSIVE MODE");
  const auto started = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(messages.insertOutgoing(outgoing("s-slow", "m1")), core::Unavailable);
  BOOST_TEST((std::chrono::steady_clock::now() - started) < 3s);
  locker->exec("COMMIT");
  BOOST_TEST(messages.insertOutgoing(outgoing("s-slow", "m1")));
}

BOOST_AUTO_TEST_CASE(database_stopped_during_inserts_is_unavailable_then_recovers) {
  test::PgInstance pg;
  const auto conninfo = pg.createDatabase("messages_outage");
  auto pool = std::make_shared<store::ConnectionPool>(conninfo, 2);
  store::Migrations::apply(*pool, test::repoRoot() + "/schema");
  store::PgMessageStore messages(pool);

  constexpr int kThreads = 4;
  std::atomic<bool> restarted{false}, done{false};
  std::atomic<int> trueAnswers{0}, falseAnswers{0}, unavailable{0}, afterRestart{0}, other{0};
  std::atomic<std::int64_t> slowestMs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; !done; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const bool afterStart = restarted;
        try {
          if (messages.insertOutgoing(
                  outgoing("s-out", std::to_string(t) + "-" + std::to_string(i)))) {
            ++trueAnswers;
            if (afterStart) ++afterRestart;
          } else {
            ++falseAnswers;
          }
        } catch (const core::Unavailable&) {
          ++unavailable;
          std::this_thread::sleep_for(20ms);
        } catch (const std::exception&) {
          ++other;
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
        std::int64_t seen = slowestMs;
        while (ms > seen && !slowestMs.compare_exchange_weak(seen, ms)) {
        }
      }
    });
  auto waitFor = [](const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!condition() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    return condition();
  };
  BOOST_TEST(waitFor([&] { return trueAnswers >= 200; }));
  pg.stop(true);
  BOOST_TEST(waitFor([&] { return unavailable >= 20; }));
  const int trueWhileDown = trueAnswers;
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(trueAnswers.load() <= trueWhileDown + kThreads);  // at most the batch in flight
  pg.start();
  restarted = true;
  BOOST_TEST(waitFor([&] { return afterRestart >= 200; }));
  done = true;
  for (auto& thread : threads) thread.join();

  BOOST_TEST(falseAnswers.load() == 0);
  BOOST_TEST(other.load() == 0);
  BOOST_TEST(slowestMs.load() < 5000);
  // Every true answer is a row; a row may also exist for an answer lost with the connection.
  const auto rows = std::stoll(pg.psql("SELECT count(*) FROM messages", "messages_outage"));
  BOOST_TEST(rows >= trueAnswers.load());
  BOOST_TEST(rows <= trueAnswers.load() + unavailable.load());
  BOOST_TEST_MESSAGE("outage: " << trueAnswers << " inserted, " << unavailable
                                << " unavailable, slowest call " << slowestMs << " ms");
}

BOOST_AUTO_TEST_CASE(group_commit_timing_beside_one_insert_per_transaction) {
  // 8 threads x 400 inserts each way, into separate sessions of the same table.
  constexpr int kThreads = 8, kPerThread = 400;
  auto pool = std::make_shared<store::ConnectionPool>(MessagesSuite::config.conninfo, kThreads);
  auto run = [&](const std::function<bool(const core::MessageRecord&)>& insert,
                 const std::string& session) {
    std::atomic<int> inserted{0};
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i)
          inserted += insert(outgoing(session, std::to_string(t) + "-" + std::to_string(i),
                                      "msgapp", "n1", 0))
                          ? 1
                          : 0;
      });
    for (auto& thread : threads) thread.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(inserted.load() == kThreads * kPerThread);
    return kThreads * kPerThread / seconds;
  };
  // Write transactions in between, from the transaction id counter (this instance only).
  auto xid = [&] {
    return pool->acquire()->exec("SELECT pg_current_xact_id()::text::bigint").int64(0, 0);
  };
  const auto xid0 = xid();
  const double baseline = run(
      [&](const core::MessageRecord& m) {
        auto conn = pool->acquire();
        return conn->exec(
                       "INSERT INTO messages (session_id, message_id, direction, app_key, node_id, "
                       "peer, content_type, imdn_message_ids, imdn_requested, status, queued_at) "
                       "VALUES ($1, $2, 'outgoing', $3, $4, $5, $6, $7::text[], $8::boolean, "
                       "'QUEUED', now()) ON CONFLICT DO NOTHING",
                       {m.sessionId, m.messageId, m.appKey, m.nodeId, m.peer, m.contentType,
                        store::PgArray::text(m.imdnMessageIds), m.imdnRequested ? "true" : "false"})
                   .affected() == 1;
      },
      "s-time-single");
  const auto xid1 = xid();
  store::PgMessageStore messages(pool);
  const double grouped =
      run([&](const core::MessageRecord& m) { return messages.insertOutgoing(m); }, "s-time-group");
  const auto singleTransactions = xid1 - xid0 - 1, groupTransactions = xid() - xid1 - 1;
  std::printf(
      "StoreMessagesTest timing, %d threads x %d inserts: one INSERT per transaction %.0f "
      "rows/s in %lld transactions, group commit %.0f rows/s in %lld transactions\n",
      kThreads, kPerThread, baseline, static_cast<long long>(singleTransactions), grouped,
      static_cast<long long>(groupTransactions));
  // Rows per second depend on what else runs on the machine; the transaction count does not.
  BOOST_TEST(singleTransactions == kThreads * kPerThread);
  BOOST_TEST(groupTransactions < kThreads * kPerThread / 2);
}

BOOST_AUTO_TEST_CASE(database_down_is_unavailable) {
  auto pool = std::make_shared<store::ConnectionPool>(
      "host=127.0.0.1 port=" + std::to_string(test::freePort()) + " dbname=x connect_timeout=1", 1);
  store::PgMessageStore messages(pool);
  BOOST_CHECK_THROW(messages.insertOutgoing(outgoing("s", "m")), core::Unavailable);
  BOOST_CHECK_THROW(messages.queuedOnNode("n1"), core::Unavailable);
}

BOOST_AUTO_TEST_SUITE_END()
