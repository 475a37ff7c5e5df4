#pragma once

#include "sipbridge/core/MessageStore.h"

#include <memory>

namespace sipbridge::store {

class ConnectionPool;

/// core::MessageStore on the `messages` table (schema/010_messages.sql). Only the insert of
/// an outgoing message goes through here; status changes are applied by the database from
/// the committed MessageStatusEvents. Thread-safe (one pool lease per call); throws
/// core::Unavailable when the database cannot be reached.
class PgMessageStore : public core::MessageStore {
 public:
  explicit PgMessageStore(std::shared_ptr<ConnectionPool> pool);
  /// One INSERT ... ON CONFLICT DO NOTHING; false when (sessionId, messageId) of an
  /// outgoing message exists. queuedMs <= 0 means the database's now().
  bool insertOutgoing(const core::MessageRecord& message) override;
  /// Oldest first.
  std::vector<core::MessageRecord> queuedOnNode(const std::string& nodeId) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
