#include "StoreDatabase.h"

#include "sipbridge/store/Migrations.h"

namespace sipbridge::test {

StoreDatabase::StoreDatabase(const std::string& name, int connections) : name(name) {
  config.conninfo = pg.createDatabase(name);
  config.schemaDir = repoRoot() + "/schema";
  pool = std::make_shared<store::ConnectionPool>(config.conninfo, connections);
  store::Migrations::apply(*pool, config.schemaDir);
}

}  // namespace sipbridge::test
