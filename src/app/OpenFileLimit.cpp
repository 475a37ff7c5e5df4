#include "OpenFileLimit.h"

#include <sys/resource.h>

#include <algorithm>

namespace sipbridge::app {

std::uint64_t raiseOpenFileLimit(std::uint64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= wanted) return limit.rlim_cur;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) {
    rlimit raised{wanted, wanted};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return wanted;  // allowed to raise the hard limit
  }
  const rlim_t soft =
      limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
  rlimit target{soft, limit.rlim_max};
  if (setrlimit(RLIMIT_NOFILE, &target) != 0) return limit.rlim_cur;
  return soft;
}

}  // namespace sipbridge::app
