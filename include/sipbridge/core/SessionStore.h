#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sipbridge::core {

/// The durable record of a session (its live state is in memory on its node).
struct SessionRecord {
  std::string sessionId;
  std::string appKey;
  std::string nodeId;
  std::string sipLogin;
  std::string state;  ///< "active" or "ended"
  std::int64_t createdMs = 0;
  std::int64_t endedMs = 0;
};

/// Reads the session records. They are written by the store itself, in the transaction of
/// each session's ConnectionStatusEvents (the first creates the record, FAILED or
/// DISCONNECTED ends it), so no use case writes them. Blocking; HTTP threads and start-up
/// only. Throws core::Unavailable when the database cannot be reached.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  /// Sessions of a node still marked active (left over by a crash of that node).
  virtual std::vector<SessionRecord> activeOnNode(const std::string& nodeId) = 0;
  /// Sessions, newest first; empty appKey = all applications.
  virtual std::vector<SessionRecord> list(const std::string& appKey, bool activeOnly,
                                          int limit) = 0;
};

}  // namespace sipbridge::core
