#include "sipbridge/core/XcapRequests.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

namespace sipbridge::core {

std::string XcapRequests::send(const std::shared_ptr<Session>& session,
                               const SendXcapRequest& given) {
  const ConnectRequest& identity = session->request();
  if (identity.sipLogin.empty())
    throw conflict("sendXcapRequest needs the session's SIP credentials (sipLogin)");
  if (!client_) throw invalidField("url", "no XCAP server is configured on this bridge");
  client_->checkUrl(given.url);
  if (given.body.size() > maxBodyBytes_)
    throw invalidField("body", "body is longer than " + std::to_string(maxBodyBytes_) + " bytes");
  XcapRequest request;
  request.url = given.url;
  request.method = given.method;
  request.body = given.body;
  request.contentType = given.contentType;
  request.ifMatch = given.ifMatch;
  request.ifNoneMatch = given.ifNoneMatch;
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
  return id;
}

}  // namespace sipbridge::core
