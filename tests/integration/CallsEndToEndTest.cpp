// Calls through the real binary, Kamailio and sipp far ends: INVITE/answer, hold and unhold by
// re-INVITE, transfer by REFER, DTMF by INFO, busy and unanswered far ends, hangup before answer,
// bad input, and the call records kept in PostgreSQL.
#include "EndToEndSupport.h"
#include "Sipp.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <memory>
#include <thread>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

/// An SDP offer or answer as a browser would send it (the bridge carries it unchanged).
/// `extra` is one more attribute line (tests/sipp/uas_call_answer.xml looks for its marker).
std::string sdp(const std::string& owner, int port, const std::string& extra = "") {
  return "v=0\r\no=" + owner + " 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
         "m=audio " + std::to_string(port) + " RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n" +
         (extra.empty() ? "" : extra + "\r\n") + "a=sendrecv\r\n";
}

// Far ends (tests/sipp): answers and takes one INFO (Signal=5) and a BYE; refuses with 486;
// rings and never answers (accepting the CANCEL).
const char* const kAnswerInfoScenario = "uas_call_answer.xml";
const char* const kBusyScenario = "uas_call_busy.xml";
const char* const kRingOnlyScenario = "uas_call_ring.xml";

std::string jsonString(const std::string& text) {
  Poco::JSON::Object object;
  object.set("s", text);
  std::ostringstream out;
  object.stringify(out);
  const std::string json = out.str();
  return json.substr(5, json.size() - 6);  // {"s": ... }
}

HttpResult method(Stack& s, const Client& c, const std::string& name, const std::string& json) {
  return s.bridge.post("/api/v1/" + name, json, c.token);
}

/// The next event of `type` with `status` for call `callId` (other calls' events skipped).
Poco::JSON::Object::Ptr callEvent(Stack& s, Client& c, const std::string& type,
                                  const std::string& status, const std::string& callId = "") {
  for (int i = 0; i < 10; ++i) {
    auto event = last(c.until(s.bridge, type, status));
    if (!event) return nullptr;
    if (callId.empty() || field(event, "callId") == callId) return event;
  }
  return nullptr;
}

/// Binds `user`@example.test to a sipp far end on `port` in Kamailio's location table.
void bindFarEnd(Stack& s, const std::string& user, int port) {
  s.kamailio.kamcmd("ul.add location " + user + "@example.test sip:" + user +
                    "@127.0.0.1:" + std::to_string(port) + " 60 1.0 . 0 0 4095");
  std::this_thread::sleep_for(300ms);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CallsEndToEnd)

BOOST_AUTO_TEST_CASE(two_sessions_call_hold_transfer_and_hang_up) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app1", "bob");
  Client carol = registeredClient(s, "app1", "carol");

  const std::string offer = sdp("alice", 40000);
  auto started = method(
      s, alice, "call",
      R"({"callId":"c1","callee":"bob","visibleName":"Alice A","sdp":)" + jsonString(offer) + "}");
  BOOST_REQUIRE_EQUAL(started.status, 202);
  BOOST_CHECK_EQUAL(field(started.json(), "callId"), "c1");

  // The callee's client sees the call with the offer exactly as sent, then RING.
  auto incoming = last(bob.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(incoming);
  BOOST_CHECK_EQUAL(field(incoming, "sdp"), offer);
  BOOST_CHECK_EQUAL(field(incoming, "incoming"), "true");
  BOOST_CHECK(field(incoming, "caller").find("sip:alice@example.test") != std::string::npos);
  BOOST_CHECK_EQUAL(field(incoming, "visibleName"), "Alice A");
  const std::string bobCall = field(incoming, "callId");
  BOOST_REQUIRE(callEvent(s, bob, "CallStatusEvent", "RING", bobCall));
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "RING", "c1"));

  const std::string answer = sdp("bob", 42000);
  BOOST_REQUIRE_EQUAL(method(s, bob, "answer",
                             R"({"callId":")" + bobCall + R"(","sdp":)" + jsonString(answer) + "}")
                          .status,
                      202);
  auto established = callEvent(s, alice, "CallStatusEvent", "ESTABLISHED", "c1");
  BOOST_REQUIRE(established);
  BOOST_CHECK_EQUAL(field(established, "sdp"), answer);
  BOOST_REQUIRE(callEvent(s, bob, "CallStatusEvent", "ESTABLISHED", bobCall));

  // Hold and unhold: a re-INVITE with the direction changed, seen by the far end too.
  BOOST_REQUIRE_EQUAL(method(s, alice, "hold", R"({"callId":"c1"})").status, 202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "HOLD", "c1"));
  auto held = callEvent(s, bob, "CallStatusEvent", "HOLD", bobCall);
  BOOST_REQUIRE(held);
  BOOST_CHECK(field(held, "sdp").find("a=sendonly") != std::string::npos);
  BOOST_REQUIRE_EQUAL(method(s, alice, "unhold", R"({"callId":"c1"})").status, 202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "ESTABLISHED", "c1"));
  auto resumed = callEvent(s, bob, "CallStatusEvent", "ESTABLISHED", bobCall);
  BOOST_REQUIRE(resumed);
  BOOST_CHECK(field(resumed, "sdp").find("a=sendrecv") != std::string::npos);

  // Transfer: alice refers bob to carol; bob's bridge session calls carol; carol answers.
  BOOST_REQUIRE_EQUAL(method(s, alice, "transfer", R"({"callId":"c1","target":"carol"})").status,
                      202);
  BOOST_REQUIRE(callEvent(s, alice, "TransferStatusEvent", "ACCEPTED", "c1"));
  auto referred = callEvent(s, bob, "TransferStatusEvent", "ACCEPTED", bobCall);
  BOOST_REQUIRE(referred);
  BOOST_CHECK_EQUAL(field(referred, "incoming"), "true");
  BOOST_CHECK(field(referred, "target").find("carol") != std::string::npos);
  auto toCarol = last(carol.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(toCarol);
  BOOST_CHECK(field(toCarol, "caller").find("sip:bob@example.test") != std::string::npos);
  const std::string carolCall = field(toCarol, "callId");
  BOOST_REQUIRE_EQUAL(
      method(s, carol, "answer",
             R"({"callId":")" + carolCall + R"(","sdp":)" + jsonString(sdp("carol", 44000)) + "}")
          .status,
      202);
  BOOST_REQUIRE(callEvent(s, alice, "TransferStatusEvent", "COMPLETED", "c1"));

  // A transfer outside bob's calls.referTargets (default: his own domain) is not carried
  // out, and alice hears so at once from the final NOTIFY (603), not after the REFER expires.
  BOOST_REQUIRE_EQUAL(
      method(s, alice, "transfer", R"({"callId":"c1","target":"sip:dave@other.example"})").status,
      202);
  BOOST_REQUIRE(callEvent(s, alice, "TransferStatusEvent", "ACCEPTED", "c1"));
  auto refused = callEvent(s, bob, "TransferStatusEvent", "FAILED", bobCall);
  BOOST_REQUIRE(refused);
  BOOST_CHECK_EQUAL(field(refused, "sipStatus"), "603");
  auto declined = callEvent(s, alice, "TransferStatusEvent", "FAILED", "c1");
  BOOST_REQUIRE(declined);
  BOOST_CHECK_EQUAL(field(declined, "sipStatus"), "603");

  // The transferor hangs up; both ends of the first call finish.
  BOOST_REQUIRE_EQUAL(method(s, alice, "hangup", R"({"callId":"c1"})").status, 202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "FINISH", "c1"));
  BOOST_REQUIRE(callEvent(s, bob, "CallStatusEvent", "FINISH", bobCall));
  BOOST_REQUIRE_EQUAL(method(s, carol, "hangup", R"({"callId":")" + carolCall + R"("})").status,
                      202);
  BOOST_REQUIRE(callEvent(s, carol, "CallStatusEvent", "FINISH", carolCall));
  BOOST_CHECK_EQUAL(method(s, alice, "hangup", R"({"callId":"c1"})").status, 404);

  // One row per leg; the first call's two legs share a Call-ID and form one call.
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM call_legs WHERE established_at IS NOT NULL "
                              "AND ended_at IS NOT NULL"),
                    "4\n");
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM calls WHERE jsonb_array_length(legs) = 2"),
                    "2\n");
}

BOOST_AUTO_TEST_CASE(transfer_through_a_server_that_challenges_the_new_invite_completes) {
  // Every INVITE from example.test is challenged (407), also the one bob's session sends to
  // carol for alice's REFER: alice must hear TRYING and then COMPLETED, never FAILED.
  ::setenv("KAMAILIO_DEFINES", "WITH_PROXY_AUTH", 1);
  std::unique_ptr<Stack> stack;
  try {
    stack = std::make_unique<Stack>();
  } catch (...) {
    ::unsetenv("KAMAILIO_DEFINES");
    throw;
  }
  ::unsetenv("KAMAILIO_DEFINES");
  Stack& s = *stack;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app1", "bob");
  Client carol = registeredClient(s, "app1", "carol");

  BOOST_REQUIRE_EQUAL(
      method(s, alice, "call",
             R"({"callId":"c1","callee":"bob","sdp":)" + jsonString(sdp("alice", 40000)) + "}")
          .status,
      202);
  auto incoming = last(bob.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(incoming);
  const std::string bobCall = field(incoming, "callId");
  BOOST_REQUIRE_EQUAL(
      method(s, bob, "answer",
             R"({"callId":")" + bobCall + R"(","sdp":)" + jsonString(sdp("bob", 42000)) + "}")
          .status,
      202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "ESTABLISHED", "c1"));

  BOOST_REQUIRE_EQUAL(method(s, alice, "transfer", R"({"callId":"c1","target":"carol"})").status,
                      202);
  auto toCarol = last(carol.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(toCarol);
  const std::string carolCall = field(toCarol, "callId");
  BOOST_REQUIRE_EQUAL(
      method(s, carol, "answer",
             R"({"callId":")" + carolCall + R"(","sdp":)" + jsonString(sdp("carol", 44000)) + "}")
          .status,
      202);
  const auto transfer = alice.until(s.bridge, "TransferStatusEvent", "COMPLETED");
  std::vector<std::string> seen;
  for (const auto& event : transfer)
    if (field(event, "type") == "TransferStatusEvent") seen.push_back(field(event, "status"));
  BOOST_CHECK((seen == std::vector<std::string>{"ACCEPTED", "TRYING", "COMPLETED"}));

  BOOST_REQUIRE_EQUAL(method(s, alice, "hangup", R"({"callId":"c1"})").status, 202);
  BOOST_REQUIRE(callEvent(s, bob, "CallStatusEvent", "FINISH", bobCall));
  BOOST_REQUIRE_EQUAL(method(s, carol, "hangup", R"({"callId":")" + carolCall + R"("})").status,
                      202);
  BOOST_REQUIRE(callEvent(s, carol, "CallStatusEvent", "FINISH", carolCall));
}

BOOST_AUTO_TEST_CASE(caller_hangs_up_before_answer) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app1", "bob");
  BOOST_REQUIRE_EQUAL(method(s, alice, "call",
                             R"({"callId":"c2","callee":"sip:bob@example.test","sdp":)" +
                                 jsonString(sdp("alice", 40002)) + "}")
                          .status,
                      202);
  auto incoming = last(bob.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(incoming);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "RING", "c2"));
  // Answering one's own outgoing call is refused; nothing reaches SIP.
  auto wrong = method(s, alice, "answer",
                      R"({"callId":"c2","sdp":)" + jsonString(sdp("alice", 40002)) + "}");
  BOOST_CHECK_EQUAL(wrong.status, 409);
  BOOST_CHECK_EQUAL(errorField(wrong), "callId");
  BOOST_REQUIRE_EQUAL(method(s, alice, "hangup", R"({"callId":"c2"})").status, 202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "FINISH", "c2"));
  BOOST_REQUIRE(callEvent(s, bob, "CallStatusEvent", "FINISH", field(incoming, "callId")));
}

BOOST_AUTO_TEST_CASE(calls_up_at_a_crash_are_finished_by_the_next_start) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app1", "bob");
  BOOST_REQUIRE_EQUAL(
      method(s, alice, "call",
             R"({"callId":"k1","callee":"bob","sdp":)" + jsonString(sdp("alice", 40012)) + "}")
          .status,
      202);
  auto incoming = last(bob.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(incoming);
  BOOST_REQUIRE_EQUAL(method(s, bob, "answer",
                             R"({"callId":")" + field(incoming, "callId") + R"(","sdp":)" +
                                 jsonString(sdp("bob", 42012)) + "}")
                          .status,
                      202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "ESTABLISHED", "k1"));
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM call_legs WHERE ended_at IS NULL"), "2\n");
  s.bridge.kill9();
  s.bridge.start();
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM call_legs WHERE ended_at IS NULL"), "0\n");
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT string_agg(DISTINCT final_status || ':' || info, ',') "
                              "FROM call_legs"),
                    "FINISH:node restarted; the call was lost\n");
}

BOOST_AUTO_TEST_CASE(busy_and_unanswered_far_ends) {
  Stack s(Env{{"SIPBRIDGE_CALLS_NOANSWERTIMEOUTSECONDS", "3"}});
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");

  const int busyPort = freePort();
  auto busy = sippServe(kBusyScenario, busyPort);
  bindFarEnd(s, "busy", busyPort);
  BOOST_REQUIRE_EQUAL(
      method(s, alice, "call",
             R"({"callId":"b1","callee":"busy","sdp":)" + jsonString(sdp("alice", 40004)) + "}")
          .status,
      202);
  auto refused = callEvent(s, alice, "CallStatusEvent", "BUSY", "b1");
  BOOST_REQUIRE(refused);
  BOOST_CHECK_EQUAL(field(refused, "sipStatus"), "486");
  BOOST_CHECK_EQUAL(busy.get(), "");

  const int ringPort = freePort();
  auto ringing = sippServe(kRingOnlyScenario, ringPort);
  bindFarEnd(s, "away", ringPort);
  BOOST_REQUIRE_EQUAL(
      method(s, alice, "call",
             R"({"callId":"n1","callee":"away","sdp":)" + jsonString(sdp("alice", 40006)) + "}")
          .status,
      202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "RING", "n1"));
  auto unanswered = callEvent(s, alice, "CallStatusEvent", "FAILED", "n1");
  BOOST_REQUIRE(unanswered);
  BOOST_CHECK_EQUAL(field(unanswered, "sipStatus"), "408");
  BOOST_CHECK_EQUAL(ringing.get(), "");
  BOOST_CHECK_EQUAL(
      s.pg.psql("SELECT string_agg(call_id || ':' || final_status, ',' ORDER BY call_id) "
                "FROM call_legs"),
      "b1:BUSY,n1:FAILED\n");
}

BOOST_AUTO_TEST_CASE(dtmf_by_info_reaches_a_sip_far_end) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  const int port = freePort();
  auto farEnd = sippServe(kAnswerInfoScenario, port);
  bindFarEnd(s, "ivr", port);
  BOOST_REQUIRE_EQUAL(method(s, alice, "call",
                             R"({"callId":"d1","callee":"ivr","sdp":)" +
                                 jsonString(sdp("alice", 40008, "a=x-sipbridge-test:offer")) + "}")
                          .status,
                      202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "ESTABLISHED", "d1"));
  auto rfc2833 = method(s, alice, "sendDTMF", R"({"callId":"d1","dtmf":"5","type":"RFC2833"})");
  BOOST_CHECK_EQUAL(rfc2833.status, 400);
  BOOST_CHECK_EQUAL(errorField(rfc2833), "type");
  BOOST_CHECK(rfc2833.body.find("RTP") != std::string::npos);
  BOOST_REQUIRE_EQUAL(
      method(s, alice, "sendDTMF", R"({"callId":"d1","dtmf":"5","type":"INFO"})").status, 202);
  std::this_thread::sleep_for(1s);
  BOOST_REQUIRE_EQUAL(method(s, alice, "hangup", R"({"callId":"d1"})").status, 202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "FINISH", "d1"));
  // sipp checks the offer arrived unchanged, the INFO (application/dtmf-relay, Signal=5) and
  // the BYE.
  BOOST_CHECK_EQUAL(farEnd.get(), "");
}

BOOST_AUTO_TEST_CASE(bad_input_never_reaches_sip) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  const std::string good = jsonString(sdp("alice", 40010));
  auto expect = [&](const std::string& name, const std::string& json, int status,
                    const std::string& fieldName) {
    auto r = method(s, alice, name, json);
    BOOST_CHECK_MESSAGE(r.status == status && errorField(r) == fieldName,
                        name + " " + json + " -> " + std::to_string(r.status) + " " + r.body);
  };
  expect("call", R"({"callee":"bob","sdp":"not sdp at all"})", 400, "sdp");
  expect("call", R"({"callee":"bob","sdp":")" + std::string(70000, 'x') + "\"}", 413, "");
  expect("call", R"({"callee":"bob\r\nX: y","sdp":)" + good + "}", 400, "callee");
  expect("call", R"({"callee":"sip:","sdp":)" + good + "}", 400, "callee");
  expect("call", R"({"callee":"bob","sdp":)" + good + R"(,"colour":"red"})", 400, "colour");
  expect("hangup", R"({"callId":"nope"})", 404, "callId");
  expect("answer", R"({"callId":"nope","sdp":)" + good + "}", 404, "callId");
  expect("sendDTMF", R"({"callId":"nope","dtmf":"1"})", 404, "callId");

  // A call that is only ringing cannot be held, and DTMF symbols are checked.
  const int port = freePort();
  auto ringing = sippServe(kRingOnlyScenario, port);
  bindFarEnd(s, "slow", port);
  BOOST_REQUIRE_EQUAL(
      method(s, alice, "call", R"({"callId":"r1","callee":"slow","sdp":)" + good + "}").status,
      202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "RING", "r1"));
  expect("hold", R"({"callId":"r1"})", 409, "callId");
  expect("transfer", R"({"callId":"r1","target":"carol"})", 409, "callId");
  expect("sendDTMF", R"({"callId":"r1","dtmf":"12X"})", 400, "dtmf");
  expect("call", R"({"callId":"r1","callee":"bob","sdp":)" + good + "}", 409, "callId");
  BOOST_REQUIRE_EQUAL(method(s, alice, "hangup", R"({"callId":"r1"})").status, 202);
  BOOST_REQUIRE(callEvent(s, alice, "CallStatusEvent", "FINISH", "r1"));
  ringing.wait();
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM call_legs"), "1\n");
}

BOOST_AUTO_TEST_SUITE_END()
