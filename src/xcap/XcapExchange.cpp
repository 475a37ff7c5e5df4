#include "sipbridge/xcap/XcapExchange.h"

#include <Poco/Net/HTTPAuthenticationParams.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPDigestCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>

#include <istream>
#include <memory>

namespace sipbridge::xcap {
namespace {

using Poco::Net::HTTPResponse;

/// Thrown inside an exchange when the answer is refused; becomes status 0.
class ExchangeFailed : public Poco::Exception {
 public:
  using Poco::Exception::Exception;
};

Poco::Net::HTTPRequest buildRequest(const XcapTarget& target, const core::XcapRequest& request) {
  Poco::Net::HTTPRequest http(request.method, target.requestUri, Poco::Net::HTTPMessage::HTTP_1_1);
  http.setHost(target.host, target.port);
  http.setKeepAlive(false);
  http.set("User-Agent", "sipbridge");
  if (!request.ifMatch.empty()) http.set("If-Match", request.ifMatch);
  if (!request.ifNoneMatch.empty()) http.set("If-None-Match", request.ifNoneMatch);
  if (request.method == "PUT") {
    if (!request.contentType.empty()) http.setContentType(request.contentType);
    http.setContentLength(static_cast<std::streamsize>(request.body.size()));
  }
  return http;
}

/// One request and its answer on a fresh connection; throws ExchangeFailed for a body
/// larger than the limit.
core::XcapResponse send(const XcapTarget& target, const core::XcapRequest& request,
                        Poco::Net::HTTPRequest& http, HTTPResponse& answer,
                        const ExchangeLimits& limits, tls::TlsClient& tls) {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (target.scheme == "https") {
    const Poco::Net::SocketAddress address(target.host, target.port);
    session = tls.session(address, target.host, {}, true);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(target.host, target.port);
  }
  const Poco::Timespan timeout(limits.timeoutSeconds, 0);
  session->setTimeout(timeout, timeout, timeout);
  session->setKeepAlive(false);
  std::ostream& out = session->sendRequest(http);
  if (request.method == "PUT") out << request.body;
  std::istream& in = session->receiveResponse(answer);

  core::XcapResponse response;
  response.status = static_cast<int>(answer.getStatus());
  response.contentType = answer.getContentType();
  response.etag = answer.get("ETag", "");
  if (answer.hasContentLength() &&
      answer.getContentLength64() > static_cast<Poco::Int64>(limits.maxResponseBytes))
    throw ExchangeFailed("XCAP answer " + std::to_string(response.status) + " has a body of " +
                         std::to_string(answer.getContentLength64()) + " bytes, more than " +
                         std::to_string(limits.maxResponseBytes));
  char buffer[8192];
  while (in) {
    in.read(buffer, sizeof buffer);
    response.body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (response.body.size() > limits.maxResponseBytes)
      throw ExchangeFailed("XCAP answer " + std::to_string(response.status) +
                           " has a body of more than " + std::to_string(limits.maxResponseBytes) +
                           " bytes");
  }
  if (in.bad()) throw ExchangeFailed("XCAP answer body could not be read");
  return response;
}

bool isDigestChallenge(const HTTPResponse& answer) {
  if (!answer.has("WWW-Authenticate")) return false;
  const std::string& value = answer.get("WWW-Authenticate");
  return value.size() >= 7 && Poco::icompare(value.substr(0, 7), "Digest ") == 0;
}

}  // namespace

core::XcapResponse exchange(const XcapTarget& target, const core::XcapRequest& request,
                            const ExchangeLimits& limits, tls::TlsClient& tls) {
  if (target.scheme == "https") tls.takeRefusal();  // forget an earlier exchange's
  try {
    Poco::Net::HTTPRequest http = buildRequest(target, request);
    HTTPResponse answer;
    core::XcapResponse response = send(target, request, http, answer, limits, tls);
    if (response.status != HTTPResponse::HTTP_UNAUTHORIZED || request.user.empty()) return response;
    if (!isDigestChallenge(answer)) {
      response.error = "the XCAP server asks for an authentication other than Digest";
      return response;
    }
    Poco::Net::HTTPRequest retry = buildRequest(target, request);
    try {
      Poco::Net::HTTPDigestCredentials credentials(request.user, request.password);
      credentials.authenticate(retry, answer);
    } catch (const Poco::Exception& e) {
      response.error = "cannot answer the XCAP server's digest challenge: " + e.message();
      return response;
    }
    HTTPResponse second;
    core::XcapResponse authenticated = send(target, request, retry, second, limits, tls);
    if (authenticated.status == HTTPResponse::HTTP_UNAUTHORIZED)
      authenticated.error = "the XCAP server refused the credentials";
    return authenticated;
  } catch (const ExchangeFailed& e) {
    core::XcapResponse failed;
    failed.error = e.message();
    return failed;
  } catch (const Poco::TimeoutException& e) {
    core::XcapResponse failed;
    failed.error = "timeout: " + e.displayText();
    return failed;
  } catch (const Poco::Exception& e) {
    core::XcapResponse failed;
    const std::string refusal = target.scheme == "https" ? tls.takeRefusal() : std::string();
    failed.error = refusal.empty() ? e.displayText() : refusal;
    return failed;
  } catch (const std::exception& e) {
    core::XcapResponse failed;
    failed.error = e.what();
    return failed;
  }
}

}  // namespace sipbridge::xcap
