#pragma once

#include "sipbridge/core/AppDirectory.h"

#include <Poco/JSON/Object.h>

#include <string>

namespace sipbridge::core {

/// The application's answer to a connect.
struct ConnectDecision {
  bool accepted = false;
  std::string info;  ///< why refused (HTTP status and reason, or the hook's message)
  Poco::JSON::Object::Ptr overrides;  ///< connect fields the backend replaces; may be null
};

/// Synchronous POST <hookUrl>/connect, signed like every hook. Blocking, bounded by a
/// timeout; HTTP threads only. A 2xx answer accepts (its JSON object body, if any, holds
/// overrides); any other answer, a timeout or a refused connection refuses.
class ConnectHook {
 public:
  virtual ~ConnectHook() = default;
  /// `requestJson` is the connect as the backend sees it (never the password).
  virtual ConnectDecision ask(const App& app, const std::string& requestJson) = 0;
};

}  // namespace sipbridge::core
