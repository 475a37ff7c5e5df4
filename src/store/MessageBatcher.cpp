#include "MessageBatcher.h"

#include "Edge.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/store/Pg.h"
#include "sipbridge/store/PgArray.h"
#include "sipbridge/store/StoreError.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <map>
#include <utility>

namespace sipbridge::store {

namespace {

constexpr const char* kStatement = "sipbridge_insert_outgoing";

/// Rows in caller order (ORDER BY ord: of two rows with the same key in one batch, the
/// earlier is inserted). imdn holds each row's text[] as an array literal.
constexpr const char* kInsertSql = R"SQL(
INSERT INTO messages (session_id, message_id, direction, app_key, node_id, peer, content_type,
                      imdn_message_ids, imdn_requested, status, queued_at)
SELECT m.session_id, m.message_id, 'outgoing', m.app_key, m.node_id, m.peer, m.content_type,
       m.imdn::text[], m.imdn_requested::boolean, 'QUEUED',
       CASE WHEN m.queued_ms > 0
            THEN timestamptz 'epoch' + m.queued_ms * interval '1 millisecond' ELSE now() END
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::text[], $9::bigint[]) WITH ORDINALITY
     AS m(session_id, message_id, app_key, node_id, peer, content_type, imdn, imdn_requested,
          queued_ms, ord)
ORDER BY m.ord
ON CONFLICT DO NOTHING
RETURNING session_id, message_id
)SQL";

/// Data exceptions (22) and integrity violations (23) come from a row's content; anything
/// else (statement timeout, resources, a bug) fails the batch as a whole.
bool refusedForContent(const StoreError& error) {
  const auto& state = error.sqlState();
  return state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0;
}

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.store.MessageBatcher");
}

}  // namespace

MessageBatcher::MessageBatcher(std::string conninfo, MessageBatchConfig config)
    : conninfo_(std::move(conninfo)), config_(config) {
  const int writers = std::max(1, config_.writers);
  for (int i = 0; i < writers; ++i) threads_.emplace_back([this] { run(); });
}

MessageBatcher::~MessageBatcher() {
  stop();
}

void MessageBatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
}

bool MessageBatcher::insert(const core::MessageRecord& message) {
  std::future<bool> answer;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw core::Unavailable("message store is stopping");
    if (queue_.size() >= config_.queueLimit) throw core::Unavailable("message store queue is full");
    queue_.push_back(Item{&message, {}});
    answer = queue_.back().result.get_future();
  }
  wake_.notify_one();
  return answer.get();
}

void MessageBatcher::run() {
  std::unique_ptr<PgConnection> conn;
  const std::size_t maxBatch = std::max<std::size_t>(1, config_.maxBatch);
  for (;;) {
    std::vector<Item> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;
      const std::size_t n = std::min(maxBatch, queue_.size());
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    write(conn, batch);
  }
}

void MessageBatcher::write(std::unique_ptr<PgConnection>& conn, std::vector<Item>& batch) {
  try {
    const auto inserted = writeOnce(conn, batch, 0, batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].result.set_value(inserted[i]);
    return;
  } catch (const StoreUnavailable& error) {
    conn.reset();
    logger().warning("%z messages not recorded: %s", batch.size(), error.message());
    const auto failure = std::make_exception_ptr(core::Unavailable(kDatabaseUnavailable));
    for (auto& item : batch) item.result.set_exception(failure);
    return;
  } catch (const StoreError& error) {
    if (!refusedForContent(error)) {
      logger().error("%z messages not recorded: %s", batch.size(), error.message());
      const auto failure =
          std::make_exception_ptr(core::Unavailable("the message could not be recorded"));
      for (auto& item : batch) item.result.set_exception(failure);
      return;
    }
    if (batch.size() == 1) {
      batch[0].result.set_exception(std::current_exception());
      return;
    }
  } catch (...) {
    conn.reset();
    for (auto& item : batch) item.result.set_exception(std::current_exception());
    return;
  }
  // Some row is refused for its content: write each alone so only its caller fails.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].result.set_value(writeOnce(conn, batch, i, 1).front());
    } catch (const StoreUnavailable& error) {
      conn.reset();
      batch[i].result.set_exception(std::make_exception_ptr(databaseUnavailable(error)));
    } catch (...) {
      batch[i].result.set_exception(std::current_exception());
    }
  }
}

std::vector<bool> MessageBatcher::writeOnce(std::unique_ptr<PgConnection>& conn,
                                            std::vector<Item>& batch, std::size_t from,
                                            std::size_t count) {
  if (!conn) {
    auto fresh = std::make_unique<PgConnection>(conninfo_);
    fresh->exec("SET synchronous_commit = on");
    fresh->exec("SET statement_timeout = " +
                std::to_string(std::max(0, config_.statementTimeoutMs)));
    fresh->prepare(kStatement, kInsertSql, 9);
    conn = std::move(fresh);
  }
  std::vector<std::string> sessions, ids, apps, nodes, peers, types, imdns, requested;
  std::vector<std::int64_t> queued;
  for (auto* v : {&sessions, &ids, &apps, &nodes, &peers, &types, &imdns, &requested})
    v->reserve(count);
  queued.reserve(count);
  for (std::size_t i = from; i < from + count; ++i) {
    const core::MessageRecord& m = *batch[i].message;
    sessions.push_back(m.sessionId);
    ids.push_back(m.messageId);
    apps.push_back(m.appKey);
    nodes.push_back(m.nodeId);
    peers.push_back(m.peer);
    types.push_back(m.contentType);
    imdns.push_back(PgArray::text(m.imdnMessageIds));
    requested.push_back(m.imdnRequested ? "true" : "false");
    queued.push_back(m.queuedMs);
  }
  auto r = conn->execPrepared(
      kStatement, {PgArray::text(sessions), PgArray::text(ids), PgArray::text(apps),
                   PgArray::text(nodes), PgArray::text(peers), PgArray::text(types),
                   PgArray::text(imdns), PgArray::text(requested), PgArray::int64(queued)});
  std::map<std::pair<std::string, std::string>, int> fresh;
  for (int row = 0; row < r.rows(); ++row) ++fresh[{r.text(row, 0), r.text(row, 1)}];
  std::vector<bool> inserted(count, false);
  for (std::size_t i = 0; i < count; ++i) {
    auto it = fresh.find({sessions[i], ids[i]});
    if (it != fresh.end() && it->second > 0) {
      --it->second;
      inserted[i] = true;
    }
  }
  return inserted;
}

}  // namespace sipbridge::store
