// The call_legs trigger and the calls views against a real PostgreSQL: events go through a
// real EventWriter so the trigger runs exactly as in production.
#include "../support/StoreDatabase.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

using namespace sipbridge;
using namespace std::chrono_literals;

namespace {

struct CallsSuite {
  CallsSuite() { db = std::make_unique<test::StoreDatabase>("calls_test", 2); }
  ~CallsSuite() { db.reset(); }
  static inline std::unique_ptr<test::StoreDatabase> db;
};

/// 2024-03-01T10:00:00Z: rows land in the default partition and the reporting day is known.
constexpr std::int64_t kT0 = 1709287200000;

core::Event callEvent(const std::string& session, const std::string& callId,
                      const std::string& status, std::int64_t ms,
                      const std::string& app = "callapp") {
  static std::atomic<std::int64_t> seq{0};
  core::Event e;
  e.eventId = core::newUuid();
  e.type = status.empty() ? "OnCallEvent" : "CallStatusEvent";
  e.status = status;
  e.nodeId = "n1";
  e.sessionId = session;
  e.appKey = app;
  e.seq = ++seq;
  e.timestampMs = ms;
  e.fields["callId"] = callId;
  e.fields["caller"] = "sip:alice@example.test";
  e.fields["callee"] = "sip:bob@example.test";
  e.fields["visibleName"] = "Alice";
  e.fields["hasVideo"] = false;
  e.fields["incoming"] = status.empty();
  return e;
}

core::Event withSip(core::Event e, const std::string& sipCallId, int sipStatus = 0,
                    const std::string& info = "") {
  e.fields["sipCallId"] = sipCallId;
  if (sipStatus > 0) e.fields["sipStatus"] = sipStatus;
  if (!info.empty()) e.fields["info"] = info;
  return e;
}

/// Commits `events` through a real EventWriter, in order; fails if any is refused.
void commit(const std::vector<core::Event>& events) {
  core::Metrics metrics;
  store::EventWriter writer(CallsSuite::db->config, metrics);
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

/// One line per leg of the session's call, oldest first: direction, status, final_status,
/// sip_status, sip_call_id, info, then created/ringing/established/ended in ms after kT0.
std::vector<std::string> legs(const std::string& session, const std::string& callId) {
  auto conn = CallsSuite::db->pool->acquire();
  auto r = conn->exec(
      "SELECT concat_ws('|', direction, status, coalesce(final_status, '-'), "
      "coalesce(sip_status::text, '-'), coalesce(sip_call_id, '-'), info) || '|' || "
      "concat_ws('|', VARIADIC (SELECT array_agg(coalesce(floor(extract(epoch FROM t) * 1000 - "
      "$3::bigint)"
      "::text, '-') ORDER BY i) FROM unnest(ARRAY[created_at, ringing_at, established_at, "
      "ended_at]) WITH ORDINALITY AS u(t, i))) FROM call_legs "
      "WHERE session_id = $1 AND call_id = $2 ORDER BY leg_id",
      {session, callId, std::to_string(kT0)});
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(StoreCallsTest, *boost::unit_test::fixture<CallsSuite>())

BOOST_AUTO_TEST_CASE(outgoing_call_is_followed_from_trying_to_finish) {
  commit({callEvent("s-out", "c1", "TRYING", kT0)});
  BOOST_TEST(legs("s-out", "c1") == Strings{"outgoing|TRYING|-|-|-||0|-|-|-"});
  commit({withSip(callEvent("s-out", "c1", "RING", kT0 + 100), "sc-1", 180),
          withSip(callEvent("s-out", "c1", "SESSION_PROGRESS", kT0 + 150), "sc-1", 183),
          withSip(callEvent("s-out", "c1", "ESTABLISHED", kT0 + 2000), "sc-1", 200)});
  BOOST_TEST(legs("s-out", "c1") == Strings{"outgoing|ESTABLISHED|-|200|sc-1||0|100|2000|-"});
  commit({withSip(callEvent("s-out", "c1", "HOLD", kT0 + 3000), "sc-1", 200, "held"),
          withSip(callEvent("s-out", "c1", "FINISH", kT0 + 12000), "sc-1", 0,
                  "hung up by the far end")});
  BOOST_TEST(legs("s-out", "c1") ==
             Strings{"outgoing|FINISH|FINISH|200|sc-1|hung up by the far end|0|100|2000|12000"});
  auto conn = CallsSuite::db->pool->acquire();
  auto r = conn->exec(
      "SELECT outcome, duration_seconds::text, leg_count, jsonb_array_length(legs), "
      "legs -> 0 ->> 'callId', app_key FROM calls WHERE call_key = 'sc-1#1'");
  BOOST_REQUIRE_EQUAL(r.rows(), 1);
  BOOST_TEST(r.text(0, 0) == "answered");
  BOOST_TEST(r.text(0, 1) == "10");
  BOOST_TEST(r.int64(0, 2) == 1);
  BOOST_TEST(r.int64(0, 3) == 1);
  BOOST_TEST(r.text(0, 4) == "c1");
  BOOST_TEST(r.text(0, 5) == "callapp");
}

BOOST_AUTO_TEST_CASE(busy_and_failed_close_the_leg_with_their_status) {
  commit({callEvent("s-busy", "c1", "TRYING", kT0),
          withSip(callEvent("s-busy", "c1", "BUSY", kT0 + 300), "sc-busy", 486, "486 Busy Here"),
          callEvent("s-busy", "c2", "TRYING", kT0),
          withSip(callEvent("s-busy", "c2", "FAILED", kT0 + 60000), "sc-fail", 408,
                  "408 Request Timeout")});
  BOOST_TEST(legs("s-busy", "c1") ==
             Strings{"outgoing|BUSY|BUSY|486|sc-busy|486 Busy Here|0|-|-|300"});
  BOOST_TEST(legs("s-busy", "c2") ==
             Strings{"outgoing|FAILED|FAILED|408|sc-fail|408 Request Timeout|0|-|-|60000"});
  auto conn = CallsSuite::db->pool->acquire();
  auto r = conn->exec(
      "SELECT call_key, outcome, duration_seconds IS NULL FROM calls "
      "WHERE call_key IN ('sc-busy#1', 'sc-fail#1') ORDER BY call_key");
  BOOST_REQUIRE_EQUAL(r.rows(), 2);
  BOOST_TEST(r.text(0, 1) == "busy");
  BOOST_TEST(r.text(1, 1) == "failed");
  BOOST_TEST(r.boolean(0, 2));
}

BOOST_AUTO_TEST_CASE(a_call_between_two_sessions_is_one_call_with_two_legs) {
  auto incoming = withSip(callEvent("s-callee", "in-1", "", kT0 + 50), "sc-both");
  incoming.fields["sipMessageRaw"] = "INVITE sip:x@127.0.0.1 SIP/2.0";
  commit({callEvent("s-caller", "c1", "TRYING", kT0), incoming,
          withSip(callEvent("s-callee", "in-1", "RING", kT0 + 50), "sc-both", 180),
          withSip(callEvent("s-caller", "c1", "RING", kT0 + 60), "sc-both", 180)});
  BOOST_TEST(legs("s-callee", "in-1") == Strings{"incoming|RING|-|180|sc-both||50|50|-|-"});
  auto conn = CallsSuite::db->pool->acquire();
  BOOST_TEST(conn->exec("SELECT outcome FROM calls WHERE call_key = 'sc-both#1'").text(0, 0) ==
             "in_progress");
  commit({withSip(callEvent("s-callee", "in-1", "ESTABLISHED", kT0 + 1000), "sc-both"),
          withSip(callEvent("s-caller", "c1", "ESTABLISHED", kT0 + 1010), "sc-both", 200),
          withSip(callEvent("s-caller", "c1", "FINISH", kT0 + 5000), "sc-both"),
          withSip(callEvent("s-callee", "in-1", "FINISH", kT0 + 5020), "sc-both")});
  auto r = conn->exec(
      "SELECT leg_count, outcome, duration_seconds::text, "
      "legs -> 0 ->> 'direction', legs -> 1 ->> 'direction', legs -> 1 ->> 'sessionId', "
      "caller FROM calls WHERE call_key = 'sc-both#1'");
  BOOST_REQUIRE_EQUAL(r.rows(), 1);
  BOOST_TEST(r.int64(0, 0) == 2);
  BOOST_TEST(r.text(0, 1) == "answered");
  BOOST_TEST(r.text(0, 2) == "4.02");  // first answer to last end
  BOOST_TEST(r.text(0, 3) == "outgoing");
  BOOST_TEST(r.text(0, 4) == "incoming");
  BOOST_TEST(r.text(0, 5) == "s-callee");
  BOOST_TEST(r.text(0, 6) == "sip:alice@example.test");
}

BOOST_AUTO_TEST_CASE(a_call_id_reused_after_the_end_opens_a_new_leg) {
  auto transferred = callEvent("s-reuse", "c1", "TRYING", kT0 + 100);
  transferred.fields["transferredFrom"] = "c0";
  transferred.fields["hasVideo"] = true;
  commit({callEvent("s-reuse", "c1", "TRYING", kT0),
          withSip(callEvent("s-reuse", "c1", "FINISH", kT0 + 10), "sc-r1", 487), transferred,
          callEvent("s-reuse", "c1", "TRYING", kT0 + 200)});  // duplicate open: ignored
  BOOST_TEST(legs("s-reuse", "c1") == (Strings{"outgoing|FINISH|FINISH|487|sc-r1||0|-|-|10",
                                               "outgoing|TRYING|-|-|-||100|-|-|-"}));
  auto conn = CallsSuite::db->pool->acquire();
  auto r = conn->exec(
      "SELECT transferred_from, has_video FROM call_legs WHERE session_id = 's-reuse' "
      "AND ended_at IS NULL");
  BOOST_REQUIRE_EQUAL(r.rows(), 1);
  BOOST_TEST(r.text(0, 0) == "c0");
  BOOST_TEST(r.boolean(0, 1));
  BOOST_TEST(conn->exec("SELECT outcome FROM calls WHERE call_key = 'sc-r1#1'").text(0, 0) ==
             "cancelled");
}

BOOST_AUTO_TEST_CASE(a_far_end_reusing_a_call_id_later_makes_separate_calls) {
  commit({withSip(callEvent("s-again", "a1", "TRYING", kT0), "sc-again"),
          withSip(callEvent("s-again", "a1", "BUSY", kT0 + 20), "sc-again", 486),
          withSip(callEvent("s-again", "a2", "TRYING", kT0 + 3600 * 1000), "sc-again"),
          withSip(callEvent("s-again", "a2", "FAILED", kT0 + 3600 * 1000 + 30), "sc-again", 404)});
  auto conn = CallsSuite::db->pool->acquire();
  auto r = conn->exec(
      "SELECT call_key, leg_count, outcome FROM calls WHERE call_key LIKE 'sc-again#%' "
      "ORDER BY call_key");
  BOOST_REQUIRE_EQUAL(r.rows(), 2);
  BOOST_TEST(r.text(0, 0) == "sc-again#1");
  BOOST_TEST(r.text(0, 2) == "busy");
  BOOST_TEST(r.text(1, 0) == "sc-again#2");
  BOOST_TEST(r.int64(1, 1) == 1);
  BOOST_TEST(r.text(1, 2) == "failed");
}

BOOST_AUTO_TEST_CASE(a_far_end_s_very_long_call_id_is_kept) {
  // A Call-ID is the far end's choice; one longer than a btree row may hold must not make the
  // store refuse the event (the index is on its hash).
  std::string longId;
  std::uint32_t x = 12345;  // incompressible text: a repeated character would compress
  while (longId.size() < 6000) {
    x = x * 1664525u + 1013904223u;
    longId += "0123456789abcdef"[x >> 28];
  }
  commit({withSip(callEvent("s-long", "c1", "TRYING", kT0), longId)});
  auto conn = CallsSuite::db->pool->acquire();
  BOOST_TEST(conn->exec("SELECT length(sip_call_id) FROM call_legs WHERE session_id = 's-long'")
                 .int64(0, 0) == 6000);
}

BOOST_AUTO_TEST_CASE(odd_payloads_are_committed_and_change_nothing) {
  commit({callEvent("s-odd", "c1", "TRYING", kT0)});
  auto badStatus = callEvent("s-odd", "c1", "RING", kT0 + 10);
  badStatus.fields["sipStatus"] = "one eighty";
  badStatus.fields["hasVideo"] = "maybe";
  auto noId = callEvent("s-odd", "", "FINISH", kT0 + 20);
  noId.fields.erase("callId");
  auto unknown = callEvent("s-odd", "c1", "RINGING_LOUDLY", kT0 + 30);
  auto otherCall = callEvent("s-odd", "nope", "ESTABLISHED", kT0 + 40);
  commit({badStatus, noId, unknown, otherCall});
  BOOST_TEST(legs("s-odd", "c1") == Strings{"outgoing|RING|-|-|-||0|10|-|-"});
  auto conn = CallsSuite::db->pool->acquire();
  BOOST_TEST(conn->exec("SELECT count(*) FROM call_legs WHERE session_id = 's-odd'").int64(0, 0) ==
             1);
  BOOST_TEST(conn->exec("SELECT count(*) FROM events WHERE session_id = 's-odd'").int64(0, 0) == 5);
}

BOOST_AUTO_TEST_CASE(daily_outcomes_per_application) {
  std::vector<core::Event> events;
  // App "report": two answered calls of 10 s and 20 s, one busy, one failed, one cancelled,
  // one still ringing.
  const auto call = [&](const std::string& id, std::vector<std::pair<std::string, int>> steps) {
    events.push_back(callEvent("s-rep", id, "TRYING", kT0, "report"));
    for (const auto& [status, atMs] : steps)
      events.push_back(withSip(callEvent("s-rep", id, status, kT0 + atMs, "report"), "rep-" + id));
  };
  call("a1", {{"ESTABLISHED", 1000}, {"FINISH", 11000}});
  call("a2", {{"ESTABLISHED", 1000}, {"FINISH", 21000}});
  call("b1", {{"BUSY", 500}});
  call("f1", {{"FAILED", 500}});
  call("x1", {{"RING", 100}, {"FINISH", 4000}});
  call("r1", {{"RING", 100}});
  commit(events);
  auto conn = CallsSuite::db->pool->acquire();
  auto r = conn->exec(
      "SELECT day::text, calls, answered, busy, failed, cancelled, in_progress, "
      "average_duration_seconds::text FROM call_outcomes_daily WHERE app_key = 'report'");
  BOOST_REQUIRE_EQUAL(r.rows(), 1);
  BOOST_TEST(r.text(0, 0) == "2024-03-01");
  BOOST_TEST(r.int64(0, 1) == 6);
  BOOST_TEST(r.int64(0, 2) == 2);
  BOOST_TEST(r.int64(0, 3) == 1);
  BOOST_TEST(r.int64(0, 4) == 1);
  BOOST_TEST(r.int64(0, 5) == 1);
  BOOST_TEST(r.int64(0, 6) == 1);
  BOOST_TEST(r.text(0, 7) == "15.000");
}

BOOST_AUTO_TEST_CASE(every_table_view_and_column_is_commented) {
  auto conn = CallsSuite::db->pool->acquire();
  auto r = conn->exec(
      "SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_attribute a "
      "ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
      "WHERE c.relname IN ('call_legs', 'calls', 'call_outcomes_daily') "
      "AND col_description(c.oid, a.attnum) IS NULL ORDER BY 1");
  Strings missing;
  for (int i = 0; i < r.rows(); ++i) missing.push_back(r.text(i, 0));
  BOOST_TEST(missing == Strings{});
  BOOST_TEST(conn->exec("SELECT count(*) FROM pg_class WHERE relname IN ('call_legs', 'calls', "
                        "'call_outcomes_daily') AND obj_description(oid, 'pg_class') IS NULL")
                 .int64(0, 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
