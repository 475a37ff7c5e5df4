#pragma once

#include "StoreDatabase.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/EventWriter.h"

#include <cstdint>
#include <future>
#include <string>
#include <vector>

namespace sipbridge::test {

/// A StoreDatabase (`name`, a pool of `connections`) with an EventWriter started on it: the
/// shared state of a hook suite or benchmark that commits events and delivers them. The
/// writer stops before the database does. Used from the test thread.
struct EventStore {
  EventStore(const std::string& name, int connections);
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  /// Runs SQL through psql on the database; its output without the final newline.
  std::string sql(const std::string& statement) const;

  StoreDatabase db;
  core::Metrics writerMetrics;
  store::EventWriter writer;
};

/// An OnMessageEvent of `appKey`'s session `sessionId` on node `nodeId` with `seq`, a new
/// eventId and the current time, without fields.
core::Event messageEvent(const std::string& appKey, const std::string& sessionId,
                         const std::string& nodeId, std::int64_t seq);

/// Appends `event` to `writer`; the future turns true once it is committed, false if not.
std::future<bool> append(store::EventWriter& writer, core::Event event);

/// Commits `perApp` OnMessageEvents (node "bench", session "<app>-s", seq 1..perApp) for each
/// of `apps` through `writer`, in turns of one per application; throws std::runtime_error
/// when one is not committed.
void commitMessages(store::EventWriter& writer, const std::vector<std::string>& apps, int perApp);

}  // namespace sipbridge::test
