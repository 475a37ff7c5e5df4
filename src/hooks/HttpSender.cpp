#include "sipbridge/hooks/HttpSender.h"

#include "sipbridge/hooks/HookErrors.h"
#include "sipbridge/hooks/RetryPolicy.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <istream>

namespace sipbridge::hooks {
namespace {

std::int64_t systemNowMs() {
  return Poco::Timestamp().epochMicroseconds() / 1000;
}

std::string readAtMost(std::istream& in, std::size_t limit) {
  std::string out;
  char buffer[4096];
  while (in && out.size() < limit) {
    in.read(buffer, static_cast<std::streamsize>(std::min(sizeof buffer, limit - out.size())));
    out.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  return out;
}

/// True when the connection can carry another request: the answer was read to its
/// delimited end and the server keeps the connection open.
bool reusable(const Poco::Net::HTTPResponse& response, const std::istream& in) {
  const int status = static_cast<int>(response.getStatus());
  const bool delimited = response.hasContentLength() || response.getChunkedTransferEncoding() ||
                         status == 204 || status == 304;
  return response.getKeepAlive() && delimited && in.eof() && !in.bad();
}

}  // namespace

std::string hookUrlFor(const std::string& base, const std::string& segment) {
  Poco::URI uri(base);
  std::string path = uri.getPath();
  if (path.empty() || path.back() != '/') path += '/';
  uri.setPath(path + segment);
  return uri.toString();
}

HookEndpoint endpointFor(const core::App& app, const std::string& segment) {
  HookEndpoint endpoint;
  endpoint.url = hookUrlFor(app.hookUrl, segment);
  endpoint.development = app.development;
  endpoint.identity = {app.clientCertificate, app.clientKey};
  return endpoint;
}

core::Counter& developmentCounter(core::Metrics& metrics, const std::string& hook) {
  return metrics.counter("sipbridge_hook_development_requests_total",
                         "Hook requests sent to applications marked development (plain http "
                         "or https without certificate verification), by hook.",
                         "{hook=\"" + hook + "\"}");
}

HttpSender::HttpSender(const UrlPolicy& policy, tls::TlsClient& tls,
                       std::chrono::milliseconds timeout, std::size_t maxResponseBytes, Clock clock,
                       std::unique_ptr<KeepAlivePool> keepAlive, core::Counter* development)
    : policy_(policy),
      tls_(tls),
      timeout_(timeout),
      maxResponseBytes_(maxResponseBytes),
      clock_(clock ? std::move(clock) : Clock([] { return systemNowMs() / 1000; })),
      keepAlive_(std::move(keepAlive)),
      development_(development) {}

KeepAlivePool::Session HttpSender::open(const Destination& destination,
                                        const HookEndpoint& endpoint) const {
  KeepAlivePool::Session session;
  if (destination.scheme == "https")
    session = tls_.session(destination.address, destination.host, endpoint.identity,
                           !endpoint.development);
  else
    session = std::make_unique<Poco::Net::HTTPClientSession>(destination.address);
  const Poco::Timespan timeout(
      std::chrono::duration_cast<std::chrono::microseconds>(timeout_).count());
  session->setTimeout(timeout, timeout, timeout);
  session->setKeepAlive(keepAlive_ != nullptr);
  return session;
}

SendResult HttpSender::post(const HookEndpoint& endpoint, const std::string& webhookId,
                            const Signer& signer, const std::string& body) const {
  SendResult result;
  Destination destination;
  try {
    destination = policy_.resolve(endpoint.url, endpoint.development);
  } catch (const DestinationNotAllowed& e) {
    result.error = "destination not allowed: " + e.message();
    return result;
  }
  if (endpoint.development && development_) development_->inc();
  const bool secure = destination.scheme == "https";
  if (secure) tls_.takeRefusal();  // forget a refusal of an earlier exchange on this thread
  try {
    // A kept connection is reused only for the same checked address, host, port, scheme,
    // client certificate and verification.
    std::string key = destination.scheme + " " + destination.address.toString() + " " +
                      destination.host + ":" + std::to_string(destination.port);
    if (secure) {
      key += endpoint.development ? " unverified" : " verified";
      if (!endpoint.identity.empty()) key += " " + tls::identityDigest(endpoint.identity);
    }
    KeepAlivePool::Session session = keepAlive_ ? keepAlive_->take(key) : nullptr;
    if (!session) session = open(destination, endpoint);

    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, destination.pathAndQuery,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(destination.host, destination.port);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("User-Agent", "sipbridge");
    const std::int64_t timestamp = clock_();
    request.set("webhook-id", webhookId);
    request.set("webhook-timestamp", std::to_string(timestamp));
    request.set("webhook-signature", signer.sign(webhookId, timestamp, body));
    session->sendRequest(request) << body;

    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    result.status = static_cast<int>(response.getStatus());
    if (response.has("Retry-After"))
      result.retryAfterMs =
          RetryPolicy::parseRetryAfter(response.get("Retry-After"), systemNowMs());
    if (result.status < 200 || result.status >= 300)
      result.error = "HTTP " + std::to_string(result.status);
    try {
      result.body = readAtMost(in, maxResponseBytes_);
    } catch (const Poco::Exception&) {
      // The status line decides the outcome; a body cut short changes nothing.
      return result;
    }
    if (keepAlive_ && reusable(response, in)) keepAlive_->give(key, std::move(session));
  } catch (const Poco::TimeoutException& e) {
    result.status = 0;
    result.error = "timeout: " + e.displayText();
  } catch (const Poco::Exception& e) {
    result.status = 0;
    const std::string refusal = secure ? tls_.takeRefusal() : std::string();
    result.error = refusal.empty() ? e.displayText() : refusal;
  } catch (const std::exception& e) {
    result.status = 0;
    result.error = e.what();
  }
  return result;
}

}  // namespace sipbridge::hooks
