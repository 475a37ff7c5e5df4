#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::core {

/// One hook delivery of one event to one application endpoint.
struct HookDelivery {
  std::int64_t id = 0;
  std::string eventId;
  std::string appKey;
  std::string eventType;
  std::string state;  ///< pending, delivered, dead, disabled
  int attempts = 0;
  int lastHttpStatus = 0;
  std::string lastError;
  std::int64_t createdMs = 0;
  std::int64_t nextAttemptMs = 0;
  std::int64_t deliveredMs = 0;
};

struct DeliveryFilter {
  std::optional<std::string> appKey;
  std::optional<std::string> state;
  std::optional<std::string> eventId;
  int limit = 100;
};

/// Inspection and replay of hook deliveries (admin API). Blocking; HTTP threads only.
class HookDeliveries {
 public:
  virtual ~HookDeliveries() = default;
  virtual std::vector<HookDelivery> find(const DeliveryFilter& filter) = 0;
  /// Makes dead or disabled deliveries matching the filter pending again, due now, with a
  /// fresh retry period. Returns how many were replayed.
  virtual int replay(const DeliveryFilter& filter) = 0;
};

}  // namespace sipbridge::core
