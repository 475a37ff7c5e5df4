#pragma once

#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/core/SipSubscriptions.h"

namespace sipbridge::sip {

/// Takes the outcomes of sendMessage when the stack was built without a MessageListener:
/// logs them. SIP thread only.
class LoggingMessageListener : public core::MessageListener {
 public:
  void onMessageOutcome(const core::MessageOutcome& outcome) override;
  void onIncomingMessage(const core::IncomingMessage&) override {}
};

/// Takes subscription reports when the stack was built without a SubscriptionListener:
/// logs outcomes, drops NOTIFYs. SIP thread only.
class LoggingSubscriptionListener : public core::SubscriptionListener {
 public:
  void onSubscriptionOutcome(const core::SubscriptionOutcome& outcome) override;
  void onNotify(const core::NotifyInfo&) override {}
  void onPublishOutcome(const core::PublishOutcome& outcome) override;
};

}  // namespace sipbridge::sip
