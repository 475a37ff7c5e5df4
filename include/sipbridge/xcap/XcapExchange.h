#pragma once

#include "sipbridge/core/XcapClient.h"
#include "sipbridge/tls/TlsClient.h"
#include "sipbridge/xcap/XcapUrlPolicy.h"

#include <cstddef>

namespace sipbridge::xcap {

/// Limits of one blocking XCAP exchange.
struct ExchangeLimits {
  int timeoutSeconds = 10;
  std::size_t maxResponseBytes = 1 << 20;
};

/// Sends `request` to `target` (already checked) and returns the answer; on 401 with a
/// Digest challenge and a user in the request, sends it once more, authenticated, on a new
/// connection. An https target goes through `tls` (server certificate and host name
/// verified; never an exception). Blocking, never throws: failures come back as status 0
/// with `error` (for a refused certificate, the reason).
core::XcapResponse exchange(const XcapTarget& target, const core::XcapRequest& request,
                            const ExchangeLimits& limits, tls::TlsClient& tls);

}  // namespace sipbridge::xcap
