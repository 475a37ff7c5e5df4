#include "sipbridge/core/Bridge.h"

#include "sipbridge/core/CommitWaiter.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Tokens.h"

#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>

#include <set>
#include <sstream>

#include <algorithm>

namespace sipbridge::core {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.core");
}

std::string toJsonText(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

/// The shape of the session ids connect() makes: "<nodeId>-" and 24 hex digits. Only such ids
/// are looked up in the store, so a flood of made-up tokens costs no database work.
bool wellFormedSessionId(const std::string& id) {
  constexpr std::size_t kHex = 24;
  if (id.size() <= kHex + 1 || id.size() > 256 || id[id.size() - kHex - 1] != '-') return false;
  return std::all_of(id.end() - kHex, id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

const char* const kConnection = "ConnectionStatusEvent";
const char* const kRegistration = "RegistrationStatusEvent";

}  // namespace

Bridge::Bridge(BridgeConfig config, Ports ports, Metrics& metrics)
    : config_(std::move(config)),
      ports_(ports),
      connects_(metrics.counter("sipbridge_connects_total", "Connect requests accepted")),
      registrationsOk_(metrics.counter("sipbridge_sip_registrations_total",
                                       "SIP registration outcomes", "{outcome=\"registered\"}")),
      registrationsFailed_(metrics.counter("sipbridge_sip_registrations_total",
                                           "SIP registration outcomes", "{outcome=\"failed\"}")),
      apps_(ports.apps),
      messaging_(config_.messaging, *this, apps_, ports.messages, ports.sipMessaging, metrics),
      presence_(config_.presence, *this, ports.sipSubscriptions),
      xcap_(*this, ports.xcap, config_.xcapMaxBodyBytes),
      calls_(config_.calls, *this, ports.sipCalls),
      data_(config_.data, *this, ports.apps, ports.dataHook, ports.dataStore) {
  metrics.gauge("sipbridge_sessions_live", "Live sessions on this node",
                [this] { return static_cast<double>(liveSessions()); });
}

Bridge::~Bridge() {
  stop();
}

void Bridge::start() {
  recoverLeftovers();
  std::lock_guard lock(reaperMutex_);
  stopping_ = false;
  if (!reaper_.joinable()) reaper_ = std::thread([this] { reapLoop(); });
}

void Bridge::stop() {
  {
    std::lock_guard lock(reaperMutex_);
    if (stopping_ && !reaper_.joinable()) return;
    stopping_ = true;
  }
  reaperWake_.notify_all();
  if (reaper_.joinable()) reaper_.join();
  data_.stop();  // outcomes of sendData are recorded before the sessions end
  std::vector<SessionRef> live;
  {
    std::shared_lock lock(sessionsMutex_);
    for (const auto& [id, session] : byId_) live.push_back(session);
  }
  for (const auto& session : live) {
    try {
      endSession(session, "node shutting down");
    } catch (const std::exception& e) {
      logger().warning("session %s not ended cleanly: %s", session->sessionId(),
                       std::string(e.what()));
    }
  }
}

void Bridge::recoverLeftovers() {
  // Events for sessions of a previous run continue their seq from the store.
  std::map<std::string, std::int64_t> lastSeq;
  auto record = [&](const std::string& sessionId, const std::string& appKey,
                    const std::string& type, const std::string& status,
                    Poco::DynamicStruct fields) {
    auto [it, fresh] = lastSeq.try_emplace(sessionId, 0);
    if (fresh) it->second = ports_.eventQuery.lastSeq(sessionId);
    Event event;
    event.eventId = newUuid();
    event.type = type;
    event.status = status;
    event.nodeId = config_.nodeId;
    event.sessionId = sessionId;
    event.appKey = appKey;
    event.seq = ++it->second;
    event.timestampMs = nowMs();
    event.fields = std::move(fields);
    awaitCommit(emitRaw(std::move(event)));
  };
  messaging_.failLeftovers(config_.nodeId, [&](const MessageRecord& m, Poco::DynamicStruct f) {
    record(m.sessionId, m.appKey, "MessageStatusEvent", "FAILED", std::move(f));
  });
  data_.failLeftovers(config_.nodeId, [&](const UnansweredData& d, Poco::DynamicStruct f) {
    record(d.sessionId, d.appKey, "DataStatusEvent", "FAILED", std::move(f));
  });
  // The SIP dialogs died with the previous run; their legs are closed in the records.
  for (const OpenCallLeg& leg : ports_.callStore.openOnNode(config_.nodeId)) {
    Poco::DynamicStruct fields;
    fields["callId"] = leg.callId;
    fields["info"] = std::string("node restarted; the call was lost");
    record(leg.sessionId, leg.appKey, "CallStatusEvent", "FINISH", std::move(fields));
  }
  for (const SessionRecord& session : ports_.sessions.activeOnNode(config_.nodeId)) {
    Poco::DynamicStruct fields;
    fields["info"] = std::string("node restarted; session ended");
    record(session.sessionId, session.appKey, kConnection, "DISCONNECTED", std::move(fields));
    logger().information("ended session %s left active by a previous run", session.sessionId);
  }
}

ConnectResponse Bridge::connect(const ConnectRequest& original) {
  if (!accepting()) throw Unavailable("event store unavailable");
  const auto app = apps_.find(original.appKey);
  if (!app)
    throw DomainError(DomainError::Kind::Unauthorized, "unknown_app", "unknown appKey", "appKey");

  // The client's own input is checked before the backend is asked: a proxy the operator did
  // not allow, or a transport this node does not listen on, is the client's mistake (400),
  // not a refusal by the hook.
  checkProxyAllowed(original);
  checkTransportAvailable(original);
  ConnectRequest request = original;
  ConnectDecision decision = ports_.connectHook.ask(*app, toJsonText(request.toHookJson()));
  if (decision.accepted && decision.overrides) {
    try {
      request.applyOverrides(*decision.overrides);
      checkProxyAllowed(request);
      checkTransportAvailable(request);
    } catch (const DomainError& e) {
      decision.accepted = false;
      decision.info = "connect hook returned an invalid override: " + e.message();
    }
  }

  const std::string sessionId = config_.nodeId + "-" + randomHex(12);
  const std::string token = sessionId + "." + randomToken(32);
  auto session = std::make_shared<Session>(sessionId, token, request, "sb" + randomHex(10),
                                           config_.feedCapacity, nowMs());
  ConnectResponse response{sessionId, token, config_.nodeId, "", ""};
  // The first event also records the session (see schema/011_session_tracking.sql).
  Poco::DynamicStruct first;
  if (!request.sipLogin.empty()) first["sipLogin"] = request.sipLogin;
  if (!decision.accepted) {
    first["info"] = decision.info;
    awaitCommit(emitWaited(*session, kConnection, "FAILED", first));
    response.status = "FAILED";
    response.info = decision.info;
    response.authToken.clear();
    return response;
  }
  {
    std::unique_lock lock(sessionsMutex_);
    byId_[sessionId] = session;
  }
  connects_.inc();
  response.status = request.sipRegisterRequired ? "PENDING" : "ESTABLISHED";
  if (request.sipRegisterRequired) session->setRegistration(Session::Registration::Pending);
  awaitCommit(emitWaited(*session, kConnection, response.status, first));
  rememberToken(*session);
  if (request.sipRegisterRequired) ports_.sip.registerAccount(accountFor(*session));
  return response;
}

void Bridge::rememberToken(const Session& session) {
  try {
    ports_.sessions.rememberTokenHash(session.sessionId(), tokenHash(session.authToken()));
  } catch (const std::exception& e) {
    logger().warning(
        "token hash of session %s not recorded; after a restart its token cannot "
        "read how it ended: %s",
        session.sessionId(), std::string(e.what()));
  }
}

SessionPtr Bridge::authenticate(const std::string& authToken) {
  const auto dot = authToken.rfind('.');
  if (dot == std::string::npos) throw unauthorized("invalid token");
  const std::string sessionId = authToken.substr(0, dot);
  SessionRef session = find(sessionId);
  if (!session) {
    std::shared_lock lock(sessionsMutex_);
    if (auto it = ended_.find(sessionId); it != ended_.end()) session = it->second.first;
  }
  if (!session && wellFormedSessionId(sessionId)) session = restoreEnded(sessionId, authToken);
  if (!session || !constantTimeEquals(session->authToken(), authToken))
    throw unauthorized("invalid or expired token");
  session->touch(nowMs());
  return session;
}

Bridge::SessionRef Bridge::restoreEnded(const std::string& sessionId,
                                        const std::string& authToken) {
  const auto record = ports_.sessions.endedWithin(sessionId, config_.endedGraceSeconds);
  if (!record || !constantTimeEquals(record->tokenHash, tokenHash(authToken))) return nullptr;
  ConnectRequest request;
  request.appKey = record->appKey;
  auto session =
      std::make_shared<Session>(sessionId, authToken, request, "", config_.feedCapacity, nowMs());
  session->restoreEnded(ports_.eventQuery.lastSeq(sessionId));
  std::unique_lock lock(sessionsMutex_);
  return ended_.try_emplace(sessionId, session, record->endedMs).first->second.first;
}

void Bridge::disconnect(const SessionPtr& handle, const std::string& info) {
  SessionRef session = find(handle->sessionId());
  if (!session) throw conflict("the session has ended");
  endSession(session, info);
}

void Bridge::terminateSession(const std::string& sessionId, const std::string& info) {
  SessionRef session = find(sessionId);
  if (!session) throw notFound("session", "sessionId");
  endSession(session, info);
}

void Bridge::endSession(const SessionRef& session, const std::string& info) {
  if (!session->end()) return;
  calls_.sessionEnded(*session);  // FINISH for its calls; unregistering hangs them up in SIP
  const auto reg = session->registration();
  if (reg != Session::Registration::None && reg != Session::Registration::Unregistered)
    ports_.sip.unregister(session->sessionId());
  if (reg == Session::Registration::Pending || reg == Session::Registration::Registered) {
    if (!session->waitUnregistered(std::chrono::milliseconds(config_.unregisterWaitMs))) {
      session->setRegistration(Session::Registration::Unregistered);
      Poco::DynamicStruct fields;
      fields["info"] = std::string("unregistration not confirmed by the SIP server");
      emit(*session, kRegistration, "UNREGISTERED", fields);
    }
  }
  Poco::DynamicStruct fields;
  if (!info.empty()) fields["info"] = info;
  auto waiter = emitWaited(*session, kConnection, "DISCONNECTED", fields);
  forget(session);
  awaitCommit(waiter);
}

void Bridge::forget(const SessionRef& session) {
  presence_.sessionEnded(session->sessionId());
  std::unique_lock lock(sessionsMutex_);
  byId_.erase(session->sessionId());
  ended_[session->sessionId()] = {session, nowMs()};
}

std::vector<Event> Bridge::waitEvents(const SessionPtr& handle, std::int64_t afterSeq,
                                      std::chrono::milliseconds wait, int limit) {
  auto session = std::dynamic_pointer_cast<Session>(handle);
  if (!session) throw notFound("session");
  session->touch(nowMs());
  bool gap = false;
  auto events = session->waitAfter(afterSeq, wait, limit, gap);
  if (gap) events = ports_.eventQuery.sessionEventsAfter(session->sessionId(), afterSeq, limit);
  session->touch(nowMs());
  return events;
}

std::optional<std::vector<Event>> Bridge::readEvents(const SessionPtr& handle,
                                                     std::int64_t afterSeq, int limit) {
  auto session = std::dynamic_pointer_cast<Session>(handle);
  if (!session) throw notFound("session");
  session->touch(nowMs());
  bool gap = false;
  auto events = session->waitAfter(afterSeq, std::chrono::milliseconds(0), limit, gap);
  if (gap) return std::nullopt;
  return events;
}

std::uint64_t Bridge::watchEvents(const SessionPtr& handle, std::function<void()> listener) {
  auto session = std::dynamic_pointer_cast<Session>(handle);
  if (!session) throw notFound("session");
  return session->watch(std::move(listener));
}

void Bridge::unwatchEvents(const SessionPtr& handle, std::uint64_t id) {
  if (auto session = std::dynamic_pointer_cast<Session>(handle)) session->unwatch(id);
}

std::shared_ptr<Session> Bridge::forMethod(const SessionPtr& handle) const {
  if (!accepting()) throw Unavailable("event store unavailable");
  return live(handle);
}

std::string Bridge::sendMessage(const SessionPtr& handle, const SendMessage& request) {
  return messaging_.send(forMethod(handle), request);
}

void Bridge::sendImdn(const SessionPtr& handle, const SendImdn& request) {
  messaging_.sendImdn(forMethod(handle), request);
}

SubscribeResult Bridge::subscribe(const SessionPtr& handle, const Subscribe& request) {
  return presence_.subscribe(forMethod(handle), request);
}

std::string Bridge::publish(const SessionPtr& handle, const Publish& request) {
  return presence_.publish(forMethod(handle), request);
}

std::string Bridge::sendXcapRequest(const SessionPtr& handle, const SendXcapRequest& request) {
  return xcap_.send(forMethod(handle), request);
}

std::string Bridge::sendData(const SessionPtr& handle, const SendData& request) {
  return data_.send(forMethod(handle), request);
}

CallResult Bridge::call(const SessionPtr& handle, const PlaceCall& request) {
  return calls_.startCall(forMethod(handle), request);
}

CallResult Bridge::answer(const SessionPtr& handle, const Answer& request) {
  return calls_.answer(*forMethod(handle), request);
}

CallResult Bridge::hangup(const SessionPtr& handle, const Hangup& request) {
  return calls_.hangup(*forMethod(handle), request);
}

CallResult Bridge::hold(const SessionPtr& handle, const Hold& request) {
  return calls_.hold(*forMethod(handle), request, true);
}

CallResult Bridge::unhold(const SessionPtr& handle, const Hold& request) {
  return calls_.hold(*forMethod(handle), request, false);
}

CallResult Bridge::transfer(const SessionPtr& handle, const Transfer& request) {
  return calls_.transfer(*forMethod(handle), request);
}

CallResult Bridge::sendDtmf(const SessionPtr& handle, const SendDtmf& request) {
  return calls_.sendDtmf(*forMethod(handle), request);
}

std::shared_ptr<Session> Bridge::live(const SessionPtr& handle) const {
  auto session = find(handle->sessionId());
  if (!session) throw conflict("the session has ended");
  return session;
}

std::shared_ptr<Session> Bridge::liveSession(const std::string& sessionId) const {
  return find(sessionId);
}

std::shared_ptr<Session> Bridge::anySession(const std::string& sessionId) const {
  std::shared_lock lock(sessionsMutex_);
  if (auto it = byId_.find(sessionId); it != byId_.end()) return it->second;
  if (auto it = ended_.find(sessionId); it != ended_.end()) return it->second.first;
  return nullptr;
}

std::vector<std::shared_ptr<Session>> Bridge::findInApp(const std::string& appKey,
                                                        const std::string& idOrLogin) const {
  std::vector<SessionRef> found;
  std::shared_lock lock(sessionsMutex_);
  if (auto it = byId_.find(idOrLogin); it != byId_.end()) {
    if (it->second->appKey() == appKey && !it->second->ending()) found.push_back(it->second);
    return found;
  }
  for (const auto& [id, session] : byId_)
    if (session->appKey() == appKey && !session->ending() && !session->request().sipLogin.empty() &&
        session->request().sipLogin == idOrLogin)
      found.push_back(session);
  return found;
}

std::string Bridge::sendDataToSession(const std::string& sessionId, const SendData& request) {
  SessionRef session = find(sessionId);
  if (!session || session->ending()) throw notFound("session", "sessionId");
  if (!accepting()) throw Unavailable("event store unavailable");
  return data_.sendToSession(session, request);
}

void Bridge::channelOpened(const SessionPtr& handle) {
  if (auto session = std::dynamic_pointer_cast<Session>(handle)) session->channelOpened();
}

void Bridge::channelClosed(const SessionPtr& handle) {
  if (auto session = std::dynamic_pointer_cast<Session>(handle)) session->channelClosed(nowMs());
}

std::vector<SessionRecord> Bridge::listSessions(const std::string& appKey, bool activeOnly,
                                                int limit) {
  return ports_.sessions.list(appKey, activeOnly, limit);
}

EventPage Bridge::findEvents(const EventFilter& filter) {
  return ports_.eventQuery.find(filter);
}

void Bridge::onRegistration(const std::string& sessionId, const RegistrationResult& result) {
  SessionRef session = find(sessionId);
  if (!session) return;
  Poco::DynamicStruct fields;
  if (!result.info.empty()) fields["info"] = result.info;
  if (result.sipStatus != 0) fields["sipStatus"] = result.sipStatus;
  using R = Session::Registration;
  switch (result.state) {
    case RegistrationResult::State::Registered: {
      registrationsOk_.inc();
      const R previous = session->setRegistration(R::Registered);
      emit(*session, kRegistration, "REGISTERED", fields);
      if (previous == R::Pending && !session->ending())
        emit(*session, kConnection, "ESTABLISHED", {});
      break;
    }
    case RegistrationResult::State::Failed: {
      registrationsFailed_.inc();
      const R previous = session->registration();
      emit(*session, kRegistration, "FAILED", fields);  // before the change wakes a disconnect
      session->setRegistration(R::Failed);
      if (previous == R::Pending && session->end()) {
        // The connect never got established: the session fails with the registration's cause.
        calls_.sessionEnded(*session);
        emit(*session, kConnection, "FAILED", fields);
        try {
          ports_.sip.unregister(sessionId);  // drops the handle; never throw on the SIP thread
        } catch (const std::exception& e) {
          logger().warning("session %s: handle not released: %s", sessionId, std::string(e.what()));
        }
        forget(session);
      }
      break;
    }
    case RegistrationResult::State::Unregistered: {
      // Only a binding that existed (or was being made) is reported as removed. The event
      // is queued before the state changes, since the change releases a waiting disconnect
      // whose DISCONNECTED must come after it.
      const R previous = session->registration();
      if (previous == R::Registered || previous == R::Pending)
        emit(*session, kRegistration, "UNREGISTERED", fields);
      session->setRegistration(R::Unregistered);
      break;
    }
  }
}

void Bridge::onCommitted(const std::vector<Event>& batch) {
  data_.onCommitted(batch);
  std::shared_lock lock(sessionsMutex_);
  for (const Event& event : batch) {
    if (auto it = byId_.find(event.sessionId); it != byId_.end()) {
      it->second->deliver(event);
    } else if (auto ended = ended_.find(event.sessionId); ended != ended_.end()) {
      ended->second.first->deliver(event);
    }
  }
}

std::size_t Bridge::liveSessions() const {
  std::shared_lock lock(sessionsMutex_);
  return byId_.size();
}

std::shared_ptr<CommitWaiter> Bridge::emitWaited(Session& session, const std::string& type,
                                                 const std::string& status,
                                                 Poco::DynamicStruct fields) {
  auto waiter = std::make_shared<CommitWaiter>();
  emit(session, type, status, std::move(fields),
       [waiter](bool committed) { waiter->done(committed); });
  return waiter;
}

void Bridge::emit(Session& session, const std::string& type, const std::string& status,
                  Poco::DynamicStruct fields, CommitCallback done) {
  std::lock_guard lock(session.emitMutex());
  Event event;
  event.eventId = newUuid();
  event.type = type;
  event.status = status;
  event.nodeId = config_.nodeId;
  event.sessionId = session.sessionId();
  event.appKey = session.appKey();
  event.seq = session.nextSeq();
  event.timestampMs = nowMs();
  event.fields = std::move(fields);
  ports_.events.append(
      std::move(event), done ? std::move(done) : [](bool) {});
}

std::shared_ptr<CommitWaiter> Bridge::emitRaw(Event event) {
  auto waiter = std::make_shared<CommitWaiter>();
  ports_.events.append(std::move(event), [waiter](bool committed) { waiter->done(committed); });
  return waiter;
}

void Bridge::awaitCommit(const std::shared_ptr<CommitWaiter>& waiter) {
  if (!waiter->wait(std::chrono::milliseconds(config_.commitTimeoutMs)))
    throw Unavailable("event not yet committed; it stays queued and will be delivered");
}

Bridge::SessionRef Bridge::find(const std::string& sessionId) const {
  std::shared_lock lock(sessionsMutex_);
  auto it = byId_.find(sessionId);
  return it == byId_.end() ? nullptr : it->second;
}

SipAccount Bridge::accountFor(const Session& session) const {
  const ConnectRequest& r = session.request();
  SipAccount account;
  account.sessionId = session.sessionId();
  account.login = r.sipLogin;
  account.authName = r.sipAuthenticationName.empty() ? r.sipLogin : r.sipAuthenticationName;
  account.password = r.sipPassword;
  account.displayName = r.sipVisibleName;
  account.domain = r.sipDomain;
  account.outboundProxy = r.proxyAddress(config_.defaultProxy);
  account.transport = r.sipTransport.empty() ? config_.defaultTransport : r.sipTransport;
  account.contactUser = session.contactUser();
  account.contactParams = r.sipContactParams;
  account.expiresSeconds = config_.registerExpires;
  return account;
}

void Bridge::checkProxyAllowed(const ConnectRequest& request) const {
  if (request.sipOutboundProxy.empty()) return;
  const std::string proxy = request.proxyAddress(config_.defaultProxy);
  const auto& allowed = config_.allowedProxies;
  if (proxy != config_.defaultProxy &&
      std::find(allowed.begin(), allowed.end(), proxy) == allowed.end())
    throw invalidField("sipOutboundProxy", "sipOutboundProxy is not an allowed SIP proxy");
}

void Bridge::checkTransportAvailable(const ConnectRequest& request) const {
  if (request.sipTransport == "tls" && !config_.sipTlsEnabled)
    throw invalidField("sipTransport",
                       "sipTransport tls is not available: this bridge has no SIP TLS listener");
}

void Bridge::reapLoop() {
  std::unique_lock lock(reaperMutex_);
  while (!stopping_) {
    reaperWake_.wait_for(lock, std::chrono::milliseconds(config_.reapIntervalMs));
    if (stopping_) break;
    lock.unlock();
    std::vector<SessionRef> idle;
    {
      std::unique_lock sessionsLock(sessionsMutex_);
      const std::int64_t now = nowMs();
      std::erase_if(ended_, [&](const auto& entry) {
        return now - entry.second.second > config_.endedGraceSeconds * 1000LL;
      });
      for (const auto& [id, session] : byId_)
        if (session->idleSince(now, config_.idleTimeoutSeconds * 1000LL)) idle.push_back(session);
    }
    for (const auto& session : idle) {
      try {
        endSession(session, "idle timeout: no client channel");
      } catch (const std::exception& e) {
        logger().warning("idle session %s not ended yet: %s", session->sessionId(),
                         std::string(e.what()));
      }
    }
    refreshAppSettings();
    lock.lock();
  }
}

void Bridge::refreshAppSettings() {
  const std::int64_t now = nowMs();
  if (now - appsRefreshedMs_ < config_.appRefreshSeconds * 1000LL) return;
  appsRefreshedMs_ = now;
  std::set<std::string> appKeys;
  {
    std::shared_lock lock(sessionsMutex_);
    for (const auto& [id, session] : byId_) appKeys.insert(session->appKey());
  }
  apps_.refresh(appKeys);
}

}  // namespace sipbridge::core
