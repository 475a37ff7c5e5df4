#pragma once

#include "sipbridge/core/Event.h"

#include <functional>
#include <vector>

namespace sipbridge::core {

/// Called once per appended event, on the store's writer thread, after its transaction:
/// `committed` is true when the event row and its hook-delivery rows are durable.
/// Must not block.
using CommitCallback = std::function<void(bool committed)>;

/// Where core hands events for durable recording (implemented by the store's writer).
/// Thread-safe. Events are committed in the order they were appended.
class EventSink {
 public:
  virtual ~EventSink() = default;

  /// Queues `event` for the next group commit. Never blocks and never drops: the edges
  /// check `accepting()` before they take new work, so the queue stays bounded by them.
  virtual void append(Event event, CommitCallback done) = 0;

  /// False while the database is unreachable or the queue is above its limit: new work
  /// must then be refused with 503. Work already appended is kept and committed later.
  virtual bool accepting() const = 0;
};

/// Told about each committed batch, in commit order, on the writer thread, before the
/// batch's CommitCallbacks run. Must not block.
class CommitListener {
 public:
  virtual ~CommitListener() = default;
  virtual void onCommitted(const std::vector<Event>& batch) = 0;
};

}  // namespace sipbridge::core
