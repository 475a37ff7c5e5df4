#pragma once

#include "sipbridge/core/EventQuery.h"

#include <memory>

namespace sipbridge::store {

class ConnectionPool;

/// core::EventQuery on the `events` table; events are rebuilt from their payload with
/// core::eventFromJson. Thread-safe; throws core::Unavailable when the database cannot be
/// reached.
class PgEventQuery : public core::EventQuery {
 public:
  explicit PgEventQuery(std::shared_ptr<ConnectionPool> pool);
  std::vector<core::Event> sessionEventsAfter(const std::string& sessionId, std::int64_t afterSeq,
                                              int limit) override;
  /// Ordered by row_id (commit order); nextCursor is the last row_id of a full page.
  /// `limit` is clamped to 1..1000.
  core::EventPage find(const core::EventFilter& filter) override;
  std::int64_t lastSeq(const std::string& sessionId) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
