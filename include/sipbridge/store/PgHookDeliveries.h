#pragma once

#include "sipbridge/core/HookDeliveries.h"

#include <memory>

namespace sipbridge::store {

class ConnectionPool;

/// core::HookDeliveries on the `hook_deliveries` table. Thread-safe; throws
/// core::Unavailable when the database cannot be reached.
class PgHookDeliveries : public core::HookDeliveries {
 public:
  /// `retryPeriodSeconds`: the fresh retry period a replayed delivery gets.
  PgHookDeliveries(std::shared_ptr<ConnectionPool> pool, int retryPeriodSeconds);
  /// Newest first. An eventId that is not a UUID matches nothing.
  std::vector<core::HookDelivery> find(const core::DeliveryFilter& filter) override;
  /// Dead or disabled deliveries matching the filter (at most filter.limit, oldest first)
  /// become pending, due now, retry_until = now + period; attempts are kept as history.
  /// A delivery of an application whose endpoint is still disabled is replayed but only
  /// claimed once the application is enabled again.
  int replay(const core::DeliveryFilter& filter) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
  int retryPeriodSeconds_;
};

}  // namespace sipbridge::store
