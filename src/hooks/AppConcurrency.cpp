#include "sipbridge/hooks/AppConcurrency.h"

#include <algorithm>

namespace sipbridge::hooks {
namespace {

ConcurrencyLimits normalized(ConcurrencyLimits limits) {
  limits.initial = std::max(1, limits.initial);
  limits.maximum = std::max(limits.initial, limits.maximum);
  limits.growAfter = std::max(1, limits.growAfter);
  return limits;
}

}  // namespace

AppConcurrency::AppConcurrency(ConcurrencyLimits limits) : limits_(normalized(limits)) {}

int AppConcurrency::limit(const std::string& appKey) const {
  auto it = states_.find(appKey);
  return it == states_.end() ? limits_.initial : it->second.limit;
}

std::vector<std::pair<std::string, int>> AppConcurrency::adapted() const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& [app, state] : states_)
    if (state.limit != limits_.initial) out.emplace_back(app, state.limit);
  return out;
}

void AppConcurrency::onAnswer(const std::string& appKey, int status,
                              std::chrono::milliseconds elapsed) {
  const bool success = status >= 200 && status < 300;
  const bool overloaded = status == 0 || status == 429 || status >= 500 || elapsed >= limits_.slow;
  if (!success && !overloaded) return;
  auto it = states_.find(appKey);
  if (it == states_.end()) {
    if (overloaded && limits_.initial == 1) return;
    it = states_.emplace(appKey, State{limits_.initial, 0}).first;
  }
  State& state = it->second;
  if (overloaded) {
    state.limit = std::max(1, state.limit / 2);
    state.streak = 0;
  } else if (++state.streak >= limits_.growAfter) {
    state.limit = std::min(limits_.maximum, state.limit + 1);
    state.streak = 0;
  }
  if (state.limit == limits_.initial && state.streak == 0) states_.erase(it);
}

}  // namespace sipbridge::hooks
