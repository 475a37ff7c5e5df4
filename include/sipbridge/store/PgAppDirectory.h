#pragma once

#include "sipbridge/core/AppDirectory.h"

#include <memory>

namespace sipbridge::store {

class ConnectionPool;

/// core::AppDirectory on the `apps` table. No cache: every call is one statement.
/// Thread-safe; throws core::Unavailable when the database cannot be reached.
class PgAppDirectory : public core::AppDirectory {
 public:
  explicit PgAppDirectory(std::shared_ptr<ConnectionPool> pool);
  std::optional<core::App> find(const std::string& appKey) override;
  std::vector<core::App> list() override;
  bool put(const core::App& app) override;
  bool remove(const std::string& appKey) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
