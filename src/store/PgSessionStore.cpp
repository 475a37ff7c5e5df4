#include "sipbridge/store/PgSessionStore.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"

namespace sipbridge::store {

namespace {

const std::string kSelect = "SELECT session_id, app_key, node_id, sip_login, state, " +
                            msOf("created_at") + ", coalesce(" + msOf("ended_at") +
                            ", 0) FROM sessions ";

std::vector<core::SessionRecord> records(const PgResult& r) {
  std::vector<core::SessionRecord> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    core::SessionRecord s;
    s.sessionId = r.text(i, 0);
    s.appKey = r.text(i, 1);
    s.nodeId = r.text(i, 2);
    s.sipLogin = r.text(i, 3);
    s.state = r.text(i, 4);
    s.createdMs = r.int64(i, 5);
    s.endedMs = r.int64(i, 6);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

PgSessionStore::PgSessionStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

std::vector<core::SessionRecord> PgSessionStore::activeOnNode(const std::string& nodeId) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    return records(conn->exec(
        kSelect + "WHERE node_id = $1 AND state = 'active' ORDER BY created_at", {nodeId}));
  });
}

std::vector<core::SessionRecord> PgSessionStore::list(const std::string& appKey, bool activeOnly,
                                                      int limit) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    return records(conn->exec(
        kSelect + "WHERE ($1::text = '' OR app_key = $1) AND (NOT $2::boolean OR state = 'active') "
                  "ORDER BY created_at DESC, session_id LIMIT $3",
        {appKey, activeOnly ? "true" : "false", std::to_string(limit > 0 ? limit : 100)}));
  });
}

void PgSessionStore::rememberTokenHash(const std::string& sessionId, const std::string& tokenHash) {
  atEdge([&] {
    auto conn = pool_->acquire();
    conn->exec("UPDATE sessions SET token_hash = decode($2, 'hex') WHERE session_id = $1",
               {sessionId, tokenHash});
  });
}

std::optional<core::EndedSession> PgSessionStore::endedWithin(const std::string& sessionId,
                                                              int withinSeconds) {
  return atEdge([&]() -> std::optional<core::EndedSession> {
    auto conn = pool_->acquire();
    const auto r = conn->exec("SELECT app_key, encode(token_hash, 'hex'), " + msOf("ended_at") +
                                  " FROM sessions WHERE session_id = $1 AND state = 'ended' "
                                  "AND token_hash IS NOT NULL "
                                  "AND ended_at > now() - $2::int * interval '1 second'",
                              {sessionId, std::to_string(withinSeconds)});
    if (r.rows() == 0) return std::nullopt;
    return core::EndedSession{r.text(0, 0), r.text(0, 1), r.int64(0, 2)};
  });
}

}  // namespace sipbridge::store
