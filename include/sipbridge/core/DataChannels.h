#pragma once

#include "sipbridge/core/AppDirectory.h"
#include "sipbridge/core/DataHook.h"
#include "sipbridge/core/DataStore.h"
#include "sipbridge/core/EventSink.h"
#include "sipbridge/core/Requests.h"
#include "sipbridge/core/SessionContext.h"

#include <Poco/Dynamic/Struct.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sipbridge::core {

struct DataConfig {
  std::size_t maxPayloadBytes = 65536;  ///< largest serialised payload a sendData may carry
  int hookAttempts = 3;  ///< most POSTs of one OnDataEvent to the backend (first included)
  /// No attempt starts later than this after the sendData was accepted.
  int hookDeadlineMs = 10000;
  int workers = 4;                    ///< threads posting to backends
  std::size_t queueCapacity = 10000;  ///< sendData to backends accepted and not yet answered
  /// Most sendData of one application being posted or waiting for a retry at a time; below
  /// `workers`, a slow backend never holds every worker.
  int perAppInFlight = 2;
  /// Most sendData of one application accepted and waiting for a worker.
  std::size_t perAppQueue = 1000;
  int commitTimeoutMs = 10000;  ///< how long a request waits for its OnDataEvent's commit
  int hookTimeoutMs = 5000;     ///< one attempt's timeout (connect, then the answer)
  /// Delay before the second attempt; each next one is 4 times longer.
  int firstRetryDelayMs = 250;
};

/// sendData: a session's JSON payload delivered to its application's backend, to another
/// live session of the same application, or from the backend (admin API) to a session.
///
/// To the backend: the OnDataEvent {operationId, payload, direction "outgoing", to "backend",
/// hookDelivery "direct"} is recorded on the sender's session. The marker hookDelivery
/// "direct" keeps the generic hook outbox from sending it: a worker POSTs it instead, signed,
/// to <hookUrl>/OnDataEvent through DataHook. Each application has its own queue (at most
/// perAppQueue waiting) and at most perAppInFlight posts at a time; the workers serve the
/// applications with work and a free slot in turn, so a slow backend delays only its own
/// application. Retry policy of this synchronous hook: at most hookAttempts attempts; a 2xx
/// answer is ACCEPTED; no answer (timeout, refused connection), 408, 429 and 5xx are retried
/// after firstRetryDelayMs, then 4 times that, and so on (a Retry-After of a 429 or 503
/// replaces the delay; no worker is held meanwhile); any other answer fails at once. No
/// attempt starts later than hookDeadlineMs after acceptance: a sendData still queued then
/// fails with "deadline passed before the backend could be reached", a retry that would
/// start later is not made. The
/// outcome is a DataStatusEvent {operationId, status ACCEPTED|FAILED, httpStatus, attempts,
/// info} on the sender's session, delivered like every event (hooks included).
///
/// To sessions: `to` names a session id or a SIP login of the application; every live
/// session it names except the sender (a login may have several, one per browser tab) gets
/// OnDataEvent {operationId, payload, from, fromLogin, incoming true}, then the sender gets
/// DataStatusEvent ACCEPTED {operationId, to, deliveredTo: [session ids]} once all committed.
///
/// Thread-safe. send() and sendToSession() block for the commit (HTTP threads only).
/// onCommitted() runs on the store writer thread and never blocks. stop() (also run by the
/// destructor) ends the work while the store still records: queued work gets DataStatusEvent
/// FAILED "node shutting down", posts in flight get their real outcome; whatever the store
/// could not record is failed by failLeftovers() at the next start.
class DataChannels final : public CommitListener {
 public:
  /// Records a DataStatusEvent FAILED with these fields on a session of a previous run.
  using LeftoverRecorder = std::function<void(const UnansweredData&, Poco::DynamicStruct)>;

  /// Every reference must outlive this object. Starts config.workers threads.
  DataChannels(DataConfig config, SessionContext& sessions, AppDirectory& apps, DataHook& hook,
               DataStore& store);
  ~DataChannels() override;
  DataChannels(const DataChannels&) = delete;
  DataChannels& operator=(const DataChannels&) = delete;

  /// The sendData method. Returns the operationId once the OnDataEvent (every one, with `to`)
  /// is committed. Throws an invalid-field DomainError naming the field (payload larger than
  /// maxPayloadBytes, `to` naming only the sender), NotFound (to) when `to` is no live session
  /// of the application, Conflict (operationId) when an OnDataEvent for the backend
  /// with the same operationId of the session awaits its commit, Unavailable when queueCapacity or
  /// the application's perAppQueue is reached, after stop(), or when the commit takes longer than
  /// commitTimeoutMs.
  std::string send(const std::shared_ptr<Session>& session, const SendData& request);
  /// sendData from the backend (never with `to`) as OnDataEvent {operationId,
  /// payload, from "backend", incoming true} on `target`. Returns the operationId once
  /// committed. Throws like send().
  std::string sendToSession(const std::shared_ptr<Session>& target, const SendData& request);
  /// At start, before any session exists: every OnDataEvent `nodeId` sent to a backend
  /// without an outcome gets one through `record` (FAILED, "node restarted before the
  /// backend answered"). Throws Unavailable when the store is down.
  void failLeftovers(const std::string& nodeId, const LeftoverRecorder& record);

  /// Stops taking work (send() and sendToSession() then throw Unavailable), fails the queued
  /// sendData with "node shutting down", lets each post in flight finish (at most
  /// hookTimeoutMs; no retry follows) and records its outcome, then joins the workers. Call it
  /// before the event store stops, from one thread; later calls do nothing.
  void stop();

  /// Picks up committed OnDataEvents bound for a backend (store writer thread).
  void onCommitted(const std::vector<Event>& batch) override;

 private:
  /// Refuses a payload larger than maxPayloadBytes once serialised (field payload).
  void checkPayloadSize(const SendData& request) const;
  using Clock = std::chrono::steady_clock;
  struct Job;
  struct State;

  /// Throws Unavailable once stop() has begun.
  void refuseWhenStopped() const;
  /// sendData with `to`: OnDataEvent on every session `to` names but the sender; blocks for
  /// their commits.
  void sendToSessions(const std::shared_ptr<Session>& sender, const std::string& to,
                      const std::string& operationId, const Poco::Dynamic::Var& payload);
  void workLoop();
  /// Makes the job's next attempt (worker thread), then finishes it or schedules a retry.
  void attempt(const std::shared_ptr<Job>& job);
  /// Records the DataStatusEvent and frees the job's in-flight slot.
  void finish(Job& job, bool accepted, const std::string& info);

  const DataConfig config_;
  DataHook& hook_;
  DataStore& store_;
  AppDirectory& apps_;
  std::shared_ptr<State> state_;  ///< shared with commit callbacks that may outlive this
  std::vector<std::thread> workers_;
};

}  // namespace sipbridge::core
