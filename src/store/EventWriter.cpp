#include "sipbridge/store/EventWriter.h"

#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/Pg.h"
#include "sipbridge/store/PgArray.h"
#include "sipbridge/store/StoreError.h"

#include <Poco/Logger.h>

#include <algorithm>

namespace sipbridge::store {

namespace {

constexpr const char* kStatement = "sipbridge_write_events";

/// Events and their hook deliveries in one statement. Events are matched to applications
/// with an endpoint at commit time; ON CONFLICT makes a retried batch insert nothing twice
/// (RETURNING only yields new rows, so no second delivery row either). An event whose
/// payload has "coalesced" (a NOTIFY superseded by a newer one within the coalescing
/// interval) or "hookDelivery": "direct" (sent to its hook by the use case itself, as
/// sendData to a backend) is stored but gets no hook delivery.
constexpr const char* kWriteSql = R"SQL(
WITH ins AS (
  INSERT INTO events (event_id, type, status, node_id, session_id, app_key, seq, created_at, payload)
  SELECT e.event_id, e.type, e.status, e.node_id, e.session_id, e.app_key, e.seq,
         timestamptz 'epoch' + e.ts * interval '1 millisecond', e.payload::jsonb
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::bigint[], $8::bigint[], $9::text[])
       AS e(event_id, type, status, node_id, session_id, app_key, seq, ts, payload)
  ON CONFLICT DO NOTHING
  RETURNING event_id, created_at, type, app_key,
            payload ? 'coalesced' OR payload @> '{"hookDelivery": "direct"}' AS coalesced)
INSERT INTO hook_deliveries (event_id, event_created_at, event_type, app_key, state,
                             next_attempt_at, retry_until)
SELECT ins.event_id, ins.created_at, ins.type, ins.app_key, 'pending', now(),
       now() + make_interval(secs => $10::int)
FROM ins JOIN apps a USING (app_key)
WHERE a.hook_url <> '' AND NOT a.hook_disabled AND NOT ins.coalesced
)SQL";

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.store.EventWriter");
}

}  // namespace

EventWriter::EventWriter(const StoreConfig& config, core::Metrics& metrics)
    : config_(config),
      state_(std::make_shared<State>()),
      committed_(metrics.counter("sipbridge_events_committed_total",
                                 "Events durably committed to PostgreSQL")),
      batches_(metrics.counter("sipbridge_store_batches_total",
                               "Group commits (transactions) of the event writer")),
      rejectedCounter_(metrics.counter("sipbridge_events_rejected_total",
                                       "Events the database refused for their content")) {
  auto state = state_;
  metrics.gauge("sipbridge_event_queue_depth", "Events queued for the store writer",
                [state] { return static_cast<double>(state->depth.load()); });
  metrics.gauge("sipbridge_store_available", "1 while the event writer reaches PostgreSQL",
                [state] { return state->available.load() ? 1.0 : 0.0; });
}

EventWriter::~EventWriter() {
  stop();
}

void EventWriter::addListener(core::CommitListener& listener) {
  listeners_.push_back(&listener);
}

void EventWriter::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopped_) return;
  thread_ = std::thread([this] { run(); });
}

void EventWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
    drainDeadline_ =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.stopDrainMs);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::deque<Item> left;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    left.swap(queue_);
    state_->depth = 0;
  }
  for (auto& item : left)
    if (item.done) item.done(false);
}

void EventWriter::append(core::Event event, core::CommitCallback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      queue_.push_back(Item{std::move(event), std::move(done)});
      state_->depth = static_cast<std::int64_t>(queue_.size());
      wake_.notify_one();
      return;
    }
  }
  if (done) done(false);
}

bool EventWriter::accepting() const {
  return state_->available.load() && state_->depth.load() <= config_.queueLimit;
}

std::size_t EventWriter::queueDepth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::int64_t EventWriter::committedTotal() const {
  return committed_.value();
}

void EventWriter::run() {
  const std::size_t maxBatch = static_cast<std::size_t>(std::max(1, config_.maxBatch));
  for (;;) {
    std::vector<Item> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;
      if (stopping_ && std::chrono::steady_clock::now() >= drainDeadline_) break;
      std::size_t n = std::min(maxBatch, queue_.size());
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      state_->depth = static_cast<std::int64_t>(queue_.size());
    }
    auto outcomes = commit(batch);
    finish(batch, outcomes);
  }
  conn_.reset();
}

void EventWriter::finish(std::vector<Item>& batch, const std::vector<Outcome>& outcomes) {
  // Listeners first: whoever a callback wakes (a request waiting for its commit) must find
  // the events already in the session's feed.
  std::vector<core::Event> committed;
  committed.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (outcomes[i] == Outcome::Committed) committed.push_back(batch[i].event);
  if (!committed.empty()) {
    for (auto* listener : listeners_) {
      try {
        listener->onCommitted(committed);
      } catch (const std::exception& error) {
        logger().error("commit listener threw: %s", std::string(error.what()));
      }
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    try {
      batch[i].done(outcomes[i] == Outcome::Committed);
    } catch (const std::exception& error) {
      logger().error("commit callback threw: %s", std::string(error.what()));
    }
  }
}

std::vector<EventWriter::Outcome> EventWriter::commit(const std::vector<Item>& batch) {
  std::vector<Outcome> outcomes(batch.size(), Outcome::Pending);
  Outcome whole = writeWithRetry(batch, 0, batch.size());
  if (whole != Outcome::Rejected) {
    std::fill(outcomes.begin(), outcomes.end(), whole);
    return outcomes;
  }
  // Some event is refused for its content: find it by writing one event at a time.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    outcomes[i] = writeWithRetry(batch, i, 1);
    if (outcomes[i] == Outcome::Pending) break;
    if (outcomes[i] == Outcome::Rejected) {
      rejectedCounter_.inc();
      logger().error("event %s (%s) refused by the database, not recorded", batch[i].event.eventId,
                     batch[i].event.type);
    }
  }
  return outcomes;
}

EventWriter::Outcome EventWriter::writeWithRetry(const std::vector<Item>& batch, std::size_t from,
                                                 std::size_t count) {
  auto backoff = std::chrono::milliseconds(100);
  for (;;) {
    try {
      writeOnce(batch, from, count);
      if (!state_->available.exchange(true)) logger().information("PostgreSQL reachable again");
      return Outcome::Committed;
    } catch (const StoreUnavailable& error) {
      conn_.reset();
      if (state_->available.exchange(false))
        logger().warning("PostgreSQL unreachable, holding %z events: %s", count, error.message());
      if (!sleepBackoff(backoff)) return Outcome::Pending;
    } catch (const StoreError& error) {
      // Only the data itself (SQLSTATE classes 22 and 23, and 54: a value over a limit such
      // as an index row size) can be at fault for one event; anything else (disk full, out
      // of memory, cancelled, read-only...) is the server's state: hold the batch and retry,
      // never drop it.
      const std::string& state = error.sqlState();
      const bool dataError =
          state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0 || state.rfind("54", 0) == 0;
      if (!dataError) {
        conn_.reset();
        if (state_->available.exchange(false))
          logger().warning("PostgreSQL refused the batch (%s), holding %z events: %s", state, count,
                           error.message());
        if (!sleepBackoff(backoff)) return Outcome::Pending;
        continue;
      }
      if (count == 1) logger().error("%s", error.message());
      return Outcome::Rejected;
    }
  }
}

void EventWriter::writeOnce(const std::vector<Item>& batch, std::size_t from, std::size_t count) {
  if (!conn_) {
    conn_ = std::make_unique<PgConnection>(config_.conninfo);
    conn_->exec("SET synchronous_commit = on");
    conn_->prepare(kStatement, kWriteSql, 10);
  }
  std::vector<std::string> ids, types, statuses, nodes, sessions, apps, payloads;
  std::vector<std::int64_t> seqs, stamps;
  for (auto* v : {&ids, &types, &statuses, &nodes, &sessions, &apps, &payloads}) v->reserve(count);
  for (std::size_t i = from; i < from + count; ++i) {
    const core::Event& e = batch[i].event;
    ids.push_back(e.eventId);
    types.push_back(e.type);
    statuses.push_back(e.status);
    nodes.push_back(e.nodeId);
    sessions.push_back(e.sessionId);
    apps.push_back(e.appKey);
    seqs.push_back(e.seq);
    stamps.push_back(e.timestampMs);
    payloads.push_back(core::toJson(e));
  }
  conn_->execPrepared(
      kStatement,
      {PgArray::text(ids), PgArray::text(types), PgArray::text(statuses), PgArray::text(nodes),
       PgArray::text(sessions), PgArray::text(apps), PgArray::int64(seqs), PgArray::int64(stamps),
       PgArray::text(payloads), std::to_string(config_.hookRetryPeriodSeconds)});
  batches_.inc();
  committed_.inc(static_cast<std::int64_t>(count));
}

bool EventWriter::sleepBackoff(std::chrono::milliseconds& backoff) {
  std::unique_lock lock(mutex_);
  auto until = std::chrono::steady_clock::now() + backoff;
  if (stopping_) until = std::min(until, drainDeadline_);
  wake_.wait_until(lock, until, [this] {
    return stopping_ && std::chrono::steady_clock::now() >= drainDeadline_;
  });
  backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  return !(stopping_ && std::chrono::steady_clock::now() >= drainDeadline_);
}

}  // namespace sipbridge::store
