#include "sipbridge/store/PgDataStore.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"

namespace sipbridge::store {
namespace {

/// Uses events_type_status_created for the OnDataEvents (their status is empty) and
/// events_session_seq for the outcome of each.
constexpr const char* kUnansweredSql = R"SQL(
SELECT o.session_id, o.app_key, o.payload ->> 'operationId'
FROM events o
WHERE o.type = 'OnDataEvent' AND o.status = '' AND o.created_at > now() - interval '1 day'
  AND o.node_id = $1 AND o.payload ->> 'direction' = 'outgoing'
  AND NOT EXISTS (
    SELECT 1 FROM events s
    WHERE s.session_id = o.session_id AND s.seq > o.seq AND s.type = 'DataStatusEvent'
      AND s.created_at >= o.created_at
      AND s.payload ->> 'operationId' = o.payload ->> 'operationId')
ORDER BY o.created_at, o.session_id, o.seq
)SQL";

}  // namespace

PgDataStore::PgDataStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

std::vector<core::UnansweredData> PgDataStore::unanswered(const std::string& nodeId) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    auto r = conn->exec(kUnansweredSql, {nodeId});
    std::vector<core::UnansweredData> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
    return out;
  });
}

}  // namespace sipbridge::store
