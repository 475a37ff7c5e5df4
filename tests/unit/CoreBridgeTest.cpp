// Bridge use cases against in-memory stand-ins for its ports (store, SIP, hooks): the
// real PostgreSQL and Kamailio paths are covered by the integration tests.
#include "sipbridge/api/MethodRegistry.h"
#include "sipbridge/core/Bridge.h"
#include "sipbridge/core/Errors.h"

#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>

using namespace sipbridge::core;

namespace {

struct MemoryStore : EventSink,
                     EventQuery,
                     AppDirectory,
                     SessionStore,
                     HookDeliveries,
                     MessageStore,
                     CallStore {
  std::vector<OpenCallLeg> openLegs;
  std::vector<OpenCallLeg> openOnNode(const std::string&) override { return openLegs; }
  std::vector<MessageRecord> messages;
  bool insertOutgoing(const MessageRecord& m) override {
    std::lock_guard lock(mutex);
    for (const auto& existing : messages)
      if (existing.sessionId == m.sessionId && existing.messageId == m.messageId) return false;
    messages.push_back(m);
    return true;
  }
  std::vector<MessageRecord> queuedOnNode(const std::string&) override { return {}; }
  std::mutex mutex;
  std::vector<Event> committed;
  std::vector<SessionRecord> sessions;
  bool up = true;
  CommitListener* listener = nullptr;

  void append(Event event, CommitCallback done) override {
    std::lock_guard lock(mutex);
    committed.push_back(event);
    if (event.type == "ConnectionStatusEvent") track(event);
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
    if (key != "demo") return std::nullopt;
    App app;
    app.appKey = "demo";
    app.hookUrl = "http://127.0.0.1:1";
    app.secret = "whsec_x";
    return app;
  }
  std::vector<App> list() override { return {}; }
  bool put(const App&) override { return true; }
  bool remove(const std::string&) override { return false; }
  /// What the database trigger does with ConnectionStatusEvents.
  void track(const Event& e) {
    const bool ending = e.status == "FAILED" || e.status == "DISCONNECTED";
    for (auto& r : sessions)
      if (r.sessionId == e.sessionId) {
        if (ending && r.state == "active") {
          r.state = "ended";
          r.endedMs = e.timestampMs;
        }
        return;
      }
    sessions.push_back({e.sessionId, e.appKey, e.nodeId, "", ending ? "ended" : "active", 0,
                        ending ? e.timestampMs : 0});
  }
  std::map<std::string, std::string> tokenHashes;
  int endedLookups = 0;
  void rememberTokenHash(const std::string& id, const std::string& hash) override {
    std::lock_guard lock(mutex);
    tokenHashes[id] = hash;
  }
  std::optional<EndedSession> endedWithin(const std::string& id, int seconds) override {
    std::lock_guard lock(mutex);
    ++endedLookups;
    for (const auto& r : sessions)
      if (r.sessionId == id && r.state == "ended" && tokenHashes.count(id) > 0 &&
          nowMs() - r.endedMs < seconds * 1000LL)
        return EndedSession{r.appKey, tokenHashes[id], r.endedMs};
    return std::nullopt;
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

struct RecordingSip : SipGateway, SipMessaging, SipSubscriptions, SipCalls {
  std::vector<OutgoingCall> calls;
  std::vector<std::string> hungUp;
  void call(const OutgoingCall& c) override { calls.push_back(c); }
  void answerCall(const std::string&, const std::string&, const std::string&) override {}
  void rejectReoffer(const std::string&, const std::string&, int) override {}
  void hangupCall(const std::string&, const std::string& callId, int) override {
    hungUp.push_back(callId);
  }
  void reinvite(const std::string&, const std::string&, const std::string&) override {}
  void refer(const std::string&, const std::string&, const std::string&) override {}
  void endRefer(const std::string&, const std::string&, int, const std::string&) override {}
  void info(const std::string&, const std::string&, const std::string&,
            const std::string&) override {}
  std::vector<SubscribeRequest> subscribed;
  std::vector<std::uint64_t> unsubscribed;
  std::vector<PublishRequest> published;
  void subscribe(const SubscribeRequest& r) override { subscribed.push_back(r); }
  void unsubscribe(const std::string&, std::uint64_t id) override { unsubscribed.push_back(id); }
  void publish(const PublishRequest& r) override { published.push_back(r); }
  std::vector<OutgoingMessage> sent;
  std::vector<std::pair<std::uint64_t, int>> answers;
  void sendMessage(const OutgoingMessage& m) override { sent.push_back(m); }
  void answerMessage(std::uint64_t id, int status, const std::string&) override {
    answers.emplace_back(id, status);
  }
  std::vector<SipAccount> registered;
  std::vector<std::string> unregistered;
  SipListener* listener = nullptr;
  void registerAccount(const SipAccount& a) override { registered.push_back(a); }
  void unregister(const std::string& id) override {
    unregistered.push_back(id);
    if (listener) listener->onRegistration(id, {RegistrationResult::State::Unregistered, 200, ""});
  }
};

struct FakeXcap : XcapClient {
  std::vector<XcapRequest> requests;
  void checkUrl(const std::string& url) const override {
    if (url.rfind("http://127.0.0.1:1/xcap-root/", 0) != 0 || url.find("..") != std::string::npos)
      throw invalidField("url", "url is outside the XCAP roots");
  }
  void execute(XcapRequest r, std::function<void(XcapResponse)> done) override {
    requests.push_back(r);
    done({200, "<doc/>", "application/xml", "\"e1\"", ""});
  }
};

/// No backend answers data and nothing is left from a previous run (see CoreDataTest).
struct NoData : DataHook, DataStore {
  DataHookResult post(const App&, const std::string&, const std::string&) override { return {}; }
  std::vector<UnansweredData> unanswered(const std::string&) override { return {}; }
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
  NoData data;
  FakeXcap xcap;
  Metrics metrics;
  std::unique_ptr<Bridge> bridge;

  explicit Fixture(int idleSeconds = 120, int graceSeconds = 60) {
    start(idleSeconds, graceSeconds);
  }
  /// A new Bridge on the same store, as after a restart of the node (the old one stops first).
  void start(int idleSeconds = 120, int graceSeconds = 60) {
    bridge.reset();
    BridgeConfig config;
    config.nodeId = "n1";
    config.defaultProxy = "127.0.0.1:5060";
    config.idleTimeoutSeconds = idleSeconds;
    config.reapIntervalMs = 20;
    config.endedGraceSeconds = graceSeconds;
    config.presence.coalesceMs = 300;
    config.unregisterWaitMs = 200;
    bridge = std::make_unique<Bridge>(config,
                                      Bridge::Ports{store, store, store, store, store, hook, sip,
                                                    store, sip, sip, sip, &xcap, data, data, store},
                                      metrics);
    store.listener = bridge.get();
    sip.listener = bridge.get();
    bridge->start();
  }
  /// Runs the client method `name` as the api does: parsed from JSON, then the use case.
  Poco::JSON::Object::Ptr run(const SessionPtr& session, const std::string& name,
                              const Poco::JSON::Object& body) {
    sipbridge::api::MethodRegistry methods;
    sipbridge::api::registerClientMethods(methods, *bridge);
    return methods.run(name, session, body).body;
  }
  /// sendMessage through run(); returns the message id.
  std::string sendMessage(const SessionPtr& session, const Poco::JSON::Object& body) {
    return run(session, "sendMessage", body)->getValue<std::string>("id");
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
  BOOST_CHECK_THROW(f.bridge->authenticate(response.authToken + "x"), DomainError);
  BOOST_CHECK_THROW(f.bridge->authenticate("nonsense"), DomainError);
}

BOOST_AUTO_TEST_CASE(registration_reports_registered_then_established) {
  Fixture f;
  auto response = f.bridge->connect(f.registering());
  BOOST_CHECK_EQUAL(response.status, "PENDING");
  BOOST_REQUIRE_EQUAL(f.sip.registered.size(), 1u);
  const SipAccount account = f.sip.registered[0];  // a copy: registered grows below
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
  BOOST_CHECK_EXCEPTION(f.bridge->disconnect(session, ""), DomainError, [](const DomainError& e) {
    return e.kind() == DomainError::Kind::Conflict;
  });
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
  BOOST_CHECK_EXCEPTION(f.bridge->connect(unknown), DomainError, [](const DomainError& e) {
    return e.kind() == DomainError::Kind::Unauthorized;
  });
  auto foreignProxy = f.registering();
  foreignProxy.sipOutboundProxy = "192.0.2.1:5060";
  BOOST_CHECK_EXCEPTION(f.bridge->connect(foreignProxy), DomainError, [](const DomainError& e) {
    return e.kind() == DomainError::Kind::InvalidField && e.field() == "sipOutboundProxy";
  });
  auto overTls = f.registering();
  overTls.sipTransport = "tls";  // this bridge has no SIP TLS listener
  BOOST_CHECK_EXCEPTION(f.bridge->connect(overTls), DomainError, [](const DomainError& e) {
    return e.kind() == DomainError::Kind::InvalidField && e.field() == "sipTransport";
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

BOOST_AUTO_TEST_CASE(calls_go_through_invoke_and_finish_before_the_session_ends) {
  Fixture f;
  auto response = f.bridge->connect(f.registering());
  f.bridge->onRegistration(response.sessionId, {RegistrationResult::State::Registered, 200, ""});
  auto session = f.bridge->authenticate(response.authToken);
  Poco::JSON::Object request;
  request.set("callId", "c1");
  request.set("callee", "bob");
  request.set("sdp",
              "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
  auto reply = f.run(session, "call", request);
  BOOST_REQUIRE(reply);
  BOOST_CHECK_EQUAL(reply->getValue<std::string>("callId"), "c1");
  BOOST_REQUIRE_EQUAL(f.sip.calls.size(), 1u);
  BOOST_CHECK_EQUAL(f.sip.calls[0].targetUri, "sip:bob@example.test");
  f.bridge->disconnect(session, "");
  auto expected = std::vector<std::string>{
      "Conn:PENDING", "Regi:REGISTERED",   "Conn:ESTABLISHED", "Call:TRYING",
      "Call:FINISH",  "Regi:UNREGISTERED", "Conn:DISCONNECTED"};
  BOOST_CHECK(f.store.statuses(response.sessionId) == expected);
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
    } catch (const DomainError& e) {
      refused = e.kind() == DomainError::Kind::Unauthorized;
    }
  }
  BOOST_CHECK(refused);
}

BOOST_AUTO_TEST_CASE(an_ended_sessions_token_reads_its_events_after_a_restart) {
  Fixture f;
  ConnectRequest r;
  r.appKey = "demo";
  const auto ended = f.bridge->connect(r);
  f.bridge->disconnect(f.bridge->authenticate(ended.authToken), "bye");
  const auto live = f.bridge->connect(r);  // ended by the restart itself
  // The store keeps a hash of each token, never the token.
  BOOST_REQUIRE_EQUAL(f.store.tokenHashes.count(ended.sessionId), 1u);
  const std::string hash = f.store.tokenHashes[ended.sessionId];
  BOOST_CHECK_EQUAL(hash.size(), 64u);
  BOOST_CHECK(hash.find(ended.authToken.substr(ended.authToken.find('.') + 1)) ==
              std::string::npos);

  f.start();
  for (const auto& response : {ended, live}) {
    auto session = f.bridge->authenticate(response.authToken);
    BOOST_CHECK(session->ended());
    auto events = f.bridge->waitEvents(session, 0, std::chrono::milliseconds(0), 10);
    BOOST_REQUIRE_EQUAL(events.size(), 2u);
    BOOST_CHECK_EQUAL(events[0].status, "ESTABLISHED");
    BOOST_CHECK_EQUAL(events[1].status, "DISCONNECTED");
    BOOST_CHECK(f.bridge->waitEvents(session, 2, std::chrono::milliseconds(0), 10).empty());
    // Readable, not usable.
    BOOST_CHECK_EXCEPTION(f.bridge->disconnect(session, ""), DomainError, [](const DomainError& e) {
      return e.kind() == DomainError::Kind::Conflict;
    });
  }
  BOOST_CHECK_EQUAL(f.bridge->waitEvents(f.bridge->authenticate(live.authToken), 0, {}, 10)[1]
                        .fields["info"]
                        .toString(),
                    "node shutting down");
  // Another token of the same session id is refused.
  const std::string forged = ended.sessionId + ".AAAA";
  BOOST_CHECK_EXCEPTION(f.bridge->authenticate(forged), DomainError, [](const DomainError& e) {
    return e.kind() == DomainError::Kind::Unauthorized;
  });
  // Made-up session ids never reach the store.
  const int lookups = f.store.endedLookups;
  for (const std::string token : {"nonsense.x", "n1-0123.x", "n1-0123456789ABCDEF01234567.x"})
    BOOST_CHECK_THROW(f.bridge->authenticate(token), DomainError);
  BOOST_CHECK_EQUAL(f.store.endedLookups, lookups);
  // The grace period counts from the end, across restarts.
  f.start(120, 0);
  BOOST_CHECK_EXCEPTION(
      f.bridge->authenticate(ended.authToken), DomainError,
      [](const DomainError& e) { return e.kind() == DomainError::Kind::Unauthorized; });
}

BOOST_AUTO_TEST_CASE(restart_ends_sessions_left_active) {
  MemoryStore store;
  store.sessions.push_back({"n1-old", "demo", "n1", "alice", "active", 1, 0});
  Event previous;
  previous.sessionId = "n1-old";
  previous.seq = 4;
  store.committed.push_back(previous);
  store.openLegs.push_back({"n1-old", "demo", "c7"});  // a call that was up at the crash
  RecordingSip sip;
  ScriptedHook hook;
  NoData data;
  Metrics metrics;
  BridgeConfig config;
  config.nodeId = "n1";
  FakeXcap xcap;
  Bridge bridge(config,
                Bridge::Ports{store, store, store, store, store, hook, sip, store, sip, sip, sip,
                              &xcap, data, data, store},
                metrics);
  bridge.start();
  BOOST_CHECK_EQUAL(store.sessions[0].state, "ended");
  BOOST_REQUIRE_EQUAL(store.committed.size(), 3u);
  BOOST_CHECK_EQUAL(store.committed[1].type, "CallStatusEvent");
  BOOST_CHECK_EQUAL(store.committed[1].status, "FINISH");
  BOOST_CHECK_EQUAL(store.committed[1].fields["callId"].toString(), "c7");
  BOOST_CHECK_EQUAL(store.committed[1].seq, 5);
  BOOST_CHECK_EQUAL(store.committed.back().seq, 6);
  BOOST_CHECK_EQUAL(store.committed.back().status, "DISCONNECTED");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

Poco::JSON::Object::Ptr json(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// A registered session of alice.
std::pair<ConnectResponse, SessionPtr> registered(Fixture& f) {
  auto response = f.bridge->connect(f.registering());
  f.bridge->onRegistration(response.sessionId, {RegistrationResult::State::Registered, 200, ""});
  return {response, f.bridge->authenticate(response.authToken)};
}

std::vector<Event> eventsOf(MemoryStore& store, const std::string& sessionId,
                            const std::string& type) {
  std::lock_guard lock(store.mutex);
  std::vector<Event> out;
  for (const auto& e : store.committed)
    if (e.sessionId == sessionId && e.type == type) out.push_back(e);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CoreMessaging)

BOOST_AUTO_TEST_CASE(text_message_is_sent_and_accepted) {
  Fixture f;
  auto [response, session] = registered(f);
  const auto id = f.sendMessage(session, *json(R"({"id":"m1","to":"bob","body":"hi"})"));
  BOOST_CHECK_EQUAL(id, "m1");
  BOOST_REQUIRE_EQUAL(f.sip.sent.size(), 1u);
  BOOST_CHECK_EQUAL(f.sip.sent[0].targetUri, "sip:bob@example.test");
  BOOST_CHECK_EQUAL(f.sip.sent[0].body, "hi");
  BOOST_CHECK(f.sip.sent[0].contentType.rfind("text/plain", 0) == 0);
  BOOST_CHECK_EQUAL(f.store.messages.size(), 1u);
  BOOST_CHECK_EXCEPTION(f.sendMessage(session, *json(R"({"id":"m1","to":"bob","body":"x"})")),
                        DomainError, [](const DomainError& e) { return e.field() == "id"; });
  f.bridge->messageListener().onMessageOutcome(
      {response.sessionId, f.sip.sent[0].requestId, 200, "OK"});
  auto statuses = eventsOf(f.store, response.sessionId, "MessageStatusEvent");
  BOOST_REQUIRE_EQUAL(statuses.size(), 1u);
  BOOST_CHECK_EQUAL(statuses[0].status, "ACCEPTED");
  BOOST_CHECK_EQUAL(statuses[0].fields["id"].toString(), "m1");
}

BOOST_AUTO_TEST_CASE(cpim_carries_the_session_identity_and_falls_back_on_415) {
  Fixture f;
  auto [response, session] = registered(f);
  f.sendMessage(session, *json(R"({"id":"m2","to":"sip:bob@example.test","body":"hey",
      "contentType":"message/cpim","isImdnRequired":true})"));
  BOOST_REQUIRE_EQUAL(f.sip.sent.size(), 1u);
  const auto cpim = f.sip.sent[0];
  BOOST_CHECK_EQUAL(cpim.contentType, "message/cpim");
  BOOST_CHECK(cpim.body.find("From: <sip:alice@example.test>") != std::string::npos);
  BOOST_CHECK(cpim.body.find("Disposition-Notification: positive-delivery") != std::string::npos);
  f.bridge->messageListener().onMessageOutcome(
      {response.sessionId, cpim.requestId, 415, "Unsupported Media Type"});
  BOOST_REQUIRE_EQUAL(f.sip.sent.size(), 2u);
  BOOST_CHECK(f.sip.sent[1].contentType.rfind("text/plain", 0) == 0);
  BOOST_CHECK_EQUAL(f.sip.sent[1].body, "hey");
  f.bridge->messageListener().onMessageOutcome(
      {response.sessionId, f.sip.sent[1].requestId, 200, "OK"});
  auto statuses = eventsOf(f.store, response.sessionId, "MessageStatusEvent");
  BOOST_REQUIRE_EQUAL(statuses.size(), 1u);
  BOOST_CHECK(statuses[0].fields["info"].toString().find("415") != std::string::npos);
  // The peer's refusal is remembered: the next CPIM goes out as text/plain at once.
  f.sendMessage(
      session,
      *json(R"({"to":"sip:bob@example.test","body":"again","contentType":"message/cpim"})"));
  BOOST_CHECK(f.sip.sent[2].contentType.rfind("text/plain", 0) == 0);
}

BOOST_AUTO_TEST_CASE(failures_and_bad_input) {
  Fixture f;
  auto [response, session] = registered(f);
  auto field = [&](const std::string& body) {
    try {
      f.sendMessage(session, *json(body));
    } catch (const DomainError& e) {
      return e.field();
    }
    return std::string("accepted");
  };
  BOOST_CHECK_EQUAL(field(R"({"to":"bob"})"), "body");
  BOOST_CHECK_EQUAL(field(R"({"to":"bob","body":""})"), "body");
  BOOST_CHECK_EQUAL(field(R"({"body":"x"})"), "to");
  BOOST_CHECK_EQUAL(field(R"({"to":"bo b","body":"x"})"), "to");
  BOOST_CHECK_EQUAL(field(R"({"to":"sip:bob@exa\r\nmple","body":"x"})"), "to");
  BOOST_CHECK_EQUAL(field(R"({"to":"bob","body":"x","contentType":"image/png"})"), "contentType");
  BOOST_CHECK_EQUAL(field(R"({"to":"bob","body":"x","contentType":"multipart/mixed"})"),
                    "recipients");
  BOOST_CHECK_EQUAL(field(R"({"to":"bob","body":"x","colour":1})"), "colour");
  BOOST_CHECK_EQUAL(field(R"({"to":"bob","body":")" + std::string(20000, 'a') + R"("})"), "body");
  BOOST_CHECK(f.sip.sent.empty());
  f.sendMessage(session, *json(R"({"id":"m3","to":"carol","body":"x"})"));
  f.bridge->messageListener().onMessageOutcome(
      {response.sessionId, f.sip.sent[0].requestId, 404, "Not Found"});
  auto statuses = eventsOf(f.store, response.sessionId, "MessageStatusEvent");
  BOOST_REQUIRE_EQUAL(statuses.size(), 1u);
  BOOST_CHECK_EQUAL(statuses[0].status, "FAILED");
  BOOST_CHECK_EQUAL(statuses[0].fields["sipStatus"].toString(), "404");
}

BOOST_AUTO_TEST_CASE(bursts_are_paced_to_the_send_window) {
  Fixture f;
  auto [response, session] = registered(f);
  for (int i = 0; i < 250; ++i) f.sendMessage(session, *json(R"({"to":"bob","body":"burst"})"));
  BOOST_CHECK_EQUAL(f.store.messages.size(), 250u);  // all recorded at once
  BOOST_REQUIRE_EQUAL(f.sip.sent.size(), 200u);      // but only a window handed to SIP
  for (int i = 0; i < 60; ++i)
    f.bridge->messageListener().onMessageOutcome(
        {response.sessionId, f.sip.sent[static_cast<std::size_t>(i)].requestId, 200, "OK"});
  BOOST_CHECK_EQUAL(f.sip.sent.size(), 250u);
  BOOST_CHECK_EQUAL(eventsOf(f.store, response.sessionId, "MessageStatusEvent").size(), 60u);
}

BOOST_AUTO_TEST_CASE(multipart_has_one_cpim_part_per_recipient) {
  Fixture f;
  auto [response, session] = registered(f);
  f.sendMessage(session, *json(R"({"to":"sip:exploder@example.test","body":"all",
      "contentType":"multipart/mixed","recipients":"bob, sip:carol@example.test,tel:+4930123"})"));
  BOOST_REQUIRE_EQUAL(f.sip.sent.size(), 1u);
  const auto m = f.sip.sent[0];
  BOOST_CHECK(m.contentType.rfind("multipart/mixed", 0) == 0);
  BOOST_CHECK(m.body.find("To: <sip:bob@example.test>") != std::string::npos);
  BOOST_CHECK(m.body.find("To: <sip:carol@example.test>") != std::string::npos);
  BOOST_CHECK(m.body.find("To: <tel:+4930123>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(incoming_messages_are_committed_before_the_200_and_imdn_round_trip) {
  Fixture f;
  auto [alice, aliceSession] = registered(f);
  auto [bob, bobSession] = registered(f);
  // alice -> bob, CPIM asking for delivery notification
  f.sendMessage(aliceSession, *json(R"({"id":"a1","to":"bob","body":"ping",
      "contentType":"message/cpim","isImdnRequired":true})"));
  const auto out = f.sip.sent[0];
  IncomingMessage in{
      bob.sessionId,   77,       "sip:alice@example.test",       "", "sip:bob@example.test",
      out.contentType, out.body, "MESSAGE sip:x SIP/2.0\r\n\r\n"};
  f.bridge->messageListener().onIncomingMessage(in);
  auto received = eventsOf(f.store, bob.sessionId, "OnMessageEvent");
  BOOST_REQUIRE_EQUAL(received.size(), 1u);
  BOOST_CHECK_EQUAL(received[0].fields["body"].toString(), "ping");
  BOOST_CHECK_EQUAL(received[0].fields["isImdnRequired"].toString(), "true");
  BOOST_REQUIRE_EQUAL(f.sip.answers.size(), 1u);
  BOOST_CHECK_EQUAL(f.sip.answers[0].first, 77u);
  BOOST_CHECK_EQUAL(f.sip.answers[0].second, 200);
  // bob's bridge sent the IMDN automatically, after the commit
  BOOST_REQUIRE_EQUAL(f.sip.sent.size(), 2u);
  const auto imdn = f.sip.sent[1];
  BOOST_CHECK_EQUAL(imdn.targetUri, "sip:alice@example.test");
  BOOST_CHECK(imdn.body.find("message/imdn+xml") != std::string::npos);
  f.bridge->messageListener().onMessageOutcome({bob.sessionId, imdn.requestId, 200, "OK"});
  BOOST_CHECK_EQUAL(eventsOf(f.store, bob.sessionId, "MessageStatusEvent").back().status,
                    "IMDN_NOTIFICATION_SENT");
  // the IMDN reaches alice: her message a1 is delivered
  IncomingMessage back{
      alice.sessionId, 78, "sip:bob@example.test", "", "sip:alice@example.test", imdn.contentType,
      imdn.body,       ""};
  f.bridge->messageListener().onIncomingMessage(back);
  auto aliceStatuses = eventsOf(f.store, alice.sessionId, "MessageStatusEvent");
  BOOST_REQUIRE(!aliceStatuses.empty());
  BOOST_CHECK_EQUAL(aliceStatuses.back().status, "IMDN_DELIVERED");
  BOOST_CHECK_EQUAL(aliceStatuses.back().fields["id"].toString(), "a1");
  BOOST_CHECK(
      eventsOf(f.store, alice.sessionId, "OnMessageEvent").empty());  // never shown as a message
  BOOST_CHECK_EQUAL(f.sip.sent.size(), 2u);  // and never answered with an IMDN
}

BOOST_AUTO_TEST_CASE(malformed_incoming_bodies_are_refused_with_an_error_event) {
  Fixture f;
  auto [bob, bobSession] = registered(f);
  IncomingMessage bad{bob.sessionId,
                      5,
                      "sip:x@example.test",
                      "",
                      "sip:bob@example.test",
                      "multipart/mixed;boundary=\"" + std::string(60, 'b') + "\"",
                      "short",
                      ""};
  f.bridge->messageListener().onIncomingMessage(bad);
  IncomingMessage unsupported{
      bob.sessionId, 6, "sip:x@example.test", "", "sip:bob@example.test", "image/png", "png", ""};
  f.bridge->messageListener().onIncomingMessage(unsupported);
  IncomingMessage binary{bob.sessionId,
                         7,
                         "sip:x@example.test",
                         "",
                         "sip:bob@example.test",
                         "text/plain",
                         std::string("a\0b\xff", 4),
                         ""};
  f.bridge->messageListener().onIncomingMessage(binary);
  BOOST_REQUIRE_EQUAL(f.sip.answers.size(), 3u);
  BOOST_CHECK_EQUAL(f.sip.answers[0].second, 400);
  BOOST_CHECK_EQUAL(f.sip.answers[1].second, 415);
  BOOST_CHECK_EQUAL(f.sip.answers[2].second, 400);  // JSON and the store cannot carry it
  BOOST_CHECK_EQUAL(eventsOf(f.store, bob.sessionId, "ErrorEvent").size(), 3u);
  BOOST_CHECK(eventsOf(f.store, bob.sessionId, "OnMessageEvent").empty());
}

BOOST_AUTO_TEST_CASE(an_incoming_body_over_the_limit_is_refused_413_not_400) {
  Fixture f;  // messages.maxIncomingBytes: 65536
  auto [bob, bobSession] = registered(f);
  IncomingMessage large{
      bob.sessionId,           8, "sip:x@example.test", "", "sip:bob@example.test", "text/plain",
      std::string(65537, 'x'), ""};
  f.bridge->messageListener().onIncomingMessage(large);
  BOOST_REQUIRE_EQUAL(f.sip.answers.size(), 1u);
  BOOST_CHECK_EQUAL(f.sip.answers[0].first, 8u);
  BOOST_CHECK_EQUAL(f.sip.answers[0].second, 413);
  const auto errors = eventsOf(f.store, bob.sessionId, "ErrorEvent");
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_CHECK(errors[0].fields["info"].toString().find("messages.maxIncomingBytes") !=
              std::string::npos);
  BOOST_CHECK(eventsOf(f.store, bob.sessionId, "OnMessageEvent").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(CorePresence)

BOOST_AUTO_TEST_CASE(subscribe_validates_and_reports_notifies) {
  Fixture f;
  auto [alice, session] = registered(f);
  auto fieldOf = [&](const std::string& body) {
    try {
      f.run(session, "subscribe", *json(body));
    } catch (const DomainError& e) {
      return e.field();
    }
    return std::string("accepted");
  };
  BOOST_CHECK_EQUAL(fieldOf(R"({})"), "event");
  BOOST_CHECK_EQUAL(fieldOf(R"({"event":"pres ence"})"), "event");
  BOOST_CHECK_EQUAL(fieldOf(R"({"event":"dialog"})"), "accept");
  BOOST_CHECK_EQUAL(fieldOf(R"({"event":"presence","expires":5})"), "expires");
  BOOST_CHECK_EQUAL(fieldOf(R"({"event":"presence","to":"b\r\nX: y"})"), "to");
  BOOST_CHECK(f.sip.subscribed.empty());
  auto reply = f.run(session, "subscribe", *json(R"({"event":"reg"})"));
  BOOST_REQUIRE_EQUAL(f.sip.subscribed.size(), 1u);
  BOOST_CHECK_EQUAL(f.sip.subscribed[0].targetUri, "sip:alice@example.test");
  BOOST_CHECK_EQUAL(f.sip.subscribed[0].accept, "application/reginfo+xml");
  const auto id = f.sip.subscribed[0].subscriptionId;
  const std::string reginfo =
      R"(<?xml version="1.0"?><reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">)"
      R"(<registration aor="sip:alice@example.test" id="a7" state="active">)"
      R"(<contact id="76" state="active" event="registered"><uri>sip:sb1@127.0.0.1</uri></contact>)"
      R"(</registration></reginfo>)";
  f.bridge->subscriptionListener().onNotify(
      {alice.sessionId, id, "active", "", "application/reginfo+xml", reginfo, "NOTIFY ..."});
  auto events = eventsOf(f.store, alice.sessionId, "SubscriptionStatusEvent");
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_CHECK_EQUAL(events[0].status, "Active");
  BOOST_CHECK_EQUAL(events[0].fields["requestBody"].toString(), reginfo);
  BOOST_CHECK(toJson(events[0]).find("sip:sb1@127.0.0.1") != std::string::npos);
  // terminate ends it with Expires: 0
  f.run(session, "subscribe", *json(R"({"event":"reg","terminate":true})"));
  BOOST_CHECK_EQUAL(f.sip.unsubscribed.size(), 1u);
  BOOST_CHECK_THROW(f.run(session, "subscribe", *json(R"({"event":"presence","terminate":true})")),
                    DomainError);
  f.bridge->subscriptionListener().onNotify(
      {alice.sessionId, id, "terminated", "timeout", "", "", ""});
  events = eventsOf(f.store, alice.sessionId, "SubscriptionStatusEvent");
  BOOST_CHECK_EQUAL(events.back().status, "Terminated");
  BOOST_CHECK_EQUAL(events.back().fields["info"].toString(), "timeout");
}

BOOST_AUTO_TEST_CASE(notify_storms_are_coalesced_for_hooks_but_all_stored) {
  Fixture f;
  auto [bob, session] = registered(f);
  f.run(session, "subscribe", *json(R"({"event":"presence","to":"alice"})"));
  const auto id = f.sip.subscribed.at(0).subscriptionId;
  auto pidf = [](const std::string& note) {
    return R"(<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.test">)"
           R"(<tuple id="t1"><status><basic>open</basic></status><note>)" +
           note + R"(</note></tuple></presence>)";
  };
  for (int i = 0; i < 5; ++i)
    f.bridge->subscriptionListener().onNotify({bob.sessionId, id, "active", "",
                                               "application/pidf+xml",
                                               pidf("n" + std::to_string(i)), ""});
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto events = eventsOf(f.store, bob.sessionId, "SubscriptionStatusEvent");
  BOOST_REQUIRE_EQUAL(events.size(), 5u);  // every NOTIFY stored, in order
  int delivered = 0;
  for (const auto& e : events) delivered += e.fields.contains("coalesced") ? 0 : 1;
  BOOST_CHECK_EQUAL(delivered, 2);  // the first at once, the latest after the interval
  BOOST_CHECK(events.back().fields["requestBody"].toString().find("n4") != std::string::npos);
  BOOST_CHECK(!events.back().fields.contains("coalesced"));
  BOOST_CHECK(toJson(events.back()).find(R"("note":"n4")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(publish_and_xcap_requests) {
  Fixture f;
  auto [alice, session] = registered(f);
  f.run(session, "publish", *json(R"({"state":"closed","note":"away"})"));
  BOOST_REQUIRE_EQUAL(f.sip.published.size(), 1u);
  BOOST_CHECK(f.sip.published[0].body.find("<basic>closed</basic>") != std::string::npos);
  BOOST_CHECK(f.sip.published[0].body.find("away") != std::string::npos);
  f.bridge->subscriptionListener().onPublishOutcome(
      {alice.sessionId, f.sip.published[0].publicationId, 200, "OK"});
  BOOST_CHECK_EQUAL(eventsOf(f.store, alice.sessionId, "PublishStatusEvent").back().status,
                    "PUBLISHED");
  BOOST_CHECK_THROW(f.run(session, "publish", *json(R"({"state":"busy"})")), DomainError);

  auto expectField = [&](const std::string& body, const std::string& name) {
    BOOST_CHECK_EXCEPTION(f.run(session, "sendXcapRequest", *json(body)), DomainError,
                          [&](const DomainError& e) { return e.field() == name; });
  };
  expectField(R"({})", "url");
  expectField(R"({"url":"http://127.0.0.1:1/xcap-root/../etc/passwd"})", "url");
  expectField(R"({"url":"http://127.0.0.1:1/xcap-root/x","method":"POST"})", "method");
  expectField(R"({"url":"http://127.0.0.1:1/xcap-root/x","method":"PUT"})", "body");
  BOOST_CHECK(f.xcap.requests.empty());
  auto reply =
      f.run(session, "sendXcapRequest", *json(R"({"url":"http://127.0.0.1:1/xcap-root/rls/doc"})"));
  BOOST_REQUIRE_EQUAL(f.xcap.requests.size(), 1u);
  BOOST_CHECK_EQUAL(f.xcap.requests[0].user, "alice");
  auto answers = eventsOf(f.store, alice.sessionId, "XcapStatusEvent");
  BOOST_REQUIRE_EQUAL(answers.size(), 1u);
  BOOST_CHECK_EQUAL(answers[0].fields["httpStatus"].toString(), "200");
  BOOST_CHECK_EQUAL(answers[0].fields["id"].toString(), reply->getValue<std::string>("id"));
}

BOOST_AUTO_TEST_SUITE_END()
