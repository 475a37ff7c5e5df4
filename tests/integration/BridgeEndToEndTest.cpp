// The real sipbridge binary against real PostgreSQL, Kamailio and a hook receiver.
#include "EndToEndSupport.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>

#include <boost/test/unit_test.hpp>

#include <set>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

/// Reads one text frame (an event or a reply) from the WebSocket, or returns null on timeout.
Poco::JSON::Object::Ptr readFrame(Poco::Net::WebSocket& ws) {
  char buffer[65536];
  int flags = 0;
  for (;;) {
    int n = 0;
    try {
      n = ws.receiveFrame(buffer, sizeof buffer, flags);
    } catch (const Poco::TimeoutException&) {
      return nullptr;
    }
    const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
    if (opcode == Poco::Net::WebSocket::FRAME_OP_PING) {
      ws.sendFrame(buffer, n,
                   static_cast<int>(Poco::Net::WebSocket::FRAME_FLAG_FIN) |
                       static_cast<int>(Poco::Net::WebSocket::FRAME_OP_PONG));
      continue;
    }
    if (opcode != Poco::Net::WebSocket::FRAME_OP_TEXT) return nullptr;
    HttpResult text;
    text.body.assign(buffer, static_cast<std::size_t>(n));
    return text.json();
  }
}

std::unique_ptr<Poco::Net::WebSocket> openSocket(Poco::Net::HTTPClientSession& session,
                                                 const std::string& token, std::int64_t after) {
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET,
                                 "/api/v1/ws?token=" + token + "&after=" + std::to_string(after),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse response;
  auto ws = std::make_unique<Poco::Net::WebSocket>(session, request, response);
  ws->setReceiveTimeout(Poco::Timespan(10, 0));
  return ws;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(BridgeEndToEnd)

BOOST_AUTO_TEST_CASE(register_deliver_signed_hooks_and_disconnect) {
  Stack s;
  const std::string secret = s.addApp("app1");
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", "alice", "alice-secret"));
  BOOST_REQUIRE_EQUAL(connected.status, 200);
  const std::string token = connected.json()->getValue<std::string>("authToken");
  const std::string sessionId = connected.json()->getValue<std::string>("sessionId");
  BOOST_CHECK_EQUAL(connected.json()->getValue<std::string>("status"), "PENDING");

  std::int64_t after = 0;
  auto events = pollUntil(s.bridge, token, after, "ConnectionStatusEvent", "ESTABLISHED", 15s);
  const std::vector<std::string> expected{"ConnectionStatusEvent:PENDING",
                                          "RegistrationStatusEvent:REGISTERED",
                                          "ConnectionStatusEvent:ESTABLISHED"};
  BOOST_CHECK(statuses(events) == expected);
  for (std::size_t i = 0; i < events.size(); ++i) {
    BOOST_CHECK_EQUAL(events[i]->getValue<std::int64_t>("seq"), static_cast<std::int64_t>(i + 1));
    BOOST_CHECK_EQUAL(field(events[i], "sessionId"), sessionId);
    BOOST_CHECK_EQUAL(field(events[i], "appKey"), "app1");
    BOOST_CHECK_EQUAL(field(events[i], "nodeId"), "node1");
  }
  // Kamailio holds the binding.
  BOOST_CHECK(s.kamailio.kamcmd("ul.dump").find("alice") != std::string::npos);

  // The backend got the connect hook, then every event, signed, at <url>/<EventType>.
  BOOST_REQUIRE(s.receiver.waitFor(4, 10s));
  BOOST_CHECK_EQUAL(s.receiver.requests("/connect").size(), 1u);
  BOOST_CHECK(s.receiver.requests("/connect")[0].body.find("alice-secret") == std::string::npos);
  std::set<std::string> hookIds;
  for (const auto& request : s.receiver.requests()) {
    BOOST_CHECK(HookReceiver::signatureValid(request, secret));
    if (request.path != "/connect") hookIds.insert(request.header("webhook-id"));
  }
  for (const auto& event : events) BOOST_CHECK(hookIds.count(field(event, "eventId")) == 1);
  BOOST_CHECK_EQUAL(s.receiver.requests("/RegistrationStatusEvent").size(), 1u);

  auto disconnected = s.bridge.post("/api/v1/disconnect", "{}", token);
  BOOST_CHECK_EQUAL(disconnected.status, 202);
  auto tail = pollUntil(s.bridge, token, after, "ConnectionStatusEvent", "DISCONNECTED", 10s);
  const std::vector<std::string> expectedTail{"RegistrationStatusEvent:UNREGISTERED",
                                              "ConnectionStatusEvent:DISCONNECTED"};
  BOOST_CHECK_MESSAGE(statuses(tail) == expectedTail, [&] {
    std::string all;
    for (const auto& s : statuses(tail)) all += s + " ";
    return all;
  }());
  BOOST_CHECK(s.kamailio.kamcmd("ul.dump").find("alice") == std::string::npos);
  BOOST_CHECK(s.receiver.waitFor(6, 10s));
  // Methods on the ended session are refused.
  BOOST_CHECK_EQUAL(s.bridge.post("/api/v1/disconnect", "{}", token).status, 409);
}

BOOST_AUTO_TEST_CASE(wrong_password_fails_with_the_reason) {
  Stack s;
  s.addApp("app1", false);
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", "bob", "wrong"));
  BOOST_REQUIRE_EQUAL(connected.status, 200);
  std::int64_t after = 0;
  auto events = pollUntil(s.bridge, connected.json()->getValue<std::string>("authToken"), after,
                          "ConnectionStatusEvent", "FAILED", 15s);
  const std::vector<std::string> expected{"ConnectionStatusEvent:PENDING",
                                          "RegistrationStatusEvent:FAILED",
                                          "ConnectionStatusEvent:FAILED"};
  BOOST_REQUIRE(statuses(events) == expected);
  BOOST_CHECK(field(events[1], "info").find("authentication") != std::string::npos);
  BOOST_CHECK(field(events[1], "sipStatus") == "401" || field(events[1], "sipStatus") == "403");
  BOOST_CHECK(s.bridge.log().find("wrong") == std::string::npos);  // no password in logs
}

BOOST_AUTO_TEST_CASE(connect_hook_refuses_or_overrides_credentials) {
  Stack s;
  s.addApp("app1");
  s.receiver.setReply("/connect", Reply{403, 0, R"({"reason":"banned"})", {}, {}});
  auto refused = s.bridge.post("/api/v1/connect", connectBody("app1", "carol", "carol-secret"));
  BOOST_CHECK_EQUAL(refused.status, 403);
  BOOST_CHECK_EQUAL(field(refused.json(), "status"), "FAILED");
  BOOST_CHECK(field(refused.json(), "info").find("403") != std::string::npos);
  auto failedEvents =
      s.bridge.admin("GET", "/admin/v1/events?sessionId=" + field(refused.json(), "sessionId"));
  BOOST_CHECK(failedEvents.body.find(R"("status":"FAILED")") != std::string::npos);

  // The backend supplies the password: the browser never holds it.
  s.receiver.setReply("/connect", Reply::ok(R"({"sipPassword":"carol-secret"})"));
  auto accepted = s.bridge.post("/api/v1/connect", connectBody("app1", "carol", ""));
  BOOST_REQUIRE_EQUAL(accepted.status, 200);
  std::int64_t after = 0;
  auto events = pollUntil(s.bridge, field(accepted.json(), "authToken"), after,
                          "ConnectionStatusEvent", "ESTABLISHED", 15s);
  BOOST_CHECK_EQUAL(statuses(events).size(), 3u);
}

BOOST_AUTO_TEST_CASE(a_proxy_not_allowed_is_refused_400_before_the_connect_hook) {
  Stack s;
  s.addApp("app1");
  // A hook that accepts with overrides: the proxy must still be refused as the client's error.
  s.receiver.setReply("/connect", Reply::ok(R"({"sipPassword":"carol-secret"})"));
  std::string body = connectBody("app1", "carol", "");
  body.insert(body.size() - 1, R"(,"sipOutboundProxy":"127.0.0.1:9")");
  auto refused = s.bridge.post("/api/v1/connect", body);
  BOOST_CHECK_EQUAL(refused.status, 400);
  BOOST_CHECK_EQUAL(errorField(refused), "sipOutboundProxy");
  BOOST_CHECK(field(refused.json()->getObject("error"), "message").find("hook") ==
              std::string::npos);
  BOOST_CHECK(s.receiver.requests("/connect").empty());

  // The configured proxy named explicitly passes, and only then is the hook asked.
  body = connectBody("app1", "carol", "");
  body.insert(body.size() - 1, R"(,"sipOutboundProxy":")" + s.kamailio.proxy() + "\"");
  auto accepted = s.bridge.post("/api/v1/connect", body);
  BOOST_CHECK_EQUAL(accepted.status, 200);
  BOOST_CHECK_EQUAL(s.receiver.requests("/connect").size(), 1u);
}

BOOST_AUTO_TEST_CASE(bad_input_gets_a_clear_error_and_creates_nothing) {
  Stack s;
  s.addApp("app1", false);
  auto expectError = [&](const HttpResult& r, int status, const std::string& fieldName) {
    BOOST_CHECK_EQUAL(r.status, status);
    auto error = r.json()->getObject("error");
    BOOST_REQUIRE(error);
    BOOST_CHECK(!field(error, "message").empty());
    if (!fieldName.empty()) BOOST_CHECK_EQUAL(field(error, "field"), fieldName);
  };
  expectError(s.bridge.post("/api/v1/connect", "{\"appKey\":"), 400, "");
  expectError(s.bridge.post("/api/v1/connect", R"({"appKey":"app1","sipVisibleName":"A\r\nX: y"})"),
              400, "sipVisibleName");
  expectError(s.bridge.post("/api/v1/connect", R"({"appKey":"app1","sipLogin":"a\u0000b"})"), 400,
              "sipLogin");
  expectError(s.bridge.post("/api/v1/connect", R"({"appKey":"app1","sipPort":"5060"})"), 400,
              "sipPort");
  expectError(s.bridge.post("/api/v1/connect", R"({"appKey":"app1","colour":"red"})"), 400,
              "colour");
  expectError(s.bridge.post("/api/v1/connect", R"({"appKey":"nope"})"), 401, "appKey");
  expectError(s.bridge.post("/api/v1/connect", "{\"appKey\":\"" + std::string(100000, 'a') + "\"}"),
              413, "");
  expectError(s.bridge.post("/api/v1/disconnect", "{}", "node1-00.bad"), 401, "");
  auto ok = s.bridge.post("/api/v1/connect", R"({"appKey":"app1"})");
  BOOST_REQUIRE_EQUAL(ok.status, 200);
  const std::string token = field(ok.json(), "authToken");
  expectError(s.bridge.post("/api/v1/frobnicate", "{}", token), 404, "");
  auto sessions = s.bridge.admin("GET", "/admin/v1/sessions?appKey=app1");
  BOOST_CHECK_EQUAL(sessions.json()->getArray("sessions")->size(), 1u);
  BOOST_CHECK_EQUAL(s.bridge.get("/admin/v1/sessions").status, 401);
}

BOOST_AUTO_TEST_CASE(websocket_pushes_events_and_resumes_after_reconnect) {
  Stack s;
  s.addApp("app1", false);
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", "dave", "dave-secret"));
  const std::string token = field(connected.json(), "authToken");
  {
    std::int64_t after = 0;  // wait until all three events are committed
    pollUntil(s.bridge, token, after, "ConnectionStatusEvent", "ESTABLISHED", 15s);
  }
  Poco::Net::HTTPClientSession first("127.0.0.1", static_cast<Poco::UInt16>(s.bridge.httpPort()));
  auto ws = openSocket(first, token, 0);
  auto one = readFrame(*ws);
  BOOST_REQUIRE(one);
  BOOST_CHECK_EQUAL(one->getValue<std::int64_t>("seq"), 1);
  ws->shutdown();
  ws.reset();

  Poco::Net::HTTPClientSession second("127.0.0.1", static_cast<Poco::UInt16>(s.bridge.httpPort()));
  ws = openSocket(second, token, 1);
  auto two = readFrame(*ws);
  auto three = readFrame(*ws);
  BOOST_REQUIRE(two && three);
  BOOST_CHECK_EQUAL(two->getValue<std::int64_t>("seq"), 2);
  BOOST_CHECK_EQUAL(three->getValue<std::int64_t>("seq"), 3);

  // A method call over the same socket, answered in a reply frame; its events follow.
  const std::string call = R"({"id":"r1","method":"disconnect"})";
  ws->sendFrame(call.data(), static_cast<int>(call.size()), Poco::Net::WebSocket::FRAME_TEXT);
  std::vector<std::string> seen;
  bool replied = false;
  for (int i = 0; i < 4; ++i) {
    auto frame = readFrame(*ws);
    if (!frame) break;
    if (frame->has("replyTo")) {
      replied = field(frame, "replyTo") == "r1" && field(frame, "status") == "202";
    } else {
      seen.push_back(field(frame, "type") + ":" + field(frame, "status"));
    }
    if (replied && seen.size() == 2) break;
  }
  BOOST_CHECK(replied);
  const std::vector<std::string> expected{"RegistrationStatusEvent:UNREGISTERED",
                                          "ConnectionStatusEvent:DISCONNECTED"};
  BOOST_CHECK(seen == expected);
}

BOOST_AUTO_TEST_CASE(idle_session_expires_with_an_event) {
  Stack s(Env{{"SIPBRIDGE_SESSION_IDLETIMEOUTSECONDS", "2"}});
  s.addApp("app1", false);
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", "alice", "alice-secret"));
  const std::string sessionId = field(connected.json(), "sessionId");
  bool expired = false;
  for (int i = 0; i < 100 && !expired; ++i) {
    std::this_thread::sleep_for(100ms);
    auto events = s.bridge.admin("GET", "/admin/v1/events?sessionId=" + sessionId +
                                            "&type=ConnectionStatusEvent&status=DISCONNECTED");
    expired = events.body.find("idle") != std::string::npos;
  }
  BOOST_CHECK(expired);
  BOOST_CHECK(s.kamailio.kamcmd("ul.dump").find("alice") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(admin_terminates_sessions_and_replays_dead_deliveries) {
  Stack s(Env{{"SIPBRIDGE_HOOKS_RETRYPERIODSECONDS", "1"}, {"SIPBRIDGE_HOOKS_RETRYBASEMS", "200"}});
  s.addApp("app1", false);
  s.receiver.setDefault(Reply::withStatus(500));
  auto connected = s.bridge.post("/api/v1/connect", R"({"appKey":"app1"})");
  BOOST_REQUIRE_EQUAL(connected.status, 200);
  const std::string sessionId = field(connected.json(), "sessionId");
  auto count = [&](const std::string& state) {
    auto d = s.bridge.admin("GET", "/admin/v1/deliveries?appKey=app1&state=" + state);
    return d.json()->getArray("deliveries")->size();
  };
  for (int i = 0; i < 100 && count("dead") < 1; ++i) std::this_thread::sleep_for(100ms);
  BOOST_REQUIRE_EQUAL(count("dead"), 1u);

  s.receiver.setDefault(Reply::ok());
  auto replayed =
      s.bridge.admin("POST", "/admin/v1/deliveries/replay", R"({"appKey":"app1","state":"dead"})");
  BOOST_CHECK_EQUAL(field(replayed.json(), "replayed"), "1");
  for (int i = 0; i < 100 && count("delivered") < 1; ++i) std::this_thread::sleep_for(100ms);
  BOOST_CHECK_EQUAL(count("delivered"), 1u);

  auto terminated = s.bridge.admin("DELETE", "/admin/v1/sessions/" + sessionId);
  BOOST_CHECK_EQUAL(terminated.status, 202);
  auto active = s.bridge.admin("GET", "/admin/v1/sessions?appKey=app1&active=true");
  BOOST_CHECK_EQUAL(active.json()->getArray("sessions")->size(), 0u);
  auto events = s.bridge.admin("GET", "/admin/v1/events?sessionId=" + sessionId +
                                          "&type=ConnectionStatusEvent&status=DISCONNECTED");
  BOOST_CHECK_EQUAL(events.json()->getArray("events")->size(), 1u);
  BOOST_CHECK_EQUAL(s.bridge.admin("DELETE", "/admin/v1/sessions/" + sessionId).status, 404);
}

BOOST_AUTO_TEST_CASE(command_line_manages_applications) {
  Stack s;
  // Plain http needs the application marked development.
  BOOST_CHECK_THROW(s.bridge.command("app add --key cli1 --url " + s.receiver.url()),
                    std::runtime_error);
  const std::string added =
      s.bridge.command("app add --key cli1 --development --url " + s.receiver.url());
  BOOST_CHECK(added.find("created cli1") != std::string::npos);
  BOOST_CHECK(added.find("secret: whsec_") != std::string::npos);
  BOOST_CHECK(added.find("marked development") != std::string::npos);
  const std::string listed = s.bridge.command("app list");
  BOOST_CHECK(listed.find("cli1\t" + s.receiver.url()) != std::string::npos);
  BOOST_CHECK(listed.find("DEVELOPMENT") != std::string::npos);
  // Every start says which applications are marked development.
  s.bridge.stop();
  s.bridge.start();
  BOOST_CHECK(s.bridge.log().find("application cli1 is marked development") != std::string::npos);
  // The running bridge sees it at once: a connect asks its connect hook.
  BOOST_CHECK_EQUAL(s.bridge.post("/api/v1/connect", R"({"appKey":"cli1"})").status, 200);
  BOOST_CHECK_EQUAL(s.receiver.requests("/connect").size(), 1u);
  BOOST_CHECK_THROW(s.bridge.command("app add --key 'bad key'"), std::runtime_error);
  BOOST_CHECK(s.bridge.command("app remove --key cli1").find("removed cli1") != std::string::npos);
  BOOST_CHECK(s.bridge.command("app list").find("cli1") == std::string::npos);
  BOOST_CHECK_EQUAL(s.bridge.post("/api/v1/connect", R"({"appKey":"cli1"})").status, 401);
}

BOOST_AUTO_TEST_CASE(openapi_document_and_metrics_are_served) {
  Stack s;
  auto doc = s.bridge.get("/api/v1/openapi.json");
  BOOST_REQUIRE_EQUAL(doc.status, 200);
  auto paths = doc.json()->getObject("paths");
  BOOST_REQUIRE(paths);
  for (const char* path : {"/api/v1/connect", "/api/v1/events", "/api/v1/ws", "/admin/v1/apps",
                           "/admin/v1/sessions", "/admin/v1/events", "/metrics"})
    BOOST_CHECK_MESSAGE(paths->has(path), path);
  s.addApp("app1", false);
  s.bridge.post("/api/v1/connect", R"({"appKey":"app1"})");
  auto metrics = s.bridge.get("/metrics");
  BOOST_CHECK_EQUAL(metrics.status, 200);
  for (const char* name : {"sipbridge_events_committed_total", "sipbridge_http_requests_total",
                           "sipbridge_hook_deliveries_total", "sipbridge_event_queue_depth",
                           "sipbridge_sip_registrations_total"})
    BOOST_CHECK_MESSAGE(metrics.body.find(name) != std::string::npos, name);
}

BOOST_AUTO_TEST_SUITE_END()
