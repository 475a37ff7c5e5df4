// One user connected more than once, through the real binary, Kamailio and a hook receiver:
// every session gets what the SIP server forks to the user, also after a crash of the node.
#include "EndToEndSupport.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <thread>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

std::string offer(const std::string& owner) {
  return R"("v=0\r\no=)" + owner +
         R"( 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n")";
}

/// The next event of `type` with `status` for call `callId` (other calls' events skipped).
Poco::JSON::Object::Ptr callEvent(Stack& s, Client& c, const std::string& type,
                                  const std::string& status, const std::string& callId) {
  for (int i = 0; i < 10; ++i) {
    auto event = last(c.until(s.bridge, type, status));
    if (!event) return nullptr;
    if (field(event, "callId") == callId) return event;
  }
  return nullptr;
}

/// Kamailio's bindings of demo user `login`, one contact per line.
std::string bindings(Stack& s, const std::string& login) {
  return s.pg.psql("SELECT contact FROM location WHERE username = '" + login + "' ORDER BY contact",
                   "kamailio");
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SessionsEndToEnd)

BOOST_AUTO_TEST_CASE(two_sessions_of_one_user_both_get_the_message_and_both_ring) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  Client tab1 = registeredClient(s, "app1", "bob");
  Client tab2 = registeredClient(s, "app1", "bob");
  BOOST_CHECK_EQUAL(lines(bindings(s, "bob")), 2u);

  auto sent = s.bridge.post("/api/v1/sendMessage",
                            R"({"id":"m1","to":"bob","body":"to every tab"})", alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  auto accepted = last(alice.until(s.bridge, "MessageStatusEvent", "ACCEPTED"));
  BOOST_REQUIRE(accepted);
  BOOST_CHECK_EQUAL(field(accepted, "sipStatus"), "200");
  for (Client* tab : {&tab1, &tab2}) {
    auto message = last(tab->until(s.bridge, "OnMessageEvent"));
    BOOST_REQUIRE(message);
    BOOST_CHECK_EQUAL(field(message, "body"), "to every tab");
  }

  auto call =
      s.bridge.post("/api/v1/call",
                    R"({"callId":"c1","callee":"bob","sdp":)" + offer("alice") + "}", alice.token);
  BOOST_REQUIRE_EQUAL(call.status, 202);
  auto ringing1 = last(tab1.until(s.bridge, "OnCallEvent"));
  auto ringing2 = last(tab2.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(ringing1);
  BOOST_REQUIRE(ringing2);
  BOOST_CHECK_EQUAL(field(ringing1, "sipCallId"), field(ringing2, "sipCallId"));
  const std::string call2 = field(ringing2, "callId");
  BOOST_REQUIRE_EQUAL(
      s.bridge
          .post("/api/v1/answer", R"({"callId":")" + call2 + R"(","sdp":)" + offer("bob") + "}",
                tab2.token)
          .status,
      202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "ESTABLISHED", "c1"));
  auto elsewhere = callEvent(s, tab1, "CallStatusEvent", "FINISH", field(ringing1, "callId"));
  BOOST_REQUIRE(elsewhere);
  BOOST_CHECK_EQUAL(field(elsewhere, "info"), "answered elsewhere");

  BOOST_REQUIRE_EQUAL(s.bridge.post("/api/v1/hangup", R"({"callId":"c1"})", alice.token).status,
                      202);
  BOOST_REQUIRE(callEvent(s, tab2, "CallStatusEvent", "FINISH", call2));
}

BOOST_AUTO_TEST_CASE(after_kill_9_the_reconnected_session_gets_its_messages) {
  Stack s;
  s.addApp("app1", false);
  registeredClient(s, "app1", "alice");
  registeredClient(s, "app1", "bob");
  const std::string before = bindings(s, "bob");
  BOOST_REQUIRE_EQUAL(lines(before), 1u);

  // The bindings of the killed run stay at the registrar.
  s.bridge.kill9();
  s.bridge.start();
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app1", "bob");

  auto sent = s.bridge.post("/api/v1/sendMessage",
                            R"({"id":"r1","to":"bob","body":"still there?"})", alice.token);
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  auto outcome = alice.until(s.bridge, "MessageStatusEvent", "ACCEPTED");
  BOOST_CHECK_MESSAGE(!outcome.empty() && field(outcome.back(), "status") == "ACCEPTED",
                      "statuses: " + (outcome.empty() ? std::string()
                                                      : field(outcome.back(), "status") + " " +
                                                            field(outcome.back(), "info")));
  auto message = last(bob.until(s.bridge, "OnMessageEvent"));
  BOOST_REQUIRE(message);
  BOOST_CHECK_EQUAL(field(message, "body"), "still there?");

  // The binding the killed run left was removed when bob connected again.
  std::string after;
  for (int i = 0; i < 50; ++i) {
    after = bindings(s, "bob");
    if (lines(after) == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_CHECK_EQUAL(lines(after), 1u);
  BOOST_CHECK_MESSAGE(after != before, after);
}

BOOST_AUTO_TEST_SUITE_END()
