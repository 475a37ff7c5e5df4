// core::Calls against a recording SessionContext and a recording SipCalls; the SIP side's
// reports are driven by hand through the CallListener methods.
#include "sipbridge/api/MethodRequests.h"
#include "sipbridge/core/Calls.h"
#include "sipbridge/core/Errors.h"

#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <stdexcept>
#include <vector>

using namespace sipbridge::core;

namespace {

struct Emitted {
  std::string sessionId;
  std::string type;
  std::string status;
  Poco::DynamicStruct fields;
  std::string text(const std::string& name) const {
    return fields.contains(name) ? fields[name].toString() : std::string("<none>");
  }
};

struct RecordingSessions : SessionContext {
  std::map<std::string, std::shared_ptr<Session>> live;
  std::vector<Emitted> events;
  std::shared_ptr<Session> liveSession(const std::string& id) const override {
    auto it = live.find(id);
    return it == live.end() ? nullptr : it->second;
  }
  std::shared_ptr<Session> anySession(const std::string& id) const override {
    return liveSession(id);
  }
  std::vector<std::shared_ptr<Session>> findInApp(const std::string&,
                                                  const std::string&) const override {
    return {};
  }
  bool up = true;
  bool accepting() const override { return up; }
  void emit(Session& session, const std::string& type, const std::string& status,
            Poco::DynamicStruct fields, CommitCallback) override {
    events.push_back({session.sessionId(), type, status, std::move(fields)});
  }
  /// "Type:STATUS" of every event so far, then forgets them.
  std::vector<std::string> take() {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.type + ":" + e.status);
    events.clear();
    return out;
  }
};

struct RecordingSip : SipCalls {
  std::vector<OutgoingCall> calls;
  std::vector<std::string> commands;  ///< "answer id", "hangup id 603", "reinvite id", ...
  std::vector<std::string> sdps;      ///< SDP of answerCall / reinvite, in order
  std::vector<std::pair<std::string, std::string>> infos;  ///< content type, body
  bool full = false;
  void check() const {
    if (full) throw Unavailable("SIP queue full");
  }
  void call(const OutgoingCall& c) override {
    check();
    calls.push_back(c);
    commands.push_back("call " + c.callId);
  }
  void answerCall(const std::string&, const std::string& id, const std::string& sdp) override {
    check();
    commands.push_back("answer " + id);
    sdps.push_back(sdp);
  }
  void rejectReoffer(const std::string&, const std::string& id, int status) override {
    check();
    commands.push_back("rejectReoffer " + id + " " + std::to_string(status));
  }
  void hangupCall(const std::string&, const std::string& id, int rejectStatus) override {
    check();
    commands.push_back("hangup " + id + " " + std::to_string(rejectStatus));
  }
  void reinvite(const std::string&, const std::string& id, const std::string& sdp) override {
    check();
    commands.push_back("reinvite " + id);
    sdps.push_back(sdp);
  }
  void refer(const std::string&, const std::string& id, const std::string& target) override {
    check();
    commands.push_back("refer " + id + " " + target);
  }
  void endRefer(const std::string&, const std::string& id, int status,
                const std::string& reason) override {
    commands.push_back("endRefer " + id + " " + std::to_string(status) + " " + reason);
  }
  void info(const std::string&, const std::string& id, const std::string& type,
            const std::string& body) override {
    check();
    commands.push_back("info " + id);
    infos.emplace_back(type, body);
  }
};

const std::string kOffer =
    "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\n";
const std::string kAnswer =
    "v=0\r\no=bob 5 5 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 5000 RTP/AVP 0\r\n";
const std::string kVideoOffer = kAnswer + "m=video 5002 RTP/AVP 96\r\n";

Poco::JSON::Object json(const std::string& text) {
  return *Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"')
      out += "\\\"";
    else
      out += c;
  }
  return out + "\"";
}

/// Runs the call method `method` on `calls` with the JSON `body`, parsed as the api does.
CallResult invokeOn(Calls& calls, const std::shared_ptr<Session>& session,
                    const std::string& method, const std::string& body) {
  const auto request = json(body);
  if (method == "call") return calls.startCall(session, sipbridge::api::parseCall(request));
  if (method == "answer") return calls.answer(*session, sipbridge::api::parseAnswer(request));
  if (method == "hangup") return calls.hangup(*session, sipbridge::api::parseHangup(request));
  if (method == "hold" || method == "unhold")
    return calls.hold(*session, sipbridge::api::parseHold(request, method), method == "hold");
  if (method == "transfer") return calls.transfer(*session, sipbridge::api::parseTransfer(request));
  if (method == "sendDTMF") return calls.sendDtmf(*session, sipbridge::api::parseSendDtmf(request));
  throw std::invalid_argument("not a call method: " + method);
}

struct Fixture {
  RecordingSessions sessions;
  RecordingSip sip;
  CallsConfig config;
  std::unique_ptr<Calls> calls;
  std::shared_ptr<Session> alice;

  Fixture() {
    config.maxCallsPerSession = 2;
    config.maxSdpBytes = 1024;
    config.maxDtmfSymbols = 4;
    calls = std::make_unique<Calls>(config, sessions, sip);
    alice = addSession("s1", true);
  }
  std::shared_ptr<Session> addSession(const std::string& id, bool sip) {
    ConnectRequest r;
    r.appKey = "demo";
    r.sipRegisterRequired = sip;
    r.sipLogin = "alice";
    r.sipDomain = "example.test";
    r.sipVisibleName = "Alice";
    auto s = std::make_shared<Session>(id, "token-" + id, r, "c-" + id, 100, 0);
    sessions.live[id] = s;
    return s;
  }
  CallResult invoke(const std::string& method, const std::string& body) {
    return invokeOn(*calls, alice, method, body);
  }
  /// An outgoing call "c1" that SIP has answered.
  void established(const std::string& id = "c1") {
    invoke("call", R"({"callId":")" + id + R"(","callee":"bob","sdp":)" + quoted(kOffer) + "}");
    update(id, CallUpdate::Kind::Answered, 200, kAnswer);
    sessions.events.clear();
    sip.commands.clear();
  }
  void update(const std::string& id, CallUpdate::Kind kind, int status, const std::string& sdp = "",
              bool byRemote = false, const std::string& reason = "") {
    CallUpdate u;
    u.sessionId = "s1";
    u.callId = id;
    u.kind = kind;
    u.sipStatus = status;
    u.sdp = sdp;
    u.byRemote = byRemote;
    u.reason = reason;
    u.sipCallId = "sip-call-" + id;
    calls->onCallUpdate(u);
  }
  void incoming(const std::string& id, const std::string& sdp) {
    IncomingCall c;
    c.sessionId = "s1";
    c.callId = id;
    c.callerUri = "sip:bob@example.test";
    c.callerDisplayName = "Bob";
    c.calleeUri = "sip:alice@example.test";
    c.sdp = sdp;
    c.sipCallId = "inv-" + id;
    c.rawMessage = "INVITE sip:c-s1@127.0.0.1 SIP/2.0\r\n\r\n";
    calls->onIncomingCall(c);
  }
  void transferUpdate(TransferUpdate::Kind kind, int status, bool final = false) {
    TransferUpdate u;
    u.sessionId = "s1";
    u.callId = "c1";
    u.kind = kind;
    u.sipStatus = status;
    u.final = final;
    calls->onTransferUpdate(u);
  }
  void infoOutcome(int status) {
    InfoOutcome o;
    o.sessionId = "s1";
    o.callId = "c1";
    o.sipStatus = status;
    o.reason = status == 200 ? "OK" : "Not Implemented";
    calls->onInfoOutcome(o);
  }
};

using Kind = DomainError::Kind;

/// Runs `f`, which must throw a DomainError of `kind` naming `field`.
void expectError(const std::function<void()>& f, Kind kind, const std::string& field) {
  try {
    f();
    BOOST_ERROR("no error; expected " << static_cast<int>(kind) << " " << field);
  } catch (const DomainError& e) {
    BOOST_TEST(static_cast<int>(e.kind()) == static_cast<int>(kind));
    BOOST_TEST(e.field() == field);
  }
}

using Strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(CoreCalls)

BOOST_AUTO_TEST_CASE(call_hands_the_invite_to_sip_and_reports_trying) {
  Fixture f;
  auto body = f.invoke("call", R"({"callId":"c1","callee":"bob","visibleName":"Al",)"
                               R"("inviteParameters":"user=phone;x","sdp":)" +
                                   quoted(kOffer) + "}");
  BOOST_TEST(body.callId == "c1");
  BOOST_TEST(body.status == "TRYING");
  BOOST_REQUIRE_EQUAL(f.sip.calls.size(), 1u);
  const auto& out = f.sip.calls[0];
  BOOST_TEST(out.sessionId == "s1");
  BOOST_TEST(out.targetUri == "sip:bob@example.test;user=phone;x");
  BOOST_TEST(out.displayName == "Al");
  BOOST_TEST(out.sdp == kOffer);
  BOOST_TEST(out.noAnswerTimeoutMs == 60000);
  BOOST_TEST(out.referredByCallId.empty());
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  const auto& e = f.sessions.events[0];
  BOOST_TEST(e.type == "CallStatusEvent");
  BOOST_TEST(e.status == "TRYING");
  BOOST_TEST(e.text("callId") == "c1");
  BOOST_TEST(e.text("caller") == "sip:alice@example.test");
  BOOST_TEST(e.text("callee") == "sip:bob@example.test;user=phone;x");
  BOOST_TEST(e.text("visibleName") == "Al");
  BOOST_TEST(e.text("hasVideo") == "false");
  BOOST_TEST(e.text("incoming") == "false");
  BOOST_TEST(f.calls->callCount("s1") == 1u);
}

BOOST_AUTO_TEST_CASE(call_generates_an_id_and_takes_parameters_as_an_object) {
  Fixture f;
  auto body = f.invoke("call", R"({"callee":"tel:+4930123","hasVideo":true,)"
                               R"("inviteParameters":{"a":"b","c":""},"sdp":)" +
                                   quoted(kOffer) + "}");
  const auto id = body.callId;
  BOOST_TEST(id.size() == 36u);
  BOOST_TEST(f.sip.calls.at(0).callId == id);
  BOOST_TEST(f.sip.calls.at(0).targetUri == "tel:+4930123;a=b;c");
  BOOST_TEST(f.sip.calls.at(0).displayName == "Alice");  // the session's visible name
  BOOST_TEST(f.sessions.events.at(0).text("hasVideo") == "true");
}

BOOST_AUTO_TEST_CASE(has_video_comes_from_the_sdp_without_the_flag) {
  Fixture f;
  f.invoke("call", R"({"callee":"bob","sdp":)" + quoted(kVideoOffer) + "}");
  BOOST_TEST(f.sessions.events.at(0).text("hasVideo") == "true");
}

BOOST_AUTO_TEST_CASE(outgoing_call_progress_answer_and_far_end_hangup) {
  Fixture f;
  f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + quoted(kOffer) + "}");
  f.sessions.take();
  f.update("c1", CallUpdate::Kind::Progress, 100);
  BOOST_TEST(f.sessions.take() == Strings{});
  f.update("c1", CallUpdate::Kind::Progress, 180);
  f.update("c1", CallUpdate::Kind::Progress, 180);  // a repeated 180 is not reported again
  f.update("c1", CallUpdate::Kind::Progress, 183, kAnswer);
  f.update("c1", CallUpdate::Kind::Answered, 200, kAnswer);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 3u);
  BOOST_TEST(f.sessions.events[0].status == "RING");
  BOOST_TEST(f.sessions.events[0].text("sipCallId") == "sip-call-c1");
  BOOST_TEST(f.sessions.events[0].text("sdp") == "<none>");
  BOOST_TEST(f.sessions.events[1].status == "SESSION_PROGRESS");
  BOOST_TEST(f.sessions.events[1].text("sdp") == kAnswer);
  BOOST_TEST(f.sessions.events[2].status == "ESTABLISHED");
  BOOST_TEST(f.sessions.events[2].text("sdp") == kAnswer);
  BOOST_TEST(f.sessions.events[2].text("sipStatus") == "200");
  f.sessions.events.clear();
  f.update("c1", CallUpdate::Kind::Ended, 0, "", true, "BYE");
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].status == "FINISH");
  BOOST_TEST(f.sessions.events[0].text("info") == "hung up by the far end (BYE)");
  BOOST_TEST(f.calls->callCount("s1") == 0u);
  f.update("c1", CallUpdate::Kind::Ended, 0);  // forgotten: nothing more
  BOOST_TEST(f.sessions.events.size() == 1u);
}

BOOST_AUTO_TEST_CASE(final_errors_become_busy_or_failed) {
  Fixture f;
  const std::vector<std::pair<int, std::string>> cases = {
      {486, "BUSY"}, {600, "BUSY"}, {408, "FAILED"}, {404, "FAILED"}};
  for (const auto& [status, expected] : cases) {
    f.invoke("call", R"({"callId":"c","callee":"bob","sdp":)" + quoted(kOffer) + "}");
    f.sessions.events.clear();
    f.update("c", CallUpdate::Kind::Refused, status, "", false, "Why");
    BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
    BOOST_TEST(f.sessions.events[0].status == expected);
    BOOST_TEST(f.sessions.events[0].text("sipStatus") == std::to_string(status));
    BOOST_TEST(f.sessions.events[0].text("info") == std::to_string(status) + " Why");
    f.sessions.events.clear();
  }
  BOOST_TEST(f.calls->callCount("s1") == 0u);
}

BOOST_AUTO_TEST_CASE(hangup_before_the_answer_cancels_and_reports_finish) {
  Fixture f;
  f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + quoted(kOffer) + "}");
  f.update("c1", CallUpdate::Kind::Progress, 180);
  f.sessions.take();
  BOOST_TEST(f.invoke("hangup", R"({"callId":"c1"})").callId == "c1");
  f.invoke("hangup", R"({"callId":"c1"})");  // repeated: no second command
  BOOST_TEST(f.sip.commands == (Strings{"call c1", "hangup c1 0"}));
  f.update("c1", CallUpdate::Kind::Refused, 487, "", false, "Request Terminated");
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].status == "FINISH");
  BOOST_TEST(f.sessions.events[0].text("info") == "hung up by the client");
  BOOST_TEST(f.sessions.events[0].text("sipStatus") == "487");
}

BOOST_AUTO_TEST_CASE(bad_call_requests_name_the_field_and_reach_nothing) {
  Fixture f;
  const std::string sdp = quoted(kOffer);
  std::string withControl = sdp;
  withControl.insert(withControl.size() - 1, "a=\\u0001\\r\\n");
  auto call = [&](const std::string& body) { return [&f, body] { f.invoke("call", body); }; };
  expectError(call(R"({"callee":"bob","sdp":)" + sdp + R"(,"colour":"red"})"), Kind::InvalidField,
              "colour");
  expectError(call(R"({"sdp":)" + sdp + "}"), Kind::InvalidField, "callee");
  expectError(call(R"({"callee":"bob smith","sdp":)" + sdp + "}"), Kind::InvalidField, "callee");
  expectError(call(R"({"callee":"tel:12ab","sdp":)" + sdp + "}"), Kind::InvalidField, "callee");
  expectError(call(R"({"callee":"sip:bob@exa mple.test","sdp":)" + sdp + "}"), Kind::InvalidField,
              "callee");
  expectError(call(R"({"callee":"bob","hasVideo":"yes","sdp":)" + sdp + "}"), Kind::InvalidField,
              "hasVideo");
  expectError(call(R"({"callee":"bob","visibleName":"A\r\nB","sdp":)" + sdp + "}"),
              Kind::InvalidField, "visibleName");
  expectError(call(R"({"callee":"bob","inviteParameters":"a b","sdp":)" + sdp + "}"),
              Kind::InvalidField, "inviteParameters");
  expectError(call(R"({"callee":"bob","inviteParameters":{"a":1},"sdp":)" + sdp + "}"),
              Kind::InvalidField, "inviteParameters");
  expectError(call(R"({"callee":"bob","inviteParameters":"a=b\r\nX: y","sdp":)" + sdp + "}"),
              Kind::InvalidField, "inviteParameters");
  expectError(call(R"({"callee":"bob","inviteParameters":[1],"sdp":)" + sdp + "}"),
              Kind::InvalidField, "inviteParameters");
  expectError(call(R"({"callee":"bob"})"), Kind::InvalidField, "sdp");
  expectError(call(R"({"callee":"bob","sdp":"hello"})"), Kind::InvalidField, "sdp");
  expectError(call(R"({"callee":"bob","sdp":42})"), Kind::InvalidField, "sdp");
  expectError(call(R"({"callee":"bob","sdp":)" + withControl + "}"), Kind::InvalidField, "sdp");
  expectError(call(R"({"callee":"bob","sdp":)" +
                   quoted(kOffer + "a=x:" + std::string(1024, 'x') + "\r\n") + "}"),
              Kind::InvalidField, "sdp");
  expectError(call(R"({"callId":"","callee":"bob","sdp":)" + sdp + "}"), Kind::InvalidField,
              "callId");
  expectError(call(R"({"callId":"a b","callee":"bob","sdp":)" + sdp + "}"), Kind::InvalidField,
              "callId");
  expectError(call(R"({"callId":7,"callee":"bob","sdp":)" + sdp + "}"), Kind::InvalidField,
              "callId");
  BOOST_TEST(f.sip.commands.empty());
  BOOST_TEST(f.sessions.events.empty());
}

BOOST_AUTO_TEST_CASE(call_state_conflicts) {
  Fixture f;
  const std::string sdp = quoted(kOffer);
  f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + sdp + "}");
  expectError([&] { f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + sdp + "}"); },
              Kind::Conflict, "callId");
  f.invoke("call", R"({"callId":"c2","callee":"bob","sdp":)" + sdp + "}");
  expectError([&] { f.invoke("call", R"({"callId":"c3","callee":"bob","sdp":)" + sdp + "}"); },
              Kind::Conflict, "");
  // Another session may use the same id; a session without SIP identity may not call.
  auto bob = f.addSession("s2", false);
  expectError([&] { invokeOn(*f.calls, bob, "call", R"({"callee":"x","sdp":)" + sdp + "}"); },
              Kind::Conflict, "");
  BOOST_TEST(f.sip.commands.size() == 2u);
  // A full SIP queue: 503 and nothing recorded.
  f.invoke("hangup", R"({"callId":"c2"})");
  f.update("c2", CallUpdate::Kind::Refused, 487);
  f.sip.full = true;
  f.sessions.events.clear();
  BOOST_CHECK_THROW(f.invoke("call", R"({"callId":"c4","callee":"bob","sdp":)" + sdp + "}"),
                    Unavailable);
  BOOST_TEST(f.sessions.events.empty());
  BOOST_TEST(f.calls->callCount("s1") == 1u);
}

BOOST_AUTO_TEST_CASE(incoming_call_is_announced_answered_and_hung_up) {
  Fixture f;
  f.incoming("in1", kVideoOffer);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 2u);
  const auto& on = f.sessions.events[0];
  BOOST_TEST(on.type == "OnCallEvent");
  BOOST_TEST(on.text("callId") == "in1");
  BOOST_TEST(on.text("caller") == "sip:bob@example.test");
  BOOST_TEST(on.text("callee") == "sip:alice@example.test");
  BOOST_TEST(on.text("visibleName") == "Bob");
  BOOST_TEST(on.text("hasVideo") == "true");
  BOOST_TEST(on.text("sdp") == kVideoOffer);
  BOOST_TEST(on.text("incoming") == "true");
  BOOST_TEST(on.text("sipCallId") == "inv-in1");
  BOOST_TEST(on.text("sipMessageRaw").rfind("INVITE ", 0) == 0);
  BOOST_TEST(f.sessions.events[1].type == "CallStatusEvent");
  BOOST_TEST(f.sessions.events[1].status == "RING");
  BOOST_TEST(f.sessions.events[1].text("incoming") == "true");
  f.sessions.events.clear();

  expectError([&] { f.invoke("answer", R"({"callId":"in1"})"); }, Kind::InvalidField, "sdp");
  expectError([&] { f.invoke("answer", R"({"callId":"zz","sdp":)" + quoted(kOffer) + "}"); },
              Kind::NotFound, "callId");
  f.invoke("answer", R"({"callId":"in1","sdp":)" + quoted(kOffer) + "}");
  expectError([&] { f.invoke("answer", R"({"callId":"in1","sdp":)" + quoted(kOffer) + "}"); },
              Kind::Conflict, "callId");
  BOOST_TEST(f.sip.commands == Strings{"answer in1"});
  BOOST_TEST(f.sip.sdps == Strings{kOffer});
  f.update("in1", CallUpdate::Kind::Answered, 200);
  BOOST_TEST(f.sessions.take() == Strings{"CallStatusEvent:ESTABLISHED"});
  f.invoke("hangup", R"({"callId":"in1"})");
  BOOST_TEST(f.sip.commands.back() == "hangup in1 0");
  f.update("in1", CallUpdate::Kind::Ended, 200, "", false, "BYE");
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].status == "FINISH");
  BOOST_TEST(f.sessions.events[0].text("info") == "hung up by the client (BYE)");
}

BOOST_AUTO_TEST_CASE(incoming_call_answered_in_another_session_finishes_saying_so) {
  Fixture f;
  f.incoming("in1", kOffer);
  f.sessions.events.clear();
  CallUpdate cancelled;
  cancelled.sessionId = "s1";
  cancelled.callId = "in1";
  cancelled.kind = CallUpdate::Kind::Ended;
  cancelled.sipStatus = 487;
  cancelled.byRemote = true;
  cancelled.answeredElsewhere = true;
  cancelled.reason = "answered elsewhere";
  f.calls->onCallUpdate(cancelled);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].status == "FINISH");
  BOOST_TEST(f.sessions.events[0].text("info") == "answered elsewhere");
  BOOST_TEST(f.calls->callCount("s1") == 0u);
}

BOOST_AUTO_TEST_CASE(incoming_call_for_an_ending_session_is_refused_with_a_5xx) {
  Fixture f;
  f.alice->end();
  f.incoming("in1", kOffer);
  // Not 603: a forking proxy would take that as the user's refusal and cancel the others.
  BOOST_TEST(f.sip.commands == Strings{"hangup in1 500"});
  BOOST_TEST(f.sessions.events.empty());
}

BOOST_AUTO_TEST_CASE(incoming_call_rejected_and_refused_ones) {
  Fixture f;
  f.incoming("in1", "");  // no offer in the INVITE: accepted, no video
  BOOST_TEST(f.sessions.events.at(0).text("hasVideo") == "false");
  f.invoke("hangup", R"({"callId":"in1"})");
  BOOST_TEST(f.sip.commands == Strings{"hangup in1 603"});
  f.sessions.events.clear();
  f.incoming("bad", "not sdp");
  BOOST_TEST(f.sip.commands.back() == "hangup bad 488");
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].type == "ErrorEvent");
  BOOST_TEST(f.sessions.events[0].text("info").find("488") != std::string::npos);
  f.sessions.events.clear();
  f.incoming("in2", kOffer);
  f.incoming("in3", kOffer);  // in1 and in2 are live: the limit of 2 is reached
  BOOST_TEST(f.sip.commands.back() == "hangup in3 486");
  BOOST_TEST(f.calls->callCount("s1") == 2u);
  // An outgoing call cannot be answered.
  f.update("in1", CallUpdate::Kind::Ended, 603);
  f.invoke("hangup", R"({"callId":"in2","busy":true})");
  BOOST_TEST(f.sip.commands.back() == "hangup in2 486");
  f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + quoted(kOffer) + "}");
  expectError([&] { f.invoke("answer", R"({"callId":"c1","sdp":)" + quoted(kOffer) + "}"); },
              Kind::Conflict, "callId");
}

BOOST_AUTO_TEST_CASE(hold_and_unhold_rewrite_the_direction) {
  Fixture f;
  f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + quoted(kOffer) + "}");
  expectError([&] { f.invoke("hold", R"({"callId":"c1"})"); }, Kind::Conflict, "callId");
  f.update("c1", CallUpdate::Kind::Answered, 200, kAnswer);
  f.sessions.events.clear();
  expectError([&] { f.invoke("unhold", R"({"callId":"c1"})"); }, Kind::Conflict, "callId");
  f.invoke("hold", R"({"callId":"c1"})");
  expectError([&] { f.invoke("hold", R"({"callId":"c1"})"); }, Kind::Conflict,
              "callId");  // pending
  BOOST_REQUIRE_EQUAL(f.sip.sdps.size(), 1u);
  BOOST_TEST(f.sip.sdps[0] ==
             "v=0\r\no=alice 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
             "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n");
  f.update("c1", CallUpdate::Kind::Reanswered, 200, kAnswer);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].status == "HOLD");
  BOOST_TEST(f.sessions.events[0].text("sdp") == kAnswer);
  f.sessions.events.clear();
  f.invoke("unhold", R"({"callId":"c1"})");
  BOOST_TEST(f.sip.sdps.back().find("o=alice 1 3 ") != std::string::npos);
  BOOST_TEST(f.sip.sdps.back().find("a=sendrecv\r\n") != std::string::npos);
  BOOST_TEST(f.sip.sdps.back().find("a=sendonly") == std::string::npos);
  f.update("c1", CallUpdate::Kind::Reanswered, 200, kAnswer);
  BOOST_TEST(f.sessions.take() == Strings{"CallStatusEvent:ESTABLISHED"});
  // Refused hold: the status stays, the event says why.
  f.invoke("hold", R"({"callId":"c1"})");
  f.update("c1", CallUpdate::Kind::Reanswered, 488, "", false, "Not Acceptable Here");
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].status == "ESTABLISHED");
  BOOST_TEST(f.sessions.events[0].text("sipStatus") == "488");
  BOOST_TEST(f.sessions.events[0].text("info") == "hold failed: 488 Not Acceptable Here");
  f.sessions.events.clear();
  f.invoke("hold", R"({"callId":"c1"})");  // may be tried again, from the unchanged SDP
  BOOST_TEST(f.sip.sdps.back().find("o=alice 1 4 ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(far_end_reoffer_is_answered_and_reported) {
  Fixture f;
  f.established();
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kAnswer + "a=sendonly\r\n");
  BOOST_TEST(f.sip.commands == Strings{"answer c1"});
  BOOST_TEST(f.sip.sdps.back().find("a=recvonly\r\n") != std::string::npos);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  BOOST_TEST(f.sessions.events[0].status == "HOLD");
  BOOST_TEST(f.sessions.events[0].text("info") == "held by the far end");
  BOOST_TEST(f.sessions.events[0].text("sdp") == kAnswer + "a=sendonly\r\n");
  f.sessions.events.clear();
  f.update("c1", CallUpdate::Kind::Answered, 200);  // our 200 to the re-INVITE: no news
  BOOST_TEST(f.sessions.events.empty());
  expectError([&] { f.invoke("unhold", R"({"callId":"c1"})"); }, Kind::Conflict, "callId");
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kAnswer + "a=inactive\r\n");
  BOOST_TEST(f.sip.sdps.back().find("a=inactive\r\n") != std::string::npos);
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kAnswer);
  BOOST_TEST(f.sip.sdps.back().find("a=sendrecv\r\n") != std::string::npos);
  BOOST_TEST(f.sessions.take() == (Strings{"CallStatusEvent:HOLD", "CallStatusEvent:ESTABLISHED"}));
  // While we hold the call, their sendrecv offer is answered sendonly.
  f.invoke("hold", R"({"callId":"c1"})");
  f.update("c1", CallUpdate::Kind::Reanswered, 200, kAnswer);
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kAnswer);
  BOOST_TEST(f.sip.sdps.back().find("a=sendonly\r\n") != std::string::npos);
  BOOST_TEST(f.sessions.events.back().status == "HOLD");
}

BOOST_AUTO_TEST_CASE(transfer_reports_the_refer_progress) {
  Fixture f;
  f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + quoted(kOffer) + "}");
  expectError([&] { f.invoke("transfer", R"({"callId":"c1","target":"carol"})"); }, Kind::Conflict,
              "callId");
  f.update("c1", CallUpdate::Kind::Answered, 200, kAnswer);
  f.sessions.events.clear();
  expectError([&] { f.invoke("transfer", R"({"callId":"c1"})"); }, Kind::InvalidField, "target");
  expectError([&] { f.invoke("transfer", R"({"callId":"c1","target":"<x>"})"); },
              Kind::InvalidField, "target");
  expectError([&] { f.invoke("transfer", R"({"callId":"zz","target":"carol"})"); }, Kind::NotFound,
              "callId");
  auto body = f.invoke("transfer", R"({"callId":"c1","target":"carol"})");
  BOOST_TEST(body.target == "sip:carol@example.test");
  expectError([&] { f.invoke("transfer", R"({"callId":"c1","target":"dave"})"); }, Kind::Conflict,
              "callId");
  BOOST_TEST(f.sip.commands.back() == "refer c1 sip:carol@example.test");
  f.transferUpdate(TransferUpdate::Kind::Accepted, 202);
  f.transferUpdate(TransferUpdate::Kind::Notify, 100);
  f.transferUpdate(TransferUpdate::Kind::Notify, 200, true);
  BOOST_TEST(f.sessions.take() ==
             (Strings{"TransferStatusEvent:ACCEPTED", "TransferStatusEvent:TRYING",
                      "TransferStatusEvent:COMPLETED"}));
  // Over: a new transfer is possible; this one is refused.
  f.invoke("transfer", R"({"callId":"c1","target":"dave"})");
  f.transferUpdate(TransferUpdate::Kind::Refused, 403);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  const auto& e = f.sessions.events[0];
  BOOST_TEST(e.status == "FAILED");
  BOOST_TEST(e.text("callId") == "c1");
  BOOST_TEST(e.text("target") == "sip:dave@example.test");
  BOOST_TEST(e.text("sipStatus") == "403");
  BOOST_TEST(e.text("incoming") == "false");
  f.sessions.events.clear();
  f.invoke("transfer", R"({"callId":"c1","target":"erin"})");
  f.transferUpdate(TransferUpdate::Kind::Notify, 486, true);
  f.invoke("transfer", R"({"callId":"c1","target":"erin"})");
  f.transferUpdate(TransferUpdate::Kind::Notify, 180, true);
  BOOST_TEST(f.sessions.take() ==
             (Strings{"TransferStatusEvent:FAILED", "TransferStatusEvent:FAILED"}));
}

BOOST_AUTO_TEST_CASE(incoming_refer_is_carried_out_as_a_new_call) {
  Fixture f;
  f.established();
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kAnswer + "a=sendonly\r\n");  // held first
  f.sessions.events.clear();
  IncomingRefer refer{"s1", "c1", "sip:carol@example.test", "sip:bob@example.test"};
  f.calls->onIncomingRefer(refer);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 2u);
  const auto& t = f.sessions.events[0];
  BOOST_TEST(t.type == "TransferStatusEvent");
  BOOST_TEST(t.status == "ACCEPTED");
  BOOST_TEST(t.text("incoming") == "true");
  BOOST_TEST(t.text("target") == "sip:carol@example.test");
  BOOST_TEST(t.text("referredBy") == "sip:bob@example.test");
  BOOST_REQUIRE_EQUAL(f.sip.calls.size(), 2u);
  const auto& out = f.sip.calls[1];
  BOOST_TEST(out.targetUri == "sip:carol@example.test");
  BOOST_TEST(out.referredByCallId == "c1");
  BOOST_TEST(out.callId != "c1");
  BOOST_TEST(out.sdp.find("a=sendrecv\r\n") != std::string::npos);  // not the held answer
  BOOST_TEST(out.sdp.find("a=recvonly") == std::string::npos);
  const auto& trying = f.sessions.events[1];
  BOOST_TEST(trying.type == "CallStatusEvent");
  BOOST_TEST(trying.status == "TRYING");
  BOOST_TEST(trying.text("callId") == out.callId);
  BOOST_TEST(trying.text("transferredFrom") == "c1");
  BOOST_TEST(f.calls->callCount("s1") == 2u);
  BOOST_TEST(f.sip.commands.back() == "call " + out.callId);  // no endRefer: the call tells
  // At the call limit the transfer fails, and the transferor is told so.
  f.sessions.events.clear();
  f.calls->onIncomingRefer(refer);
  BOOST_TEST(f.sip.commands.back() == "endRefer c1 503 Service Unavailable");
  BOOST_TEST(f.sessions.events.back().text("sipStatus") == "503");
  BOOST_TEST(f.sessions.take() ==
             (Strings{"TransferStatusEvent:ACCEPTED", "TransferStatusEvent:FAILED"}));
}

BOOST_AUTO_TEST_CASE(dtmf_is_validated) {
  Fixture f;
  f.invoke("call", R"({"callId":"c1","callee":"bob","sdp":)" + quoted(kOffer) + "}");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"1"})"); }, Kind::Conflict,
              "callId");
  f.update("c1", CallUpdate::Kind::Answered, 200, kAnswer);
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"1x"})"); }, Kind::InvalidField,
              "dtmf");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"E"})"); }, Kind::InvalidField,
              "dtmf");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1","dtmf":""})"); }, Kind::InvalidField,
              "dtmf");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1"})"); }, Kind::InvalidField, "dtmf");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"12345"})"); },
              Kind::InvalidField, "dtmf");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"1","type":"X"})"); },
              Kind::InvalidField, "type");
  try {
    f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"1","type":"RFC2833"})");
    BOOST_FAIL("RFC2833 accepted");
  } catch (const DomainError& e) {
    BOOST_TEST(e.field() == "type");
    BOOST_TEST(e.message().find("RTP") != std::string::npos);
  }
  expectError([&] { f.invoke("sendDTMF", R"({"dtmf":"1"})"); }, Kind::InvalidField, "callId");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"zz","dtmf":"1"})"); }, Kind::NotFound,
              "callId");
  BOOST_TEST(f.sip.commands == Strings{"call c1"});
}

BOOST_AUTO_TEST_CASE(dtmf_symbols_go_one_info_at_a_time) {
  Fixture f;
  f.established();
  auto body = f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"1a#"})");
  BOOST_TEST(body.dtmf == "1A#");
  BOOST_REQUIRE_EQUAL(f.sip.infos.size(), 1u);
  BOOST_TEST(f.sip.infos[0].first == "application/dtmf-relay");
  BOOST_TEST(f.sip.infos[0].second == "Signal=1\r\nDuration=160\r\n");
  expectError([&] { f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"999"})"); }, Kind::Conflict,
              "dtmf");
  f.infoOutcome(200);
  BOOST_REQUIRE_EQUAL(f.sip.infos.size(), 2u);
  BOOST_TEST(f.sip.infos[1].second == "Signal=A\r\nDuration=160\r\n");
  f.infoOutcome(200);
  f.infoOutcome(200);
  f.infoOutcome(200);  // nothing in flight: ignored
  BOOST_REQUIRE_EQUAL(f.sip.infos.size(), 3u);
  BOOST_TEST(f.sip.infos[2].second == "Signal=#\r\nDuration=160\r\n");
  BOOST_TEST(f.sessions.events.empty());

  f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"*0","type":"INFO_RELAY"})");
  BOOST_TEST(f.sip.infos.back().first == "application/dtmf");
  BOOST_TEST(f.sip.infos.back().second == "*");
  f.infoOutcome(501);  // fails: the rest is dropped, one ErrorEvent
  BOOST_TEST(f.sip.infos.size() == 4u);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  const auto& e = f.sessions.events[0];
  BOOST_TEST(e.type == "ErrorEvent");
  BOOST_TEST(e.text("callId") == "c1");
  BOOST_TEST(e.text("sipStatus") == "501");
  BOOST_TEST(e.text("info").find("501 Not Implemented") != std::string::npos);
  f.invoke("sendDTMF", R"({"callId":"c1","dtmf":"5"})");  // usable again
  BOOST_TEST(f.sip.infos.size() == 5u);
}

BOOST_AUTO_TEST_CASE(session_end_finishes_every_call) {
  Fixture f;
  f.established("c1");
  f.incoming("in1", kOffer);
  auto other = f.addSession("s2", true);
  invokeOn(*f.calls, other, "call", R"({"callId":"c1","callee":"x","sdp":)" + quoted(kOffer) + "}");
  f.sessions.events.clear();
  f.calls->sessionEnded(*f.alice);
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 2u);
  for (const auto& e : f.sessions.events) {
    BOOST_TEST(e.sessionId == "s1");
    BOOST_TEST(e.status == "FINISH");
    BOOST_TEST(e.text("info") == "session ended");
  }
  BOOST_TEST(f.calls->callCount("s1") == 0u);
  BOOST_TEST(f.calls->callCount("s2") == 1u);
  f.update("c1", CallUpdate::Kind::Ended, 0);
  BOOST_TEST(f.sessions.events.size() == 2u);
  // A call request that raced with the end of its session is refused: nothing reaches SIP.
  f.alice->end();
  f.sip.commands.clear();
  expectError([&] { f.invoke("call", R"({"callee":"bob","sdp":)" + quoted(kOffer) + "}"); },
              Kind::Conflict, "");
  BOOST_TEST(f.sip.commands.empty());
}

BOOST_AUTO_TEST_CASE(client_call_ids_cannot_take_the_bridge_s_incoming_form) {
  Fixture f;
  expectError(
      [&] {
        f.invoke("call", R"({"callId":"sip-1a2b-3","callee":"bob","sdp":)" + quoted(kOffer) + "}");
      },
      Kind::InvalidField, "callId");
  BOOST_TEST(f.sip.commands.empty());
}

BOOST_AUTO_TEST_CASE(incoming_calls_are_refused_with_503_while_the_store_is_away) {
  Fixture f;
  f.sessions.up = false;
  f.incoming("in1", kOffer);
  BOOST_TEST(f.sip.commands == Strings{"hangup in1 503"});
  BOOST_TEST(f.sessions.events.empty());
  BOOST_TEST(f.calls->callCount("s1") == 0u);
}

BOOST_AUTO_TEST_CASE(a_call_held_by_the_far_end_can_be_held_by_us_too) {
  Fixture f;
  f.established();
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kAnswer + "a=sendonly\r\n");
  f.sessions.events.clear();
  f.sip.commands.clear();
  f.invoke("hold", R"({"callId":"c1"})");
  BOOST_TEST(f.sip.commands == Strings{"reinvite c1"});
  f.update("c1", CallUpdate::Kind::Reanswered, 200, kAnswer + "a=inactive\r\n");
  expectError([&] { f.invoke("hold", R"({"callId":"c1"})"); }, Kind::Conflict, "callId");
}

BOOST_AUTO_TEST_CASE(a_transfer_still_open_when_its_call_ends_gets_a_final_status) {
  Fixture f;
  f.established();
  f.invoke("transfer", R"({"callId":"c1","target":"carol"})");
  f.transferUpdate(TransferUpdate::Kind::Accepted, 202);
  f.sessions.events.clear();
  f.update("c1", CallUpdate::Kind::Ended, 200, "", true, "BYE");
  BOOST_TEST(f.sessions.take() ==
             (Strings{"CallStatusEvent:FINISH", "TransferStatusEvent:FAILED"}));
}

BOOST_AUTO_TEST_CASE(incoming_refers_are_carried_out_only_within_the_policy) {
  Fixture f;
  f.established();
  IncomingRefer foreign{"s1", "c1", "tel:+15551234567", "sip:bob@example.test"};
  f.calls->onIncomingRefer(foreign);
  BOOST_TEST(f.sessions.events.back().text("sipStatus") == "603");
  BOOST_TEST(f.sessions.take() ==
             (Strings{"TransferStatusEvent:ACCEPTED", "TransferStatusEvent:FAILED"}));
  IncomingRefer elsewhere{"s1", "c1", "sip:premium@other.example", "sip:bob@example.test"};
  f.calls->onIncomingRefer(elsewhere);
  BOOST_TEST(f.sessions.take() ==
             (Strings{"TransferStatusEvent:ACCEPTED", "TransferStatusEvent:FAILED"}));
  BOOST_TEST(f.sip.calls.size() == 1u);  // only the established call itself
  BOOST_TEST(f.sip.commands == (Strings{"endRefer c1 603 Declined", "endRefer c1 603 Declined"}));

  f.config.referTargets = "any";
  Calls open(f.config, f.sessions, f.sip);
  f.sessions.events.clear();
  invokeOn(open, f.alice, "call", R"({"callId":"c9","callee":"bob","sdp":)" + quoted(kOffer) + "}");
  CallUpdate answered;
  answered.sessionId = "s1";
  answered.callId = "c9";
  answered.kind = CallUpdate::Kind::Answered;
  answered.sipStatus = 200;
  answered.sdp = kAnswer;
  open.onCallUpdate(answered);
  open.onIncomingRefer({"s1", "c9", "tel:+15551234567", "sip:bob@example.test"});
  BOOST_TEST(f.sip.calls.back().targetUri == "tel:+15551234567");
}

BOOST_AUTO_TEST_CASE(a_reoffer_that_changes_the_media_lines_is_refused_488) {
  Fixture f;
  f.established();                                            // our SDP: one audio line
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kVideoOffer);  // audio and video
  BOOST_TEST(f.sip.commands == Strings{"rejectReoffer c1 488"});
  BOOST_TEST(f.sip.sdps.empty());
  BOOST_REQUIRE_EQUAL(f.sessions.events.size(), 1u);
  const auto& e = f.sessions.events[0];
  BOOST_TEST(e.type == "CallStatusEvent");
  BOOST_TEST(e.status == "ESTABLISHED");
  BOOST_TEST(e.text("sipStatus") == "488");
  BOOST_TEST(e.text("info") == "far-end re-offer changes the media lines; refused with 488");
  BOOST_TEST(e.text("sdp") == "<none>");
  BOOST_TEST(e.text("hasVideo") == "false");
  f.sessions.events.clear();
  f.sip.commands.clear();
  // One line as well, but of another type; and no media line at all.
  std::string videoOnly = kAnswer;
  videoOnly.replace(videoOnly.find("m=audio 5000 RTP/AVP 0"), 22, "m=video 5002 RTP/AVP 96");
  f.update("c1", CallUpdate::Kind::Reoffer, 0, videoOnly);
  f.update("c1", CallUpdate::Kind::Reoffer, 0,
           "v=0\r\no=bob 5 6 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
  BOOST_TEST(f.sip.commands == (Strings{"rejectReoffer c1 488", "rejectReoffer c1 488"}));
  // The call goes on: a re-offer with the same lines is answered, and a refusal while the
  // far end holds the call keeps HOLD.
  f.sip.commands.clear();
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kAnswer + "a=sendonly\r\n");
  BOOST_TEST(f.sip.commands == Strings{"answer c1"});
  f.update("c1", CallUpdate::Kind::Reoffer, 0, kVideoOffer);
  BOOST_TEST(f.sip.commands.back() == "rejectReoffer c1 488");
  BOOST_TEST(f.sessions.events.back().status == "HOLD");
  BOOST_TEST(f.sessions.events.back().text("sipStatus") == "488");
}

BOOST_AUTO_TEST_CASE(every_incoming_refer_not_carried_out_gets_a_final_notify) {
  Fixture f;
  f.established();
  f.calls->onIncomingRefer({"s1", "c1", "<bad target>", "sip:bob@example.test"});
  BOOST_TEST(f.sip.commands == Strings{"endRefer c1 400 Bad Request"});
  BOOST_TEST(f.sessions.events.back().status == "FAILED");
  BOOST_TEST(f.sessions.events.back().text("sipStatus") == "400");
  // The SIP queue is full (a post from another thread): 503.
  f.sip.commands.clear();
  f.sip.full = true;
  f.calls->onIncomingRefer({"s1", "c1", "sip:carol@example.test", "sip:bob@example.test"});
  f.sip.full = false;
  BOOST_TEST(f.sip.commands == Strings{"endRefer c1 503 Service Unavailable"});
  BOOST_TEST(f.calls->callCount("s1") == 1u);
  // A call core has forgotten, and a session that is ending: 503 as well, no event.
  f.sip.commands.clear();
  f.sessions.events.clear();
  f.calls->onIncomingRefer({"s1", "gone", "sip:carol@example.test", "sip:bob@example.test"});
  f.alice->end();
  f.calls->onIncomingRefer({"s1", "c1", "sip:carol@example.test", "sip:bob@example.test"});
  BOOST_TEST(f.sip.commands == (Strings{"endRefer gone 503 Service Unavailable",
                                        "endRefer c1 503 Service Unavailable"}));
  BOOST_TEST(f.sessions.events.empty());
}

BOOST_AUTO_TEST_SUITE_END()
