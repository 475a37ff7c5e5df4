#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::core {

/// One message as recorded in the `messages` table when it is accepted from a client.
/// Later status changes are applied by the database itself from the committed
/// MessageStatusEvent rows (same transaction as the event), so they need no call here.
struct MessageRecord {
  std::string sessionId;
  std::string messageId;  ///< the client's id (unique per session) or a generated one
  std::string appKey;
  std::string nodeId;
  std::string peer;                         ///< target URI (outgoing) or sender URI (incoming)
  std::string contentType;                  ///< text/plain, message/cpim or multipart/mixed
  std::vector<std::string> imdnMessageIds;  ///< CPIM imdn.Message-IDs sent with it
  bool imdnRequested = false;
  std::int64_t queuedMs = 0;
};

/// Blocking; HTTP threads and start-up only. Throws core::Unavailable when the database
/// cannot be reached.
class MessageStore {
 public:
  virtual ~MessageStore() = default;
  /// Records an outgoing message with status QUEUED. Returns false (and records nothing)
  /// when the session already has a message with this id.
  virtual bool insertOutgoing(const MessageRecord& message) = 0;
  /// Outgoing messages of a node still QUEUED (the node stopped before SIP answered).
  virtual std::vector<MessageRecord> queuedOnNode(const std::string& nodeId) = 0;
};

}  // namespace sipbridge::core
