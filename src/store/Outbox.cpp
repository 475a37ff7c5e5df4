#include "sipbridge/store/Outbox.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/PgArray.h"

#include <algorithm>

namespace sipbridge::store {

namespace {

/// Leases the rows chosen by `pick` (a query yielding ids) and returns them with their
/// application's URL and secret and the event payload.
std::string claimSql(const std::string& pick) {
  return "WITH pick AS (" + pick +
         "), c AS ("
         " UPDATE hook_deliveries d"
         " SET lease_until = now() + make_interval(secs => $1::int), attempts = d.attempts + 1"
         " WHERE d.id IN (SELECT id FROM pick)"
         " RETURNING d.id, d.event_id, d.event_created_at, d.event_type, d.app_key, d.attempts,"
         "  d.created_at, d.retry_until)"
         " SELECT c.id, c.event_id::text, c.event_type, c.app_key, a.hook_url, a.secret,"
         "  e.payload::text, c.attempts - 1, " +
         msOf("c.created_at") + ", " + msOf("c.retry_until") +
         ", a.development, a.client_certificate, a.client_key"
         " FROM c JOIN apps a ON a.app_key = c.app_key"
         " JOIN events e ON e.created_at = c.event_created_at AND e.event_id = c.event_id"
         " ORDER BY c.id";
}

const std::string kDue =
    "h.state = 'pending' AND h.next_attempt_at <= now()"
    " AND (h.lease_until IS NULL OR h.lease_until < now())";

const std::string kClaimSql =
    claimSql("SELECT h.id FROM hook_deliveries h WHERE " + kDue +
             " AND h.app_key <> ALL($2::text[])"
             " AND EXISTS (SELECT 1 FROM apps a WHERE a.app_key = h.app_key"
             "             AND a.hook_url <> '' AND NOT a.hook_disabled)"
             " ORDER BY h.next_attempt_at LIMIT $3 FOR UPDATE OF h SKIP LOCKED");

// For each application with hooks and room, its oldest due rows up to its room (locked
// with SKIP LOCKED, rechecked on the newest row version); then the oldest of those.
const std::string kClaimPerAppSql = claimSql(
    "SELECT p.id FROM apps a"
    " CROSS JOIN LATERAL (SELECT h.id, h.next_attempt_at FROM hook_deliveries h"
    "  WHERE h.app_key = a.app_key AND " +
    kDue +
    "  ORDER BY h.next_attempt_at"
    "  LIMIT coalesce((SELECT r.room FROM unnest($2::text[], $3::int[]) AS r(app_key, room)"
    "                  WHERE r.app_key = a.app_key), $4::int)"
    "  FOR UPDATE OF h SKIP LOCKED) p"
    " WHERE a.hook_url <> '' AND NOT a.hook_disabled"
    " ORDER BY p.next_attempt_at LIMIT $5");

const std::string kRecordSql =
    "UPDATE hook_deliveries d SET"
    " state = CASE u.kind WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead'"
    "  ELSE d.state END,"
    " delivered_at = CASE WHEN u.kind = 'delivered' THEN now() ELSE d.delivered_at END,"
    " lease_until = NULL, last_http_status = u.status,"
    " last_error = CASE WHEN u.kind = 'delivered' THEN NULL ELSE u.error END,"
    " next_attempt_at = CASE WHEN u.kind = 'retry'"
    "  THEN timestamptz 'epoch' + u.next_ms * interval '1 millisecond' ELSE d.next_attempt_at END"
    " FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::bigint[])"
    "  AS u(id, kind, status, error, next_ms)"
    " WHERE d.id = u.id AND d.state = 'pending'";

constexpr const char* kClaimPerAppName = "sipbridge_outbox_claim_per_app";
constexpr const char* kRecordName = "sipbridge_outbox_record";

/// Runs `sql`, prepared once per connection under `name`, with its generic plan: planning
/// these statements costs about as much as running them (the claim joins the partitioned
/// events), and their generic plans are as good as the custom ones. The commit does not
/// wait for the WAL flush (synchronous_commit off; the flush costs milliseconds, more than
/// the statement): a claim or an outcome lost with the last instants of a database crash
/// only makes the delivery pending again, to be delivered again (at least once), with one
/// attempt less counted. The settings are local to the transaction so that other
/// statements on the pooled connection keep the defaults; a failure leaves the transaction
/// open and the pool then discards the connection.
PgResult execGeneric(PgConnection& conn, const char* name, const std::string& sql,
                     const PgParams& params) {
  if (!conn.hasPrepared(name)) conn.prepare(name, sql, static_cast<int>(params.size()));
  conn.exec(
      "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan;"
      " SET LOCAL synchronous_commit = off");
  PgResult result = conn.execPrepared(name, params);
  conn.exec("COMMIT");
  return result;
}

std::vector<ClaimedDelivery> claimedRows(const PgResult& r) {
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
    d.development = r.boolean(i, 10);
    d.clientCertificate = r.text(i, 11);
    d.clientKey = r.text(i, 12);
    out.push_back(std::move(d));
  }
  return out;
}

const char* kindName(AttemptRecord::Kind kind) {
  switch (kind) {
    case AttemptRecord::Kind::Delivered:
      return "delivered";
    case AttemptRecord::Kind::Dead:
      return "dead";
    case AttemptRecord::Kind::Retry:
      break;
  }
  return "retry";
}

std::string code(int httpStatus) {
  return std::to_string(httpStatus);
}

}  // namespace

Outbox::Outbox(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

std::vector<ClaimedDelivery> Outbox::claim(int limit, std::chrono::seconds lease,
                                           const std::vector<std::string>& excludeApps) {
  if (limit <= 0) return {};
  auto conn = pool_->acquire();
  return claimedRows(conn->exec(kClaimSql, {std::to_string(lease.count()),
                                            PgArray::text(excludeApps), std::to_string(limit)}));
}

std::vector<ClaimedDelivery> Outbox::claimPerApp(int limit, std::chrono::seconds lease,
                                                 int perAppLimit,
                                                 const std::vector<AppRoom>& rooms) {
  if (limit <= 0 || perAppLimit <= 0) return {};
  std::vector<std::string> apps;
  std::vector<std::int64_t> room;
  for (const auto& r : rooms) {
    apps.push_back(r.appKey);
    room.push_back(std::max(0, r.room));
  }
  auto conn = pool_->acquire();
  return claimedRows(
      execGeneric(*conn, kClaimPerAppName, kClaimPerAppSql,
                  {std::to_string(lease.count()), PgArray::text(apps), PgArray::int64(room),
                   std::to_string(perAppLimit), std::to_string(limit)}));
}

void Outbox::record(const std::vector<AttemptRecord>& attempts) {
  if (attempts.empty()) return;
  std::vector<std::int64_t> ids, statuses, next;
  std::vector<std::string> kinds, errors;
  for (const auto& a : attempts) {
    ids.push_back(a.id);
    kinds.emplace_back(kindName(a.kind));
    statuses.push_back(a.httpStatus);
    errors.push_back(a.error);
    next.push_back(a.nextAttemptMs);
  }
  auto conn = pool_->acquire();
  execGeneric(*conn, kRecordName, kRecordSql,
              {PgArray::int64(ids), PgArray::text(kinds), PgArray::int64(statuses),
               PgArray::text(errors), PgArray::int64(next)});
}

void Outbox::markDelivered(std::int64_t id, int httpStatus) {
  record({{id, AttemptRecord::Kind::Delivered, httpStatus, {}, 0}});
}

void Outbox::markRetry(std::int64_t id, std::int64_t nextAttemptMs, int httpStatus,
                       const std::string& error) {
  record({{id, AttemptRecord::Kind::Retry, httpStatus, error, nextAttemptMs}});
}

void Outbox::markDead(std::int64_t id, int httpStatus, const std::string& error) {
  record({{id, AttemptRecord::Kind::Dead, httpStatus, error, 0}});
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
