// Bridge use cases against in-memory stand-ins for its ports (store, SIP, hooks): the
// real PostgreSQL and Kamailio paths are covered by the integration tests.
#include "sipbridge/core/Bridge.h"
#include "sipbridge/core/Errors.h"

#include <boost/test/unit_test.hpp>

#include <mutex>

using namespace sipbridge::core;

namespace {

struct MemoryStore : EventSink, EventQuery, AppDirectory, SessionStore, HookDeliveries {
  std::mutex mutex;
  std::vector<Event> committed;
  std::vector<SessionRecord> sessions;
  bool up = true;
  CommitListener* listener = nullptr;

  void append(Event event, CommitCallback done) override {
    std::lock_guard lock(mutex);
    committed.push_back(event);
    done(true);
    if (listener) listener->onCommitted({event});
  }
  bool accepting() const override { return up; }
  std::vector<Event> sessionEventsAfter(const std::string& id, std::int64_t after,
                                        int limit) override {
    std::lock_guard lock(mutex);
    std::vector<Event> out;
    for (const auto& e : committed)
      if (e.sessionId == id && e.seq > after && static_cast<int>(out.size()) < limit)
        out.push_back(e);
    return out;
  }
  EventPage find(const EventFilter&) override { return {}; }
  std::int64_t lastSeq(const std::string& id) override {
    std::lock_guard lock(mutex);
    std::int64_t last = 0;
    for (const auto& e : committed)
      if (e.sessionId == id) last = std::max(last, e.seq);
    return last;
  }
  std::optional<App> find(const std::string& key) override {
    if (key == "demo") return App{"demo", "http://127.0.0.1:1", "whsec_x", true, false, 0};
    return std::nullopt;
  }
  std::vector<App> list() override { return {}; }
  bool put(const App&) override { return true; }
  bool remove(const std::string&) override { return false; }
  void insert(const SessionRecord& r) override {
    std::lock_guard lock(mutex);
    sessions.push_back(r);
  }
  void markEnded(const std::string& id, std::int64_t) override {
    std::lock_guard lock(mutex);
    for (auto& r : sessions)
      if (r.sessionId == id) r.state = "ended";
  }
  std::vector<SessionRecord> activeOnNode(const std::string&) override {
    std::lock_guard lock(mutex);
    std::vector<SessionRecord> out;
    for (auto& r : sessions)
      if (r.state == "active") out.push_back(r);
    return out;
  }
  std::vector<SessionRecord> list(const std::string&, bool, int) override { return sessions; }
  std::vector<HookDelivery> find(const DeliveryFilter&) override { return {}; }
  int replay(const DeliveryFilter&) override { return 0; }

  std::vector<std::string> statuses(const std::string& sessionId) {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (const auto& e : committed)
      if (e.sessionId == sessionId) out.push_back(e.type.substr(0, 4) + ":" + e.status);
    return out;
  }
};

struct RecordingSip : SipGateway {
  std::vector<SipAccount> registered;
  std::vector<std::string> unregistered;
  SipListener* listener = nullptr;
  void registerAccount(const SipAccount& a) override { registered.push_back(a); }
  void unregister(const std::string& id) override {
    unregistered.push_back(id);
    if (listener) listener->onRegistration(id, {RegistrationResult::State::Unregistered, 200, ""});
  }
};

struct ScriptedHook : ConnectHook {
  ConnectDecision decision{true, "", nullptr};
  std::string lastRequest;
  ConnectDecision ask(const App&, const std::string& json) override {
    lastRequest = json;
    return decision;
  }
};

struct Fixture {
  MemoryStore store;
  RecordingSip sip;
  ScriptedHook hook;
  Metrics metrics;
  std::unique_ptr<Bridge> bridge;

  explicit Fixture(int idleSeconds = 120, int graceSeconds = 60) {
    BridgeConfig config;
    config.nodeId = "n1";
    config.defaultProxy = "127.0.0.1:5060";
    config.idleTimeoutSeconds = idleSeconds;
    config.reapIntervalMs = 20;
    config.endedGraceSeconds = graceSeconds;
    config.unregisterWaitMs = 200;
    bridge = std::make_unique<Bridge>(
        config, Bridge::Ports{store, store, store, store, store, hook, sip}, metrics);
    store.listener = bridge.get();
    sip.listener = bridge.get();
    bridge->start();
  }
  ConnectRequest registering() {
    ConnectRequest r;
    r.appKey = "demo";
    r.sipRegisterRequired = true;
    r.sipLogin = "alice";
    r.sipDomain = "example.test";
    r.sipPassword = "alice-secret";
    return r;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(CoreBridge)

BOOST_AUTO_TEST_CASE(connect_without_registration_is_established_and_readable) {
  Fixture f;
  ConnectRequest r;
  r.appKey = "demo";
  auto response = f.bridge->connect(r);
  BOOST_CHECK_EQUAL(response.status, "ESTABLISHED");
  BOOST_CHECK(response.sessionId.rfind("n1-", 0) == 0);
  auto session = f.bridge->authenticate(response.authToken);
  auto events = f.bridge->waitEvents(session, 0, std::chrono::milliseconds(10), 10);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_CHECK_EQUAL(events[0].seq, 1);
  BOOST_CHECK_EQUAL(events[0].status, "ESTABLISHED");
  BOOST_CHECK_THROW(f.bridge->authenticate(response.authToken + "x"), ApiError);
  BOOST_CHECK_THROW(f.bridge->authenticate("nonsense"), ApiError);
}

BOOST_AUTO_TEST_CASE(registration_reports_registered_then_established) {
  Fixture f;
  auto response = f.bridge->connect(f.registering());
  BOOST_CHECK_EQUAL(response.status, "PENDING");
  BOOST_REQUIRE_EQUAL(f.sip.registered.size(), 1u);
  const SipAccount& account = f.sip.registered[0];
  BOOST_CHECK_EQUAL(account.authName, "alice");
  BOOST_CHECK_EQUAL(account.outboundProxy, "127.0.0.1:5060");
  BOOST_CHECK(!account.contactUser.empty());
  f.bridge->onRegistration(response.sessionId, {RegistrationResult::State::Registered, 200, ""});
  auto expected = std::vector<std::string>{"Conn:PENDING", "Regi:REGISTERED", "Conn:ESTABLISHED"};
  BOOST_CHECK(f.store.statuses(response.sessionId) == expected);
  // Two connects of one login get distinct contacts.
  f.bridge->connect(f.registering());
  BOOST_CHECK(f.sip.registered[1].contactUser != account.contactUser);
}

BOOST_AUTO_TEST_CASE(failed_registration_fails_the_connect) {
  Fixture f;
  auto response = f.bridge->connect(f.registering());
  f.bridge->onRegistration(response.sessionId,
                           {RegistrationResult::State::Failed, 403, "authentication failed"});
  auto expected = std::vector<std::string>{"Conn:PENDING", "Regi:FAILED", "Conn:FAILED"};
  BOOST_CHECK(f.store.statuses(response.sessionId) == expected);
  // The client can still read the final events, but the session takes no more methods.
  auto session = f.bridge->authenticate(response.authToken);
  BOOST_CHECK_EQUAL(f.bridge->waitEvents(session, 0, std::chrono::milliseconds(0), 10).size(), 3u);
  BOOST_CHECK_EXCEPTION(f.bridge->disconnect(session, ""), ApiError,
                        [](const ApiError& e) { return e.httpStatus() == 409; });
}

BOOST_AUTO_TEST_CASE(hook_refusal_and_override) {
  Fixture f;
  f.hook.decision = {false, "connect hook answered 403", nullptr};
  auto refused = f.bridge->connect(f.registering());
  BOOST_CHECK_EQUAL(refused.status, "FAILED");
  BOOST_CHECK(refused.authToken.empty());
  BOOST_CHECK(f.sip.registered.empty());
  BOOST_CHECK(f.hook.lastRequest.find("alice-secret") == std::string::npos);
  auto expected = std::vector<std::string>{"Conn:FAILED"};
  BOOST_CHECK(f.store.statuses(refused.sessionId) == expected);

  Poco::JSON::Object::Ptr overrides = new Poco::JSON::Object;
  overrides->set("sipPassword", std::string("from-backend"));
  f.hook.decision = {true, "", overrides};
  auto accepted = f.bridge->connect(f.registering());
  BOOST_CHECK_EQUAL(accepted.status, "PENDING");
  BOOST_REQUIRE_EQUAL(f.sip.registered.size(), 1u);
  BOOST_CHECK_EQUAL(f.sip.registered[0].password, "from-backend");
}

BOOST_AUTO_TEST_CASE(refusals_before_any_work) {
  Fixture f;
  ConnectRequest unknown;
  unknown.appKey = "nope";
  BOOST_CHECK_EXCEPTION(f.bridge->connect(unknown), ApiError,
                        [](const ApiError& e) { return e.httpStatus() == 401; });
  auto foreignProxy = f.registering();
  foreignProxy.sipOutboundProxy = "192.0.2.1:5060";
  BOOST_CHECK_EXCEPTION(f.bridge->connect(foreignProxy), ApiError, [](const ApiError& e) {
    return e.httpStatus() == 400 && e.field() == "sipOutboundProxy";
  });
  f.store.up = false;
  BOOST_CHECK_THROW(f.bridge->connect(f.registering()), Unavailable);
  BOOST_CHECK(f.sip.registered.empty());
  BOOST_CHECK(f.store.committed.empty());
}

BOOST_AUTO_TEST_CASE(disconnect_unregisters_then_reports_disconnected) {
  Fixture f;
  auto response = f.bridge->connect(f.registering());
  f.bridge->onRegistration(response.sessionId, {RegistrationResult::State::Registered, 200, ""});
  f.bridge->disconnect(f.bridge->authenticate(response.authToken), "");
  BOOST_CHECK_EQUAL(f.sip.unregistered.size(), 1u);
  auto expected = std::vector<std::string>{"Conn:PENDING", "Regi:REGISTERED", "Conn:ESTABLISHED",
                                           "Regi:UNREGISTERED", "Conn:DISCONNECTED"};
  BOOST_CHECK(f.store.statuses(response.sessionId) == expected);
  BOOST_CHECK_EQUAL(f.store.sessions[0].state, "ended");
}

BOOST_AUTO_TEST_CASE(idle_session_expires_unless_a_channel_is_open) {
  Fixture f(0);
  ConnectRequest r;
  r.appKey = "demo";
  auto kept = f.bridge->connect(r);
  f.bridge->channelOpened(f.bridge->authenticate(kept.authToken));
  auto idle = f.bridge->connect(r);
  for (int i = 0; i < 100 && f.bridge->liveSessions() > 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_CHECK_EQUAL(f.bridge->liveSessions(), 1u);
  BOOST_CHECK_NO_THROW(f.bridge->authenticate(kept.authToken));
  BOOST_CHECK_EQUAL(f.store.statuses(idle.sessionId).back(), "Conn:DISCONNECTED");
}

BOOST_AUTO_TEST_CASE(ended_session_token_expires_after_the_grace_period) {
  Fixture f(120, 0);
  ConnectRequest r;
  r.appKey = "demo";
  auto response = f.bridge->connect(r);
  f.bridge->disconnect(f.bridge->authenticate(response.authToken), "");
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    try {
      f.bridge->authenticate(response.authToken);
    } catch (const ApiError& e) {
      refused = e.httpStatus() == 401;
    }
  }
  BOOST_CHECK(refused);
}

BOOST_AUTO_TEST_CASE(restart_ends_sessions_left_active) {
  MemoryStore store;
  store.sessions.push_back({"n1-old", "demo", "n1", "alice", "active", 1, 0});
  Event previous;
  previous.sessionId = "n1-old";
  previous.seq = 4;
  store.committed.push_back(previous);
  RecordingSip sip;
  ScriptedHook hook;
  Metrics metrics;
  BridgeConfig config;
  config.nodeId = "n1";
  Bridge bridge(config, Bridge::Ports{store, store, store, store, store, hook, sip}, metrics);
  bridge.start();
  BOOST_CHECK_EQUAL(store.sessions[0].state, "ended");
  BOOST_CHECK_EQUAL(store.committed.back().seq, 5);
  BOOST_CHECK_EQUAL(store.committed.back().status, "DISCONNECTED");
}

BOOST_AUTO_TEST_SUITE_END()
