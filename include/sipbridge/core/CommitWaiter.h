#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sipbridge::core {

/// The commit of one event, awaited by the request that caused it: pass done() as the
/// event's CommitCallback (through a shared_ptr, since the callback may outlive the wait).
/// Thread-safe.
class CommitWaiter {
 public:
  /// Called once by the store with the outcome.
  void done(bool committed) {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
      committed_ = committed;
    }
    cv_.notify_all();
  }
  /// True when the event was committed within `wait`; false when it was refused or is
  /// still queued (it is then committed later, or refused, without anyone waiting).
  bool wait(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, wait, [&] { return finished_; });
    return finished_ && committed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool finished_ = false;
  bool committed_ = false;
};

}  // namespace sipbridge::core
