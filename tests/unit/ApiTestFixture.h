#pragma once

// A fake core::BridgeService standing for core in the api module's tests, plus an HTTP
// client helper. The server under test is the real HttpApi over real sockets.

#include "sipbridge/api/HttpApi.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/tls/ClientIdentity.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sipbridge::api::test {

class FakeSession : public core::SessionHandle {
 public:
  FakeSession(std::string id, std::string appKey)
      : id_(std::move(id)), appKey_(std::move(appKey)) {}
  const std::string& sessionId() const override { return id_; }
  const std::string& appKey() const override { return appKey_; }
  bool ended() const override { return ended_; }
  void end() { ended_ = true; }

 private:
  std::string id_, appKey_;
  std::atomic<bool> ended_{false};
};

class FakeApps : public core::AppDirectory {
 public:
  std::optional<core::App> find(const std::string& appKey) override {
    std::lock_guard lock(mutex_);
    auto it = apps_.find(appKey);
    if (it == apps_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<core::App> list() override {
    std::lock_guard lock(mutex_);
    std::vector<core::App> out;
    for (auto& [key, app] : apps_) out.push_back(app);
    return out;
  }
  bool put(const core::App& app) override {
    std::lock_guard lock(mutex_);
    return apps_.insert_or_assign(app.appKey, app).second;
  }
  bool remove(const std::string& appKey) override {
    std::lock_guard lock(mutex_);
    return apps_.erase(appKey) > 0;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, core::App> apps_;
};

class FakeDeliveries : public core::HookDeliveries {
 public:
  std::vector<core::HookDelivery> find(const core::DeliveryFilter& filter) override {
    lastFilter = filter;
    core::HookDelivery d;
    d.id = 9;
    d.eventId = "ev-1";
    d.appKey = "demo";
    d.eventType = "MessageStatusEvent";
    d.state = "dead";
    d.attempts = 12;
    d.lastHttpStatus = 500;
    d.createdMs = 1700000000000;
    return {d};
  }
  int replay(const core::DeliveryFilter& filter) override {
    lastFilter = filter;
    return 3;
  }
  core::DeliveryFilter lastFilter;
};

/// Sessions and events in memory; waitEvents waits on a condition variable like core does.
class FakeBridge : public core::BridgeService {
 public:
  core::ConnectResponse connect(const core::ConnectRequest& request) override {
    if (connectDelayMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(connectDelayMs));
    if (unavailable) throw core::Unavailable("store down", 7);
    if (crash) throw std::runtime_error("secret internal detail");
    std::lock_guard lock(mutex_);
    const int n = ++counter_;
    core::ConnectResponse response{"sess-" + std::to_string(n), "tok-" + std::to_string(n),
                                   "node-1", "PENDING", ""};
    lastAppKey = request.appKey;
    if (refuseConnect) {
      response.status = "FAILED";
      response.info = "connect hook answered 403";
      return response;
    }
    live_[response.authToken] = std::make_shared<FakeSession>(response.sessionId, request.appKey);
    return response;
  }
  core::SessionPtr authenticate(const std::string& authToken) override {
    std::lock_guard lock(mutex_);
    auto it = live_.find(authToken);
    if (it == live_.end()) throw core::unauthorized("bad token");
    return it->second;
  }
  void disconnect(const core::SessionPtr& session, const std::string&) override {
    push(session->sessionId(), "ConnectionStatusEvent", "DISCONNECTED");
    end(session->sessionId());
  }
  std::vector<core::Event> waitEvents(const core::SessionPtr& session, std::int64_t afterSeq,
                                      std::chrono::milliseconds wait, int limit) override {
    std::unique_lock lock(mutex_);
    std::vector<core::Event> out;
    const auto ready = [&] {
      for (const auto& e : events_[session->sessionId()])
        if (e.seq > afterSeq && static_cast<int>(out.size()) < limit) out.push_back(e);
      return !out.empty() || ended_.count(session->sessionId()) > 0;
    };
    changed_.wait_for(lock, wait, ready);
    return out;
  }
  /// From memory at once; std::nullopt (the store path) while `memoryGap` is set.
  std::optional<std::vector<core::Event>> readEvents(const core::SessionPtr& session,
                                                     std::int64_t afterSeq, int limit) override {
    ++reads;
    if (memoryGap) return std::nullopt;
    return waitEvents(session, afterSeq, std::chrono::milliseconds(0), limit);
  }
  std::uint64_t watchEvents(const core::SessionPtr& session,
                            std::function<void()> listener) override {
    std::lock_guard lock(mutex_);
    const auto id = ++watchId_;
    watchers_[session->sessionId()][id] = std::make_shared<std::function<void()>>(listener);
    return id;
  }
  void unwatchEvents(const core::SessionPtr& session, std::uint64_t id) override {
    std::lock_guard lock(mutex_);
    watchers_[session->sessionId()].erase(id);
  }
  /// Watchers registered now, over all sessions.
  int watcherCount() {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [id, map] : watchers_) n += static_cast<int>(map.size());
    return n;
  }
  /// Records the call as (session id, its fields as JSON); throws invalidField(rejectField)
  /// when set, Conflict for an ended session, Unavailable when `unavailable`. Returns the
  /// request's id or "gen-<n>".
  std::string sendMessage(const core::SessionPtr& session,
                          const core::SendMessage& request) override {
    if (unavailable) throw core::Unavailable("store down", 7);
    std::lock_guard lock(mutex_);
    Poco::JSON::Object json;
    set(json, "id", request.id);
    set(json, "to", request.to);
    set(json, "body", request.body);
    if (request.contentType != "text/plain") json.set("contentType", request.contentType);
    if (request.isImdnRequired) json.set("isImdnRequired", true);
    if (!request.recipients.empty()) {
      Poco::JSON::Array recipients;
      for (const auto& r : request.recipients) recipients.add(r);
      json.set("recipients", recipients);
    }
    messageCalls.emplace_back(session->sessionId(), text(json));
    if (!rejectField.empty()) throw core::invalidField(rejectField, rejectField + " is wrong");
    if (session->ended()) throw core::conflict("the session has ended");
    return request.id.empty() ? "gen-" + std::to_string(messageCalls.size()) : request.id;
  }
  /// Records the call; messageId "unknown" gets NotFound (field messageId).
  void sendImdn(const core::SessionPtr& session, const core::SendImdn& request) override {
    std::lock_guard lock(mutex_);
    Poco::JSON::Object json;
    json.set("messageId", request.messageId);
    imdnCalls.emplace_back(session->sessionId(), text(json));
    if (request.messageId == "unknown")
      throw core::notFound("message asking for a notification", "messageId");
  }
  core::SubscribeResult subscribe(const core::SessionPtr&, const core::Subscribe& r) override {
    Poco::JSON::Object json;
    set(json, "event", r.event);
    if (r.expires) json.set("expires", *r.expires);
    if (r.terminate) json.set("terminate", true);
    set(json, "to", r.to);
    set(json, "accept", r.accept);
    return {record("subscribe", json), r.event, r.to};
  }
  std::string publish(const core::SessionPtr&, const core::Publish& r) override {
    Poco::JSON::Object json;
    set(json, "state", r.state);
    set(json, "note", r.note);
    if (r.expires) json.set("expires", *r.expires);
    if (r.withdraw) json.set("withdraw", true);
    return record("publish", json);
  }
  std::string sendXcapRequest(const core::SessionPtr&, const core::SendXcapRequest& r) override {
    Poco::JSON::Object json;
    set(json, "url", r.url);
    set(json, "method", r.method);
    set(json, "body", r.body);
    set(json, "contentType", r.contentType);
    return record("sendXcapRequest", json);
  }
  std::string sendData(const core::SessionPtr&, const core::SendData& r) override {
    const std::string id = record("sendData", dataJson(r));
    return r.operationId.empty() ? id : r.operationId;
  }
  core::CallResult call(const core::SessionPtr&, const core::PlaceCall& r) override {
    Poco::JSON::Object json;
    set(json, "callId", r.callId);
    set(json, "callee", r.callee);
    return {record("call", json), "TRYING", "", ""};
  }
  core::CallResult answer(const core::SessionPtr&, const core::Answer& r) override {
    return callMethod("answer", r.callId);
  }
  core::CallResult hangup(const core::SessionPtr&, const core::Hangup& r) override {
    return callMethod("hangup", r.callId);
  }
  core::CallResult hold(const core::SessionPtr&, const core::Hold& r) override {
    return callMethod("hold", r.callId);
  }
  core::CallResult unhold(const core::SessionPtr&, const core::Hold& r) override {
    return callMethod("unhold", r.callId);
  }
  core::CallResult transfer(const core::SessionPtr&, const core::Transfer& r) override {
    return callMethod("transfer", r.callId);
  }
  core::CallResult sendDtmf(const core::SessionPtr&, const core::SendDtmf& r) override {
    return callMethod("sendDTMF", r.callId);
  }
  void channelOpened(const core::SessionPtr&) override { ++channelsOpened; }
  void channelClosed(const core::SessionPtr&) override { ++channelsClosed; }
  core::AppDirectory& apps() override { return apps_; }
  std::vector<core::SessionRecord> listSessions(const std::string& appKey, bool activeOnly,
                                                int limit) override {
    lastListArgs = appKey + "|" + (activeOnly ? "active" : "all") + "|" + std::to_string(limit);
    return {core::SessionRecord{"sess-1", "demo", "node-1", "alice", "active", 1700000000000, 0}};
  }
  void terminateSession(const std::string& sessionId, const std::string&) override {
    std::string token;
    {
      std::lock_guard lock(mutex_);
      for (auto& [t, s] : live_)
        if (s->sessionId() == sessionId) token = t;
    }
    if (token.empty()) throw core::notFound("session", "sessionId");
    push(sessionId, "ConnectionStatusEvent", "DISCONNECTED");
    end(sessionId);
  }
  /// Records the call as (session id, its fields as JSON); unknown sessions get NotFound.
  std::string sendDataToSession(const std::string& sessionId,
                                const core::SendData& request) override {
    const std::string body = text(dataJson(request));
    std::lock_guard lock(mutex_);
    bool known = false;
    for (auto& [t, s] : live_) known = known || s->sessionId() == sessionId;
    if (!known) throw core::notFound("session", "sessionId");
    dataCalls.emplace_back(sessionId, body);
    return request.operationId.empty() ? "op-" + std::to_string(dataCalls.size())
                                       : request.operationId;
  }
  core::EventPage findEvents(const core::EventFilter& filter) override {
    lastEventFilter = filter;
    core::EventPage page;
    page.events.push_back(makeEvent("sess-1", 1, "MessageStatusEvent", "ACCEPTED"));
    page.nextCursor = 42;
    return page;
  }
  core::HookDeliveries& deliveries() override { return deliveries_; }
  std::vector<std::pair<std::string, std::string>> dataCalls;
  std::string nodeId() const override { return "node-1"; }
  bool accepting() const override { return acceptingWork; }

  /// Commits an event of the session and wakes waiters; returns its seq.
  std::int64_t push(const std::string& sessionId, const std::string& type,
                    const std::string& status, const std::string& body = {}) {
    std::int64_t seq = 0;
    {
      std::lock_guard lock(mutex_);
      auto& list = events_[sessionId];
      list.push_back(
          makeEvent(sessionId, static_cast<std::int64_t>(list.size()) + 1, type, status));
      if (!body.empty()) list.back().fields["body"] = body;
      changed_.notify_all();
      seq = list.back().seq;
    }
    notifyWatchers(sessionId);
    return seq;
  }

  static core::Event makeEvent(const std::string& sessionId, std::int64_t seq,
                               const std::string& type, const std::string& status) {
    core::Event e;
    e.eventId = "ev-" + sessionId + "-" + std::to_string(seq);
    e.type = type;
    e.status = status;
    e.nodeId = "node-1";
    e.sessionId = sessionId;
    e.appKey = "demo";
    e.seq = seq;
    e.timestampMs = 1700000000000 + seq;
    e.fields["info"] = "n" + std::to_string(seq);
    return e;
  }

  std::atomic<bool> unavailable{false}, crash{false}, refuseConnect{false}, acceptingWork{true},
      memoryGap{false};
  std::atomic<int> reads{0};
  std::atomic<int> connectDelayMs{0};  ///< connect sleeps this long first (a busy worker)
  std::atomic<int> channelsOpened{0}, channelsClosed{0};
  std::string lastAppKey, lastListArgs;
  std::string rejectField;  ///< set before calls only
  /// (sessionId, JSON body) of each sendMessage / sendImdn call; read after the calls.
  std::vector<std::pair<std::string, std::string>> messageCalls, imdnCalls;
  /// (method, its fields as JSON) of each call of the other client methods; read after the calls.
  std::vector<std::pair<std::string, std::string>> invokeCalls;
  /// Methods answered with NotImplemented (after being recorded); set before calls.
  std::set<std::string> unhandledMethods;
  core::EventFilter lastEventFilter;
  FakeDeliveries deliveries_;

 private:
  static std::string text(const Poco::JSON::Object& json) {
    std::ostringstream out;
    json.stringify(out);
    return out.str();
  }
  static void set(Poco::JSON::Object& json, const std::string& name, const std::string& value) {
    if (!value.empty()) json.set(name, value);
  }
  static Poco::JSON::Object dataJson(const core::SendData& r) {
    Poco::JSON::Object json;
    set(json, "operationId", r.operationId);
    json.set("payload", r.payload);
    if (r.to) json.set("to", *r.to);
    return json;
  }
  /// Records a call of `method`; throws invalidField(rejectField) when set and NotImplemented
  /// for the unhandled methods. Returns "<method>-<n>".
  std::string record(const std::string& method, const Poco::JSON::Object& json) {
    std::lock_guard lock(mutex_);
    invokeCalls.emplace_back(method, text(json));
    if (!rejectField.empty()) throw core::invalidField(rejectField, rejectField + " is wrong");
    if (unhandledMethods.count(method) > 0)
      throw core::DomainError(core::DomainError::Kind::NotImplemented, "not_implemented",
                              method + " is not implemented yet");
    return method + "-" + std::to_string(invokeCalls.size());
  }
  core::CallResult callMethod(const std::string& method, const std::string& callId) {
    Poco::JSON::Object json;
    json.set("callId", callId);
    record(method, json);
    return {callId, "", "", ""};
  }

  void end(const std::string& sessionId) {
    {
      std::lock_guard lock(mutex_);
      for (auto it = live_.begin(); it != live_.end();) {
        if (it->second->sessionId() != sessionId) {
          ++it;
          continue;
        }
        if (auto fake = std::dynamic_pointer_cast<FakeSession>(it->second)) fake->end();
        it = live_.erase(it);
      }
      ended_[sessionId] = true;
      changed_.notify_all();
    }
    notifyWatchers(sessionId);
  }

  void notifyWatchers(const std::string& sessionId) {
    std::vector<std::shared_ptr<std::function<void()>>> listeners;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [id, listener] : watchers_[sessionId]) listeners.push_back(listener);
    }
    for (const auto& listener : listeners) (*listener)();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int counter_ = 0;
  std::map<std::string, core::SessionPtr> live_;
  std::map<std::string, std::vector<core::Event>> events_;
  std::map<std::string, bool> ended_;
  std::uint64_t watchId_ = 0;
  std::map<std::string, std::map<std::uint64_t, std::shared_ptr<std::function<void()>>>> watchers_;
  FakeApps apps_;
};

/// Refuses hook URLs that contain "forbidden", and plain http unless `development`;
/// certificates and keys are checked by the real tls module.
class FakeUrlCheck : public HookUrlCheck {
 public:
  void check(const std::string& url, bool development) override {
    if (url.find("forbidden") != std::string::npos)
      throw Poco::Exception("address not allowed by policy");
    if (url.rfind("http:", 0) == 0 && !development)
      throw Poco::Exception("hook URL must use https");
  }
  CertificateInfo describeCertificate(const std::string& pem) override {
    const auto summary = tls::summarizeCertificate(pem);
    return {summary.subject, summary.issuer, summary.fingerprint, summary.notAfterMs};
  }
  void checkKey(const std::string& certificatePem, const std::string& keyPem) override {
    tls::checkPrivateKey(certificatePem, keyPem);
  }
};

struct Answer {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse response;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string errorCode() const {
    return json()->getObject("error")->getValue<std::string>("code");
  }
  std::string errorField() const {
    return json()->getObject("error")->optValue<std::string>("field", "");
  }
};

/// One HTTP exchange on a fresh connection.
inline Answer call(int port, const std::string& method, const std::string& path,
                   const std::string& body = {},
                   const std::string& contentType = "application/json",
                   const std::map<std::string, std::string>& headers = {}, bool chunked = false) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(40, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) {
    if (!contentType.empty()) request.setContentType(contentType);
    if (chunked)
      request.setChunkedTransferEncoding(true);
    else
      request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(request) << body;
  Answer answer;
  std::istream& in = session.receiveResponse(answer.response);
  Poco::StreamCopier::copyToString(in, answer.body);
  answer.status = answer.response.getStatus();
  return answer;
}

/// Polls `condition` every 50 ms, `tries` times at most.
inline bool eventually(const std::function<bool()>& condition, int tries = 100) {
  for (int i = 0; i < tries; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

inline std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

/// A started HttpApi over the fake bridge on a free port.
struct ApiFixture {
  explicit ApiFixture(ApiConfig base = {}, bool admin = true) {
    base.port = 0;
    if (admin && base.adminToken.empty()) base.adminToken = "admin-secret-token";
    api = std::make_unique<HttpApi>(base, bridge, metrics, urlCheck);
    api->start();
    port = api->port();
  }
  /// A session created through the API: (sessionId, authToken).
  std::pair<std::string, std::string> connect() {
    const auto answer = call(port, "POST", "/api/v1/connect", R"({"appKey":"demo"})");
    if (answer.status != 200) throw std::runtime_error("connect failed: " + answer.body);
    const auto json = answer.json();
    return {json->getValue<std::string>("sessionId"), json->getValue<std::string>("authToken")};
  }

  FakeBridge bridge;
  core::Metrics metrics;
  FakeUrlCheck urlCheck;
  std::unique_ptr<HttpApi> api;
  int port = 0;
};

}  // namespace sipbridge::api::test
