#pragma once

#include <cstdint>
#include <optional>
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

/// An ended session as the store remembers it: enough to let its token read its events.
struct EndedSession {
  std::string appKey;
  std::string tokenHash;  ///< tokenHash() of its authToken (lower-case hex)
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
  /// Records the hash of a session's token (never the token) once its record exists.
  virtual void rememberTokenHash(const std::string& sessionId, const std::string& tokenHash) = 0;
  /// The session if it ended less than `withinSeconds` ago and its token hash is known.
  virtual std::optional<EndedSession> endedWithin(const std::string& sessionId,
                                                  int withinSeconds) = 0;
};

}  // namespace sipbridge::core
