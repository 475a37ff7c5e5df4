#include "sipbridge/core/Session.h"

namespace sipbridge::core {

Session::Session(std::string sessionId, std::string authToken, ConnectRequest request,
                 std::string contactUser, std::size_t feedCapacity, std::int64_t nowMs)
    : sessionId_(std::move(sessionId)),
      authToken_(std::move(authToken)),
      request_(std::move(request)),
      contactUser_(std::move(contactUser)),
      feedCapacity_(feedCapacity),
      lastActivityMs_(nowMs) {}

void Session::deliver(const Event& event) {
  std::vector<std::shared_ptr<std::function<void()>>> listeners;
  {
    std::lock_guard lock(mutex_);
    if (event.seq <= committedSeq_) return;
    if (event.type == "ConnectionStatusEvent" &&
        (event.status == "DISCONNECTED" || event.status == "FAILED"))
      finished_ = true;
    feed_.push_back(event);
    committedSeq_ = event.seq;
    while (feed_.size() > feedCapacity_) feed_.pop_front();
    listeners.reserve(watchers_.size());
    for (const auto& watcher : watchers_) listeners.push_back(watcher.second);
  }
  changed_.notify_all();
  for (const auto& listener : listeners) (*listener)();
}

std::uint64_t Session::watch(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = ++nextWatchId_;
  watchers_.emplace_back(id, std::make_shared<std::function<void()>>(std::move(listener)));
  return id;
}

void Session::unwatch(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(watchers_, [id](const auto& watcher) { return watcher.first == id; });
}

std::vector<Event> Session::waitAfter(std::int64_t afterSeq, std::chrono::milliseconds wait,
                                      int limit, bool& gap) {
  std::unique_lock lock(mutex_);
  gap = false;
  changed_.wait_for(lock, wait, [&] { return committedSeq_ > afterSeq || finished_; });
  std::vector<Event> events;
  if (committedSeq_ <= afterSeq) return events;
  if (feed_.empty() || feed_.front().seq > afterSeq + 1) {
    gap = true;
    return events;
  }
  for (const Event& event : feed_) {
    if (event.seq <= afterSeq) continue;
    if (static_cast<int>(events.size()) >= limit) break;
    events.push_back(event);
  }
  return events;
}

void Session::restoreEnded(std::int64_t lastSeq) {
  {
    std::lock_guard emitting(emitMutex_);
    lastSeq_ = lastSeq;
  }
  std::lock_guard lock(mutex_);
  ended_ = true;
  finished_ = true;
  committedSeq_ = lastSeq;
}

bool Session::end() {
  {
    std::lock_guard lock(mutex_);
    if (ended_) return false;
    ended_ = true;
  }
  changed_.notify_all();
  return true;
}

bool Session::ending() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

bool Session::ended() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

void Session::touch(std::int64_t nowMs) {
  std::lock_guard lock(mutex_);
  lastActivityMs_ = std::max(lastActivityMs_, nowMs);
}

void Session::channelOpened() {
  std::lock_guard lock(mutex_);
  ++channels_;
}

void Session::channelClosed(std::int64_t nowMs) {
  std::lock_guard lock(mutex_);
  if (channels_ > 0) --channels_;
  lastActivityMs_ = std::max(lastActivityMs_, nowMs);
}

bool Session::idleSince(std::int64_t nowMs, std::int64_t idleMs) const {
  std::lock_guard lock(mutex_);
  return channels_ == 0 && nowMs - lastActivityMs_ > idleMs;
}

Session::Registration Session::registration() const {
  std::lock_guard lock(mutex_);
  return registration_;
}

Session::Registration Session::setRegistration(Registration state) {
  Registration previous;
  {
    std::lock_guard lock(mutex_);
    previous = registration_;
    registration_ = state;
  }
  changed_.notify_all();
  return previous;
}

bool Session::waitUnregistered(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, wait, [&] {
    return registration_ != Registration::Pending && registration_ != Registration::Registered;
  });
}

}  // namespace sipbridge::core
