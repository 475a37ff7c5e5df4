#pragma once

#include "sipbridge/core/Errors.h"
#include "sipbridge/store/StoreError.h"

#include <Poco/Logger.h>

#include <string>

namespace sipbridge::store {

/// The public message of a 503 while the database cannot be reached: stable, without
/// statement names or server messages (those go to the log).
inline const char* const kDatabaseUnavailable = "the database is unavailable; retry later";

/// Logs why the database failed and returns the public error for it.
inline core::Unavailable databaseUnavailable(const StoreError& error) {
  Poco::Logger::get("sipbridge.store").warning("database unavailable: %s", error.message());
  return core::Unavailable(kDatabaseUnavailable);
}

/// The edge of the store towards core: runs `work` and turns StoreUnavailable into
/// core::Unavailable (503 with Retry-After, the public message). Other errors pass unchanged.
template <class Work>
auto atEdge(Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const StoreUnavailable& error) {
    throw databaseUnavailable(error);
  }
}

/// SQL fragment converting a timestamptz expression to milliseconds since the epoch.
inline std::string msOf(const std::string& column) {
  return "floor(extract(epoch FROM " + column + ") * 1000)::bigint";
}

}  // namespace sipbridge::store
