#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sipbridge::hooks {

/// How delays between attempts are randomised.
enum class Jitter {
  Full,         ///< uniform in [0, min(cap, base * factor^(attempt-1))]
  Decorrelated  ///< uniform in [base, 3 * previous exponential delay], capped
};

/// The retry schedule. Times in milliseconds.
struct RetryConfig {
  std::int64_t baseMs = 2000;              ///< delay scale of the first retry
  double factor = 2.0;                     ///< growth per attempt
  std::int64_t capMs = 3600000;            ///< no delay exceeds this (1 h)
  Jitter jitter = Jitter::Full;            ///< randomisation of each delay
  std::int64_t minDelayMs = 100;           ///< floor, so full jitter never retries in a tight loop
  std::int64_t maxRetryAfterMs = 3600000;  ///< longest Retry-After obeyed (longer is cut)
};

/// What to do with a delivery after one attempt.
struct Outcome {
  enum class Kind { Delivered, Retry, Dead, Disable };
  Kind kind = Kind::Retry;
  std::int64_t nextAttemptMs = 0;  ///< when kind is Retry: the instant of the next attempt
};

/// Decides the fate of a delivery from the answer of one attempt. Thread-safe when its
/// random source is (the one made by seeded() is).
class RetryPolicy {
 public:
  /// A number uniform in [0, 1). Injected so tests are deterministic; called from every
  /// thread that uses the policy.
  using Random = std::function<double()>;

  RetryPolicy(RetryConfig config, Random random);
  /// A policy drawing from a Mersenne Twister seeded with `seed`.
  static RetryPolicy seeded(RetryConfig config, std::uint64_t seed);

  /// `httpStatus` is the answer's status, 0 for a transport error (refused, timeout,
  /// destination not allowed). `retryAfterMs` is the delay a 429/503 asked for.
  /// `attempts` counts this attempt too. 2xx delivered; 410 disable; anything else
  /// (3xx included: redirects are never followed) is retried until `retryUntilMs`, after
  /// which it is dead. A retry is never scheduled after `retryUntilMs`.
  Outcome outcome(int httpStatus, std::optional<std::int64_t> retryAfterMs, int attempts,
                  std::int64_t createdMs, std::int64_t retryUntilMs, std::int64_t nowMs);

  /// The randomised delay before attempt `attempts + 1` (attempts >= 1).
  std::int64_t backoffMs(int attempts);

  /// A Retry-After value (delta seconds or an HTTP date) as a delay from `nowMs`;
  /// empty when absent or unparsable. Negative delays become 0.
  static std::optional<std::int64_t> parseRetryAfter(const std::string& value, std::int64_t nowMs);

  const RetryConfig& config() const { return config_; }

 private:
  double draw();
  double exponentialMs(int attempts) const;

  RetryConfig config_;
  Random random_;
};

}  // namespace sipbridge::hooks
