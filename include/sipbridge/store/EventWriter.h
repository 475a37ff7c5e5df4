#pragma once

#include "sipbridge/core/EventSink.h"
#include "sipbridge/store/StoreConfig.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sipbridge::core {
class Counter;
class Metrics;
}  // namespace sipbridge::core

namespace sipbridge::store {

class PgConnection;

/// The event path's durable sink: one writer thread with its own connection takes all that
/// is queued (up to maxBatch) and writes the event rows and their hook-delivery rows in one
/// transaction, as one statement (group commit, synchronous_commit on). Then, on the writer
/// thread, every CommitListener gets the batch, then each event's CommitCallback runs (so a
/// request woken by its callback finds its events already pushed to the session's feed).
///
/// While the database is away the batch is kept and retried with backoff (100 ms .. 2 s)
/// on a new connection, and accepting() is false; the retry is idempotent (ON CONFLICT on
/// created_at, event_id). An event the database refuses for its content (not for
/// connectivity) is isolated by retrying the batch row by row; it alone gets
/// CommitCallback(false) and is left out of the listeners' batch.
///
/// append() and accepting() are thread-safe; addListener() only before start().
class EventWriter : public core::EventSink {
 public:
  /// Uses config.conninfo, maxBatch, queueLimit, hookRetryPeriodSeconds and stopDrainMs.
  /// Registers its metrics in `metrics`; the gauges read state shared with the writer, so
  /// `metrics` may outlive it. Connects nothing: the thread connects after start().
  EventWriter(const StoreConfig& config, core::Metrics& metrics);
  ~EventWriter() override;
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  /// `listener` must outlive the writer's thread (until stop()). Call before start().
  void addListener(core::CommitListener& listener);
  void start();
  /// Commits what is queued, for at most stopDrainMs; whatever is still uncommitted then
  /// gets CommitCallback(false). Joins the thread. Idempotent.
  void stop();

  void append(core::Event event, core::CommitCallback done) override;
  bool accepting() const override;

  std::size_t queueDepth() const;
  std::int64_t committedTotal() const;

  /// Shared with the metrics gauges (which may be read after the writer is gone).
  struct State {
    std::atomic<std::int64_t> depth{0};
    std::atomic<bool> available{true};
  };

 private:
  struct Item {
    core::Event event;
    core::CommitCallback done;
  };

  void run();
  enum class Outcome : char { Pending, Committed, Rejected };
  /// Writes `batch` until it is committed or the drain deadline of stop() passes; fills
  /// one outcome per event (Rejected: refused for its content; Pending: gave up).
  std::vector<Outcome> commit(const std::vector<Item>& batch);
  /// Writes events [from, from+count) until done, retrying on connectivity failures.
  Outcome writeWithRetry(const std::vector<Item>& batch, std::size_t from, std::size_t count);
  void writeOnce(const std::vector<Item>& batch, std::size_t from, std::size_t count);
  /// Waits before the next reconnect; false when the drain deadline has passed.
  bool sleepBackoff(std::chrono::milliseconds& backoff);
  void finish(std::vector<Item>& batch, const std::vector<Outcome>& outcomes);

  const StoreConfig config_;
  std::shared_ptr<State> state_;
  core::Counter& committed_;
  core::Counter& batches_;
  core::Counter& rejectedCounter_;
  std::vector<core::CommitListener*> listeners_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point drainDeadline_{};
  std::thread thread_;
  std::unique_ptr<PgConnection> conn_;
};

}  // namespace sipbridge::store
