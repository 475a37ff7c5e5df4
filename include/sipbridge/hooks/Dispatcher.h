#pragma once

#include "sipbridge/core/EventSink.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/hooks/AppConcurrency.h"
#include "sipbridge/hooks/HookConfig.h"
#include "sipbridge/hooks/HttpSender.h"
#include "sipbridge/hooks/OutcomeRecorder.h"
#include "sipbridge/hooks/RetryPolicy.h"
#include "sipbridge/hooks/UrlPolicy.h"
#include "sipbridge/store/Outbox.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sipbridge::hooks {

/// Delivers the hook outbox: one claimer thread leases due deliveries from the store, in
/// one claim as many as there are free worker slots, never more than an application's
/// current limit in flight (adaptive, see AppConcurrency and HookConfig::perAppConcurrency)
/// and as many more claimed ahead, waiting for a worker, up to one per worker claimed
/// ahead in all; a worker takes the oldest queued delivery whose application is below
/// its limit, so deliveries waiting for a slow application never hold a worker; `workers` threads
/// send them over keep-alive connections; an OutcomeRecorder writes the outcomes in batches.
/// Several nodes may run one each on the same database. A delivery whose outcome cannot be recorded
/// (database down) keeps its lease until it expires and is then claimed again: delivery is at least
/// once.
///
/// Thread-safe. wake() and onCommitted() never block. stop() waits for the attempts in
/// progress (bounded by the attempt timeout).
class Dispatcher : public core::CommitListener {
 public:
  /// `outbox`, `metrics` and `tls` must outlive the dispatcher. Retries follow `config.retry`.
  Dispatcher(HookConfig config, store::Outbox& outbox, core::Metrics& metrics, tls::TlsClient& tls);
  /// Same, with the retry policy given (tests inject a seeded one).
  Dispatcher(HookConfig config, store::Outbox& outbox, core::Metrics& metrics, tls::TlsClient& tls,
             RetryPolicy retryPolicy);
  ~Dispatcher() override;
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Starts the claimer and the workers. Once only.
  void start();
  /// Stops claiming, lets the workers finish their current attempt, joins every thread.
  /// Deliveries claimed but not started stay leased and are claimed again later.
  void stop();
  /// Asks the claimer to look at the outbox now (new deliveries were committed).
  void wake();
  /// core::CommitListener: calls wake().
  void onCommitted(const std::vector<core::Event>& batch) override;

  /// Deliveries claimed by this node and not yet recorded.
  int inflight() const;

 private:
  void claimLoop();
  /// One claiming pass; returns how long to wait before the next one.
  std::chrono::milliseconds claimRound();
  void workLoop();
  /// One attempt: sends and decides what follows (written later by the recorder).
  AttemptOutcome attempt(const store::ClaimedDelivery& delivery);
  struct Job;
  /// With mutex_ held: the oldest queued job a worker may take (its application below its
  /// limit in flight, or disabled: dropped), or queue_.end().
  std::deque<Job>::iterator sendable();
  /// With mutex_ held: an attempt of `appKey` is over (answered or given up).
  void doneSending(const std::string& appKey);
  /// With mutex_ held: frees the slot of an answered delivery of `appKey`.
  void freeSlot(const std::string& appKey);
  /// With mutex_ held: frees the slot of a delivery dropped unsent (claimed again later,
  /// or disabled with its application).
  void abandon(const std::string& appKey);
  /// With mutex_ held: applications whose 410 is recorded are left to the database's
  /// exclusion again; their deliveries still queued here are dropped.
  void forgetRecordedGone();
  /// The recorder's report on one outcome: metrics, logs, in-flight count.
  void recorded(const AttemptOutcome& outcome, bool written);
  /// Sleeps up to `duration` unless stopping; returns false when stopping.
  bool pause(std::chrono::milliseconds duration);

  /// A claimed delivery and the end of its lease (counted from before the claim).
  struct Job {
    store::ClaimedDelivery delivery;
    std::chrono::steady_clock::time_point leaseEnd;
  };

  const HookConfig config_;
  store::Outbox& outbox_;
  RetryPolicy retryPolicy_;
  UrlPolicy urlPolicy_;
  HttpSender sender_;

  core::Counter& delivered_;
  core::Counter& retried_;
  core::Counter& dead_;
  core::Counter& disabled_;
  std::shared_ptr<std::atomic<int>> inflightGauge_;  ///< shared with the metrics gauge

  OutcomeRecorder recorder_;

  mutable std::mutex mutex_;
  std::condition_variable claimerCv_;        ///< woken by wake(), finished work, stop()
  std::condition_variable workerCv_;         ///< work queued, stop()
  std::deque<Job> queue_;                    ///< at most 2 x `workers` entries
  std::map<std::string, int> busyByApp_;     ///< claimed and not yet answered, per application
  std::map<std::string, int> sendingByApp_;  ///< attempts in progress, per application
  AppConcurrency concurrency_;               ///< each application's current limit
  int busy_ = 0;                             ///< claimed and not yet answered
  int inflight_ = 0;
  /// Applications that answered 410: claimed nothing, their queued deliveries not sent;
  /// true once the disable is recorded (then forgotten by the next claim round).
  std::map<std::string, bool> gone_;  ///< claimed and not yet recorded
  bool woken_ = false;
  bool stopping_ = false;
  bool started_ = false;

  std::thread claimer_;
  std::vector<std::thread> workers_;
};

}  // namespace sipbridge::hooks
