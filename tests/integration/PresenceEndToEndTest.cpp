// Subscriptions, presence and XCAP through the real binary and Kamailio's presence modules.
#include "EndToEndSupport.h"

#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

Client registered(Stack& s, const std::string& login) {
  return registeredClient(s, "app1", login);
}

/// The next SubscriptionStatusEvent whose JSON contains `text`.
Poco::JSON::Object::Ptr notifyWith(Stack& s, Client& c, const std::string& text) {
  for (int i = 0; i < 10; ++i) {
    auto event = last(c.until(s.bridge, "SubscriptionStatusEvent", "Active"));
    if (!event) return nullptr;
    std::ostringstream json;
    event->stringify(json);
    if (json.str().find(text) != std::string::npos) return event;
  }
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(PresenceEndToEnd)

BOOST_AUTO_TEST_CASE(own_registration_state_and_presence_between_two_sessions) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registered(s, "alice");
  Client bob = registered(s, "bob");

  // alice watches her own registrations (reg event package, RFC 3680).
  auto reg = s.bridge.post("/api/v1/subscribe", R"({"event":"reg","expires":600})", alice.token);
  BOOST_REQUIRE_EQUAL(reg.status, 202);
  auto regNotify = notifyWith(s, alice, "sip:alice@example.test");
  BOOST_REQUIRE(regNotify);
  BOOST_REQUIRE(regNotify->getObject("reginfo"));
  BOOST_CHECK(field(regNotify, "requestBody").find("reginfo") != std::string::npos);

  // bob watches alice's presence; alice publishes.
  auto sub = s.bridge.post("/api/v1/subscribe",
                           R"({"event":"presence","to":"alice","expires":600})", bob.token);
  BOOST_REQUIRE_EQUAL(sub.status, 202);
  auto published =
      s.bridge.post("/api/v1/publish", R"({"state":"open","note":"in a meeting"})", alice.token);
  BOOST_REQUIRE_EQUAL(published.status, 202);
  BOOST_CHECK(last(alice.until(s.bridge, "PublishStatusEvent", "PUBLISHED")));
  auto open = notifyWith(s, bob, "in a meeting");
  BOOST_REQUIRE(open);
  BOOST_CHECK_EQUAL(field(open->getObject("presence"), "basic"), "open");
  s.bridge.post("/api/v1/publish", R"({"state":"closed","note":"gone home"})", alice.token);
  auto closed = notifyWith(s, bob, "gone home");
  BOOST_REQUIRE(closed);
  BOOST_CHECK_EQUAL(field(closed->getObject("presence"), "basic"), "closed");

  // terminate: SUBSCRIBE with Expires 0, the subscription ends.
  auto end = s.bridge.post("/api/v1/subscribe",
                           R"({"event":"presence","to":"alice","terminate":true})", bob.token);
  BOOST_CHECK_EQUAL(end.status, 202);
  BOOST_CHECK_EQUAL(field(end.json(), "subscriptionId"), field(sub.json(), "subscriptionId"));
  auto ended = last(bob.until(s.bridge, "SubscriptionStatusEvent", "Terminated"));
  BOOST_REQUIRE(ended);
  BOOST_CHECK_EQUAL(field(ended, "subscriptionId"), field(sub.json(), "subscriptionId"));
  // The hooks got the subscription events too, and they are in the store.
  BOOST_CHECK_EQUAL(
      s.pg.psql("SELECT count(*) > 0 FROM events WHERE type = 'SubscriptionStatusEvent'"), "t\n");
}

BOOST_AUTO_TEST_CASE(refused_subscriptions_and_bad_input) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registered(s, "alice");
  auto expectField = [&](const std::string& body, const std::string& name) {
    auto r = s.bridge.post("/api/v1/subscribe", body, alice.token);
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_CHECK_EQUAL(field(r.json()->getObject("error"), "field"), name);
  };
  expectField(R"({"event":"dialog"})", "accept");
  expectField(R"({"event":"presence","expires":1})", "expires");
  expectField(R"({"event":"presence","to":"a\u0000b"})", "to");
  expectField(R"({"event":"presence","colour":1})", "colour");
  // An event package the server does not know is refused by the server: Terminated.
  auto unknown =
      s.bridge.post("/api/v1/subscribe",
                    R"({"event":"no-such-package","accept":"application/x-unknown"})", alice.token);
  BOOST_REQUIRE_EQUAL(unknown.status, 202);
  auto terminated = last(alice.until(s.bridge, "SubscriptionStatusEvent", "Terminated"));
  BOOST_REQUIRE(terminated);
  BOOST_CHECK_EQUAL(field(terminated, "event"), "no-such-package");
  BOOST_CHECK(!field(terminated, "info").empty());
  // Refused by the bridge's own contact (489 Bad Event): the event names the subscription.
  BOOST_CHECK_EQUAL(field(terminated, "sipStatus"), "489");
  BOOST_CHECK(!field(unknown.json(), "subscriptionId").empty());
  BOOST_CHECK_EQUAL(field(terminated, "subscriptionId"), field(unknown.json(), "subscriptionId"));
}

BOOST_AUTO_TEST_CASE(xcap_documents_with_etag_preconditions) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registered(s, "alice");
  const std::string root =
      "http://127.0.0.1:" + std::to_string(s.kamailio.httpPort()) + "/xcap-root";
  const std::string url = root + "/resource-lists/users/sip:alice@example.test/index";
  const std::string list =
      R"(<?xml version="1.0" encoding="UTF-8"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">)"
      R"(<list name="friends"><entry uri="sip:bob@example.test"/></list></resource-lists>)";
  auto request = [&](const std::string& json) {
    auto r = s.bridge.post("/api/v1/sendXcapRequest", json, alice.token);
    BOOST_REQUIRE_EQUAL(r.status, 202);
    auto answer = last(alice.until(s.bridge, "XcapStatusEvent"));
    BOOST_REQUIRE(answer);
    BOOST_CHECK_EQUAL(field(answer, "id"), field(r.json(), "id"));
    return answer;
  };
  Poco::JSON::Object body;
  body.set("url", url);
  body.set("method", "PUT");
  body.set("body", list);
  body.set("contentType", "application/resource-lists+xml");
  body.set("ifNoneMatch", "*");
  std::ostringstream put;
  body.stringify(put);
  auto created = request(put.str());
  const std::string status = field(created, "httpStatus");
  BOOST_CHECK(status == "200" || status == "201");
  const std::string etag = field(created, "etag");
  BOOST_CHECK(!etag.empty());

  auto got = request(R"({"url":")" + url + R"("})");
  BOOST_CHECK_EQUAL(field(got, "httpStatus"), "200");
  BOOST_CHECK(field(got, "xcapResponse").find("sip:bob@example.test") != std::string::npos);

  body.remove("ifNoneMatch");
  body.set("ifMatch", "\"not-the-etag\"");
  std::ostringstream stale;
  body.stringify(stale);
  BOOST_CHECK_EQUAL(field(request(stale.str()), "httpStatus"), "412");

  auto removed = request(R"({"url":")" + url + R"(","method":"DELETE"})");
  BOOST_CHECK_EQUAL(field(removed, "httpStatus"), "200");
  BOOST_CHECK_EQUAL(field(request(R"({"url":")" + url + R"("})"), "httpStatus"), "404");

  // Nothing leaves the bridge for a URL outside the root.
  for (const std::string& bad : {root + "/../etc/passwd", root + "/resource-lists%2F..%2Fx",
                                 std::string("http://127.0.0.1:1/xcap-root/x"), root + "x/y"}) {
    auto r = s.bridge.post("/api/v1/sendXcapRequest", R"({"url":")" + bad + R"("})", alice.token);
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_CHECK_EQUAL(field(r.json()->getObject("error"), "field"), "url");
  }
}

BOOST_AUTO_TEST_SUITE_END()
