#pragma once

#include <memory>
#include <string>

namespace sipbridge::store {

class ConnectionPool;

/// Maintenance of the day partitions (UTC) of `events`. Run at start-up and then about
/// hourly by the composition root; idempotent and safe to run on several nodes at once
/// (the SQL functions of schema/002 serialise on an advisory lock).
///
/// Partitions are created `daysAhead` days in advance so rows never land in the DEFAULT
/// partition in normal operation; when some did (late maintenance), creating their day
/// moves them out of the default partition first (attaching would fail otherwise).
class Partitions {
 public:
  explicit Partitions(std::shared_ptr<ConnectionPool> pool);

  /// Creates the partitions from yesterday to today + daysAhead. Returns how many were new.
  int ensure(int daysAhead);
  /// Creates the partition of one day, given as "YYYY-MM-DD". Returns true when new.
  bool ensureDay(const std::string& isoDate);
  /// Drops partitions of days older than today - retentionDays (and old default-partition
  /// rows and hook deliveries of those days), then prunes the reporting rows of those days
  /// (messages, call legs, ended sessions). Returns how many partitions were dropped.
  int dropOlderThan(int retentionDays);

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
