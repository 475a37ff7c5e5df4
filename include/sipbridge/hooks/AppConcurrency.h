#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sipbridge::hooks {

/// Settings of AppConcurrency (taken from HookConfig).
struct ConcurrencyLimits {
  int initial = 2;                       ///< limit of an application not seen yet or back to normal
  int maximum = 2;                       ///< the limit never grows past this
  int growAfter = 4;                     ///< fast successes in a row that add one to the limit
  std::chrono::milliseconds slow{1000};  ///< an answer taking this long or longer is slow
};

/// Adaptive per-application concurrency (AIMD): an application starts at `initial`
/// deliveries in flight; every `growAfter` fast 2xx answers in a row add one, up to
/// `maximum`; a timeout or failure to connect (status 0), a 5xx, a 429 or a slow answer
/// halves it (at least 1). Other answers (3xx, 4xx) change nothing. Applications back at
/// `initial` with no streak are forgotten, so the state is bounded by the applications
/// whose limit differs from `initial`.
///
/// Not thread-safe: the dispatcher calls it with its own mutex held.
class AppConcurrency {
 public:
  explicit AppConcurrency(ConcurrencyLimits limits);

  /// The most deliveries of `appKey` that may be in flight now.
  int limit(const std::string& appKey) const;
  /// Feeds the answer to one attempt: `status` 0 when there was none, `elapsed` from the
  /// start of the attempt to its end.
  void onAnswer(const std::string& appKey, int status, std::chrono::milliseconds elapsed);

  /// The applications whose limit differs from `initial`, with their limit.
  std::vector<std::pair<std::string, int>> adapted() const;

  const ConcurrencyLimits& limits() const { return limits_; }

 private:
  struct State {
    int limit = 0;
    int streak = 0;  ///< fast successes since the last change
  };

  const ConcurrencyLimits limits_;
  std::map<std::string, State> states_;
};

}  // namespace sipbridge::hooks
