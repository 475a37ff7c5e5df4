#pragma once

#include <cstdint>

namespace sipbridge::app {

/// Raises this process's open-file soft limit (RLIMIT_NOFILE) to `wanted` when it is lower:
/// up to the hard limit, and past it when the process may raise the hard limit (root).
/// Returns the soft limit in force afterwards.
std::uint64_t raiseOpenFileLimit(std::uint64_t wanted);

}  // namespace sipbridge::app
