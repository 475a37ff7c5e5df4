#include "ApiIo.h"
#include "Cors.h"
#include "PageLimits.h"
#include "Routes.h"
#include "sipbridge/api/HttpErrors.h"
#include "sipbridge/api/MethodRequests.h"
#include "sipbridge/core/Errors.h"

#include <Poco/Base64Encoder.h>
#include <Poco/RandomStream.h>

#include <algorithm>
#include <limits>
#include <sstream>

namespace sipbridge::api {
namespace {

using Poco::JSON::Object;

void requireAdmin(const ApiContext& context, const Request& request) {
  if (context.config.adminToken.empty()) throw HttpError(404, "not_found", "no such route");
  if (!constantTimeEquals(bearerToken(request), context.config.adminToken))
    throw core::unauthorized("missing or wrong admin token");
}

/// Wraps a handler with the admin token check.
RouteHandler admin(ApiContext& context, std::function<Reply(Request&)> handler) {
  return [&context, handler = std::move(handler)](Request& request) {
    requireAdmin(context, request);
    return handler(request);
  };
}

const std::string& checkAppKey(const std::string& appKey) {
  const bool ok = !appKey.empty() && appKey.size() <= 64 &&
                  std::all_of(appKey.begin(), appKey.end(), [](char c) {
                    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) throw core::invalidField("appKey", "must be 1 to 64 characters of A-Z a-z 0-9 . _ -");
  return appKey;
}

/// A short printable filter value (type, status, ids), or throws 400 naming `field`.
std::string checkText(const std::string& value, const std::string& field) {
  const bool ok =
      !value.empty() && value.size() <= 256 && std::none_of(value.begin(), value.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
      });
  if (!ok) throw core::invalidField(field, "must be 1 to 256 printable characters");
  return value;
}

std::string generateSecret() {
  char bytes[24];
  Poco::RandomInputStream random;
  random.read(bytes, sizeof bytes);
  if (random.gcount() != static_cast<std::streamsize>(sizeof bytes))
    throw Poco::IOException("random source failed");
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes, sizeof bytes);
  encoder.close();
  return "whsec_" + out.str();
}

void checkSecret(const std::string& secret) {
  const std::string rest = secret.rfind("whsec_", 0) == 0 ? secret.substr(6) : std::string();
  const bool ok =
      rest.size() >= 24 && rest.size() <= 512 && std::all_of(rest.begin(), rest.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
      });
  if (!ok) throw core::invalidField("secret", "must be \"whsec_\" + base64 of 18 bytes or more");
}

void checkHookUrl(ApiContext& context, const std::string& url, bool development) {
  if (url.empty()) return;
  try {
    context.hookUrls.check(url, development);
  } catch (const Poco::Exception& e) {
    throw core::invalidField("hookUrl", e.message());
  }
}

/// Applies clientCertificate and clientKey of `body` to `app`: absent keeps them, null or ""
/// removes them, a PEM certificate needs its key in the same body. Throws 400 naming the field.
void applyClientCertificate(ApiContext& context, const Object& body, core::App& app) {
  const bool hasCert = body.has("clientCertificate");
  const bool hasKey = body.has("clientKey") && !body.isNull("clientKey");
  if (!hasCert) {
    if (hasKey) throw core::invalidField("clientKey", "give clientCertificate with its key");
    return;
  }
  const std::string cert =
      body.isNull("clientCertificate") ? std::string() : stringMember(body, "clientCertificate");
  const std::string key = hasKey ? stringMember(body, "clientKey") : std::string();
  if (cert.empty()) {
    if (!key.empty()) throw core::invalidField("clientKey", "there is no clientCertificate");
    app.clientCertificate.clear();
    app.clientKey.clear();
    return;
  }
  try {
    context.hookUrls.describeCertificate(cert);
  } catch (const Poco::Exception& e) {
    throw core::invalidField("clientCertificate", e.message());
  }
  if (key.empty()) throw core::invalidField("clientKey", "the client certificate needs its key");
  try {
    context.hookUrls.checkKey(cert, key);
  } catch (const Poco::Exception& e) {
    throw core::invalidField("clientKey", e.message());
  }
  app.clientCertificate = cert;
  app.clientKey = key;
}

/// The imdnMode member (absent or null: `fallback`), or throws 400 naming imdnMode.
std::string imdnModeMember(const Object& body, const std::string& fallback) {
  const std::string mode = stringMember(body, "imdnMode", fallback);
  if (mode != "automatic" && mode != "manual" && mode != "never")
    throw core::invalidField("imdnMode", "must be automatic, manual or never");
  return mode;
}

/// The allowedOrigins member (absent or null: `fallback`) in canonical form, or throws 400
/// naming allowedOrigins.
std::vector<std::string> originsMember(const Object& body,
                                       const std::vector<std::string>& fallback) {
  if (!body.has("allowedOrigins") || body.isNull("allowedOrigins")) return fallback;
  const auto array = body.getArray("allowedOrigins");
  if (!array || array->size() > 100)
    throw core::invalidField("allowedOrigins", "must be an array of at most 100 origins");
  std::vector<std::string> origins;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const Poco::Dynamic::Var value = array->get(static_cast<unsigned>(i));
    if (!value.isString()) throw core::invalidField("allowedOrigins", "must hold strings");
    const std::string origin = canonicalOrigin(value.extract<std::string>(), "allowedOrigins");
    if (std::find(origins.begin(), origins.end(), origin) == origins.end())
      origins.push_back(origin);
  }
  return origins;
}

/// The shown part of the application's client certificate, or null.
Poco::Dynamic::Var certificateJson(ApiContext& context, const core::App& app) {
  if (app.clientCertificate.empty()) return Poco::Dynamic::Var();
  Object::Ptr out = new Object;
  try {
    const CertificateInfo info = context.hookUrls.describeCertificate(app.clientCertificate);
    out->set("subject", info.subject);
    out->set("issuer", info.issuer);
    out->set("fingerprint", info.fingerprint);
    out->set("notAfter", isoTime(info.notAfterMs));
  } catch (const Poco::Exception& e) {
    out->set("error", e.message());
  }
  return out;
}

Object::Ptr appJson(ApiContext& context, const core::App& app, bool withSecret) {
  Object::Ptr out = new Object;
  out->set("appKey", app.appKey);
  out->set("hookUrl", app.hookUrl);
  out->set("connectHook", app.connectHook);
  out->set("hookDisabled", app.hookDisabled);
  out->set("imdnMode", app.imdnMode);
  out->set("development", app.development);
  out->set("clientCertificate", certificateJson(context, app));
  Poco::JSON::Array::Ptr origins = new Poco::JSON::Array;
  for (const auto& origin : app.allowedOrigins) origins->add(origin);
  out->set("allowedOrigins", origins);
  out->set("created", isoTime(app.createdMs));
  if (withSecret) out->set("secret", app.secret);
  return out;
}

Reply listApps(ApiContext& context) {
  Poco::JSON::Array::Ptr apps = new Poco::JSON::Array;
  for (const auto& app : context.service.apps().list()) apps->add(appJson(context, app, false));
  Object::Ptr out = new Object;
  out->set("apps", apps);
  return jsonReply(200, out);
}

Reply createApp(ApiContext& context, Request& request) {
  const auto body = readJsonBody(request, context.config.maxBodyBytes, false);
  refuseUnknownMembers(*body, {"appKey", "hookUrl", "secret", "connectHook", "imdnMode",
                               "development", "clientCertificate", "clientKey", "allowedOrigins"});
  core::App app;
  app.appKey = checkAppKey(stringMember(*body, "appKey"));
  app.hookUrl = stringMember(*body, "hookUrl");
  app.connectHook = boolMember(*body, "connectHook", true);
  app.development = boolMember(*body, "development", false);
  applyClientCertificate(context, *body, app);
  app.imdnMode = imdnModeMember(*body, "automatic");
  app.allowedOrigins = originsMember(*body, {});
  app.secret = stringMember(*body, "secret");
  if (app.secret.empty())
    app.secret = generateSecret();
  else
    checkSecret(app.secret);
  checkHookUrl(context, app.hookUrl, app.development);
  if (context.service.apps().find(app.appKey))
    throw core::conflict("an application with this appKey exists", "appKey");
  app.createdMs = core::nowMs();
  context.service.apps().put(app);
  context.origins.invalidate();
  return jsonReply(201, appJson(context, app, true));
}

Reply getApp(ApiContext& context, Request& request) {
  const auto app = context.service.apps().find(checkAppKey(request.params.at("appKey")));
  if (!app) throw core::notFound("application", "appKey");
  return jsonReply(200, appJson(context, *app, false));
}

/// Fields absent from the body keep their value (a new application gets the defaults and a
/// generated secret); hookDisabled is cleared unless given, so a PUT re-enables an endpoint.
Reply putApp(ApiContext& context, Request& request) {
  const std::string appKey = checkAppKey(request.params.at("appKey"));
  const auto body = readJsonBody(request, context.config.maxBodyBytes, false);
  refuseUnknownMembers(*body,
                       {"appKey", "hookUrl", "secret", "connectHook", "hookDisabled", "imdnMode",
                        "development", "clientCertificate", "clientKey", "allowedOrigins"});
  if (stringMember(*body, "appKey", appKey) != appKey)
    throw core::invalidField("appKey", "differs from the appKey of the path");
  const auto existing = context.service.apps().find(appKey);
  core::App app = existing.value_or(core::App{});
  app.appKey = appKey;
  if (!existing) app.createdMs = core::nowMs();
  app.hookUrl = stringMember(*body, "hookUrl", app.hookUrl);
  app.connectHook = boolMember(*body, "connectHook", app.connectHook);
  app.hookDisabled = boolMember(*body, "hookDisabled", false);
  app.imdnMode = imdnModeMember(*body, app.imdnMode.empty() ? "automatic" : app.imdnMode);
  app.development = boolMember(*body, "development", app.development);
  applyClientCertificate(context, *body, app);
  app.allowedOrigins = originsMember(*body, app.allowedOrigins);
  const std::string secret = stringMember(*body, "secret");
  bool generated = false;
  if (!secret.empty()) {
    checkSecret(secret);
    app.secret = secret;
  } else if (app.secret.empty()) {
    app.secret = generateSecret();
    generated = true;
  }
  checkHookUrl(context, app.hookUrl, app.development);
  const bool created = context.service.apps().put(app);
  context.origins.invalidate();
  return jsonReply(created ? 201 : 200, appJson(context, app, generated));
}

Reply deleteApp(ApiContext& context, Request& request) {
  if (!context.service.apps().remove(checkAppKey(request.params.at("appKey"))))
    throw core::notFound("application", "appKey");
  context.origins.invalidate();
  Reply reply;
  reply.status = 204;
  return reply;
}

bool parseBool(const std::string& text, const std::string& field) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw core::invalidField(field, "must be true or false");
}

int limitParam(const Request& request) {
  return static_cast<int>(parseInteger(request.queryParam("limit").value_or(defaultPageSizeText()),
                                       "limit", 1, kMaxPageSize));
}

Reply listSessions(ApiContext& context, Request& request) {
  const std::string appKey =
      request.queryParam("appKey") ? checkAppKey(*request.queryParam("appKey")) : "";
  const bool active = parseBool(request.queryParam("active").value_or("false"), "active");
  Poco::JSON::Array::Ptr sessions = new Poco::JSON::Array;
  for (const auto& s : context.service.listSessions(appKey, active, limitParam(request))) {
    Object::Ptr item = new Object;
    item->set("sessionId", s.sessionId);
    item->set("appKey", s.appKey);
    item->set("nodeId", s.nodeId);
    item->set("sipLogin", s.sipLogin);
    item->set("state", s.state);
    item->set("created", isoTime(s.createdMs));
    if (s.endedMs) item->set("ended", isoTime(s.endedMs));
    sessions->add(item);
  }
  Object::Ptr out = new Object;
  out->set("sessions", sessions);
  return jsonReply(200, out);
}

Reply terminateSession(ApiContext& context, Request& request) {
  const std::string sessionId = checkText(request.params.at("sessionId"), "sessionId");
  context.service.terminateSession(sessionId, "terminated by the administrator");
  Object::Ptr out = new Object;
  out->set("sessionId", sessionId);
  out->set("status", "DISCONNECTED");
  return jsonReply(202, out);
}

Reply sendData(ApiContext& context, Request& request) {
  const std::string sessionId = checkText(request.params.at("sessionId"), "sessionId");
  const auto body = readJsonBody(request, context.config.maxBodyBytes, false);
  Object::Ptr out = new Object;
  out->set("operationId",
           context.service.sendDataToSession(sessionId, parseSendData(*body, false)));
  return jsonReply(202, out);
}

Reply findEvents(ApiContext& context, Request& request) {
  core::EventFilter filter;
  if (auto v = request.queryParam("appKey")) filter.appKey = checkAppKey(*v);
  for (auto [name, slot] : {std::pair{"sessionId", &filter.sessionId},
                            {"type", &filter.type},
                            {"status", &filter.status},
                            {"messageId", &filter.messageId}})
    if (auto v = request.queryParam(name)) *slot = checkText(*v, name);
  if (auto v = request.queryParam("from")) filter.fromMs = parseTime(*v, "from");
  if (auto v = request.queryParam("to")) filter.toMs = parseTime(*v, "to");
  if (auto v = request.queryParam("cursor"))
    filter.afterEventRow = parseInteger(*v, "cursor", 0, std::numeric_limits<std::int64_t>::max());
  filter.limit = limitParam(request);
  const core::EventPage page = context.service.findEvents(filter);
  Reply reply;
  reply.body = "{\"events\":" + eventsArray(page.events) +
               ",\"nextCursor\":" + (page.nextCursor ? std::to_string(page.nextCursor) : "null") +
               "}";
  return reply;
}

core::DeliveryFilter deliveryFilter(std::optional<std::string> appKey,
                                    std::optional<std::string> state,
                                    std::optional<std::string> eventId, int limit,
                                    bool replayable) {
  core::DeliveryFilter filter;
  if (appKey) filter.appKey = checkAppKey(*appKey);
  if (state) {
    const bool ok = *state == "dead" || *state == "disabled" ||
                    (!replayable && (*state == "pending" || *state == "delivered"));
    if (!ok)
      throw core::invalidField("state", replayable
                                            ? "must be dead or disabled"
                                            : "must be pending, delivered, dead or disabled");
    filter.state = state;
  }
  if (eventId) filter.eventId = checkText(*eventId, "eventId");
  filter.limit = limit;
  return filter;
}

Reply listDeliveries(ApiContext& context, Request& request) {
  const auto filter = deliveryFilter(request.queryParam("appKey"), request.queryParam("state"),
                                     request.queryParam("eventId"), limitParam(request), false);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const auto& d : context.service.deliveries().find(filter)) {
    Object::Ptr item = new Object;
    item->set("id", d.id);
    item->set("eventId", d.eventId);
    item->set("appKey", d.appKey);
    item->set("eventType", d.eventType);
    item->set("state", d.state);
    item->set("attempts", d.attempts);
    item->set("lastHttpStatus", d.lastHttpStatus);
    item->set("lastError", d.lastError);
    item->set("created", isoTime(d.createdMs));
    if (d.nextAttemptMs) item->set("nextAttempt", isoTime(d.nextAttemptMs));
    if (d.deliveredMs) item->set("delivered", isoTime(d.deliveredMs));
    list->add(item);
  }
  Object::Ptr out = new Object;
  out->set("deliveries", list);
  return jsonReply(200, out);
}

Reply replayDeliveries(ApiContext& context, Request& request) {
  const auto body = readJsonBody(request, context.config.maxBodyBytes, true);
  refuseUnknownMembers(*body, {"appKey", "state", "eventId", "limit"});
  auto optional = [&body](const char* name) -> std::optional<std::string> {
    if (!body->has(name) || body->isNull(name)) return std::nullopt;
    return stringMember(*body, name);
  };
  int limit = kDefaultReplayBatch;
  if (body->has("limit") && !body->isNull("limit")) {
    const auto value = body->get("limit");
    if (!value.isInteger() || value.convert<Poco::Int64>() < 1 ||
        value.convert<Poco::Int64>() > kMaxReplayBatch)
      throw core::invalidField("limit",
                               "must be an integer from 1 to " + std::to_string(kMaxReplayBatch));
    limit = value.convert<int>();
  }
  const auto filter =
      deliveryFilter(optional("appKey"), optional("state"), optional("eventId"), limit, true);
  Object::Ptr out = new Object;
  out->set("replayed", context.service.deliveries().replay(filter));
  return jsonReply(200, out);
}

}  // namespace

void addAdminRoutes(Router& router, ApiContext& context) {
  auto& c = context;
  router.add("GET", "/admin/v1/apps", admin(c, [&c](Request&) { return listApps(c); }));
  router.add("POST", "/admin/v1/apps", admin(c, [&c](Request& r) { return createApp(c, r); }));
  router.add("GET", "/admin/v1/apps/{appKey}", admin(c, [&c](Request& r) { return getApp(c, r); }));
  router.add("PUT", "/admin/v1/apps/{appKey}", admin(c, [&c](Request& r) { return putApp(c, r); }));
  router.add("DELETE", "/admin/v1/apps/{appKey}",
             admin(c, [&c](Request& r) { return deleteApp(c, r); }));
  router.add("GET", "/admin/v1/sessions",
             admin(c, [&c](Request& r) { return listSessions(c, r); }));
  router.add("DELETE", "/admin/v1/sessions/{sessionId}",
             admin(c, [&c](Request& r) { return terminateSession(c, r); }));
  router.add("POST", "/admin/v1/sessions/{sessionId}/data",
             admin(c, [&c](Request& r) { return sendData(c, r); }));
  router.add("GET", "/admin/v1/events", admin(c, [&c](Request& r) { return findEvents(c, r); }));
  router.add("GET", "/admin/v1/deliveries",
             admin(c, [&c](Request& r) { return listDeliveries(c, r); }));
  router.add("POST", "/admin/v1/deliveries/replay",
             admin(c, [&c](Request& r) { return replayDeliveries(c, r); }));
}

}  // namespace sipbridge::api
