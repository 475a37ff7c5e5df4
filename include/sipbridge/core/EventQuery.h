#pragma once

#include "sipbridge/core/Event.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::core {

/// Filter for the admin events query; every set member narrows the result.
struct EventFilter {
  std::optional<std::string> appKey;
  std::optional<std::string> sessionId;
  std::optional<std::string> type;
  std::optional<std::string> status;
  std::optional<std::string> messageId;  ///< matches fields.id of message events
  std::optional<std::int64_t> fromMs;    ///< inclusive
  std::optional<std::int64_t> toMs;      ///< exclusive
  std::int64_t afterEventRow = 0;        ///< keyset paging cursor (opaque, from a previous page)
  int limit = 100;
};

struct EventPage {
  std::vector<Event> events;
  std::int64_t nextCursor = 0;  ///< 0 when there is no further page
};

/// Reads committed events. Blocking; called from HTTP threads, never from the SIP thread.
/// Throws core::Unavailable when the database cannot be reached.
class EventQuery {
 public:
  virtual ~EventQuery() = default;
  /// Events of one session with seq > afterSeq, in seq order, at most `limit`.
  virtual std::vector<Event> sessionEventsAfter(const std::string& sessionId, std::int64_t afterSeq,
                                                int limit) = 0;
  virtual EventPage find(const EventFilter& filter) = 0;
  /// Highest committed seq of a session, 0 if none.
  virtual std::int64_t lastSeq(const std::string& sessionId) = 0;
};

}  // namespace sipbridge::core
