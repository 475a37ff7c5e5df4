#include "sipbridge/store/PgCallStore.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"

namespace sipbridge::store {
namespace {

/// Open legs are few (the calls up at one moment); call_legs_open covers ended_at IS NULL.
constexpr const char* kOpenSql = R"SQL(
SELECT session_id, app_key, call_id FROM call_legs
WHERE ended_at IS NULL AND node_id = $1
ORDER BY created_at, leg_id
)SQL";

}  // namespace

PgCallStore::PgCallStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

std::vector<core::OpenCallLeg> PgCallStore::openOnNode(const std::string& nodeId) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    auto r = conn->exec(kOpenSql, {nodeId});
    std::vector<core::OpenCallLeg> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
    return out;
  });
}

}  // namespace sipbridge::store
