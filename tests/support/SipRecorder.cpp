#include "SipRecorder.h"

#include <random>

namespace sipbridge::test {

using core::RegistrationResult;

std::string randomToken(const std::string& prefix) {
  static std::mt19937_64 random{std::random_device{}()};
  return prefix + std::to_string(random() % 1000000000000ULL);
}

template <typename Key, typename T>
void SipRecorder::add(Stream<Key, T>& stream, const Key& key, const T& value) {
  std::lock_guard lock(mutex_);
  stream.all[key].push_back(value);
  changed_.notify_all();
}

template <typename Key, typename T>
std::optional<T> SipRecorder::next(Stream<Key, T>& stream, const Key& key, Timeout timeout) {
  std::unique_lock lock(mutex_);
  std::size_t& index = stream.seen[key];
  if (!changed_.wait_for(lock, timeout, [&] { return stream.all[key].size() > index; }))
    return std::nullopt;
  return stream.all[key][index++];
}

void SipRecorder::onRegistration(const std::string& sessionId, const RegistrationResult& result) {
  add(registrations_, sessionId, result);
}

void SipRecorder::onMessageOutcome(const core::MessageOutcome& outcome) {
  std::lock_guard lock(mutex_);
  messageOutcomes_[outcome.requestId] = outcome;
  changed_.notify_all();
}

void SipRecorder::onIncomingMessage(const core::IncomingMessage& message) {
  add(incoming_, message.sessionId, message);
}

void SipRecorder::onSubscriptionOutcome(const core::SubscriptionOutcome& outcome) {
  add(subscriptionOutcomes_, outcome.subscriptionId, outcome);
}

void SipRecorder::onNotify(const core::NotifyInfo& notify) {
  add(notifies_, notify.subscriptionId, notify);
}

void SipRecorder::onPublishOutcome(const core::PublishOutcome& outcome) {
  add(publishes_, outcome.publicationId, outcome);
}

std::optional<RegistrationResult> SipRecorder::registration(const std::string& sessionId,
                                                            Timeout timeout) {
  return next(registrations_, sessionId, timeout);
}

bool SipRecorder::registered(const std::string& sessionId, Timeout timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    for (const auto& result : registrations_.all[sessionId])
      if (result.state == RegistrationResult::State::Registered) return true;
    return false;
  });
}

std::optional<core::MessageOutcome> SipRecorder::messageOutcome(std::uint64_t requestId,
                                                                Timeout timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return messageOutcomes_.count(requestId) > 0; }))
    return std::nullopt;
  return messageOutcomes_[requestId];
}

std::optional<core::IncomingMessage> SipRecorder::incoming(const std::string& sessionId,
                                                           Timeout timeout) {
  return next(incoming_, sessionId, timeout);
}

std::optional<core::SubscriptionOutcome> SipRecorder::subscriptionOutcome(std::uint64_t id,
                                                                          Timeout timeout) {
  return next(subscriptionOutcomes_, id, timeout);
}

std::optional<core::NotifyInfo> SipRecorder::notify(std::uint64_t id, Timeout timeout) {
  return next(notifies_, id, timeout);
}

std::optional<core::NotifyInfo> SipRecorder::notifyWhere(
    std::uint64_t id, const std::function<bool(const core::NotifyInfo&)>& wanted, Timeout timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<Timeout>(deadline - std::chrono::steady_clock::now());
    if (left <= Timeout::zero()) return std::nullopt;
    auto n = notify(id, left);
    if (!n) return std::nullopt;
    if (wanted(*n)) return n;
  }
}

std::optional<core::PublishOutcome> SipRecorder::published(std::uint64_t id, Timeout timeout) {
  return next(publishes_, id, timeout);
}

std::size_t SipRecorder::notifyCount(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  return notifies_.all[id].size();
}

}  // namespace sipbridge::test
