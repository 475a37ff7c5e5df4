#include "sipbridge/app/AppConfig.h"

#include <Poco/Exception.h>

#include <string>
#include <utility>
#include <vector>

namespace sipbridge::app {
namespace {

std::string number(long long value) {
  return std::to_string(value);
}

/// Host and port of a "sip:host:port" / "sips:host:port" bind URL; port 0 when it names none
/// or is not a number (the system's choice, or an error the SIP stack reports).
std::pair<std::string, long> hostPort(const std::string& url) {
  const auto scheme = url.find(':');
  const auto last = url.rfind(':');
  if (scheme == std::string::npos || last == scheme) return {url.substr(scheme + 1), 0};
  const std::string port = url.substr(last + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
    return {url.substr(scheme + 1), 0};
  return {url.substr(scheme + 1, last - scheme - 1), std::stol(port)};
}

}  // namespace

std::vector<std::string> contradictions(const AppConfig& c) {
  std::vector<std::string> found;
  const auto& a = c.api;
  if (!a.plainEnabled && !a.tlsEnabled)
    found.push_back("http.enabled and https.enabled are both false: the API would not listen");
  if (a.tlsEnabled && a.tlsCertificateFile.empty())
    found.push_back("https.enabled is true but https.certificateFile is empty");
  if (a.tlsEnabled && a.tlsKeyFile.empty())
    found.push_back("https.enabled is true but https.keyFile is empty");
  if (a.tlsEnabled && a.tlsMinVersion != "1.2" && a.tlsMinVersion != "1.3")
    found.push_back("https.minVersion (" + a.tlsMinVersion + ") must be 1.2 or 1.3");
  if (a.plainEnabled && a.tlsEnabled && a.port != 0 && a.port == a.tlsPort &&
      (a.bindAddress == a.tlsBindAddress || a.bindAddress == "0.0.0.0" ||
       a.tlsBindAddress == "0.0.0.0"))
    found.push_back("http.port and https.port are both " + number(a.port) +
                    " on the same address: one port cannot serve plain HTTP and HTTPS");

  const auto& h = c.hooks;
  if (h.timeoutSeconds < 1) found.push_back("hooks.timeoutSeconds must be at least 1");
  // A worker never starts an attempt that could outlast the lease (connect plus answer,
  // each up to the timeout): with a shorter lease no delivery is ever attempted.
  if (h.leaseSeconds <= 2 * h.timeoutSeconds)
    found.push_back("hooks.leaseSeconds (" + number(h.leaseSeconds) +
                    ") must be more than twice hooks.timeoutSeconds (" + number(h.timeoutSeconds) +
                    "): an attempt may last twice the timeout, and none is started that could "
                    "outlast its lease, so no hook would ever be delivered");
  if (h.retry.baseMs < 1) found.push_back("hooks.retryBaseMs must be at least 1");
  if (h.retry.capMs < h.retry.baseMs)
    found.push_back("hooks.retryCapMs (" + number(h.retry.capMs) +
                    ") must not be below hooks.retryBaseMs (" + number(h.retry.baseMs) +
                    "): the longest delay between attempts would be shorter than the first");
  if (h.perAppConcurrency < 1) found.push_back("hooks.perAppConcurrency must be at least 1");
  if (h.perAppMaxConcurrency > 0 && h.perAppMaxConcurrency < h.perAppConcurrency)
    found.push_back("hooks.perAppMaxConcurrency (" + number(h.perAppMaxConcurrency) +
                    ") must be 0 or at least hooks.perAppConcurrency (" +
                    number(h.perAppConcurrency) + "): the limit would start above its maximum");

  const auto& d = c.bridge.data;
  if (d.hookAttempts > 1 && d.firstRetryDelayMs >= d.hookDeadlineMs)
    found.push_back("data.firstRetryDelayMs (" + number(d.firstRetryDelayMs) +
                    ") must be below data.hookDeadlineMs (" + number(d.hookDeadlineMs) +
                    ") when data.hookAttempts is above 1: no retry could ever start");
  if (d.hookAttempts > 1 && d.hookTimeoutMs >= d.hookDeadlineMs)
    found.push_back("data.hookTimeoutMs (" + number(d.hookTimeoutMs) +
                    ") must be below data.hookDeadlineMs (" + number(d.hookDeadlineMs) +
                    ") when data.hookAttempts is above 1: an attempt that times out could never "
                    "be retried");

  // Each session of a user has its own agent: agent k listens on both bind URLs' ports + k.
  if (c.sip.tls.enabled()) {
    const auto [host, port] = hostPort(c.sip.bindUrl);
    const auto [tlsHost, tlsPort] = hostPort(c.sip.tls.bindUrl);
    const long n = static_cast<long>(c.sip.maxSessionsPerUser > 0 ? c.sip.maxSessionsPerUser : 1);
    if (port != 0 && tlsPort != 0 && tlsPort < port + n && port < tlsPort + n &&
        (host == tlsHost || host == "0.0.0.0" || tlsHost == "0.0.0.0"))
      found.push_back("sip.bindUrl (ports " + number(port) + "-" + number(port + n - 1) +
                      ") and sip.tlsBindUrl (ports " + number(tlsPort) + "-" +
                      number(tlsPort + n - 1) + ") overlap: each of sip.maxSessionsPerUser (" +
                      number(n) + ") agents listens on both ports plus its index");
  }

  const auto& p = c.bridge.presence;
  if (p.minExpires < 1) found.push_back("presence.minExpires must be at least 1");
  if (p.maxExpires < p.minExpires)
    found.push_back("presence.maxExpires (" + number(p.maxExpires) +
                    ") must not be below presence.minExpires (" + number(p.minExpires) +
                    "): no expires would be accepted");

  return found;
}

void checkConsistency(const AppConfig& config) {
  const auto found = contradictions(config);
  if (found.empty()) return;
  std::string message = "the configuration contradicts itself";
  for (const auto& line : found) message += "; " + line;
  throw Poco::InvalidArgumentException(message);
}

}  // namespace sipbridge::app
