#pragma once

#include "sipbridge/core/AppDirectory.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sipbridge::core {

/// The answer to one POST of an OnDataEvent to the application's backend.
struct DataHookResult {
  int status = 0;  ///< HTTP status; 0 when there was no answer (refused, timeout, not allowed)
  std::optional<std::int64_t> retryAfterMs;  ///< the answer's Retry-After as a delay
  std::string error;  ///< why there was no answer, or the start of a non-2xx answer's body
};

/// Synchronous delivery of sendData to the backend: POST <hookUrl>/OnDataEvent, signed like
/// every hook. One blocking attempt per call, bounded by the implementation's timeout; called
/// from the data workers only. Thread-safe.
class DataHook {
 public:
  virtual ~DataHook() = default;
  /// `eventJson` is the committed OnDataEvent (toJson); `eventId` its eventId (webhook-id).
  /// Never throws for network failures: they come back as status 0 with `error`.
  virtual DataHookResult post(const App& app, const std::string& eventJson,
                              const std::string& eventId) = 0;
};

}  // namespace sipbridge::core
