#pragma once

#include "sipbridge/core/SessionStore.h"

#include <memory>

namespace sipbridge::store {

class ConnectionPool;

/// core::SessionStore on the `sessions` table. Thread-safe; throws core::Unavailable when
/// the database cannot be reached.
class PgSessionStore : public core::SessionStore {
 public:
  explicit PgSessionStore(std::shared_ptr<ConnectionPool> pool);
  std::vector<core::SessionRecord> activeOnNode(const std::string& nodeId) override;
  /// `limit` <= 0 means 100.
  std::vector<core::SessionRecord> list(const std::string& appKey, bool activeOnly,
                                        int limit) override;
  void rememberTokenHash(const std::string& sessionId, const std::string& tokenHash) override;
  std::optional<core::EndedSession> endedWithin(const std::string& sessionId,
                                                int withinSeconds) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace sipbridge::store
