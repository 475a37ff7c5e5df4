#pragma once

#include "sipbridge/core/DataStore.h"

#include <memory>

namespace sipbridge::store {

class ConnectionPool;

/// core::DataStore on the `events` table: what sendData needs to read back at start.
/// Thread-safe (a lease of `pool` per call); throws core::Unavailable when the database
/// cannot be reached.
class PgDataStore : public core::DataStore {
 public:
  explicit PgDataStore(std::shared_ptr<ConnectionPool> pool);

  /// One query: outgoing OnDataEvents of `nodeId` from the last day without a later
  /// DataStatusEvent of the same session carrying the same operationId.
  std::vector<core::UnansweredData> unanswered(const std::string& nodeId) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
