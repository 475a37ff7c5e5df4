#include "SubscriptionTable.h"

namespace sipbridge::sip {

void SubscriptionTable::subscribe(nua_t* nua, const core::SipAccount* account,
                                  core::SubscribeRequest request, bool shuttingDown) {
  const SubscriptionKey key{request.sessionId, request.subscriptionId};
  core::SubscriptionOutcome refusal{request.sessionId, request.subscriptionId, 0, "", true};
  if (shuttingDown) {
    refusal.reason = "SIP stack shutting down";
  } else if (!account) {
    refusal.reason = "session has no SIP account";
  } else if (subscriptions_.count(key) > 0) {
    refusal.reason = "subscription id in use";
    refusal.terminated = false;  // the subscription holding the id lives on
  } else if (subscriptions_.size() >= config_.maxSubscriptions) {
    refusal.sipStatus = 503;
    refusal.reason = "too many subscriptions";
  }
  if (!refusal.reason.empty()) {
    listener_.onSubscriptionOutcome(refusal);
    return;
  }
  auto subscription =
      std::make_unique<Subscription>(nua, config_, listener_, *account, std::move(request),
                                     [this](Subscription& finished) { retire(finished); });
  Subscription& added = *subscription;
  subscriptions_.emplace(key, std::move(subscription));
  added.start();
}

void SubscriptionTable::unsubscribe(const std::string& sessionId, std::uint64_t subscriptionId) {
  auto found = subscriptions_.find({sessionId, subscriptionId});
  if (found != subscriptions_.end()) found->second->stop(false);
}

void SubscriptionTable::publish(nua_t* nua, const core::SipAccount* account,
                                core::PublishRequest request, bool shuttingDown) {
  const PublicationKey key{request.sessionId, request.event};
  auto existing = publications_.find(key);
  if (existing != publications_.end()) {
    existing->second->publish(std::move(request));
    return;
  }
  core::PublishOutcome refusal{request.sessionId, request.publicationId, 0, ""};
  if (shuttingDown) {
    refusal.reason = "SIP stack shutting down";
  } else if (!account) {
    refusal.reason = "session has no SIP account";
  } else if (publications_.size() >= config_.maxPublications) {
    refusal.sipStatus = 503;
    refusal.reason = "too many publications";
  }
  if (!refusal.reason.empty()) {
    listener_.onPublishOutcome(refusal);
    return;
  }
  auto publication =
      std::make_unique<Publication>(nua, config_, listener_, *account, request.event,
                                    [this](Publication& finished) { retire(finished); });
  Publication& added = *publication;
  publications_.emplace(key, std::move(publication));
  added.publish(std::move(request));
}

void SubscriptionTable::retire(Subscription& subscription) {
  auto found = subscriptions_.find(
      {subscription.request().sessionId, subscription.request().subscriptionId});
  if (found == subscriptions_.end() || found->second.get() != &subscription) return;
  graveyard_.push_back(std::move(found->second));
  subscriptions_.erase(found);
}

void SubscriptionTable::retire(Publication& publication) {
  auto found = publications_.find({publication.sessionId(), publication.event()});
  if (found == publications_.end() || found->second.get() != &publication) return;
  graveyard_.push_back(std::move(found->second));
  publications_.erase(found);
}

void SubscriptionTable::endSession(const std::string& sessionId) {
  std::vector<Subscription*> subscriptions;
  for (auto it = subscriptions_.lower_bound({sessionId, 0});
       it != subscriptions_.end() && it->first.first == sessionId; ++it)
    subscriptions.push_back(it->second.get());
  for (Subscription* subscription : subscriptions) subscription->stop(true);
  std::vector<Publication*> publications;
  for (auto it = publications_.lower_bound({sessionId, std::string()});
       it != publications_.end() && it->first.first == sessionId; ++it)
    publications.push_back(it->second.get());
  for (Publication* publication : publications) publication->withdrawQuietly();
}

void SubscriptionTable::silence() {
  for (auto& [key, subscription] : subscriptions_) subscription->silence();
  for (auto& [key, publication] : publications_) publication->silence();
}

}  // namespace sipbridge::sip
