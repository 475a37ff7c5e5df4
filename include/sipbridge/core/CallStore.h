#pragma once

#include <string>
#include <vector>

namespace sipbridge::core {

/// A call leg the store still holds as open (no FINISH, BUSY or FAILED committed).
struct OpenCallLeg {
  std::string sessionId;
  std::string appKey;
  std::string callId;
};

/// What the call use case reads back from the store. Blocking; called at start only.
/// Throws core::Unavailable when the database cannot be reached.
class CallStore {
 public:
  virtual ~CallStore() = default;
  /// Call legs of sessions of `nodeId` that are still open, oldest first: after a crash, the
  /// calls that were up when the node stopped.
  virtual std::vector<OpenCallLeg> openOnNode(const std::string& nodeId) = 0;
};

}  // namespace sipbridge::core
