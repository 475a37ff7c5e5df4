#pragma once

#include "sipbridge/core/Requests.h"
#include "sipbridge/core/SessionContext.h"
#include "sipbridge/core/SipSubscriptions.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace sipbridge::core {

struct PresenceConfig {
  std::size_t maxSubscriptionsPerSession = 16;
  int minExpires = 60;  ///< shortest subscription or publication a client may ask for
  int maxExpires = 86400;
  int defaultExpires = 3600;
  int coalesceMs = 1000;  ///< NOTIFYs of one subscription closer than this are coalesced
  std::size_t maxNoteBytes = 256;
};

/// subscribe and publish (presence, reg and other event packages): SUBSCRIBE/NOTIFY become
/// SubscriptionStatusEvents (with reginfo and PIDF bodies parsed into JSON), PUBLISH outcomes
/// become PublishStatusEvents. NOTIFYs of one subscription arriving faster than coalesceMs
/// are coalesced: each is stored, but only the latest of a burst is delivered to hooks
/// (the others carry "coalesced": true). Thread-safe; SIP-side methods never block.
class Presence final : public SubscriptionListener {
 public:
  Presence(PresenceConfig config, SessionContext& sessions, SipSubscriptions& sip);
  ~Presence() override;
  Presence(const Presence&) = delete;
  Presence& operator=(const Presence&) = delete;

  /// The subscribe method. Throws an invalid-field DomainError naming the field (expires out
  /// of range, bad `to`, too many subscriptions), NotFound when terminating an unknown
  /// subscription, Conflict without SIP identity.
  SubscribeResult subscribe(const std::shared_ptr<Session>& session, const Subscribe& request);
  /// The publish method (extension); returns the publication id.
  std::string publish(const std::shared_ptr<Session>& session, const Publish& request);
  /// Forgets the session's subscriptions (the SIP side ends them with the registration).
  void sessionEnded(const std::string& sessionId);

  // SubscriptionListener (SIP thread)
  void onSubscriptionOutcome(const SubscriptionOutcome& outcome) override;
  void onNotify(const NotifyInfo& notify) override;
  void onPublishOutcome(const PublishOutcome& outcome) override;

 private:
  struct Held {  ///< a NOTIFY waiting for the end of the coalescing interval
    std::string status;
    Poco::DynamicStruct fields;
  };
  struct Subscription {
    std::uint64_t id = 0;  ///< the subscriptionId of every event it causes
    std::string sessionId;
    std::string event;
    std::string target;
    std::int64_t lastEmitMs = 0;
    std::optional<Held> held;
  };
  struct Publication {
    std::string sessionId;
    bool withdraw = false;
  };

  /// Emits a SubscriptionStatusEvent of `sub`, always naming its subscriptionId (a client
  /// with several subscriptions must be able to tell which one ended).
  void emitNotify(const Subscription& sub, const std::string& status, Poco::DynamicStruct fields,
                  bool coalesced);
  void flushLoop();

  const PresenceConfig config_;
  SessionContext& sessions_;
  SipSubscriptions& sip_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t nextId_ = 1;
  std::map<std::uint64_t, Subscription> subscriptions_;
  std::map<std::uint64_t, Publication> publications_;
  std::multimap<std::int64_t, std::uint64_t> flushes_;  ///< due (ms) -> subscription
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace sipbridge::core
