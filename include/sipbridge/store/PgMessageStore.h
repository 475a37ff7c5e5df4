#pragma once

#include "sipbridge/core/MessageStore.h"

#include <cstddef>
#include <memory>

namespace sipbridge::store {

class ConnectionPool;
class MessageBatcher;

/// Group commit of PgMessageStore::insertOutgoing.
struct MessageBatchConfig {
  /// Most rows written in one transaction (>= 1).
  std::size_t maxBatch = 256;
  /// Most rows waiting for the writer; an insert beyond it throws core::Unavailable.
  std::size_t queueLimit = 4096;
  /// Writer threads, each with its own connection and at most one transaction in flight:
  /// while one waits for its commit to be flushed, another gathers and sends the next batch.
  int writers = 2;
  /// statement_timeout of the writer's connection: bounds how long a batch (and so each
  /// of its callers) can wait on a database that accepts connections but does not answer.
  int statementTimeoutMs = 5000;
};

/// core::MessageStore on the `messages` table (schema/010_messages.sql). Only the insert of
/// an outgoing message goes through here; status changes are applied by the database from
/// the committed MessageStatusEvents. Thread-safe; throws core::Unavailable when the
/// database cannot be reached.
///
/// insertOutgoing() uses group commit: writer threads (MessageBatchConfig::writers, started
/// here, drained and joined by the destructor), each with its own connection on
/// pool->conninfo(), write the rows queued by concurrent callers as one multi-row INSERT per
/// transaction (synchronous_commit on); each caller blocks until its batch is committed or
/// has failed. queuedOnNode() uses a lease
/// of `pool`.
class PgMessageStore : public core::MessageStore {
 public:
  explicit PgMessageStore(std::shared_ptr<ConnectionPool> pool, MessageBatchConfig batch = {});
  /// Commits what is still queued (each batch bounded by the connect and statement
  /// timeouts), then joins the writer. No call may be in progress or follow.
  ~PgMessageStore() override;
  PgMessageStore(const PgMessageStore&) = delete;
  PgMessageStore& operator=(const PgMessageStore&) = delete;

  /// Returns once the row is committed; false when (sessionId, messageId) of an outgoing
  /// message exists (also when an earlier caller of the same batch took the id).
  /// queuedMs <= 0 means the database's now(). Throws core::Unavailable when the batch
  /// could not be committed (connectivity, statement timeout, any error not caused by a
  /// row) or the queue is full; store::StoreError when the database refuses this row for
  /// its content (SQLSTATE class 22 or 23: the batch's rows are then written one by one).
  bool insertOutgoing(const core::MessageRecord& message) override;
  /// Oldest first.
  std::vector<core::MessageRecord> queuedOnNode(const std::string& nodeId) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
  std::unique_ptr<MessageBatcher> batcher_;
};

}  // namespace sipbridge::store
