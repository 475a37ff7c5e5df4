#pragma once

#include "sipbridge/core/Requests.h"
#include "sipbridge/core/SessionContext.h"
#include "sipbridge/core/XcapClient.h"

namespace sipbridge::core {

/// sendXcapRequest: GET (reference), PUT and DELETE (extensions) on the XCAP server with the
/// session's SIP credentials; the answer becomes an XcapStatusEvent. Thread-safe.
class XcapRequests {
 public:
  /// `client` may be null: no XCAP server is configured, and every request is refused.
  XcapRequests(SessionContext& sessions, XcapClient* client, std::size_t maxBodyBytes)
      : sessions_(sessions), client_(client), maxBodyBytes_(maxBodyBytes) {}

  /// Throws an invalid-field DomainError naming the field (a URL outside the configured XCAP
  /// roots, a body over the limit) before anything is sent; Conflict without SIP credentials;
  /// Unavailable when the client's queue is full. Returns the id of the XcapStatusEvent to come.
  std::string send(const std::shared_ptr<Session>& session, const SendXcapRequest& request);

 private:
  SessionContext& sessions_;
  XcapClient* client_;
  const std::size_t maxBodyBytes_;
};

}  // namespace sipbridge::core
