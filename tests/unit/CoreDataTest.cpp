// The data use case (sendData) against in-memory stand-ins for sessions, applications,
// the backend hook and the event store; the HTTP and PostgreSQL paths are covered by
// DataEndToEndTest.
#include "sipbridge/api/MethodRequests.h"
#include "sipbridge/core/DataChannels.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Session.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

using namespace sipbridge::core;

namespace {

/// Sessions whose events "commit" at once: listener first, then the callback (as the
/// store writer does).
struct FakeSessions : SessionContext {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<Session>> live;
  std::vector<Event> events;
  CommitListener* listener = nullptr;
  bool up = true;

  std::shared_ptr<Session> add(const std::string& id, const std::string& appKey,
                               const std::string& login) {
    ConnectRequest request;
    request.appKey = appKey;
    request.sipLogin = login;
    auto session = std::make_shared<Session>(id, id + ".t", request, "c" + id, 64, nowMs());
    std::lock_guard lock(mutex);
    live[id] = session;
    return session;
  }
  std::shared_ptr<Session> liveSession(const std::string& id) const override {
    auto it = live.find(id);
    return it == live.end() ? nullptr : it->second;
  }
  std::shared_ptr<Session> anySession(const std::string& id) const override {
    return liveSession(id);
  }
  std::vector<std::shared_ptr<Session>> findInApp(const std::string& appKey,
                                                  const std::string& idOrLogin) const override {
    std::vector<std::shared_ptr<Session>> found;
    for (const auto& [id, s] : live)
      if (s->appKey() == appKey && (id == idOrLogin || s->request().sipLogin == idOrLogin))
        found.push_back(s);
    return found;
  }
  bool accepting() const override { return up; }
  void emit(Session& session, const std::string& type, const std::string& status,
            Poco::DynamicStruct fields, CommitCallback done) override {
    Event event;
    {
      std::lock_guard lock(mutex);
      event.eventId = newUuid();
      event.type = type;
      event.status = status;
      event.sessionId = session.sessionId();
      event.appKey = session.appKey();
      event.seq = static_cast<std::int64_t>(events.size()) + 1;
      event.fields = std::move(fields);
      events.push_back(event);
    }
    if (listener) listener->onCommitted({event});
    if (done) done(true);
  }

  std::vector<Event> of(const std::string& sessionId, const std::string& type) {
    std::lock_guard lock(mutex);
    std::vector<Event> out;
    for (const auto& e : events)
      if (e.sessionId == sessionId && e.type == type) out.push_back(e);
    return out;
  }
  /// Waits for the session's first DataStatusEvent.
  Event status(const std::string& sessionId, int waitMs = 3000) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
    while (std::chrono::steady_clock::now() < until) {
      auto found = of(sessionId, "DataStatusEvent");
      if (!found.empty()) return found.front();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    BOOST_FAIL("no DataStatusEvent on " + sessionId);
    return {};
  }
};

struct FakeApps : AppDirectory {
  std::map<std::string, App> apps;
  std::optional<App> find(const std::string& key) override {
    auto it = apps.find(key);
    return it == apps.end() ? std::nullopt : std::optional<App>(it->second);
  }
  std::vector<App> list() override { return {}; }
  bool put(const App&) override { return true; }
  bool remove(const std::string&) override { return false; }
};

/// Answers with the scripted statuses in turn (the last one repeats), after answerMs.
struct ScriptedDataHook : DataHook {
  std::mutex mutex;
  std::deque<int> answers{200};
  std::optional<std::int64_t> retryAfterMs;
  std::map<std::string, int> answerMs;                     ///< per application key; 0 when absent
  std::vector<std::pair<std::string, std::string>> calls;  ///< (eventId, body)
  DataHookResult post(const App& app, const std::string& json,
                      const std::string& eventId) override {
    int delay = 0;
    {
      std::lock_guard lock(mutex);
      calls.emplace_back(eventId, json);
      if (auto it = answerMs.find(app.appKey); it != answerMs.end()) delay = it->second;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    std::lock_guard lock(mutex);
    DataHookResult result;
    result.status = answers.front();
    if (answers.size() > 1) answers.pop_front();
    if (result.status == 0) result.error = "connection refused";
    if (result.status == 429) result.retryAfterMs = retryAfterMs;
    return result;
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return calls.size();
  }
};

struct FakeDataStore : DataStore {
  std::vector<UnansweredData> left;
  std::vector<UnansweredData> unanswered(const std::string&) override { return left; }
};

/// The session ids of a DataStatusEvent's deliveredTo.
std::vector<std::string> deliveredTo(const Event& status) {
  std::vector<std::string> ids;
  if (!status.fields.contains("deliveredTo")) return ids;
  for (const auto& id : *status.fields["deliveredTo"].extract<Poco::JSON::Array::Ptr>())
    ids.push_back(id.toString());
  return ids;
}

Poco::JSON::Object::Ptr json(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

struct Fixture {
  FakeSessions sessions;
  FakeApps apps;
  ScriptedDataHook hook;
  FakeDataStore store;
  std::unique_ptr<DataChannels> data;
  std::shared_ptr<Session> alice, bob, eve;

  explicit Fixture(DataConfig config = quick()) {
    apps.apps["demo"] = App{"demo", "http://127.0.0.1:9", "whsec_x"};
    apps.apps["bare"] = App{"bare", "", "whsec_x"};
    apps.apps["other"] = App{"other", "http://127.0.0.1:9", "whsec_y"};
    alice = sessions.add("n1-a", "demo", "alice");
    bob = sessions.add("n1-b", "demo", "bob");
    eve = sessions.add("n1-e", "other", "eve");
    data = std::make_unique<DataChannels>(config, sessions, apps, hook, store);
    sessions.listener = data.get();
  }
  ~Fixture() {
    data.reset();
    sessions.listener = nullptr;
  }
  static DataConfig quick() {
    DataConfig config;
    config.firstRetryDelayMs = 20;
    config.hookDeadlineMs = 2000;
    config.maxPayloadBytes = 64;
    return config;
  }
  std::string send(const std::shared_ptr<Session>& from, const std::string& body) {
    return data->send(from, sipbridge::api::parseSendData(*json(body)));
  }
  /// The code of the error sending `body` gives (its field in `field`); "" when accepted.
  std::string errorCode(const std::shared_ptr<Session>& from, const std::string& body,
                        std::string& field) {
    try {
      send(from, body);
    } catch (const DomainError& e) {
      field = e.field();
      return e.code();
    }
    return {};
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(CoreData)

BOOST_AUTO_TEST_CASE(backend_answering_2xx_gets_the_signed_event_and_accepted) {
  Fixture f;
  BOOST_TEST(f.send(f.alice, R"({"operationId":"op1","payload":{"n":1}})") == "op1");
  const Event status = f.sessions.status("n1-a");
  BOOST_TEST(status.status == "ACCEPTED");
  BOOST_TEST(status.fields["attempts"].convert<int>() == 1);
  BOOST_TEST(status.fields["httpStatus"].convert<int>() == 200);
  const auto sent = f.sessions.of("n1-a", "OnDataEvent");
  BOOST_REQUIRE(sent.size() == 1u);
  BOOST_TEST(sent[0].fields["direction"].toString() == "outgoing");
  BOOST_TEST(sent[0].fields["hookDelivery"].toString() == "direct");
  BOOST_REQUIRE(f.hook.count() == 1u);
  BOOST_TEST(f.hook.calls[0].first == sent[0].eventId);
  const auto body = json(f.hook.calls[0].second);
  BOOST_TEST(body->getValue<std::string>("type") == "OnDataEvent");
  BOOST_TEST(body->getObject("payload")->getValue<int>("n") == 1);
}

BOOST_AUTO_TEST_CASE(generated_operation_id_when_absent) {
  Fixture f;
  const std::string id = f.send(f.alice, R"({"payload":"hello"})");
  BOOST_TEST(id.size() == 36u);
  BOOST_TEST(f.sessions.status("n1-a").fields["operationId"].toString() == id);
}

BOOST_AUTO_TEST_CASE(server_error_is_retried_then_accepted) {
  Fixture f;
  f.hook.answers = {500, 0, 200};
  f.send(f.alice, R"({"payload":[1,2]})");
  const Event status = f.sessions.status("n1-a");
  BOOST_TEST(status.status == "ACCEPTED");
  BOOST_TEST(status.fields["attempts"].convert<int>() == 3);
  BOOST_TEST(f.hook.count() == 3u);
  BOOST_TEST(f.hook.calls[0].first == f.hook.calls[2].first);  // same webhook-id each time
}

BOOST_AUTO_TEST_CASE(persistent_server_error_fails_after_the_attempts) {
  Fixture f;
  f.hook.answers = {503};
  f.send(f.alice, R"({"payload":1})");
  const Event status = f.sessions.status("n1-a");
  BOOST_TEST(status.status == "FAILED");
  BOOST_TEST(status.fields["httpStatus"].convert<int>() == 503);
  BOOST_TEST(status.fields["attempts"].convert<int>() == 3);
  BOOST_TEST(f.hook.count() == 3u);
}

BOOST_AUTO_TEST_CASE(client_error_is_not_retried) {
  Fixture f;
  f.hook.answers = {400, 200};
  f.send(f.alice, R"({"payload":1})");
  const Event status = f.sessions.status("n1-a");
  BOOST_TEST(status.status == "FAILED");
  BOOST_TEST(status.fields["httpStatus"].convert<int>() == 400);
  BOOST_TEST(status.fields["attempts"].convert<int>() == 1);
  BOOST_TEST(f.hook.count() == 1u);
}

BOOST_AUTO_TEST_CASE(no_retry_beyond_the_deadline) {
  DataConfig config = Fixture::quick();
  config.hookAttempts = 10;
  config.firstRetryDelayMs = 60;
  config.hookDeadlineMs = 150;  // 60 ms fits, the next 240 ms does not
  Fixture f(config);
  f.hook.answers = {500};
  f.send(f.alice, R"({"payload":1})");
  const Event status = f.sessions.status("n1-a");
  BOOST_TEST(status.status == "FAILED");
  BOOST_TEST(status.fields["attempts"].convert<int>() == 2);
  BOOST_TEST(status.fields["info"].toString().find("no retry possible") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_the_deadline_fails) {
  DataConfig config = Fixture::quick();
  config.hookDeadlineMs = 500;
  Fixture f(config);
  f.hook.answers = {429, 200};
  f.hook.retryAfterMs = 5000;
  f.send(f.alice, R"({"payload":1})");
  const Event status = f.sessions.status("n1-a");
  BOOST_TEST(status.status == "FAILED");
  BOOST_TEST(status.fields["httpStatus"].convert<int>() == 429);
  BOOST_TEST(f.hook.count() == 1u);
}

BOOST_AUTO_TEST_CASE(app_without_hook_url_fails_at_once) {
  Fixture f;
  auto lone = f.sessions.add("n1-l", "bare", "");
  f.send(lone, R"({"payload":1})");
  const auto statuses = f.sessions.of("n1-l", "DataStatusEvent");
  BOOST_REQUIRE(statuses.size() == 1u);
  BOOST_TEST(statuses[0].status == "FAILED");
  BOOST_TEST(statuses[0].fields["info"].toString() == "the application has no hook URL");
  BOOST_TEST(f.hook.count() == 0u);
}

BOOST_AUTO_TEST_CASE(data_to_another_session_by_login_and_by_id) {
  Fixture f;
  f.send(f.alice, R"({"operationId":"x1","payload":{"a":"b"},"to":"bob"})");
  f.send(f.alice, R"({"operationId":"x2","payload":7,"to":"n1-b"})");
  const auto received = f.sessions.of("n1-b", "OnDataEvent");
  BOOST_REQUIRE(received.size() == 2u);
  BOOST_TEST(received[0].fields["from"].toString() == "n1-a");
  BOOST_TEST(received[0].fields["fromLogin"].toString() == "alice");
  BOOST_TEST(received[0].fields["incoming"].convert<bool>());
  BOOST_TEST(received[1].fields["operationId"].toString() == "x2");
  const auto statuses = f.sessions.of("n1-a", "DataStatusEvent");
  BOOST_REQUIRE(statuses.size() == 2u);
  BOOST_TEST(statuses[0].status == "ACCEPTED");
  BOOST_TEST(statuses[0].fields["to"].toString() == "bob");
  BOOST_TEST(deliveredTo(statuses[0]) == std::vector<std::string>{"n1-b"});
  BOOST_TEST(deliveredTo(statuses[1]) == std::vector<std::string>{"n1-b"});
  BOOST_TEST(f.hook.count() == 0u);
}

BOOST_AUTO_TEST_CASE(data_to_a_login_reaches_every_session_of_it_but_the_sender) {
  Fixture f;
  f.sessions.add("n1-b2", "demo", "bob");    // bob's second tab
  f.sessions.add("n1-a2", "demo", "alice");  // alice's second tab
  f.sessions.add("n1-x", "other", "bob");    // another application's bob
  f.send(f.alice, R"({"operationId":"tabs","payload":1,"to":"bob"})");
  BOOST_TEST(f.sessions.of("n1-b", "OnDataEvent").size() == 1u);
  BOOST_TEST(f.sessions.of("n1-b2", "OnDataEvent").size() == 1u);
  BOOST_TEST(f.sessions.of("n1-x", "OnDataEvent").empty());
  auto statuses = f.sessions.of("n1-a", "DataStatusEvent");
  BOOST_REQUIRE(statuses.size() == 1u);
  BOOST_TEST(statuses[0].status == "ACCEPTED");
  BOOST_TEST(statuses[0].fields["to"].toString() == "bob");
  auto ids = deliveredTo(statuses[0]);
  std::sort(ids.begin(), ids.end());
  BOOST_TEST(ids == (std::vector<std::string>{"n1-b", "n1-b2"}));
  // To one's own login: the other tab only.
  f.send(f.alice, R"({"operationId":"self","payload":2,"to":"alice"})");
  BOOST_TEST(f.sessions.of("n1-a2", "OnDataEvent").size() == 1u);
  BOOST_TEST(f.sessions.of("n1-a", "OnDataEvent").empty());
  statuses = f.sessions.of("n1-a", "DataStatusEvent");
  BOOST_REQUIRE(statuses.size() == 2u);
  BOOST_TEST(deliveredTo(statuses[1]) == std::vector<std::string>{"n1-a2"});
}

BOOST_AUTO_TEST_CASE(to_a_session_of_another_app_or_self_is_refused) {
  Fixture f;
  std::string field;
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":1,"to":"eve"})", field) == "not_found");
  BOOST_TEST(field == "to");
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":1,"to":"n1-e"})", field) == "not_found");
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":1,"to":"alice"})", field) == "invalid_field");
  BOOST_TEST(field == "to");
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":1,"to":5})", field) == "invalid_field");
  BOOST_TEST(f.sessions.of("n1-e", "OnDataEvent").empty());
}

BOOST_AUTO_TEST_CASE(bad_input_names_the_field) {
  Fixture f;
  std::string field;
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":")" + std::string(80, 'x') + R"("})", field) ==
             "invalid_field");
  BOOST_TEST(field == "payload");
  BOOST_TEST(f.errorCode(f.alice, R"({"operationId":"a"})", field) == "invalid_field");
  BOOST_TEST(field == "payload");
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":1,"colour":"red"})", field) == "invalid_field");
  BOOST_TEST(field == "colour");
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":1,"operationId":"a\nb"})", field) ==
             "invalid_field");
  BOOST_TEST(field == "operationId");
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":1,"operationId":12})", field) == "invalid_field");
  BOOST_TEST(f.errorCode(f.alice,
                         R"({"payload":1,"operationId":")" + std::string(129, 'o') + R"("})",
                         field) == "invalid_field");
  BOOST_TEST(f.sessions.of("n1-a", "OnDataEvent").empty());
}

BOOST_AUTO_TEST_CASE(a_nul_anywhere_in_the_payload_is_refused) {
  Fixture f;
  std::string field;
  for (const std::string body :
       {R"({"payload":"a\u0000b"})", R"({"payload":{"k":["x","\u0000"]}})",
        R"({"payload":[{"deep":{"er":"\u0000"}}]})", R"({"payload":"z\u0000","to":"bob"})"}) {
    BOOST_TEST(f.errorCode(f.alice, body, field) == "invalid_field", body);
    BOOST_TEST(field == "payload");
  }
  BOOST_CHECK_THROW(f.data->sendToSession(f.bob, sipbridge::api::parseSendData(
                                                     *json(R"({"payload":["\u0000"]})"), false)),
                    DomainError);
  // A member name with a NUL (built by hand: Poco's parser cuts names at a NUL).
  Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
  payload->set(std::string("a\0b", 3), 1);
  Poco::JSON::Object request;
  request.set("payload", payload);
  try {
    f.data->send(f.alice, sipbridge::api::parseSendData(request));
    BOOST_FAIL("a NUL in a member name was accepted");
  } catch (const DomainError& e) {
    BOOST_TEST(e.code() == "invalid_field");
    BOOST_TEST(e.field() == "payload");
  }
  BOOST_TEST(f.sessions.of("n1-a", "OnDataEvent").empty());
  BOOST_TEST(f.sessions.of("n1-b", "OnDataEvent").empty());
  // Other escapes are fine.
  BOOST_TEST(f.errorCode(f.alice, R"({"payload":{"t":"\u00e9\t\u0001"}})", field).empty());
}

BOOST_AUTO_TEST_CASE(queue_full_refuses_before_recording) {
  DataConfig config = Fixture::quick();
  config.queueCapacity = 1;
  config.firstRetryDelayMs = 1000;
  Fixture f(config);
  f.hook.answers = {500};
  f.send(f.alice, R"({"payload":1})");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BOOST_CHECK_THROW(f.send(f.alice, R"({"payload":2})"), Unavailable);
  BOOST_TEST(f.sessions.of("n1-a", "OnDataEvent").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_slow_backend_does_not_delay_another_application) {
  DataConfig config = Fixture::quick();
  config.workers = 2;
  config.perAppInFlight = 1;
  Fixture f(config);
  f.hook.answerMs["other"] = 300;
  for (int i = 0; i < 6; ++i) f.send(f.eve, R"({"payload":1})");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto sent = std::chrono::steady_clock::now();
  f.send(f.alice, R"({"operationId":"quick","payload":2})");
  const Event status = f.sessions.status("n1-a");
  const auto waited = std::chrono::steady_clock::now() - sent;
  BOOST_TEST(status.status == "ACCEPTED");
  // One shared FIFO would make it wait for three rounds of the slow backend (900 ms).
  BOOST_TEST(waited < std::chrono::milliseconds(200));
  BOOST_TEST(f.sessions.of("n1-e", "DataStatusEvent").size() <= 1u);
}

BOOST_AUTO_TEST_CASE(applications_take_turns_for_the_workers) {
  DataConfig config = Fixture::quick();
  config.workers = 1;
  Fixture f(config);
  f.hook.answerMs["other"] = 100;
  f.hook.answerMs["demo"] = 100;
  for (int i = 0; i < 4; ++i) f.send(f.eve, R"({"payload":1})");
  f.send(f.alice, R"({"operationId":"second-app","payload":2})");
  // Eve's first post is under way; alice's is next, before eve's three others.
  const Event status = f.sessions.status("n1-a");
  BOOST_TEST(status.status == "ACCEPTED");
  BOOST_TEST(f.sessions.of("n1-e", "DataStatusEvent").size() <= 2u);
}

BOOST_AUTO_TEST_CASE(deadline_counts_from_acceptance) {
  DataConfig config = Fixture::quick();
  config.workers = 1;
  config.hookDeadlineMs = 150;
  Fixture f(config);
  f.hook.answerMs["demo"] = 300;
  f.send(f.alice, R"({"payload":1})");
  f.send(f.bob, R"({"payload":2})");  // queued behind alice's slow post past its deadline
  BOOST_TEST(f.sessions.status("n1-a").status == "ACCEPTED");
  const Event late = f.sessions.status("n1-b");
  BOOST_TEST(late.status == "FAILED");
  BOOST_TEST(late.fields["info"].toString() ==
             "deadline passed before the backend could be reached");
  BOOST_TEST(late.fields["attempts"].convert<int>() == 0);
  BOOST_TEST(f.hook.count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_full_application_queue_refuses_only_that_application) {
  DataConfig config = Fixture::quick();
  config.workers = 1;
  config.perAppInFlight = 1;
  config.perAppQueue = 1;
  Fixture f(config);
  f.hook.answerMs["other"] = 300;
  f.send(f.eve, R"({"payload":1})");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // picked: in flight
  f.send(f.eve, R"({"payload":2})");                           // waiting
  BOOST_CHECK_THROW(f.send(f.eve, R"({"payload":3})"), Unavailable);
  BOOST_CHECK_NO_THROW(f.send(f.alice, R"({"payload":4})"));
  BOOST_TEST(f.sessions.of("n1-e", "OnDataEvent").size() == 2u);
}

BOOST_AUTO_TEST_CASE(shutdown_fails_pending_work) {
  DataConfig config = Fixture::quick();
  config.firstRetryDelayMs = 5000;
  config.hookDeadlineMs = 20000;
  auto f = std::make_unique<Fixture>(config);
  f->hook.answers = {500};
  f->send(f->alice, R"({"payload":1})");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto started = std::chrono::steady_clock::now();
  f->data.reset();
  const bool prompt = std::chrono::steady_clock::now() - started < std::chrono::seconds(2);
  BOOST_TEST(prompt);
  const Event status = f->sessions.status("n1-a", 50);
  BOOST_TEST(status.status == "FAILED");
  BOOST_TEST(status.fields["info"].toString().find("node shutting down") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stop_records_the_post_in_flight_and_fails_the_queued) {
  DataConfig config = Fixture::quick();
  config.workers = 1;
  Fixture f(config);
  f.hook.answerMs["demo"] = 300;
  f.send(f.alice, R"({"operationId":"flying","payload":1})");
  f.send(f.bob, R"({"operationId":"waiting","payload":2})");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  f.data->stop();
  // Both outcomes are recorded before stop() returns (the store still runs then).
  const auto flying = f.sessions.of("n1-a", "DataStatusEvent");
  BOOST_REQUIRE(flying.size() == 1u);
  BOOST_TEST(flying[0].status == "ACCEPTED");
  BOOST_TEST(flying[0].fields["httpStatus"].convert<int>() == 200);
  const auto waiting = f.sessions.of("n1-b", "DataStatusEvent");
  BOOST_REQUIRE(waiting.size() == 1u);
  BOOST_TEST(waiting[0].status == "FAILED");
  BOOST_TEST(waiting[0].fields["info"].toString() == "node shutting down");
  BOOST_TEST(f.hook.count() == 1u);
  // No more work once stopped: 503, nothing recorded.
  BOOST_CHECK_THROW(f.send(f.alice, R"({"payload":3})"), Unavailable);
  BOOST_CHECK_THROW(f.send(f.alice, R"({"payload":3,"to":"bob"})"), Unavailable);
  BOOST_CHECK_THROW(
      f.data->sendToSession(f.bob, sipbridge::api::parseSendData(*json(R"({"payload":4})"), false)),
      Unavailable);
  BOOST_TEST(f.sessions.of("n1-a", "OnDataEvent").size() == 1u);
  BOOST_TEST(f.sessions.of("n1-b", "OnDataEvent").size() == 1u);
  f.data->stop();  // again: nothing more happens
}

BOOST_AUTO_TEST_CASE(backend_data_to_a_session) {
  Fixture f;
  const std::string id = f.data->sendToSession(
      f.bob, sipbridge::api::parseSendData(*json(R"({"payload":{"k":true}})"), false));
  const auto received = f.sessions.of("n1-b", "OnDataEvent");
  BOOST_REQUIRE(received.size() == 1u);
  BOOST_TEST(received[0].fields["operationId"].toString() == id);
  BOOST_TEST(received[0].fields["from"].toString() == "backend");
  BOOST_CHECK_THROW(f.data->sendToSession(f.bob, sipbridge::api::parseSendData(
                                                     *json(R"({"payload":1,"to":"x"})"), false)),
                    DomainError);
}

BOOST_AUTO_TEST_CASE(leftovers_of_a_previous_run_fail) {
  Fixture f;
  f.store.left = {{"n1-old", "demo", "op9"}};
  std::vector<std::pair<std::string, std::string>> recorded;
  f.data->failLeftovers("n1", [&](const UnansweredData& d, Poco::DynamicStruct fields) {
    recorded.emplace_back(d.sessionId, fields["info"].toString());
    BOOST_TEST(fields["operationId"].toString() == "op9");
  });
  BOOST_REQUIRE(recorded.size() == 1u);
  BOOST_TEST(recorded[0].second == "node restarted before the backend answered");
}

BOOST_AUTO_TEST_SUITE_END()
