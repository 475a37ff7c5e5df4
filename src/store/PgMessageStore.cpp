#include "sipbridge/store/PgMessageStore.h"

#include "Edge.h"
#include "MessageBatcher.h"
#include "sipbridge/store/ConnectionPool.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

namespace sipbridge::store {

namespace {

/// The elements of a JSON array of strings (as rendered by to_json(text[])).
std::vector<std::string> stringsOfJson(const std::string& json) {
  std::vector<std::string> out;
  const auto array = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
  for (std::size_t i = 0; i < array->size(); ++i) out.push_back(array->getElement<std::string>(i));
  return out;
}

}  // namespace

PgMessageStore::PgMessageStore(std::shared_ptr<ConnectionPool> pool, MessageBatchConfig batch)
    : pool_(std::move(pool)),
      batcher_(std::make_unique<MessageBatcher>(pool_->conninfo(), batch)) {}

PgMessageStore::~PgMessageStore() = default;

bool PgMessageStore::insertOutgoing(const core::MessageRecord& message) {
  return batcher_->insert(message);
}

std::vector<core::MessageRecord> PgMessageStore::queuedOnNode(const std::string& nodeId) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    auto r = conn->exec(
        "SELECT session_id, message_id, app_key, node_id, peer, content_type, "
        "to_json(imdn_message_ids), imdn_requested, " +
            msOf("queued_at") +
            " FROM messages WHERE node_id = $1 AND status = 'QUEUED' AND direction = 'outgoing' "
            "ORDER BY queued_at, session_id, message_id",
        {nodeId});
    std::vector<core::MessageRecord> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      core::MessageRecord m;
      m.sessionId = r.text(i, 0);
      m.messageId = r.text(i, 1);
      m.appKey = r.text(i, 2);
      m.nodeId = r.text(i, 3);
      m.peer = r.text(i, 4);
      m.contentType = r.text(i, 5);
      m.imdnMessageIds = stringsOfJson(r.text(i, 6));
      m.imdnRequested = r.boolean(i, 7);
      m.queuedMs = r.int64(i, 8);
      out.push_back(std::move(m));
    }
    return out;
  });
}

}  // namespace sipbridge::store
