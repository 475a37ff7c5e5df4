#pragma once

#include "TestEnv.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/StoreConfig.h"

#include <memory>
#include <string>

namespace sipbridge::test {

/// A private PostgreSQL holding one database `name` migrated to the repository's schema, a
/// StoreConfig naming it (conninfo, schemaDir; other fields at their defaults for the suite to
/// adjust) and a pool of `connections` on it: the shared state of a store test suite. The pool
/// is closed before the server stops. Used from the test thread.
struct StoreDatabase {
  explicit StoreDatabase(const std::string& name, int connections = 4);
  StoreDatabase(const StoreDatabase&) = delete;
  StoreDatabase& operator=(const StoreDatabase&) = delete;

  /// Runs SQL through psql on this database; its unaligned, tuples-only output.
  std::string sql(const std::string& statement) const { return pg.psql(statement, name); }

  PgInstance pg;
  const std::string name;
  store::StoreConfig config;
  std::shared_ptr<store::ConnectionPool> pool;
};

}  // namespace sipbridge::test
