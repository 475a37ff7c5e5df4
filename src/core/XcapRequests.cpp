#include "sipbridge/core/XcapRequests.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

namespace sipbridge::core {
namespace {

std::string text(const Poco::JSON::Object& json, const std::string& name, std::size_t maxLen) {
  const auto value = json.get(name);
  if (value.isEmpty()) return {};
  if (!value.isString()) throw invalidField(name, name + " must be a string");
  const auto s = value.extract<std::string>();
  if (const auto problem = checkHeaderSafe(s, maxLen); !problem.empty())
    throw invalidField(name, name + " " + problem);
  return s;
}

}  // namespace

Poco::JSON::Object::Ptr XcapRequests::send(const std::shared_ptr<Session>& session,
                                           const Poco::JSON::Object& json) {
  for (const auto& [key, value] : json)
    if (key != "url" && key != "method" && key != "body" && key != "contentType" &&
        key != "ifMatch" && key != "ifNoneMatch")
      throw invalidField(key, key + " is not a sendXcapRequest field");
  const ConnectRequest& identity = session->request();
  if (identity.sipLogin.empty())
    throw conflict("sendXcapRequest needs the session's SIP credentials (sipLogin)");
  XcapRequest request;
  request.url = text(json, "url", 2048);
  if (request.url.empty()) throw invalidField("url", "url is required");
  if (!client_) throw invalidField("url", "no XCAP server is configured on this bridge");
  client_->checkUrl(request.url);
  request.method = text(json, "method", 8);
  if (request.method.empty()) request.method = "GET";
  if (request.method != "GET" && request.method != "PUT" && request.method != "DELETE")
    throw invalidField("method", "method must be GET, PUT or DELETE");
  const auto body = json.get("body");
  if (!body.isEmpty()) {
    if (!body.isString()) throw invalidField("body", "body must be a string");
    request.body = body.extract<std::string>();
  }
  request.contentType = text(json, "contentType", 128);
  if (request.method == "PUT") {
    if (request.body.empty()) throw invalidField("body", "PUT needs a body");
    if (request.contentType.find('/') == std::string::npos)
      throw invalidField("contentType", "PUT needs a contentType such as application/xcap-el+xml");
  } else if (!request.body.empty()) {
    throw invalidField("body", "only PUT carries a body");
  }
  if (request.body.size() > maxBodyBytes_)
    throw invalidField("body", "body is longer than " + std::to_string(maxBodyBytes_) + " bytes");
  request.ifMatch = text(json, "ifMatch", 256);
  request.ifNoneMatch = text(json, "ifNoneMatch", 256);
  request.user =
      identity.sipAuthenticationName.empty() ? identity.sipLogin : identity.sipAuthenticationName;
  request.password = identity.sipPassword;

  const std::string id = newUuid();
  const std::string sessionId = session->sessionId();
  const std::string url = request.url;
  const std::string method = request.method;
  client_->execute(std::move(request), [this, id, sessionId, url, method](XcapResponse response) {
    auto target = sessions_.anySession(sessionId);
    if (!target) return;
    Poco::DynamicStruct fields;
    fields["id"] = id;
    fields["url"] = url;
    fields["method"] = method;
    fields["httpStatus"] = response.status;
    if (isUtf8Text(response.body)) {
      fields["xcapResponse"] = response.body;
    } else {
      fields["xcapResponse"] = std::string();
      response.error = "the response body is not UTF-8 text and is not shown";
    }
    if (!response.contentType.empty()) fields["contentType"] = response.contentType;
    if (!response.etag.empty()) fields["etag"] = response.etag;
    if (!response.error.empty()) fields["info"] = response.error;
    sessions_.emit(*target, "XcapStatusEvent", "", fields);
  });
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("id", id);
  return reply;
}

}  // namespace sipbridge::core
