#pragma once

#include <cstdint>
#include <string>

namespace sipbridge::core {

/// A SUBSCRIBE dialog to create on behalf of a session (RFC 6665). Validated before it gets here.
struct SubscribeRequest {
  std::string sessionId;
  std::uint64_t subscriptionId = 0;  ///< chosen by core, echoed in every report
  std::string targetUri;  ///< Request-URI and To: "sip:bob@example.test" (own AOR for reg)
  std::string event;      ///< Event package: "presence", "reg", ...
  std::string accept;     ///< Accept header value; empty = the package's usual type
  int expires = 3600;     ///< asked for; the stack refreshes before it runs out
};

/// A NOTIFY received in a subscription (already answered 200 by the stack).
struct NotifyInfo {
  std::string sessionId;
  std::uint64_t subscriptionId = 0;
  std::string state;   ///< Subscription-State value: active, pending or terminated
  std::string reason;  ///< its reason parameter when terminated (timeout, rejected, ...)
  std::string contentType;
  std::string body;
  std::string rawMessage;  ///< the whole NOTIFY as received
};

/// The answer to a SUBSCRIBE, its refresh or its removal; `terminated` when the
/// subscription no longer exists (refused, refresh failed, removed).
struct SubscriptionOutcome {
  std::string sessionId;
  std::uint64_t subscriptionId = 0;
  int sipStatus = 0;
  std::string reason;
  bool terminated = false;
};

/// A PUBLISH of the session's own state (RFC 3903); an empty body with expires 0 withdraws it.
struct PublishRequest {
  std::string sessionId;
  std::uint64_t publicationId = 0;
  std::string event = "presence";
  std::string contentType = "application/pidf+xml";
  std::string body;
  int expires = 3600;
};

struct PublishOutcome {
  std::string sessionId;
  std::uint64_t publicationId = 0;
  int sipStatus = 0;
  std::string reason;
};

/// SUBSCRIBE/NOTIFY and PUBLISH for sessions registered through SipGateway (implemented by
/// sip::SipStack). Thread-safe; every call only posts work to the SIP thread. Throws
/// core::Unavailable when its queue is full. Digest challenges are answered with the
/// session's credentials, requests go through the session's outbound proxy.
class SipSubscriptions {
 public:
  virtual ~SipSubscriptions() = default;
  /// Sends SUBSCRIBE and keeps the subscription refreshed until unsubscribe (or until it is
  /// terminated by the notifier). Reports through SubscriptionListener.
  virtual void subscribe(const SubscribeRequest& request) = 0;
  /// SUBSCRIBE with Expires: 0; the final NOTIFY and outcome are reported. Unknown ids ignored.
  virtual void unsubscribe(const std::string& sessionId, std::uint64_t subscriptionId) = 0;
  /// PUBLISH (SIP-If-Match for refreshes and modifications, kept refreshed until withdrawn).
  /// A new publicationId for a session replaces its earlier publication of the same event.
  virtual void publish(const PublishRequest& request) = 0;
};

/// Implemented by core; called on the SIP thread. Must not block.
class SubscriptionListener {
 public:
  virtual ~SubscriptionListener() = default;
  virtual void onSubscriptionOutcome(const SubscriptionOutcome& outcome) = 0;
  virtual void onNotify(const NotifyInfo& notify) = 0;
  virtual void onPublishOutcome(const PublishOutcome& outcome) = 0;
};

}  // namespace sipbridge::core
