#pragma once

#include <string>

namespace sipbridge::store {

/// Settings of the store module, read once by the composition root.
struct StoreConfig {
  /// libpq connection string (key=value or URI). A connect_timeout of 2 s applies unless
  /// it sets its own; keep it short so requests fail fast (503) while the database is down.
  std::string conninfo;
  /// Connections of the shared pool (queries, outbox, admin); the event writer has its own.
  int poolSize = 8;
  /// Most events written by one group commit (one transaction, one statement).
  int maxBatch = 500;
  /// Queue depth above which EventWriter::accepting() turns false (edges answer 503).
  int queueLimit = 20000;
  /// How long a hook delivery is retried: retry_until = recorded + this period.
  int hookRetryPeriodSeconds = 86400;
  /// Day partitions of events created ahead of today (plus yesterday and today).
  int partitionDaysAhead = 7;
  /// Event partitions (and their hook deliveries) older than this many days are dropped.
  int retentionDays = 30;
  /// Directory holding the NNN_name.sql migrations (the repository's schema/).
  std::string schemaDir = "schema";
  /// How long EventWriter::stop() keeps trying to commit what is queued.
  int stopDrainMs = 5000;
};

}  // namespace sipbridge::store
