#include "sipbridge/hooks/OutcomeRecorder.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <algorithm>

namespace sipbridge::hooks {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.hooks.OutcomeRecorder");
}

store::AttemptRecord::Kind recordKind(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::Delivered:
      return store::AttemptRecord::Kind::Delivered;
    case Outcome::Kind::Dead:
      return store::AttemptRecord::Kind::Dead;
    case Outcome::Kind::Retry:
    case Outcome::Kind::Disable:
      break;
  }
  return store::AttemptRecord::Kind::Retry;
}

}  // namespace

OutcomeRecorder::OutcomeRecorder(store::Outbox& outbox, std::size_t capacity, std::size_t maxBatch,
                                 milliseconds backoffMax, Done done)
    : outbox_(outbox),
      capacity_(std::max<std::size_t>(1, capacity)),
      maxBatch_(std::max<std::size_t>(1, maxBatch)),
      backoffMax_(backoffMax),
      done_(std::move(done)) {}

OutcomeRecorder::~OutcomeRecorder() {
  stop();
}

void OutcomeRecorder::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !finishing_) thread_ = std::thread([this] { run(); });
}

void OutcomeRecorder::add(AttemptOutcome outcome) {
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return closed_ || queue_.size() < capacity_; });
    queue_.push_back(std::move(outcome));
  }
  cv_.notify_all();
}

void OutcomeRecorder::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

void OutcomeRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    finishing_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutcomeRecorder::run() {
  while (true) {
    std::vector<AttemptOutcome> batch;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return finishing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      const std::size_t n = std::min(maxBatch_, queue_.size());
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    cv_.notify_all();  // room for blocked add()
    milliseconds backoff(std::min(milliseconds(100), backoffMax_));
    while (!batch.empty()) {
      try {
        write(batch);
      } catch (const Poco::Exception& e) {
        const auto now = steady_clock::now();
        std::vector<AttemptOutcome> late;
        std::unique_lock lock(mutex_);
        const bool giveUp = closed_;
        auto keep = std::partition(batch.begin(), batch.end(), [&](const AttemptOutcome& o) {
          return !giveUp && now + backoff < o.leaseEnd;
        });
        late.assign(std::make_move_iterator(keep), std::make_move_iterator(batch.end()));
        batch.erase(keep, batch.end());
        lock.unlock();
        if (!late.empty())
          logger().error("cannot record %s hook outcomes, they will be claimed again: %s",
                         std::to_string(late.size()), e.displayText());
        finish(late, false);
        if (batch.empty()) break;
        logger().warning("cannot record %s hook outcomes, retrying in %s ms: %s",
                         std::to_string(batch.size()), std::to_string(backoff.count()),
                         e.displayText());
        lock.lock();
        cv_.wait_for(lock, backoff, [this] { return closed_; });
        backoff = std::min(backoff * 2, backoffMax_);
      }
    }
  }
}

void OutcomeRecorder::write(std::vector<AttemptOutcome>& batch) {
  std::vector<store::AttemptRecord> records;
  std::vector<AttemptOutcome> written;
  auto gone = std::stable_partition(batch.begin(), batch.end(), [](const AttemptOutcome& o) {
    return o.outcome.kind != Outcome::Kind::Disable;
  });
  for (auto it = batch.begin(); it != gone; ++it)
    records.push_back({it->id, recordKind(it->outcome.kind), it->httpStatus, it->error,
                       it->outcome.nextAttemptMs});
  outbox_.record(records);
  written.assign(std::make_move_iterator(batch.begin()), std::make_move_iterator(gone));
  batch.erase(batch.begin(), gone);
  finish(written, true);
  while (!batch.empty()) {
    outbox_.disableEndpoint(batch.front().id, batch.front().appKey, batch.front().httpStatus);
    std::vector<AttemptOutcome> one{std::move(batch.front())};
    batch.erase(batch.begin());
    finish(one, true);
  }
}

void OutcomeRecorder::finish(std::vector<AttemptOutcome>& batch, bool recorded) {
  for (const auto& outcome : batch) done_(outcome, recorded);
}

}  // namespace sipbridge::hooks
