#include "sipbridge/store/Partitions.h"

#include "sipbridge/store/ConnectionPool.h"

namespace sipbridge::store {

Partitions::Partitions(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

int Partitions::ensure(int daysAhead) {
  auto conn = pool_->acquire();
  // One transaction per day keeps each lock short.
  auto result = conn->exec(
      "SELECT ((now() AT TIME ZONE 'UTC')::date + d)::text "
      "FROM generate_series(-1, $1::int) AS d",
      {std::to_string(daysAhead < 0 ? 0 : daysAhead)});
  int created = 0;
  for (int i = 0; i < result.rows(); ++i) {
    auto made =
        conn->exec("SELECT sipbridge_ensure_event_partition($1::date)", {result.text(i, 0)});
    if (made.boolean(0, 0)) ++created;
  }
  return created;
}

bool Partitions::ensureDay(const std::string& isoDate) {
  auto conn = pool_->acquire();
  return conn->exec("SELECT sipbridge_ensure_event_partition($1::date)", {isoDate}).boolean(0, 0);
}

int Partitions::dropOlderThan(int retentionDays) {
  auto conn = pool_->acquire();
  const std::string days = std::to_string(retentionDays);
  auto result = conn->exec(
      "SELECT sipbridge_drop_event_partitions_before((now() AT TIME ZONE 'UTC')::date - "
      "$1::int)",
      {days});
  conn->exec("SELECT sipbridge_prune_records_before((now() AT TIME ZONE 'UTC')::date - $1::int)",
             {days});
  return static_cast<int>(result.int64(0, 0));
}

}  // namespace sipbridge::store
