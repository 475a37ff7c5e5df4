#pragma once

#include <string>

namespace sipbridge::api {

/// Decides whether a hook URL given to the admin API may be used (scheme, resolved address
/// against the allow policy). Implemented by the composition root over hooks::UrlPolicy.
/// Called on HTTP threads; may block on DNS.
class HookUrlCheck {
 public:
  virtual ~HookUrlCheck() = default;
  /// Returns when `url` is acceptable; throws Poco::Exception whose message says why not.
  virtual void check(const std::string& url) = 0;
};

}  // namespace sipbridge::api
