#pragma once

#include <string>
#include <vector>

namespace sipbridge::store {

class ConnectionPool;

/// Schema migrations: the files `NNN_name.sql` of a directory, applied in NNN order, each
/// once, each in its own transaction, recorded in `schema_migrations`. Several nodes may
/// start at once: the work is done under a session advisory lock. A file must not contain
/// its own BEGIN/COMMIT (it runs inside the migration's transaction).
class Migrations {
 public:
  /// Applies the missing migrations; returns the versions applied now (empty when none).
  /// Throws StoreUnavailable when the database cannot be reached, StoreError when a file
  /// cannot be read or a migration fails (that migration is rolled back).
  static std::vector<int> apply(ConnectionPool& pool, const std::string& schemaDir);
};

}  // namespace sipbridge::store
