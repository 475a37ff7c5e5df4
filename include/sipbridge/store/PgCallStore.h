#pragma once

#include "sipbridge/core/CallStore.h"

#include <memory>

namespace sipbridge::store {

class ConnectionPool;

/// core::CallStore on the `call_legs` table (schema/013_calls.sql). Thread-safe (a lease of
/// `pool` per call); throws core::Unavailable when the database cannot be reached.
class PgCallStore : public core::CallStore {
 public:
  explicit PgCallStore(std::shared_ptr<ConnectionPool> pool);

  std::vector<core::OpenCallLeg> openOnNode(const std::string& nodeId) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
