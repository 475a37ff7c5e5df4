#pragma once

#include <string>
#include <vector>

namespace sipbridge::core {

/// An OnDataEvent sent to the backend that never got its DataStatusEvent.
struct UnansweredData {
  std::string sessionId;
  std::string appKey;
  std::string operationId;
};

/// What the data use case reads from the event store. Blocking; called at start only.
/// Throws core::Unavailable when the database cannot be reached.
class DataStore {
 public:
  virtual ~DataStore() = default;
  /// OnDataEvents recorded by `nodeId` during the last day for the backend (direction
  /// "outgoing") with no DataStatusEvent of the same session and operationId, oldest first.
  virtual std::vector<UnansweredData> unanswered(const std::string& nodeId) = 0;
};

}  // namespace sipbridge::core
