#include "sipbridge/store/Outbox.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/PgArray.h"

namespace sipbridge::store {

namespace {

const std::string kClaimSql =
    "WITH c AS ("
    " UPDATE hook_deliveries d"
    " SET lease_until = now() + make_interval(secs => $1::int), attempts = d.attempts + 1"
    " WHERE d.id IN ("
    "  SELECT h.id FROM hook_deliveries h"
    "  WHERE h.state = 'pending' AND h.next_attempt_at <= now()"
    "  AND (h.lease_until IS NULL OR h.lease_until < now())"
    "  AND h.app_key <> ALL($2::text[])"
    "  AND EXISTS (SELECT 1 FROM apps a WHERE a.app_key = h.app_key"
    "              AND a.hook_url <> '' AND NOT a.hook_disabled)"
    "  ORDER BY h.next_attempt_at LIMIT $3 FOR UPDATE OF h SKIP LOCKED)"
    " RETURNING d.id, d.event_id, d.event_created_at, d.event_type, d.app_key, d.attempts,"
    "  d.created_at, d.retry_until)"
    " SELECT c.id, c.event_id::text, c.event_type, c.app_key, a.hook_url, a.secret,"
    "  e.payload::text, c.attempts - 1, " +
    msOf("c.created_at") + ", " + msOf("c.retry_until") +
    " FROM c JOIN apps a ON a.app_key = c.app_key"
    " JOIN events e ON e.created_at = c.event_created_at AND e.event_id = c.event_id"
    " ORDER BY c.id";

std::string code(int httpStatus) {
  return std::to_string(httpStatus);
}

}  // namespace

Outbox::Outbox(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

std::vector<ClaimedDelivery> Outbox::claim(int limit, std::chrono::seconds lease,
                                           const std::vector<std::string>& excludeApps) {
  if (limit <= 0) return {};
  auto conn = pool_->acquire();
  auto r = conn->exec(kClaimSql, {std::to_string(lease.count()), PgArray::text(excludeApps),
                                  std::to_string(limit)});
  std::vector<ClaimedDelivery> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    ClaimedDelivery d;
    d.id = r.int64(i, 0);
    d.eventId = r.text(i, 1);
    d.eventType = r.text(i, 2);
    d.appKey = r.text(i, 3);
    d.hookUrl = r.text(i, 4);
    d.secret = r.text(i, 5);
    d.payload = r.text(i, 6);
    d.attempts = static_cast<int>(r.int64(i, 7));
    d.createdMs = r.int64(i, 8);
    d.retryUntilMs = r.int64(i, 9);
    out.push_back(std::move(d));
  }
  return out;
}

void Outbox::markDelivered(std::int64_t id, int httpStatus) {
  auto conn = pool_->acquire();
  conn->exec(
      "UPDATE hook_deliveries SET state = 'delivered', delivered_at = now(), lease_until = NULL,"
      " last_http_status = $2, last_error = NULL WHERE id = $1 AND state = 'pending'",
      {std::to_string(id), code(httpStatus)});
}

void Outbox::markRetry(std::int64_t id, std::int64_t nextAttemptMs, int httpStatus,
                       const std::string& error) {
  auto conn = pool_->acquire();
  conn->exec(
      "UPDATE hook_deliveries SET lease_until = NULL, last_http_status = $2, last_error = $3,"
      " next_attempt_at = timestamptz 'epoch' + $4::bigint * interval '1 millisecond'"
      " WHERE id = $1 AND state = 'pending'",
      {std::to_string(id), code(httpStatus), error, std::to_string(nextAttemptMs)});
}

void Outbox::markDead(std::int64_t id, int httpStatus, const std::string& error) {
  auto conn = pool_->acquire();
  conn->exec(
      "UPDATE hook_deliveries SET state = 'dead', lease_until = NULL, last_http_status = $2,"
      " last_error = $3 WHERE id = $1 AND state = 'pending'",
      {std::to_string(id), code(httpStatus), error});
}

void Outbox::disableEndpoint(std::int64_t id, const std::string& appKey, int httpStatus) {
  auto conn = pool_->acquire();
  // One statement, so one transaction: the flag and the deliveries change together.
  conn->exec(
      "WITH app AS (UPDATE apps SET hook_disabled = true WHERE app_key = $2 RETURNING app_key)"
      " UPDATE hook_deliveries SET state = 'disabled', lease_until = NULL,"
      " last_http_status = CASE WHEN id = $1 THEN $3 ELSE last_http_status END,"
      " last_error = CASE WHEN id = $1 THEN 'endpoint gone (410): disabled' ELSE last_error END"
      " WHERE app_key = $2 AND state = 'pending'",
      {std::to_string(id), appKey, code(httpStatus)});
}

std::int64_t Outbox::msUntilNextDue() {
  auto conn = pool_->acquire();
  auto r = conn->exec(
      "SELECT greatest(0, ceil(extract(epoch FROM min(greatest(next_attempt_at,"
      " coalesce(lease_until, next_attempt_at))) - now()) * 1000))::bigint"
      " FROM hook_deliveries h WHERE state = 'pending' AND EXISTS (SELECT 1 FROM apps a"
      " WHERE a.app_key = h.app_key AND a.hook_url <> '' AND NOT a.hook_disabled)");
  return r.isNull(0, 0) ? -1 : r.int64(0, 0);
}

}  // namespace sipbridge::store
