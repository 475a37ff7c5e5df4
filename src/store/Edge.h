#pragma once

#include "sipbridge/core/Errors.h"
#include "sipbridge/store/StoreError.h"

#include <string>

namespace sipbridge::store {

/// The edge of the store towards core: runs `work` and turns StoreUnavailable into
/// core::Unavailable (503 with Retry-After). Other errors pass unchanged.
template <class Work>
auto atEdge(Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const StoreUnavailable& error) {
    throw core::Unavailable("database unavailable: " + error.message());
  }
}

/// SQL fragment converting a timestamptz expression to milliseconds since the epoch.
inline std::string msOf(const std::string& column) {
  return "floor(extract(epoch FROM " + column + ") * 1000)::bigint";
}

}  // namespace sipbridge::store
