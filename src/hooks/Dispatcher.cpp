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

}  // namespace

Dispatcher::Dispatcher(HookConfig config, store::Outbox& outbox, core::Metrics& metrics)
    : Dispatcher(config, outbox, metrics,
                 RetryPolicy::seeded(config.retry, std::random_device{}())) {}

Dispatcher::Dispatcher(HookConfig config, store::Outbox& outbox, core::Metrics& metrics,
                       RetryPolicy retryPolicy)
    : config_(config),
      outbox_(outbox),
      retryPolicy_(std::move(retryPolicy)),
      urlPolicy_(config.allowPrivate),
      sender_(urlPolicy_, std::chrono::seconds(config.timeoutSeconds)),
      delivered_(outcomeCounter(metrics, "delivered")),
      retried_(outcomeCounter(metrics, "retry")),
      dead_(outcomeCounter(metrics, "dead")),
      disabled_(outcomeCounter(metrics, "disabled")),
      inflightGauge_(std::make_shared<std::atomic<int>>(0)) {
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
  claimer_ = std::thread([this] { claimLoop(); });
  for (int i = 0; i < std::max(1, config_.workers); ++i)
    workers_.emplace_back([this] { workLoop(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  claimerCv_.notify_all();
  workerCv_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  for (auto& worker : workers_)
    if (worker.joinable()) worker.join();
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
  const int cap = std::max(1, config_.perAppConcurrency);
  while (true) {
    int limit = 0;
    std::vector<std::string> exclude;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return milliseconds(0);
      // Woken again as soon as a worker frees a slot.
      woken_ = false;
      limit = std::max(1, config_.workers) - inflight_;
      if (limit <= 0) return milliseconds(config_.pollMs);
      // One claim may return several deliveries of one application: ask for no more than
      // the smallest headroom of any application, so none can exceed its cap.
      limit = std::min(limit, cap);
      for (const auto& [app, count] : inflightByApp_) {
        if (count >= cap)
          exclude.push_back(app);
        else if (count > 0)
          limit = std::min(limit, cap - count);
      }
    }
    std::vector<store::ClaimedDelivery> claimed =
        outbox_.claim(limit, std::chrono::seconds(config_.leaseSeconds), exclude);
    const auto got = static_cast<int>(claimed.size());
    if (got > 0) {
      std::lock_guard lock(mutex_);
      for (auto& delivery : claimed) {
        ++inflightByApp_[delivery.appKey];
        ++inflight_;
        queue_.push_back(std::move(delivery));
      }
      inflightGauge_->store(inflight_);
      workerCv_.notify_all();
    }
    if (got < limit) break;
  }
  const std::int64_t next = outbox_.msUntilNextDue();
  if (next <= 0) return milliseconds(config_.pollMs);
  return milliseconds(std::min<std::int64_t>(next, config_.pollMs));
}

void Dispatcher::workLoop() {
  while (true) {
    store::ClaimedDelivery delivery;
    {
      std::unique_lock lock(mutex_);
      workerCv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      delivery = std::move(queue_.front());
      queue_.pop_front();
    }
    deliver(delivery);
    {
      std::lock_guard lock(mutex_);
      auto it = inflightByApp_.find(delivery.appKey);
      if (it != inflightByApp_.end() && --it->second <= 0) inflightByApp_.erase(it);
      --inflight_;
      inflightGauge_->store(inflight_);
      woken_ = true;
    }
    claimerCv_.notify_one();
  }
}

void Dispatcher::deliver(const store::ClaimedDelivery& delivery) {
  const auto leaseEnd = steady_clock::now() + std::chrono::seconds(config_.leaseSeconds);
  SendResult result;
  if (delivery.hookUrl.empty()) {
    result.error = "the application has no hook URL";
  } else {
    try {
      const Signer signer(delivery.secret);
      result = sender_.post(hookUrlFor(delivery.hookUrl, delivery.eventType), delivery.eventId,
                            signer, delivery.payload);
    } catch (const Poco::Exception& e) {
      result.error = e.displayText();
    }
  }
  const Outcome outcome =
      retryPolicy_.outcome(result.status, result.retryAfterMs, delivery.attempts + 1,
                           delivery.createdMs, delivery.retryUntilMs, wallNowMs());
  if (!record(delivery, outcome, result, leaseEnd)) return;
  switch (outcome.kind) {
    case Outcome::Kind::Delivered:
      delivered_.inc();
      break;
    case Outcome::Kind::Retry:
      retried_.inc();
      break;
    case Outcome::Kind::Dead:
      dead_.inc();
      logger().warning("hook delivery %s of app %s is dead after %s attempts: %s",
                       std::to_string(delivery.id), delivery.appKey,
                       std::to_string(delivery.attempts + 1), result.error);
      break;
    case Outcome::Kind::Disable:
      disabled_.inc();
      logger().warning("hook endpoint of app %s answered 410 Gone: disabled", delivery.appKey);
      break;
  }
}

bool Dispatcher::record(const store::ClaimedDelivery& delivery, const Outcome& outcome,
                        const SendResult& result, steady_clock::time_point leaseEnd) {
  milliseconds backoff(100);
  while (true) {
    try {
      switch (outcome.kind) {
        case Outcome::Kind::Delivered:
          outbox_.markDelivered(delivery.id, result.status);
          break;
        case Outcome::Kind::Retry:
          outbox_.markRetry(delivery.id, outcome.nextAttemptMs, result.status, result.error);
          break;
        case Outcome::Kind::Dead:
          outbox_.markDead(delivery.id, result.status, result.error);
          break;
        case Outcome::Kind::Disable:
          outbox_.disableEndpoint(delivery.id, delivery.appKey, result.status);
          break;
      }
      return true;
    } catch (const Poco::Exception& e) {
      if (steady_clock::now() + backoff >= leaseEnd) {
        logger().error("cannot record hook delivery %s, it will be claimed again: %s",
                       std::to_string(delivery.id), e.displayText());
        return false;
      }
      logger().warning("cannot record hook delivery %s, retrying: %s", std::to_string(delivery.id),
                       e.displayText());
      {
        std::unique_lock lock(mutex_);
        if (workerCv_.wait_for(lock, backoff, [this] { return stopping_; })) return false;
      }
      backoff = std::min(backoff * 2, milliseconds(config_.storeBackoffMaxMs));
    }
  }
}

}  // namespace sipbridge::hooks
