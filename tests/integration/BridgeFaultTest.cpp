// Faults against the real binary: SIP server down, hook receiver failing, PostgreSQL
// restarting under load, and kill -9 under load. Each load test prints
// accepted / committed / delivered / duplicates / lost, and lost must be 0.
#include "EndToEndSupport.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

/// Connects (without SIP registration) from two threads until `stop` or the bounds are hit.
class ConnectLoad {
 public:
  ConnectLoad(const BridgeProcess& bridge, std::string appKey, int maxConnects,
              std::chrono::seconds maxTime)
      : bridge_(bridge), appKey_(std::move(appKey)) {
    const auto deadline = std::chrono::steady_clock::now() + maxTime;
    for (int t = 0; t < 2; ++t)
      threads_.emplace_back([this, maxConnects, deadline] {
        while (!stop_ && attempts_++ < maxConnects && std::chrono::steady_clock::now() < deadline)
          once();
      });
  }
  ~ConnectLoad() { finish(); }
  void finish() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::set<std::string> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  int unavailable() const { return unavailable_; }
  int unavailableWithoutRetryAfter() const { return noRetryAfter_; }
  int unreachable() const { return unreachable_; }

 private:
  void once() {
    try {
      auto r = bridge_.post("/api/v1/connect", R"({"appKey":")" + appKey_ + R"("})");
      if (r.status == 200) {
        std::lock_guard lock(mutex_);
        accepted_.insert(r.json()->getValue<std::string>("sessionId"));
      } else if (r.status == 503) {
        ++unavailable_;
        if (r.headers.count("retry-after") == 0) ++noRetryAfter_;
      }
    } catch (const std::exception&) {
      ++unreachable_;
      std::this_thread::sleep_for(20ms);
    }
  }

  const BridgeProcess& bridge_;
  const std::string appKey_;
  std::atomic<bool> stop_{false};
  std::atomic<int> attempts_{0}, unavailable_{0}, noRetryAfter_{0}, unreachable_{0};
  mutable std::mutex mutex_;
  std::set<std::string> accepted_;
  std::vector<std::thread> threads_;
};

std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

/// Waits until every committed event of the app has reached the receiver; reports the tally.
int lostAfterWaiting(Stack& s, const std::string& appKey, const std::set<std::string>& accepted,
                     const char* label) {
  std::set<std::string> committed, delivered, committedSessions;
  std::size_t requests = 0;
  for (int i = 0; i < 600; ++i) {
    committed = lines(s.pg.psql("SELECT event_id FROM events WHERE app_key = '" + appKey + "'"));
    delivered.clear();
    requests = 0;
    for (const auto& request : s.receiver.requests()) {
      if (request.path == "/connect") continue;
      ++requests;
      delivered.insert(request.header("webhook-id"));
    }
    bool all = true;
    for (const auto& id : committed) all = all && delivered.count(id) == 1;
    if (all) break;
    std::this_thread::sleep_for(100ms);
  }
  committedSessions =
      lines(s.pg.psql("SELECT DISTINCT session_id FROM events WHERE app_key = '" + appKey + "'"));
  int lost = 0;
  for (const auto& id : committed) lost += delivered.count(id) == 0;
  for (const auto& session : accepted) lost += committedSessions.count(session) == 0;
  std::cout << label << ": accepted=" << accepted.size() << " committed=" << committed.size()
            << " delivered=" << delivered.size() << " duplicates=" << requests - delivered.size()
            << " lost=" << lost << std::endl;
  return lost;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(BridgeFault)

BOOST_AUTO_TEST_CASE(sip_server_down_fails_registration_with_the_reason) {
  const int deadPort = freePort();
  Stack s(Env{{"SIPBRIDGE_SIP_PROXY", "127.0.0.1:" + std::to_string(deadPort)}});
  s.addApp("app1", false);
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", "alice", "alice-secret"));
  BOOST_REQUIRE_EQUAL(connected.status, 200);
  std::int64_t after = 0;
  auto events = pollUntil(s.bridge, field(connected.json(), "authToken"), after,
                          "ConnectionStatusEvent", "FAILED", 20s);
  BOOST_REQUIRE_GE(events.size(), 2u);
  BOOST_CHECK_EQUAL(field(events[1], "type") + ":" + field(events[1], "status"),
                    "RegistrationStatusEvent:FAILED");
  BOOST_CHECK_MESSAGE(field(events[1], "info").find("unreachable") != std::string::npos,
                      field(events[1], "info"));
}

BOOST_AUTO_TEST_CASE(hooks_are_retried_after_errors_and_downtime_and_redirects_not_followed) {
  Stack s(Env{{"SIPBRIDGE_HOOKS_RETRYBASEMS", "200"}, {"SIPBRIDGE_HOOKS_RETRYCAPMS", "1000"}});
  const std::string secret = s.addApp("app1", false);
  s.receiver.setNth("/ConnectionStatusEvent", 1, Reply::withStatus(500));
  s.receiver.setNth("/ConnectionStatusEvent", 2, Reply::slow(3000));  // beyond the 2 s timeout
  s.receiver.setNth("/ConnectionStatusEvent", 3, Reply::redirect(s.receiver.url("/elsewhere")));
  auto first = s.bridge.post("/api/v1/connect", R"({"appKey":"app1"})");
  BOOST_REQUIRE_EQUAL(first.status, 200);
  BOOST_REQUIRE(s.receiver.waitFor(4, 30s, "/ConnectionStatusEvent"));
  auto attempts = s.receiver.requests("/ConnectionStatusEvent");
  std::set<std::string> timestamps;
  for (const auto& a : attempts) {
    BOOST_CHECK_EQUAL(a.header("webhook-id"), attempts[0].header("webhook-id"));
    BOOST_CHECK(HookReceiver::signatureValid(a, secret));
    timestamps.insert(a.header("webhook-signature"));
  }
  BOOST_CHECK(s.receiver.requests("/elsewhere").empty());
  auto deliveredCount = [&] {
    auto d = s.bridge.admin("GET", "/admin/v1/deliveries?appKey=app1&state=delivered");
    return d.json()->getArray("deliveries")->size();
  };
  for (int i = 0; i < 100 && deliveredCount() < 1; ++i) std::this_thread::sleep_for(100ms);
  BOOST_REQUIRE_EQUAL(deliveredCount(), 1u);

  // Receiver down, then up: the delivery arrives once it is back.
  s.receiver.stop();
  auto second = s.bridge.post("/api/v1/connect", R"({"appKey":"app1"})");
  BOOST_REQUIRE_EQUAL(second.status, 200);
  std::this_thread::sleep_for(1500ms);
  s.receiver.start();
  BOOST_CHECK(s.receiver.waitFor(5, 15s, "/ConnectionStatusEvent"));
  for (int i = 0; i < 100 && deliveredCount() < 2; ++i) std::this_thread::sleep_for(100ms);
  BOOST_CHECK_EQUAL(deliveredCount(), 2u);
}

BOOST_AUTO_TEST_CASE(postgresql_restart_under_load_loses_nothing) {
  Stack s(Env{{"SIPBRIDGE_SESSION_COMMITTIMEOUTMS", "3000"}});
  s.addApp("app1", false);
  ConnectLoad load(s.bridge, "app1", 3000, 25s);
  std::this_thread::sleep_for(1500ms);
  s.pg.stop();
  std::this_thread::sleep_for(2500ms);
  s.pg.start();
  std::this_thread::sleep_for(4000ms);
  load.finish();
  BOOST_CHECK_GT(load.unavailable(), 0);
  BOOST_CHECK_EQUAL(load.unavailableWithoutRetryAfter(), 0);
  // The bridge reconnected by itself: new work is accepted again.
  BOOST_CHECK_EQUAL(s.bridge.post("/api/v1/connect", R"({"appKey":"app1"})").status, 200);
  BOOST_CHECK_EQUAL(lostAfterWaiting(s, "app1", load.accepted(), "postgresql restart"), 0);
}

BOOST_AUTO_TEST_CASE(kill_9_under_load_loses_no_committed_event) {
  Stack s;
  s.addApp("app1", false);
  s.receiver.setDefault(Reply::slow(30));  // deliveries lag behind commits
  ConnectLoad load(s.bridge, "app1", 3000, 20s);
  std::this_thread::sleep_for(2000ms);
  s.bridge.kill9();
  std::this_thread::sleep_for(300ms);
  load.finish();
  s.receiver.setDefault(Reply::ok());
  s.bridge.start();
  BOOST_CHECK_EQUAL(lostAfterWaiting(s, "app1", load.accepted(), "kill -9"), 0);
  // Sessions the killed process left active were ended explicitly, with an event saying why.
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM sessions WHERE state = 'active'"), "0\n");
  // (A session whose connect was cut by the kill may exist without the client knowing it.)
  const auto restarted = s.pg.psql(
      "SELECT count(*) FROM events WHERE payload->>'info' = 'node restarted; session ended'");
  BOOST_CHECK_GE(std::stoul(restarted), load.accepted().size());
  BOOST_CHECK_EQUAL(
      s.pg.psql("SELECT count(*) FROM sessions s WHERE (SELECT count(*) FROM events e "
                "WHERE e.session_id = s.session_id AND e.status = 'DISCONNECTED') <> 1"),
      "0\n");
}

BOOST_AUTO_TEST_CASE(kill_9_fails_messages_sip_had_not_answered) {
  Stack s;
  s.addApp("app1", false);
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", "alice", "alice-secret"));
  const std::string token = field(connected.json(), "authToken");
  const std::string sessionId = field(connected.json(), "sessionId");
  std::int64_t after = 0;
  pollUntil(s.bridge, token, after, "ConnectionStatusEvent", "ESTABLISHED", 15s);
  // A contact nobody answers: Kamailio keeps retransmitting, the bridge keeps waiting.
  s.kamailio.kamcmd("ul.add location void@example.test sip:void@127.0.0.1:" +
                    std::to_string(freePort()) + " 60 1.0 . 0 0 4095");
  for (const char* id : {"k1", "k2", "k3"})
    BOOST_REQUIRE_EQUAL(
        s.bridge
            .post("/api/v1/sendMessage",
                  std::string(R"({"id":")") + id + R"(","to":"void","body":"x"})", token)
            .status,
        202);
  std::this_thread::sleep_for(300ms);
  s.bridge.kill9();
  s.bridge.start();
  auto failed = s.bridge.admin(
      "GET", "/admin/v1/events?sessionId=" + sessionId + "&type=MessageStatusEvent&status=FAILED");
  BOOST_CHECK_EQUAL(failed.json()->getArray("events")->size(), 3u);
  BOOST_CHECK(failed.body.find("node restarted") != std::string::npos);
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM messages WHERE status = 'FAILED'"), "3\n");
  // ...and they come before the session's DISCONNECTED.
  auto all = s.bridge.admin("GET", "/admin/v1/events?sessionId=" + sessionId + "&limit=100");
  const auto events = all.json()->getArray("events");
  BOOST_CHECK_EQUAL(field(events->getObject(static_cast<unsigned>(events->size() - 1)), "status"),
                    "DISCONNECTED");
}

BOOST_AUTO_TEST_SUITE_END()
