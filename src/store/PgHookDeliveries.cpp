#include "sipbridge/store/PgHookDeliveries.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"

#include <Poco/UUID.h>

#include <algorithm>

namespace sipbridge::store {

namespace {

bool isUuid(const std::string& text) {
  Poco::UUID uuid;
  return text.size() == 36 && uuid.tryParse(text);
}

constexpr const char* kWhere =
    "($1::text IS NULL OR app_key = $1) AND ($2::text IS NULL OR state = $2) "
    "AND ($3::uuid IS NULL OR event_id = $3) ";

}  // namespace

PgHookDeliveries::PgHookDeliveries(std::shared_ptr<ConnectionPool> pool, int retryPeriodSeconds)
    : pool_(std::move(pool)), retryPeriodSeconds_(retryPeriodSeconds) {}

std::vector<core::HookDelivery> PgHookDeliveries::find(const core::DeliveryFilter& filter) {
  if (filter.eventId && !isUuid(*filter.eventId)) return {};
  return atEdge([&] {
    auto conn = pool_->acquire();
    auto r = conn->exec(
        "SELECT id, event_id, app_key, event_type, state, attempts, "
        "coalesce(last_http_status, 0), coalesce(last_error, ''), " +
            msOf("created_at") + ", " + msOf("next_attempt_at") + ", coalesce(" +
            msOf("delivered_at") + ", 0) FROM hook_deliveries WHERE " + kWhere +
            "ORDER BY id DESC LIMIT $4",
        {filter.appKey, filter.state, filter.eventId,
         std::to_string(std::clamp(filter.limit, 1, 1000))});
    std::vector<core::HookDelivery> out;
    for (int i = 0; i < r.rows(); ++i) {
      core::HookDelivery d;
      d.id = r.int64(i, 0);
      d.eventId = r.text(i, 1);
      d.appKey = r.text(i, 2);
      d.eventType = r.text(i, 3);
      d.state = r.text(i, 4);
      d.attempts = static_cast<int>(r.int64(i, 5));
      d.lastHttpStatus = static_cast<int>(r.int64(i, 6));
      d.lastError = r.text(i, 7);
      d.createdMs = r.int64(i, 8);
      d.nextAttemptMs = r.int64(i, 9);
      d.deliveredMs = r.int64(i, 10);
      out.push_back(std::move(d));
    }
    return out;
  });
}

int PgHookDeliveries::replay(const core::DeliveryFilter& filter) {
  if (filter.eventId && !isUuid(*filter.eventId)) return 0;
  return atEdge([&] {
    auto conn = pool_->acquire();
    auto r = conn->exec(
        std::string("UPDATE hook_deliveries SET state = 'pending', next_attempt_at = now(), "
                    "lease_until = NULL, retry_until = now() + make_interval(secs => $5::int) "
                    "WHERE id IN (SELECT id FROM hook_deliveries WHERE state IN ('dead', "
                    "'disabled') AND ") +
            kWhere + "ORDER BY id LIMIT $4 FOR UPDATE)",
        {filter.appKey, filter.state, filter.eventId,
         std::to_string(std::clamp(filter.limit, 1, 100000)), std::to_string(retryPeriodSeconds_)});
    return static_cast<int>(r.affected());
  });
}

}  // namespace sipbridge::store
