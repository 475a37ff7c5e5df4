#include "LoggingListeners.h"

#include <Poco/Logger.h>

namespace sipbridge::sip {

namespace {
Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}
}  // namespace

void LoggingMessageListener::onMessageOutcome(const core::MessageOutcome& outcome) {
  logger().information("session %s: MESSAGE outcome %d %s (nobody listens)", outcome.sessionId,
                       outcome.sipStatus, outcome.reason);
}

void LoggingSubscriptionListener::onSubscriptionOutcome(const core::SubscriptionOutcome& outcome) {
  logger().information("session %s: SUBSCRIBE outcome %d %s (nobody listens)", outcome.sessionId,
                       outcome.sipStatus, outcome.reason);
}

void LoggingSubscriptionListener::onPublishOutcome(const core::PublishOutcome& outcome) {
  logger().information("session %s: PUBLISH outcome %d %s (nobody listens)", outcome.sessionId,
                       outcome.sipStatus, outcome.reason);
}

}  // namespace sipbridge::sip
