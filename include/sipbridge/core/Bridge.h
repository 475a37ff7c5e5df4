#pragma once

#include "sipbridge/core/AppSettings.h"
#include "sipbridge/core/BridgeService.h"
#include "sipbridge/core/CallStore.h"
#include "sipbridge/core/Calls.h"
#include "sipbridge/core/ConnectHook.h"
#include "sipbridge/core/DataChannels.h"
#include "sipbridge/core/EventSink.h"
#include "sipbridge/core/MessageStore.h"
#include "sipbridge/core/Messaging.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/core/Presence.h"
#include "sipbridge/core/Session.h"
#include "sipbridge/core/SessionContext.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/core/XcapRequests.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace sipbridge::core {

class CommitWaiter;

struct BridgeConfig {
  std::string nodeId = "node1";  ///< prefix of every session id; unique per node
  int idleTimeoutSeconds = 120;  ///< a session with no channel and no request expires after this
  int commitTimeoutMs = 10000;   ///< how long a request waits for its event to be committed
  int unregisterWaitMs = 5000;   ///< how long disconnect waits for the server to confirm
  std::string defaultProxy;      ///< host:port of the SIP server used when a connect names none
  std::vector<std::string> allowedProxies;  ///< host:port a connect may name (besides default)
  std::string defaultTransport = "udp";     ///< "udp", "tcp" or "tls" (only with sipTlsEnabled)
  bool sipTlsEnabled = false;  ///< the SIP stack listens for TLS: sipTransport "tls" is accepted
  int registerExpires = 600;   ///< Expires asked for in REGISTER
  std::size_t feedCapacity = 1024;  ///< committed events kept in memory per session for push
  int reapIntervalMs = 1000;        ///< how often idle sessions are looked for
  int endedGraceSeconds = 60;       ///< an ended session's token still reads its events this long
  /// How often the settings of applications with live sessions are read again (changes made
  /// on another node or from the command line); changes through this node apply at once.
  int appRefreshSeconds = 5;
  MessagingConfig messaging;             ///< instant messaging limits and policies
  PresenceConfig presence;               ///< subscriptions and publications
  CallsConfig calls;                     ///< calls
  std::size_t xcapMaxBodyBytes = 65536;  ///< largest document a client may PUT
  DataConfig data;                       ///< sendData limits and the backend hook's retries
};

/// The use cases. Owns the live sessions of this node; talks down to SIP through
/// SipGateway and records every event through EventSink. Thread-safe.
class Bridge final : public BridgeService,
                     public SipListener,
                     public CommitListener,
                     public SessionContext {
 public:
  struct Ports {
    EventSink& events;
    EventQuery& eventQuery;
    AppDirectory& apps;
    SessionStore& sessions;
    HookDeliveries& deliveries;
    ConnectHook& connectHook;
    SipGateway& sip;
    MessageStore& messages;
    SipMessaging& sipMessaging;
    SipSubscriptions& sipSubscriptions;
    SipCalls& sipCalls;
    XcapClient* xcap;  ///< null when no XCAP server is configured
    DataHook& dataHook;
    DataStore& dataStore;
    CallStore& callStore;
  };

  Bridge(BridgeConfig config, Ports ports, Metrics& metrics);
  ~Bridge() override;

  /// Ends (with an explicit DISCONNECTED event) the sessions a previous run of this node left
  /// active, then starts the idle-session reaper. Throws Unavailable if the store is down.
  void start();
  /// Stops sendData (its outcomes recorded), disconnects every live session (SIP
  /// unregistered, DISCONNECTED committed), stops the reaper. Call before the EventSink stops.
  void stop();

  // BridgeService
  ConnectResponse connect(const ConnectRequest& request) override;
  SessionPtr authenticate(const std::string& authToken) override;
  void disconnect(const SessionPtr& session, const std::string& info) override;
  std::vector<Event> waitEvents(const SessionPtr& session, std::int64_t afterSeq,
                                std::chrono::milliseconds wait, int limit) override;
  std::optional<std::vector<Event>> readEvents(const SessionPtr& session, std::int64_t afterSeq,
                                               int limit) override;
  std::uint64_t watchEvents(const SessionPtr& session, std::function<void()> listener) override;
  void unwatchEvents(const SessionPtr& session, std::uint64_t id) override;
  std::string sendMessage(const SessionPtr& session, const SendMessage& request) override;
  void sendImdn(const SessionPtr& session, const SendImdn& request) override;
  SubscribeResult subscribe(const SessionPtr& session, const Subscribe& request) override;
  std::string publish(const SessionPtr& session, const Publish& request) override;
  std::string sendXcapRequest(const SessionPtr& session, const SendXcapRequest& request) override;
  std::string sendData(const SessionPtr& session, const SendData& request) override;
  CallResult call(const SessionPtr& session, const PlaceCall& request) override;
  CallResult answer(const SessionPtr& session, const Answer& request) override;
  CallResult hangup(const SessionPtr& session, const Hangup& request) override;
  CallResult hold(const SessionPtr& session, const Hold& request) override;
  CallResult unhold(const SessionPtr& session, const Hold& request) override;
  CallResult transfer(const SessionPtr& session, const Transfer& request) override;
  CallResult sendDtmf(const SessionPtr& session, const SendDtmf& request) override;
  void channelOpened(const SessionPtr& session) override;
  void channelClosed(const SessionPtr& session) override;
  /// The applications; changes made through it reach live sessions at once.
  AppDirectory& apps() override { return apps_; }
  std::vector<SessionRecord> listSessions(const std::string& appKey, bool activeOnly,
                                          int limit) override;
  void terminateSession(const std::string& sessionId, const std::string& info) override;
  std::string sendDataToSession(const std::string& sessionId, const SendData& request) override;
  EventPage findEvents(const EventFilter& filter) override;
  HookDeliveries& deliveries() override { return ports_.deliveries; }
  std::string nodeId() const override { return config_.nodeId; }
  bool accepting() const override { return ports_.events.accepting(); }

  // SipListener (SIP thread)
  void onRegistration(const std::string& sessionId, const RegistrationResult& result) override;
  // CommitListener (store writer thread)
  void onCommitted(const std::vector<Event>& batch) override;
  // SessionContext
  std::shared_ptr<Session> liveSession(const std::string& sessionId) const override;
  std::shared_ptr<Session> anySession(const std::string& sessionId) const override;
  std::vector<std::shared_ptr<Session>> findInApp(const std::string& appKey,
                                                  const std::string& idOrLogin) const override;
  void emit(Session& session, const std::string& type, const std::string& status,
            Poco::DynamicStruct fields, CommitCallback done = {}) override;

  /// Receives MESSAGE outcomes and incoming MESSAGEs (wire it to the SIP stack).
  MessageListener& messageListener() { return messaging_; }
  /// Receives SUBSCRIBE/NOTIFY/PUBLISH reports (wire it to the SIP stack).
  SubscriptionListener& subscriptionListener() { return presence_; }
  /// Receives call reports (wire it to the SIP stack).
  CallListener& callListener() { return calls_; }

  std::size_t liveSessions() const;

 private:
  using SessionRef = std::shared_ptr<Session>;

  /// Builds the event, assigns its seq and appends it; returns a waiter for its commit.
  std::shared_ptr<CommitWaiter> emitWaited(Session& session, const std::string& type,
                                           const std::string& status, Poco::DynamicStruct fields);
  std::shared_ptr<Session> live(const SessionPtr& handle) const;
  /// The live session of `handle` for a client method; Unavailable while the store refuses
  /// work, Conflict once the session has ended.
  std::shared_ptr<Session> forMethod(const SessionPtr& handle) const;
  std::shared_ptr<CommitWaiter> emitRaw(Event event);
  void awaitCommit(const std::shared_ptr<CommitWaiter>& waiter);
  SessionRef find(const std::string& sessionId) const;
  void endSession(const SessionRef& session, const std::string& info);
  /// Stores the hash of the session's token so that it outlives a restart of this node.
  void rememberToken(const Session& session);
  /// An ended session this node no longer holds in memory (it ended before a restart, or on
  /// another node) whose remembered token hash matches: kept in ended_ for the rest of its
  /// grace period. Null when there is none.
  SessionRef restoreEnded(const std::string& sessionId, const std::string& authToken);
  void forget(const SessionRef& session);
  SipAccount accountFor(const Session& session) const;
  void checkProxyAllowed(const ConnectRequest& request) const;
  /// Refuses sipTransport "tls" (400 naming it) while the SIP stack has no TLS listener.
  void checkTransportAvailable(const ConnectRequest& request) const;
  void recoverLeftovers();
  void reapLoop();
  /// Reads the settings of the applications with live sessions again (reaper thread).
  void refreshAppSettings();

  const BridgeConfig config_;
  Ports ports_;
  Counter& connects_;
  Counter& registrationsOk_;
  Counter& registrationsFailed_;
  AppSettings apps_;
  std::int64_t appsRefreshedMs_ = 0;  ///< reaper thread only

  mutable std::shared_mutex sessionsMutex_;
  std::map<std::string, SessionRef> byId_;
  /// Ended sessions, kept for endedGraceSeconds (from their end, in ms since the epoch) so
  /// their clients can read the final events.
  std::map<std::string, std::pair<SessionRef, std::int64_t>> ended_;

  std::mutex reaperMutex_;
  std::condition_variable reaperWake_;
  bool stopping_ = false;
  std::thread reaper_;

  // Declared last: destroyed first, while the session maps they reach back into still exist.
  Messaging messaging_;
  Presence presence_;
  XcapRequests xcap_;
  Calls calls_;
  DataChannels data_;
};

}  // namespace sipbridge::core
