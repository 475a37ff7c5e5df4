#include <boost/test/unit_test.hpp>

#include "../support/Kamailio.h"
#include "../support/SipRecorder.h"
#include "../support/Sipp.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/sip/SipStack.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;
using sipbridge::core::IncomingMessage;
using sipbridge::core::MessageOutcome;
using sipbridge::core::OutgoingMessage;
using sipbridge::core::RegistrationResult;
using sipbridge::core::SipAccount;
using sipbridge::test::freePort;
using sipbridge::test::randomToken;
using sipbridge::test::repoRoot;
using sipbridge::test::runCommand;
using sipbridge::test::sippSendMessage;
using sipbridge::test::sippServe;

namespace {

/// PostgreSQL and Kamailio of this suite; a second Kamailio challenges MESSAGEs (407).
sipbridge::test::KamailioServers& servers() {
  static sipbridge::test::KamailioServers shared;
  return shared;
}

sipbridge::sip::SipConfig testConfig(
    int port = sipbridge::test::freePortRange(sipbridge::test::kSipPorts)) {
  sipbridge::sip::SipConfig config;
  config.bindUrl = "sip:127.0.0.1:" + std::to_string(port);
  config.maxSessionsPerUser = sipbridge::test::kSipPorts;
  config.userAgent = "sipbridge-test";
  config.transactionTimeoutMs = 2000;
  config.unregisterTimeoutMs = 2000;
  config.shutdownTimeoutMs = 5000;  // longer than any transaction: shutdown completes
  return config;
}

SipAccount account(const std::string& login, const std::string& proxy,
                   const std::string& transport = "udp", const std::string& password = "") {
  SipAccount a;
  a.sessionId = randomToken("session-");
  a.login = login;
  a.authName = login;
  a.password = password.empty() ? login + "-secret" : password;
  a.displayName = login == "alice" ? "Alice A." : "";
  a.domain = "example.test";
  a.outboundProxy = proxy;
  a.transport = transport;
  a.contactUser = randomToken("c");
  a.expiresSeconds = 600;
  return a;
}

std::uint64_t nextRequestId() {
  static std::uint64_t id = 1000;
  return ++id;
}

OutgoingMessage message(const SipAccount& from, const std::string& target,
                        const std::string& body = "hello there") {
  return {from.sessionId, nextRequestId(), target, "text/plain;charset=UTF-8", body};
}

/// Two registered sessions, alice and bob, on one stack.
struct Pair {
  explicit Pair(const std::string& transport = "udp",
                const std::string& proxy = servers().kamailio.proxy(),
                sipbridge::sip::SipConfig config = testConfig())
      : bridgePort(std::stoi(config.bindUrl.substr(config.bindUrl.rfind(':') + 1))),
        stack(config, recorder, recorder),
        alice(account("alice", proxy, transport)),
        bob(account("bob", proxy, transport)) {
    stack.registerAccount(alice);
    stack.registerAccount(bob);
    BOOST_REQUIRE(recorder.registered(alice.sessionId));
    BOOST_REQUIRE(recorder.registered(bob.sessionId));
  }
  /// Request-URI reaching a session directly, without Kamailio.
  std::string direct(const SipAccount& a) const {
    return "sip:" + a.contactUser + "@127.0.0.1:" + std::to_string(bridgePort);
  }
  int bridgePort;
  sipbridge::test::SipRecorder recorder;
  sipbridge::sip::SipStack stack;
  SipAccount alice;
  SipAccount bob;
};

/// A new user of example.test (password <login>-secret) at the suite's Kamailio.
std::string newSubscriber() {
  const std::string login = randomToken("u");
  servers().pg.psql("INSERT INTO subscriber (username, domain, password) VALUES ('" + login +
                        "', 'example.test', '" + login + "-secret')",
                    "kamailio");
  return login;
}

/// The transport named by the n-th Via header (0 = topmost) of a raw request.
std::string viaTransport(const std::string& raw, int n) {
  size_t at = 0;
  for (int i = 0; i <= n; ++i) {
    at = raw.find("\nVia: SIP/2.0/", at + 1);
    if (at == std::string::npos) return "";
  }
  const size_t start = at + std::string("\nVia: SIP/2.0/").size();
  return raw.substr(start, raw.find(' ', start) - start);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SipMessage)

BOOST_AUTO_TEST_CASE(TextMessageReachesTheOtherSessionAndItsAnswerComesBack) {
  Pair p;
  const OutgoingMessage first = message(p.alice, "sip:bob@example.test");
  p.stack.sendMessage(first);
  auto in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->body == "hello there");
  BOOST_TEST(in->contentType == "text/plain;charset=UTF-8");
  BOOST_TEST(in->fromUri == "sip:alice@example.test");
  BOOST_TEST(in->fromDisplayName == "Alice A.");
  BOOST_TEST(in->toUri == "sip:bob@example.test");
  BOOST_TEST(in->rawMessage.rfind("MESSAGE sip:" + p.bob.contactUser + "@127.0.0.1:", 0) == 0,
             in->rawMessage);
  BOOST_TEST(in->rawMessage.find("\r\nCall-ID: ") != std::string::npos);
  BOOST_TEST(in->rawMessage.size() >= 11);
  BOOST_TEST(in->rawMessage.substr(in->rawMessage.size() - 11) == "hello there");
  BOOST_TEST(!p.recorder.messageOutcome(first.requestId, 200ms), "no outcome before the answer");
  p.stack.answerMessage(in->transactionId, 200, "OK");
  auto outcome = p.recorder.messageOutcome(first.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 200);
  BOOST_TEST(outcome->sessionId == p.alice.sessionId);

  const OutgoingMessage second = message(p.alice, "sip:bob@example.test", "busy?");
  p.stack.sendMessage(second);
  in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  p.stack.answerMessage(in->transactionId, 486, "Busy Here");
  p.stack.answerMessage(in->transactionId, 200, "OK");  // already answered: ignored
  outcome = p.recorder.messageOutcome(second.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 486);
  BOOST_TEST(outcome->reason == "Busy Here");
}

BOOST_AUTO_TEST_CASE(BinaryBodyWithNulBytesArrivesWhole) {
  Pair p;
  std::string body = "before";
  body += '\0';
  body += "\x01\xff after";
  const OutgoingMessage sent{p.alice.sessionId, nextRequestId(), "sip:bob@example.test",
                             "application/octet-stream", body};
  p.stack.sendMessage(sent);
  auto in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->body == body);
  BOOST_TEST(in->contentType == "application/octet-stream");
  p.stack.answerMessage(in->transactionId, 200, "OK");
  auto outcome = p.recorder.messageOutcome(sent.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 200);
}

BOOST_AUTO_TEST_CASE(RefusalsWithoutAnIncomingSide) {
  Pair p;
  const OutgoingMessage nobody = message(p.alice, "sip:nobody@example.test");
  const OutgoingMessage noAccount{"no-such-session", nextRequestId(), "sip:bob@example.test",
                                  "text/plain", "x"};
  const OutgoingMessage badTarget = message(p.alice, "sip:");
  const OutgoingMessage badType{p.alice.sessionId, nextRequestId(), "sip:bob@example.test",
                                "no type at all", "x"};
  for (const auto* m : {&nobody, &noAccount, &badTarget, &badType}) p.stack.sendMessage(*m);

  auto outcome = p.recorder.messageOutcome(nobody.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST((outcome->sipStatus == 404 || outcome->sipStatus == 480), outcome->sipStatus);
  outcome = p.recorder.messageOutcome(noAccount.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 0);
  BOOST_TEST(outcome->reason == "session has no SIP account");
  outcome = p.recorder.messageOutcome(badTarget.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 0);
  BOOST_TEST(outcome->reason == "invalid target URI");
  outcome = p.recorder.messageOutcome(badType.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 0);
  BOOST_TEST(!p.recorder.incoming(p.bob.sessionId, 200ms));
}

BOOST_AUTO_TEST_CASE(LargeBodyFromAUdpAccountGoesOverTcp) {
  Pair p("udp");
  std::string body;
  for (int i = 0; body.size() < 3000; ++i) body += "line " + std::to_string(i) + "\n";
  const OutgoingMessage large = message(p.alice, "sip:bob@example.test", body);
  p.stack.sendMessage(large);
  auto in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->body == body);
  // Kamailio's own Via on top, the bridge's below it: both hops were TCP.
  BOOST_TEST(viaTransport(in->rawMessage, 0) == "TCP", in->rawMessage.substr(0, 600));
  BOOST_TEST(viaTransport(in->rawMessage, 1) == "TCP", in->rawMessage.substr(0, 600));
  p.stack.answerMessage(in->transactionId, 200, "OK");
  auto outcome = p.recorder.messageOutcome(large.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 200);

  const OutgoingMessage small = message(p.alice, "sip:bob@example.test", "short");
  p.stack.sendMessage(small);
  in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(viaTransport(in->rawMessage, 1) == "UDP");
  p.stack.answerMessage(in->transactionId, 200, "OK");
  BOOST_REQUIRE(p.recorder.messageOutcome(small.requestId));
}

BOOST_AUTO_TEST_CASE(TcpAccountsSendAndReceiveOverTcp) {
  Pair p("tcp");
  const OutgoingMessage m = message(p.alice, "sip:bob@example.test");
  p.stack.sendMessage(m);
  auto in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(viaTransport(in->rawMessage, 0) == "TCP");
  BOOST_TEST(viaTransport(in->rawMessage, 1) == "TCP");
  p.stack.answerMessage(in->transactionId, 202, "Accepted");
  auto outcome = p.recorder.messageOutcome(m.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 202);
}

BOOST_AUTO_TEST_CASE(SippUasRefusingWith415) {
  Pair p;
  const int sippPort = freePort();
  const std::string user = randomToken("sipp-uas-");
  auto uas = sippServe("uas_415.xml", sippPort);
  // Binds sip:<user>@example.test to the sipp UAS (methods mask: all), as a REGISTER would.
  servers().kamailio.kamcmd("ul.add location " + user + "@example.test sip:" + user +
                            "@127.0.0.1:" + std::to_string(sippPort) + " 60 1.0 . 0 0 4095");
  BOOST_REQUIRE(servers()
                    .kamailio.kamcmd("ul.lookup location " + user + "@example.test")
                    .find("127.0.0.1:" + std::to_string(sippPort)) != std::string::npos);
  std::this_thread::sleep_for(200ms);  // sipp is listening by now
  const OutgoingMessage m = message(p.alice, "sip:" + user + "@example.test");
  p.stack.sendMessage(m);
  auto outcome = p.recorder.messageOutcome(m.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 415);
  BOOST_TEST(outcome->reason == "Unsupported Media Type");
  BOOST_TEST(uas.get() == "");
}

BOOST_AUTO_TEST_CASE(SippUacThroughKamailioGets200AfterAnswerMessage) {
  Pair p;
  auto uac = sippSendMessage(servers().kamailio.proxy(), "sip:bob@example.test", "from sipp", 200);
  auto in = p.recorder.incoming(p.bob.sessionId, 15s);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->body.rfind("from sipp", 0) == 0, in->body);
  BOOST_TEST(in->fromUri == "sip:tester@127.0.0.1");
  BOOST_TEST(in->fromDisplayName == "Sipp Tester");
  BOOST_TEST((uac.wait_for(300ms) == std::future_status::timeout), "answered before the core");
  p.stack.answerMessage(in->transactionId, 200, "OK");
  BOOST_TEST(uac.get() == "");
}

BOOST_AUTO_TEST_CASE(LargeUdpRequestsUpToTheConfiguredSize) {
  auto config = testConfig();
  config.maxMessageBytes = 16384;
  Pair p("udp", servers().kamailio.proxy(), config);
  const std::string bridge = "127.0.0.1:" + std::to_string(p.bridgePort);
  const std::string big(12000, 'x');
  auto uac = sippSendMessage(bridge, p.direct(p.bob), big, 200);
  auto in = p.recorder.incoming(p.bob.sessionId, 15s);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->body.size() >= big.size());
  BOOST_TEST(viaTransport(in->rawMessage, 0) == "UDP");
  p.stack.answerMessage(in->transactionId, 200, "OK");
  BOOST_TEST(uac.get() == "");

  BOOST_TEST(sippSendMessage(bridge, p.direct(p.bob), std::string(20000, 'y'), 413).get() == "");
  BOOST_TEST(!p.recorder.incoming(p.bob.sessionId, 200ms));
}

BOOST_AUTO_TEST_CASE(UnknownContactsFullMapAndForgottenAnswers) {
  auto config = testConfig();
  config.maxPendingMessages = 1;
  config.pendingMessageTimeoutMs = 1500;
  Pair p("udp", servers().kamailio.proxy(), config);
  const std::string bridge = "127.0.0.1:" + std::to_string(p.bridgePort);

  // A contact no session holds (of an ended session, or left by an earlier run) gets a 5xx,
  // which a forking proxy ranks below any live session's answer; no contact at all 404.
  BOOST_TEST(
      sippSendMessage(bridge, "sip:unknown@127.0.0.1:" + std::to_string(p.bridgePort), "x", 500)
          .get() == "");
  BOOST_TEST(
      sippSendMessage(bridge, "sip:127.0.0.1:" + std::to_string(p.bridgePort), "x", 404).get() ==
      "");
  const auto started = std::chrono::steady_clock::now();
  auto forgotten = sippSendMessage(bridge, p.direct(p.alice), "never answered", 500);
  BOOST_REQUIRE(p.recorder.incoming(p.alice.sessionId));
  BOOST_TEST(sippSendMessage(bridge, p.direct(p.bob), "one too many", 503).get() == "");
  BOOST_TEST(forgotten.get() == "");
  const auto waited = std::chrono::steady_clock::now() - started;
  BOOST_TEST(waited >= 1400ms);
  BOOST_TEST(waited < 5s);
  BOOST_TEST(!p.recorder.incoming(p.bob.sessionId, 100ms));

  // A session whose registration failed is not served.
  const SipAccount carol = account("carol", servers().kamailio.proxy(), "udp", "wrong");
  p.stack.registerAccount(carol);
  BOOST_TEST(sippSendMessage(bridge, p.direct(carol), "not registered", 500).get() == "");

  // The slot is free again.
  auto next = sippSendMessage(bridge, p.direct(p.bob), "again", 200);
  auto in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  p.stack.answerMessage(in->transactionId, 200, "OK");
  BOOST_TEST(next.get() == "");
}

BOOST_AUTO_TEST_CASE(UnreachableProxyIsReportedAsSuch) {
  sipbridge::test::SipRecorder recorder;
  sipbridge::sip::SipStack stack(testConfig(), recorder, recorder);
  const std::string nowhere = "127.0.0.1:" + std::to_string(freePort());
  for (const std::string transport : {"tcp", "udp"}) {
    const SipAccount dave = account("dave", nowhere, transport);
    stack.registerAccount(dave);
    const OutgoingMessage m = message(dave, "sip:bob@example.test");
    stack.sendMessage(m);
    auto outcome = recorder.messageOutcome(m.requestId, 8s);
    BOOST_REQUIRE(outcome);
    BOOST_TEST((outcome->sipStatus == 408 || outcome->sipStatus == 503), outcome->sipStatus);
    BOOST_TEST(outcome->reason == "SIP server unreachable");
  }
}

BOOST_AUTO_TEST_CASE(ProxyChallengeIsAnsweredOnce) {
  ::setenv("KAMAILIO_DEFINES", "WITH_PROXY_AUTH", 1);
  std::optional<sipbridge::test::KamailioInstance> challenging;
  try {
    challenging.emplace(servers().pg);
  } catch (...) {
    ::unsetenv("KAMAILIO_DEFINES");
    throw;
  }
  ::unsetenv("KAMAILIO_DEFINES");
  Pair p("udp", challenging->proxy());
  const OutgoingMessage m = message(p.alice, "sip:bob@example.test");
  p.stack.sendMessage(m);
  auto in = p.recorder.incoming(p.bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->rawMessage.find("Proxy-Authorization") == std::string::npos,
             "Kamailio consumes the credentials");
  p.stack.answerMessage(in->transactionId, 200, "OK");
  auto outcome = p.recorder.messageOutcome(m.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 200);

  // A session whose password is wrong: registration failed, the account is still known,
  // and the second challenge is the outcome.
  SipAccount carol = account("carol", challenging->proxy(), "udp", "wrong");
  p.stack.registerAccount(carol);
  const OutgoingMessage refused = message(carol, "sip:bob@example.test");
  p.stack.sendMessage(refused);
  outcome = p.recorder.messageOutcome(refused.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST((outcome->sipStatus == 407 || outcome->sipStatus == 403), outcome->sipStatus);
  BOOST_TEST(!p.recorder.incoming(p.bob.sessionId, 200ms));
}

BOOST_AUTO_TEST_CASE(EverySessionOfAUserGetsTheForkedMessage) {
  const std::string login = newSubscriber();
  sipbridge::test::SipRecorder recorder;
  sipbridge::sip::SipStack stack(testConfig(), recorder, recorder);
  const SipAccount alice = account("alice", servers().kamailio.proxy());
  const SipAccount tab1 = account(login, servers().kamailio.proxy());
  const SipAccount tab2 = account(login, servers().kamailio.proxy());
  for (const SipAccount* a : {&alice, &tab1, &tab2}) {
    stack.registerAccount(*a);
    BOOST_REQUIRE(recorder.registered(a->sessionId));
  }
  const OutgoingMessage m = message(alice, "sip:" + login + "@example.test", "to both tabs");
  stack.sendMessage(m);
  auto in1 = recorder.incoming(tab1.sessionId);
  auto in2 = recorder.incoming(tab2.sessionId);
  BOOST_REQUIRE(in1);
  BOOST_REQUIRE(in2);
  BOOST_TEST(in1->body == "to both tabs");
  BOOST_TEST(in2->body == "to both tabs");
  BOOST_TEST(in1->rawMessage.rfind("MESSAGE sip:" + tab1.contactUser + "@", 0) == 0);
  BOOST_TEST(in2->rawMessage.rfind("MESSAGE sip:" + tab2.contactUser + "@", 0) == 0);
  stack.answerMessage(in1->transactionId, 200, "OK");
  stack.answerMessage(in2->transactionId, 200, "OK");
  auto outcome = recorder.messageOutcome(m.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 200);
}

BOOST_AUTO_TEST_CASE(BindingsNoSessionHoldsNeverHideALiveSessionsAnswer) {
  const std::string login = newSubscriber();
  const auto config = testConfig();
  const int port = std::stoi(config.bindUrl.substr(config.bindUrl.rfind(':') + 1));
  sipbridge::test::SipRecorder recorder;
  sipbridge::sip::SipStack stack(config, recorder, recorder);
  const SipAccount alice = account("alice", servers().kamailio.proxy());
  const SipAccount tab = account(login, servers().kamailio.proxy());
  for (const SipAccount* a : {&alice, &tab}) {
    stack.registerAccount(*a);
    BOOST_REQUIRE(recorder.registered(a->sessionId));
  }
  // The binding of a session of the user that is gone (another port of this node).
  servers().kamailio.kamcmd("ul.add location " + login + "@example.test sip:" + randomToken("sb") +
                            "@127.0.0.1:" + std::to_string(port + 1) + " 600 1.0 . 0 0 4095");

  const OutgoingMessage busy = message(alice, "sip:" + login + "@example.test", "busy?");
  stack.sendMessage(busy);
  auto in = recorder.incoming(tab.sessionId);
  BOOST_REQUIRE(in);
  stack.answerMessage(in->transactionId, 486, "Busy Here");
  auto outcome = recorder.messageOutcome(busy.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 486, "the live session's answer, not the gone one's");

  const OutgoingMessage taken = message(alice, "sip:" + login + "@example.test", "now?");
  stack.sendMessage(taken);
  in = recorder.incoming(tab.sessionId);
  BOOST_REQUIRE(in);
  stack.answerMessage(in->transactionId, 200, "OK");
  outcome = recorder.messageOutcome(taken.requestId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 200);
}

BOOST_AUTO_TEST_SUITE_END()
