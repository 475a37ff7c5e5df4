#include "sipbridge/hooks/Dispatcher.h"

#include "sipbridge/hooks/HookErrors.h"
#include "sipbridge/hooks/Signer.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <random>

namespace sipbridge::hooks {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.hooks.Dispatcher");
}

std::int64_t wallNowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Counter& outcomeCounter(core::Metrics& metrics, const char* outcome) {
  return metrics.counter("sipbridge_hook_deliveries_total",
                         "Hook delivery attempts by outcome (delivered, retry, dead, disabled).",
                         std::string("{outcome=\"") + outcome + "\"}");
}

/// Outcomes waiting to be written, per worker, before the workers wait for the recorder.
constexpr int kRecordQueuePerWorker = 64;
/// Most outcomes written in one statement.
constexpr std::size_t kRecordBatch = 500;

int workerCount(const HookConfig& config) {
  return std::max(1, config.workers);
}

/// The longest one attempt may take: connect, then answer.
milliseconds attemptBound(const HookConfig& config) {
  return std::chrono::seconds(2 * config.timeoutSeconds);
}

/// The adaptive limits from the configuration.
ConcurrencyLimits concurrencyLimits(const HookConfig& config) {
  ConcurrencyLimits limits;
  limits.initial = std::max(1, config.perAppConcurrency);
  limits.maximum = config.perAppMaxConcurrency > 0
                       ? config.perAppMaxConcurrency
                       : std::max(limits.initial, workerCount(config) - limits.initial);
  limits.growAfter = config.perAppGrowAfter;
  limits.slow = milliseconds(std::max(1, config.perAppSlowMs));
  return limits;
}

/// Longest wait of the claimer after a round that claimed something: finishing workers
/// wake it sooner; deliveries of others coming due meanwhile wait no longer than this.
constexpr milliseconds kBusyRecheck{100};

}  // namespace

Dispatcher::Dispatcher(HookConfig config, store::Outbox& outbox, core::Metrics& metrics,
                       tls::TlsClient& tls)
    : Dispatcher(config, outbox, metrics, tls,
                 RetryPolicy::seeded(config.retry, std::random_device{}())) {}

Dispatcher::Dispatcher(HookConfig config, store::Outbox& outbox, core::Metrics& metrics,
                       tls::TlsClient& tls, RetryPolicy retryPolicy)
    : config_(config),
      outbox_(outbox),
      retryPolicy_(std::move(retryPolicy)),
      urlPolicy_(config.allowPrivate),
      sender_(urlPolicy_, tls, std::chrono::seconds(config.timeoutSeconds), 64 * 1024, {},
              config.keepAliveConnections > 0
                  ? std::make_unique<KeepAlivePool>(
                        static_cast<std::size_t>(config.keepAliveConnections),
                        milliseconds(config.keepAliveIdleMs))
                  : nullptr,
              &developmentCounter(metrics, "event")),
      delivered_(outcomeCounter(metrics, "delivered")),
      retried_(outcomeCounter(metrics, "retry")),
      dead_(outcomeCounter(metrics, "dead")),
      disabled_(outcomeCounter(metrics, "disabled")),
      inflightGauge_(std::make_shared<std::atomic<int>>(0)),
      recorder_(
          outbox, static_cast<std::size_t>(kRecordQueuePerWorker * workerCount(config)),
          kRecordBatch, milliseconds(config.storeBackoffMaxMs),
          [this](const AttemptOutcome& outcome, bool written) { recorded(outcome, written); }),
      concurrency_(concurrencyLimits(config)) {
  auto gauge = inflightGauge_;
  metrics.gauge("sipbridge_hook_inflight",
                "Hook deliveries claimed by this node and not yet recorded.",
                [gauge] { return static_cast<double>(gauge->load()); });
}

Dispatcher::~Dispatcher() {
  stop();
}

void Dispatcher::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  recorder_.start();
  claimer_ = std::thread([this] { claimLoop(); });
  for (int i = 0; i < workerCount(config_); ++i) workers_.emplace_back([this] { workLoop(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  claimerCv_.notify_all();
  workerCv_.notify_all();
  recorder_.close();
  if (claimer_.joinable()) claimer_.join();
  for (auto& worker : workers_)
    if (worker.joinable()) worker.join();
  recorder_.stop();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  claimerCv_.notify_one();
}

void Dispatcher::onCommitted(const std::vector<core::Event>&) {
  wake();
}

int Dispatcher::inflight() const {
  std::lock_guard lock(mutex_);
  return inflight_;
}

bool Dispatcher::pause(milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !claimerCv_.wait_for(lock, duration, [this] { return stopping_; });
}

void Dispatcher::claimLoop() {
  milliseconds storeBackoff(std::min(100, config_.storeBackoffMaxMs));
  while (true) {
    milliseconds wait{0};
    try {
      wait = claimRound();
      storeBackoff = milliseconds(std::min(100, config_.storeBackoffMaxMs));
    } catch (const Poco::Exception& e) {
      logger().warning("cannot claim hook deliveries, retrying in %s ms: %s",
                       std::to_string(storeBackoff.count()), e.displayText());
      if (!pause(storeBackoff)) return;
      storeBackoff = std::min(storeBackoff * 2, milliseconds(config_.storeBackoffMaxMs));
      continue;
    }
    std::unique_lock lock(mutex_);
    claimerCv_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

milliseconds Dispatcher::claimRound() {
  // Each application may have as many deliveries claimed ahead, waiting for a worker, as
  // it may have in flight, so that the next claim is made while they are being sent.
  const int cap = 2 * concurrency_.limits().initial;
  bool claimedAny = false;
  while (true) {
    int limit = 0;
    std::vector<store::AppRoom> rooms;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return milliseconds(0);
      // Woken again as soon as a worker frees a slot.
      woken_ = false;
      // Up to one delivery per worker is claimed ahead, so the workers need not wait for
      // a claim; the claimer waits until half the workers can take work, unless the
      // queue ran dry, so that one claim serves several deliveries.
      const int workers = workerCount(config_);
      limit = 2 * workers - busy_;
      if (limit <= 0 || (limit < (workers + 1) / 2 && !queue_.empty()))
        return milliseconds(config_.pollMs);
      forgetRecordedGone();
      // Every application may take up to its free share of the cap in this one claim;
      // one that answered 410 nothing until the disable is recorded.
      std::map<std::string, int> room;
      for (const auto& [app, limit] : concurrency_.adapted()) room[app] = 2 * limit;
      for (const auto& [app, count] : busyByApp_) room[app] = 2 * concurrency_.limit(app) - count;
      for (const auto& entry : gone_) room[entry.first] = 0;
      for (auto& [app, free] : room) rooms.push_back({app, free});
    }
    const auto leaseEnd = steady_clock::now() + std::chrono::seconds(config_.leaseSeconds);
    std::vector<store::ClaimedDelivery> claimed =
        outbox_.claimPerApp(limit, std::chrono::seconds(config_.leaseSeconds), cap, rooms);
    const auto got = static_cast<int>(claimed.size());
    if (got > 0) {
      claimedAny = true;
      std::lock_guard lock(mutex_);
      for (auto& delivery : claimed) {
        if (gone_.count(delivery.appKey) != 0) continue;  // disabled with its row meanwhile
        ++busyByApp_[delivery.appKey];
        ++busy_;
        ++inflight_;
        queue_.push_back({std::move(delivery), leaseEnd});
      }
      inflightGauge_->store(inflight_);
      workerCv_.notify_all();
    }
    if (got < limit) break;
  }
  // Workers finishing what was claimed wake the claimer: no need to ask for the next due.
  if (claimedAny) return std::min(kBusyRecheck, milliseconds(config_.pollMs));
  const std::int64_t next = outbox_.msUntilNextDue();
  if (next <= 0) return milliseconds(config_.pollMs);
  return milliseconds(std::min<std::int64_t>(next, config_.pollMs));
}

void Dispatcher::workLoop() {
  while (true) {
    Job job;
    bool drained = false;
    {
      std::unique_lock lock(mutex_);
      auto next = queue_.end();
      workerCv_.wait(lock, [&] { return stopping_ || (next = sendable()) != queue_.end(); });
      if (stopping_) return;
      job = std::move(*next);
      queue_.erase(next);
      drained = queue_.empty();
      if (drained) woken_ = true;
      if (gone_.count(job.delivery.appKey) != 0) {
        abandon(job.delivery.appKey);
        continue;
      }
      ++sendingByApp_[job.delivery.appKey];
    }
    if (drained) claimerCv_.notify_one();
    if (steady_clock::now() + attemptBound(config_) >= job.leaseEnd) {
      // Waited so long that the attempt might outlast the lease: leave the delivery to
      // be claimed again once its lease is over rather than risk two attempts at once.
      logger().warning("hook delivery %s waited past its lease margin, left to be claimed again",
                       std::to_string(job.delivery.id));
      {
        std::lock_guard lock(mutex_);
        doneSending(job.delivery.appKey);
        abandon(job.delivery.appKey);
      }
      claimerCv_.notify_one();
      workerCv_.notify_all();
      continue;
    }
    const auto attemptStart = steady_clock::now();
    AttemptOutcome outcome = attempt(job.delivery);
    const auto elapsed =
        std::chrono::duration_cast<milliseconds>(steady_clock::now() - attemptStart);
    outcome.leaseEnd = job.leaseEnd;
    {
      std::lock_guard lock(mutex_);
      concurrency_.onAnswer(job.delivery.appKey, outcome.httpStatus, elapsed);
      doneSending(job.delivery.appKey);
      freeSlot(job.delivery.appKey);
      if (outcome.outcome.kind == Outcome::Kind::Disable) gone_.emplace(outcome.appKey, false);
    }
    claimerCv_.notify_one();
    workerCv_.notify_all();  // a delivery of this application may be sent now
    recorder_.add(std::move(outcome));
  }
}

std::deque<Dispatcher::Job>::iterator Dispatcher::sendable() {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    const std::string& app = it->delivery.appKey;
    if (gone_.count(app) != 0) return it;
    auto sending = sendingByApp_.find(app);
    if (sending == sendingByApp_.end() || sending->second < concurrency_.limit(app)) return it;
  }
  return queue_.end();
}

void Dispatcher::doneSending(const std::string& appKey) {
  auto it = sendingByApp_.find(appKey);
  if (it != sendingByApp_.end() && --it->second <= 0) sendingByApp_.erase(it);
}

void Dispatcher::freeSlot(const std::string& appKey) {
  auto it = busyByApp_.find(appKey);
  if (it != busyByApp_.end() && --it->second <= 0) busyByApp_.erase(it);
  --busy_;
  woken_ = true;
}

void Dispatcher::abandon(const std::string& appKey) {
  freeSlot(appKey);
  --inflight_;
  inflightGauge_->store(inflight_);
}

void Dispatcher::forgetRecordedGone() {
  for (auto it = gone_.begin(); it != gone_.end();) {
    if (!it->second) {
      ++it;
      continue;
    }
    // Its rows are disabled now, those waiting here too: drop them unsent.
    const std::string app = it->first;
    for (auto job = queue_.begin(); job != queue_.end();) {
      if (job->delivery.appKey != app) {
        ++job;
        continue;
      }
      job = queue_.erase(job);
      abandon(app);
    }
    it = gone_.erase(it);
  }
}

AttemptOutcome Dispatcher::attempt(const store::ClaimedDelivery& delivery) {
  SendResult result;
  if (delivery.hookUrl.empty()) {
    result.error = "the application has no hook URL";
  } else {
    try {
      const Signer signer(delivery.secret);
      HookEndpoint endpoint;
      endpoint.url = hookUrlFor(delivery.hookUrl, delivery.eventType);
      endpoint.development = delivery.development;
      endpoint.identity = {delivery.clientCertificate, delivery.clientKey};
      result = sender_.post(endpoint, delivery.eventId, signer, delivery.payload);
    } catch (const Poco::Exception& e) {
      result.error = e.displayText();
    }
  }
  AttemptOutcome out;
  out.id = delivery.id;
  out.appKey = delivery.appKey;
  out.attempts = delivery.attempts + 1;
  out.outcome = retryPolicy_.outcome(result.status, result.retryAfterMs, out.attempts,
                                     delivery.createdMs, delivery.retryUntilMs, wallNowMs());
  out.httpStatus = result.status;
  out.error = std::move(result.error);
  return out;
}

void Dispatcher::recorded(const AttemptOutcome& outcome, bool written) {
  {
    std::lock_guard lock(mutex_);
    --inflight_;
    inflightGauge_->store(inflight_);
    if (outcome.outcome.kind == Outcome::Kind::Disable) {
      auto it = gone_.find(outcome.appKey);
      if (it != gone_.end() && written) it->second = true;
      if (it != gone_.end() && !written) gone_.erase(it);
    }
  }
  if (!written) return;
  switch (outcome.outcome.kind) {
    case Outcome::Kind::Delivered:
      delivered_.inc();
      break;
    case Outcome::Kind::Retry:
      retried_.inc();
      break;
    case Outcome::Kind::Dead:
      dead_.inc();
      logger().warning("hook delivery %s of app %s is dead after %s attempts: %s",
                       std::to_string(outcome.id), outcome.appKey, std::to_string(outcome.attempts),
                       outcome.error);
      break;
    case Outcome::Kind::Disable:
      disabled_.inc();
      logger().warning("hook endpoint of app %s answered 410 Gone: disabled", outcome.appKey);
      break;
  }
}

}  // namespace sipbridge::hooks
