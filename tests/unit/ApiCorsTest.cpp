// CORS per application: preflights answered for origins some application allows, actual
// requests checked against their own application, never credentials.
#include "ApiTestFixture.h"
#include "RawClient.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

namespace {

const std::string kAllowed = "https://chat.example.test";
const std::string kOther = "https://evil.example.test";

struct CorsFixture : ApiFixture {
  CorsFixture() {
    sipbridge::core::App demo;
    demo.appKey = "demo";
    demo.allowedOrigins = {kAllowed};
    bridge.apps().put(demo);
    sipbridge::core::App other;
    other.appKey = "other";
    other.allowedOrigins = {"https://other.example.test"};
    bridge.apps().put(other);
  }
  Answer preflight(const std::string& origin, const std::string& method = "POST") {
    return call(port, "OPTIONS", "/api/v1/sendMessage", {}, {},
                {{"Origin", origin},
                 {"Access-Control-Request-Method", method},
                 {"Access-Control-Request-Headers", "authorization, content-type"}});
  }
};

std::string allowOrigin(const Answer& answer) {
  return answer.response.get("Access-Control-Allow-Origin", "");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiCors)

BOOST_AUTO_TEST_CASE(a_preflight_for_an_allowed_origin_is_answered) {
  CorsFixture f;
  const auto answer = f.preflight(kAllowed);
  BOOST_TEST(answer.status == 204);
  BOOST_TEST(allowOrigin(answer) == kAllowed);
  BOOST_TEST(answer.response.get("Access-Control-Allow-Methods", "") == "GET, POST");
  BOOST_TEST(answer.response.get("Access-Control-Allow-Headers", "") ==
             "Authorization, Content-Type");
  BOOST_TEST(answer.response.get("Access-Control-Max-Age", "") == "600");
  BOOST_TEST(answer.response.get("Vary", "") == "Origin");
  BOOST_TEST(!answer.response.has("Access-Control-Allow-Credentials"));
  // The origin of another application is answered too: the actual request decides.
  BOOST_TEST(f.preflight("https://other.example.test").status == 204);
}

BOOST_AUTO_TEST_CASE(a_preflight_for_an_unknown_origin_is_refused) {
  CorsFixture f;
  auto answer = f.preflight(kOther);
  BOOST_TEST(answer.status == 403);
  BOOST_TEST(answer.errorCode() == "origin_not_allowed");
  BOOST_TEST(answer.errorField() == "Origin");
  BOOST_TEST(allowOrigin(answer).empty());
  answer = f.preflight(kAllowed, "DELETE");
  BOOST_TEST(answer.status == 403);
  BOOST_TEST(answer.errorField() == "Access-Control-Request-Method");
  answer = f.preflight("null");
  BOOST_TEST(answer.status == 403);
}

BOOST_AUTO_TEST_CASE(connect_is_checked_against_its_application) {
  CorsFixture f;
  auto answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})", "application/json",
                     {{"Origin", kAllowed}});
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(allowOrigin(answer) == kAllowed);
  BOOST_TEST(answer.response.get("Access-Control-Expose-Headers", "") == "Retry-After");
  // An origin only another application allows: refused before anything is done.
  f.bridge.lastAppKey.clear();
  answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})", "application/json",
                {{"Origin", "https://other.example.test"}});
  BOOST_TEST(answer.status == 403);
  BOOST_TEST(answer.errorCode() == "origin_not_allowed");
  BOOST_TEST(f.bridge.lastAppKey.empty());
  // Origins compare in canonical form.
  answer = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})", "application/json",
                {{"Origin", "HTTPS://Chat.Example.Test:443"}});
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(allowOrigin(answer) == kAllowed);
}

BOOST_AUTO_TEST_CASE(methods_events_and_errors_carry_the_allowed_origin) {
  CorsFixture f;
  const auto [sessionId, token] = f.connect();
  auto headers = bearer(token);
  headers["Origin"] = kAllowed;
  auto answer = call(f.port, "POST", "/api/v1/sendMessage",
                     R"({"to":"sip:bob@example.test","body":"hi"})", "application/json", headers);
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(allowOrigin(answer) == kAllowed);
  f.bridge.push(sessionId, "OnDataEvent", "");
  answer = call(f.port, "GET", "/api/v1/events?after=0&wait=1", {}, {}, headers);
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(allowOrigin(answer) == kAllowed);
  // A bad token from an allowed origin: the browser may read the 401.
  headers = bearer("wrong");
  headers["Origin"] = kAllowed;
  answer = call(f.port, "POST", "/api/v1/sendMessage", "{}", "application/json", headers);
  BOOST_TEST(answer.status == 401);
  BOOST_TEST(allowOrigin(answer) == kAllowed);
  // A refused origin gets no CORS header at all, and the method does not run.
  headers = bearer(token);
  headers["Origin"] = kOther;
  answer = call(f.port, "POST", "/api/v1/sendMessage",
                R"({"to":"sip:bob@example.test","body":"hi"})", "application/json", headers);
  BOOST_TEST(answer.status == 403);
  BOOST_TEST(allowOrigin(answer).empty());
  BOOST_TEST(f.bridge.messageCalls.size() == 1u);
  // Without Origin (not a browser) nothing changes.
  answer = call(f.port, "POST", "/api/v1/sendMessage",
                R"({"to":"sip:bob@example.test","body":"hi"})", "application/json", bearer(token));
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(!answer.response.has("Access-Control-Allow-Origin"));
}

BOOST_AUTO_TEST_CASE(allowed_origins_are_set_through_the_admin_api) {
  CorsFixture f;
  const std::map<std::string, std::string> admin = {{"Authorization", "Bearer admin-secret-token"}};
  auto answer =
      call(f.port, "PUT", "/admin/v1/apps/demo",
           R"({"allowedOrigins":["https://New.Example.Test:8443","http://localhost:3000"]})",
           "application/json", admin);
  BOOST_TEST(answer.status == 200);
  const auto origins = answer.json()->getArray("allowedOrigins");
  BOOST_TEST_REQUIRE(origins->size() == 2u);
  BOOST_TEST(origins->getElement<std::string>(0) == "https://new.example.test:8443");
  // The change is seen at once: the old origin is refused, the new one allowed.
  BOOST_TEST(f.preflight(kAllowed).status == 403);
  BOOST_TEST(f.preflight("https://new.example.test:8443").status == 204);
  answer = call(f.port, "PUT", "/admin/v1/apps/demo", R"({"allowedOrigins":["https://x/path"]})",
                "application/json", admin);
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "allowedOrigins");
  answer = call(f.port, "POST", "/admin/v1/apps", R"({"appKey":"web","allowedOrigins":["*"]})",
                "application/json", admin);
  BOOST_TEST(answer.status == 201);
  BOOST_TEST(f.preflight("https://anything.example.test").status == 204);
}

BOOST_AUTO_TEST_CASE(a_websocket_from_a_refused_origin_is_refused) {
  CorsFixture f;
  const auto [sessionId, token] = f.connect();
  const std::map<std::string, std::string> handshake = {
      {"Upgrade", "websocket"},
      {"Connection", "Upgrade"},
      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
      {"Sec-WebSocket-Version", "13"},
      {"Origin", kOther}};
  const auto answer = call(f.port, "GET", "/api/v1/ws?token=" + token, {}, {}, handshake);
  BOOST_TEST(answer.status == 403);
  BOOST_TEST(answer.errorCode() == "origin_not_allowed");
}

BOOST_AUTO_TEST_SUITE_END()
