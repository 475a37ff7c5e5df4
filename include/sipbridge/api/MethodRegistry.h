#pragma once

#include "sipbridge/core/BridgeService.h"

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sipbridge::api {

/// What a client method answers: HTTP status and JSON object body.
struct MethodReply {
  int status = 202;
  Poco::JSON::Object::Ptr body;
};

/// One client method: runs with the authenticated session and the request's JSON object
/// (for WebSocket frames: the frame without `id` and `method`). Throws core::ApiError for
/// client errors. Called on HTTP threads; may block.
using MethodHandler =
    std::function<MethodReply(const core::SessionPtr& session, const Poco::JSON::Object& body)>;

/// Client methods by name (`POST /api/v1/{name}` and WebSocket method frames share it).
/// Filled before HttpApi::start(), read-only afterwards (then safe from any thread).
class MethodRegistry {
 public:
  struct Entry {
    MethodHandler handler;
    bool implemented = true;  ///< false: answers 501 not_implemented
    bool extension = false;   ///< not in the reference method list
  };

  /// Adds or replaces the method `name`.
  void add(const std::string& name, MethodHandler handler, bool extension = false);
  /// Declares a known method that is not built yet: it answers 501 "not_implemented".
  void addNotImplemented(const std::string& name, bool extension = false);
  /// The entry of `name`, or nullptr when no such method exists.
  const Entry* find(const std::string& name) const;
  /// Every method name, sorted.
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace sipbridge::api
