#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sipbridge::core {

/// A monotonically increasing count. Lock-free; the reference stays valid for the life of
/// the Metrics that made it.
class Counter {
 public:
  void inc(std::int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// Named counters and gauges, rendered in the Prometheus text format. Thread-safe.
/// Names follow Prometheus rules; labels are given as `{key="value"}` text in `labels`.
class Metrics {
 public:
  /// The counter `name{labels}`, created on first use with the given help text.
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = {});
  /// A gauge whose value is read when rendering (queue depths, live sessions...).
  void gauge(const std::string& name, const std::string& help, std::function<double()> read,
             const std::string& labels = {});
  /// All metrics in the Prometheus text exposition format.
  std::string render() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::function<double()>> gauges;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace sipbridge::core
