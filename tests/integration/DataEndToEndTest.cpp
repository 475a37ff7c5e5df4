// sendData end to end: the real sipbridge binary with real PostgreSQL, Kamailio and a hook
// receiver standing in for the application backend.
#include "EndToEndSupport.h"

#include <boost/test/unit_test.hpp>

#include <set>
#include <thread>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

Client connect(Stack& s, const std::string& appKey, const std::string& login) {
  auto connected = s.bridge.post("/api/v1/connect", connectBody(appKey, login, "pw", false));
  BOOST_REQUIRE_EQUAL(connected.status, 200);
  Client c{connected.json()->getValue<std::string>("authToken"),
           connected.json()->getValue<std::string>("sessionId")};
  pollUntil(s.bridge, c.token, c.after, "ConnectionStatusEvent", "ESTABLISHED", 10s);
  return c;
}

/// The first event of `type` (and `status`, for events that have one) the client reads next.
Poco::JSON::Object::Ptr next(Stack& s, Client& c, const std::string& type,
                             const std::string& status = {}) {
  auto events = pollUntil(s.bridge, c.token, c.after, type, status, 15s);
  BOOST_REQUIRE_MESSAGE(!events.empty() && field(events.back(), "type") == type &&
                            field(events.back(), "status") == status,
                        "no " + type + " " + status);
  return events.back();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(DataEndToEnd)

BOOST_AUTO_TEST_CASE(sessions_exchange_data_and_the_backend_sends_some) {
  Stack s(Env{{"SIPBRIDGE_DATA_MAXPAYLOADBYTES", "1024"}});
  s.addApp("chat", false);
  s.addApp("other", false);
  Client alice = connect(s, "chat", "alice");
  Client bob = connect(s, "chat", "bob");
  Client bobTab = connect(s, "chat", "bob");  // the same user in a second tab
  Client eve = connect(s, "other", "eve");

  // By SIP login: every session of that login gets it.
  auto sent = s.bridge.post("/api/v1/sendData",
                            R"({"operationId":"op-1","payload":{"text":"hi bob"},"to":"bob"})",
                            alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  BOOST_CHECK_EQUAL(sent.json()->getValue<std::string>("operationId"), "op-1");
  auto received = next(s, bob, "OnDataEvent");
  BOOST_CHECK_EQUAL(received->getObject("payload")->getValue<std::string>("text"), "hi bob");
  BOOST_CHECK_EQUAL(field(received, "from"), alice.sessionId);
  BOOST_CHECK_EQUAL(field(received, "fromLogin"), "alice");
  BOOST_CHECK_EQUAL(field(received, "incoming"), "true");
  received = next(s, bobTab, "OnDataEvent");
  BOOST_CHECK_EQUAL(field(received, "operationId"), "op-1");
  BOOST_CHECK_EQUAL(field(received, "from"), alice.sessionId);
  auto status = next(s, alice, "DataStatusEvent", "ACCEPTED");
  BOOST_CHECK_EQUAL(field(status, "operationId"), "op-1");
  BOOST_CHECK_EQUAL(field(status, "to"), "bob");
  std::set<std::string> delivered;
  for (const auto& id : *status->getArray("deliveredTo")) delivered.insert(id.toString());
  BOOST_CHECK(delivered == (std::set<std::string>{bob.sessionId, bobTab.sessionId}));

  // By session id, with a generated operationId.
  sent = s.bridge.post("/api/v1/sendData", R"({"payload":[1,2,3],"to":")" + alice.sessionId + "\"}",
                       bob.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  const std::string generated = sent.json()->getValue<std::string>("operationId");
  received = next(s, alice, "OnDataEvent");
  BOOST_CHECK_EQUAL(field(received, "operationId"), generated);
  BOOST_CHECK_EQUAL(received->getArray("payload")->size(), 3u);
  BOOST_CHECK_EQUAL(field(next(s, bob, "DataStatusEvent", "ACCEPTED"), "operationId"), generated);
  // By session id: only that tab.
  sent = s.bridge.post("/api/v1/sendData",
                       R"({"operationId":"op-tab","payload":2,"to":")" + bob.sessionId + "\"}",
                       alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  BOOST_CHECK_EQUAL(field(next(s, bob, "OnDataEvent"), "operationId"), "op-tab");
  status = next(s, alice, "DataStatusEvent", "ACCEPTED");
  BOOST_CHECK_EQUAL(field(status, "operationId"), "op-tab");
  BOOST_CHECK_EQUAL(status->getArray("deliveredTo")->size(), 1u);
  auto tabEvents = pollUntil(s.bridge, bobTab.token, bobTab.after, "OnDataEvent", "", 1s);
  BOOST_CHECK(tabEvents.empty());

  // The backend sends data to a session through the admin API.
  auto admin = s.bridge.admin("POST", "/admin/v1/sessions/" + bob.sessionId + "/data",
                              R"({"operationId":"from-backend","payload":{"n":42}})");
  BOOST_REQUIRE_EQUAL(admin.status, 202);
  BOOST_CHECK_EQUAL(admin.json()->getValue<std::string>("operationId"), "from-backend");
  received = next(s, bob, "OnDataEvent");
  BOOST_CHECK_EQUAL(field(received, "from"), "backend");
  BOOST_CHECK_EQUAL(received->getObject("payload")->getValue<int>("n"), 42);
  admin = s.bridge.admin("POST", "/admin/v1/sessions/node1-nobody/data", R"({"payload":1})");
  BOOST_CHECK_EQUAL(admin.status, 404);
  BOOST_CHECK_EQUAL(errorField(admin), "sessionId");

  // Sessions of another application are out of reach, by login and by id.
  for (const std::string& to : {std::string("eve"), eve.sessionId}) {
    sent = s.bridge.post("/api/v1/sendData", R"({"payload":1,"to":")" + to + "\"}", alice.token);
    BOOST_CHECK_EQUAL(sent.status, 404);
    BOOST_CHECK_EQUAL(errorField(sent), "to");
  }
  // Bad input names the field.
  sent = s.bridge.post("/api/v1/sendData", R"({"payload":1,"to":"alice"})", alice.token);
  BOOST_CHECK_EQUAL(sent.status, 400);
  BOOST_CHECK_EQUAL(errorField(sent), "to");
  sent =
      s.bridge.post("/api/v1/sendData",
                    R"({"payload":")" + std::string(2000, 'x') + R"(","to":"bob"})", alice.token);
  BOOST_CHECK_EQUAL(sent.status, 400);
  BOOST_CHECK_EQUAL(errorField(sent), "payload");
  sent = s.bridge.post("/api/v1/sendData", R"({"payload":1,"urgent":true})", alice.token);
  BOOST_CHECK_EQUAL(sent.status, 400);
  BOOST_CHECK_EQUAL(errorField(sent), "urgent");
  BOOST_CHECK_EQUAL(s.bridge.post("/api/v1/sendData", "{not json", alice.token).status, 400);
  // A NUL, which PostgreSQL's jsonb cannot keep, is refused up front (not a 503), in member
  // names too (not cut to {"a":"b"}).
  for (const std::string& body : {std::string(R"({"payload":{"t":"a\u0000b"}})"),
                                  std::string(R"({"payload":["\u0000"],"to":"bob"})"),
                                  std::string(R"({"payload":{"a\u0000zz":"b"}})"),
                                  std::string(R"({"payload":{"a\u0000zz":"b"},"to":"bob"})")}) {
    sent = s.bridge.post("/api/v1/sendData", body, alice.token);
    BOOST_CHECK_EQUAL(sent.status, 400);
    BOOST_CHECK_EQUAL(errorField(sent), "payload");
  }

  // Nothing of the refused requests reached eve or bob.
  auto eveEvents = pollUntil(s.bridge, eve.token, eve.after, "OnDataEvent", "", 1s);
  BOOST_CHECK(eveEvents.empty());
  auto bobEvents = pollUntil(s.bridge, bob.token, bob.after, "OnDataEvent", "", 1s);
  BOOST_CHECK(bobEvents.empty());
}

BOOST_AUTO_TEST_CASE(data_to_the_backend_accepted_failed_and_left_by_a_restart) {
  Stack s(Env{{"SIPBRIDGE_DATA_FIRSTRETRYDELAYMS", "100"}});
  const std::string secret = s.addApp("chat", false);
  Client alice = connect(s, "chat", "alice");

  // The backend answers 200: one signed POST, then ACCEPTED.
  auto sent = s.bridge.post("/api/v1/sendData", R"({"operationId":"op-ok","payload":{"order":7}})",
                            alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  auto outgoing = next(s, alice, "OnDataEvent");
  BOOST_CHECK_EQUAL(field(outgoing, "direction"), "outgoing");
  auto status = next(s, alice, "DataStatusEvent", "ACCEPTED");
  BOOST_CHECK_EQUAL(field(status, "operationId"), "op-ok");
  BOOST_CHECK_EQUAL(field(status, "httpStatus"), "200");
  BOOST_CHECK_EQUAL(field(status, "attempts"), "1");
  // The DataStatusEvent is an ordinary event: it reaches the hook through the outbox...
  BOOST_CHECK(s.receiver.waitFor(1, 10s, "/DataStatusEvent"));
  // ...while the OnDataEvent was posted once, directly, and never again by the outbox.
  std::this_thread::sleep_for(2s);
  auto posts = s.receiver.requests("/OnDataEvent");
  BOOST_REQUIRE_EQUAL(posts.size(), 1u);
  BOOST_CHECK(HookReceiver::signatureValid(posts[0], secret));
  BOOST_CHECK_EQUAL(posts[0].header("webhook-id"), field(outgoing, "eventId"));
  BOOST_CHECK(posts[0].body.find(R"("order":7)") != std::string::npos);

  // The backend answers 500: retried hookAttempts (3) times with the same id, then FAILED.
  s.receiver.setReply("/OnDataEvent", Reply::withStatus(500));
  sent =
      s.bridge.post("/api/v1/sendData", R"({"operationId":"op-bad","payload":"x"})", alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  status = next(s, alice, "DataStatusEvent", "FAILED");
  BOOST_CHECK_EQUAL(field(status, "operationId"), "op-bad");
  BOOST_CHECK_EQUAL(field(status, "httpStatus"), "500");
  BOOST_CHECK_EQUAL(field(status, "attempts"), "3");
  posts = s.receiver.requests("/OnDataEvent");
  BOOST_REQUIRE_EQUAL(posts.size(), 4u);
  BOOST_CHECK_EQUAL(posts[1].header("webhook-id"), posts[3].header("webhook-id"));
  BOOST_CHECK(posts[3].at - posts[1].at >= 400ms);  // 100 ms, then 400 ms apart

  // A node killed while the backend is still answering: FAILED at the next start.
  s.receiver.setReply("/OnDataEvent", Reply::slow(20000));
  sent = s.bridge.post("/api/v1/sendData", R"({"operationId":"op-lost","payload":1})", alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  BOOST_REQUIRE(s.receiver.waitFor(5, 10s, "/OnDataEvent"));
  s.bridge.kill9();
  s.bridge.start();
  auto found = s.bridge.admin(
      "GET", "/admin/v1/events?sessionId=" + alice.sessionId + "&type=DataStatusEvent");
  BOOST_REQUIRE_EQUAL(found.status, 200);
  auto events = found.json()->getArray("events");
  BOOST_REQUIRE_EQUAL(events->size(), 3u);
  auto last = events->getObject(2);
  BOOST_CHECK_EQUAL(field(last, "operationId"), "op-lost");
  BOOST_CHECK_EQUAL(field(last, "status"), "FAILED");
  BOOST_CHECK_EQUAL(field(last, "info"), "node restarted before the backend answered");
  s.receiver.stop();
}

BOOST_AUTO_TEST_CASE(a_clean_stop_records_the_answer_of_a_post_in_flight) {
  Stack s;
  s.addApp("chat", false);
  Client alice = connect(s, "chat", "alice");
  s.receiver.setReply("/OnDataEvent", Reply::slow(1500));
  auto sent =
      s.bridge.post("/api/v1/sendData", R"({"operationId":"op-late","payload":1})", alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  BOOST_REQUIRE(s.receiver.waitFor(1, 10s, "/OnDataEvent"));
  BOOST_CHECK_EQUAL(s.bridge.stop(), 0);  // while the backend is still answering
  s.bridge.start();
  auto found = s.bridge.admin("GET", "/admin/v1/events?sessionId=" + alice.sessionId);
  BOOST_REQUIRE_EQUAL(found.status, 200);
  auto events = found.json()->getArray("events");
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < events->size(); ++i) {
    auto event = events->getObject(static_cast<unsigned>(i));
    if (field(event, "type") == "DataStatusEvent" ||
        field(event, "type") == "ConnectionStatusEvent")
      seen.push_back(field(event, "type") + ":" + field(event, "status"));
  }
  // The backend's 200 is recorded, before the session ends; nothing is failed at the start.
  const std::vector<std::string> expected{"ConnectionStatusEvent:ESTABLISHED",
                                          "DataStatusEvent:ACCEPTED",
                                          "ConnectionStatusEvent:DISCONNECTED"};
  BOOST_CHECK_EQUAL_COLLECTIONS(seen.begin(), seen.end(), expected.begin(), expected.end());
  s.receiver.stop();
}

BOOST_AUTO_TEST_SUITE_END()
