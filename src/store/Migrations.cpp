#include "sipbridge/store/Migrations.h"

#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/StoreError.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace sipbridge::store {

namespace {

/// Key of the advisory lock taken while migrating (any constant shared by all nodes).
constexpr const char* kLockKey = "7412093355";

std::map<int, std::filesystem::path> migrationFiles(const std::string& dir) {
  std::map<int, std::filesystem::path> files;
  static const std::regex pattern(R"(^(\d{3})_[A-Za-z0-9_\-]+\.sql$)");
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::smatch match;
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(name, match, pattern)) continue;
    int version = std::stoi(match[1].str());
    if (!files.emplace(version, entry.path()).second)
      throw StoreError("two migrations with version " + match[1].str() + " in " + dir);
  }
  if (error) throw StoreError("cannot read schema directory " + dir + ": " + error.message());
  return files;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StoreError("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<int> Migrations::apply(ConnectionPool& pool, const std::string& schemaDir) {
  auto files = migrationFiles(schemaDir);
  auto conn = pool.acquire();
  conn->exec("SELECT pg_advisory_lock($1::bigint)", {kLockKey});
  std::vector<int> applied;
  try {
    conn->exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    std::set<int> done;
    auto rows = conn->exec("SELECT version FROM schema_migrations");
    for (int i = 0; i < rows.rows(); ++i) done.insert(static_cast<int>(rows.int64(i, 0)));
    for (const auto& [version, path] : files) {
      if (done.count(version)) continue;
      std::string sql = readFile(path);
      conn->exec("BEGIN");
      try {
        conn->exec(sql);
        conn->exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                   {std::to_string(version), path.filename().string()});
        conn->exec("COMMIT");
      } catch (const StoreError& error) {
        if (conn->healthy()) conn->exec("ROLLBACK");
        error.rethrow();
      }
      applied.push_back(version);
    }
  } catch (const StoreError&) {
    if (conn->healthy() && !conn->idleInTransaction())
      conn->exec("SELECT pg_advisory_unlock($1::bigint)", {kLockKey});
    throw;
  }
  conn->exec("SELECT pg_advisory_unlock($1::bigint)", {kLockKey});
  return applied;
}

}  // namespace sipbridge::store
