#pragma once

#include <string>

namespace sipbridge::api {

/// Rows or events one page holds when a request names no `limit`, and the most it may name
/// (GET /api/v1/events, the admin API's lists and event search).
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
/// Hook deliveries one replay takes when it names no `limit`, and the most it may name.
constexpr int kDefaultReplayBatch = 1000;
constexpr int kMaxReplayBatch = 100000;

/// The default page size as the text of a query parameter.
inline std::string defaultPageSizeText() {
  return std::to_string(kDefaultPageSize);
}

}  // namespace sipbridge::api
