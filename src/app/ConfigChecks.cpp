#include "sipbridge/app/AppConfig.h"

#include <Poco/Exception.h>

#include <string>
#include <vector>

namespace sipbridge::app {
namespace {

std::string number(long long value) {
  return std::to_string(value);
}

}  // namespace

std::vector<std::string> contradictions(const AppConfig& c) {
  std::vector<std::string> found;
  const auto& h = c.hooks;
  if (h.timeoutSeconds < 1) found.push_back("hooks.timeoutSeconds must be at least 1");
  // A worker never starts an attempt that could outlast the lease (connect plus answer,
  // each up to the timeout): with a shorter lease no delivery is ever attempted.
  if (h.leaseSeconds <= 2 * h.timeoutSeconds)
    found.push_back("hooks.leaseSeconds (" + number(h.leaseSeconds) +
                    ") must be more than twice hooks.timeoutSeconds (" + number(h.timeoutSeconds) +
                    "): an attempt may last twice the timeout, and none is started that could "
                    "outlast its lease, so no hook would ever be delivered");
  if (h.retry.baseMs < 1) found.push_back("hooks.retryBaseMs must be at least 1");
  if (h.retry.capMs < h.retry.baseMs)
    found.push_back("hooks.retryCapMs (" + number(h.retry.capMs) +
                    ") must not be below hooks.retryBaseMs (" + number(h.retry.baseMs) +
                    "): the longest delay between attempts would be shorter than the first");
  if (h.perAppConcurrency < 1) found.push_back("hooks.perAppConcurrency must be at least 1");
  if (h.perAppMaxConcurrency > 0 && h.perAppMaxConcurrency < h.perAppConcurrency)
    found.push_back("hooks.perAppMaxConcurrency (" + number(h.perAppMaxConcurrency) +
                    ") must be 0 or at least hooks.perAppConcurrency (" +
                    number(h.perAppConcurrency) + "): the limit would start above its maximum");

  const auto& d = c.bridge.data;
  if (d.hookAttempts > 1 && d.firstRetryDelayMs >= d.hookDeadlineMs)
    found.push_back("data.firstRetryDelayMs (" + number(d.firstRetryDelayMs) +
                    ") must be below data.hookDeadlineMs (" + number(d.hookDeadlineMs) +
                    ") when data.hookAttempts is above 1: no retry could ever start");
  if (d.hookAttempts > 1 && d.hookTimeoutMs >= d.hookDeadlineMs)
    found.push_back("data.hookTimeoutMs (" + number(d.hookTimeoutMs) +
                    ") must be below data.hookDeadlineMs (" + number(d.hookDeadlineMs) +
                    ") when data.hookAttempts is above 1: an attempt that times out could never "
                    "be retried");

  const auto& p = c.bridge.presence;
  if (p.minExpires < 1) found.push_back("presence.minExpires must be at least 1");
  if (p.maxExpires < p.minExpires)
    found.push_back("presence.maxExpires (" + number(p.maxExpires) +
                    ") must not be below presence.minExpires (" + number(p.minExpires) +
                    "): no expires would be accepted");

  return found;
}

void checkConsistency(const AppConfig& config) {
  const auto found = contradictions(config);
  if (found.empty()) return;
  std::string message = "the configuration contradicts itself";
  for (const auto& line : found) message += "; " + line;
  throw Poco::InvalidArgumentException(message);
}

}  // namespace sipbridge::app
