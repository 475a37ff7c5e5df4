#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace sipbridge::hooks {

/// Idle keep-alive HTTP connections kept for reuse, keyed by destination (resolved address,
/// port and Host). Bounded: at most `maxIdle` connections in all, the least recently used
/// dropped first; a connection idle longer than `idleTimeout` is closed instead of reused.
/// A session is owned by one caller at a time: take() hands it out, give() hands it back.
/// Thread-safe; never blocks on the network.
class KeepAlivePool {
 public:
  using Session = std::unique_ptr<Poco::Net::HTTPClientSession>;

  KeepAlivePool(std::size_t maxIdle, std::chrono::milliseconds idleTimeout);
  KeepAlivePool(const KeepAlivePool&) = delete;
  KeepAlivePool& operator=(const KeepAlivePool&) = delete;

  /// The most recently returned idle session for `key` that still looks open (the peer has
  /// not closed it nor sent anything unasked), or null.
  Session take(const std::string& key);
  /// Keeps `session` (whose last answer was read completely) for a later take().
  void give(const std::string& key, Session session);
  /// Idle sessions held.
  std::size_t idle() const;

 private:
  struct Entry {
    std::string key;
    Session session;
    std::chrono::steady_clock::time_point since;
  };

  const std::size_t maxIdle_;
  const std::chrono::milliseconds idleTimeout_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  ///< oldest returned first
};

}  // namespace sipbridge::hooks
