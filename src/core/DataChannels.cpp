#include "sipbridge/core/DataChannels.h"

#include "sipbridge/core/CommitWaiter.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Session.h"
#include "sipbridge/core/Validation.h"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

namespace sipbridge::core {
namespace {

const char* const kOnData = "OnDataEvent";
const char* const kDataStatus = "DataStatusEvent";
constexpr std::size_t kQuotedBody = 200;

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.core.DataChannels");
}

/// Throws Unavailable unless the event was committed within `ms`.
void awaitCommit(CommitWaiter& waiter, int ms) {
  if (!waiter.wait(std::chrono::milliseconds(ms)))
    throw Unavailable("event not yet committed; it stays queued and will be delivered");
}

bool retryable(int status) {
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

}  // namespace

/// One sendData to a backend, from acceptance to its DataStatusEvent.
struct DataChannels::Job {
  std::shared_ptr<Session> session;
  App app;
  std::string operationId;
  std::optional<Event> event;  ///< the committed OnDataEvent (set by onCommitted)
  Clock::time_point deadline;  ///< acceptance + hookDeadlineMs: no attempt starts later
  int attempts = 0;
  int httpStatus = 0;        ///< the last attempt's answer (0: none)
  std::string info;          ///< why the last attempt failed
  std::int64_t delayMs = 0;  ///< the next retry's delay, unless Retry-After says otherwise
};

/// What the commit callbacks share with the workers. `sessions` is null once the
/// DataChannels is gone: a late callback then records nothing. Every member is guarded by
/// `mutex`.
struct DataChannels::State {
  using Key = std::pair<std::string, std::string>;  ///< session id, operationId

  /// One application's share of the work.
  struct AppWork {
    std::size_t waiting = 0;                 ///< accepted, not yet picked by a worker
    int inFlight = 0;                        ///< picked: being posted or waiting for a retry
    std::deque<std::shared_ptr<Job>> queue;  ///< committed, waiting for a worker
  };

  std::mutex mutex;
  std::condition_variable wake;
  SessionContext* sessions = nullptr;
  bool stopping = false;
  std::size_t accepted = 0;  ///< jobs between acceptance and their DataStatusEvent
  std::map<Key, std::shared_ptr<Job>> committing;  ///< OnDataEvent appended, not yet committed
  std::map<std::string, AppWork> apps;             ///< by application key; idle ones removed
  /// Jobs waiting for their next attempt (each keeps its application's in-flight slot).
  std::multimap<Clock::time_point, std::shared_ptr<Job>> retries;
  std::string lastServed;  ///< the application picked last: the round robin goes on after it

  /// Records the job's FAILED outcome and forgets it; call with `mutex` held.
  void failLocked(Job& job, const std::string& info) {
    if (sessions && sessions->accepting()) {
      Poco::DynamicStruct fields;
      fields["operationId"] = job.operationId;
      fields["httpStatus"] = job.httpStatus;
      fields["attempts"] = job.attempts;
      fields["info"] = info;
      sessions->emit(*job.session, kDataStatus, "FAILED", std::move(fields));
    }
    --accepted;
  }
  /// Removes the application's entry once it has nothing left.
  void pruneLocked(const std::string& appKey) {
    auto it = apps.find(appKey);
    if (it != apps.end() && it->second.waiting == 0 && it->second.inFlight == 0) apps.erase(it);
  }
  /// A due retry, else the next job of the first application after `lastServed` (in key
  /// order, wrapping) that has one and a free in-flight slot; null when there is none.
  std::shared_ptr<Job> pickLocked(Clock::time_point now, int perAppInFlight) {
    if (!retries.empty() && retries.begin()->first <= now) {
      auto job = std::move(retries.begin()->second);
      retries.erase(retries.begin());
      return job;
    }
    auto it = apps.upper_bound(lastServed);
    for (std::size_t n = 0; n < apps.size(); ++n, ++it) {
      if (it == apps.end()) it = apps.begin();
      AppWork& work = it->second;
      if (work.queue.empty() || work.inFlight >= perAppInFlight) continue;
      auto job = std::move(work.queue.front());
      work.queue.pop_front();
      --work.waiting;
      ++work.inFlight;
      lastServed = it->first;
      return job;
    }
    return nullptr;
  }
};

DataChannels::DataChannels(DataConfig config, SessionContext& sessions, AppDirectory& apps,
                           DataHook& hook, DataStore& store)
    : config_(config), hook_(hook), store_(store), apps_(apps), state_(std::make_shared<State>()) {
  state_->sessions = &sessions;
  for (int i = 0; i < std::max(1, config_.workers); ++i)
    workers_.emplace_back([this] { workLoop(); });
}

DataChannels::~DataChannels() {
  stop();
  std::lock_guard lock(state_->mutex);
  state_->sessions = nullptr;
}

void DataChannels::stop() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping && workers_.empty()) return;
    state_->stopping = true;
    for (auto& [appKey, work] : state_->apps) {
      for (auto& job : work.queue) state_->failLocked(*job, "node shutting down");
      work.waiting -= work.queue.size();
      work.queue.clear();
    }
    for (auto& [due, job] : state_->retries) {
      state_->failLocked(*job, "node shutting down; " + job->info);
      --state_->apps[job->session->appKey()].inFlight;
    }
    state_->retries.clear();
    for (auto it = state_->apps.begin(); it != state_->apps.end();) {
      const auto& work = it->second;
      it = work.waiting == 0 && work.inFlight == 0 ? state_->apps.erase(it) : std::next(it);
    }
  }
  state_->wake.notify_all();
  for (auto& worker : workers_) worker.join();  // posts in flight end and record their outcome
  workers_.clear();
}

void DataChannels::refuseWhenStopped() const {
  std::lock_guard lock(state_->mutex);
  if (state_->stopping) throw Unavailable("node shutting down");
}

std::string DataChannels::send(const std::shared_ptr<Session>& session, const SendData& request) {
  refuseWhenStopped();
  checkPayloadSize(request);
  const std::string operationId = request.operationId.empty() ? newUuid() : request.operationId;
  const auto& payload = request.payload;
  auto waiter = std::make_shared<CommitWaiter>();

  if (request.to) {
    sendToSessions(session, *request.to, operationId, payload);
    return operationId;
  }

  const auto app = apps_.find(session->appKey());
  auto job = std::make_shared<Job>();
  job->session = session;
  job->operationId = operationId;
  std::string failure;
  if (!app) {
    failure = "the application no longer exists";
  } else if (app->hookUrl.empty()) {
    failure = "the application has no hook URL";
  } else if (app->hookDisabled) {
    failure = "the application's hook is disabled";
  } else {
    job->app = *app;
  }

  Poco::DynamicStruct fields;
  fields["operationId"] = operationId;
  fields["payload"] = payload;
  fields["direction"] = std::string("outgoing");
  fields["to"] = std::string("backend");
  fields["hookDelivery"] = std::string("direct");
  const State::Key key{session->sessionId(), operationId};
  const bool queued = failure.empty();
  if (queued) {
    job->deadline = Clock::now() + std::chrono::milliseconds(config_.hookDeadlineMs);
    job->delayMs = config_.firstRetryDelayMs;
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) throw Unavailable("node shutting down");
    if (state_->accepted >= config_.queueCapacity)
      throw Unavailable("too many sendData to backends in progress");
    const auto work = state_->apps.find(session->appKey());
    if (work != state_->apps.end() && work->second.waiting >= config_.perAppQueue)
      throw Unavailable("too many sendData of this application wait for its backend");
    if (state_->committing.count(key) != 0)
      throw conflict("this operationId is still being recorded", "operationId");
    ++state_->accepted;
    ++state_->apps[session->appKey()].waiting;
    state_->committing[key] = job;
  }
  auto state = state_;
  state_->sessions->emit(*session, kOnData, "", std::move(fields),
                         [state, key, waiter, queued](bool committed) {
                           if (queued) {
                             std::lock_guard lock(state->mutex);
                             auto it = state->committing.find(key);
                             if (it != state->committing.end()) {
                               auto job = it->second;
                               state->committing.erase(it);
                               const std::string& appKey = job->session->appKey();
                               if (!committed || !job->event || state->stopping) {
                                 if (committed && job->event)
                                   state->failLocked(*job, "node shutting down");
                                 else
                                   --state->accepted;
                                 --state->apps[appKey].waiting;
                                 state->pruneLocked(appKey);
                               } else {
                                 state->apps[appKey].queue.push_back(job);
                                 state->wake.notify_one();
                               }
                             }
                           }
                           waiter->done(committed);
                         });
  if (!queued) {
    Poco::DynamicStruct status;
    status["operationId"] = operationId;
    status["httpStatus"] = 0;
    status["attempts"] = 0;
    status["info"] = failure;
    state_->sessions->emit(*session, kDataStatus, "FAILED", std::move(status));
  }
  awaitCommit(*waiter, config_.commitTimeoutMs);
  return operationId;
}

void DataChannels::sendToSessions(const std::shared_ptr<Session>& sender, const std::string& to,
                                  const std::string& operationId,
                                  const Poco::Dynamic::Var& payload) {
  auto targets = state_->sessions->findInApp(sender->appKey(), to);
  const bool named = !targets.empty();
  std::erase(targets, sender);
  if (targets.empty()) {
    if (named) throw invalidField("to", "to names only the sending session");
    throw notFound("session of this application", "to");
  }

  /// The commits still awaited; the last one decides.
  struct Fanout {
    std::mutex mutex;
    std::size_t remaining;
    bool committed = true;
  };
  auto fanout = std::make_shared<Fanout>();
  fanout->remaining = targets.size();
  Poco::JSON::Array::Ptr deliveredTo = new Poco::JSON::Array;
  for (const auto& target : targets) deliveredTo->add(target->sessionId());
  auto waiter = std::make_shared<CommitWaiter>();
  auto state = state_;
  auto done = [state, fanout, sender, waiter, operationId, to, deliveredTo](bool committed) {
    bool last = false;
    bool all = false;
    {
      std::lock_guard lock(fanout->mutex);
      fanout->committed = fanout->committed && committed;
      last = --fanout->remaining == 0;
      all = fanout->committed;
    }
    if (!last) return;
    if (all) {
      std::lock_guard lock(state->mutex);
      if (state->sessions) {
        Poco::DynamicStruct status;
        status["operationId"] = operationId;
        status["to"] = to;
        status["deliveredTo"] = deliveredTo;
        state->sessions->emit(*sender, kDataStatus, "ACCEPTED", std::move(status));
      }
    }
    waiter->done(all);
  };
  std::size_t emitted = 0;
  try {
    for (const auto& target : targets) {
      Poco::DynamicStruct fields;
      fields["operationId"] = operationId;
      fields["payload"] = payload;
      fields["from"] = sender->sessionId();
      if (!sender->request().sipLogin.empty()) fields["fromLogin"] = sender->request().sipLogin;
      fields["incoming"] = true;
      state_->sessions->emit(*target, kOnData, "", std::move(fields), done);
      ++emitted;
    }
  } catch (...) {
    for (; emitted < targets.size(); ++emitted) done(false);  // no ACCEPTED for this one
    throw;
  }
  awaitCommit(*waiter, config_.commitTimeoutMs);
}

void DataChannels::checkPayloadSize(const SendData& request) const {
  if (request.payloadBytes > config_.maxPayloadBytes)
    throw invalidField("payload", "payload is larger than " +
                                      std::to_string(config_.maxPayloadBytes) +
                                      " bytes once serialised");
}

std::string DataChannels::sendToSession(const std::shared_ptr<Session>& target,
                                        const SendData& request) {
  refuseWhenStopped();
  checkPayloadSize(request);
  const std::string operationId = request.operationId.empty() ? newUuid() : request.operationId;
  Poco::DynamicStruct fields;
  fields["operationId"] = operationId;
  fields["payload"] = request.payload;
  fields["from"] = std::string("backend");
  fields["incoming"] = true;
  auto waiter = std::make_shared<CommitWaiter>();
  state_->sessions->emit(*target, kOnData, "", std::move(fields),
                         [waiter](bool committed) { waiter->done(committed); });
  awaitCommit(*waiter, config_.commitTimeoutMs);
  return operationId;
}

void DataChannels::failLeftovers(const std::string& nodeId, const LeftoverRecorder& record) {
  for (const UnansweredData& data : store_.unanswered(nodeId)) {
    Poco::DynamicStruct fields;
    fields["operationId"] = data.operationId;
    fields["httpStatus"] = 0;
    fields["attempts"] = 0;
    fields["info"] = std::string("node restarted before the backend answered");
    record(data, std::move(fields));
    logger().information("sendData %s of session %s failed: node restarted", data.operationId,
                         data.sessionId);
  }
}

void DataChannels::onCommitted(const std::vector<Event>& batch) {
  std::unique_lock<std::mutex> lock(state_->mutex, std::defer_lock);
  for (const Event& event : batch) {
    if (event.type != kOnData || !event.fields.contains("hookDelivery")) continue;
    if (!lock.owns_lock()) lock.lock();
    const State::Key key{event.sessionId, event.fields["operationId"].toString()};
    if (auto it = state_->committing.find(key); it != state_->committing.end())
      it->second->event = event;
  }
}

void DataChannels::workLoop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(state_->mutex);
      for (;;) {
        if (state_->stopping) return;
        job = state_->pickLocked(Clock::now(), config_.perAppInFlight);
        if (job) break;
        if (state_->retries.empty()) {
          state_->wake.wait(lock);
        } else {
          // A copy: the entry may be taken by another worker while this one waits.
          const Clock::time_point due = state_->retries.begin()->first;
          state_->wake.wait_until(lock, due);
        }
      }
    }
    attempt(job);
  }
}

void DataChannels::attempt(const std::shared_ptr<Job>& job) {
  if (job->attempts == 0 && Clock::now() > job->deadline) {
    finish(*job, false, "deadline passed before the backend could be reached");
    return;
  }
  ++job->attempts;
  DataHookResult result;
  try {
    result = hook_.post(job->app, toJson(*job->event), job->event->eventId);
  } catch (const std::exception& e) {
    result = DataHookResult{};
    result.error = e.what();
  }
  job->httpStatus = result.status;
  if (result.status >= 200 && result.status < 300) {
    finish(*job, true, {});
    return;
  }
  job->info =
      result.status == 0
          ? "backend unreachable: " + result.error
          : "backend answered " + std::to_string(result.status) +
                (result.error.empty() ? std::string() : ": " + result.error.substr(0, kQuotedBody));
  if (!retryable(result.status) || job->attempts >= config_.hookAttempts) {
    finish(*job, false, job->info);
    return;
  }
  std::int64_t waitMs = job->delayMs;
  if ((result.status == 429 || result.status == 503) && result.retryAfterMs)
    waitMs = std::max<std::int64_t>(0, *result.retryAfterMs);
  job->delayMs *= 4;
  const auto due = Clock::now() + std::chrono::milliseconds(waitMs);
  if (due > job->deadline) {
    finish(
        *job, false,
        job->info + "; no retry possible within " + std::to_string(config_.hookDeadlineMs) + " ms");
    return;
  }
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->stopping) {
      state_->retries.emplace(due, job);  // the worker is free meanwhile
      state_->wake.notify_all();
      return;
    }
  }
  finish(*job, false, "node shutting down; " + job->info);
}

void DataChannels::finish(Job& job, bool accepted, const std::string& info) {
  std::lock_guard lock(state_->mutex);
  if (accepted) {
    Poco::DynamicStruct fields;
    fields["operationId"] = job.operationId;
    fields["httpStatus"] = job.httpStatus;
    fields["attempts"] = job.attempts;
    // Workers are joined before `sessions` is cleared.
    state_->sessions->emit(*job.session, kDataStatus, "ACCEPTED", std::move(fields));
    --state_->accepted;
  } else {
    state_->failLocked(job, info);
  }
  const std::string& appKey = job.session->appKey();
  --state_->apps[appKey].inFlight;
  state_->pruneLocked(appKey);
  state_->wake.notify_all();  // a slot is free
}

}  // namespace sipbridge::core
