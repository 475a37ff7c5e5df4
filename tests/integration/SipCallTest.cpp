#include <boost/test/unit_test.hpp>

#include "../support/Kamailio.h"
#include "../support/SipRecorder.h"
#include "../support/Sipp.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/SipCalls.h"
#include "sipbridge/sip/SipStack.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sipbridge::core::CallUpdate;
using sipbridge::core::IncomingCall;
using sipbridge::core::IncomingRefer;
using sipbridge::core::InfoOutcome;
using sipbridge::core::OutgoingCall;
using sipbridge::core::SipAccount;
using sipbridge::core::TransferUpdate;
using sipbridge::test::freePort;
using sipbridge::test::randomToken;
using sipbridge::test::sippClient;
using sipbridge::test::sippServe;
using Kind = sipbridge::core::CallUpdate::Kind;

namespace {

sipbridge::test::KamailioServers& servers() {
  static sipbridge::test::KamailioServers shared;
  return shared;
}

std::unique_ptr<sipbridge::test::KamailioInstance> challengingKamailio() {
  return sipbridge::test::challengingKamailio(servers().pg);
}

/// How many INVITEs (initial and re-INVITEs) the Kamailio received so far.
int invitesReceived(const sipbridge::test::KamailioInstance& kamailio) {
  const std::string out = kamailio.kamcmd("stats.get_statistics rcv_requests_invite");
  const auto equals = out.find('=');
  return equals == std::string::npos ? -1 : std::stoi(out.substr(equals + 1));
}

sipbridge::sip::SipConfig testConfig() {
  sipbridge::sip::SipConfig config;
  config.bindUrl =
      "sip:127.0.0.1:" + std::to_string(sipbridge::test::freePortRange(sipbridge::test::kSipPorts));
  config.maxSessionsPerUser = sipbridge::test::kSipPorts;
  config.userAgent = "sipbridge-test";
  config.transactionTimeoutMs = 2000;
  config.unregisterTimeoutMs = 2000;
  // Longer than any transaction: a shutdown always completes (a shutdown cut short by its
  // deadline leaves sofia's memory behind, which the leak checker would rightly report).
  config.shutdownTimeoutMs = 5000;
  return config;
}

SipAccount newUser() {
  const std::string login = randomToken("u");
  servers().pg.psql("INSERT INTO subscriber (username, domain, password) VALUES ('" + login +
                        "', 'example.test', '" + login + "-secret')",
                    "kamailio");
  SipAccount a;
  a.sessionId = randomToken("session-");
  a.login = login;
  a.authName = login;
  a.password = login + "-secret";
  a.domain = "example.test";
  a.outboundProxy = servers().kamailio.proxy();
  a.transport = "udp";
  a.contactUser = randomToken("c");
  a.expiresSeconds = 600;
  return a;
}

std::string aor(const SipAccount& a) {
  return "sip:" + a.login + "@example.test";
}

std::string sdp(const std::string& marker, const std::string& direction = "sendrecv") {
  return "v=0\r\no=test 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio 7000 RTP/AVP 0\r\na=" +
         direction + "\r\na=x-sipbridge-test:" + marker + "\r\n";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Records every call report; the test thread waits for them, bounded.
class CallRecorder : public sipbridge::core::CallListener {
 public:
  void onCallUpdate(const CallUpdate& update) override {
    std::function<void(const CallUpdate&)> hook;
    {
      std::lock_guard lock(mutex_);
      hook = hook_;
    }
    if (hook) hook(update);
    add(updates_, update);
  }
  /// Runs `hook` on the SIP thread before recording each later update (null: none).
  void setHook(std::function<void(const CallUpdate&)> hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
  }
  void onIncomingCall(const IncomingCall& call) override { add(incoming_, call); }
  void onTransferUpdate(const TransferUpdate& update) override { add(transfers_, update); }
  void onIncomingRefer(const IncomingRefer& refer) override { add(refers_, refer); }
  void onInfoOutcome(const InfoOutcome& outcome) override { add(infos_, outcome); }

  /// The first update of `kind` for the call not returned before.
  std::optional<CallUpdate> update(const std::string& callId, Kind kind,
                                   std::chrono::milliseconds timeout = 8s) {
    return take(
        updates_, [&](const CallUpdate& u) { return u.callId == callId && u.kind == kind; },
        timeout);
  }
  std::optional<IncomingCall> incoming(const std::string& sessionId,
                                       std::chrono::milliseconds timeout = 8s) {
    return take(
        incoming_, [&](const IncomingCall& c) { return c.sessionId == sessionId; }, timeout);
  }
  std::optional<TransferUpdate> transfer(const std::string& callId,
                                         const std::function<bool(const TransferUpdate&)>& wanted) {
    return take(
        transfers_, [&](const TransferUpdate& t) { return t.callId == callId && wanted(t); }, 8s);
  }
  std::optional<IncomingRefer> refer(const std::string& callId) {
    return take(
        refers_, [&](const IncomingRefer& r) { return r.callId == callId; }, 8s);
  }
  std::optional<InfoOutcome> info(const std::string& callId) {
    return take(
        infos_, [&](const InfoOutcome& o) { return o.callId == callId; }, 8s);
  }
  /// The kinds of every update of the call so far, in order.
  std::vector<Kind> kinds(const std::string& callId) {
    std::lock_guard lock(mutex_);
    std::vector<Kind> kinds;
    for (const auto& [u, taken] : updates_)
      if (u.callId == callId) kinds.push_back(u.kind);
    return kinds;
  }

 private:
  template <typename T>
  using Log = std::vector<std::pair<T, bool>>;  ///< value, returned already

  template <typename T>
  void add(Log<T>& log, const T& value) {
    std::lock_guard lock(mutex_);
    log.emplace_back(value, false);
    changed_.notify_all();
  }
  template <typename T, typename Wanted>
  std::optional<T> take(Log<T>& log, const Wanted& wanted, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<T> found;
    changed_.wait_for(lock, timeout, [&] {
      for (auto& [value, taken] : log) {
        if (taken || !wanted(value)) continue;
        taken = true;
        found = value;
        return true;
      }
      return false;
    });
    return found;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void(const CallUpdate&)> hook_;
  Log<CallUpdate> updates_;
  Log<IncomingCall> incoming_;
  Log<TransferUpdate> transfers_;
  Log<IncomingRefer> refers_;
  Log<InfoOutcome> infos_;
};

/// One stack with a call listener; sessions added with add().
struct Bridge {
  explicit Bridge(sipbridge::sip::SipConfig config = testConfig())
      : stack(std::move(config), recorder, recorder, recorder, calls) {}
  SipAccount add(SipAccount a) {
    stack.registerAccount(a);
    BOOST_REQUIRE(recorder.registered(a.sessionId));
    return a;
  }
  sipbridge::test::SipRecorder recorder;
  CallRecorder calls;
  sipbridge::sip::SipStack stack;
};

/// A sipp UAS running `scenario`, reachable as sip:<user>@example.test through Kamailio.
struct SippUas {
  explicit SippUas(const std::string& scenario)
      : port(freePort()), user(randomToken("sipp-")), result(sippServe(scenario, port)) {
    servers().kamailio.kamcmd("ul.add location " + user + "@example.test sip:" + user +
                              "@127.0.0.1:" + std::to_string(port) + " 60 1.0 . 0 0 4095");
    std::this_thread::sleep_for(200ms);  // sipp is listening by now
  }
  std::string uri() const { return "sip:" + user + "@example.test"; }
  int port;
  std::string user;
  std::future<std::string> result;
};

OutgoingCall outgoing(const SipAccount& from, const std::string& target, const std::string& body) {
  OutgoingCall c;
  c.sessionId = from.sessionId;
  c.callId = randomToken("call-");
  c.targetUri = target;
  c.sdp = body;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SipCall)

BOOST_AUTO_TEST_CASE(OutgoingCallAnsweredBySippGetsInfoAndBye) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  SippUas uas("uas_call_answer.xml");
  const OutgoingCall c = outgoing(alice, uas.uri(), sdp("offer"));
  b.stack.call(c);
  auto ringing = b.calls.update(c.callId, Kind::Progress);
  BOOST_REQUIRE(ringing);
  BOOST_TEST(ringing->sipStatus == 180);
  BOOST_TEST(!ringing->sipCallId.empty());
  auto answered = b.calls.update(c.callId, Kind::Answered);
  BOOST_REQUIRE(answered);
  BOOST_TEST(answered->sipStatus == 200);
  BOOST_TEST(contains(answered->sdp, "a=x-sipbridge-test:answer"), answered->sdp);
  BOOST_TEST(answered->sipCallId == ringing->sipCallId);
  BOOST_TEST(answered->sessionId == alice.sessionId);

  b.stack.info(alice.sessionId, c.callId, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
  auto info = b.calls.info(c.callId);
  BOOST_REQUIRE(info);
  BOOST_TEST(info->sipStatus == 200);

  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  auto ended = b.calls.update(c.callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(!ended->byRemote);
  BOOST_TEST(ended->sipStatus == 200);
  BOOST_TEST(ended->sipCallId == ringing->sipCallId);
  BOOST_TEST(uas.result.get() == "");
  BOOST_TEST(
      (b.calls.kinds(c.callId) == std::vector<Kind>{Kind::Progress, Kind::Answered, Kind::Ended}));
}

BOOST_AUTO_TEST_CASE(BusyFarEndRefuses486) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  SippUas uas("uas_call_busy.xml");
  const OutgoingCall c = outgoing(alice, uas.uri(), sdp("offer"));
  b.stack.call(c);
  auto refused = b.calls.update(c.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 486);
  BOOST_TEST(refused->reason == "Busy Here");
  BOOST_TEST(!refused->sipCallId.empty());
  BOOST_TEST(uas.result.get() == "");
  BOOST_TEST(!b.calls.update(c.callId, Kind::Ended, 300ms));
}

BOOST_AUTO_TEST_CASE(NoAnswerIsCancelledAndRefused408) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  SippUas uas("uas_call_ring.xml");
  OutgoingCall c = outgoing(alice, uas.uri(), sdp("offer"));
  c.noAnswerTimeoutMs = 1000;
  b.stack.call(c);
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Progress));
  auto refused = b.calls.update(c.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 408);
  BOOST_TEST(uas.result.get() == "");
  BOOST_TEST(!b.calls.update(c.callId, Kind::Ended, 300ms));
}

BOOST_AUTO_TEST_CASE(HangupBeforeAnswerCancels) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  SippUas uas("uas_call_ring.xml");
  const OutgoingCall c = outgoing(alice, uas.uri(), sdp("offer"));
  b.stack.call(c);
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Progress));
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  auto ended = b.calls.update(c.callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->sipStatus == 487);
  BOOST_TEST(!ended->byRemote);
  BOOST_TEST(uas.result.get() == "");
}

BOOST_AUTO_TEST_CASE(InvalidTargetAndUnknownSessionAreRefusedAtOnce) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const OutgoingCall bad = outgoing(alice, "not a uri", sdp("offer"));
  b.stack.call(bad);
  auto refused = b.calls.update(bad.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 0);
  OutgoingCall stray = outgoing(alice, "sip:x@example.test", sdp("offer"));
  stray.sessionId = "no-such-session";
  b.stack.call(stray);
  refused = b.calls.update(stray.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->reason == "session has no SIP account");
  b.stack.hangupCall(alice.sessionId, "no-such-call", 486);  // ignored
}

BOOST_AUTO_TEST_CASE(CallReinviteReferAndByeBetweenTwoSessions) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  const SipAccount carol = b.add(newUser());

  OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer"));
  c.displayName = "Alice A.";
  b.stack.call(c);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->sdp == c.sdp);
  BOOST_TEST(in->callerUri == aor(alice));
  BOOST_TEST(in->callerDisplayName == "Alice A.");
  BOOST_TEST(in->calleeUri == aor(bob));
  BOOST_TEST(!in->sipCallId.empty());
  BOOST_TEST(in->rawMessage.rfind("INVITE sip:" + bob.contactUser + "@", 0) == 0, in->rawMessage);
  auto ringing = b.calls.update(c.callId, Kind::Progress);
  BOOST_REQUIRE(ringing);
  BOOST_TEST(ringing->sipStatus == 180);
  BOOST_TEST(ringing->sipCallId == in->sipCallId);

  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-answer"));
  auto bobAnswered = b.calls.update(in->callId, Kind::Answered);
  BOOST_REQUIRE(bobAnswered);
  BOOST_TEST(bobAnswered->sipCallId == in->sipCallId);
  auto answered = b.calls.update(c.callId, Kind::Answered);
  BOOST_REQUIRE(answered);
  BOOST_TEST(answered->sdp == sdp("bob-answer"));

  // INFO from the callee's side: answered 200 by the caller's stack.
  b.stack.info(bob.sessionId, in->callId, "application/dtmf-relay", "Signal=#\r\nDuration=100\r\n");
  auto info = b.calls.info(in->callId);
  BOOST_REQUIRE(info);
  BOOST_TEST(info->sipStatus == 200, info->reason);

  // Hold: a re-INVITE with a sendonly offer, answered recvonly by the far end's client.
  b.stack.reinvite(alice.sessionId, c.callId, sdp("alice-hold", "sendonly"));
  auto reoffer = b.calls.update(in->callId, Kind::Reoffer);
  BOOST_REQUIRE(reoffer);
  BOOST_TEST(reoffer->sdp == sdp("alice-hold", "sendonly"));
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-held", "recvonly"));
  auto reanswered = b.calls.update(c.callId, Kind::Reanswered);
  BOOST_REQUIRE(reanswered);
  BOOST_TEST(reanswered->sipStatus == 200);
  BOOST_TEST(reanswered->sdp == sdp("bob-held", "recvonly"));

  // Transfer: Alice refers Bob to Carol; Bob's call to Carol reports back to Alice.
  b.stack.refer(alice.sessionId, c.callId, aor(carol));
  auto accepted = b.calls.transfer(
      c.callId, [](const TransferUpdate& t) { return t.kind == TransferUpdate::Kind::Accepted; });
  BOOST_REQUIRE(accepted);
  BOOST_TEST(accepted->sipStatus == 202);
  auto refer = b.calls.refer(in->callId);
  BOOST_REQUIRE(refer);
  BOOST_TEST(refer->referTo == aor(carol));
  BOOST_TEST(refer->referredBy == aor(alice));
  OutgoingCall transferred = outgoing(bob, refer->referTo, sdp("bob-to-carol"));
  transferred.referredByCallId = in->callId;
  b.stack.call(transferred);
  auto toCarol = b.calls.incoming(carol.sessionId);
  BOOST_REQUIRE(toCarol);
  BOOST_TEST(toCarol->sdp == transferred.sdp);
  b.stack.answerCall(carol.sessionId, toCarol->callId, sdp("carol-answer"));
  BOOST_REQUIRE(b.calls.update(transferred.callId, Kind::Answered));
  auto done = b.calls.transfer(c.callId, [](const TransferUpdate& t) { return t.final; });
  BOOST_REQUIRE(done);
  BOOST_TEST((done->kind == TransferUpdate::Kind::Notify));
  BOOST_TEST(done->sipStatus == 200, done->reason);

  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  auto aliceEnded = b.calls.update(c.callId, Kind::Ended);
  BOOST_REQUIRE(aliceEnded);
  BOOST_TEST(!aliceEnded->byRemote);
  auto bobEnded = b.calls.update(in->callId, Kind::Ended);
  BOOST_REQUIRE(bobEnded);
  BOOST_TEST(bobEnded->byRemote);
  BOOST_TEST(bobEnded->reason == "BYE");

  b.stack.hangupCall(carol.sessionId, toCarol->callId, 486);
  BOOST_REQUIRE(b.calls.update(toCarol->callId, Kind::Ended));
  auto transferEnded = b.calls.update(transferred.callId, Kind::Ended);
  BOOST_REQUIRE(transferEnded);
  BOOST_TEST(transferEnded->byRemote);
}

BOOST_AUTO_TEST_CASE(IncomingCallRejectedOrUnanswered) {
  auto config = testConfig();
  config.incomingRingTimeoutMs = 1000;
  Bridge b(config);
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());

  const OutgoingCall rejected = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(rejected);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  b.stack.hangupCall(bob.sessionId, in->callId, 603);
  auto ended = b.calls.update(in->callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->sipStatus == 603);
  auto refused = b.calls.update(rejected.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 603);

  const OutgoingCall unanswered = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(unanswered);
  in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  ended = b.calls.update(in->callId, Kind::Ended, 5s);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->sipStatus == 480);
  refused = b.calls.update(unanswered.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 480);

  // The caller gives up: Bob's call ends by CANCEL.
  const OutgoingCall cancelled = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(cancelled);
  in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_REQUIRE(b.calls.update(cancelled.callId, Kind::Progress));
  b.stack.hangupCall(alice.sessionId, cancelled.callId, 486);
  ended = b.calls.update(in->callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->byRemote);
  BOOST_TEST(ended->reason == "CANCEL");
  BOOST_REQUIRE(b.calls.update(cancelled.callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(UnregisterEndsTheSessionsCallsQuietly) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  const OutgoingCall c = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(c);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  b.stack.answerCall(bob.sessionId, in->callId, sdp("answer"));
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Answered));
  b.stack.unregister(alice.sessionId);
  auto bobEnded = b.calls.update(in->callId, Kind::Ended);
  BOOST_REQUIRE(bobEnded);
  BOOST_TEST(bobEnded->byRemote);
  BOOST_TEST(!b.calls.update(c.callId, Kind::Ended, 300ms), "the unregistered side is quiet");
}

BOOST_AUTO_TEST_CASE(ChallengedInviteIsAnsweredAndDialogRequestsPass) {
  const auto challenging = challengingKamailio();
  Bridge b;
  SipAccount alice = newUser();
  alice.outboundProxy = challenging->proxy();
  SipAccount bob = newUser();
  bob.outboundProxy = challenging->proxy();
  b.add(alice);
  b.add(bob);

  const OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer"));
  b.stack.call(c);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->sdp == c.sdp);
  BOOST_TEST(!contains(in->rawMessage, "Proxy-Authorization"), "Kamailio consumes the credentials");
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-answer"));
  auto answered = b.calls.update(c.callId, Kind::Answered);
  BOOST_REQUIRE(answered);
  BOOST_TEST(answered->sdp == sdp("bob-answer"));
  for (Kind kind : b.calls.kinds(c.callId))
    BOOST_TEST((kind != Kind::Refused), "the 407 is not reported");
  BOOST_TEST(invitesReceived(*challenging) == 2, "the INVITE, then once with credentials");

  // Inside the dialog: re-INVITE both ways, INFO and REFER pass the proxy unchallenged.
  b.stack.reinvite(alice.sessionId, c.callId, sdp("alice-hold", "sendonly"));
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Reoffer));
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-held", "recvonly"));
  auto reanswered = b.calls.update(c.callId, Kind::Reanswered);
  BOOST_REQUIRE(reanswered);
  BOOST_TEST(reanswered->sipStatus == 200, reanswered->reason);
  b.stack.reinvite(bob.sessionId, in->callId, sdp("bob-offer"));
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Reoffer));
  b.stack.answerCall(alice.sessionId, c.callId, sdp("alice-answer"));
  reanswered = b.calls.update(in->callId, Kind::Reanswered);
  BOOST_REQUIRE(reanswered);
  BOOST_TEST(reanswered->sipStatus == 200, reanswered->reason);
  b.stack.info(alice.sessionId, c.callId, "application/dtmf-relay", "Signal=1\r\nDuration=100\r\n");
  auto info = b.calls.info(c.callId);
  BOOST_REQUIRE(info);
  BOOST_TEST(info->sipStatus == 200, info->reason);
  b.stack.refer(alice.sessionId, c.callId, "sip:nobody@example.test");
  auto accepted = b.calls.transfer(
      c.callId, [](const TransferUpdate& t) { return t.kind != TransferUpdate::Kind::Notify; });
  BOOST_REQUIRE(accepted);
  BOOST_TEST((accepted->kind == TransferUpdate::Kind::Accepted), accepted->sipStatus);
  BOOST_REQUIRE(b.calls.refer(in->callId));

  b.stack.hangupCall(bob.sessionId, in->callId, 486);
  auto ended = b.calls.update(in->callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->sipStatus == 200, ended->reason);
  auto aliceEnded = b.calls.update(c.callId, Kind::Ended);
  BOOST_REQUIRE(aliceEnded);
  BOOST_TEST(aliceEnded->byRemote);
}

BOOST_AUTO_TEST_CASE(ChallengedInviteWithWrongPasswordIsRefused407) {
  const auto challenging = challengingKamailio();
  Bridge b;
  SipAccount bob = newUser();
  bob.outboundProxy = challenging->proxy();
  b.add(bob);
  SipAccount mallory = newUser();
  mallory.outboundProxy = challenging->proxy();
  mallory.password = "wrong";
  b.stack.registerAccount(mallory);
  BOOST_REQUIRE(b.recorder.registration(mallory.sessionId));  // fails, the account stays known

  const OutgoingCall c = outgoing(mallory, aor(bob), sdp("offer"));
  b.stack.call(c);
  auto refused = b.calls.update(c.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 407, refused->reason);
  BOOST_TEST(!b.calls.incoming(bob.sessionId, 300ms));
  BOOST_TEST(!b.calls.update(c.callId, Kind::Refused, 1s), "refused once, no challenge loop");
  BOOST_TEST((b.calls.kinds(c.callId) == std::vector<Kind>{Kind::Refused}));
  BOOST_TEST(invitesReceived(*challenging) == 2, "the INVITE, then once with credentials");
}

BOOST_AUTO_TEST_CASE(RequestsNoCallTakesAreRefused) {
  const auto config = testConfig();
  const std::string hostPort = config.bindUrl.substr(std::string("sip:").size());
  Bridge b(config);
  const SipAccount alice = b.add(newUser());
  auto run = sippClient("uac_call_stray.xml", hostPort,
                        {{"ruri", "sip:" + alice.contactUser + "@" + hostPort}});
  BOOST_TEST(run.get() == "");
  BOOST_TEST(!b.calls.incoming(alice.sessionId, 200ms));

  // The stack still takes calls afterwards.
  const SipAccount bob = b.add(newUser());
  const OutgoingCall c = outgoing(bob, aor(alice), sdp("offer"));
  b.stack.call(c);
  BOOST_REQUIRE(b.calls.incoming(alice.sessionId));
  b.stack.hangupCall(bob.sessionId, c.callId, 486);
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(ReferRefusedByTheFarEnd) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  SippUas uas("uas_call_refer_refused.xml");
  const OutgoingCall c = outgoing(alice, uas.uri(), sdp("offer"));
  b.stack.call(c);
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Answered));
  b.stack.refer(alice.sessionId, c.callId, "sip:transfer-target@example.test");
  auto refused = b.calls.transfer(c.callId, [](const TransferUpdate&) { return true; });
  BOOST_REQUIRE(refused);
  BOOST_TEST((refused->kind == TransferUpdate::Kind::Refused));
  BOOST_TEST(refused->sipStatus == 403);
  BOOST_TEST(refused->reason == "Forbidden");
  BOOST_TEST(refused->final);
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  auto ended = b.calls.update(c.callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->sipStatus == 200);
  BOOST_TEST(uas.result.get() == "");
  BOOST_TEST(!b.calls.transfer(c.callId, [](const TransferUpdate&) { return true; }).has_value(),
             "nothing follows the refusal");
}

BOOST_AUTO_TEST_CASE(MaxCallsRefuses503BothWays) {
  auto config = testConfig();
  config.maxCalls = 1;
  Bridge b(config);
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  SippUas uas("uas_call_ring.xml");
  const OutgoingCall first = outgoing(alice, uas.uri(), sdp("offer"));
  b.stack.call(first);
  BOOST_REQUIRE(b.calls.update(first.callId, Kind::Progress));

  // A second outgoing call is refused at once.
  const OutgoingCall second = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(second);
  auto refused = b.calls.update(second.callId, Kind::Refused, 2s);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 503);
  BOOST_TEST(refused->reason == "too many calls");

  // An incoming INVITE is answered 503: the caller (another stack) sees the refusal.
  Bridge other;
  const SipAccount carol = other.add(newUser());
  const OutgoingCall third = outgoing(carol, aor(bob), sdp("offer"));
  other.stack.call(third);
  refused = other.calls.update(third.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  // A proxy does not forward a 503 as such (RFC 3261 16.7): Kamailio relays it as 500.
  BOOST_TEST((refused->sipStatus == 503 || refused->sipStatus == 500), refused->sipStatus);
  BOOST_TEST(!b.calls.incoming(bob.sessionId, 300ms));

  b.stack.hangupCall(alice.sessionId, first.callId, 486);
  BOOST_REQUIRE(b.calls.update(first.callId, Kind::Ended));
  BOOST_TEST(uas.result.get() == "");
}

BOOST_AUTO_TEST_CASE(ShutdownWithCallsUpSendsByeAndReturnsInTime) {
  Bridge other;
  const SipAccount bob = other.add(newUser());
  SippUas uas("uas_call_answer_bye.xml");
  auto config = testConfig();
  config.shutdownTimeoutMs = 2000;
  std::optional<Bridge> b(std::in_place, config);
  const SipAccount alice = b->add(newUser());

  const OutgoingCall toSipp = outgoing(alice, uas.uri(), sdp("offer"));
  b->stack.call(toSipp);
  BOOST_REQUIRE(b->calls.update(toSipp.callId, Kind::Answered));
  const OutgoingCall toBob = outgoing(alice, aor(bob), sdp("offer"));
  b->stack.call(toBob);
  auto in = other.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  other.stack.answerCall(bob.sessionId, in->callId, sdp("answer"));
  BOOST_REQUIRE(b->calls.update(toBob.callId, Kind::Answered));

  const auto started = std::chrono::steady_clock::now();
  b.reset();
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(took < std::chrono::milliseconds(config.shutdownTimeoutMs + 1000),
             std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  auto bobEnded = other.calls.update(in->callId, Kind::Ended);
  BOOST_REQUIRE(bobEnded);
  BOOST_TEST(bobEnded->byRemote);
  BOOST_TEST(bobEnded->reason == "BYE");
  const std::string sipp = uas.result.get();
  BOOST_TEST(sipp == "", "sipp got the BYE: " << sipp);
}

BOOST_AUTO_TEST_CASE(ShutdownIsBoundedWhenTheFarEndIgnoresTheBye) {
  // The BYE times out (transactionTimeoutMs) before the shutdown deadline, so nua finishes
  // shutting down and everything is freed; a deadline shorter than the BYE's timeout would
  // return on time too, but leave sofia's memory behind by design.
  SippUas uas("uas_call_answer_mute.xml");
  auto config = testConfig();
  config.transactionTimeoutMs = 1500;
  config.shutdownTimeoutMs = 5000;
  std::optional<Bridge> b(std::in_place, config);
  const SipAccount alice = b->add(newUser());
  const OutgoingCall c = outgoing(alice, uas.uri(), sdp("offer"));
  b->stack.call(c);
  BOOST_REQUIRE(b->calls.update(c.callId, Kind::Answered));
  const auto started = std::chrono::steady_clock::now();
  b.reset();
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(took < std::chrono::milliseconds(config.shutdownTimeoutMs),
             std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  BOOST_TEST(took >= std::chrono::milliseconds(config.transactionTimeoutMs - 500),
             "the BYE was still waiting for its answer");
  BOOST_TEST_MESSAGE("sipp: " << uas.result.get());
}

BOOST_AUTO_TEST_CASE(IncomingCallIdsNeverTakeALiveCallsId) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  // Learn the stack's incoming id form (sip-<hex>-<n>) from a first incoming call.
  const OutgoingCall first = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(first);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  b.stack.hangupCall(bob.sessionId, in->callId, 603);
  BOOST_REQUIRE(b.calls.update(first.callId, Kind::Refused));
  const auto dash = in->callId.rfind('-');
  BOOST_REQUIRE(dash != std::string::npos);
  const std::string next =
      in->callId.substr(0, dash + 1) + std::to_string(std::stoul(in->callId.substr(dash + 1)) + 1);

  // Bob's own outgoing call takes the id the next incoming call would get.
  SippUas uas("uas_call_ring.xml");
  OutgoingCall taken = outgoing(bob, uas.uri(), sdp("bob-offer"));
  taken.callId = next;
  b.stack.call(taken);
  BOOST_REQUIRE(b.calls.update(next, Kind::Progress));

  const OutgoingCall second = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(second);
  in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->callId != next);
  b.stack.answerCall(bob.sessionId, in->callId, sdp("answer"));
  BOOST_REQUIRE(b.calls.update(second.callId, Kind::Answered));
  b.stack.hangupCall(alice.sessionId, second.callId, 486);
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
  // The call that held the id is untouched: it still rings and is cancelled normally.
  b.stack.hangupCall(bob.sessionId, next, 486);
  auto cancelled = b.calls.update(next, Kind::Ended);
  BOOST_REQUIRE(cancelled);
  BOOST_TEST(cancelled->sipStatus == 487);
  BOOST_TEST(uas.result.get() == "");
}

/// Places `c` (to Bob) and has Bob answer it, once Alice's side is answered: Bob's side.
auto answeredCall(Bridge& b, const SipAccount& bob, const OutgoingCall& c) {
  b.stack.call(c);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-answer"));
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Answered));
  return in;
}

BOOST_AUTO_TEST_CASE(ListenerCommandsOnTheSipThreadPassAFullQueue) {
  auto config = testConfig();
  config.commandQueueCapacity = 4;
  Bridge b(config);
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  const OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer"));
  auto in = answeredCall(b, bob, c);
  // A round trip in the dialog, so the ACK is at Bob before the re-INVITE (else 500).
  b.stack.info(alice.sessionId, c.callId, "application/dtmf-relay", "Signal=1\r\nDuration=100\r\n");
  BOOST_REQUIRE(b.calls.info(c.callId));

  // Bob's listener answers the re-offer from inside the report, as core does, after the
  // test thread has filled the queue while the SIP thread was busy with that report.
  std::promise<void> reported;
  auto reportedFuture = reported.get_future();
  std::promise<void> filled;
  auto filledFuture = filled.get_future().share();
  std::string failure;
  bool hooked = false;
  b.calls.setHook([&](const CallUpdate& u) {
    if (u.kind != Kind::Reoffer || u.callId != in->callId || hooked) return;
    hooked = true;
    reported.set_value();
    filledFuture.wait_for(5s);
    try {
      b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-held", "recvonly"));
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  b.stack.reinvite(alice.sessionId, c.callId, sdp("alice-hold", "sendonly"));
  BOOST_REQUIRE((reportedFuture.wait_for(8s) == std::future_status::ready));
  int queued = 0;
  try {
    for (; queued < 100; ++queued) b.stack.hangupCall(bob.sessionId, "no-such-call", 0);
  } catch (const sipbridge::core::Unavailable&) {
  }
  BOOST_TEST(queued == 4, "the queue is full for other threads");
  filled.set_value();
  auto reanswered = b.calls.update(c.callId, Kind::Reanswered);
  b.calls.setHook(nullptr);
  BOOST_TEST(failure.empty(), failure);
  BOOST_REQUIRE(reanswered);
  BOOST_TEST(reanswered->sipStatus == 200);
  BOOST_TEST(reanswered->sdp == sdp("bob-held", "recvonly"));
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(CallIdCanBeUsedAgainAsSoonAsTheEndIsReported) {
  auto config = testConfig();
  config.transactionTimeoutMs = 8000;
  Bridge b(config);
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  // The far end's 200 crosses our CANCEL: the call ends (reported at once) with a BYE that
  // sipp answers only 2.5 s later, so the dialog is still open when the id is used again.
  SippUas uas("uas_call_cancel_crossed.xml");
  const OutgoingCall c = outgoing(alice, uas.uri(), sdp("offer"));
  b.stack.call(c);
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Progress));
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  auto ended = b.calls.update(c.callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->sipStatus == 487);

  OutgoingCall again = outgoing(alice, aor(bob), sdp("again"));
  again.callId = c.callId;
  b.stack.call(again);
  auto in = b.calls.incoming(bob.sessionId, 2s);
  // The id is free although the first dialog still waits for its BYE's answer.
  BOOST_REQUIRE(in);
  BOOST_TEST(in->sdp == again.sdp);
  b.stack.answerCall(bob.sessionId, in->callId, sdp("answer"));
  auto answered = b.calls.update(c.callId, Kind::Answered);
  BOOST_REQUIRE(answered);
  BOOST_TEST(answered->sdp == sdp("answer"));
  const std::string sipp = uas.result.get();
  BOOST_TEST(sipp == "", "the first call's BYE was answered late: " << sipp);
  // The first call ended for good without reporting anything more under the shared id. The
  // second call's 180 may be overtaken by its 200 in Kamailio (parallel workers), and then it
  // is not reported: its Progress is optional.
  auto kinds = b.calls.kinds(c.callId);
  std::string seen;
  for (Kind kind : kinds) seen += std::to_string(static_cast<int>(kind)) + " ";
  if (kinds.size() == 4 && kinds[2] == Kind::Progress) kinds.erase(kinds.begin() + 2);
  BOOST_TEST((kinds == std::vector<Kind>{Kind::Progress, Kind::Ended, Kind::Answered}),
             "updates (0 Progress, 1 Answered, 3 Ended): " << seen);
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  auto endedAgain = b.calls.update(c.callId, Kind::Ended);
  BOOST_REQUIRE(endedAgain);
  BOOST_TEST(endedAgain->sipStatus == 200);
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(RejectedReofferLeavesTheCallAsItWas) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  const OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer"));
  auto in = answeredCall(b, bob, c);
  // A round trip in the dialog, so the ACK is at Bob before the re-INVITE (else 500).
  b.stack.info(alice.sessionId, c.callId, "application/dtmf-relay", "Signal=1\r\nDuration=100\r\n");
  BOOST_REQUIRE(b.calls.info(c.callId));

  b.stack.reinvite(alice.sessionId, c.callId, sdp("alice-video"));
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Reoffer));
  b.stack.rejectReoffer(bob.sessionId, in->callId, 488);
  auto refused = b.calls.update(c.callId, Kind::Reanswered);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 488);
  BOOST_TEST(refused->reason == "Not Acceptable Here");

  // Both sides go on: the next re-INVITE is taken (not 491) and answered.
  b.stack.reinvite(alice.sessionId, c.callId, sdp("alice-hold", "sendonly"));
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Reoffer));
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-held", "recvonly"));
  auto reanswered = b.calls.update(c.callId, Kind::Reanswered);
  BOOST_REQUIRE(reanswered);
  BOOST_TEST(reanswered->sipStatus == 200);
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  auto ended = b.calls.update(in->callId, Kind::Ended);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->byRemote);
  BOOST_TEST((b.calls.kinds(in->callId) ==
              std::vector<Kind>{Kind::Answered, Kind::Reoffer, Kind::Reoffer, Kind::Ended}));
}

BOOST_AUTO_TEST_CASE(ReferNotCarriedOutEndsWithAFinalNotify) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  const OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer"));
  auto in = answeredCall(b, bob, c);
  const auto final = [](const TransferUpdate& t) { return t.final; };

  // Bob's side refuses to carry out the REFER (as core does for a target outside policy).
  b.stack.refer(alice.sessionId, c.callId, "sip:premium@other.example");
  BOOST_REQUIRE(b.calls.refer(in->callId));
  b.stack.endRefer(bob.sessionId, in->callId, 603, "Declined");
  auto declined = b.calls.transfer(c.callId, final);
  BOOST_REQUIRE(declined);
  BOOST_TEST((declined->kind == TransferUpdate::Kind::Notify));
  BOOST_TEST(declined->sipStatus == 603);
  BOOST_TEST(declined->reason == "Declined");

  // A call made for the REFER that the SIP side cannot send (invalid target) ends it too.
  b.stack.refer(alice.sessionId, c.callId, aor(alice));
  BOOST_REQUIRE(b.calls.refer(in->callId));
  OutgoingCall unsendable = outgoing(bob, "not a uri", sdp("bob-offer"));
  unsendable.referredByCallId = in->callId;
  b.stack.call(unsendable);
  BOOST_REQUIRE(b.calls.update(unsendable.callId, Kind::Refused));
  auto bad = b.calls.transfer(c.callId, final);
  BOOST_REQUIRE(bad);
  BOOST_TEST(bad->sipStatus == 400);
  BOOST_TEST(bad->reason == "Bad Request");

  // No REFER open: nothing is sent, the call goes on.
  b.stack.endRefer(bob.sessionId, in->callId, 603, "Declined");
  BOOST_TEST(!b.calls.transfer(c.callId, final).has_value());
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(EverySessionOfAUserRingsAndTheOthersEndWhenOneAnswers) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount tab1 = b.add(newUser());
  SipAccount second = newUser();
  second.login = tab1.login;
  second.authName = tab1.authName;
  second.password = tab1.password;
  const SipAccount tab2 = b.add(second);

  const OutgoingCall c = outgoing(alice, aor(tab1), sdp("alice-offer"));
  b.stack.call(c);
  auto in1 = b.calls.incoming(tab1.sessionId);
  auto in2 = b.calls.incoming(tab2.sessionId);
  BOOST_REQUIRE(in1);
  BOOST_REQUIRE(in2);
  BOOST_TEST(in1->sipCallId == in2->sipCallId);
  b.stack.answerCall(tab2.sessionId, in2->callId, sdp("tab2-answer"));
  auto answered = b.calls.update(c.callId, Kind::Answered);
  BOOST_REQUIRE(answered);
  BOOST_TEST(answered->sdp == sdp("tab2-answer"));
  auto elsewhere = b.calls.update(in1->callId, Kind::Ended);
  BOOST_REQUIRE(elsewhere);
  BOOST_TEST(elsewhere->byRemote);
  BOOST_TEST(elsewhere->answeredElsewhere, elsewhere->reason);

  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  BOOST_REQUIRE(b.calls.update(in2->callId, Kind::Ended));
  BOOST_REQUIRE(b.calls.update(c.callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(ABindingNoSessionHoldsNeverHidesALiveSessionsBusy) {
  const auto config = testConfig();
  const int port = std::stoi(config.bindUrl.substr(config.bindUrl.rfind(':') + 1));
  Bridge b(config);
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  // The binding of a session of bob that is gone (another port of this node).
  servers().kamailio.kamcmd("ul.add location " + bob.login +
                            "@example.test sip:" + randomToken("sb") +
                            "@127.0.0.1:" + std::to_string(port + 1) + " 600 1.0 . 0 0 4095");
  const OutgoingCall c = outgoing(alice, aor(bob), sdp("offer"));
  b.stack.call(c);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  b.stack.hangupCall(bob.sessionId, in->callId, 486);
  auto refused = b.calls.update(c.callId, Kind::Refused);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->sipStatus == 486, "the live session's answer, not the gone one's");
}

BOOST_AUTO_TEST_CASE(TransferThroughAChallengingServerReportsTryingThenTheCallsAnswer) {
  const auto challenging = challengingKamailio();
  Bridge b;
  std::vector<SipAccount> users;
  for (int i = 0; i < 3; ++i) {
    SipAccount user = newUser();
    user.outboundProxy = challenging->proxy();
    users.push_back(b.add(user));
  }
  const SipAccount& alice = users[0];
  const SipAccount& bob = users[1];
  const SipAccount& carol = users[2];
  const OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer"));
  auto in = answeredCall(b, bob, c);

  // Bob's INVITE to Carol is challenged (407) and sent again with credentials: Alice hears
  // "100 Trying" first and then how that call went, never the challenge.
  b.stack.refer(alice.sessionId, c.callId, aor(carol));
  BOOST_REQUIRE(b.calls.transfer(
      c.callId, [](const TransferUpdate& t) { return t.kind == TransferUpdate::Kind::Accepted; }));
  auto refer = b.calls.refer(in->callId);
  BOOST_REQUIRE(refer);
  auto trying = b.calls.transfer(
      c.callId, [](const TransferUpdate& t) { return t.kind == TransferUpdate::Kind::Notify; });
  BOOST_REQUIRE(trying);
  BOOST_TEST(trying->sipStatus == 100);
  BOOST_TEST(!trying->final);
  OutgoingCall transferred = outgoing(bob, refer->referTo, sdp("bob-to-carol"));
  transferred.referredByCallId = in->callId;
  b.stack.call(transferred);
  auto toCarol = b.calls.incoming(carol.sessionId);
  BOOST_REQUIRE(toCarol);
  b.stack.answerCall(carol.sessionId, toCarol->callId, sdp("carol-answer"));
  BOOST_REQUIRE(b.calls.update(transferred.callId, Kind::Answered));
  auto done = b.calls.transfer(
      c.callId, [](const TransferUpdate& t) { return t.kind == TransferUpdate::Kind::Notify; });
  BOOST_REQUIRE(done);
  BOOST_TEST(done->sipStatus == 200, done->reason);
  BOOST_TEST(done->final);

  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
  b.stack.hangupCall(carol.sessionId, toCarol->callId, 486);
  BOOST_REQUIRE(b.calls.update(transferred.callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(ReferFromAPhoneThroughAChallengingServerGetsTryingThenTheOutcome) {
  const auto challenging = challengingKamailio();
  Bridge b;
  SipAccount bob = newUser();
  bob.outboundProxy = challenging->proxy();
  b.add(bob);
  SipAccount carol = newUser();
  carol.outboundProxy = challenging->proxy();
  b.add(carol);
  // The phone is not of example.test: only the bridge's own INVITE to Carol is challenged.
  auto phone = sippClient("uac_call_refer.xml", challenging->proxy(),
                          {{"ruri", aor(bob)}, {"target", aor(carol)}});
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-answer"));
  auto refer = b.calls.refer(in->callId);
  BOOST_REQUIRE(refer);
  BOOST_TEST(refer->referTo == aor(carol));
  OutgoingCall transferred = outgoing(bob, refer->referTo, sdp("bob-to-carol"));
  transferred.referredByCallId = in->callId;
  b.stack.call(transferred);
  auto toCarol = b.calls.incoming(carol.sessionId);
  BOOST_REQUIRE(toCarol);
  b.stack.answerCall(carol.sessionId, toCarol->callId, sdp("carol-answer"));
  BOOST_REQUIRE(b.calls.update(transferred.callId, Kind::Answered));
  BOOST_TEST(phone.get() == "");
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
  b.stack.hangupCall(carol.sessionId, toCarol->callId, 486);
  BOOST_REQUIRE(b.calls.update(transferred.callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(SdpBodiesWithANulByteArriveWhole) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  std::string nul = "a=x-sipbridge-bytes:before";
  nul += '\0';
  nul += "after\r\n";

  const OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer") + nul);
  b.stack.call(c);
  auto in = b.calls.incoming(bob.sessionId);
  BOOST_REQUIRE(in);
  BOOST_TEST(in->sdp == c.sdp);
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-answer") + nul);
  auto answered = b.calls.update(c.callId, Kind::Answered);
  BOOST_REQUIRE(answered);
  BOOST_TEST(answered->sdp == sdp("bob-answer") + nul);

  b.stack.reinvite(alice.sessionId, c.callId, sdp("alice-hold", "sendonly") + nul);
  auto reoffer = b.calls.update(in->callId, Kind::Reoffer);
  BOOST_REQUIRE(reoffer);
  BOOST_TEST(reoffer->sdp == sdp("alice-hold", "sendonly") + nul);
  b.stack.answerCall(bob.sessionId, in->callId, sdp("bob-held", "recvonly") + nul);
  auto reanswered = b.calls.update(c.callId, Kind::Reanswered);
  BOOST_REQUIRE(reanswered);
  BOOST_TEST(reanswered->sdp == sdp("bob-held", "recvonly") + nul);

  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
}

BOOST_AUTO_TEST_CASE(ReferToAnInvalidTargetIsRefusedWithoutARequest) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  const OutgoingCall c = outgoing(alice, aor(bob), sdp("alice-offer"));
  auto in = answeredCall(b, bob, c);

  const auto refused = [](const TransferUpdate& t) {
    return t.kind == TransferUpdate::Kind::Refused;
  };
  for (const std::string target :
       {"not a uri", "sip:carol@example.test>;x=<sip:evil@example.test", "sip:", "mailto:c@x.test",
        "sip:carol@example.test\r\nX-Injected: 1"}) {
    b.stack.refer(alice.sessionId, c.callId, target);
    auto update = b.calls.transfer(c.callId, refused);
    BOOST_REQUIRE_MESSAGE(update, target);
    BOOST_TEST(update->sipStatus == 0, target);
    BOOST_TEST(update->reason == "invalid Refer-To target", target);
    BOOST_TEST(update->final, target);
  }

  // None of them reached the far end: the first REFER it gets is the valid one.
  b.stack.refer(alice.sessionId, c.callId, "sip:carol@example.test;transport=tcp");
  auto refer = b.calls.refer(in->callId);
  BOOST_REQUIRE(refer);
  BOOST_TEST(refer->referTo == "sip:carol@example.test;transport=tcp");
  BOOST_TEST(refer->referredBy == aor(alice));
  b.stack.endRefer(bob.sessionId, in->callId, 603, "Declined");
  BOOST_REQUIRE(b.calls.transfer(c.callId, [](const TransferUpdate& t) { return t.final; }));
  b.stack.hangupCall(alice.sessionId, c.callId, 486);
  BOOST_REQUIRE(b.calls.update(in->callId, Kind::Ended));
}

BOOST_AUTO_TEST_SUITE_END()
