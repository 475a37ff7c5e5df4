// Instant messaging through the real binary, Kamailio, sipp and a hook receiver.
#include "EndToEndSupport.h"
#include "Sipp.h"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

HttpResult send(Stack& s, const Client& c, const std::string& json) {
  return s.bridge.post("/api/v1/sendMessage", json, c.token);
}

std::string row(Stack& s, const std::string& sql) {
  return s.pg.psql(sql);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(MessagingEndToEnd)

BOOST_AUTO_TEST_CASE(text_cpim_with_imdn_and_multipart_between_two_sessions) {
  Stack s;
  const std::string secret = s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app1", "bob");

  // text/plain
  auto sent = send(s, alice, R"({"id":"t1","to":"bob","body":"hello bob"})");
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  BOOST_CHECK_EQUAL(field(sent.json(), "id"), "t1");
  auto accepted = last(alice.until(s.bridge, "MessageStatusEvent", "ACCEPTED"));
  BOOST_REQUIRE(accepted);
  BOOST_CHECK_EQUAL(field(accepted, "id"), "t1");
  auto message = bob.until(s.bridge, "OnMessageEvent");
  BOOST_REQUIRE(!message.empty());
  BOOST_CHECK_EQUAL(field(message.back(), "body"), "hello bob");
  BOOST_CHECK(field(message.back(), "from").find("sip:alice@example.test") != std::string::npos);
  BOOST_CHECK(field(message.back(), "sipMessageRaw").rfind("MESSAGE sip:", 0) == 0);
  BOOST_CHECK(last(bob.until(s.bridge, "MessageStatusEvent", "RECEIVED")));

  // message/cpim asking for a delivery notification: bob's bridge answers it automatically.
  sent = send(s, alice, R"({"id":"c1","to":"sip:bob@example.test","body":"ping",
                            "contentType":"message/cpim","isImdnRequired":true})");
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  auto cpim = bob.until(s.bridge, "OnMessageEvent");
  BOOST_REQUIRE(!cpim.empty());
  BOOST_CHECK_EQUAL(field(cpim.back(), "body"), "ping");
  BOOST_CHECK_EQUAL(field(cpim.back(), "isImdnRequired"), "true");
  BOOST_CHECK(last(bob.until(s.bridge, "MessageStatusEvent", "IMDN_NOTIFICATION_SENT")));
  auto delivered = alice.until(s.bridge, "MessageStatusEvent", "IMDN_DELIVERED");
  BOOST_REQUIRE(last(delivered));
  BOOST_CHECK_EQUAL(field(last(delivered), "id"), "c1");
  BOOST_CHECK_EQUAL(row(s,
                        "SELECT status, imdn_delivered_at IS NOT NULL FROM messages "
                        "WHERE message_id = 'c1' AND direction = 'outgoing'"),
                    "IMDN_DELIVERED|t\n");

  // multipart/mixed: one CPIM part per recipient, each a message of its own for bob.
  sent = send(s, alice, R"({"id":"m1","to":"bob","body":"to all","contentType":"multipart/mixed",
                            "recipients":"bob,carol"})");
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  auto first = bob.until(s.bridge, "OnMessageEvent");
  auto second = bob.until(s.bridge, "OnMessageEvent");
  BOOST_REQUIRE(last(first) && last(second));
  BOOST_CHECK_EQUAL(field(last(first), "body"), "to all");
  BOOST_CHECK(field(last(first), "id") != field(last(second), "id"));

  // Every event also reached the backend, signed.
  BOOST_CHECK(s.receiver.waitFor(4, 10s, "/OnMessageEvent"));
  for (const auto& request : s.receiver.requests("/OnMessageEvent"))
    BOOST_CHECK(HookReceiver::signatureValid(request, secret));
  BOOST_CHECK_GE(s.receiver.requests("/MessageStatusEvent").size(), 6u);
  BOOST_CHECK_EQUAL(row(s, "SELECT count(*) FROM messages WHERE direction = 'incoming'"), "4\n");
}

BOOST_AUTO_TEST_CASE(offline_recipient_fails_and_bad_input_is_refused) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  BOOST_REQUIRE_EQUAL(send(s, alice, R"({"id":"o1","to":"carol","body":"are you there"})").status,
                      202);
  auto failed = last(alice.until(s.bridge, "MessageStatusEvent", "FAILED"));
  BOOST_REQUIRE(failed);
  BOOST_CHECK(field(failed, "sipStatus") == "404" || field(failed, "sipStatus") == "480");
  BOOST_CHECK_EQUAL(row(s, "SELECT status FROM messages WHERE message_id = 'o1'"), "FAILED\n");

  auto expectField = [&](const std::string& json, const std::string& name) {
    auto r = send(s, alice, json);
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_CHECK_EQUAL(field(r.json()->getObject("error"), "field"), name);
  };
  expectField(R"({"body":"x"})", "to");
  expectField(R"({"to":"bob","body":""})", "body");
  expectField(R"({"to":"bob\r\nX-Evil: 1","body":"x"})", "to");
  expectField(R"({"to":"bob","body":"x","contentType":"text/html"})", "contentType");
  expectField(R"({"id":"o1","to":"bob","body":"again"})", "id");
  expectField(
      R"({"to":"bob","body":"x","contentType":"multipart/mixed","recipients":"a,b,c,d,e,f,g,h,i,j,k"})",
      "recipients");
  BOOST_CHECK_EQUAL(row(s, "SELECT count(*) FROM messages"), "1\n");

  auto noSip = s.bridge.post("/api/v1/connect", R"({"appKey":"app1"})");
  auto refused = s.bridge.post("/api/v1/sendMessage", R"({"to":"bob","body":"x"})",
                               field(noSip.json(), "authToken"));
  BOOST_CHECK_EQUAL(refused.status, 409);
}

BOOST_AUTO_TEST_CASE(cpim_refused_with_415_is_resent_as_text) {
  Stack s;
  s.addApp("app1", false);
  Client alice = registeredClient(s, "app1", "alice");
  const int port = freePort();
  auto uas = sippServe("uas_415_cpim.xml", port, 2);
  s.kamailio.kamcmd("ul.add location plain@example.test sip:plain@127.0.0.1:" +
                    std::to_string(port) + " 60 1.0 . 0 0 4095");
  std::this_thread::sleep_for(300ms);
  auto sent = send(s, alice, R"({"id":"f1","to":"plain","body":"fallback",
                                 "contentType":"message/cpim"})");
  BOOST_REQUIRE_EQUAL(sent.status, 202);
  auto accepted = last(alice.until(s.bridge, "MessageStatusEvent", "ACCEPTED"));
  BOOST_REQUIRE(accepted);
  BOOST_CHECK_MESSAGE(field(accepted, "info").find("415") != std::string::npos,
                      field(accepted, "info") + " / sipp: " + uas.get());
}

BOOST_AUTO_TEST_CASE(independent_user_agent_sends_to_a_session) {
  Stack s;
  s.addApp("app1", false);
  Client bob = registeredClient(s, "app1", "bob");
  // sipp gets its 200 only once the events are committed.
  BOOST_CHECK_EQUAL(
      sippSendMessage(s.kamailio.proxy(), "sip:bob@example.test", "from sipp", 200).get(), "");
  auto message = last(bob.until(s.bridge, "OnMessageEvent"));
  BOOST_REQUIRE(message);
  BOOST_CHECK(field(message, "body").rfind("from sipp", 0) == 0);
  BOOST_CHECK(field(message, "from").find("sip:tester@127.0.0.1") != std::string::npos);
  // Malformed CPIM is refused with 400 and recorded as an ErrorEvent.
  BOOST_CHECK_EQUAL(
      sippSendMessage(s.kamailio.proxy(), "sip:bob@example.test", "not cpim", 400, "message/cpim")
          .get(),
      "");
  auto error = last(bob.until(s.bridge, "ErrorEvent"));
  BOOST_REQUIRE(error);
  BOOST_CHECK(field(error, "info").find("400") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(manual_imdn_is_sent_on_request) {
  Stack s;
  s.addApp("app1", false);
  s.addApp("app2", false);
  BOOST_REQUIRE_EQUAL(
      s.bridge.admin("PUT", "/admin/v1/apps/app2", R"({"imdnMode":"manual"})").status, 200);
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app2", "bob");
  send(s, alice, R"({"id":"n1","to":"bob","body":"tell me","contentType":"message/cpim",
                     "isImdnRequired":true})");
  auto message = last(bob.until(s.bridge, "OnMessageEvent"));
  BOOST_REQUIRE(message);
  BOOST_CHECK(last(alice.until(s.bridge, "MessageStatusEvent", "ACCEPTED")));
  auto unknown = s.bridge.post("/api/v1/sendIMDN", R"({"messageId":"nope"})", bob.token);
  BOOST_CHECK_EQUAL(unknown.status, 404);
  auto imdn = s.bridge.post("/api/v1/sendIMDN",
                            R"({"messageId":")" + field(message, "id") + R"("})", bob.token);
  BOOST_CHECK_EQUAL(imdn.status, 202);
  auto delivered = last(alice.until(s.bridge, "MessageStatusEvent", "IMDN_DELIVERED"));
  BOOST_REQUIRE(delivered);
  BOOST_CHECK_EQUAL(field(delivered, "id"), "n1");
}

BOOST_AUTO_TEST_CASE(imdn_mode_changes_reach_sessions_already_connected) {
  Stack s(Env{{"SIPBRIDGE_SESSION_APPREFRESHSECONDS", "1"}});
  s.addApp("app1", false);
  s.addApp("app2", false);
  Client alice = registeredClient(s, "app1", "alice");
  Client bob = registeredClient(s, "app2", "bob");

  // Through this node's admin API, after bob connected: from the next message on, no IMDN
  // leaves without his client asking for it.
  BOOST_REQUIRE_EQUAL(
      s.bridge.admin("PUT", "/admin/v1/apps/app2", R"({"imdnMode":"manual"})").status, 200);
  send(s, alice, R"({"id":"p1","to":"bob","body":"private","contentType":"message/cpim",
                     "isImdnRequired":true})");
  auto message = last(bob.until(s.bridge, "OnMessageEvent"));
  BOOST_REQUIRE(message);
  BOOST_CHECK(last(alice.until(s.bridge, "MessageStatusEvent", "ACCEPTED")));
  auto quiet =
      pollUntil(s.bridge, bob.token, bob.after, "MessageStatusEvent", "IMDN_NOTIFICATION_SENT", 3s);
  BOOST_CHECK_MESSAGE(quiet.empty() || field(quiet.back(), "status") != "IMDN_NOTIFICATION_SENT",
                      "no automatic IMDN after the switch to manual");
  auto imdn = s.bridge.post("/api/v1/sendIMDN",
                            R"({"messageId":")" + field(message, "id") + R"("})", bob.token);
  BOOST_CHECK_EQUAL(imdn.status, 202);
  auto delivered = last(alice.until(s.bridge, "MessageStatusEvent", "IMDN_DELIVERED"));
  BOOST_REQUIRE(delivered);
  BOOST_CHECK_EQUAL(field(delivered, "id"), "p1");

  // Changed elsewhere (another node, the command line): read again within
  // session.appRefreshSeconds, then the IMDN goes out automatically again.
  s.pg.psql("UPDATE apps SET imdn_mode = 'automatic' WHERE app_key = 'app2'");
  std::this_thread::sleep_for(3s);
  send(s, alice, R"({"id":"p2","to":"bob","body":"again","contentType":"message/cpim",
                     "isImdnRequired":true})");
  BOOST_CHECK(last(bob.until(s.bridge, "MessageStatusEvent", "IMDN_NOTIFICATION_SENT")));
  delivered = last(alice.until(s.bridge, "MessageStatusEvent", "IMDN_DELIVERED"));
  BOOST_REQUIRE(delivered);
  BOOST_CHECK_EQUAL(field(delivered, "id"), "p2");
}

BOOST_AUTO_TEST_SUITE_END()
