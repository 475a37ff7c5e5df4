#pragma once

#include "HandleContext.h"
#include "Publication.h"
#include "Subscription.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipSubscriptions.h"
#include "sipbridge/sip/SipConfig.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sipbridge::sip {

/// The subscriptions (by session and id, at most config.maxSubscriptions) and publications
/// (by session and event package, at most config.maxPublications) of every session: creates
/// them, routes commands to them and forgets them when they are over (into `graveyard`,
/// emptied by SipStack after each callback). SIP thread only; owned by SipStack, lives
/// while the nua does.
class SubscriptionTable {
 public:
  SubscriptionTable(const SipConfig& config, core::SubscriptionListener& listener,
                    std::vector<std::unique_ptr<HandleContext>>& graveyard)
      : config_(config), listener_(listener), graveyard_(graveyard) {}

  /// `account` null: the session has no SIP account (refused with outcome 0, terminated);
  /// else `nua` is the agent of its session.
  void subscribe(nua_t* nua, const core::SipAccount* account, core::SubscribeRequest request,
                 bool shuttingDown);
  void unsubscribe(const std::string& sessionId, std::uint64_t subscriptionId);
  /// `account` null: the session has no SIP account (refused with outcome 0); else `nua` is
  /// the agent of its session.
  void publish(nua_t* nua, const core::SipAccount* account, core::PublishRequest request,
               bool shuttingDown);
  /// Ends the session's subscriptions and withdraws its publications, quietly.
  void endSession(const std::string& sessionId);
  /// Nothing more is reported (the stack shuts down).
  void silence();

 private:
  /// Forget an ended subscription or publication; it dies after the current callback.
  void retire(Subscription& subscription);
  void retire(Publication& publication);

  const SipConfig& config_;
  core::SubscriptionListener& listener_;
  std::vector<std::unique_ptr<HandleContext>>& graveyard_;
  using SubscriptionKey = std::pair<std::string, std::uint64_t>;  ///< session id, id
  std::map<SubscriptionKey, std::unique_ptr<Subscription>> subscriptions_;
  using PublicationKey = std::pair<std::string, std::string>;  ///< session id, event
  std::map<PublicationKey, std::unique_ptr<Publication>> publications_;
};

}  // namespace sipbridge::sip
