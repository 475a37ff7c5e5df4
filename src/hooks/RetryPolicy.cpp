#include "sipbridge/hooks/RetryPolicy.h"

#include <Poco/DateTime.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>

namespace sipbridge::hooks {

RetryPolicy::RetryPolicy(RetryConfig config, Random random)
    : config_(config), random_(std::move(random)) {}

RetryPolicy RetryPolicy::seeded(RetryConfig config, std::uint64_t seed) {
  struct State {
    std::mutex mutex;
    std::mt19937_64 engine;
  };
  auto state = std::make_shared<State>();
  state->engine.seed(seed);
  return RetryPolicy(config, [state] {
    std::lock_guard lock(state->mutex);
    return std::uniform_real_distribution<double>(0.0, 1.0)(state->engine);
  });
}

double RetryPolicy::draw() {
  const double value = random_();
  return std::clamp(value, 0.0, 1.0);
}

double RetryPolicy::exponentialMs(int attempts) const {
  const double exponent = std::max(0, attempts - 1);
  const double value = static_cast<double>(config_.baseMs) * std::pow(config_.factor, exponent);
  return std::min(value, static_cast<double>(config_.capMs));
}

std::int64_t RetryPolicy::backoffMs(int attempts) {
  const double cap = static_cast<double>(config_.capMs);
  double delay = 0;
  if (config_.jitter == Jitter::Full) {
    delay = draw() * exponentialMs(attempts);
  } else {
    // Decorrelated jitter needs the previous delay; the store keeps only the attempt
    // count, so the previous un-jittered exponential delay stands in for it.
    const double low = static_cast<double>(config_.baseMs);
    const double high = std::max(low, 3.0 * exponentialMs(attempts - 1));
    delay = std::min(cap, low + draw() * (high - low));
  }
  const double floor = static_cast<double>(std::min(config_.minDelayMs, config_.capMs));
  return static_cast<std::int64_t>(std::clamp(delay, floor, cap));
}

Outcome RetryPolicy::outcome(int httpStatus, std::optional<std::int64_t> retryAfterMs, int attempts,
                             std::int64_t createdMs, std::int64_t retryUntilMs,
                             std::int64_t nowMs) {
  (void)createdMs;  // the period is carried by retryUntilMs, fixed when the row was made
  if (httpStatus >= 200 && httpStatus < 300) return {Outcome::Kind::Delivered, 0};
  if (httpStatus == 410) return {Outcome::Kind::Disable, 0};
  if (nowMs >= retryUntilMs) return {Outcome::Kind::Dead, 0};
  std::int64_t delay = backoffMs(attempts);
  if ((httpStatus == 429 || httpStatus == 503) && retryAfterMs)
    delay = std::clamp<std::int64_t>(*retryAfterMs, 0, config_.maxRetryAfterMs);
  return {Outcome::Kind::Retry, std::min(nowMs + delay, retryUntilMs)};
}

std::optional<std::int64_t> RetryPolicy::parseRetryAfter(const std::string& value,
                                                         std::int64_t nowMs) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (value.size() > 9) return std::nullopt;
    return std::stoll(value) * 1000;
  }
  // HTTP-date (RFC 9110 5.6.7): IMF-fixdate, or the obsolete RFC 850 and asctime forms.
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, used = 0;
  char month[4] = {}, weekday[10] = {};
  const char* text = value.c_str();
  const bool parsed =
      (std::sscanf(text, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", weekday, &day, month,
                   &year, &hour, &minute, &second, &used) == 7 ||
       std::sscanf(text, "%9[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", weekday, &day, month,
                   &year, &hour, &minute, &second, &used) == 7 ||
       std::sscanf(text, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", weekday, month, &day, &hour,
                   &minute, &second, &year, &used) == 7) &&
      static_cast<std::size_t>(used) == value.size();
  if (!parsed) return std::nullopt;
  if (year < 100) year += year < 70 ? 2000 : 1900;
  static const std::string months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const auto index = months.find(month);
  if (std::strlen(month) != 3 || index == std::string::npos || index % 3 != 0) return std::nullopt;
  const int monthNumber = static_cast<int>(index / 3) + 1;
  if (!Poco::DateTime::isValid(year, monthNumber, day, hour, minute, second)) return std::nullopt;
  const Poco::DateTime date(year, monthNumber, day, hour, minute, second);
  const std::int64_t atMs = date.timestamp().epochMicroseconds() / 1000;
  return std::max<std::int64_t>(0, atMs - nowMs);
}

}  // namespace sipbridge::hooks
