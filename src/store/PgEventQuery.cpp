#include "sipbridge/store/PgEventQuery.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"

#include <algorithm>

namespace sipbridge::store {

namespace {

std::optional<std::string> opt(const std::optional<std::string>& v) {
  return v;
}
std::optional<std::string> opt(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

}  // namespace

PgEventQuery::PgEventQuery(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

std::vector<core::Event> PgEventQuery::sessionEventsAfter(const std::string& sessionId,
                                                          std::int64_t afterSeq, int limit) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    auto r = conn->exec(
        "SELECT payload::text FROM events WHERE session_id = $1 AND seq > $2::bigint "
        "ORDER BY seq LIMIT $3",
        {sessionId, std::to_string(afterSeq), std::to_string(std::clamp(limit, 1, 1000))});
    std::vector<core::Event> events;
    events.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) events.push_back(core::eventFromJson(r.text(i, 0)));
    return events;
  });
}

core::EventPage PgEventQuery::find(const core::EventFilter& filter) {
  return atEdge([&] {
    int limit = std::clamp(filter.limit, 1, 1000);
    auto conn = pool_->acquire();
    auto r = conn->exec(
        "SELECT row_id, payload::text FROM events "
        "WHERE ($1::text IS NULL OR app_key = $1) AND ($2::text IS NULL OR session_id = $2) "
        "AND ($3::text IS NULL OR type = $3) AND ($4::text IS NULL OR status = $4) "
        "AND ($5::text IS NULL OR (payload ? 'id' AND payload ->> 'id' = $5)) "
        "AND ($6::bigint IS NULL OR created_at >= timestamptz 'epoch' + $6 * interval '1 ms') "
        "AND ($7::bigint IS NULL OR created_at < timestamptz 'epoch' + $7 * interval '1 ms') "
        "AND row_id > $8::bigint ORDER BY row_id LIMIT $9",
        {opt(filter.appKey), opt(filter.sessionId), opt(filter.type), opt(filter.status),
         opt(filter.messageId), opt(filter.fromMs), opt(filter.toMs),
         std::to_string(filter.afterEventRow), std::to_string(limit)});
    core::EventPage page;
    page.events.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) page.events.push_back(core::eventFromJson(r.text(i, 1)));
    if (r.rows() == limit) page.nextCursor = r.int64(r.rows() - 1, 0);
    return page;
  });
}

std::int64_t PgEventQuery::lastSeq(const std::string& sessionId) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    return conn->exec("SELECT coalesce(max(seq), 0) FROM events WHERE session_id = $1", {sessionId})
        .int64(0, 0);
  });
}

}  // namespace sipbridge::store
