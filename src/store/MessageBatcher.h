#pragma once

#include "sipbridge/core/MessageStore.h"
#include "sipbridge/store/PgMessageStore.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sipbridge::store {

class PgConnection;

/// The group commit behind PgMessageStore::insertOutgoing. insert() is thread-safe and
/// blocks its caller; config.writers writer threads (started by the constructor, drained and
/// joined by stop() or the destructor), each with its own connection opened lazily and
/// reopened after a failure, take turns at the queue and write up to config.maxBatch queued
/// rows per transaction with
/// INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING the new keys.
class MessageBatcher {
 public:
  MessageBatcher(std::string conninfo, MessageBatchConfig config);
  ~MessageBatcher();
  MessageBatcher(const MessageBatcher&) = delete;
  MessageBatcher& operator=(const MessageBatcher&) = delete;

  /// True when inserted, false when the id was taken. Throws core::Unavailable when the
  /// queue is full, the writer is stopped or the batch failed for connectivity;
  /// StoreError when the database refuses this row for its content.
  bool insert(const core::MessageRecord& message);
  /// Writes everything queued, then joins the writer; later inserts throw
  /// core::Unavailable. Idempotent.
  void stop();

 private:
  struct Item {
    const core::MessageRecord* message;  ///< owned by the caller blocked in insert()
    std::promise<bool> result;
  };

  void run();
  /// Answers every item of `batch`; `conn` is the calling writer's connection (reset when
  /// it broke, opened again by the next batch).
  void write(std::unique_ptr<PgConnection>& conn, std::vector<Item>& batch);
  /// One transaction for items [from, from + count); one answer per item.
  std::vector<bool> writeOnce(std::unique_ptr<PgConnection>& conn, std::vector<Item>& batch,
                              std::size_t from, std::size_t count);

  const std::string conninfo_;
  const MessageBatchConfig config_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sipbridge::store
