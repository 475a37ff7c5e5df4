#pragma once

#include "sipbridge/core/BridgeService.h"
#include "sipbridge/core/ConnectRequest.h"
#include "sipbridge/core/Event.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sipbridge::core {

/// A live session on this node: its identity, its SIP registration state, and the feed of
/// its committed events for WebSocket and long-poll readers. Thread-safe.
class Session final : public SessionHandle {
 public:
  enum class Registration { None, Pending, Registered, Failed, Unregistered };

  Session(std::string sessionId, std::string authToken, ConnectRequest request,
          std::string contactUser, std::size_t feedCapacity, std::int64_t nowMs);

  const std::string& sessionId() const override { return sessionId_; }
  const std::string& appKey() const override { return request_.appKey; }
  const std::string& authToken() const { return authToken_; }
  /// The connect as accepted (after hook overrides). Holds the SIP password: never log it.
  const ConnectRequest& request() const { return request_; }
  const std::string& contactUser() const { return contactUser_; }

  /// Serialises seq assignment with appending to the store, so queue order = seq order.
  std::mutex& emitMutex() { return emitMutex_; }
  /// Next seq; call with emitMutex() held.
  std::int64_t nextSeq() { return ++lastSeq_; }

  /// A committed event of this session (called in commit order).
  void deliver(const Event& event);
  /// Events with seq > afterSeq from the in-memory feed, waiting up to `wait` for the first
  /// (returning early, empty, once the session has ended and everything was read).
  /// Sets `gap` (and returns nothing) when events after afterSeq are no longer in the feed:
  /// the caller then reads them from the store.
  std::vector<Event> waitAfter(std::int64_t afterSeq, std::chrono::milliseconds wait, int limit,
                               bool& gap);
  /// Makes a new Session stand for one that ended before this node (re)started: every event
  /// up to `lastSeq` is in the store and none in the feed, so readers read them from there.
  void restoreEnded(std::int64_t lastSeq);
  /// Calls `listener` after every event delivered to the feed (on the committing thread, with
  /// no lock of the session held): it must return at once and must not call back into the
  /// session. Returns the id to pass to unwatch().
  std::uint64_t watch(std::function<void()> listener);
  /// Stops calling the listener; a call already in progress may still finish after this.
  void unwatch(std::uint64_t id);
  /// Marks the session as ending (no new work). Idempotent; returns true the first time.
  bool end();
  bool ending() const;
  /// True once its final ConnectionStatusEvent (DISCONNECTED or FAILED) was delivered.
  bool ended() const override;

  void touch(std::int64_t nowMs);
  void channelOpened();
  void channelClosed(std::int64_t nowMs);
  /// True when no channel is open and the last activity is older than `idleMs`.
  bool idleSince(std::int64_t nowMs, std::int64_t idleMs) const;

  Registration registration() const;
  /// Records a registration change; returns the previous state.
  Registration setRegistration(Registration state);
  /// Waits until the registration leaves Pending/Registered (unregistration confirmed).
  bool waitUnregistered(std::chrono::milliseconds wait);

 private:
  const std::string sessionId_;
  const std::string authToken_;
  const ConnectRequest request_;
  const std::string contactUser_;
  const std::size_t feedCapacity_;

  std::mutex emitMutex_;
  std::int64_t lastSeq_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Event> feed_;
  std::int64_t committedSeq_ = 0;
  bool ended_ = false;     ///< end() was called
  bool finished_ = false;  ///< the final ConnectionStatusEvent is in the feed
  int channels_ = 0;
  std::uint64_t nextWatchId_ = 0;
  std::vector<std::pair<std::uint64_t, std::shared_ptr<std::function<void()>>>> watchers_;
  std::int64_t lastActivityMs_;
  Registration registration_ = Registration::None;
};

}  // namespace sipbridge::core
