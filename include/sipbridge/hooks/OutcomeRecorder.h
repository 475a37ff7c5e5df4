#pragma once

#include "sipbridge/hooks/RetryPolicy.h"
#include "sipbridge/store/Outbox.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sipbridge::hooks {

/// The outcome of one attempt, waiting to be written to the outbox.
struct AttemptOutcome {
  std::int64_t id = 0;
  std::string appKey;
  int attempts = 0;  ///< attempts made, this one included
  Outcome outcome;
  int httpStatus = 0;
  std::string error;
  std::chrono::steady_clock::time_point leaseEnd;  ///< no write is tried after this instant
};

/// Writes attempt outcomes to the outbox from one thread, in batches: all outcomes queued
/// while the previous batch was being written go in the next statement (Outbox::record),
/// so one commit serves many deliveries. A 410 disables its application on its own. While
/// the database is down a batch is retried with exponential back-off; an outcome whose
/// lease is over is given up (the delivery is claimed again: at least once).
///
/// Thread-safe. add() blocks while `capacity` outcomes wait, until close().
class OutcomeRecorder {
 public:
  /// Called on the recorder thread once per outcome: `recorded` says whether it was written.
  using Done = std::function<void(const AttemptOutcome& outcome, bool recorded)>;

  /// `outbox` must outlive the recorder.
  OutcomeRecorder(store::Outbox& outbox, std::size_t capacity, std::size_t maxBatch,
                  std::chrono::milliseconds backoffMax, Done done);
  ~OutcomeRecorder();
  OutcomeRecorder(const OutcomeRecorder&) = delete;
  OutcomeRecorder& operator=(const OutcomeRecorder&) = delete;

  void start();
  /// Queues an outcome; waits for room while full and not closed.
  void add(AttemptOutcome outcome);
  /// From now on add() never waits and a failed write is not retried.
  void close();
  /// close(), then writes what is queued (one try) and joins the thread.
  void stop();

 private:
  void run();
  /// Writes `batch`, removing what was written; throws when the store fails.
  void write(std::vector<AttemptOutcome>& batch);
  void finish(std::vector<AttemptOutcome>& batch, bool recorded);

  store::Outbox& outbox_;
  const std::size_t capacity_;
  const std::size_t maxBatch_;
  const std::chrono::milliseconds backoffMax_;
  Done done_;

  std::mutex mutex_;
  std::condition_variable cv_;  ///< outcome queued, room freed, close, stop
  std::deque<AttemptOutcome> queue_;
  bool closed_ = false;
  bool finishing_ = false;
  std::thread thread_;
};

}  // namespace sipbridge::hooks
