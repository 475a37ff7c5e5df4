#include "sipbridge/hooks/RetryPolicy.h"

#include <boost/test/unit_test.hpp>

#include <vector>

using sipbridge::hooks::Jitter;
using sipbridge::hooks::Outcome;
using sipbridge::hooks::RetryConfig;
using sipbridge::hooks::RetryPolicy;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kDay = 24LL * 3600 * 1000;

RetryConfig config(Jitter jitter = Jitter::Full) {
  RetryConfig c;
  c.baseMs = 2000;
  c.factor = 2.0;
  c.capMs = 3600 * 1000;
  c.jitter = jitter;
  c.minDelayMs = 100;
  return c;
}

RetryPolicy fixed(double value, Jitter jitter = Jitter::Full) {
  return RetryPolicy(config(jitter), [value] { return value; });
}

Outcome after(RetryPolicy& policy, int status, int attempts = 1,
              std::optional<std::int64_t> retryAfter = std::nullopt,
              std::int64_t retryUntil = kNow + kDay) {
  return policy.outcome(status, retryAfter, attempts, kNow - 1000, retryUntil, kNow);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(HookRetryPolicy)

BOOST_AUTO_TEST_CASE(two_hundreds_are_delivered_410_disables) {
  auto policy = fixed(0.5);
  for (int status : {200, 201, 202, 204, 299})
    BOOST_TEST((after(policy, status).kind == Outcome::Kind::Delivered));
  BOOST_TEST((after(policy, 410).kind == Outcome::Kind::Disable));
  // Even past the retry period, a success is a success.
  BOOST_TEST((after(policy, 200, 9, std::nullopt, kNow - 1).kind == Outcome::Kind::Delivered));
}

BOOST_AUTO_TEST_CASE(everything_else_is_retried_including_redirects_and_transport_errors) {
  auto policy = fixed(0.5);
  for (int status : {0, 100, 301, 302, 307, 400, 401, 404, 408, 429, 500, 502, 503, 504}) {
    const Outcome outcome = after(policy, status);
    BOOST_TEST((outcome.kind == Outcome::Kind::Retry), "status " << status);
    BOOST_TEST(outcome.nextAttemptMs > kNow);
  }
}

BOOST_AUTO_TEST_CASE(full_jitter_grows_exponentially_up_to_the_cap) {
  auto top = fixed(0.999999);
  BOOST_TEST(top.backoffMs(1) == 1999);
  BOOST_TEST(top.backoffMs(2) == 3999);
  BOOST_TEST(top.backoffMs(3) == 7999);
  BOOST_TEST(top.backoffMs(12) == 3599996);  // 2 s * 2^11 > 1 h: capped
  BOOST_TEST(top.backoffMs(60) == 3599996);  // no overflow far out
  auto half = fixed(0.5);
  BOOST_TEST(half.backoffMs(3) == 4000);
  auto zero = fixed(0.0);
  BOOST_TEST(zero.backoffMs(5) == 100);  // floor: never a tight loop
}

BOOST_AUTO_TEST_CASE(decorrelated_jitter_stays_between_base_and_three_times_previous) {
  auto low = fixed(0.0, Jitter::Decorrelated);
  BOOST_TEST(low.backoffMs(4) == 2000);
  auto high = fixed(0.999999, Jitter::Decorrelated);
  BOOST_TEST(high.backoffMs(1) == 5999);   // previous stands at base: [2 s, 6 s)
  BOOST_TEST(high.backoffMs(4) == 23999);  // previous 8 s: [2 s, 24 s)
  BOOST_TEST(high.backoffMs(40) == 3600000);
}

BOOST_AUTO_TEST_CASE(seeded_policies_repeat_and_stay_in_range) {
  auto a = RetryPolicy::seeded(config(), 42);
  auto b = RetryPolicy::seeded(config(), 42);
  auto c = RetryPolicy::seeded(config(), 43);
  bool differs = false;
  for (int attempts = 1; attempts <= 20; ++attempts) {
    const auto x = a.backoffMs(attempts);
    BOOST_TEST(x == b.backoffMs(attempts));
    differs = differs || x != c.backoffMs(attempts);
    BOOST_TEST(x >= 100);
    BOOST_TEST(x <= std::min<std::int64_t>(2000LL << (attempts - 1), 3600000));
  }
  BOOST_TEST(differs);
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured_on_429_and_503_only) {
  auto policy = fixed(0.0);
  BOOST_TEST(after(policy, 429, 1, 30000).nextAttemptMs == kNow + 30000);
  BOOST_TEST(after(policy, 503, 1, 7000).nextAttemptMs == kNow + 7000);
  BOOST_TEST(after(policy, 500, 1, 30000).nextAttemptMs == kNow + 100);
  BOOST_TEST(after(policy, 429, 1, std::nullopt).nextAttemptMs == kNow + 100);
  // A Retry-After beyond its own limit is cut to it; the backoff cap does not apply.
  auto shortCap = RetryPolicy(
      [] {
        RetryConfig c = config();
        c.capMs = 400;
        return c;
      }(),
      [] { return 0.0; });
  BOOST_TEST(after(shortCap, 429, 1, 2000).nextAttemptMs == kNow + 2000);
  BOOST_TEST(after(policy, 429, 1, 10 * kDay).nextAttemptMs == kNow + 3600000);
}

BOOST_AUTO_TEST_CASE(the_retry_period_ends_in_dead) {
  auto policy = fixed(0.999999);
  BOOST_TEST((after(policy, 500, 30, std::nullopt, kNow).kind == Outcome::Kind::Dead));
  BOOST_TEST((after(policy, 0, 3, std::nullopt, kNow - 5).kind == Outcome::Kind::Dead));
  BOOST_TEST((after(policy, 302, 3, std::nullopt, kNow - 5).kind == Outcome::Kind::Dead));
  // The last retry is pulled in to the end of the period rather than scheduled after it.
  const Outcome last = after(policy, 500, 10, std::nullopt, kNow + 500);
  BOOST_TEST((last.kind == Outcome::Kind::Retry));
  BOOST_TEST(last.nextAttemptMs == kNow + 500);
}

BOOST_AUTO_TEST_CASE(retry_after_accepts_seconds_and_http_dates) {
  const std::int64_t now = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT
  BOOST_TEST(RetryPolicy::parseRetryAfter("120", now).value() == 120000);
  BOOST_TEST(RetryPolicy::parseRetryAfter("0", now).value() == 0);
  BOOST_TEST(RetryPolicy::parseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now).value() == 30000);
  BOOST_TEST(RetryPolicy::parseRetryAfter("Sunday, 06-Nov-94 08:49:47 GMT", now).value() == 10000);
  BOOST_TEST(RetryPolicy::parseRetryAfter("Sun Nov  6 08:50:37 1994", now).value() == 60000);
  BOOST_TEST(RetryPolicy::parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now).value() == 0);
  BOOST_TEST(!RetryPolicy::parseRetryAfter("", now).has_value());
  BOOST_TEST(!RetryPolicy::parseRetryAfter("soon", now).has_value());
  BOOST_TEST(!RetryPolicy::parseRetryAfter("-5", now).has_value());
  BOOST_TEST(!RetryPolicy::parseRetryAfter("Sun, 32 Nov 1994 08:50:07 GMT", now).has_value());
  BOOST_TEST(
      !RetryPolicy::parseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT trailing", now).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
