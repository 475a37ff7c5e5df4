#pragma once

#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/core/SipSubscriptions.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::test {

/// "<prefix><random number>", unique enough to name users, sessions and contacts of a test.
std::string randomToken(const std::string& prefix);

/// Records every report of a SipStack (registrations, MESSAGE outcomes and incoming MESSAGEs,
/// subscription outcomes, NOTIFYs, PUBLISH outcomes); tests wait for them, bounded. Called on
/// the SIP thread, read from the test thread; all state is guarded by one mutex.
class SipRecorder : public core::SipListener,
                    public core::MessageListener,
                    public core::SubscriptionListener {
 public:
  using Timeout = std::chrono::milliseconds;
  static constexpr Timeout kWait{10000};

  void onRegistration(const std::string& sessionId,
                      const core::RegistrationResult& result) override;
  void onMessageOutcome(const core::MessageOutcome& outcome) override;
  void onIncomingMessage(const core::IncomingMessage& message) override;
  void onSubscriptionOutcome(const core::SubscriptionOutcome& outcome) override;
  void onNotify(const core::NotifyInfo& notify) override;
  void onPublishOutcome(const core::PublishOutcome& outcome) override;

  /// The session's next registration report not yet returned, or nullopt after `timeout`.
  std::optional<core::RegistrationResult> registration(const std::string& sessionId,
                                                       Timeout timeout = kWait);
  /// Whether any report of the session (returned or not) is Registered, within `timeout`.
  bool registered(const std::string& sessionId, Timeout timeout = kWait);
  /// The latest outcome of the MESSAGE request, once there is one.
  std::optional<core::MessageOutcome> messageOutcome(std::uint64_t requestId,
                                                     Timeout timeout = kWait);
  /// The session's next incoming MESSAGE not yet returned.
  std::optional<core::IncomingMessage> incoming(const std::string& sessionId,
                                                Timeout timeout = kWait);
  /// The subscription's next outcome not yet returned.
  std::optional<core::SubscriptionOutcome> subscriptionOutcome(std::uint64_t id,
                                                               Timeout timeout = kWait);
  /// The subscription's next NOTIFY not yet returned.
  std::optional<core::NotifyInfo> notify(std::uint64_t id, Timeout timeout = kWait);
  /// The first NOTIFY not yet returned that satisfies `wanted`; those before it are skipped.
  std::optional<core::NotifyInfo> notifyWhere(
      std::uint64_t id, const std::function<bool(const core::NotifyInfo&)>& wanted,
      Timeout timeout = kWait);
  /// The publication's next outcome not yet returned.
  std::optional<core::PublishOutcome> published(std::uint64_t id, Timeout timeout = kWait);
  /// NOTIFYs received so far for the subscription.
  std::size_t notifyCount(std::uint64_t id);

 private:
  /// Reports of one kind by key, and how many of each key's were returned by next().
  template <typename Key, typename T>
  struct Stream {
    std::map<Key, std::vector<T>> all;
    std::map<Key, std::size_t> seen;
  };
  template <typename Key, typename T>
  void add(Stream<Key, T>& stream, const Key& key, const T& value);
  template <typename Key, typename T>
  std::optional<T> next(Stream<Key, T>& stream, const Key& key, Timeout timeout);

  std::mutex mutex_;
  std::condition_variable changed_;
  Stream<std::string, core::RegistrationResult> registrations_;
  std::map<std::uint64_t, core::MessageOutcome> messageOutcomes_;
  Stream<std::string, core::IncomingMessage> incoming_;
  Stream<std::uint64_t, core::SubscriptionOutcome> subscriptionOutcomes_;
  Stream<std::uint64_t, core::NotifyInfo> notifies_;
  Stream<std::uint64_t, core::PublishOutcome> publishes_;
};

}  // namespace sipbridge::test
