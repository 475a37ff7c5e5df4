#pragma once

#include "sipbridge/core/SessionContext.h"
#include "sipbridge/core/XcapClient.h"

#include <Poco/JSON/Object.h>

namespace sipbridge::core {

/// sendXcapRequest: GET (reference), PUT and DELETE (extensions) on the XCAP server with the
/// session's SIP credentials; the answer becomes an XcapStatusEvent. Thread-safe.
class XcapRequests {
 public:
  /// `client` may be null: no XCAP server is configured, and every request is refused.
  XcapRequests(SessionContext& sessions, XcapClient* client, std::size_t maxBodyBytes)
      : sessions_(sessions), client_(client), maxBodyBytes_(maxBodyBytes) {}

  /// {url, method, body, contentType, ifMatch, ifNoneMatch}. Throws ApiError 400 naming the
  /// field (a URL outside the configured XCAP roots included) before anything is sent;
  /// Unavailable when the client's queue is full. Returns {"id"} of the XcapStatusEvent to come.
  Poco::JSON::Object::Ptr send(const std::shared_ptr<Session>& session,
                               const Poco::JSON::Object& request);

 private:
  SessionContext& sessions_;
  XcapClient* client_;
  const std::size_t maxBodyBytes_;
};

}  // namespace sipbridge::core
