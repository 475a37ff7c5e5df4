// Allocation counting for the content benches: a replaced global operator new/delete and
// libxml2 allocators (xmlMemSetup) feeding process-wide counters, and AllocationScope, which
// reports allocations per iteration as benchmark counters.
//
// Contract: include from exactly one translation unit per binary (every bench/*.cpp is its own
// binary), since it defines the replacement operator new/delete, which may not be inline.
// Call runCountingBenchmarks() from main() so that libxml2 is routed through the counters
// before any other libxml2 call.
#pragma once

#include <benchmark/benchmark.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <utility>

namespace sipbridge::bench {

// Allocation counters: process-wide by nature, since operator new is.
inline std::atomic<std::size_t> allocations{0};
inline std::atomic<std::size_t> allocatedBytes{0};

inline void countAllocation(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  allocatedBytes.fetch_add(size, std::memory_order_relaxed);
}

inline void* countingMalloc(std::size_t size) {
  countAllocation(size);
  return std::malloc(size);
}
inline void* countingRealloc(void* p, std::size_t size) {
  countAllocation(size);
  return std::realloc(p, size);
}
inline char* countingStrdup(const char* s) {
  countAllocation(std::strlen(s) + 1);
  return strdup(s);
}

/// Reports allocations per iteration since construction as benchmark counters named
/// "allocs/<unit>" and "bytes/<unit>". Lives on the benchmark's thread, inside its function.
class AllocationScope {
 public:
  AllocationScope(benchmark::State& state, std::string unit)
      : state_(state),
        unit_(std::move(unit)),
        allocs_(allocations.load()),
        bytes_(allocatedBytes.load()) {}
  ~AllocationScope() {
    const double n = static_cast<double>(state_.iterations());
    state_.counters["allocs/" + unit_] = static_cast<double>(allocations.load() - allocs_) / n;
    state_.counters["bytes/" + unit_] = static_cast<double>(allocatedBytes.load() - bytes_) / n;
  }
  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;

 private:
  benchmark::State& state_;
  std::string unit_;
  std::size_t allocs_;
  std::size_t bytes_;
};

/// The body of a counting bench's main(): routes libxml2's allocations through the counters,
/// then runs the registered benchmarks. Returns the process exit code.
inline int runCountingBenchmarks(int argc, char** argv) {
  if (xmlMemSetup(std::free, countingMalloc, countingRealloc, countingStrdup) != 0) return 1;
  xmlInitParser();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  xmlCleanupParser();
  return 0;
}

}  // namespace sipbridge::bench

void* operator new(std::size_t size) {
  sipbridge::bench::countAllocation(size);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
// Out of line so that the compiler does not pair an inlined new with free() and warn.
[[gnu::noinline]] void release(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
