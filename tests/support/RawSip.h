#pragma once

#include <chrono>
#include <string>

namespace sipbridge::test {

/// A SIP request written by hand, for input a regular user agent would never send.
/// `{via}` in `request` is replaced with the sender's own address as a Via sent-by
/// ("127.0.0.1:port"), so the answer finds its way back over UDP.
struct RawSipAnswer {
  int status = 0;        ///< final status of the first final answer; 0 when none came
  std::string response;  ///< that answer as received
};

/// Sends `request` once over "udp" or "tcp" to 127.0.0.1:`port` and waits at most `timeout`
/// for a final answer (1xx answers are skipped).
RawSipAnswer sendRawSip(const std::string& transport, int port, std::string request,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

}  // namespace sipbridge::test
