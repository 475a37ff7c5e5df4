#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sipbridge::store {

class ConnectionPool;

/// A hook delivery leased to one worker until `leaseUntilMs`.
struct ClaimedDelivery {
  std::int64_t id = 0;
  std::string eventId;    ///< webhook-id
  std::string eventType;  ///< URL path segment: <hookUrl>/<eventType>
  std::string appKey;
  std::string hookUrl;            ///< the application's base URL at claim time
  std::string secret;             ///< the application's signing secret
  bool development = false;       ///< the application is marked development (see core::App)
  std::string clientCertificate;  ///< PEM, empty when none
  std::string clientKey;          ///< PEM private key of clientCertificate
  std::string payload;            ///< the event JSON, exactly as committed
  int attempts = 0;               ///< attempts made before this one
  std::int64_t createdMs = 0;
  std::int64_t retryUntilMs = 0;  ///< after this instant a failure makes it dead
};

/// How much one application may still take in a claim (its free concurrency).
struct AppRoom {
  std::string appKey;
  int room = 0;  ///< 0: the application gets nothing
};

/// The outcome of one attempt, as recorded by Outbox::record.
struct AttemptRecord {
  enum class Kind { Delivered, Retry, Dead };
  std::int64_t id = 0;
  Kind kind = Kind::Retry;
  int httpStatus = 0;
  std::string error;               ///< ignored for Delivered (cleared)
  std::int64_t nextAttemptMs = 0;  ///< Retry only: the instant of the next attempt
};

/// The hook-delivery outbox in PostgreSQL, shared by every node. Thread-safe (each call
/// takes a connection from the pool). Throws store::StoreUnavailable when the database
/// cannot be reached.
///
/// Attempts are counted when a delivery is claimed (a worker that crashes mid-attempt
/// still used one); ClaimedDelivery::attempts is the count before this claim. Every mark*
/// clears the lease and applies only to a pending delivery (a late answer for a delivery
/// meanwhile disabled or replayed changes nothing).
class Outbox {
 public:
  explicit Outbox(std::shared_ptr<ConnectionPool> pool);

  /// Leases up to `limit` pending deliveries that are due, oldest due first, skipping rows
  /// locked or leased by others and deliveries of the applications in `excludeApps`
  /// (those already at their concurrency cap), with FOR UPDATE SKIP LOCKED. An expired
  /// lease (crashed worker) makes a delivery claimable again.
  std::vector<ClaimedDelivery> claim(int limit, std::chrono::seconds lease,
                                     const std::vector<std::string>& excludeApps);
  /// Leases up to `limit` due pending deliveries, oldest due first, at most
  /// `perAppLimit` of any one application, or fewer for those listed in `rooms` (their
  /// deliveries already in flight use part of the cap). One claim can so fill every free
  /// worker without exceeding any application's cap. Same locking, lease and attempt
  /// counting as claim(). Prepared once per pooled connection and run with its generic
  /// plan (planning it cost as much as running it), as is record().
  std::vector<ClaimedDelivery> claimPerApp(int limit, std::chrono::seconds lease, int perAppLimit,
                                           const std::vector<AppRoom>& rooms);
  /// Records the outcomes of several attempts in one statement (one transaction):
  /// delivered, retry (rescheduled) or dead, each clearing the lease.
  void record(const std::vector<AttemptRecord>& attempts);
  /// Records a 2xx answer.
  void markDelivered(std::int64_t id, int httpStatus);
  /// Records a failed attempt and schedules the next one.
  void markRetry(std::int64_t id, std::int64_t nextAttemptMs, int httpStatus,
                 const std::string& error);
  /// Records the final failed attempt: the delivery is kept as dead (replayable).
  void markDead(std::int64_t id, int httpStatus, const std::string& error);
  /// 410 Gone: disables the application's endpoint and marks its pending deliveries disabled.
  void disableEndpoint(std::int64_t id, const std::string& appKey, int httpStatus);
  /// Milliseconds until the earliest pending delivery is due (0 if one is due now, -1 if none).
  std::int64_t msUntilNextDue();

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
