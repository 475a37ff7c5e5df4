#pragma once

#include <future>
#include <map>
#include <string>
#include <vector>

namespace sipbridge::test {

/// Sends one MESSAGE with sipp (tests/sipp/uac_message.xml) to `remote` ("127.0.0.1:port",
/// normally the SIP server) for `ruri`, expecting `status`, in the background. The future
/// holds "" on success, else sipp's complaint. Bounded by a 15 s timeout.
std::future<std::string> sippSendMessage(
    const std::string& remote, const std::string& ruri, const std::string& body, int status,
    const std::string& contentType = "text/plain;charset=UTF-8",
    const std::string& transport = "u1");

/// Runs the server scenario tests/sipp/<scenario> on 127.0.0.1:`port` for `calls` calls, in
/// the background; the future holds "" when they completed, else sipp's complaint.
std::future<std::string> sippServe(const std::string& scenario, int port, int calls = 1);

/// Runs the client scenario tests/sipp/<scenario> once against `remote` ("127.0.0.1:port"),
/// with `-key name value` for each of `keys`, in the background; the future holds "" when it
/// completed, else sipp's complaint with its logs. Bounded by a 15 s timeout.
std::future<std::string> sippClient(const std::string& scenario, const std::string& remote,
                                    const std::map<std::string, std::string>& keys);

/// What sipp's -trace_rtt logs (*_rtt.csv) in one directory say: each response time, and the
/// span from the first request sent to the last answer (sipp's clock, milliseconds).
struct SippRtt {
  std::vector<double> rttMs;
  double firstSentMs = 0;
  double lastAnsweredMs = 0;
  /// Seconds from the first request to the last answer; 0 when nothing was answered.
  double seconds() const {
    return lastAnsweredMs > firstSentMs ? (lastAnsweredMs - firstSentMs) / 1000.0 : 0;
  }
};
SippRtt readSippRtt(const std::string& directory);

}  // namespace sipbridge::test
