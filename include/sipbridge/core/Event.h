#pragma once

#include <Poco/Dynamic/Struct.h>
#include <Poco/Dynamic/Var.h>

#include <cstdint>
#include <string>

namespace sipbridge::core {

/// One status change, as committed to the store and delivered to clients and hooks.
/// A plain value: it is copied between threads, never shared.
struct Event {
  std::string eventId;  ///< UUID, globally unique; the idempotency key (webhook-id).
  std::string type;     ///< Event name from the reference list, e.g. "ConnectionStatusEvent".
  std::string nodeId;
  std::string sessionId;
  std::string appKey;
  std::int64_t seq = 0;          ///< Monotonic per session, assigned when the event is queued.
  std::int64_t timestampMs = 0;  ///< Milliseconds since the Unix epoch (UTC).
  std::string status;            ///< Reference status value; empty for events without one.
  Poco::DynamicStruct fields;    ///< The event's own fields (info, id, body, ...).
};

/// Renders the event as the public JSON object: type, status, fields, the context fields
/// (nodeId, sessionId, appKey), eventId, seq and timestamp (ISO 8601, UTC, milliseconds).
/// Always text PostgreSQL's jsonb accepts: bytes of string fields that are not valid UTF-8
/// (text from the network) and NUL characters come out as U+FFFD.
std::string toJson(const Event& event);

/// Parses JSON produced by toJson back into an Event (used when reading from the store).
/// Throws Poco::Exception on malformed input.
Event eventFromJson(const std::string& json);

/// `ms` since the Unix epoch as ISO 8601 UTC with milliseconds ("2026-11-22T11:04:31.123Z").
std::string isoTimestamp(std::int64_t ms);

/// A random RFC 4122 version 4 UUID in canonical text form.
std::string newUuid();

/// Milliseconds since the Unix epoch, now.
std::int64_t nowMs();

}  // namespace sipbridge::core
