#include "Cors.h"
#include "sipbridge/api/HttpErrors.h"

#include "ApiContext.h"
#include "ApiIo.h"
#include "sipbridge/core/Errors.h"

#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>

namespace sipbridge::api {
namespace {

constexpr auto kTtl = std::chrono::seconds(1);

bool listed(const std::vector<std::string>& origins, const std::string& origin) {
  return std::any_of(origins.begin(), origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

/// The request's Origin in canonical form, or empty when absent or not a usable origin
/// ("null" from sandboxed pages, garbage): such a request is treated as not allowed.
std::string requestOrigin(const Request& request) {
  const std::string origin = request.header("Origin");
  if (origin.empty()) return {};
  try {
    const std::string canonical = canonicalOrigin(origin, "Origin");
    return canonical == "*" ? std::string("-") : canonical;
  } catch (const core::DomainError&) {
    return "-";
  }
}

/// True when `origin` (canonical) is the request's own: its Host over http or https. Browsers
/// send Origin on same-origin POSTs and WebSockets too (the bridge's own pages, /demo/); such a
/// request is not cross-origin, so no application has to list it.
bool sameOrigin(const Request& request, const std::string& origin) {
  const std::string host = request.header("Host");
  if (host.empty()) return false;
  for (const char* scheme : {"http://", "https://"}) {
    try {
      if (canonicalOrigin(scheme + host, "Host") == origin) return true;
    } catch (const core::DomainError&) {
      return false;
    }
  }
  return false;
}

void addAllowHeaders(Reply& reply, const std::string& origin) {
  reply.headers.emplace_back("Access-Control-Allow-Origin", origin);
  reply.headers.emplace_back("Access-Control-Expose-Headers", "Retry-After");
  reply.headers.emplace_back("Vary", "Origin");
}

}  // namespace

bool OriginCache::appAllows(core::AppDirectory& apps, const std::string& appKey,
                            const std::string& origin) {
  {
    std::lock_guard lock(mutex_);
    auto it = byApp_.find(appKey);
    if (it != byApp_.end() && Clock::now() - it->second.first < kTtl)
      return listed(it->second.second, origin);
  }
  const auto app = apps.find(appKey);
  std::vector<std::string> origins = app ? app->allowedOrigins : std::vector<std::string>{};
  const bool allowed = listed(origins, origin);
  std::lock_guard lock(mutex_);
  if (byApp_.size() > 10000) byApp_.clear();
  byApp_[appKey] = {Clock::now(), std::move(origins)};
  return allowed;
}

bool OriginCache::anyAllows(core::AppDirectory& apps, const std::string& origin) {
  {
    std::lock_guard lock(mutex_);
    if (allRead_ != Clock::time_point{} && Clock::now() - allRead_ < kTtl)
      return std::any_of(all_.begin(), all_.end(),
                         [&](const auto& origins) { return listed(origins, origin); });
  }
  std::vector<std::vector<std::string>> all;
  for (const auto& app : apps.list())
    if (!app.allowedOrigins.empty()) all.push_back(app.allowedOrigins);
  const bool allowed = std::any_of(all.begin(), all.end(),
                                   [&](const auto& origins) { return listed(origins, origin); });
  std::lock_guard lock(mutex_);
  all_ = std::move(all);
  allRead_ = Clock::now();
  return allowed;
}

void OriginCache::invalidate() {
  std::lock_guard lock(mutex_);
  byApp_.clear();
  all_.clear();
  allRead_ = {};
}

std::string canonicalOrigin(const std::string& origin, const std::string& field) {
  if (origin == "*") return origin;
  const std::string error =
      "must be \"*\" or an origin: http or https, a host and an optional port, no path";
  if (origin.size() > 256 || std::any_of(origin.begin(), origin.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F;
      }))
    throw core::invalidField(field, error);
  Poco::URI uri;
  try {
    uri = Poco::URI(origin);
  } catch (const Poco::Exception&) {
    throw core::invalidField(field, error);
  }
  const std::string scheme = Poco::toLower(uri.getScheme());
  const bool onlyOrigin = uri.getPath().empty() && uri.getRawQuery().empty() &&
                          uri.getFragment().empty() && uri.getUserInfo().empty() &&
                          origin.find("://") != std::string::npos && origin.back() != '/';
  if ((scheme != "http" && scheme != "https") || uri.getHost().empty() || !onlyOrigin)
    throw core::invalidField(field, error);
  std::string out = scheme + "://" + Poco::toLower(uri.getHost());
  const bool defaultPort = uri.getPort() == (scheme == "https" ? 443 : 80);
  if (!defaultPort) out += ":" + std::to_string(uri.getPort());
  return out;
}

void checkOrigin(ApiContext& context, Request& request, const std::string& appKey) {
  const std::string origin = requestOrigin(request);
  if (origin.empty() || (origin != "-" && sameOrigin(request, origin))) return;
  if (origin == "-" || !context.origins.appAllows(context.service.apps(), appKey, origin))
    throw HttpError(403, "origin_not_allowed",
                    "the application does not allow requests from this origin", "Origin");
  request.allowedOrigin = origin;
}

void addCorsHeaders(ApiContext& context, const Request& request, Reply& reply, bool mayBlock) {
  if (!request.allowedOrigin.empty()) return addAllowHeaders(reply, request.allowedOrigin);
  if (!mayBlock || reply.status < 400 || request.target.rfind("/api/v1/", 0) != 0) return;
  const std::string origin = requestOrigin(request);
  if (origin.empty() || origin == "-") return;
  try {
    if (context.origins.anyAllows(context.service.apps(), origin)) addAllowHeaders(reply, origin);
  } catch (const core::DomainError&) {
    // the applications cannot be read now: the error goes out without CORS headers
  }
}

Reply answerPreflight(ApiContext& context, Request& request) {
  const std::string origin = requestOrigin(request);
  if (origin.empty())
    throw HttpError(400, "bad_request", "a preflight needs an Origin header", "Origin");
  const std::string method = request.header("Access-Control-Request-Method");
  if (method != "GET" && method != "POST")
    throw HttpError(403, "method_not_allowed", "the API takes GET and POST only",
                    "Access-Control-Request-Method");
  if (origin == "-" || !context.origins.anyAllows(context.service.apps(), origin))
    throw HttpError(403, "origin_not_allowed", "no application allows this origin", "Origin");
  Reply reply;
  reply.status = 204;
  reply.contentType = "text/plain";
  addAllowHeaders(reply, origin);
  reply.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST");
  reply.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
  reply.headers.emplace_back("Access-Control-Max-Age",
                             std::to_string(context.config.corsMaxAgeSeconds));
  return reply;
}

}  // namespace sipbridge::api
