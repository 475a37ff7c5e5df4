#include "ApiTestFixture.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

using namespace sipbridge::api;
using namespace sipbridge::api::test;
using Clock = std::chrono::steady_clock;

BOOST_AUTO_TEST_SUITE(ApiHttp)

BOOST_AUTO_TEST_CASE(connect_answers_session_ids) {
  ApiFixture f;
  const auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})");
  BOOST_TEST(answer.status == 200);
  const auto json = answer.json();
  BOOST_TEST(json->getValue<std::string>("sessionId") == "sess-1");
  BOOST_TEST(json->getValue<std::string>("authToken") == "tok-1");
  BOOST_TEST(json->getValue<std::string>("nodeId") == "node-1");
  BOOST_TEST(json->getValue<std::string>("status") == "PENDING");
  BOOST_TEST(!json->has("info"));
  BOOST_TEST(answer.response.getContentType().find("application/json") == 0);
  BOOST_TEST(f.bridge.lastAppKey == "demo");
}

BOOST_AUTO_TEST_CASE(connect_refused_by_hook_is_403_with_body_and_error) {
  ApiFixture f;
  f.bridge.refuseConnect = true;
  const auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})");
  BOOST_TEST(answer.status == 403);
  const auto json = answer.json();
  BOOST_TEST(json->getValue<std::string>("status") == "FAILED");
  BOOST_TEST(json->getValue<std::string>("info") == "connect hook answered 403");
  BOOST_TEST(json->getValue<std::string>("sessionId") == "sess-1");
  BOOST_TEST(answer.errorCode() == "connect_refused");
}

BOOST_AUTO_TEST_CASE(connect_field_errors_come_from_core_validation) {
  ApiFixture f;
  auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo","bogus":1})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "bogus");
  answer = call(f.port, "POST", "/api/v1/connect", R"({"sipLogin":"alice"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "appKey");
}

BOOST_AUTO_TEST_CASE(wrong_content_type_is_415) {
  ApiFixture f;
  auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})", "text/plain");
  BOOST_TEST(answer.status == 415);
  BOOST_TEST(answer.errorCode() == "unsupported_media_type");
  BOOST_TEST(answer.errorField() == "Content-Type");
  answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})",
                "application/json; charset=latin1");
  BOOST_TEST(answer.status == 415);
  answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})",
                "application/json; charset=UTF-8");
  BOOST_TEST(answer.status == 200);
}

BOOST_AUTO_TEST_CASE(body_over_limit_is_413_by_length_and_while_reading) {
  ApiConfig config;
  config.maxBodyBytes = 1024;
  ApiFixture f(config);
  const std::string big = R"({"appKey":"demo","custom":{"x":")" + std::string(2000, 'a') + "\"}}";
  auto answer = call(f.port, "POST", "/api/v1/connect", big);
  BOOST_TEST(answer.status == 413);
  BOOST_TEST(answer.errorCode() == "body_too_large");
  answer = call(f.port, "POST", "/api/v1/connect", big, "application/json", {}, true);
  BOOST_TEST(answer.status == 413);
}

BOOST_AUTO_TEST_CASE(malformed_json_and_non_object_are_400) {
  ApiFixture f;
  auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":)");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorCode() == "malformed_json");
  answer = call(f.port, "POST", "/api/v1/connect", R"(["appKey"])");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorCode() == "invalid_body");
  answer = call(f.port, "POST", "/api/v1/connect", std::string(200, '[') + std::string(200, ']'));
  BOOST_TEST(answer.status == 400);
}

BOOST_AUTO_TEST_CASE(methods_need_a_valid_token) {
  ApiFixture f;
  f.connect();
  auto answer =
      call(f.port, "POST", "/api/v1/disconnect", "{}", "application/json", bearer("tok-wrong"));
  BOOST_TEST(answer.status == 401);
  BOOST_TEST(answer.errorCode() == "unauthorized");
  answer = call(f.port, "POST", "/api/v1/disconnect", "{}");
  BOOST_TEST(answer.status == 401);
  answer = call(f.port, "GET", "/api/v1/events?after=0", "", "", bearer("tok-wrong"));
  BOOST_TEST(answer.status == 401);
}

BOOST_AUTO_TEST_CASE(unknown_method_is_404_and_known_unbuilt_method_is_501) {
  ApiFixture f;
  f.bridge.unhandledMethods.insert("call");  // the service does not handle it: 501
  const auto [sessionId, token] = f.connect();
  auto answer =
      call(f.port, "POST", "/api/v1/sendTelegram", "{}", "application/json", bearer(token));
  BOOST_TEST(answer.status == 404);
  BOOST_TEST(answer.errorCode() == "unknown_method");
  answer = call(f.port, "POST", "/api/v1/call", R"({"callee":"bob","sdp":"v=0"})",
                "application/json", bearer(token));
  BOOST_TEST(answer.status == 501);
  BOOST_TEST(answer.errorCode() == "not_implemented");
  // Authentication and JSON validation come first.
  answer = call(f.port, "POST", "/api/v1/call", "{}", "application/json", bearer("x"));
  BOOST_TEST(answer.status == 401);
  answer = call(f.port, "POST", "/api/v1/call", "{oops", "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  // Only the request that passed both reached the service.
  BOOST_TEST(f.bridge.invokeCalls.size() == 1u);
}

BOOST_AUTO_TEST_CASE(disconnect_answers_202_and_ends_the_token) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = call(f.port, "POST", "/api/v1/disconnect", "", "", bearer(token));
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(answer.json()->getValue<std::string>("status") == "DISCONNECTED");
  answer = call(f.port, "POST", "/api/v1/disconnect", "{}", "application/json", bearer(token));
  BOOST_TEST(answer.status == 401);
}

BOOST_AUTO_TEST_CASE(disconnect_refuses_unknown_fields) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  const auto answer =
      call(f.port, "POST", "/api/v1/disconnect", R"({"x":1})", "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "x");
}

BOOST_AUTO_TEST_CASE(unavailable_is_503_with_retry_after) {
  ApiFixture f;
  f.bridge.unavailable = true;
  const auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})");
  BOOST_TEST(answer.status == 503);
  BOOST_TEST(answer.response.get("Retry-After", "") == "7");
  BOOST_TEST(answer.errorCode() == "unavailable");
}

BOOST_AUTO_TEST_CASE(unexpected_exception_is_500_without_details) {
  ApiFixture f;
  f.bridge.crash = true;
  const auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})");
  BOOST_TEST(answer.status == 500);
  BOOST_TEST(answer.errorCode() == "internal_error");
  BOOST_TEST(answer.body.find("secret internal detail") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(long_poll_returns_committed_events) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  f.bridge.push(sessionId, "ConnectionStatusEvent", "PENDING");
  f.bridge.push(sessionId, "ConnectionStatusEvent", "ESTABLISHED");
  auto answer = call(f.port, "GET", "/api/v1/events?after=0&wait=5", "", "", bearer(token));
  BOOST_TEST(answer.status == 200);
  auto json = answer.json();
  const auto events = json->getArray("events");
  BOOST_TEST_REQUIRE(events->size() == 2u);
  BOOST_TEST(events->getObject(0)->getValue<std::string>("status") == "PENDING");
  BOOST_TEST(events->getObject(1)->getValue<int>("seq") == 2);
  BOOST_TEST(events->getObject(1)->getValue<std::string>("sessionId") == sessionId);
  BOOST_TEST(json->getValue<int>("last") == 2);
  answer = call(f.port, "GET", "/api/v1/events?after=1", "", "", bearer(token));
  BOOST_TEST(answer.json()->getArray("events")->size() == 1u);
}

BOOST_AUTO_TEST_CASE(long_poll_times_out_empty_and_wakes_on_commit) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto started = Clock::now();
  auto answer = call(f.port, "GET", "/api/v1/events?after=0&wait=1", "", "", bearer(token));
  auto took = Clock::now() - started;
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.json()->getArray("events")->size() == 0u);
  BOOST_TEST(answer.json()->getValue<int>("last") == 0);
  BOOST_TEST((took >= std::chrono::milliseconds(900)));

  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    f.bridge.push(sessionId, "RegistrationStatusEvent", "REGISTERED");
  });
  started = Clock::now();
  answer = call(f.port, "GET", "/api/v1/events?after=0&wait=20", "", "", bearer(token));
  took = Clock::now() - started;
  later.join();
  BOOST_TEST(answer.json()->getArray("events")->size() == 1u);
  BOOST_TEST((took < std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(long_poll_wait_is_capped) {
  ApiConfig config;
  config.maxLongPollSeconds = 1;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  const auto started = Clock::now();
  const auto answer = call(f.port, "GET", "/api/v1/events?wait=600", "", "", bearer(token));
  BOOST_TEST(answer.status == 200);
  BOOST_TEST((Clock::now() - started < std::chrono::seconds(4)));
}

BOOST_AUTO_TEST_CASE(after_must_be_a_non_negative_integer) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  for (const char* bad : {"-1", "abc", "1.5", ""}) {
    const auto answer =
        call(f.port, "GET", std::string("/api/v1/events?after=") + bad, "", "", bearer(token));
    BOOST_TEST(answer.status == 400);
    BOOST_TEST(answer.errorField() == "after");
  }
}

BOOST_AUTO_TEST_CASE(unknown_route_and_wrong_method) {
  ApiFixture f;
  auto answer = call(f.port, "GET", "/nowhere");
  BOOST_TEST(answer.status == 404);
  BOOST_TEST(answer.errorCode() == "not_found");
  answer = call(f.port, "GET", "/api/v1/connect");
  BOOST_TEST(answer.status == 405);
  BOOST_TEST(answer.response.get("Allow", "") == "POST, OPTIONS");  // OPTIONS: CORS preflight
}

BOOST_AUTO_TEST_CASE(health_follows_accepting) {
  ApiFixture f;
  auto answer = call(f.port, "GET", "/health");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.json()->getValue<std::string>("status") == "ok");
  BOOST_TEST(answer.json()->getValue<bool>("accepting") == true);
  f.bridge.acceptingWork = false;
  answer = call(f.port, "GET", "/health");
  BOOST_TEST(answer.status == 503);
  BOOST_TEST(answer.json()->getValue<bool>("accepting") == false);
}

BOOST_AUTO_TEST_CASE(metrics_count_requests_by_route_template) {
  ApiFixture f;
  f.bridge.unhandledMethods.insert("call");
  const auto [sessionId, token] = f.connect();
  call(f.port, "POST", "/api/v1/call", R"({"callee":"bob","sdp":"v=0"})", "application/json",
       bearer(token));
  call(f.port, "POST", "/api/v1/subscribe", R"({"event":"presence"})", "application/json",
       bearer(token));
  call(f.port, "POST", "/api/v1/noSuchMethod", "{}", "application/json", bearer(token));
  call(f.port, "GET", "/random/path/123");
  const auto answer = call(f.port, "GET", "/metrics");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.response.getContentType().find("text/plain; version=0.0.4") == 0);
  const auto& text = answer.body;
  BOOST_TEST(
      text.find(R"(sipbridge_http_requests_total{route="/api/v1/connect",status="200"} 1)") !=
      std::string::npos);
  BOOST_TEST(text.find(R"({route="/api/v1/call",status="501"})") != std::string::npos);
  BOOST_TEST(text.find(R"({route="/api/v1/subscribe",status="202"})") != std::string::npos);
  BOOST_TEST(text.find(R"({route="/api/v1/{method}",status="404"})") != std::string::npos);
  BOOST_TEST(text.find(R"({route="unmatched",status="404"})") != std::string::npos);
  BOOST_TEST(text.find("random") == std::string::npos);
  BOOST_TEST(text.find("noSuchMethod") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(stop_ends_a_waiting_long_poll) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  std::thread poller([&] {
    try {
      call(f.port, "GET", "/api/v1/events?wait=30", "", "", bearer(token));
    } catch (const Poco::Exception&) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto started = Clock::now();
  f.api->stop();
  BOOST_TEST((Clock::now() - started < std::chrono::seconds(5)));
  poller.join();
}

BOOST_AUTO_TEST_SUITE_END()
